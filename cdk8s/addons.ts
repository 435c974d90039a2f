/**
 * The cluster add-ons that are not EKS add-ons, as data: Helm chart, pinned version, namespace,
 * and values derived from the environment. `AddonsChart` turns each into an Argo CD `Application`
 * (`dist/<env>/0001-addons.k8s.yaml`); `npm run bootstrap` installs Argo CD itself once with the
 * same pinned chart and the same values (see `cdk8s/bootstrap.ts`), after which Argo CD manages
 * every add-on, itself included.
 *
 * Versions are exact (never a range) and come from `lib/config/addon-pins.ts`, where each pin
 * records the Kubernetes versions its upstream supports: an upgrade is a reviewed change there.
 * Every values key set here is listed in the add-on's `valuesKeys` and was checked against the
 * pinned chart's values.yaml (`valuesSource` of the pin).
 *
 * Nodes use IMDSv2 with hop limit 1, so no pod can read instance metadata: every controller that
 * would read its region or VPC from there gets it from values (region, VPC by Name tag).
 */
import { CHART_PINS, PinnedAddon } from '../lib/config/addon-pins';
import { imageSigningKey } from '../lib/config/image-signing';
import {
  ADDON_IDENTITIES,
  NODE_POOL_LABEL,
  NODE_POOLS,
  SYSTEM_POOL_TAINT,
  clusterName,
  karpenterInterruptionQueueName,
  vpcName,
} from '../lib/config/naming';
import { NODE_EXPORTER_NAMESPACE, OTEL_COLLECTOR } from '../lib/config/observability';
import { EnvironmentConfig } from '../lib/config/types';
import { OBSERVABILITY_NAMESPACE, PROMETHEUS_SELECTOR_LABELS, PROMETHEUS_URL, PRIORITY_CLASSES } from './conventions';
import { GRAFANA_ADMIN_SECRET, GRAFANA_DATASOURCE_UID } from './monitoring/grafana';

/** Pod Security level a namespace enforces (`privileged` only for node agents that need the host: node-exporter). */
export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

/**
 * A component of an add-on that can run more than one replica, and how it keeps a single active
 * instance (finding 10: two active controllers fight over the same objects).
 */
export interface ReplicatedComponent {
  /** Dotted path of the component's replica count in the values. */
  readonly replicasKey: string;
  /**
   * How only one replica acts: `valuesKey` is a values key that must be `true`; `onByDefault` names
   * the upstream source where leader election is on unless turned off; `stateless` says why the
   * component needs none (it answers requests, it reconciles nothing).
   */
  readonly leaderElection: { readonly valuesKey: string } | { readonly onByDefault: string } | { readonly stateless: string };
}

/** A field Argo CD ignores on one kind of object (an Application's `ignoreDifferences` entry). */
export interface IgnoredDifference {
  readonly kind: string;
  /** @default - the core API group */
  readonly group?: string;
  /** @default - every object of the kind */
  readonly name?: string;
  /** jq paths of the ignored fields. */
  readonly jqPathExpressions: readonly string[];
}

/** One add-on. */
export interface Addon {
  /** Name of the Argo CD Application and the Helm release. */
  readonly name: string;
  /** What it does for the platform. */
  readonly purpose: string;
  /** Helm repository URL (an OCI registry without `oci://`, as Argo CD names it). */
  readonly repoUrl: string;
  /** Chart name in the repository. */
  readonly chart: string;
  /** Exact chart version. */
  readonly version: string;
  /** Namespace it is installed in (the platform chart creates it with Pod Security labels). */
  readonly namespace: string;
  /**
   * Pod Security level its namespace enforces; `baseline` only where the chart's pods are not
   * known to meet `restricted` (the namespace still warns and audits at `restricted`).
   */
  readonly podSecurity: PodSecurityLevel;
  /** Argo CD sync wave among the add-ons: lower waves first (CRDs other add-ons or our charts need come early). */
  readonly wave: number;
  /** Helm values for an environment. */
  readonly values: (config: EnvironmentConfig) => Record<string, unknown>;
  /**
   * The values keys the values use (dotted; a map-valued key such as `nodeSelector` covers its
   * entries), each checked to exist in the pinned chart's values.yaml.
   * @default - not recorded (an add-on whose pin lives outside lib/config/addon-pins.ts)
   */
  readonly valuesKeys?: readonly string[];
  /**
   * Components that run more than one replica in some environment, with how each elects a leader.
   * @default - none
   */
  readonly replicated?: readonly ReplicatedComponent[];
  /**
   * Argo CD `ignoreDifferences`: fields the add-on rewrites at run time (generated webhook
   * certificates), which Argo CD must neither flag nor overwrite.
   * @default - none
   */
  readonly ignoreDifferences?: readonly IgnoredDifference[];
}

