/**
 * Kubernetes manifests for every environment, from the same config as the CDK app:
 * `dist/<env>/<chart>.k8s.yaml`. The entry point that reads the environment is `bin/manifests.ts`.
 */
import * as path from 'path';
import { App, YamlOutputType } from 'cdk8s';
import { EnvironmentConfig } from '../lib/config/types';
import { PlatformChart } from './charts/platform-chart';

/** Build the charts of one environment into `app` (no files are written until `app.synth()`). */
export function buildCharts(app: App, config: EnvironmentConfig): void {
  new PlatformChart(app, 'platform', { config });
}

/** Synthesize every environment into `<outdir>/<env.name>/`; returns the directories written. */
export function synthManifests(environments: readonly EnvironmentConfig[], outdir: string): string[] {
  return environments.map((config) => {
    const envDir = path.join(outdir, config.name);
    const app = new App({ outdir: envDir, outputFileExtension: '.k8s.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });
    buildCharts(app, config);
    app.synth();
    return envDir;
  });
}
