#!/usr/bin/env node
/**
 * Entry point of `cdk8s synth` (see cdk8s.yaml): validates the environments and the service
 * catalog, then writes `dist/<env>/*.k8s.yaml` for every environment. Bad configuration, or a
 * manifest that breaks a platform rule, prints every problem, one per line, and writes nothing.
 */
import { ManifestPolicyError, synthManifests } from '../cdk8s/main';
import { unsupportedNode } from './node-version';
import { SERVICE_CATALOG, ServiceCatalogSource, normalizeCatalog } from '../lib/config/service-catalog';
import { EnvironmentConfig } from '../lib/config/types';
import { ConfigValidationError, formatProblems } from '../lib/config/validate';
import { configProblems, loadEnvironments } from './config-input';

export { configProblems } from './config-input';

/** Run the manifest synthesis; returns the process exit code. */
export function main(
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = console.error,
  catalog: unknown = SERVICE_CATALOG,
): number {
  const node = unsupportedNode();
  if (node) {
    log(node);
    return 1;
  }
  try {
    const environments = loadEnvironments(env);
    const problems = configProblems(environments, catalog);
    if (problems.length > 0) throw new ConfigValidationError(problems);
    synthManifests(environments as EnvironmentConfig[], env.CDK8S_OUTDIR ?? 'dist', {
      catalog: normalizeCatalog(catalog as ServiceCatalogSource),
    });
    return 0;
  } catch (e) {
    if (e instanceof ConfigValidationError) {
      log(`Configuration has ${e.problems.length} problem(s); no manifests were written:\n${formatProblems(e.problems)}`);
    } else if (e instanceof ManifestPolicyError) {
      log(`Manifests break ${e.findings.length} platform rule(s); no manifests were written:\n${e.message}`);
    } else {
      log(`Manifest synthesis failed: ${(e as Error).message}`);
    }
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = main();
}
