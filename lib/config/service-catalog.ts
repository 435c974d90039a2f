import { ENVIRONMENTS } from './environments';
import { PlatformResourceName } from './platform-resources';
import { EnvironmentTier } from './types';

/**
 * The service catalog: every microservice the platform runs, as typed data.
 *
 * Adding a service is one entry in `SERVICE_ENTRIES`, its new secrets declared in the same entry;
 * the `Microservice` construct (cdk8s) turns it into a Deployment or Argo Rollout with probes,
 * limits, Pod Security "restricted", Service, ServiceAccount, HPA, PDB, NetworkPolicy,
 * ExternalSecret and, for canaries, an SLO-driven AnalysisTemplate. Differences by tier or by
 * environment (replicas, resources, image tag) are data in `SERVICE_OVERRIDES`. Everything here is
 * checked by `validateServices` before any chart is built.
 */

/** How a new version replaces the old one. */
export type RolloutStrategyName = 'rolling' | 'canary' | 'blueGreen';

/** The strategies, for validation and docs. */
export const ROLLOUT_STRATEGIES: readonly RolloutStrategyName[] = ['rolling', 'canary', 'blueGreen'];

/** Scheduling priority of a service's pods; maps to a PriorityClass of the platform chart. */
export type ServicePriority = 'critical' | 'standard' | 'background';

/** The priorities, for validation and docs. */
export const SERVICE_PRIORITIES: readonly ServicePriority[] = ['critical', 'standard', 'background'];

/** A secret held in AWS Secrets Manager that services may read (never its value: only its name and shape). */
export interface SecretSpec {
  /** What the secret holds, for humans. */
  readonly description: string;
  /**
   * JSON properties of the secret; each becomes one environment variable `<SECRET>_<PROPERTY>`.
   * @default - the whole secret value becomes one variable `<SECRET>`
   */
  readonly properties?: readonly string[];
  /**
   * The platform makes and rotates the value: `signingKeyPair` is an asymmetric key pair for
   * signing tokens (JSON `{ current, previous }`: the previous public key keeps verifying tokens
   * during the overlap; the public keys are published as a JWKS), rotated on the environment's
   * `secrets.signingKeyRotation` schedule. Such a secret has no `properties`.
   * @default - the owners set the value with put-secret-value (a third party's API key)
   */
  readonly rotation?: SecretRotation;
}

/** How the platform rotates a secret. */
export type SecretRotation = 'signingKeyPair';

/** The rotations, for validation and docs. */
export const SECRET_ROTATIONS: readonly SecretRotation[] = ['signingKeyPair'];

/** Container image of a service, in the platform's ECR registry (tooling account). */
export interface ImageSpec {
  /** ECR repository name, e.g. `web-api`. */
  readonly repository: string;
  /** Immutable release tag, e.g. `1.4.2`; never `latest`. Environments may pin another with `SERVICE_OVERRIDES`. */
  readonly tag: string;
}

/** Health endpoints the kubelet probes. */
export interface HealthSpec {
  /** Ready to take traffic (checks dependencies the request path needs). */
  readonly readinessPath: string;
  /** Alive (checks only the process itself; a failing dependency must not restart every pod). */
  readonly livenessPath: string;
  /** Finished starting. @default - the liveness path */
  readonly startupPath?: string;
  /** Longest time the service may take to start before it is restarted, in seconds (10..600). @default 60 */
  readonly startupTimeoutSeconds?: number;
}

/** CPU and memory of one pod's container. */
export interface ResourcesSpec {
  /** CPU request in millicores (scheduling and HPA CPU utilization are relative to it). */
  readonly cpuMillis: number;
  /** Memory request in MiB. */
  readonly memoryMiB: number;
  /** CPU limit in millicores, at least the request. @default - twice the request */
  readonly cpuLimitMillis?: number;
  /** Memory limit in MiB, at least the request. @default - the request (no overcommit, no surprise OOM kills) */
  readonly memoryLimitMiB?: number;
}

