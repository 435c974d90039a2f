#!/usr/bin/env node
/**
 * `npm run bootstrap -- --env <name> [--execute] [--outdir dist/bootstrap]`: the first deploy of an
 * environment's cluster after `cdk deploy` (see cdk8s/bootstrap.ts and docs/k8s/deployment-standards.md). Validates
 * the configuration, writes the files the plan applies to `<outdir>/<env>/`, prints the commands,
 * and with `--execute` runs them in order (stopping at the first failure). Running it again is safe:
 * every step is declarative.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { bootstrapPlan, commandLine } from '../cdk8s/bootstrap';
import { SERVICE_CATALOG } from '../lib/config/service-catalog';
import { EnvironmentConfig } from '../lib/config/types';
import { ConfigValidationError, formatProblems } from '../lib/config/validate';
import { configProblems, loadEnvironments } from './config-input';

/** Runs one command; returns its exit code. */
export type Runner = (command: readonly string[]) => number;

/** Runs a command with the terminal attached, without a shell. */
export const spawnRunner: Runner = (command) => spawnSync(command[0], command.slice(1), { stdio: 'inherit' }).status ?? 1;

interface Options {
  readonly env?: string;
  readonly execute: boolean;
  readonly outdir: string;
}

function parse(argv: readonly string[]): Options | string {
  let env: string | undefined;
  let outdir = path.join('dist', 'bootstrap');
  let execute = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--execute') execute = true;
    else if (arg === '--env' && argv[i + 1] !== undefined) env = argv[++i];
    else if (arg === '--outdir' && argv[i + 1] !== undefined) outdir = argv[++i];
    else return `unknown argument ${JSON.stringify(arg)}; use --env <name> [--execute] [--outdir <dir>]`;
  }
  return { env, execute, outdir };
}

/** Run the bootstrap; returns the process exit code. */
export function main(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = console.log,
  error: (line: string) => void = console.error,
  run: Runner = spawnRunner,
): number {
  try {
    const options = parse(argv);
    if (typeof options === 'string') {
      error(`bootstrap: ${options}`);
      return 1;
    }
    const environments = loadEnvironments(env);
    const problems = configProblems(environments, SERVICE_CATALOG);
    if (problems.length > 0) throw new ConfigValidationError(problems);
    const valid = environments as EnvironmentConfig[];
    const config = valid.find((c) => c.name === options.env);
    if (!config) {
      error(
        `bootstrap: --env ${JSON.stringify(options.env ?? '')} is not an environment; use one of ${valid.map((c) => c.name).join(', ')}`,
      );
      return 1;
    }
    const directory = path.join(options.outdir, config.name);
    const plan = bootstrapPlan(config, directory);
    fs.mkdirSync(directory, { recursive: true });
    for (const file of plan.files) fs.writeFileSync(path.join(directory, file.name), file.content);
    log(`Bootstrap of ${config.name} (files in ${directory}):`);
    plan.steps.forEach((step, i) => log(`${i + 1}. ${step.description}\n   ${commandLine(step.command)}`));
    if (!options.execute) {
      log('Nothing was run; add --execute to run these commands in order.');
      return 0;
    }
    for (const [i, step] of plan.steps.entries()) {
      const code = run(step.command);
      if (code !== 0) {
        error(`bootstrap: step ${i + 1} (${step.description}) failed with exit code ${code}; fix it and run the bootstrap again`);
        return code;
      }
    }
    log(`Done: Argo CD syncs ${config.name} from ${config.gitops.repoUrl} (${config.gitops.path}).`);
    return 0;
  } catch (e) {
    if (e instanceof ConfigValidationError) {
      error(`Configuration has ${e.problems.length} problem(s); nothing was bootstrapped:\n${formatProblems(e.problems)}`);
    } else {
      error(`bootstrap failed: ${(e as Error).message}`);
    }
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = main();
}
