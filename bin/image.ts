#!/usr/bin/env node
/**
 * `npm run image -- --service <name> --commit <sha> [--execute] [--output image.json]`: builds,
 * scans, tests, pushes, signs and verifies one service's images (lib/delivery/image-plan.ts).
 * Without `--execute` it prints the plan. The commit defaults to the build's own
 * (`CODEBUILD_RESOLVED_SOURCE_VERSION` in CodeBuild, `GIT_COMMIT` in Jenkins). `--output` writes the
 * digests (`{"service", "commit", "image", "migrations"?}`) for the release step.
 */
import { spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import { commandLine } from '../cdk8s/bootstrap';
import { COMMIT_PATTERN, DELIVERY } from '../lib/config/delivery';
import { imageSigningKey } from '../lib/config/image-signing';
import { ecrRegistryHost } from '../lib/config/naming';
import { PLATFORM } from '../lib/config/platform';
import { SERVICE_CATALOG } from '../lib/config/service-catalog';
import { ImageStep, TEST_DATABASE_PASSWORD_VARIABLES, digestOf, imagePlan, resolveStep } from '../lib/delivery/image-plan';

/** Runs one command; `input` is its standard input; returns its exit code and standard output. */
export type StepRunner = (
  command: readonly string[],
  options: { input?: string; env: NodeJS.ProcessEnv; capture: boolean },
) => { status: number; stdout: string };

export const spawnStep: StepRunner = (command, options) => {
  const r = spawnSync(command[0], command.slice(1), {
    input: options.input,
    env: options.env,
    encoding: 'utf8',
    stdio: [options.input === undefined ? 'inherit' : 'pipe', options.capture ? 'pipe' : 'inherit', 'inherit'],
  });
  return { status: r.status ?? 1, stdout: r.stdout ?? '' };
};

/** Run the plan: stop at the first failure, but still run the clean-up steps; returns the digests, or throws. */
export function runPlan(
  steps: readonly ImageStep[],
  run: StepRunner,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Record<string, string> {
  const digests: Record<string, string> = {};
  let failure: string | undefined;
  for (const [i, step] of steps.entries()) {
    if (failure && !step.always) continue;
    const command = resolveStep(step.command, digests);
    log(`[${i + 1}/${steps.length}] ${step.stage}: ${step.description}\n    ${commandLine(command)}`);
    let input: string | undefined;
    if (step.stdinFrom) {
      const source = run(step.stdinFrom, { env, capture: true });
      if (source.status !== 0) {
        failure ??= `${step.stage}: ${commandLine(step.stdinFrom)} exited ${source.status}`;
        continue;
      }
      input = source.stdout;
    }
    const result = run(command, { input, env, capture: step.captureDigest !== undefined });
    if (result.status !== 0) failure ??= `${step.stage}: ${step.description} (exit ${result.status})`;
    else if (step.captureDigest) digests[step.captureDigest] = digestOf(result.stdout);
  }
  if (failure) throw new Error(failure);
  return digests;
}

/** Run the command line; returns the process exit code. */
export function main(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = console.log,
  run: StepRunner = spawnStep,
): number {
  const values: Record<string, string> = {};
  let execute = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--execute') execute = true;
    else if (['--service', '--commit', '--output'].includes(argv[i]) && argv[i + 1] !== undefined) values[argv[i]] = argv[++i];
    else {
      log(`image: unknown argument ${JSON.stringify(argv[i])}; use --service <name> --commit <sha> [--execute] [--output <file>]`);
      return 1;
    }
  }
  const service = SERVICE_CATALOG.services.find((s) => s.name === values['--service']);
  const commit = values['--commit'] ?? env.CODEBUILD_RESOLVED_SOURCE_VERSION ?? env.GIT_COMMIT;
  if (!service) {
    log(
      `image: --service ${JSON.stringify(values['--service'] ?? '')} is not in the catalog; use one of ${SERVICE_CATALOG.services.map((s) => s.name).join(', ')}`,
    );
    return 1;
  }
  if (!commit || !COMMIT_PATTERN.test(commit)) {
    log(`image: the commit ${JSON.stringify(commit ?? '')} is not a full commit id (40 hex digits); give --commit`);
    return 1;
  }
  const region = PLATFORM.region;
  const steps = imagePlan({
    service,
    commit,
    registry: ecrRegistryHost(region),
    region,
    signingKey: imageSigningKey(),
    settings: DELIVERY,
  });
  if (!execute) {
    steps.forEach((s, i) => log(`[${i + 1}/${steps.length}] ${s.stage}: ${s.description}\n    ${commandLine(s.command)}`));
    log('Nothing was run; add --execute.');
    return 0;
  }
  // The throwaway test database's password: generated here, handed to docker by variable name only, never printed.
  const password = randomBytes(18).toString('base64url');
  const stepEnv = { ...env, ...Object.fromEntries(TEST_DATABASE_PASSWORD_VARIABLES.map((name) => [name, password])) };
  try {
    const digests = runPlan(steps, run, stepEnv, log);
    const result = { service: service.name, commit, ...digests };
    if (values['--output']) fs.writeFileSync(values['--output'], `${JSON.stringify(result, null, 2)}\n`);
    log(`image: ${JSON.stringify(result)}`);
    return 0;
  } catch (e) {
    log(`image: failed at ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = main();
}
