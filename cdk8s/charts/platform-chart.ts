import { Chart, ChartProps } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { serviceNamespace } from '../../lib/config/naming';
import { SERVICE_DEFAULTS, ServiceSpec, resourceLimits } from '../../lib/config/service-catalog';
import { EnvironmentConfig } from '../../lib/config/types';
import { Addon, PodSecurityLevel } from '../addons';
import { EbsStorageClass } from '../constructs/storage-class';
import { PLATFORM_NAMESPACES, PRIORITY_CLASSES, platformLabels } from '../conventions';

export { PLATFORM_NAMESPACES } from '../conventions';

/** Props of `PlatformChart`. */
export interface PlatformChartProps extends ChartProps {
  /** The environment the manifests are for. */
  readonly config: EnvironmentConfig;
  /** The environment's services (overrides applied): the workload namespaces' quotas are sized from them. @default - none: quotas admit no pod */
  readonly services?: readonly ServiceSpec[];
  /** Add-ons whose namespaces this chart creates. @default - none */
  readonly addons?: readonly Addon[];
}

/** Requests and limits a container gets in a workload namespace when it declares none. */
export const CONTAINER_DEFAULTS = {
  defaultRequest: { cpu: '100m', memory: '128Mi' },
  default: { cpu: '200m', memory: '128Mi' },
} as const;

/** What the services of one namespace may use at most, at full scale and in the middle of a rollout. */
export interface NamespaceQuota {
  readonly pods: number;
  readonly requestsCpuMillis: number;
  readonly requestsMemoryMiB: number;
  readonly limitsCpuMillis: number;
  readonly limitsMemoryMiB: number;
}

/**
 * Quota of a namespace from its services, with room for everything that exists during a rollout:
 *
 * - each service at `maxReplicas` (the HPA may be there when the rollout starts);
 * - a rolling update adds `maxSurge` new pods while as many old ones are still terminating (a pod
 *   counts against the quota until it is gone, for up to its termination grace period): max + 2 x surge;
 * - canary and blue/green run a full new set beside the full old one, whose pods then terminate
 *   while the new set serves: 2 x max;
 * - then `headroomPercent` on top of the sum, for debug pods and the HPA reacting in mid-rollout.
 *
 * A quota that is exactly the sum of the requests refuses the surge pod, and the rollout aborts.
 */
export function namespaceQuota(services: readonly ServiceSpec[], headroomPercent = 0): NamespaceQuota {
  const total = { pods: 0, requestsCpuMillis: 0, requestsMemoryMiB: 0, limitsCpuMillis: 0, limitsMemoryMiB: 0 };
  for (const s of services) {
    const peak = peakPods(s);
    const limits = resourceLimits(s.resources);
    total.pods += peak;
    total.requestsCpuMillis += peak * s.resources.cpuMillis;
    total.requestsMemoryMiB += peak * s.resources.memoryMiB;
    total.limitsCpuMillis += peak * limits.cpuMillis;
    total.limitsMemoryMiB += peak * limits.memoryMiB;
  }
  const withHeadroom = (n: number) => Math.ceil((n * (100 + headroomPercent)) / 100);
  return {
    pods: withHeadroom(total.pods),
    requestsCpuMillis: withHeadroom(total.requestsCpuMillis),
    requestsMemoryMiB: withHeadroom(total.requestsMemoryMiB),
    limitsCpuMillis: withHeadroom(total.limitsCpuMillis),
    limitsMemoryMiB: withHeadroom(total.limitsMemoryMiB),
  };
}

/** Most pods of one service that exist at once during a rollout at full scale (see `namespaceQuota`). */
export function peakPods(service: ServiceSpec): number {
  const max = service.scaling.maxReplicas;
  if (service.rollout.strategy !== 'rolling') return 2 * max;
  const surge = Math.ceil((max * (service.rollout.maxSurgePercent ?? SERVICE_DEFAULTS.maxSurgePercent)) / 100);
  return max + 2 * surge;
}

const pss = (level: PodSecurityLevel, version: string): Record<string, string> => ({
  'pod-security.kubernetes.io/enforce': level,
  'pod-security.kubernetes.io/enforce-version': version,
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/audit-version': version,
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/warn-version': version,
});

