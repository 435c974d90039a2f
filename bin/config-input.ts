/**
 * The configuration both entry points (`bin/app.ts`, `bin/manifests.ts`) read, and its validation.
 * Kept free of aws-cdk-lib and cdk8s so that either entry point loads only what it needs.
 *
 *   PLATFORM_CONFIG_FILE=my.json   environments from a JSON file instead of lib/config
 */
import * as fs from 'fs';
import { ENVIRONMENTS } from '../lib/config/environments';
import { PLATFORM } from '../lib/config/platform';
import { TEAM } from '../lib/config/team';
import { ConfigProblem, ConfigValidationError, validateEnvironments } from '../lib/config/validate';
import { DELIVERY } from '../lib/config/delivery';
import { validateBackup } from '../lib/config/validate-backup';
import { validateDelivery } from '../lib/config/validate-delivery';
import { validateEdge } from '../lib/config/validate-edge';
import { validatePipeline } from '../lib/config/validate-pipeline';
import { validateObservability } from '../lib/config/validate-observability';
import { ServiceEnvironment, validateServices } from '../lib/config/validate-services';
import { validateIdentityCenter, validateTeam } from '../lib/config/validate-team';

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
    throw new ConfigValidationError([{ path: file, message: `is not valid JSON (${(e as Error).message})` }]);
  }
}

const isServiceEnvironment = (e: unknown): e is ServiceEnvironment => {
  const env = e as Partial<ServiceEnvironment> | null;
  return (
    typeof env === 'object' &&
    env !== null &&
    typeof env.name === 'string' &&
    typeof env.tier === 'string' &&
    Array.isArray(env.kubernetes?.workloadNamespaces)
  );
};

/**
 * Every problem of the environments, of the service catalog and of the team roster against them,
 * of the pipeline settings and of the Identity Center settings, in one list.
 */
export function configProblems(
  environments: unknown,
  catalog: unknown,
  pipeline: unknown = PLATFORM.pipeline,
  team: unknown = TEAM,
  platform: unknown = PLATFORM,
): ConfigProblem[] {
  const usable = Array.isArray(environments) ? environments.filter(isServiceEnvironment) : [];
  // A config file may hold fewer environments than lib/config: the others' overrides are not errors.
  const otherEnvironmentNames = ENVIRONMENTS.map((e) => e.name);
  return [
    ...validateEnvironments(environments),
    ...validateServices(catalog, usable, { otherEnvironmentNames }),
    ...validateEdge(environments, catalog),
    ...validatePipeline(pipeline, PLATFORM.accounts.tooling),
    ...validateDelivery(DELIVERY),
    ...validateObservability(environments, catalog),
    ...validateBackup(environments),
    ...validateTeam(team, usable, { otherEnvironmentNames }),
    ...validateIdentityCenter(platform),
  ];
}
