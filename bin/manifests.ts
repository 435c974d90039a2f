#!/usr/bin/env node
/**
 * Entry point of `cdk8s synth` (see cdk8s.yaml): validates the configuration, then writes
 * `dist/<env>/*.k8s.yaml` for every environment. Bad configuration prints every problem and
 * writes nothing.
 */
import { synthManifests } from '../cdk8s/main';
import { assertValidEnvironments, ConfigValidationError, formatProblems } from '../lib/config/validate';
import { loadEnvironments } from './app';

/** Run the manifest synthesis; returns the process exit code. */
export function main(env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = console.error): number {
  try {
    const environments = loadEnvironments(env);
    assertValidEnvironments(environments);
    synthManifests(environments, env.CDK8S_OUTDIR ?? 'dist');
    return 0;
  } catch (e) {
    if (e instanceof ConfigValidationError) {
      log(`Configuration has ${e.problems.length} problem(s); no manifests were written:\n${formatProblems(e.problems)}`);
    } else {
      log(`Manifest synthesis failed: ${(e as Error).message}`);
    }
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = main();
}
