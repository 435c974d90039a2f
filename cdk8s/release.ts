/**
 * The release step, pure parts: the release state of an environment (`release.json` in its GitOps
 * path), what the render writes there, the check that no rendered manifest holds a placeholder or a
 * tag instead of a digest, and the release gate (a CodeBuild project in the environment) as
 * commands and verdicts. `bin/release.ts` and `bin/rollback.ts` do the git, registry and AWS calls.
 */
import { App } from 'cdk8s';
import { apiHost } from '../lib/config/edge-names';
import {
  COMMIT_PATTERN,
  DELIVERY,
  DIGEST_PATTERN,
  DeliverySettings,
  EnvironmentRelease,
  RELEASE_FILE,
  ServiceRelease,
  deployRoleName,
} from '../lib/config/delivery';
import {
  GATE_ANCESTORS,
  GATE_REVISION_VARIABLE,
  GATE_VARIABLES,
  GateVariable,
  gateProjectName,
  gateTimeoutMinutes,
} from '../lib/config/release-gate';
import { ecrRegistryHost, serviceNamespace } from '../lib/config/naming';
import { SERVICE_CATALOG, ServiceCatalog, ServiceSpec, servicesFor } from '../lib/config/service-catalog';
import { EnvironmentConfig } from '../lib/config/types';
import { ADDONS } from './addons';
import { MICROSERVICE_DEFAULTS } from './constructs/microservice';
import { ANALYSIS_DEFAULTS } from './constructs/slo-analysis';
import { REQUIRED_POD_LABELS } from './conventions';
import { ManifestFile, buildCharts, documentsOf, manifestFiles } from './main';
import { renderCharts } from './render';
import { checkManifests } from './policies';
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
  const rendered = renderCharts(charts);
  const files = manifestFiles(charts, rendered);
  const problems = [
    ...checkManifests(documentsOf(charts, rendered), { registry, requiredLabels: REQUIRED_POD_LABELS }).map(
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

/** ARN of the environment's deploy role: the release assumes it to start the environment's gate and read its builds. */
export function deployRoleArn(config: EnvironmentConfig): string {
  return `arn:aws:iam::${config.account}:role/${deployRoleName(config.name)}`;
}

/** `aws sts assume-role` of the deploy role (its credentials run the gate commands). */
export function assumeDeployRoleCommand(config: EnvironmentConfig, sessionName: string): string[] {
  return ['aws', 'sts', 'assume-role', '--role-arn', deployRoleArn(config), '--role-session-name', sessionName, '--output', 'json'];
}

/**
 * The inputs of a gate build for one service: the service, where its workload is and which kind,
 * the GitOps commit and the commits before it (newest first), and the two waits.
 */
export function gateVariables(
  service: ServiceSpec,
  commit: string,
  before: readonly string[],
  settings: Pick<DeliverySettings, 'syncTimeoutSeconds'> = DELIVERY,
): Record<GateVariable, string> {
  const v = GATE_VARIABLES;
  return {
    [v.service]: service.name,
    [v.namespace]: serviceNamespace(service),
    [v.workload]: service.rollout.strategy === 'rolling' ? 'deployment' : 'rollout',
    [v.commit]: commit,
    [v.before]: before.slice(0, GATE_ANCESTORS).join(' '),
    [v.syncTimeout]: String(settings.syncTimeoutSeconds),
    [v.rolloutTimeout]: String(rolloutTimeoutSeconds(service)),
  } as Record<GateVariable, string>;
}

/** `aws codebuild start-build` of the environment's gate project for one service, limited to the time its waits may take. */
export function startGateCommand(
  config: EnvironmentConfig,
  service: ServiceSpec,
  commit: string,
  before: readonly string[],
  settings: Pick<DeliverySettings, 'syncTimeoutSeconds'> = DELIVERY,
): string[] {
  const variables = Object.entries(gateVariables(service, commit, before, settings)).map(([name, value]) => ({
    name,
    value,
    type: 'PLAINTEXT',
  }));
  return [
    'aws',
    'codebuild',
    'start-build',
    '--region',
    config.region,
    '--project-name',
    gateProjectName(config.name),
    '--timeout-in-minutes-override',
    String(gateTimeoutMinutes(settings.syncTimeoutSeconds, rolloutTimeoutSeconds(service))),
    '--environment-variables-override',
    JSON.stringify(variables),
    '--output',
    'json',
  ];
}

/** `aws codebuild batch-get-builds` of one gate build. */
export function gateBuildCommand(config: EnvironmentConfig, buildId: string): string[] {
  return ['aws', 'codebuild', 'batch-get-builds', '--region', config.region, '--ids', buildId, '--output', 'json'];
}

/** What a gate build says: still running, passed at a GitOps revision, or failed (with why and where its log is). */
export type GateBuildVerdict =
  | { readonly verdict: 'running' }
  | { readonly verdict: 'passed'; readonly revision: string }
  | { readonly verdict: 'failed'; readonly reason: string };

/** A build as `batch-get-builds` returns it (the fields the release reads). */
interface GateBuild {
  readonly id?: string;
  readonly buildStatus?: string;
  readonly exportedEnvironmentVariables?: readonly { readonly name?: string; readonly value?: string }[];
  readonly phases?: readonly {
    readonly phaseType?: string;
    readonly phaseStatus?: string;
    readonly contexts?: readonly { readonly message?: string }[];
  }[];
  readonly logs?: { readonly deepLink?: string };
}

/** The verdict on `batch-get-builds` output of one gate build. */
export function gateBuildVerdict(output: { builds?: readonly GateBuild[] }): GateBuildVerdict {
  const build = output.builds?.[0];
  if (!build?.buildStatus || build.buildStatus === 'IN_PROGRESS') return { verdict: 'running' };
  const revision = build.exportedEnvironmentVariables?.find((e) => e.name === GATE_REVISION_VARIABLE)?.value ?? '';
  if (build.buildStatus === 'SUCCEEDED' && revision) return { verdict: 'passed', revision };
  const phase = build.phases?.find((p) => p.phaseStatus && !['SUCCEEDED', 'IN_PROGRESS'].includes(p.phaseStatus));
  const message = phase?.contexts?.map((c) => c.message).find(Boolean);
  const why =
    build.buildStatus === 'SUCCEEDED'
      ? `exported no ${GATE_REVISION_VARIABLE}`
      : `${build.buildStatus}${phase ? ` in ${phase.phaseType}` : ''}`;
  return {
    verdict: 'failed',
    reason: `release gate ${build.id ?? '(unknown build)'} ${why}${message ? `: ${message}` : ''}; its log says why: ${build.logs?.deepLink ?? 'no log'}`,
  };
}

/** The URL the smoke test calls through CloudFront (the service's readiness under its public prefix), if it is public. */
export function smokeUrl(config: EnvironmentConfig, service: ServiceSpec): string | undefined {
  return service.ingress ? `https://${apiHost(config)}${service.ingress.pathPrefix}${service.health.readinessPath}` : undefined;
}