/**
 * The cluster-wide base of an environment (`dist/<env>/platform.k8s.yaml`, applied first): the
 * namespaces with Pod Security labels at the cluster's Kubernetes version (platform, add-on and
 * workload namespaces); in each workload namespace a LimitRange, a ResourceQuota sized from the
 * catalog and a default-deny NetworkPolicy; the PriorityClasses services and add-ons use; and the
 * default StorageClass (EBS gp3, encrypted) volumes are made from.
 */
export class PlatformChart extends Chart {
  /** Names of the namespaces this chart creates. */
  public readonly namespaces: readonly string[];

  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    const { config, services = [], addons = [], ...chartProps } = props;
    super(scope, id, { ...chartProps, labels: { ...platformLabels(config.tags.Application, config.name), ...chartProps.labels } });
    const version = `v${config.kubernetes.version}`;
    const workloads = config.kubernetes.workloadNamespaces;
    // An add-on may live in a platform namespace (the observability stack): that namespace stays "restricted".
    for (const a of addons.filter((x) => PLATFORM_NAMESPACES.includes(x.namespace) && x.podSecurity !== 'restricted')) {
      throw new Error(
        `add-on ${a.name}: namespace ${a.namespace} is a platform namespace (restricted); ${a.podSecurity} needs its own namespace`,
      );
    }
    const addonNamespaces = [
      ...new Map(addons.filter((a) => !PLATFORM_NAMESPACES.includes(a.namespace)).map((a) => [a.namespace, a.podSecurity])).entries(),
    ];
    this.namespaces = [...PLATFORM_NAMESPACES, ...addonNamespaces.map(([name]) => name), ...workloads];

    for (const name of PLATFORM_NAMESPACES) this.addNamespace(name, pss('restricted', version));
    for (const [name, level] of addonNamespaces) this.addNamespace(name, pss(level, version));
    for (const name of workloads) {
      // The load balancer controller holds a new pod out of rotation until the ALB target is healthy.
      this.addNamespace(name, { ...pss('restricted', version), 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' });
      this.workloadGuards(
        name,
        namespaceQuota(
          services.filter((s) => serviceNamespace(s) === name),
          config.kubernetes.quotaHeadroomPercent,
        ),
      );
    }

    new EbsStorageClass(this, 'StorageClass', { reclaimPolicy: config.stateful.removal === 'retain' ? 'Retain' : 'Delete' });

    for (const [key, pc] of Object.entries(PRIORITY_CLASSES)) {
      new k8s.KubePriorityClass(this, `priority-${key}`, {
        metadata: { name: pc.name },
        value: pc.value,
        globalDefault: false,
        description: pc.description,
        preemptionPolicy: key === 'background' ? 'Never' : 'PreemptLowerPriority',
      });
    }
  }

  private addNamespace(name: string, labels: Record<string, string>): void {
    new k8s.KubeNamespace(this, `ns-${name}`, { metadata: { name, labels } });
  }

  private workloadGuards(namespace: string, quota: NamespaceQuota): void {
    const q = (v: string) => k8s.Quantity.fromString(v);
    new k8s.KubeLimitRange(this, `limits-${namespace}`, {
      metadata: { name: 'container-defaults', namespace },
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: { cpu: q(CONTAINER_DEFAULTS.defaultRequest.cpu), memory: q(CONTAINER_DEFAULTS.defaultRequest.memory) },
            default: { cpu: q(CONTAINER_DEFAULTS.default.cpu), memory: q(CONTAINER_DEFAULTS.default.memory) },
          },
        ],
      },
    });
    new k8s.KubeResourceQuota(this, `quota-${namespace}`, {
      metadata: { name: 'catalog', namespace },
      spec: {
        hard: {
          pods: q(String(quota.pods)),
          'requests.cpu': q(`${quota.requestsCpuMillis}m`),
          'requests.memory': q(`${quota.requestsMemoryMiB}Mi`),
          'limits.cpu': q(`${quota.limitsCpuMillis}m`),
          'limits.memory': q(`${quota.limitsMemoryMiB}Mi`),
        },
      },
    });
    // Nothing in, nothing out, unless a service's own NetworkPolicy allows it.
    new k8s.KubeNetworkPolicy(this, `deny-${namespace}`, {
      metadata: { name: 'default-deny-all', namespace },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  }
}
