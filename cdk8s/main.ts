/**
 * Kubernetes manifests for every environment, from the same config as the CDK app:
 * `dist/<env>/NNNN-<chart>.k8s.yaml`, numbered in apply order. The entry point that reads the
 * environment is `bin/manifests.ts`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Yaml } from 'cdk8s';
import { EnvironmentRelease, SERVICES_DIRECTORY } from '../lib/config/delivery';
import { ecrRegistryHost, serviceNamespace } from '../lib/config/naming';
import { SERVICE_CATALOG, ServiceCatalog, ServiceSpec, servicesFor } from '../lib/config/service-catalog';
import { EnvironmentConfig } from '../lib/config/types';
import { ADDONS, Addon } from './addons';
import { AddonsChart } from './charts/addons-chart';
import { ClusterConfigChart } from './charts/cluster-config-chart';
import { MonitoringChart } from './charts/monitoring-chart';
import { PlatformChart } from './charts/platform-chart';
import { ServiceChart, isServiceChart } from './charts/service-chart';
import { ServicesChart } from './charts/services-chart';
import { PeerService } from './constructs/microservice';
import { inSyncWave, REQUIRED_POD_LABELS, SYNC_WAVES } from './conventions';
import { KubeDocument, ManifestFinding, checkManifests } from './policies';
import { renderCharts } from './render';

/** What the charts are built from besides the environment. */
export interface ManifestInputs {
  /** The service catalog (validated). @default SERVICE_CATALOG */
  readonly catalog?: ServiceCatalog;
  /** The add-ons. @default ADDONS */
  readonly addons?: readonly Addon[];
  /**
   * What the release step deployed (`release.json` of the environment's GitOps path): only the
   * released services are rendered, their images pinned by digest. @default - every catalog service
   * at its catalog tag (a local preview: `npm run synth:manifests`)
   */
  readonly release?: EnvironmentRelease;
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
 * apply order: platform (namespaces, quotas, default deny, priority classes, storage class), add-ons
 * (Argo CD Applications), cluster-config (CRs of the add-ons: secret store, admission policies, node
 * pools), monitoring (Prometheus, Alertmanager, rules, dashboards), then one chart per service. The order is also each object's sync wave in the root
 * Application (`SYNC_WAVES`), which is how Argo CD applies it on a fresh cluster.
 */
export function buildCharts(app: App, config: EnvironmentConfig, inputs: ManifestInputs = {}): Chart[] {
  const catalog = inputs.catalog ?? SERVICE_CATALOG;
  const addons = inputs.addons ?? ADDONS;
  const services = servicesFor(config, catalog);
  const released = inputs.release ? services.filter((s) => inputs.release!.services[s.name]) : services;
  const platform = new PlatformChart(app, 'platform', { config, services, addons });
  const addonsChart = new AddonsChart(app, 'addons', { config, addons });
  addonsChart.addDependency(platform);
  const clusterConfig = new ClusterConfigChart(app, 'cluster-config', { config, services });
  clusterConfig.addDependency(addonsChart);
  const monitoring = new MonitoringChart(app, 'monitoring', { config, services });
  monitoring.addDependency(clusterConfig);
  const servicesChart = new ServicesChart(app, 'services', {
    config,
    argoCdNamespace: addons.find((a) => a.name === 'argo-cd')?.namespace ?? 'argocd',
  });
  servicesChart.addDependency(monitoring);
  const serviceCharts = released.map((service) => {
    const chart = new ServiceChart(app, service.name, {
      config,
      service,
      secrets: catalog.secrets,
      callers: services.filter((other) => (other.calls ?? []).includes(service.name)).map(peer),
      callees: services.filter((other) => (service.calls ?? []).includes(other.name)).map(peer),
      release: inputs.release?.services[service.name],
      settingsScope: servicesChart.settingsScope(service.name),
    });
    chart.addDependency(servicesChart);
    return chart;
  });
  servicesChart.addApplications(serviceCharts.map((chart, i) => ({ service: released[i], chart })));
  // The add-ons chart and the services chart set their own waves.
  inSyncWave(platform, SYNC_WAVES.platform);
  inSyncWave(clusterConfig, SYNC_WAVES.clusterConfig, { skipDryRunOnMissingResource: true });
  inSyncWave(monitoring, SYNC_WAVES.monitoring, { skipDryRunOnMissingResource: true });
  for (const chart of serviceCharts) inSyncWave(chart, SYNC_WAVES.services, { skipDryRunOnMissingResource: true });
  return [platform, addonsChart, clusterConfig, monitoring, servicesChart, ...serviceCharts];
}

/** One file of an environment's manifests, relative to its directory (`dist/<env>/`, or its GitOps path). */
export interface ManifestFile {
  /** e.g. `0000-platform.k8s.yaml`, `services/web-api/web-api.k8s.yaml`. */
  readonly path: string;
  /** The documents, in order. */
  readonly documents: readonly KubeDocument[];
}

/**
 * The files of an environment: the root Application's files, numbered in apply order
 * (`0000-platform`, `0001-addons`, `0002-cluster-config`, `0003-monitoring`, `0004-services`), and one directory per
 * service, the source of that service's own Application (`services/<name>/<name>.k8s.yaml`).
 */
export function manifestFiles(charts: readonly Chart[], rendered = renderCharts(charts)): ManifestFile[] {
  const root = charts.filter((c) => !isServiceChart(c));
  return [
    ...root.map((chart, i) => ({ path: `${String(i).padStart(4, '0')}-${chart.node.id}.k8s.yaml`, documents: rendered.get(chart)! })),
    ...charts
      .filter(isServiceChart)
      .map((chart) => ({ path: `${SERVICES_DIRECTORY}/${chart.node.id}/${chart.node.id}.k8s.yaml`, documents: rendered.get(chart)! })),
  ];
}

/** Write an environment's files into `dir`, first removing every manifest an earlier run left (a removed service). */
export function writeManifestFiles(dir: string, files: readonly ManifestFile[]): void {
  if (fs.existsSync(dir)) {
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.k8s.yaml'))) fs.rmSync(path.join(dir, file));
    fs.rmSync(path.join(dir, SERVICES_DIRECTORY), { recursive: true, force: true });
  }
  for (const file of files) {
    const target = path.join(dir, file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, Yaml.stringify(...file.documents));
  }
}

/** Every document of the charts, as written (`rendered`: the charts' documents if already rendered). */
export function documentsOf(charts: readonly Chart[], rendered = renderCharts(charts)): KubeDocument[] {
  return charts.flatMap((chart) => rendered.get(chart)!);
}

/**
 * Synthesize every environment into `<outdir>/<env.name>/`; returns the directories written.
 * Every document of every environment is checked against the platform's rules first: on a
 * finding, a `ManifestPolicyError` lists them all and nothing is written. Manifests left from an
 * earlier run (a removed service) are deleted, so the directory holds exactly what to apply.
 */
export function synthManifests(environments: readonly EnvironmentConfig[], outdir: string, inputs: ManifestInputs = {}): string[] {
  const rendered = environments.map((config) => {
    const charts = buildCharts(new App(), config, inputs);
    // Each chart is rendered once, for the checks and the files alike (see ./render.ts).
    return { config, dir: path.join(outdir, config.name), charts, documents: renderCharts(charts) };
  });
  const findings = rendered.flatMap(({ config, charts, documents }) =>
    checkManifests(documentsOf(charts, documents), { registry: ecrRegistryHost(config.region), requiredLabels: REQUIRED_POD_LABELS }).map(
      (f) => ({ ...f, environment: config.name }),
    ),
  );
  if (findings.length > 0) throw new ManifestPolicyError(findings);
  for (const { dir, charts, documents } of rendered) writeManifestFiles(dir, manifestFiles(charts, documents));
  return rendered.map((r) => r.dir);
}
