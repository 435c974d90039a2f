#!/usr/bin/env node
/**
 * The CDK app: one stage per environment (`Dev`, `Staging`, `Prod`), checked by cdk-nag and the
 * platform's own rules at synth time.
 *
 *   npx cdk synth                  all environments
 *   npx cdk diff 'Prod/*'          one environment
 *   PLATFORM_CONFIG_FILE=my.json   synthesize environments from a JSON file instead of lib/config
 *
 * The configuration is validated before any construct is made: every problem is printed, one per
 * line, and nothing is written to cdk.out.
 */
import * as fs from 'fs';
import { App, AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ENVIRONMENTS } from '../lib/config/environments';
import { assertValidEnvironments, ConfigProblem, ConfigValidationError, formatProblems } from '../lib/config/validate';
import { SaasEnvironmentStage } from '../lib/stages/saas-environment-stage';

/**
 * Build the app for the given environments (validated first; throws `ConfigValidationError`
 * listing every problem when they are not valid).
 */
export function buildApp(environments: unknown, props: AppProps = {}): App {
  assertValidEnvironments(environments);
  const app = new App(props);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  for (const config of environments) {
    new SaasEnvironmentStage(app, config.stageName, { config });
  }
  return app;
}

/** The environments to synthesize: lib/config, or the JSON file named by PLATFORM_CONFIG_FILE. */
export function loadEnvironments(env: NodeJS.ProcessEnv = process.env): unknown {
  const file = env.PLATFORM_CONFIG_FILE;
  if (!file) return ENVIRONMENTS;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ConfigValidationError([
      { path: 'PLATFORM_CONFIG_FILE', message: `${JSON.stringify(file)} cannot be read; give the path of a JSON file` },
    ]);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const problem: ConfigProblem = { path: file, message: `is not valid JSON (${(e as Error).message})` };
    throw new ConfigValidationError([problem]);
  }
}

/** Run the app; returns the process exit code. Errors become one-line messages, never stack traces. */
export function main(env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = console.error): number {
  try {
    buildApp(loadEnvironments(env)).synth();
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    if (e instanceof ConfigValidationError) {
      log(`Configuration has ${e.problems.length} problem(s); nothing was synthesized:\n${formatProblems(e.problems)}`);
    } else {
      log(`Synthesis failed: ${(e as Error).message}`);
    }
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = main();
}
