/**
 * Kubernetes manifests for every environment, from the same config as the CDK app:
 * `dist/<env>/NNNN-<chart>.k8s.yaml`, numbered in apply order. The entry point that reads the
 * environment is `bin/manifests.ts`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, YamlOutputType } from 'cdk8s';
import { ecrRegistryHost, serviceNamespace } from '../lib/config/naming';
import { SERVICE_CATALOG, ServiceCatalog, ServiceSpec, servicesFor } from '../lib/config/service-catalog';
import { EnvironmentConfig } from '../lib/config/types';
import { ADDONS, Addon } from './addons';
import { AddonsChart } from './charts/addons-chart';
import { ClusterConfigChart } from './charts/cluster-config-chart';
import { PlatformChart } from './charts/platform-chart';
import { ServiceChart } from './charts/service-chart';
import { PeerService } from './constructs/microservice';
import { inSyncWave, REQUIRED_POD_LABELS, SYNC_WAVES } from './conventions';
import { KubeDocument, ManifestFinding, checkManifests } from './policies';

/** What the charts are built from besides the environment. */
export interface ManifestInputs {
  /** The service catalog (validated). @default SERVICE_CATALOG */
  readonly catalog?: ServiceCatalog;
  /** The add-ons. @default ADDONS */
  readonly addons?: readonly Addon[];
}

/** Thrown when a synthesized document breaks a platform rule; nothing has been written. */
export class ManifestPolicyError extends Error {
  constructor(public readonly findings: readonly (ManifestFinding & { readonly environment: string })[]) {
    super(findings.map((f) => `${f.environment}/${f.path}: [${f.rule}] ${f.message}`).join('\n'));
    this.name = 'ManifestPolicyError';
  }
}

const peer = (s: ServiceSpec): PeerService => ({ name: s.name, namespace: serviceNamespace(s), port: s.port });

/**
 * Build the charts of one environment into `app` (no files are written until `app.synth()`), in
 * apply order: platform (namespaces, quotas, default deny, priority classes), add-ons (Argo CD
 * Applications), cluster-config (CRs of the add-ons: secret store, admission policies, node
 * pools), then one chart per service. The order is also each object's sync wave in the root
 * Application (`SYNC_WAVES`), which is how Argo CD applies it on a fresh cluster.
 */
export function buildCharts(app: App, config: EnvironmentConfig, inputs: ManifestInputs = {}): Chart[] {
  const catalog = inputs.catalog ?? SERVICE_CATALOG;
  const addons = inputs.addons ?? ADDONS;
  const services = servicesFor(config.name, catalog);
  const platform = new PlatformChart(app, 'platform', { config, services, addons });
  const addonsChart = new AddonsChart(app, 'addons', { config, addons });
  addonsChart.addDependency(platform);
  const clusterConfig = new ClusterConfigChart(app, 'cluster-config', { config, services });
  clusterConfig.addDependency(addonsChart);
  const serviceCharts = services.map((service) => {
    const chart = new ServiceChart(app, service.name, {
      config,
      service,
      secrets: catalog.secrets,
      callers: services.filter((other) => (other.calls ?? []).includes(service.name)).map(peer),
      callees: services.filter((other) => (service.calls ?? []).includes(other.name)).map(peer),
    });
    chart.addDependency(clusterConfig);
    return chart;
  });
  // The add-ons chart sets its own waves (SYNC_WAVES.addons + each add-on's wave).
  inSyncWave(platform, SYNC_WAVES.platform);
  inSyncWave(clusterConfig, SYNC_WAVES.clusterConfig, { skipDryRunOnMissingResource: true });
  for (const chart of serviceCharts) inSyncWave(chart, SYNC_WAVES.services, { skipDryRunOnMissingResource: true });
  return [platform, addonsChart, clusterConfig, ...serviceCharts];
}

/** Every document of the charts, as written. */
export function documentsOf(charts: readonly Chart[]): KubeDocument[] {
  return charts.flatMap((chart) => chart.toJson());
}

/**
 * Synthesize every environment into `<outdir>/<env.name>/`; returns the directories written.
 * Every document of every environment is checked against the platform's rules first: on a
 * finding, a `ManifestPolicyError` lists them all and nothing is written. Manifests left from an
 * earlier run (a removed service) are deleted, so the directory holds exactly what to apply.
 */
export function synthManifests(environments: readonly EnvironmentConfig[], outdir: string, inputs: ManifestInputs = {}): string[] {
  const apps = environments.map((config) => {
    const dir = path.join(outdir, config.name);
    const app = new App({ outdir: dir, outputFileExtension: '.k8s.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });
    const charts = buildCharts(app, config, inputs);
    return { config, dir, app, charts };
  });
  const findings = apps.flatMap(({ config, charts }) =>
    checkManifests(documentsOf(charts), { registry: ecrRegistryHost(config.region), requiredLabels: REQUIRED_POD_LABELS }).map((f) => ({
      ...f,
      environment: config.name,
    })),
  );
  if (findings.length > 0) throw new ManifestPolicyError(findings);
  for (const { dir, app } of apps) {
    if (fs.existsSync(dir)) {
      for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.k8s.yaml'))) fs.rmSync(path.join(dir, file));
    }
    app.synth();
  }
  return apps.map((a) => a.dir);
}
