import { PlatformResourceName } from './platform-resources';

/**
 * The service catalog: every microservice the platform runs, as typed data.
 *
 * Adding a service is one entry in `SERVICES`; the `Microservice` construct (cdk8s) turns it into
 * a Deployment or Argo Rollout with probes, limits, Pod Security "restricted", Service,
 * ServiceAccount, HPA, PDB, NetworkPolicy, ExternalSecret and, for canaries, an SLO-driven
 * AnalysisTemplate. Per-environment differences (replicas, resources, image tag) are data in
 * `SERVICE_OVERRIDES`. Everything here is checked by `validateServices` before any chart is built.
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
  /** Path prefix on the API origin host, e.g. `/api`; unique across services. */
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

/** Overrides keyed by environment name, then service name. */
export type ServiceOverrides = Readonly<Record<string, Readonly<Record<string, ServiceOverride>>>>;

/** Everything the validator and the charts need: the secrets, the services and their overrides. */
export interface ServiceCatalog {
  readonly secrets: Readonly<Record<string, SecretSpec>>;
  readonly services: readonly ServiceSpec[];
  readonly overrides: ServiceOverrides;
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

/** Secrets services may read. CDK creates them in Secrets Manager under `secretsManagerName(env, key)`. */
export const SECRETS: Readonly<Record<string, SecretSpec>> = {
  'jwt-signing-key': { description: 'Key pair auth-service signs access tokens with (ES256)', rotation: 'signingKeyPair' },
  'payment-provider-api-key': { description: 'API key of the payment provider' },
};

/** The usual canary: 10% with an SLO analysis, then 25% and 50% for five minutes each, then everyone. */
const CANARY_10_25_50: readonly CanaryStep[] = [
  { weightPercent: 10, analysis: true },
  { weightPercent: 25, pauseSeconds: 300 },
  { weightPercent: 50, pauseSeconds: 300 },
  { weightPercent: 100 },
];

/** The services. One entry each; see docs/k8s/deployment-standards.md for what an entry produces. */
export const SERVICES: readonly ServiceSpec[] = [
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
    secrets: ['jwt-signing-key'],
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
    secrets: ['payment-provider-api-key'],
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

/** Per-environment differences: smaller in dev, larger in prod. Keys are environment names, then service names. */
export const SERVICE_OVERRIDES: ServiceOverrides = {
  dev: {
    'web-api': { scaling: { minReplicas: 1, maxReplicas: 3 }, resources: { cpuMillis: 100, memoryMiB: 256 } },
    'auth-service': { scaling: { minReplicas: 1, maxReplicas: 2 } },
    'payment-service': { scaling: { minReplicas: 1, maxReplicas: 2 } },
    worker: { scaling: { minReplicas: 1, maxReplicas: 2 } },
  },
  staging: {
    'web-api': { scaling: { minReplicas: 2, maxReplicas: 6 } },
  },
  prod: {
    'web-api': { scaling: { minReplicas: 6, maxReplicas: 60 }, resources: { cpuMillis: 500, memoryMiB: 1024 } },
    'payment-service': { scaling: { minReplicas: 3, maxReplicas: 20 } },
  },
};

/** The catalog the charts are built from. */
export const SERVICE_CATALOG: ServiceCatalog = { secrets: SECRETS, services: SERVICES, overrides: SERVICE_OVERRIDES };

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

/** The services of one environment, overrides applied, in catalog order. */
export function servicesFor(environmentName: string, catalog: ServiceCatalog = SERVICE_CATALOG): ServiceSpec[] {
  const overrides = catalog.overrides[environmentName] ?? {};
  return catalog.services.map((service) => applyOverride(service, overrides[service.name]));
}
