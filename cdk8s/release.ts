/**
 * The release step, pure parts: the release state of an environment (`release.json` in its GitOps
 * path), what the render writes there, the check that no rendered manifest holds a placeholder or a
 * tag instead of a digest, and the health gates as commands. `bin/release.ts` and `bin/rollback.ts`
 * do the git, registry and cluster calls.
 */
import { App } from 'cdk8s';
import { apiHost } from '../lib/config/edge-names';
import { COMMIT_PATTERN, DIGEST_PATTERN, EnvironmentRelease, RELEASE_FILE, ServiceRelease, deployRoleName } from '../lib/config/delivery';
import { clusterName, ecrRegistryHost, serviceNamespace } from '../lib/config/naming';
import { SERVICE_CATALOG, ServiceCatalog, ServiceSpec, servicesFor } from '../lib/config/service-catalog';
import { EnvironmentConfig } from '../lib/config/types';
import { ADDONS } from './addons';
import { MICROSERVICE_DEFAULTS } from './constructs/microservice';
import { ANALYSIS_DEFAULTS } from './constructs/slo-analysis';
import { REQUIRED_POD_LABELS } from './conventions';
import { ManifestFile, buildCharts, documentsOf, manifestFiles } from './main';
import { KubeDocument, checkManifests } from './policies';
import { containersOf, docPath, podTemplateOf } from './policies/facts';

/** The state of an environment nothing was released to yet. */
export const EMPTY_RELEASE: EnvironmentRelease = { services: {} };

/**
 * The problems of a release state read from a file, one line each, naming the field; services that
 * left the catalog are not problems (the render drops them, and Argo CD prunes their Application).
 */
export function releaseProblems(state: unknown, services: readonly ServiceSpec[]): string[] {
  const problems: string[] = [];
  const entries = (state as { services?: unknown } | null)?.services;
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) {
    return [`${RELEASE_FILE}: has no "services" object; expected {"services": {"<service>": {"commit", "image", "migrations"?}}}`];
  }
  for (const [name, entry] of Object.entries(entries as Record<string, Partial<ServiceRelease>>)) {
    const at = `${RELEASE_FILE} services.${name}`;
    const service = services.find((s) => s.name === name);
    if (!COMMIT_PATTERN.test(String(entry?.commit)))
      problems.push(`${at}.commit: ${JSON.stringify(entry?.commit)} is not a commit; use 40 hex digits`);
    if (!DIGEST_PATTERN.test(String(entry?.image)))
      problems.push(`${at}.image: ${JSON.stringify(entry?.image)} is not a digest; use sha256: and 64 hex digits`);
    if (service?.database && !DIGEST_PATTERN.test(String(entry?.migrations))) {
      problems.push(
        `${at}.migrations: ${JSON.stringify(entry?.migrations)} is not a digest; ${name} uses the database, its migrations image is released with it`,
      );
    }
  }
  return problems;
}

/** `state` with one service's entry set (or removed, with `undefined`), the others untouched. */
export function withService(state: EnvironmentRelease, serviceName: string, entry: ServiceRelease | undefined): EnvironmentRelease {
  const services = { ...state.services };
  if (entry) services[serviceName] = entry;
  else delete services[serviceName];
  return { services: Object.fromEntries(Object.entries(services).sort(([a], [b]) => a.localeCompare(b))) };
}

/** The release file as written: stable key order, one service per line block, a newline at the end. */
export function releaseFileContent(state: EnvironmentRelease): string {
  return `${JSON.stringify(withService(state, '', undefined), null, 2)}\n`;
}

/** Text that marks a value nobody filled in, in any rendered string. */
const PLACEHOLDERS: readonly RegExp[] = [/\$\{Token\[/, /<[a-z][a-z0-9 _-]*>/i, /\bTODO\b/, /\bPLACEHOLDER\b/i, /\bCHANGE[_-]?ME\b/i];

/**
 * Why rendered manifests may not be committed: an image that is not `<registry>/<repo>@sha256:...`
 * (a tag could move; Kyverno would rewrite it to a digest in the pod and Argo CD would see drift), or
 * a string that is a placeholder. Empty when the manifests are fit for the GitOps repository.
 */
export function renderProblems(files: readonly ManifestFile[], registry: string): string[] {
  const problems: string[] = [];
  for (const file of files) {
    for (const doc of file.documents) {
      const template = podTemplateOf(doc);
      for (const { container } of template ? containersOf(template.spec) : []) {
        const image = String(container.image);
        const [repo, digest] = image.slice(registry.length + 1).split('@');
        if (!image.startsWith(`${registry}/`) || !DIGEST_PATTERN.test(digest ?? '') || repo.includes(':')) {
          problems.push(`${file.path} ${docPath(doc)}: image ${image} is not pinned by digest (${registry}/<repository>@sha256:...)`);
        }
      }
      for (const text of strings(doc)) {
        const found = PLACEHOLDERS.find((p) => p.test(text));
        if (found) problems.push(`${file.path} ${docPath(doc)}: ${JSON.stringify(text.slice(0, 80))} holds a placeholder`);
      }
    }
  }
  return problems;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
  return [];
}

/** Thrown when a release cannot be rendered; every problem is listed. */
export class ReleaseError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ReleaseError';
  }
}

/**
 * The files of an environment's GitOps path for a release state: the root Application's files and
 * one directory per released service, every image pinned by digest, checked by the platform's rules
 * and by `renderProblems`. Throws `ReleaseError` listing every problem; writes nothing.
 */
