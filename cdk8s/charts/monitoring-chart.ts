import type { IAlertmanager } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Alertmanager';
import type { IPodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import type { IPrometheus } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Prometheus';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ApiObject, Chart, ChartProps } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PROMETHEUS_EXTERNAL_LABELS } from '../../lib/config/alert-notification';
import { ADDON_IDENTITIES, clusterName } from '../../lib/config/naming';
import { OTEL_COLLECTOR, PROMETHEUS_SIZING } from '../../lib/config/observability';
import { SNS_API } from '../../lib/config/platform-resources';
import { ServiceSpec } from '../../lib/config/service-catalog';
import { EnvironmentConfig } from '../../lib/config/types';
import { SYSTEM_POOL } from '../addons';
import {
  LABELS,
  OBSERVABILITY_NAMESPACE,
  PRIORITY_CLASSES,
  PROMETHEUS_PORT,
  PROMETHEUS_SELECTOR_LABELS,
  platformLabels,
} from '../conventions';
import { EXTERNAL_SECRETS_API_VERSION, ExternalSecretV1 } from '../constructs/external-secrets';
import { DNS_EGRESS, egressRule } from '../constructs/microservice';
import { model } from '../constructs/model-object';
import { STORAGE_CLASS_NAME } from '../constructs/storage-class';
import { awsApiEgress, podIdentityAgentEgress } from '../egress';
import { ALERTMANAGER_CONFIG_NAME, alertmanagerConfig } from '../monitoring/alerting';
import { Dashboard, databaseDashboard, redDashboard, useDashboard } from '../monitoring/dashboards';
import { GRAFANA_ADMIN_SECRET, GRAFANA_DASHBOARD_LABEL } from '../monitoring/grafana';
import { platformRules } from '../monitoring/platform-rules';

/** Name of the platform's `Prometheus` and `Alertmanager` resources. */
export const MONITORING_NAME = 'platform';

/** Versions the operator runs (its end-to-end tests run these: prometheus-operator@v0.93.0 compatibility.md). */
export const MONITORING_VERSIONS = { prometheus: 'v3.13.1', alertmanager: 'v0.33.1' } as const;

/** Labels of the Prometheus pods (the operator sets `app.kubernetes.io/name: prometheus` itself; we state it to select on). */
export const PROMETHEUS_POD_LABELS = { [LABELS.name]: 'prometheus' } as const;

/** Labels of the Alertmanager pods (likewise). */
export const ALERTMANAGER_POD_LABELS = { [LABELS.name]: 'alertmanager' } as const;

/** Ports of Alertmanager: API and UI (`web`), and the cluster gossip between replicas (TCP and UDP). */
export const ALERTMANAGER_PORTS = { web: 9093, cluster: 9094 } as const;

/** Namespace of the Argo Rollouts controller: its analyses query Prometheus. */
export const ARGO_ROLLOUTS_NAMESPACE = 'argo-rollouts';

/** Props of `MonitoringChart`. */
export interface MonitoringChartProps extends ChartProps {
  /** The environment the manifests are for. */
  readonly config: EnvironmentConfig;
  /** The environment's services (the RED dashboard lists them). @default - none */
  readonly services?: readonly ServiceSpec[];
  /** Namespace of the Argo Rollouts controller (admitted to query Prometheus). @default ARGO_ROLLOUTS_NAMESPACE */
  readonly rolloutsNamespace?: string;
}

/**
 * The monitoring stack of an environment (`dist/<env>/0003-monitoring.k8s.yaml`), applied after the
 * add-ons (prometheus-operator and its CRDs) and the secret stores, before the services whose
 * rollout analyses query it: the `Prometheus` (selecting exactly `PROMETHEUS_SELECTOR_LABELS`,
 * storage on EBS gp3, highly available outside development) and its RBAC; the `Alertmanager`
 * publishing by severity to the environment's SNS alert topics with its Pod Identity role; the
 * platform rule set; self-monitoring; Grafana dashboards as ConfigMaps and Grafana's generated admin
 * login; NetworkPolicies that admit only what must reach Prometheus, Alertmanager and the collector.
 */
export class MonitoringChart extends Chart {
  constructor(scope: Construct, id: string, props: MonitoringChartProps) {
    const { config, services = [], rolloutsNamespace = ARGO_ROLLOUTS_NAMESPACE, ...chartProps } = props;
    super(scope, id, {
      ...chartProps,
      labels: { ...platformLabels(config.tags.Application, config.name), ...chartProps.labels },
    });
    const sizing = PROMETHEUS_SIZING[config.tier];
    const ns = OBSERVABILITY_NAMESPACE;
    const placement = {
      nodeSelector: { ...SYSTEM_POOL.nodeSelector },
      tolerations: SYSTEM_POOL.tolerations.map((t) => ({ ...t })),
      priorityClassName: PRIORITY_CLASSES.platform.name,
    };
    const podSecurity = {
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 2000,
      fsGroup: 2000,
      seccompProfile: { type: 'RuntimeDefault' },
    };
    const selector = { matchLabels: { ...PROMETHEUS_SELECTOR_LABELS } };
    const volume = (gib: number) => ({
      volumeClaimTemplate: {
        spec: { storageClassName: STORAGE_CLASS_NAME, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: `${gib}Gi` } } },
      },
    });
    const spreadOverZones = (labels: Record<string, string>) => [
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'ScheduleAnyway' as const,
        labelSelector: { matchLabels: labels },
      },
    ];

    // Prometheus: what it may read (upstream example RBAC, prometheus-operator@v0.93.0:example/rbac/prometheus/).
    new k8s.KubeServiceAccount(this, 'PrometheusServiceAccount', { metadata: { name: 'prometheus', namespace: ns } });
    new k8s.KubeClusterRole(this, 'PrometheusClusterRole', {
      metadata: { name: 'platform-prometheus' },
      rules: [
        { apiGroups: [''], resources: ['nodes', 'nodes/metrics', 'services', 'endpoints', 'pods'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'list', 'watch'] },
        { nonResourceUrLs: ['/metrics'], verbs: ['get'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'PrometheusClusterRoleBinding', {
      metadata: { name: 'platform-prometheus' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'platform-prometheus' },
      subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: ns }],
    });

    model<IPrometheus>(this, 'Prometheus', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'Prometheus',
      metadata: { name: MONITORING_NAME, namespace: ns },
      spec: {
        version: MONITORING_VERSIONS.prometheus,
        replicas: sizing.replicas,
        serviceAccountName: 'prometheus',
        podMetadata: { labels: { ...PROMETHEUS_POD_LABELS } },
        // Exactly what the platform's monitors and rules carry, in every namespace.
        podMonitorSelector: selector,
        podMonitorNamespaceSelector: {},
        serviceMonitorSelector: selector,
        serviceMonitorNamespaceSelector: {},
        ruleSelector: selector,
        ruleNamespaceSelector: {},
        scrapeInterval: '30s',
        evaluationInterval: '30s',
        retention: `${sizing.retentionDays}d`,
        // Keep 15% of the volume free: Prometheus deletes the oldest blocks before the disk fills.
        retentionSize: `${Math.floor(sizing.storageGiB * 0.85)}GB`,
        walCompression: true,
        storage: volume(sizing.storageGiB),
        // On every alert too: the notifications name the cluster and environment (lib/config/alert-notification.ts).
        externalLabels: {
          [PROMETHEUS_EXTERNAL_LABELS.cluster]: clusterName(config.name),
          [PROMETHEUS_EXTERNAL_LABELS.environment]: config.name,
        },
        alerting: {
          alertmanagers: [{ namespace: ns, name: 'alertmanager-operated', port: 'web', apiVersion: 'v2' }],
        },
        resources: {
          requests: { cpu: '500m', memory: `${sizing.memoryMiB}Mi` },
          limits: { memory: `${sizing.memoryMiB}Mi` },
        },
        securityContext: podSecurity,
        topologySpreadConstraints: spreadOverZones({ ...PROMETHEUS_POD_LABELS }),
        ...placement,
      },
    });

    // CDK gives this service account a Pod Identity role allowed to publish to the critical and warning
    // topics (ClusterStack.alertmanagerRole); its token for the Kubernetes API is not needed.
    const alertmanagerIdentity = ADDON_IDENTITIES.alertmanager;
    new k8s.KubeServiceAccount(this, 'AlertmanagerServiceAccount', {
      metadata: { name: alertmanagerIdentity.serviceAccount, namespace: alertmanagerIdentity.namespace },
      automountServiceAccountToken: false,
    });
    model<IAlertmanager>(this, 'Alertmanager', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'Alertmanager',
      metadata: { name: MONITORING_NAME, namespace: ns },
      spec: {
        version: MONITORING_VERSIONS.alertmanager,
        replicas: sizing.replicas,
        serviceAccountName: alertmanagerIdentity.serviceAccount,
        podMetadata: { labels: { ...ALERTMANAGER_POD_LABELS } },
        // The whole routing tree is this one AlertmanagerConfig (no namespace matcher is added to it).
        alertmanagerConfiguration: { name: ALERTMANAGER_CONFIG_NAME },
        retention: '120h',
        storage: volume(1),
        resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
        securityContext: podSecurity,
        topologySpreadConstraints: spreadOverZones({ ...ALERTMANAGER_POD_LABELS }),
        ...placement,
      },
    });
    new ApiObject(this, 'AlertmanagerConfig', alertmanagerConfig(config, ns));

    model<IPrometheusRule>(this, 'PlatformRules', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'platform', namespace: ns, labels: { ...PROMETHEUS_SELECTOR_LABELS } },
      spec: { groups: platformRules() },
    });

    // Self-monitoring: Prometheus, Alertmanager and the collector are scraped like everything else.
    const podMonitor = (id: string, name: string, labels: Record<string, string>, port: string) =>
      model<IPodMonitor>(this, id, {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PodMonitor',
        metadata: { name, namespace: ns, labels: { ...PROMETHEUS_SELECTOR_LABELS } },
        spec: { selector: { matchLabels: labels }, podMetricsEndpoints: [{ port, path: '/metrics', interval: '30s' }] },
      });
    podMonitor('PrometheusPodMonitor', 'prometheus', { ...PROMETHEUS_POD_LABELS }, 'web');
    podMonitor('AlertmanagerPodMonitor', 'alertmanager', { ...ALERTMANAGER_POD_LABELS }, 'web');
    podMonitor('CollectorPodMonitor', 'opentelemetry-collector', { ...OTEL_COLLECTOR.podLabels }, 'metrics');

    this.dashboards([redDashboard(services), useDashboard(), databaseDashboard()]);
    this.grafanaAdmin();
    this.networkPolicies(config, rolloutsNamespace);
  }

  /** Each dashboard as a ConfigMap Grafana's sidecar loads. */
  private dashboards(dashboards: readonly Dashboard[]): void {
    for (const d of dashboards) {
      new k8s.KubeConfigMap(this, `Dashboard-${d.uid}`, {
        metadata: { name: `dashboard-${d.uid}`, namespace: OBSERVABILITY_NAMESPACE, labels: { ...GRAFANA_DASHBOARD_LABEL } },
        data: { [`${d.uid}.json`]: JSON.stringify(d, null, 2) },
      });
    }
  }

  /**
   * Grafana's admin login, generated once in the cluster (External Secrets `Password` generator,
   * never refreshed): no password in any manifest, none in Secrets Manager to rotate by hand.
   */
  private grafanaAdmin(): void {
    const ns = OBSERVABILITY_NAMESPACE;
    new ApiObject(this, 'GrafanaAdminPassword', {
      apiVersion: 'generators.external-secrets.io/v1alpha1',
      kind: 'Password',
      metadata: { name: GRAFANA_ADMIN_SECRET, namespace: ns },
      spec: { length: 32, digits: 6, symbols: 0, noUpper: false, allowRepeat: true },
    });
    model<ExternalSecretV1>(this, 'GrafanaAdmin', {
      apiVersion: EXTERNAL_SECRETS_API_VERSION,
      kind: 'ExternalSecret',
      metadata: { name: GRAFANA_ADMIN_SECRET, namespace: ns },
      spec: {
        // "0": generated once, never replaced.
        refreshInterval: '0',
        target: {
          name: GRAFANA_ADMIN_SECRET,
          creationPolicy: 'Owner',
          // The keys the Grafana chart reads (`admin.userKey`, `admin.passwordKey` defaults).
          template: { data: { 'admin-user': 'admin', 'admin-password': '{{ .password }}' } },
        },
        dataFrom: [
          {
            sourceRef: {
              generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name: GRAFANA_ADMIN_SECRET },
            },
          },
        ],
      },
    });
  }

  /**
   * The observability namespace admits ingress only where it is needed: Prometheus from the Argo
   * Rollouts controller (analyses) and its own namespace (Grafana, its peer); Alertmanager from its
   * namespace (Prometheus, its peers' gossip); the collector from the workload namespaces (OTLP) and
   * its namespace (Prometheus scrapes its metrics). Egress stays open for Prometheus (it scrapes
   * every namespace and the nodes) and the collector; Alertmanager may reach only DNS, its peers,
   * the Pod Identity agent and the SNS API (the environment's interface endpoint, or the NAT).
   */
  private networkPolicies(config: EnvironmentConfig, rolloutsNamespace: string): void {
    const ns = OBSERVABILITY_NAMESPACE;
    const sameNamespace = { podSelector: {} };
    const namespace = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
    const tcp = (p: number) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(p) });
    const policy = (
      id: string,
      name: string,
      pods: Record<string, string>,
      ingress: k8s.NetworkPolicyIngressRule[],
      egress?: k8s.NetworkPolicyEgressRule[],
    ) =>
      new k8s.KubeNetworkPolicy(this, id, {
        metadata: { name, namespace: ns },
        spec: { podSelector: { matchLabels: pods }, policyTypes: egress ? ['Ingress', 'Egress'] : ['Ingress'], ingress, egress },
      });
    policy('PrometheusIngress', 'prometheus', { ...PROMETHEUS_POD_LABELS }, [
      { from: [namespace(rolloutsNamespace), sameNamespace], ports: [tcp(PROMETHEUS_PORT)] },
    ]);
    const gossip = [tcp(ALERTMANAGER_PORTS.cluster), { protocol: 'UDP', port: k8s.IntOrString.fromNumber(ALERTMANAGER_PORTS.cluster) }];
    policy(
      'AlertmanagerIngress',
      'alertmanager',
      { ...ALERTMANAGER_POD_LABELS },
      [{ from: [sameNamespace], ports: [tcp(ALERTMANAGER_PORTS.web), ...gossip] }],
      [
        DNS_EGRESS,
        { to: [{ podSelector: { matchLabels: { ...ALERTMANAGER_POD_LABELS } } }], ports: gossip },
        egressRule(podIdentityAgentEgress()),
        egressRule(awsApiEgress(SNS_API, config)),
      ],
    );
    policy('CollectorIngress', 'opentelemetry-collector', { ...OTEL_COLLECTOR.podLabels }, [
      {
        from: [
          {
            namespaceSelector: {
              matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...config.kubernetes.workloadNamespaces] }],
            },
          },
        ],
        ports: [tcp(OTEL_COLLECTOR.otlpHttpPort), tcp(OTEL_COLLECTOR.otlpGrpcPort)],
      },
      { from: [sameNamespace], ports: [tcp(OTEL_COLLECTOR.metricsPort)] },
    ]);
  }
}