/** Horizontal scaling bounds and targets (an HPA manages the replica count). */
export interface ScalingSpec {
  /** Fewest pods (1..100); at least 2 outside development, so a drained node leaves one serving. */
  readonly minReplicas: number;
  /** Most pods (minReplicas..100). */
  readonly maxReplicas: number;
  /** Average CPU utilization the HPA aims at, percent of the request (10..95). @default 70 */
  readonly targetCpuPercent?: number;
  /** Average memory utilization the HPA aims at, percent of the request (10..95). @default 80 */
  readonly targetMemoryPercent?: number;
  /** How long load must stay low before the HPA removes pods, in seconds (0..3600). @default 300 */
  readonly scaleDownStabilizationSeconds?: number;
}

/** One step of a canary: send this share of traffic to the new version, optionally check the SLO and wait. */
export interface CanaryStep {
  /** Share of traffic sent to the new version, percent (1..100); strictly increasing, the last one 100. */
  readonly weightPercent: number;
  /** Run the SLO analysis at this step and go on only if it passes. @default false */
  readonly analysis?: boolean;
  /** Wait this long at this step, in seconds (0..86400). @default 0 */
  readonly pauseSeconds?: number;
}

/** How the SLO analysis measures a new version. */
export interface AnalysisSpec {
  /** Seconds between two measurements (30..600). @default 60 */
  readonly intervalSeconds?: number;
  /** Measurements taken by an analysis step (1..60). @default 5 */
  readonly count?: number;
  /** Failed measurements tolerated before the rollout aborts and rolls back (0..10). @default 1 */
  readonly failureLimit?: number;
}

/** Fields every strategy has. */
interface RolloutBase {
  /** Extra pods allowed during an update, percent of the desired count (1..100); pods are never taken away first (maxUnavailable 0). @default 25 */
  readonly maxSurgePercent?: number;
  /** How the SLO analysis measures a new version (canary and blueGreen). @default - see `AnalysisSpec` */
  readonly analysis?: AnalysisSpec;
}

/** A Kubernetes Deployment rolling update. */
export interface RollingRollout extends RolloutBase {
  readonly strategy: 'rolling';
}

/** An Argo Rollouts canary, traffic split at the ALB, aborted and rolled back when the SLO analysis fails. */
export interface CanaryRollout extends RolloutBase {
  readonly strategy: 'canary';
  /** The steps, e.g. 10% (analysis) → 25% → 50% → 100%. */
  readonly steps: readonly CanaryStep[];
}

/** An Argo Rollouts blue/green: the new version runs behind a preview Service and is promoted after the SLO analysis passes. */
export interface BlueGreenRollout extends RolloutBase {
  readonly strategy: 'blueGreen';
  /** How long the old version keeps running after promotion, in seconds (0..3600), for a fast switch back. @default 300 */
  readonly scaleDownDelaySeconds?: number;
}

/** How a new version replaces the old one. */
export type RolloutSpec = RollingRollout | CanaryRollout | BlueGreenRollout;

/** The service's objective; canary and blue/green analysis queries are derived from it. */
export interface SloSpec {
  /** Share of requests that succeed (not 5xx), percent, strictly between 0 and 100, e.g. 99.9. */
  readonly availabilityPercent: number;
  /** 95th percentile latency objective in milliseconds, e.g. 200. */
  readonly latencyP95Millis: number;
  /**
   * 99th percentile latency objective in milliseconds (1..60000, above the p95 one), e.g. 800: a
   * warning alert when the tail stays slower for 10 minutes. @default - no p99 alert
   */
  readonly latencyP99Millis?: number;
}

/** Public HTTP traffic through the environment's ALB. */
export interface IngressSpec {
  /**
   * Path prefix on the API origin host, e.g. `/api`; unique across services, and not under another
   * service's prefix (`/api/notifications` under `/api` would take part of that service's paths).
   */
  readonly pathPrefix: string;
}

/** Graceful shutdown. */
export interface DrainSpec {
  /** The pod keeps serving this long after it is told to stop, while the ALB and Services stop sending it requests (0..120). @default 10 */
  readonly preStopSleepSeconds?: number;
  /** Time from the stop signal to a forced kill, in seconds; more than the preStop sleep (1..600). @default 45 */
  readonly terminationGracePeriodSeconds?: number;
}

