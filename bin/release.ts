#!/usr/bin/env node
/**
 * `npm run release`: renders an environment's manifests with the released image digests, commits
 * them to the environment's GitOps path, and (with `--wait`) holds the health gates, reverting the
 * commit when one fails. docs/cicd/application-delivery.md has the whole flow.
 *
 *   npm run release -- --env staging --service web-api --commit <sha> [--digest sha256:.. --migrations-digest sha256:..] [--push] [--wait]
 *   npm run release -- --env prod --service web-api --from staging --push --wait      promotion: the digest staging runs
 *   npm run release -- --env staging --push                                          re-render every released service (platform changes)
 *
 * Without `--digest`, the digests are read from the registry by the commit tag (`aws ecr describe-images`).
 * Without `--push`, the render is written into the checkout and nothing is committed (a dry run).
 * `--gitops-dir <dir>` uses an existing checkout; `--gitops-repo <url>` overrides the config's URL.
 * Pushing over HTTPS uses the token in `GITOPS_TOKEN` when set (a CodeBuild secret variable; never printed).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeManifestFiles } from '../cdk8s/main';
import {
  EMPTY_RELEASE,
  ReleaseError,
  assumeDeployRoleCommand,
  gateBuildCommand,
  gateBuildVerdict,
  releaseFileContent,
  renderRelease,
  rolloutTimeoutSeconds,
  smokeUrl,
  startGateCommand,
  withService,
} from '../cdk8s/release';
import {
  DELIVERY,
  DIGEST_PATTERN,
  deployRoleName,
  EnvironmentRelease,
  RELEASE_FILE,
  ServiceRelease,
  imageTag,
  migrationsImageTag,
} from '../lib/config/delivery';
import { PLATFORM } from '../lib/config/platform';
import { GATE_ANCESTORS, GATE_POLL_SECONDS, GATE_SETUP_SECONDS, gateTimeoutMinutes } from '../lib/config/release-gate';
import { SERVICE_CATALOG, ServiceSpec, servicesFor } from '../lib/config/service-catalog';
import { EnvironmentConfig } from '../lib/config/types';
import { ConfigValidationError, formatProblems } from '../lib/config/validate';
import { configProblems, loadEnvironments } from './config-input';

/** The result of one command. */
export interface CommandResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command without a shell; `cwd` for git. */
export type Exec = (command: readonly string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }) => CommandResult;

/** Everything the release does outside this process, replaceable in tests. */
export interface ReleaseIo {
  readonly exec: Exec;
  readonly sleep: (seconds: number) => Promise<void>;
  /** HTTP status of a GET (the smoke test), 0 when the request failed. */
  readonly httpStatus: (url: string) => Promise<number>;
  readonly log: (line: string) => void;
}

export const spawnExec: Exec = (command, options = {}) => {
  const r = spawnSync(command[0], command.slice(1), {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error) : '') };
};

export const defaultIo: ReleaseIo = {
  exec: spawnExec,
  sleep: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
  httpStatus: async (url) => {
    try {
      return (await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) })).status;
    } catch {
      return 0;
    }
  },
  log: console.log,
};