/** One replica in development, `count` elsewhere (highly available controllers and webhooks). */
const ha = (config: EnvironmentConfig, count: number): number => (config.tier === 'development' ? 1 : count);

/** Scheduling onto the tainted system node pool: the values every add-on pod gets (under each chart's own keys). */
export const SYSTEM_POOL = {
  nodeSelector: { [NODE_POOL_LABEL]: NODE_POOLS.system },
  tolerations: [{ key: SYSTEM_POOL_TAINT.key, operator: 'Equal', value: SYSTEM_POOL_TAINT.value, effect: SYSTEM_POOL_TAINT.effect }],
} as const;

/**
 * Kyverno's pin. Chart 3.8.2 ships Kyverno v1.18.2 (kyverno/kyverno@v1.18.2:charts/kyverno/Chart.yaml:
 * `version: 3.8.2`, `appVersion: v1.18.2`, `kubeVersion: ">=1.25.0-0"`); Kyverno 1.18.x supports
 * Kubernetes 1.33 to 1.35 (kyverno/website@7c0814a:src/constants/version.ts `compatibilityMatrix`,
 * and src/content/docs/docs/installation/releases.md "Kubernetes Versions Supported: v1.33 - v1.35").
 * 1.19.0 exists but its support range was not yet published when this was pinned.
 */
export const KYVERNO_RELEASE = {
  chartVersion: '3.8.2',
  appVersion: 'v1.18.2',
  kubernetes: { min: '1.33', max: '1.35' },
  source: 'kyverno/website@7c0814a:src/constants/version.ts; kyverno/kyverno@v1.18.2:charts/kyverno/Chart.yaml',
} as const;

/**
 * Health of an Argo CD `Application` as a resource of another Application: without it the root
 * Application's sync waves do not wait for the add-ons they hold (Argo CD removed the built-in
 * check in 1.8). Transcribed from argoproj/argo-cd@v3.4.4:docs/operator-manual/health.md ("Argocd
 * App"; also docs/operator-manual/upgrading/1.7-1.8.md).
 */
export const APPLICATION_HEALTH_LUA = `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
`;

/** The `argocd-cm` key that holds `APPLICATION_HEALTH_LUA`. */
export const APPLICATION_HEALTH_KEY = 'resource.customizations.health.argoproj.io_Application';

/** The chart coordinates of a pinned add-on. */
const pinned = (name: PinnedAddon) => ({
  name,
  repoUrl: CHART_PINS[name].repoUrl,
  chart: CHART_PINS[name].chart,
  version: CHART_PINS[name].chartVersion,
});