/** One microservice. */
export interface ServiceSpec {
  /** DNS label, 2..40 characters, unique; names the workload, Service, ServiceAccount and ECR repository by default. */
  readonly name: string;
  /** Team that owns the service (label `platform.example.com/team`). */
  readonly team: string;
  /** Namespace, one of the environment's `kubernetes.workloadNamespaces`. @default 'apps' */
  readonly namespace?: string;
  /** Container image. */
  readonly image: ImageSpec;
  /** Port the container serves HTTP on (1024..65535: a non-root container cannot bind lower ports). */
  readonly port: number;
  /** Port of the Prometheus `/metrics` endpoint, when not the service port. @default - the service port */
  readonly metricsPort?: number;
  /** Health endpoints. */
  readonly health: HealthSpec;
  /** CPU and memory. */
  readonly resources: ResourcesSpec;
  /** Replica bounds and autoscaling targets. */
  readonly scaling: ScalingSpec;
  /** How new versions are rolled out. */
  readonly rollout: RolloutSpec;
  /** The service's SLO. */
  readonly slo: SloSpec;
  /** Names of secrets (keys of `SECRETS`) the service reads, as environment variables. @default - none */
  readonly secrets?: readonly string[];
  /** Plain environment variables; never secret values (use `secrets`). @default - none */
  readonly env?: Readonly<Record<string, string>>;
  /** Public traffic through the ALB. @default - not reachable from outside the cluster */
  readonly ingress?: IngressSpec;
  /** Services this one calls (egress to them, ingress on their side). @default - none */
  readonly calls?: readonly string[];
  /**
   * Connects to the database as its own user (`databaseUserName(name)`, owner of a schema of the
   * same name), with IAM authentication through the RDS Proxy (and to the read replica where there
   * is one); the pods get `DATABASE_HOST`, `DATABASE_READ_HOST`, `DATABASE_PORT`, `DATABASE_NAME`
   * and `DATABASE_USER`. @default false
   */
  readonly database?: boolean;
  /**
   * Platform resources in AWS it uses (see `PLATFORM_RESOURCES`), e.g. `['uploads']`; each gives its
   * Pod Identity role exactly that access and its pods the egress to reach it. @default - none
   */
  readonly aws?: readonly PlatformResourceName[];
  /** Talks to the Kubernetes API (mounts a service-account token). @default false */
  readonly kubernetesApi?: boolean;
  /** Scheduling priority. @default 'standard' */
  readonly priority?: ServicePriority;
  /** Graceful shutdown. @default - see `DrainSpec` */
  readonly drain?: DrainSpec;
}

/** What one environment may change for one service. */
export interface ServiceOverride {
  /** Image tag deployed in this environment (promotion: dev runs ahead of prod). @default - the catalog's tag */
  readonly imageTag?: string;
  /** Replica bounds and targets. @default - the catalog's */
  readonly scaling?: Partial<ScalingSpec>;
  /** CPU and memory. @default - the catalog's */
  readonly resources?: Partial<ResourcesSpec>;
}

/**
 * Overrides keyed by tier (`development`, `staging`, `production`: every environment of the tier
 * inherits them) or by environment name (that environment only, applied over its tier's), then by
 * service name.
 */
export type ServiceOverrides = Readonly<Record<string, Readonly<Record<string, ServiceOverride>>>>;

/** Where a secret declared in a service's entry was declared: the service's index, and the index in its `secrets`. */
export interface SecretDeclarationSite {
  readonly service: number;
  readonly index: number;
}

/** Everything the validator and the charts need: the secrets, the services and their overrides. */
export interface ServiceCatalog {
  readonly secrets: Readonly<Record<string, SecretSpec>>;
  readonly services: readonly ServiceSpec[];
  readonly overrides: ServiceOverrides;
  /**
   * The secrets of `secrets` that a service's entry declared (`ServiceEntry.secrets`), and where:
   * problems of such a secret are reported where it was written. @default - none
   */
  readonly declaredIn?: Readonly<Record<string, SecretDeclarationSite>>;
}