/** Git in the GitOps checkout, as the release identity; the token (if any) comes from the environment through a credential helper. */
export class GitOpsCheckout {
  constructor(
    public readonly dir: string,
    private readonly io: ReleaseIo,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Clone `repoUrl` at `revision` into a new temporary directory. */
  static clone(repoUrl: string, revision: string, io: ReleaseIo, env: NodeJS.ProcessEnv): GitOpsCheckout {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-'));
    const checkout = new GitOpsCheckout(dir, io, env);
    checkout.git(['clone', '--quiet', '--branch', revision, repoUrl, '.']);
    return checkout;
  }

  /** Run git; throws with git's own message on failure (never with the token: it is not in any argument). */
  git(args: readonly string[], allowFailure = false): CommandResult {
    const credentials = this.env.GITOPS_TOKEN
      ? ['-c', 'credential.helper=', '-c', 'credential.helper=!f() { echo username=x-access-token; echo "password=${GITOPS_TOKEN}"; }; f']
      : [];
    const identity = ['-c', `user.name=${PLATFORM.application} release`, '-c', `user.email=release@${PLATFORM.apexDomain}`];
    const result = this.io.exec(['git', ...credentials, ...identity, ...args], { cwd: this.dir, env: this.env });
    if (result.status !== 0 && !allowFailure) throw new Error(`git ${args[0]} failed: ${result.stderr.trim()}`);
    return result;
  }

  /** The release state of an environment's path at `revision` (the working tree when omitted). */
  state(gitopsPath: string, revision?: string): EnvironmentRelease {
    const file = `${gitopsPath}/${RELEASE_FILE}`;
    if (revision === undefined) {
      const full = path.join(this.dir, file);
      return fs.existsSync(full) ? (JSON.parse(fs.readFileSync(full, 'utf8')) as EnvironmentRelease) : EMPTY_RELEASE;
    }
    const shown = this.git(['show', `${revision}:${file}`], true);
    return shown.status === 0 ? (JSON.parse(shown.stdout) as EnvironmentRelease) : EMPTY_RELEASE;
  }

  /** Whether `commit` is `ancestor` or comes after it (fetching first, so a newer remote commit is known). */
  isAtOrAfter(ancestor: string, commit: string): boolean {
    this.git(['fetch', '--quiet', 'origin'], true);
    return commit === ancestor || this.git(['merge-base', '--is-ancestor', ancestor, commit], true).status === 0;
  }
}

/**
 * Write the release state and its render into the environment's path, commit, push; on a rejected
 * push (someone released meanwhile), start again from the remote's head and re-apply the change.
 * Returns the commit, or undefined when nothing changed.
 */
export function commitRelease(
  checkout: GitOpsCheckout,
  config: EnvironmentConfig,
  change: (current: EnvironmentRelease) => EnvironmentRelease,
  message: string,
  push: boolean,
  attempts = 5,
): string | undefined {
  const { path: gitopsPath, revision } = config.gitops;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (push) {
      checkout.git(['fetch', '--quiet', 'origin', revision]);
      checkout.git(['reset', '--quiet', '--hard', 'FETCH_HEAD']);
    }
    const next = change(checkout.state(gitopsPath));
    const files = renderRelease(config, next);
    const dir = path.join(checkout.dir, gitopsPath);
    writeManifestFiles(dir, files);
    fs.writeFileSync(path.join(dir, RELEASE_FILE), releaseFileContent(next));
    if (!push) return undefined;
    checkout.git(['add', '--all', '--', gitopsPath]);
    if (checkout.git(['diff', '--cached', '--quiet'], true).status === 0) return undefined;
    checkout.git(['commit', '--quiet', '--message', message]);
    const sha = checkout.git(['rev-parse', 'HEAD']).stdout.trim();
    if (checkout.git(['push', '--quiet', 'origin', `HEAD:${revision}`], true).status === 0) return sha;
  }
  throw new Error(`push to ${config.gitops.repoUrl} ${revision} was rejected ${attempts} times; try again`);
}

/** The digest of an image tag in the registry (`aws ecr describe-images`). */
export function registryDigest(io: ReleaseIo, repository: string, tag: string, region: string): string {
  const result = io.exec([
    'aws',
    'ecr',
    'describe-images',
    '--region',
    region,
    '--repository-name',
    repository,
    '--image-ids',
    `imageTag=${tag}`,
    '--query',
    'imageDetails[0].imageDigest',
    '--output',
    'text',
  ]);
  const digest = result.stdout.trim();
  if (result.status !== 0 || !DIGEST_PATTERN.test(digest)) {
    throw new Error(
      `${repository}:${tag} is not in the registry (${result.stderr.trim() || digest}); build and push it first (npm run image)`,
    );
  }
  return digest;
}