/** The add-ons, in install order. */
export const ADDONS: readonly Addon[] = [
  {
    ...pinned('argo-cd'),
    purpose: 'GitOps: applies and keeps in sync every add-on below (and itself)',
    namespace: 'argocd',
    podSecurity: 'baseline',
    wave: 0,
    values: (config) => ({
      global: { domain: `argocd.${config.domain.zoneName}`, ...SYSTEM_POOL },
      dex: { enabled: false },
      configs: {
        // Sync waves of the root Application wait for the add-on Applications only with this check.
        cm: { [APPLICATION_HEALTH_KEY]: APPLICATION_HEALTH_LUA },
        // Karpenter's chart is in an OCI registry: Argo CD needs it declared (docs/operator-manual/declarative-setup.md "Helm").
        repositories: {
          karpenter: { name: 'karpenter', url: CHART_PINS.karpenter.repoUrl, type: 'helm', enableOCI: 'true' },
        },
      },
    }),
    valuesKeys: ['global.domain', 'global.nodeSelector', 'global.tolerations', 'dex.enabled', 'configs.cm', 'configs.repositories'],
  },
  {
    ...pinned('karpenter'),
    purpose: 'Node autoscaling: launches and consolidates nodes for pending pods (NodePools in cluster-config)',
    namespace: ADDON_IDENTITIES.karpenter.namespace,
    podSecurity: 'restricted',
    wave: 1,
    values: (config) => ({
      settings: { clusterName: clusterName(config.name), interruptionQueue: karpenterInterruptionQueueName(config.name) },
      replicas: ha(config, 2),
      // On the managed system group: the chart's default affinity keeps it off nodes it launched itself.
      nodeSelector: { 'kubernetes.io/os': 'linux', ...SYSTEM_POOL.nodeSelector },
      tolerations: SYSTEM_POOL.tolerations,
      // No instance metadata (hop limit 1): the region comes from here, the endpoint from eks:DescribeCluster.
      controller: { env: [{ name: 'AWS_REGION', value: config.region }] },
      serviceAccount: { create: true, name: ADDON_IDENTITIES.karpenter.serviceAccount },
    }),
    valuesKeys: [
      'settings.clusterName',
      'settings.interruptionQueue',
      'replicas',
      'nodeSelector',
      'tolerations',
      'controller.env',
      'serviceAccount.create',
      'serviceAccount.name',
    ],
    replicated: [
      {
        replicasKey: 'replicas',
        leaderElection: {
          onByDefault:
            'kubernetes-sigs/karpenter@6e7eab7a0f48 (the core karpenter-provider-aws v1.14.1 builds on):pkg/operator/options/options.go, DISABLE_LEADER_ELECTION defaults to false',
        },
      },
    ],
  },
  {
    ...pinned('external-secrets'),
    purpose: 'Syncs Secrets Manager secrets into Kubernetes Secrets (ExternalSecret, ClusterSecretStore)',
    namespace: ADDON_IDENTITIES.externalSecrets.namespace,
    podSecurity: 'restricted',
    wave: 1,
    values: (config) => {
      const replicas = ha(config, 2);
      const placement = {
        ...SYSTEM_POOL,
        priorityClassName: PRIORITY_CLASSES.platform.name,
        podDisruptionBudget: { enabled: replicas > 1 },
      };
      return {
        installCRDs: true,
        replicaCount: replicas,
        // The controller and the cert controller each run one active replica (finding 10).
        leaderElect: true,
        ...placement,
        webhook: { replicaCount: replicas, ...placement },
        certController: { replicaCount: replicas, ...placement },
        serviceAccount: { create: true, name: ADDON_IDENTITIES.externalSecrets.serviceAccount },
      };
    },
    valuesKeys: [
      'installCRDs',
      'replicaCount',
      'leaderElect',
      'nodeSelector',
      'tolerations',
      'priorityClassName',
      'podDisruptionBudget.enabled',
      'webhook.replicaCount',
      'webhook.nodeSelector',
      'webhook.tolerations',
      'webhook.priorityClassName',
      'webhook.podDisruptionBudget.enabled',
      'certController.replicaCount',
      'certController.nodeSelector',
      'certController.tolerations',
      'certController.priorityClassName',
      'certController.podDisruptionBudget.enabled',
      'serviceAccount.create',
      'serviceAccount.name',
    ],
    replicated: [
      { replicasKey: 'replicaCount', leaderElection: { valuesKey: 'leaderElect' } },
      // The chart passes leaderElect to the cert controller too (templates/cert-controller-deployment.yaml).
      { replicasKey: 'certController.replicaCount', leaderElection: { valuesKey: 'leaderElect' } },
      {
        replicasKey: 'webhook.replicaCount',
        leaderElection: { stateless: 'The webhook validates and converts requests; it reconciles nothing.' },
      },
    ],
  },
  {
    name: 'kyverno',
    purpose: 'Admission policies: images from our ECR only, signed outside dev, no :latest, required labels',
    repoUrl: 'https://kyverno.github.io/kyverno',
    chart: 'kyverno',
    version: KYVERNO_RELEASE.chartVersion,
    namespace: ADDON_IDENTITIES.kyverno.namespace,
    podSecurity: 'restricted',
    wave: 1,
    // Every key below exists in the chart's values.yaml at the pin (kyverno/kyverno@v1.18.2:charts/kyverno/values.yaml).
    values: (config) => ({
      admissionController: {
        replicas: ha(config, 3),
        priorityClassName: PRIORITY_CLASSES.platform.name,
        ...SYSTEM_POOL,
        // The service account CDK gives a Pod Identity (ClusterStack.addKyvernoRole) where signatures are verified.
        rbac: { serviceAccount: { name: ADDON_IDENTITIES.kyverno.serviceAccount } },
        // Pods cannot read instance metadata (hop limit 1): the KMS client gets the key's region here.
        container: { extraEnvVars: [{ name: 'AWS_REGION', value: imageSigningKey().region }] },
      },
      backgroundController: { replicas: ha(config, 2), ...SYSTEM_POOL },
      cleanupController: { replicas: 1, ...SYSTEM_POOL },
      reportsController: { replicas: 1, ...SYSTEM_POOL },
      // Registry credentials from the Pod Identity through the ECR credential helper, and no other helper.
      features: { registryClient: { credentialHelpers: ['amazon'] } },
      // The API server sends Kyverno only the workload namespaces' requests: a Kyverno outage can never
      // block the platform's own pods (Kyverno's namespace is excluded by the chart as well).
      config: {
        webhooks: {
          namespaceSelector: {
            matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...config.kubernetes.workloadNamespaces] }],
          },
        },
      },
    }),
    replicated: [
      // Each Kyverno controller always runs leader election (leaderelection.New in its main), kyverno/kyverno@v1.18.2:cmd/<controller>/main.go.
      {
        replicasKey: 'admissionController.replicas',
        leaderElection: { onByDefault: 'kyverno/kyverno@v1.18.2:cmd/kyverno/main.go' },
      },
      {
        replicasKey: 'backgroundController.replicas',
        leaderElection: { onByDefault: 'kyverno/kyverno@v1.18.2:cmd/background-controller/main.go' },
      },
    ],
  },
  {
    ...pinned('argo-rollouts'),
    purpose: 'Canary and blue/green rollouts with SLO analysis and automatic rollback',
    namespace: 'argo-rollouts',
    podSecurity: 'restricted',
    wave: 1,
    values: (config) => {
      const replicas = ha(config, 2);
      return {
        installCRDs: true,
        controller: {
          replicas,
          // The patch release tested on the clusters' Kubernetes version (see the pin).
          image: { tag: CHART_PINS['argo-rollouts'].appVersion },
          ...SYSTEM_POOL,
          priorityClassName: PRIORITY_CLASSES.platform.name,
          pdb: { enabled: replicas > 1 },
        },
        dashboard: { enabled: false },
      };
    },
    valuesKeys: [
      'installCRDs',
      'controller.replicas',
      'controller.image.tag',
      'controller.nodeSelector',
      'controller.tolerations',
      'controller.priorityClassName',
      'controller.pdb.enabled',
      'dashboard.enabled',
    ],
    replicated: [
      {
        replicasKey: 'controller.replicas',
        leaderElection: {
          onByDefault:
            'argoproj/argo-helm@argo-rollouts-2.41.0:charts/argo-rollouts/templates/controller/deployment.yaml passes --leader-elect when controller.replicas > 1',
        },
      },
    ],
  },
  {
    ...pinned('kube-prometheus-stack'),
    purpose:
      'prometheus-operator (and its CRDs), kube-state-metrics, Grafana; the Prometheus and Alertmanager themselves are in the monitoring chart',
    namespace: OBSERVABILITY_NAMESPACE,
    podSecurity: 'restricted',
    // Before cluster-config and the services: its CRDs (PodMonitor, PrometheusRule...) are used there.
    wave: 1,
    values: () => {
      const monitor = { additionalLabels: PROMETHEUS_SELECTOR_LABELS };
      return {
        // Every rule and dashboard is ours (cdk8s/monitoring/): parsed and checked against the metrics that exist.
        defaultRules: { create: false },
        // The Prometheus and Alertmanager resources are written by the monitoring chart (validated, selectors from one constant).
        prometheus: { enabled: false },
        alertmanager: { enabled: false },
        // node-exporter needs the host (Pod Security "privileged"): its own add-on in its own namespace.
        nodeExporter: { enabled: false },
        // The EKS control plane's components are not reachable from the nodes; kube-proxy listens on localhost.
        kubeControllerManager: { enabled: false },
        kubeScheduler: { enabled: false },
        kubeEtcd: { enabled: false },
        kubeProxy: { enabled: false },
        kubelet: { serviceMonitor: monitor },
        kubeApiServer: { serviceMonitor: monitor },
        coreDns: { serviceMonitor: monitor },
        prometheusOperator: {
          // The admission webhook's certificate is made by Helm hook jobs and patched into the webhook
          // configuration, which Argo CD would keep reverting; rules are checked in CI instead (every
          // expression parsed with Prometheus's grammar). Its TLS serving reads that certificate: off too.
          admissionWebhooks: { enabled: false },
          tls: { enabled: false },
          serviceMonitor: monitor,
          ...SYSTEM_POOL,
          priorityClassName: PRIORITY_CLASSES.platform.name,
        },
        'kube-state-metrics': {
          prometheus: { monitor },
          ...SYSTEM_POOL,
          priorityClassName: PRIORITY_CLASSES.platform.name,
        },
        grafana: {
          // Dashboards are code (ConfigMaps of the monitoring chart), not the chart's defaults.
          defaultDashboardsEnabled: false,
          // Argo CD renders without `lookup`, so the chart would make a new admin password on every sync:
          // the monitoring chart generates one once (External Secrets Password generator).
          admin: { existingSecret: GRAFANA_ADMIN_SECRET },
          sidecar: {
            dashboards: { searchNamespace: OBSERVABILITY_NAMESPACE },
            datasources: { url: PROMETHEUS_URL, uid: GRAFANA_DATASOURCE_UID, alertmanager: { enabled: false } },
          },
          serviceMonitor: { labels: PROMETHEUS_SELECTOR_LABELS },
          ...SYSTEM_POOL,
          priorityClassName: PRIORITY_CLASSES.platform.name,
        },
      };
    },
    valuesKeys: [
      'defaultRules.create',
      'prometheus.enabled',
      'alertmanager.enabled',
      'nodeExporter.enabled',
      'kubeControllerManager.enabled',
      'kubeScheduler.enabled',
      'kubeEtcd.enabled',
      'kubeProxy.enabled',
      'kubelet.serviceMonitor.additionalLabels',
      'kubeApiServer.serviceMonitor.additionalLabels',
      'coreDns.serviceMonitor.additionalLabels',
      'prometheusOperator.admissionWebhooks.enabled',
      'prometheusOperator.tls.enabled',
      'prometheusOperator.serviceMonitor.additionalLabels',
      'prometheusOperator.nodeSelector',
      'prometheusOperator.tolerations',
      // Commented examples in values.yaml, read by the templates (templates/prometheus-operator/deployment.yaml...).
      'prometheusOperator.priorityClassName',
      'kube-state-metrics.prometheus.monitor.additionalLabels',
      'kube-state-metrics.nodeSelector',
      'kube-state-metrics.tolerations',
      'kube-state-metrics.priorityClassName',
      'grafana.defaultDashboardsEnabled',
      'grafana.admin.existingSecret',
      'grafana.sidecar.dashboards.searchNamespace',
      'grafana.sidecar.datasources.url',
      'grafana.sidecar.datasources.uid',
      'grafana.sidecar.datasources.alertmanager.enabled',
      'grafana.serviceMonitor.labels',
      'grafana.nodeSelector',
      'grafana.tolerations',
      'grafana.priorityClassName',
    ],
    // One operator (no leader election: the chart's Deployment has `replicas: 1`), one kube-state-metrics
    // (two would export every series twice), one Grafana (its state is provisioned; no shared database).
  },
  {
    ...pinned('prometheus-node-exporter'),
    purpose: 'Node metrics (USE: CPU, memory, disk, network) from every node, for Prometheus',
    namespace: NODE_EXPORTER_NAMESPACE,
    // Host network, host PID and host paths: only "privileged" admits them (its namespace holds nothing else).
    podSecurity: 'privileged',
    wave: 1,
    values: () => ({
      // The flags and labels kube-prometheus-stack 88.3.0 gives its node-exporter (its values.yaml, `prometheus-node-exporter`).
      extraArgs: [
        '--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run/containerd/.+|var/lib/docker/.+|var/lib/kubelet/.+)($|/)',
        '--collector.filesystem.fs-types-exclude=^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs|erofs)$',
      ],
      podLabels: { jobLabel: 'node-exporter' },
      service: { labels: { jobLabel: 'node-exporter' } },
      prometheus: { monitor: { enabled: true, jobLabel: 'jobLabel', additionalLabels: PROMETHEUS_SELECTOR_LABELS } },
      // Every node, system pool included: the chart tolerates every NoSchedule taint by default.
      priorityClassName: 'system-node-critical',
    }),
    valuesKeys: [
      'extraArgs',
      'podLabels',
      'service.labels',
      'prometheus.monitor.enabled',
      'prometheus.monitor.jobLabel',
      'prometheus.monitor.additionalLabels',
      'priorityClassName',
    ],
  },
  {
    ...pinned('opentelemetry-collector'),
    purpose: "Receives the services' traces (OTLP) and exports them to AWS X-Ray",
    namespace: OTEL_COLLECTOR.namespace,
    podSecurity: 'restricted',
    wave: 2,
    values: (config) => {
      const replicas = ha(config, 2);
      return {
        mode: 'deployment',
        // The contrib distribution carries the awsxray exporter.
        image: { repository: 'otel/opentelemetry-collector-contrib' },
        command: { name: 'otelcol-contrib' },
        replicaCount: replicas,
        podDisruptionBudget: { enabled: replicas > 1, maxUnavailable: 1 },
        // The service account CDK gives a Pod Identity (ClusterStack.traceCollectorRole).
        serviceAccount: { create: true, name: OTEL_COLLECTOR.serviceAccount },
        ...SYSTEM_POOL,
        priorityClassName: PRIORITY_CLASSES.platform.name,
        podSecurityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '512Mi' } },
        // OTLP only (and the collector's own metrics, scraped by Prometheus).
        ports: {
          'jaeger-compact': { enabled: false },
          'jaeger-thrift': { enabled: false },
          'jaeger-grpc': { enabled: false },
          zipkin: { enabled: false },
          metrics: { enabled: true },
        },
        alternateConfig: otelCollectorConfig(config),
      };
    },
    valuesKeys: [
      'mode',
      'image.repository',
      'command.name',
      'replicaCount',
      'podDisruptionBudget.enabled',
      'podDisruptionBudget.maxUnavailable',
      'serviceAccount.create',
      'serviceAccount.name',
      'nodeSelector',
      'tolerations',
      'priorityClassName',
      'podSecurityContext',
      'securityContext',
      'resources',
      'ports.jaeger-compact.enabled',
      'ports.jaeger-thrift.enabled',
      'ports.jaeger-grpc.enabled',
      'ports.zipkin.enabled',
      'ports.metrics.enabled',
      'alternateConfig',
    ],
    replicated: [
      {
        replicasKey: 'replicaCount',
        leaderElection: {
          stateless: 'The collector receives and forwards spans; each replica exports what it received, it reconciles nothing.',
        },
      },
    ],
  },
  {
    ...pinned('aws-load-balancer-controller'),
    purpose: "Owns the environment's ALB from the services' Ingresses (IngressGroup), weighted canary actions",
    namespace: ADDON_IDENTITIES.awsLoadBalancerController.namespace,
    podSecurity: 'baseline',
    wave: 2,
    values: (config) => {
      const replicas = ha(config, 2);
      return {
        clusterName: clusterName(config.name),
        // No instance metadata (hop limit 1): region from config, the VPC by the Name tag the Network stack sets.
        region: config.region,
        vpcTags: { Name: vpcName(config.name) },
        replicaCount: replicas,
        ...SYSTEM_POOL,
        serviceAccount: { create: true, name: ADDON_IDENTITIES.awsLoadBalancerController.serviceAccount },
        enableServiceMutatorWebhook: false,
        // The cluster-config chart owns the IngressClass and its IngressClassParams (the ALB-level settings, once).
        createIngressClassResource: false,
        ...(replicas > 1 ? { podDisruptionBudget: { maxUnavailable: 1 } } : {}),
      };
    },
    valuesKeys: [
      'clusterName',
      'region',
      'vpcTags',
      'replicaCount',
      'nodeSelector',
      'tolerations',
      'serviceAccount.create',
      'serviceAccount.name',
      'enableServiceMutatorWebhook',
      'createIngressClassResource',
      'podDisruptionBudget',
    ],
    replicated: [
      {
        replicasKey: 'replicaCount',
        leaderElection: {
          onByDefault:
            'kubernetes-sigs/aws-load-balancer-controller@v3.5.0:pkg/config/runtime_config.go, --enable-leader-election defaults to true',
        },
      },
    ],
    // The chart generates the webhook certificate on every render; the controller keeps the one it
    // runs with (kubernetes-sigs/aws-load-balancer-controller@v3.5.0:docs/deploy/installation.md, "ArgoCD users").
    ignoreDifferences: [
      { kind: 'Secret', name: 'aws-load-balancer-tls', jqPathExpressions: ['.data'] },
      {
        group: 'admissionregistration.k8s.io',
        kind: 'MutatingWebhookConfiguration',
        name: 'aws-load-balancer-webhook',
        jqPathExpressions: ['.webhooks[].clientConfig.caBundle'],
      },
      {
        group: 'admissionregistration.k8s.io',
        kind: 'ValidatingWebhookConfiguration',
        name: 'aws-load-balancer-webhook',
        jqPathExpressions: ['.webhooks[].clientConfig.caBundle'],
      },
    ],
  },
  {
    ...pinned('external-dns'),
    purpose: "Publishes the API origin's DNS name (Route 53) from the Ingress host",
    namespace: ADDON_IDENTITIES.externalDns.namespace,
    podSecurity: 'restricted',
    wave: 2,
    values: (config) => ({
      provider: { name: 'aws' },
      sources: ['ingress'],
      domainFilters: [config.domain.zoneName],
      // Never delete a record it did not create; the TXT registry marks its own by cluster.
      policy: 'upsert-only',
      registry: 'txt',
      txtOwnerId: clusterName(config.name),
      priorityClassName: PRIORITY_CLASSES.platform.name,
      ...SYSTEM_POOL,
      // No instance metadata (hop limit 1): the region comes from here.
      env: [{ name: 'AWS_DEFAULT_REGION', value: config.region }],
      serviceAccount: { create: true, name: ADDON_IDENTITIES.externalDns.serviceAccount },
    }),
    // One replica, always: ExternalDNS has no leader election (the chart has no replica count).
    valuesKeys: [
      'provider.name',
      'sources',
      'domainFilters',
      'policy',
      'registry',
      'txtOwnerId',
      'priorityClassName',
      'nodeSelector',
      'tolerations',
      'env',
      'serviceAccount.create',
      'serviceAccount.name',
    ],
  },
];