export function renderRelease(
  config: EnvironmentConfig,
  state: EnvironmentRelease,
  catalog: ServiceCatalog = SERVICE_CATALOG,
): ManifestFile[] {
  const services = servicesFor(config, catalog);
  const stateProblems = releaseProblems(state, services);
  if (stateProblems.length > 0) throw new ReleaseError(stateProblems);
  const charts = buildCharts(new App(), config, { catalog, addons: ADDONS, release: state });
  const registry = ecrRegistryHost(config.region);
  const files = manifestFiles(charts);
  const problems = [
    ...checkManifests(documentsOf(charts), { registry, requiredLabels: REQUIRED_POD_LABELS }).map(
      (f) => `${f.path}: [${f.rule}] ${f.message}`,
    ),
    ...renderProblems(files, registry),
  ];
  if (problems.length > 0) throw new ReleaseError(problems);
  return files;
}

/**
 * Longest time a service's rollout may take once its pods are updated, in seconds: the progress
 * deadline (pods starting), plus every pause and analysis of its strategy (derived from the catalog
 * entry, as the Rollout is), so that a slow canary is not mistaken for a failed one.
 */
export function rolloutTimeoutSeconds(service: ServiceSpec): number {
  const analysis = { ...ANALYSIS_DEFAULTS, ...service.rollout.analysis };
  const oneAnalysis = analysis.count * analysis.intervalSeconds;
  const r = service.rollout;
  const strategy =
    r.strategy === 'canary'
      ? r.steps.reduce((sum, step) => sum + (step.pauseSeconds ?? 0) + (step.analysis ? oneAnalysis : 0), 0)
      : r.strategy === 'blueGreen'
        ? 2 * oneAnalysis
        : 0;
  return MICROSERVICE_DEFAULTS.progressDeadlineSeconds + strategy;
}

/** The kubectl context the gates use: the cluster's, through the environment's deploy role. */
export function gateContext(config: EnvironmentConfig): string {
  return `${clusterName(config.name)}-release`;
}

/** `aws eks update-kubeconfig` for the gates: a context that authenticates as the environment's deploy role. */
export function kubeconfigCommand(config: EnvironmentConfig): string[] {
  return [
    'aws',
    'eks',
    'update-kubeconfig',
    '--name',
    clusterName(config.name),
    '--region',
    config.region,
    '--role-arn',
    `arn:aws:iam::${config.account}:role/${deployRoleName(config.name)}`,
    '--alias',
    gateContext(config),
  ];
}

/** Reads the service's Argo CD Application (its sync and health status). */
export function applicationCommand(config: EnvironmentConfig, serviceName: string, argoCdNamespace = 'argocd'): string[] {
  return [
    'kubectl',
    '--context',
    gateContext(config),
    '--namespace',
    argoCdNamespace,
    'get',
    'application',
    serviceName,
    '--output',
    'json',
  ];
}

/** Waits for the service's rollout to complete: Argo Rollouts' status for a Rollout, kubectl's for a Deployment. */
export function rolloutStatusCommand(config: EnvironmentConfig, service: ServiceSpec): string[] {
  const base = ['kubectl', '--context', gateContext(config), '--namespace', serviceNamespace(service)];
  const timeout = `${rolloutTimeoutSeconds(service)}s`;
  return service.rollout.strategy === 'rolling'
    ? [...base, 'rollout', 'status', `deployment/${service.name}`, '--timeout', timeout]
    : [...base, 'argo', 'rollouts', 'status', service.name, '--timeout', timeout];
}

/** The URL the smoke test calls through CloudFront (the service's readiness under its public prefix), if it is public. */
export function smokeUrl(config: EnvironmentConfig, service: ServiceSpec): string | undefined {
  return service.ingress ? `https://${apiHost(config)}${service.ingress.pathPrefix}${service.health.readinessPath}` : undefined;
}

/** What Argo CD says about an Application at a revision. */
export type ApplicationVerdict = 'healthy' | 'waiting' | 'failed';

/**
 * The gate on an Application (`kubectl get application -o json`): `healthy` when it is Synced and
 * Healthy at `revision` (or a later one, which `isAtOrAfter` decides), `failed` when the sync of that
 * revision failed (a PreSync migration, an invalid manifest) or the app is Degraded there, else `waiting`.
 */
export function applicationVerdict(
  app: KubeDocument,
  isAtOrAfter: (revision: string) => boolean,
): { verdict: ApplicationVerdict; reason: string } {
  const status = app.status ?? {};
  const syncedRevision = String(status.sync?.revision ?? '');
  const operation = status.operationState ?? {};
  const operationRevision = String(operation.syncResult?.revision ?? operation.operation?.sync?.revision ?? '');
  if (['Failed', 'Error'].includes(operation.phase) && operationRevision && isAtOrAfter(operationRevision)) {
    return {
      verdict: 'failed',
      reason: `sync of ${operationRevision} ${String(operation.phase).toLowerCase()}: ${operation.message ?? 'no message'}`,
    };
  }
  if (!syncedRevision || !isAtOrAfter(syncedRevision))
    return { verdict: 'waiting', reason: `synced at ${syncedRevision || 'nothing yet'}` };
  const health = status.health?.status;
  if (health === 'Degraded')
    return { verdict: 'failed', reason: `Degraded at ${syncedRevision}: ${status.health?.message ?? 'no message'}` };
  if (status.sync?.status === 'Synced' && health === 'Healthy')
    return { verdict: 'healthy', reason: `Synced and Healthy at ${syncedRevision}` };
  return { verdict: 'waiting', reason: `${status.sync?.status ?? 'Unknown'} and ${health ?? 'Unknown'} at ${syncedRevision}` };
}
