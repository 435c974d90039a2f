#!/usr/bin/env node
/**
 * `npm run rollback -- --env prod --service web-api [--to sha256:...] [--wait]`: the manual rollback,
 * one command. Commits to the environment's GitOps path the digest the service ran before the
 * current one (from the history of `release.json`), or the given earlier digest; Argo CD syncs it
 * like any release (the PreSync migration runs first: migrations only go forward, so an older
 * image must work with the newer schema: expand, then contract). `--wait` holds the same health
 * gates as a release; `--gitops-dir` / `--gitops-repo` as for `npm run release`.
 */
import { RELEASE_FILE, ServiceRelease } from '../lib/config/delivery';
import { servicesFor } from '../lib/config/service-catalog';
import { withService } from '../cdk8s/release';
import { GitOpsCheckout, ReleaseIo, commitRelease, defaultIo, holdGates, openCheckout, validEnvironments } from './release';

/** The entry to roll back to: the newest earlier one with another image, or the newest with image `to`. */
export function rollbackTarget(checkout: GitOpsCheckout, gitopsPath: string, serviceName: string, to?: string): ServiceRelease {
  const current = checkout.state(gitopsPath).services[serviceName];
  if (!current) throw new Error(`${serviceName} was never released here; nothing to roll back`);
  const commits = checkout
    .git(['log', '--format=%H', '--', `${gitopsPath}/${RELEASE_FILE}`])
    .stdout.split('\n')
    .filter(Boolean);
  for (const commit of commits) {
    const entry = checkout.state(gitopsPath, commit).services[serviceName];
    if (!entry) continue;
    if (to ? entry.image === to : entry.image !== current.image) return entry;
  }
  throw new Error(
    to
      ? `${serviceName} never ran ${to} here; give a digest from the history of ${RELEASE_FILE}`
      : `${serviceName} has run no other digest here; nothing to roll back to`,
  );
}

/** Run the rollback; returns the process exit code. */
export async function main(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
  io: ReleaseIo = defaultIo,
): Promise<number> {
  const values: Record<string, string> = {};
  let wait = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--wait') wait = true;
    else if (['--env', '--service', '--to', '--gitops-dir', '--gitops-repo'].includes(argv[i]) && argv[i + 1] !== undefined)
      values[argv[i]] = argv[++i];
    else {
      io.log(`rollback: unknown argument ${JSON.stringify(argv[i])}; use --env <name> --service <name> [--to sha256:...] [--wait]`);
      return 1;
    }
  }
  try {
    if (!values['--env'] || !values['--service']) throw new Error('--env and --service are required');
    const config = validEnvironments(env).find((c) => c.name === values['--env']);
    if (!config) throw new Error(`--env ${JSON.stringify(values['--env'])} is not an environment`);
    const service = servicesFor(config).find((s) => s.name === values['--service']);
    if (!service) throw new Error(`--service ${JSON.stringify(values['--service'])} is not in the catalog of ${config.name}`);
    const checkout = openCheckout({ gitopsDir: values['--gitops-dir'], gitopsRepo: values['--gitops-repo'] }, config, io, env);
    const target = rollbackTarget(checkout, config.gitops.path, service.name, values['--to']);
    const message = `rollback ${config.name} ${service.name} to ${target.image} (${target.commit})`;
    const commit = commitRelease(checkout, config, (current) => withService(current, service.name, target), message, true);
    io.log(commit ? `rollback: committed ${commit}: ${message}` : `rollback: ${service.name} already runs ${target.image}`);
    if (!wait || !commit) return 0;
    const failure = await holdGates(config, service, commit, checkout, io);
    io.log(failure ? `rollback: gate failed: ${failure}` : `rollback: ${service.name} runs ${target.image} in ${config.name}`);
    return failure ? 1 : 0;
  } catch (e) {
    io.log(`rollback: ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