/**
 * The collector's whole configuration (the chart's `alternateConfig`: not merged with the chart's
 * default receivers and pipelines, so what runs is exactly this). OTLP in, X-Ray out; no instance
 * metadata (the region is given, `local_mode` skips the EC2 metadata lookup), no telemetry records
 * (the role may only put trace segments: lib/constructs/policies/otel-collector.ts).
 */
export function otelCollectorConfig(config: EnvironmentConfig): Record<string, unknown> {
  const podIp = '${env:MY_POD_IP}';
  return {
    extensions: { health_check: { endpoint: `${podIp}:13133` } },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `${podIp}:${OTEL_COLLECTOR.otlpGrpcPort}` },
          http: { endpoint: `${podIp}:${OTEL_COLLECTOR.otlpHttpPort}` },
        },
      },
    },
    processors: {
      memory_limiter: { check_interval: '5s', limit_percentage: 80, spike_limit_percentage: 25 },
      batch: {},
    },
    exporters: {
      awsxray: { region: config.region, local_mode: true, telemetry: { enabled: false } },
    },
    service: {
      extensions: ['health_check'],
      telemetry: { metrics: { readers: [{ pull: { exporter: { prometheus: { host: podIp, port: OTEL_COLLECTOR.metricsPort } } } }] } },
      pipelines: { traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['awsxray'] } },
    },
  };
}