/** Credentials of the environment's deploy role as environment variables for the AWS CLI, or why there are none. */
export function deployRoleEnv(
  config: EnvironmentConfig,
  service: ServiceSpec,
  io: ReleaseIo,
  base: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv | string {
  const assumed = io.exec(assumeDeployRoleCommand(config, `release-${service.name}`.slice(0, 64)), { env: base });
  if (assumed.status !== 0) return assumed.stderr.trim();
  const { Credentials: c } = JSON.parse(assumed.stdout) as {
    Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
  };
  return { ...base, AWS_ACCESS_KEY_ID: c.AccessKeyId, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey, AWS_SESSION_TOKEN: c.SessionToken };
}

/** Re-assume the deploy role this often while a gate runs (its sessions last an hour). */
const CREDENTIALS_REFRESH_SECONDS = 45 * 60;

/**
 * The cluster-side gates after a commit, run by the environment's release gate (a CodeBuild project
 * in the environment's VPC: the service's Argo CD Application Synced and Healthy at, or after, the
 * commit, and the rollout complete): the release assumes the environment's deploy role, starts the
 * gate build and polls it; a passed gate must name a revision that Git confirms is the commit or a
 * later one. Then the public endpoint must answer through CloudFront. Returns the first failure,
 * or undefined.
 */
export async function holdGates(
  config: EnvironmentConfig,
  service: ServiceSpec,
  commit: string,
  checkout: GitOpsCheckout,
  io: ReleaseIo,
  settings = DELIVERY,
): Promise<string | undefined> {
  // The token stays with git: the AWS CLI never sees it.
  const { GITOPS_TOKEN: _token, ...base } = process.env;
  let env = deployRoleEnv(config, service, io, base);
  if (typeof env === 'string') return `gate access (${deployRoleName(config.name)}): ${env}`;
  const before = checkout
    .git(['rev-list', `--max-count=${GATE_ANCESTORS}`, `${commit}^`], true)
    .stdout.split('\n')
    .filter(Boolean);
  const started = io.exec(startGateCommand(config, service, commit, before, settings), { env });
  if (started.status !== 0) return `release gate: ${started.stderr.trim()}`;
  const id = String((JSON.parse(started.stdout) as { build?: { id?: string } }).build?.id);
  io.log(`gate: started ${id} in ${config.name}`);
  // The build's own limit, plus the time it may wait in the queue.
  const limit = gateTimeoutMinutes(settings.syncTimeoutSeconds, rolloutTimeoutSeconds(service)) * 60 + GATE_SETUP_SECONDS;
  for (let waited = 0, fresh = 0; ; waited += GATE_POLL_SECONDS, fresh += GATE_POLL_SECONDS) {
    if (fresh >= CREDENTIALS_REFRESH_SECONDS) {
      const renewed = deployRoleEnv(config, service, io, base);
      if (typeof renewed !== 'string') [env, fresh] = [renewed, 0];
    }
    const result = io.exec(gateBuildCommand(config, id), { env });
    const verdict = result.status === 0 ? gateBuildVerdict(JSON.parse(result.stdout)) : { verdict: 'running' as const };
    if (verdict.verdict === 'failed') return verdict.reason;
    if (verdict.verdict === 'passed') {
      if (!checkout.isAtOrAfter(commit, verdict.revision))
        return `release gate ${id} passed at ${verdict.revision}, which is before ${commit} (Argo CD is far behind)`;
      io.log(`gate: ${id}: Argo CD Application ${service.name} Synced and Healthy at ${verdict.revision}, rollout complete`);
      break;
    }
    if (waited >= limit) return `release gate ${id} still running after ${limit}s`;
    await io.sleep(GATE_POLL_SECONDS);
  }
  const url = smokeUrl(config, service);
  if (!url) return undefined;
  for (let attempt = 1; ; attempt++) {
    const status = await io.httpStatus(url);
    if (status >= 200 && status < 300) {
      io.log(`gate: GET ${url} answered ${status}`);
      return undefined;
    }
    if (attempt >= settings.smokeAttempts) return `smoke test: GET ${url} answered ${status || 'nothing'} after ${attempt} tries`;
    await io.sleep(10);
  }
}

/** Parsed command line. */
export interface ReleaseOptions {
  readonly env: string;
  readonly service?: string;
  readonly commit?: string;
  readonly digest?: string;
  readonly migrationsDigest?: string;
  readonly from?: string;
  readonly push: boolean;
  readonly wait: boolean;
  readonly gitopsDir?: string;
  readonly gitopsRepo?: string;
}

const USAGE =
  'use --env <name> [--service <name> (--commit <sha> [--digest sha256:.. --migrations-digest sha256:..] | --from <env>)] [--push] [--wait] [--gitops-dir <dir>] [--gitops-repo <url>]';

/** Parse the arguments (flags with values, and the switches `--push`, `--wait`). */
export function parseReleaseArgs(argv: readonly string[]): ReleaseOptions | string {
  const values: Record<string, string> = {};
  const switches = new Set<string>();
  const known = ['--env', '--service', '--commit', '--digest', '--migrations-digest', '--from', '--gitops-dir', '--gitops-repo', '--to'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--push' || arg === '--wait') switches.add(arg);
    else if (known.includes(arg) && argv[i + 1] !== undefined) values[arg] = argv[++i];
    else return `unknown argument ${JSON.stringify(arg)}; ${USAGE}`;
  }
  if (!values['--env']) return `--env is required; ${USAGE}`;
  if (switches.has('--wait') && !switches.has('--push')) return '--wait needs --push (the gates watch what was committed)';
  if (switches.has('--wait') && !values['--service']) return '--wait needs --service (the gates watch one service)';
  return {
    env: values['--env'],
    service: values['--service'],
    commit: values['--commit'],
    digest: values['--digest'],
    migrationsDigest: values['--migrations-digest'],
    from: values['--from'],
    push: switches.has('--push'),
    wait: switches.has('--wait'),
    gitopsDir: values['--gitops-dir'],
    gitopsRepo: values['--gitops-repo'],
  };
}

/** The valid environments, or a thrown `ConfigValidationError`. */
export function validEnvironments(env: NodeJS.ProcessEnv): EnvironmentConfig[] {
  const environments = loadEnvironments(env);
  const problems = configProblems(environments, SERVICE_CATALOG);
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return environments as EnvironmentConfig[];
}

/** The new entry of the service: from another environment (promotion), given digests, or the registry by commit tag. */
function entryFor(
  options: ReleaseOptions,
  service: ServiceSpec,
  config: EnvironmentConfig,
  environments: EnvironmentConfig[],
  checkout: GitOpsCheckout,
  io: ReleaseIo,
): ServiceRelease {
  if (options.from) {
    const source = environments.find((e) => e.name === options.from);
    if (!source) throw new Error(`--from ${JSON.stringify(options.from)} is not an environment`);
    const entry = checkout.state(source.gitops.path).services[service.name];
    if (!entry) throw new Error(`${service.name} was never released to ${source.name}; nothing to promote`);
    return entry;
  }
  if (!options.commit) throw new Error('--service needs --commit <sha> (or --from <env> to promote)');
  const image = options.digest ?? registryDigest(io, service.image.repository, imageTag(options.commit), config.region);
  const migrations = service.database
    ? (options.migrationsDigest ??
      registryDigest(io, service.image.repository, migrationsImageTag(imageTag(options.commit)), config.region))
    : undefined;
  return { commit: options.commit, image, ...(migrations ? { migrations } : {}) };
}

/** The checkout the release works in: the given directory, or a fresh clone. */
export function openCheckout(
  options: { gitopsDir?: string; gitopsRepo?: string },
  config: EnvironmentConfig,
  io: ReleaseIo,
  env: NodeJS.ProcessEnv,
): GitOpsCheckout {
  return options.gitopsDir
    ? new GitOpsCheckout(options.gitopsDir, io, env)
    : GitOpsCheckout.clone(options.gitopsRepo ?? config.gitops.repoUrl, config.gitops.revision, io, env);
}

/**
 * Revert a release commit: put back the service's entry as it was before that commit (the last good
 * digest), re-render, commit and push. Other services released since keep theirs.
 */
export function revertRelease(
  checkout: GitOpsCheckout,
  config: EnvironmentConfig,
  serviceName: string,
  commit: string,
  reason: string,
): string | undefined {
  const before = checkout.state(config.gitops.path, `${commit}^`).services[serviceName];
  const subject = checkout.git(['log', '-1', '--format=%s', commit]).stdout.trim();
  return commitRelease(
    checkout,
    config,
    (current) => withService(current, serviceName, before),
    `Revert "${subject}"\n\nThis reverts commit ${commit}: ${reason}`,
    true,
  );
}

/** Run the release; returns the process exit code. */
export async function main(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
  io: ReleaseIo = defaultIo,
): Promise<number> {
  const options = parseReleaseArgs(argv);
  if (typeof options === 'string') {
    io.log(`release: ${options}`);
    return 1;
  }
  try {
    const environments = validEnvironments(env);
    const config = environments.find((c) => c.name === options.env);
    if (!config)
      throw new Error(
        `--env ${JSON.stringify(options.env)} is not an environment; use one of ${environments.map((c) => c.name).join(', ')}`,
      );
    const service = options.service ? servicesFor(config).find((s) => s.name === options.service) : undefined;
    if (options.service && !service)
      throw new Error(`--service ${JSON.stringify(options.service)} is not in the catalog of ${config.name}`);
    const checkout = openCheckout(options, config, io, env);
    const entry = service ? entryFor(options, service, config, environments, checkout, io) : undefined;
    const message = service
      ? `release ${config.name} ${service.name} ${entry!.image} (${entry!.commit})`
      : `render ${config.name} (platform manifests, released services unchanged)`;
    const commit = commitRelease(
      checkout,
      config,
      (current) => (service ? withService(current, service.name, entry) : current),
      message,
      options.push,
    );
    if (!options.push) {
      io.log(`release: rendered ${config.name} into ${path.join(checkout.dir, config.gitops.path)}; nothing committed (add --push)`);
      return 0;
    }
    io.log(
      commit ? `release: committed ${commit} to ${config.gitops.repoUrl} ${config.gitops.path}: ${message}` : 'release: nothing changed',
    );
    if (!options.wait || !commit || !service) return 0;
    const failure = await holdGates(config, service, commit, checkout, io);
    if (!failure) {
      io.log(`release: ${service.name} is live in ${config.name}`);
      return 0;
    }
    io.log(`release: gate failed: ${failure}`);
    const reverted = revertRelease(checkout, config, service.name, commit, failure);
    io.log(`release: reverted with ${reverted ?? '(nothing to revert)'}; ${config.name} goes back to the last good digest`);
    return 1;
  } catch (e) {
    if (e instanceof ConfigValidationError) io.log(`Configuration has ${e.problems.length} problem(s):\n${formatProblems(e.problems)}`);
    else if (e instanceof ReleaseError) io.log(`release: the manifests cannot be released:\n${e.message}`);
    else io.log(`release: ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