/** A new secret, declared in the entry of the service that owns it. */
export interface SecretDeclaration extends SecretSpec {
  /** Lower-case name, unique in the catalog; other services list the secret by this name. */
  readonly name: string;
}

/** A service as written in the catalog: its secrets are names of secrets declared elsewhere, or declarations. */
export interface ServiceEntry extends Omit<ServiceSpec, 'secrets'> {
  /**
   * Secrets the service reads, as environment variables: the name of a secret declared elsewhere
   * (`SHARED_SECRETS`, or another service's entry), or a new secret declared right here
   * (`{ name, description, properties?, rotation? }`). @default - none
   */
  readonly secrets?: readonly (string | SecretDeclaration)[];
}

/** The catalog as written: secrets no single service owns, the services (declaring their own secrets), the overrides. */
export interface ServiceCatalogSource {
  /** Secrets several services read, or that no service owns. */
  readonly secrets: Readonly<Record<string, SecretSpec>>;
  /** The services. */
  readonly services: readonly ServiceEntry[];
  /** Differences by tier or by environment. */
  readonly overrides: ServiceOverrides;
}

const isDeclaration = (item: unknown): item is SecretDeclaration =>
  typeof item === 'object' && item !== null && !Array.isArray(item) && typeof (item as { name?: unknown }).name === 'string';

/**
 * The catalog the charts and stacks read: each secret a service's entry declares joins `secrets`
 * (first declaration wins) and the entry lists it by name. A declaration that cannot join (its
 * name is taken, or it has none) stays in the entry, where `validateServices` reports it.
 */
export function normalizeCatalog(source: ServiceCatalogSource): ServiceCatalog {
  const secrets: Record<string, SecretSpec> = { ...source.secrets };
  // Normalizing a normalized catalog keeps where its secrets were declared.
  const declaredIn: Record<string, SecretDeclarationSite> = { ...(source as Partial<ServiceCatalog>).declaredIn };
  const services = source.services.map((entry, service) => {
    if (!Array.isArray(entry.secrets)) return entry as ServiceSpec;
    const names = entry.secrets.map((item: unknown, index: number) => {
      if (!isDeclaration(item) || Object.prototype.hasOwnProperty.call(secrets, item.name)) return item;
      const { name, ...spec } = item;
      secrets[name] = spec;
      declaredIn[name] = { service, index };
      return name;
    });
    // A declaration left in place makes the catalog invalid; validation reports it before anything reads it.
    return { ...entry, secrets: names } as ServiceSpec;
  });
  return { secrets, services, overrides: source.overrides, declaredIn };
}

/** Values of the optional fields when a catalog entry leaves them out (the `@default`s above). */
export const SERVICE_DEFAULTS = {
  maxSurgePercent: 25,
  targetCpuPercent: 70,
  targetMemoryPercent: 80,
  scaleDownStabilizationSeconds: 300,
  startupTimeoutSeconds: 60,
  preStopSleepSeconds: 10,
  terminationGracePeriodSeconds: 45,
  blueGreenScaleDownDelaySeconds: 300,
  /** CPU limit as a multiple of the request. */
  cpuLimitFactor: 2,
} as const;

/** The limits of a container: the configured ones, or the defaults derived from the requests. */
export function resourceLimits(resources: ResourcesSpec): { readonly cpuMillis: number; readonly memoryMiB: number } {
  return {
    cpuMillis: resources.cpuLimitMillis ?? resources.cpuMillis * SERVICE_DEFAULTS.cpuLimitFactor,
    memoryMiB: resources.memoryLimitMiB ?? resources.memoryMiB,
  };
}

/**
 * Secrets several services read, or that no single service owns. A secret one service owns is
 * declared in that service's entry instead (`secrets: [{ name, description }]`).
 */
export const SHARED_SECRETS: Readonly<Record<string, SecretSpec>> = {};

