import type { IAnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import type { IRollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import type { IPodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ServiceRelease, digestReference } from '../../lib/config/delivery';
import { NODE_POOL_LABEL, NODE_POOLS, serviceAccountName, serviceNamespace } from '../../lib/config/naming';
import { serviceSelectorLabels } from '../../lib/config/pod-killer';
import { PlatformEnvironment } from '../../lib/config/platform-resources';
import { CanaryRollout, SERVICE_DEFAULTS, SecretSpec, ServiceSpec, resourceLimits } from '../../lib/config/service-catalog';
import { EgressTarget } from '../egress';
import { LABELS, OBSERVABILITY_NAMESPACE, PRIORITY_CLASSES, SERVICE_SECRET_SUFFIXES } from '../conventions';
import { EXTERNAL_SECRETS_API_VERSION, ExternalSecretV1 } from './external-secrets';
import { model } from './model-object';
import { consumerSecretStore } from './secret-store';
import { ANALYSIS_DEFAULTS, HASH_ARG, analysisTemplateSpec, previewMetrics, sloMetrics } from './slo-analysis';

/** A service this one talks to, or that talks to it. */
export interface PeerService {
  /** Service name. */
  readonly name: string;
  /** Its namespace. */
  readonly namespace: string;
  /** Its HTTP port. */
  readonly port: number;
}

/** Where a service's pods send their traces. */
export interface TelemetryCollector {
  /** Namespace of the collector. */
  readonly namespace: string;
  /** Labels of its pods. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Its OTLP ports (HTTP, gRPC). */
  readonly ports: readonly number[];
}

/** Props of `Microservice`. */
export interface MicroserviceProps {
  /** The catalog entry, with the environment's overrides applied. */
  readonly service: ServiceSpec;
  /** Name of the environment (label `platform.example.com/environment`). */
  readonly environmentName: string;
  /** Application slug (label `app.kubernetes.io/part-of`). */
  readonly application: string;
  /** Registry host images are pulled from, e.g. `000000000000.dkr.ecr.eu-west-1.amazonaws.com`. */
  readonly imageRegistry: string;
  /** The secrets of the catalog (to expand a secret's properties into variables). */
  readonly secrets: Readonly<Record<string, SecretSpec>>;
  /** Secrets Manager name of a secret, e.g. `saas-platform/prod/jwt-signing-key`. */
  readonly secretsManagerName: (secret: string) => string;
  /**
   * The service's own SecretStore (Secrets Manager through its secrets role), made here when the
   * service reads a catalog secret; its ExternalSecret reads through it and nothing else.
   */
  readonly secretStore: { readonly name: string; readonly roleArn: string; readonly region: string };
  /** ClusterSecretStore the deploy-time values are read through (SSM Parameter Store). */
  readonly parameterStore: string;
  /**
   * Where the platform's settings of the service come from (`platformEnvironment`): literal variables,
   * and SSM parameters External Secrets delivers. @default - none
   */
  readonly platformEnvironment?: PlatformEnvironment;
  /** Address blocks the ALB connects to pods from (its subnets: target type `ip`). */
  readonly albSourceCidrs: readonly string[];
  /** Destinations outside the cluster the pods may reach (`awsEgress`). @default - none */
  readonly egress?: readonly EgressTarget[];
  /**
   * Hosts the Ingress answers on: the origin name CloudFront sends and the names the health checks
   * send, e.g. `api-origin.dev.example.com`, `api-origin-blue.dev.example.com`, `api-origin-green.dev.example.com`.
   */
  readonly apiHosts: readonly string[];
  /** DNS name ExternalDNS publishes for this cluster's ALB, e.g. `api-origin-blue.dev.example.com`. */
  readonly dnsName: string;
  /** IngressClass the Ingress names; its IngressClassParams hold the ALB-level settings (group, scheme, WAF, attributes). */
  readonly ingressClassName: string;
  /** ALB annotations every Ingress of the group carries identically (security groups...), see `albIngressAnnotations`. */
  readonly albAnnotations: Readonly<Record<string, string>>;
  /** Prometheus query address of the rollout analyses. */
  readonly prometheusUrl: string;
  /** Labels the PodMonitor carries so that the platform's Prometheus selects it. @default - none */
  readonly monitorLabels?: Readonly<Record<string, string>>;
  /**
   * The trace collector the pods export spans to (OTLP): egress to its pods on its ports.
   * @default - no egress for traces
   */
  readonly telemetryCollector?: TelemetryCollector;
  /** Services that call this one (NetworkPolicy ingress). @default - none */
  readonly callers?: readonly PeerService[];
  /** Services this one calls (NetworkPolicy egress). @default - none */
  readonly callees?: readonly PeerService[];
  /**
   * What the release step deployed: the image is pinned by digest (`<registry>/<repo>@sha256:...`)
   * and labelled with its commit. @default - the catalog's tag (local synth, `dist/`)
   */
  readonly release?: ServiceRelease;
  /**
   * Where the service's identity and settings go (ServiceAccount, ExternalSecrets): objects that
   * must exist before the service's own Application syncs (its PreSync migration Job runs as that
   * account, with those settings). @default - this construct
   */
  readonly settingsScope?: Construct;
}

/** Defaults of the optional catalog fields, in one place (docs/k8s/deployment-standards.md quotes them). */
export const MICROSERVICE_DEFAULTS = {
  ...SERVICE_DEFAULTS,
  /** Seconds a rollout may go without progress before it is aborted and rolled back. */
  progressDeadlineSeconds: 600,
  /** Seconds the aborted version's pods stay up after an abort (time to read their logs). */
  abortScaleDownDelaySeconds: 30,
  /** Argo Rollouts' port name for the ALB action annotation. */
  useAnnotation: 'use-annotation',
} as const;

const POD_USER = 10001;
const STARTUP_PERIOD_SECONDS = 5;

/** Egress to the cluster's DNS, which every pod needs. */
export const DNS_EGRESS: k8s.NetworkPolicyEgressRule = {
  to: [
    {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    },
  ],
  ports: [
    { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
    { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
  ],
};

/** A NetworkPolicy egress rule to a destination outside the cluster (`awsEgress`). */
export function egressRule(target: EgressTarget): k8s.NetworkPolicyEgressRule {
  return {
    to: target.cidrs.map((cidr) => ({ ipBlock: { cidr, except: target.except ? [...target.except] : undefined } })),
    ports: target.ports.map((p) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(p) })),
  };
}

/** Pod Security "restricted" for a container, and a read-only root filesystem (the platform's default). */
export const RESTRICTED_CONTAINER: k8s.SecurityContext = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** Pod Security "restricted" for a pod: a fixed non-root user and group. */
export const RESTRICTED_POD: k8s.PodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: POD_USER,
  runAsGroup: POD_USER,
  fsGroup: POD_USER,
  seccompProfile: { type: 'RuntimeDefault' },
};

const q = (value: string) => k8s.Quantity.fromString(value);
const port = (value: number | string) =>
  typeof value === 'number' ? k8s.IntOrString.fromNumber(value) : k8s.IntOrString.fromString(value);
const envName = (text: string) => text.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/**
 * One production microservice in Kubernetes: everything a service needs comes by default.
 *
 * Produces a Deployment (`rolling`) or an Argo Rollouts `Rollout` (`canary`, `blueGreen`) whose
 * pods meet Pod Security "restricted" (non-root, read-only root filesystem, no privilege
 * escalation, all capabilities dropped, RuntimeDefault seccomp), carry startup, readiness and
 * liveness probes, requests and limits, and drain before they stop; plus a Service, a
 * ServiceAccount (named by `serviceAccountName`, the Pod Identity contract), an HPA, a PDB, a
 * NetworkPolicy (with egress to the trace collector when given), an ExternalSecret for the secrets
 * it reads, a PodMonitor (carrying `monitorLabels`, so the platform's Prometheus selects it), an
 * Ingress in the environment's ALB group when the service is public, and for canary/blue-green the
 * SLO AnalysisTemplates and extra Services.
 *
 * When the HPA manages the workload, `replicas` is not set: the API server creates one pod and
 * the HPA scales to `minReplicas` at once; a fixed count would fight the HPA on every apply.
 */
export class Microservice extends Construct {
  /** The Deployment or Rollout. */
  public readonly workload: ApiObject;
  /** `Deployment` or `Rollout`. */
  public readonly workloadKind: 'Deployment' | 'Rollout';
  /** Namespace of every object of the service. */
  public readonly namespace: string;

  private readonly spec: ServiceSpec;
  private readonly props: MicroserviceProps;
  private readonly selector: Record<string, string>;

  constructor(scope: Construct, id: string, props: MicroserviceProps) {
    super(scope, id);
    this.props = props;
    this.spec = props.service;
    this.namespace = serviceNamespace(this.spec);
    // The pod killer (chaos) lists the service's pods by the same labels.
    this.selector = { ...serviceSelectorLabels(this.spec.name) };
    this.workloadKind = this.spec.rollout.strategy === 'rolling' ? 'Deployment' : 'Rollout';

    const hasSecrets = (this.spec.secrets ?? []).length > 0;
    const parameters = Object.entries(props.platformEnvironment?.parameters ?? {});
    new k8s.KubeServiceAccount(this.settingsScope, 'ServiceAccount', {
      metadata: this.meta(serviceAccountName(this.spec.name)),
      automountServiceAccountToken: this.spec.kubernetesApi ?? false,
    });
    if (hasSecrets) this.externalSecret();
    if (parameters.length > 0) this.runtimeSecret(parameters);
    this.services();
    this.workload = this.workloadKind === 'Deployment' ? this.deployment() : this.rollout();
    this.autoscaler();
    new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: this.meta(this.spec.name),
      spec: {
        // One pod at a time; with minReplicas >= 2 (outside dev) a node drain never empties the service.
        maxUnavailable: port(1),
        selector: { matchLabels: this.selector },
        // A crash-looping pod must not block a node drain.
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
    this.networkPolicy();
    this.podMonitor();
    if (this.spec.ingress) this.ingress(this.spec.ingress.pathPrefix);
  }

  /** The image the pods run: pinned by digest once released, the catalog's tag before. */
  public get image(): string {
    const { release, imageRegistry } = this.props;
    const { repository, tag } = this.spec.image;
    return release ? digestReference(imageRegistry, repository, release.image) : `${imageRegistry}/${repository}:${tag}`;
  }

  /** The `app.kubernetes.io/version` of the pods: the release's commit, or the catalog's tag. */
  public get version(): string {
    return this.props.release?.commit ?? this.spec.image.tag;
  }

  private get settingsScope(): Construct {
    return this.props.settingsScope ?? this;
  }

  /** Name of the Secret the ExternalSecret writes, or undefined when the service reads no secret. */
  public get secretName(): string | undefined {
    return (this.spec.secrets ?? []).length > 0 ? `${this.spec.name}${SERVICE_SECRET_SUFFIXES.secrets}` : undefined;
  }

  /** Name of the Secret holding the deploy-time values (database hosts...), or undefined when there are none. */
  public get runtimeSecretName(): string | undefined {
    return Object.keys(this.props.platformEnvironment?.parameters ?? {}).length > 0
      ? `${this.spec.name}${SERVICE_SECRET_SUFFIXES.runtime}`
      : undefined;
  }

  private meta(name: string, extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}) {
    return {
      name,
      namespace: this.namespace,
      labels: { [LABELS.name]: this.spec.name, [LABELS.team]: this.spec.team, ...extra.labels },
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
    };
  }

  /** The catalog secrets the service reads, from Secrets Manager: one variable per secret, or per property. */
  private externalSecret(): void {
    const data = (this.spec.secrets ?? []).flatMap((name) => {
      const key = this.props.secretsManagerName(name);
      const properties = this.props.secrets[name]?.properties;
      if (!properties) return [{ secretKey: envName(name), remoteRef: { key } }];
      return properties.map((property) => ({ secretKey: envName(`${name}_${property}`), remoteRef: { key, property } }));
    });
    const store = this.props.secretStore;
    consumerSecretStore(this.settingsScope, 'SecretStore', {
      name: store.name,
      namespace: this.namespace,
      roleArn: store.roleArn,
      region: store.region,
      labels: { [LABELS.name]: this.spec.name, [LABELS.team]: this.spec.team },
    });
    this.syncedSecret('ExternalSecret', this.secretName!, { kind: 'SecretStore', name: store.name }, data);
  }

  /** Deploy-time values the stacks publish in Parameter Store (not secret, but unknown at synth), as a Secret. */
  private runtimeSecret(parameters: [string, string][]): void {
    const data = parameters.map(([variable, parameter]) => ({ secretKey: variable, remoteRef: { key: parameter } }));
    this.syncedSecret('RuntimeValues', this.runtimeSecretName!, { kind: 'ClusterSecretStore', name: this.props.parameterStore }, data);
  }

  /** A Secret that External Secrets keeps in sync from a store. */
  private syncedSecret(
    id: string,
    name: string,
    store: { readonly kind: 'SecretStore' | 'ClusterSecretStore'; readonly name: string },
    data: NonNullable<ExternalSecretV1['spec']>['data'],
  ): void {
    model<ExternalSecretV1>(this.settingsScope, id, {
      apiVersion: EXTERNAL_SECRETS_API_VERSION,
      kind: 'ExternalSecret',
      metadata: this.meta(name),
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { kind: store.kind, name: store.name },
        target: { name, creationPolicy: 'Owner' },
        data,
      },
    });
  }

  /** The Service callers use, plus the canary or preview Service of a Rollout. */
  private services(): void {
    const names = [this.spec.name];
    if (this.spec.rollout.strategy === 'canary') names.push(`${this.spec.name}-canary`);
    if (this.spec.rollout.strategy === 'blueGreen') names.push(`${this.spec.name}-preview`);
    for (const name of names) {
      new k8s.KubeService(this, name === this.spec.name ? 'Service' : `Service-${name}`, {
        metadata: this.meta(name),
        spec: {
          type: 'ClusterIP',
          selector: this.selector,
          ports: [{ name: 'http', port: this.spec.port, targetPort: port('http'), protocol: 'TCP' }],
        },
      });
    }
  }

  private podTemplate(hashLabel: string): k8s.PodTemplateSpec {
    const s = this.spec;
    const drain = {
      sleep: s.drain?.preStopSleepSeconds ?? MICROSERVICE_DEFAULTS.preStopSleepSeconds,
      grace: s.drain?.terminationGracePeriodSeconds ?? MICROSERVICE_DEFAULTS.terminationGracePeriodSeconds,
    };
    const startupTimeout = s.health.startupTimeoutSeconds ?? MICROSERVICE_DEFAULTS.startupTimeoutSeconds;
    const http = (path: string) => ({ path, port: port('http') });
    const r = s.resources;
    const limits = resourceLimits(r);
    const ports: k8s.ContainerPort[] = [{ name: 'http', containerPort: s.port, protocol: 'TCP' }];
    if (s.metricsPort !== undefined) ports.push({ name: 'metrics', containerPort: s.metricsPort, protocol: 'TCP' });
    const container: k8s.Container = {
      name: s.name,
      image: this.image,
      imagePullPolicy: 'IfNotPresent',
      ports,
      env: Object.entries({ ...this.props.platformEnvironment?.variables, ...s.env })
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => ({ name, value })),
      envFrom: this.envFrom(),
      resources: {
        requests: { cpu: q(`${r.cpuMillis}m`), memory: q(`${r.memoryMiB}Mi`) },
        limits: { cpu: q(`${limits.cpuMillis}m`), memory: q(`${limits.memoryMiB}Mi`) },
      },
      startupProbe: {
        httpGet: http(s.health.startupPath ?? s.health.livenessPath),
        periodSeconds: STARTUP_PERIOD_SECONDS,
        failureThreshold: Math.ceil(startupTimeout / STARTUP_PERIOD_SECONDS),
        timeoutSeconds: 2,
      },
      readinessProbe: { httpGet: http(s.health.readinessPath), periodSeconds: 5, failureThreshold: 2, timeoutSeconds: 2 },
      livenessProbe: { httpGet: http(s.health.livenessPath), periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 2 },
      // Keep serving while the ALB and the Services take the pod out of rotation. `exec sleep`, not
      // the newer `sleep` action: the Rollout CRD schema of the pinned Argo Rollouts does not know it.
      lifecycle: drain.sleep > 0 ? { preStop: { exec: { command: ['sleep', String(drain.sleep)] } } } : undefined,
      securityContext: RESTRICTED_CONTAINER,
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    };
    return {
      metadata: {
        labels: {
          ...this.selector,
          [LABELS.version]: this.version,
          [LABELS.partOf]: this.props.application,
          [LABELS.environment]: this.props.environmentName,
          [LABELS.team]: s.team,
        },
      },
      spec: {
        serviceAccountName: serviceAccountName(s.name),
        automountServiceAccountToken: s.kubernetesApi ?? false,
        enableServiceLinks: false,
        priorityClassName: PRIORITY_CLASSES[s.priority ?? 'standard'].name,
        nodeSelector: { [NODE_POOL_LABEL]: NODE_POOLS.workloads },
        terminationGracePeriodSeconds: drain.grace,
        securityContext: RESTRICTED_POD,
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: 'topology.kubernetes.io/zone',
            whenUnsatisfiable: 'DoNotSchedule',
            labelSelector: { matchLabels: this.selector },
            matchLabelKeys: [hashLabel],
          },
          {
            maxSkew: 1,
            topologyKey: 'kubernetes.io/hostname',
            whenUnsatisfiable: 'ScheduleAnyway',
            labelSelector: { matchLabels: this.selector },
            matchLabelKeys: [hashLabel],
          },
        ],
        containers: [container],
        volumes: [{ name: 'tmp', emptyDir: { sizeLimit: q('64Mi') } }],
      },
    };
  }

  private envFrom(): k8s.EnvFromSource[] | undefined {
    const names = [this.secretName, this.runtimeSecretName].filter((n): n is string => n !== undefined);
    return names.length > 0 ? names.map((name) => ({ secretRef: { name } })) : undefined;
  }

  private get maxSurge(): string {
    return `${this.spec.rollout.maxSurgePercent ?? MICROSERVICE_DEFAULTS.maxSurgePercent}%`;
  }

  private deployment(): ApiObject {
    return new k8s.KubeDeployment(this, 'Deployment', {
      metadata: this.meta(this.spec.name),
      spec: {
        selector: { matchLabels: this.selector },
        revisionHistoryLimit: 5,
        progressDeadlineSeconds: MICROSERVICE_DEFAULTS.progressDeadlineSeconds,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: port(0), maxSurge: port(this.maxSurge) } },
        template: this.podTemplate('pod-template-hash'),
      },
    });
  }

  private rollout(): ApiObject {
    const s = this.spec;
    const analysis = { ...ANALYSIS_DEFAULTS, ...s.rollout.analysis };
    const target = { name: s.name, namespace: this.namespace };
    const args = [{ name: HASH_ARG, valueFrom: { podTemplateHashValue: 'Latest' } }];
    const template = (suffix: string, metrics: ReturnType<typeof sloMetrics>, count: number | undefined) => {
      const name = `${s.name}-${suffix}`;
      model<IAnalysisTemplate>(this, `AnalysisTemplate-${suffix}`, {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AnalysisTemplate',
        metadata: this.meta(name),
        spec: analysisTemplateSpec(metrics, { ...analysis, count, prometheusUrl: this.props.prometheusUrl }),
      });
      return { templates: [{ templateName: name }], args };
    };

    const r = s.rollout;
    let strategy: IRollout['spec']['strategy'];
    if (r.strategy === 'canary') {
      const step = template('slo', sloMetrics(target, s.slo), analysis.count);
      const background = template('slo-background', sloMetrics(target, s.slo), undefined);
      strategy = {
        canary: {
          stableService: s.name,
          canaryService: `${s.name}-canary`,
          maxUnavailable: 0,
          maxSurge: this.maxSurge,
          abortScaleDownDelaySeconds: MICROSERVICE_DEFAULTS.abortScaleDownDelaySeconds,
          trafficRouting: { alb: { ingress: s.name, rootService: s.name, servicePort: s.port } },
          // The SLO is watched from the first traffic shift to the end; one failure too many aborts and rolls back.
          analysis: { ...background, startingStep: 1 },
          steps: canarySteps(r, step),
        },
      };
    } else {
      const preview = template('preview', previewMetrics(target), analysis.count);
      const slo = template('slo', sloMetrics(target, s.slo), analysis.count);
      strategy = {
        blueGreen: {
          activeService: s.name,
          previewService: `${s.name}-preview`,
          autoPromotionEnabled: true,
          maxUnavailable: 0,
          prePromotionAnalysis: preview,
          // After the switch, the SLO decides; on failure the active Service goes back to the old pods, still running.
          postPromotionAnalysis: slo,
          scaleDownDelaySeconds:
            (r.strategy === 'blueGreen' ? r.scaleDownDelaySeconds : undefined) ?? MICROSERVICE_DEFAULTS.blueGreenScaleDownDelaySeconds,
          abortScaleDownDelaySeconds: MICROSERVICE_DEFAULTS.abortScaleDownDelaySeconds,
        },
      };
    }
    const podTemplate = k8s.toJson_PodTemplateSpec(this.podTemplate('rollouts-pod-template-hash')) as IRollout['spec']['template'];
    return model<IRollout>(this, 'Rollout', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: this.meta(s.name),
      spec: {
        selector: { matchLabels: this.selector },
        revisionHistoryLimit: 5,
        progressDeadlineSeconds: MICROSERVICE_DEFAULTS.progressDeadlineSeconds,
        progressDeadlineAbort: true,
        strategy,
        template: podTemplate,
      },
    });
  }

  private autoscaler(): void {
    const sc = this.spec.scaling;
    const utilization = (name: string, percent: number) => ({
      type: 'Resource',
      resource: { name, target: { type: 'Utilization', averageUtilization: percent } },
    });
    new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
      metadata: this.meta(this.spec.name),
      spec: {
        scaleTargetRef: {
          apiVersion: this.workloadKind === 'Deployment' ? 'apps/v1' : 'argoproj.io/v1alpha1',
          kind: this.workloadKind,
          name: this.spec.name,
        },
        minReplicas: sc.minReplicas,
        maxReplicas: sc.maxReplicas,
        metrics: [
          utilization('cpu', sc.targetCpuPercent ?? MICROSERVICE_DEFAULTS.targetCpuPercent),
          utilization('memory', sc.targetMemoryPercent ?? MICROSERVICE_DEFAULTS.targetMemoryPercent),
        ],
        behavior: {
          scaleDown: {
            stabilizationWindowSeconds: sc.scaleDownStabilizationSeconds ?? MICROSERVICE_DEFAULTS.scaleDownStabilizationSeconds,
            policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }],
          },
        },
      },
    });
  }

  /** Only what the service needs; the namespace's default-deny policy (platform chart) refuses the rest. */
  private networkPolicy(): void {
    const s = this.spec;
    const tcp = (p: number | string) => ({ protocol: 'TCP', port: port(p) });
    const peer = (p: PeerService | { name: string; namespace: string }) => ({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } },
      podSelector: { matchLabels: { [LABELS.name]: p.name } },
    });
    const ingress: k8s.NetworkPolicyIngressRule[] = [];
    // target-type ip: the ALB connects to the pod from its own addresses, in its subnets.
    if (s.ingress) ingress.push({ from: this.props.albSourceCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp('http')] });
    const callers = this.props.callers ?? [];
    if (callers.length > 0) ingress.push({ from: callers.map(peer), ports: [tcp('http')] });
    ingress.push({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': OBSERVABILITY_NAMESPACE } } }],
      ports: [tcp(s.metricsPort !== undefined ? 'metrics' : 'http')],
    });

    const egress: k8s.NetworkPolicyEgressRule[] = [DNS_EGRESS];
    for (const callee of this.props.callees ?? []) egress.push({ to: [peer(callee)], ports: [tcp(callee.port)] });
    // Derived from what the service uses (cdk8s/egress.ts): the Pod Identity agent, the database, AWS APIs.
    egress.push(...(this.props.egress ?? []).map(egressRule));
    // Spans to the trace collector (OTLP).
    const collector = this.props.telemetryCollector;
    if (collector) {
      egress.push({
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': collector.namespace } },
            podSelector: { matchLabels: { ...collector.podLabels } },
          },
        ],
        ports: collector.ports.map((p) => tcp(p)),
      });
    }
    new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: this.meta(s.name),
      spec: { podSelector: { matchLabels: this.selector }, policyTypes: ['Ingress', 'Egress'], ingress, egress },
    });
  }

  private podMonitor(): void {
    model<IPodMonitor>(this, 'PodMonitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: this.meta(this.spec.name, { labels: { ...this.props.monitorLabels } }),
      spec: {
        selector: { matchLabels: this.selector },
        podTargetLabels: [LABELS.name, 'rollouts-pod-template-hash'],
        podMetricsEndpoints: [{ port: this.spec.metricsPort !== undefined ? 'metrics' : 'http', path: '/metrics', interval: '30s' }],
      },
    });
  }

  private ingress(pathPrefix: string): void {
    const s = this.spec;
    const canary = s.rollout.strategy === 'canary';
    const drain = s.drain?.preStopSleepSeconds ?? MICROSERVICE_DEFAULTS.preStopSleepSeconds;
    new k8s.KubeIngress(this, 'Ingress', {
      metadata: this.meta(s.name, {
        annotations: {
          // Group, scheme, target type, TLS policy, WAF and attributes come from the IngressClassParams.
          ...this.props.albAnnotations,
          'alb.ingress.kubernetes.io/healthcheck-path': s.health.readinessPath,
          // The ALB stops sending new requests at once and waits for open ones no longer than the pod keeps serving.
          'alb.ingress.kubernetes.io/target-group-attributes': `deregistration_delay.timeout_seconds=${Math.max(drain, 5)}`,
          // Only this cluster's name: the shared origin name above it is a Route 53 record CDK owns.
          'external-dns.alpha.kubernetes.io/hostname': this.props.dnsName,
          // ...and never the rule hosts: `api-origin.<zone>` is a failover/weighted record CDK owns.
          'external-dns.alpha.kubernetes.io/ingress-hostname-source': 'annotation-only',
        },
      }),
      spec: {
        ingressClassName: this.props.ingressClassName,
        // The certificate is discovered by the controller from this host (ACM); no ARN in the manifest.
        tls: [{ hosts: [...this.props.apiHosts] }],
        rules: this.props.apiHosts.map((host) => ({
          host,
          http: {
            paths: [
              {
                path: pathPrefix,
                pathType: 'Prefix',
                backend: {
                  // For a canary, Argo Rollouts writes the weighted forward action under this annotation name.
                  service: { name: s.name, port: canary ? { name: MICROSERVICE_DEFAULTS.useAnnotation } : { number: s.port } },
                },
              },
            ],
          },
        })),
      },
    });
  }
}

type CanarySteps = NonNullable<NonNullable<NonNullable<IRollout['spec']['strategy']>['canary']>['steps']>;

/** Argo Rollouts steps from the catalog's: setWeight, then the analysis step, then the pause. */
export function canarySteps(rollout: CanaryRollout, analysis: { templates: { templateName: string }[]; args: unknown[] }): CanarySteps {
  return rollout.steps.flatMap((step) => {
    const out: CanarySteps = [{ setWeight: step.weightPercent }];
    if (step.analysis) out.push({ analysis: analysis as CanarySteps[number]['analysis'] });
    if (step.pauseSeconds) out.push({ pause: { duration: `${step.pauseSeconds}s` } });
    return out;
  });
}