/** The usual canary: 10% with an SLO analysis, then 25% and 50% for five minutes each, then everyone. */
const CANARY_10_25_50: readonly CanaryStep[] = [
  { weightPercent: 10, analysis: true },
  { weightPercent: 25, pauseSeconds: 300 },
  { weightPercent: 50, pauseSeconds: 300 },
  { weightPercent: 100 },
];

/** The services. One entry each; see docs/k8s/deployment-standards.md for what an entry produces. */
export const SERVICE_ENTRIES: readonly ServiceEntry[] = [
  {
    name: 'web-api',
    team: 'core-api',
    image: { repository: 'web-api', tag: '1.0.0' },
    port: 8080,
    health: { readinessPath: '/health/ready', livenessPath: '/health/live' },
    resources: { cpuMillis: 250, memoryMiB: 512 },
    scaling: { minReplicas: 3, maxReplicas: 20 },
    rollout: { strategy: 'canary', steps: CANARY_10_25_50 },
    slo: { availabilityPercent: 99.9, latencyP95Millis: 200, latencyP99Millis: 800 },
    env: { LOG_LEVEL: 'info' },
    ingress: { pathPrefix: '/api' },
    calls: ['auth-service', 'payment-service'],
    database: true,
    aws: ['uploads'],
    priority: 'critical',
  },
  {
    name: 'auth-service',
    team: 'identity',
    image: { repository: 'auth-service', tag: '1.0.0' },
    port: 8080,
    health: { readinessPath: '/health/ready', livenessPath: '/health/live' },
    resources: { cpuMillis: 200, memoryMiB: 384 },
    scaling: { minReplicas: 2, maxReplicas: 10 },
    rollout: { strategy: 'blueGreen' },
    slo: { availabilityPercent: 99.95, latencyP95Millis: 150, latencyP99Millis: 500 },
    secrets: [
      { name: 'jwt-signing-key', description: 'Key pair auth-service signs access tokens with (ES256)', rotation: 'signingKeyPair' },
    ],
    ingress: { pathPrefix: '/auth' },
    database: true,
    priority: 'critical',
  },
  {
    name: 'payment-service',
    team: 'payments',
    image: { repository: 'payment-service', tag: '1.0.0' },
    port: 8080,
    metricsPort: 9090,
    health: { readinessPath: '/health/ready', livenessPath: '/health/live', startupTimeoutSeconds: 120 },
    resources: { cpuMillis: 250, memoryMiB: 512, cpuLimitMillis: 1000, memoryLimitMiB: 768 },
    scaling: { minReplicas: 2, maxReplicas: 12, targetCpuPercent: 60 },
    rollout: {
      strategy: 'canary',
      maxSurgePercent: 20,
      analysis: { failureLimit: 0, count: 10 },
      steps: [
        { weightPercent: 5, analysis: true },
        { weightPercent: 25, analysis: true },
        { weightPercent: 50, pauseSeconds: 600 },
        { weightPercent: 100 },
      ],
    },
    slo: { availabilityPercent: 99.95, latencyP95Millis: 300, latencyP99Millis: 1000 },
    secrets: [{ name: 'payment-provider-api-key', description: 'API key of the payment provider' }],
    ingress: { pathPrefix: '/payments' },
    database: true,
    aws: ['uploads'],
    priority: 'critical',
    drain: { preStopSleepSeconds: 15, terminationGracePeriodSeconds: 90 },
  },
  {
    name: 'worker',
    team: 'core-api',
    image: { repository: 'worker', tag: '1.0.0' },
    port: 8080,
    health: { readinessPath: '/health/ready', livenessPath: '/health/live' },
    resources: { cpuMillis: 500, memoryMiB: 1024 },
    scaling: { minReplicas: 2, maxReplicas: 8, targetCpuPercent: 75, scaleDownStabilizationSeconds: 600 },
    rollout: { strategy: 'rolling', maxSurgePercent: 50 },
    slo: { availabilityPercent: 99.5, latencyP95Millis: 5000 },
    database: true,
    aws: ['uploads', 'webhook-events'],
    priority: 'background',
    drain: { preStopSleepSeconds: 0, terminationGracePeriodSeconds: 120 },
  },
];

/**
 * Differences by tier (every environment of the tier: smaller in development, larger in
 * production) or by environment name (that environment only, over its tier's). A new environment
 * inherits its tier's overrides; give it its own key for more.
 */
export const SERVICE_OVERRIDES: ServiceOverrides = {
  development: {
    'web-api': { scaling: { minReplicas: 1, maxReplicas: 3 }, resources: { cpuMillis: 100, memoryMiB: 256 } },
    'auth-service': { scaling: { minReplicas: 1, maxReplicas: 2 } },
    'payment-service': { scaling: { minReplicas: 1, maxReplicas: 2 } },
    worker: { scaling: { minReplicas: 1, maxReplicas: 2 } },
  },
  staging: {
    'web-api': { scaling: { minReplicas: 2, maxReplicas: 6 } },
  },
  production: {
    'web-api': { scaling: { minReplicas: 6, maxReplicas: 60 }, resources: { cpuMillis: 500, memoryMiB: 1024 } },
    'payment-service': { scaling: { minReplicas: 3, maxReplicas: 20 } },
  },
};

/** The catalog as written (what `validateServices` reads). */
export const SERVICE_CATALOG_SOURCE: ServiceCatalogSource = {
  secrets: SHARED_SECRETS,
  services: SERVICE_ENTRIES,
  overrides: SERVICE_OVERRIDES,
};

/** The catalog the charts and stacks are built from: every secret in `secrets`, services listing them by name. */
export const SERVICE_CATALOG: ServiceCatalog = normalizeCatalog(SERVICE_CATALOG_SOURCE);

/** Every secret services may read. CDK creates them in Secrets Manager under `secretsManagerName(env, key)`. */
export const SECRETS: Readonly<Record<string, SecretSpec>> = SERVICE_CATALOG.secrets;

/** The services, each listing its secrets by name. */
export const SERVICES: readonly ServiceSpec[] = SERVICE_CATALOG.services;

/** The tiers, the other kind of key of `SERVICE_OVERRIDES`. */
export const OVERRIDE_TIERS: readonly EnvironmentTier[] = ['development', 'staging', 'production'];

/** What `servicesFor` needs of an environment: its name and its tier. */
export interface OverrideTarget {
  readonly name: string;
  readonly tier: string;
}

/**
 * The override of one service in one environment: its tier's, then its own (by name) over it,
 * field by field (`scaling` and `resources` merged).
 */
export function overrideFor(overrides: ServiceOverrides, environment: OverrideTarget, serviceName: string): ServiceOverride | undefined {
  const scopes = environment.name === environment.tier ? [environment.tier] : [environment.tier, environment.name];
  const found = scopes.map((scope) => overrides[scope]?.[serviceName]).filter((o): o is ServiceOverride => o !== undefined);
  if (found.length <= 1) return found[0];
  const [tier, own] = found;
  return {
    ...tier,
    ...own,
    ...(tier.scaling || own.scaling ? { scaling: { ...tier.scaling, ...own.scaling } } : {}),
    ...(tier.resources || own.resources ? { resources: { ...tier.resources, ...own.resources } } : {}),
  };
}

/** A service with one environment's overrides applied. */
export function applyOverride(service: ServiceSpec, override: ServiceOverride | undefined): ServiceSpec {
  if (!override) return service;
  return {
    ...service,
    image: { ...service.image, tag: override.imageTag ?? service.image.tag },
    scaling: { ...service.scaling, ...override.scaling },
    resources: { ...service.resources, ...override.resources },
  };
}

/**
 * The services of one environment, its tier's and its own overrides applied, in catalog order. Give
 * the environment (name and tier); a bare name is looked up in lib/config's environments (an
 * unknown name gets only the overrides under that name).
 */
export function servicesFor(environment: string | OverrideTarget, catalog: ServiceCatalog = SERVICE_CATALOG): ServiceSpec[] {
  const target =
    typeof environment === 'string'
      ? { name: environment, tier: ENVIRONMENTS.find((e) => e.name === environment)?.tier ?? environment }
      : environment;
  return catalog.services.map((service) => applyOverride(service, overrideFor(catalog.overrides, target, service.name)));
}
