import { App, Testing } from 'cdk8s';
import { ADDONS, otelCollectorConfig } from '../../../cdk8s/addons';
import { MONITORING_NAME, MonitoringChart, PROMETHEUS_POD_LABELS } from '../../../cdk8s/charts/monitoring-chart';
import { OBSERVABILITY_NAMESPACE, PROMETHEUS_PORT, PROMETHEUS_SELECTOR_LABELS, PROMETHEUS_URL } from '../../../cdk8s/conventions';
import { buildCharts, documentsOf } from '../../../cdk8s/main';
import { ALERTMANAGER_CONFIG_NAME, GROUP_BY, NULL_RECEIVER } from '../../../cdk8s/monitoring/alerting';
import { GRAFANA_ADMIN_SECRET } from '../../../cdk8s/monitoring/grafana';
import { KubeDocument } from '../../../cdk8s/policies';
import { STORAGE_CLASS_NAME } from '../../../cdk8s/constructs/storage-class';
import { operatorFieldProblems } from '../../../cdk8s/constructs/prometheus-operator';
import { dev, ENVIRONMENTS, prod } from '../../../lib/config/environments';
import { OTEL_COLLECTOR, PROMETHEUS_SIZING, otlpEndpoint } from '../../../lib/config/observability';
import {
  ALERT_GROUP_BY,
  PROMETHEUS_EXTERNAL_LABELS,
  alertNotificationTemplate,
  alertSubjectTemplate,
} from '../../../lib/config/alert-notification';
import { ADDON_IDENTITIES, clusterName } from '../../../lib/config/naming';
import { alertTopicArn } from '../../../lib/config/observability-names';
import { EnvironmentConfig } from '../../../lib/config/types';
import { selects } from '../../contracts/network-policy';

const ENVS = ENVIRONMENTS.map((c) => [c.name, c] as [string, EnvironmentConfig]);
const BUILT = new Map(ENVIRONMENTS.map((c) => [c.name, documentsOf(buildCharts(new App(), c))]));
const docsOf = (name: string) => BUILT.get(name)!;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Helm values are untyped JSON
const values = (config: EnvironmentConfig, name: string) => ADDONS.find((a) => a.name === name)!.values(config) as Record<string, any>;
/** An environment whose severities post to chat too: critical to Slack and Teams, warning to Slack (chat is the AWS side's). */
const withChat: EnvironmentConfig = {
  ...prod,
  alerts: {
    critical: { emails: [], slackChannelId: 'C0CRITICAL1', teamsChannelId: '19:critical@thread.tacv2' },
    warning: { emails: [], slackChannelId: 'C0WARNING01' },
    info: { emails: [] },
  },
};
const chart = (config: EnvironmentConfig): KubeDocument[] => Testing.synth(new MonitoringChart(Testing.app(), 'monitoring', { config }));

/** Value at a dotted path (keys may contain dashes). */
const at = (obj: unknown, dotted: string): unknown =>
  dotted.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);

describe.each(ENVS)('%s: the Prometheus that exists selects every monitor and rule set', (name, config) => {
  const docs = docsOf(name);
  const prometheus = docs.filter((d) => d.kind === 'Prometheus');

  test('one Prometheus, in the observability namespace; the analyses query its governing Service', () => {
    expect(prometheus).toHaveLength(1);
    expect(prometheus[0].metadata).toMatchObject({ name: MONITORING_NAME, namespace: OBSERVABILITY_NAMESPACE });
    // prometheus-operator names the governing Service of every Prometheus of a namespace `prometheus-operated`, port `web` 9090
    expect(PROMETHEUS_URL).toBe(`http://prometheus-operated.${prometheus[0].metadata.namespace}.svc.cluster.local:${PROMETHEUS_PORT}`);
    const addresses = docs
      .filter((d) => d.kind === 'AnalysisTemplate')
      .flatMap((d) => d.spec.metrics.map((m: { provider: { prometheus: { address: string } } }) => m.provider.prometheus.address));
    expect(addresses.length).toBeGreaterThan(0);
    expect(new Set(addresses)).toEqual(new Set([PROMETHEUS_URL]));
    // Grafana's data source is the same address
    expect(values(config, 'kube-prometheus-stack').grafana.sidecar.datasources.url).toBe(PROMETHEUS_URL);
  });

  test('every PodMonitor, ServiceMonitor and PrometheusRule written is selected (label and namespace)', () => {
    const spec = prometheus[0].spec;
    const selectorOf: Record<string, [string, string]> = {
      PodMonitor: ['podMonitorSelector', 'podMonitorNamespaceSelector'],
      ServiceMonitor: ['serviceMonitorSelector', 'serviceMonitorNamespaceSelector'],
      PrometheusRule: ['ruleSelector', 'ruleNamespaceSelector'],
    };
    const monitors = docs.filter((d) => selectorOf[d.kind]);
    expect(new Set(monitors.map((d) => d.kind))).toEqual(new Set(['PodMonitor', 'PrometheusRule']));
    for (const d of monitors) {
      const [labels, namespaces] = selectorOf[d.kind];
      // a nil selector selects nothing: it must be set, and an empty namespace selector means every namespace
      expect(spec[labels]).toBeDefined();
      expect(spec[namespaces]).toEqual({});
      expect([d.kind, d.metadata.name, selects(spec[labels], d.metadata.labels ?? {})]).toEqual([d.kind, d.metadata.name, true]);
    }
    // the selector is exactly the platform's label, nothing wider
    for (const [labels] of Object.values(selectorOf)) expect(spec[labels]).toEqual({ matchLabels: PROMETHEUS_SELECTOR_LABELS });
  });

  test("the monitors the add-ons' charts make carry the same label, through their values", () => {
    const kps = values(config, 'kube-prometheus-stack');
    const selector = prometheus[0].spec.serviceMonitorSelector;
    // kube-prometheus-stack 88.3.0 templates: exporters/kubelet, kube-api-server, core-dns, prometheus-operator servicemonitor.yaml
    // (`additionalLabels`), the kube-state-metrics chart's `prometheus.monitor.additionalLabels`, Grafana's `serviceMonitor.labels`
    const chartMonitors: [string, unknown][] = [
      ['kubelet (cAdvisor)', at(kps, 'kubelet.serviceMonitor.additionalLabels')],
      ['kube-apiserver', at(kps, 'kubeApiServer.serviceMonitor.additionalLabels')],
      ['CoreDNS', at(kps, 'coreDns.serviceMonitor.additionalLabels')],
      ['prometheus-operator', at(kps, 'prometheusOperator.serviceMonitor.additionalLabels')],
      ['kube-state-metrics', at(kps, 'kube-state-metrics.prometheus.monitor.additionalLabels')],
      ['Grafana', at(kps, 'grafana.serviceMonitor.labels')],
      ['node-exporter', at(values(config, 'prometheus-node-exporter'), 'prometheus.monitor.additionalLabels')],
    ];
    for (const [what, labels] of chartMonitors) {
      expect([what, selects(selector, (labels ?? {}) as Record<string, string>)]).toEqual([what, true]);
    }
    expect(at(values(config, 'prometheus-node-exporter'), 'prometheus.monitor.enabled')).toBe(true);
  });

  test("each service's PodMonitor selects its pods on a port they expose", () => {
    const workloads = docs.filter((d) => d.kind === 'Rollout' || d.kind === 'Deployment');
    for (const monitor of docs.filter((d) => d.kind === 'PodMonitor' && d.metadata.namespace !== OBSERVABILITY_NAMESPACE)) {
      const workload = workloads.find((w) => w.metadata.name === monitor.metadata.name)!;
      const template = workload.spec.template;
      expect(selects(monitor.spec.selector, template.metadata.labels)).toBe(true);
      const ports = template.spec.containers.flatMap((c: { ports: { name: string }[] }) => c.ports.map((p) => p.name));
      expect(ports).toContain(monitor.spec.podMetricsEndpoints[0].port);
    }
  });

  test('every ExternalSecret reads through a store that exists for its namespace; none in the observability namespace reads a store', () => {
    // GIVEN every ExternalSecret of the environment that reads a store (Grafana's login comes from a generator)
    const externalSecrets = docs.filter((d) => d.kind === 'ExternalSecret' && d.spec.secretStoreRef);
    expect(externalSecrets.length).toBeGreaterThan(0);
    // THEN nothing of the observability namespace reads Secrets Manager (Alertmanager publishes to SNS with its Pod Identity)
    expect(externalSecrets.filter((e) => e.metadata.namespace === OBSERVABILITY_NAMESPACE).map((e) => e.metadata.name)).toEqual([]);
    expect(docs.filter((d) => d.kind === 'SecretStore' && d.metadata.namespace === OBSERVABILITY_NAMESPACE)).toEqual([]);
    // and each store named exists: a SecretStore in the ExternalSecret's namespace, or a ClusterSecretStore admitting it
    for (const es of externalSecrets) {
      const { kind, name: storeName } = es.spec.secretStoreRef;
      const namespace = es.metadata.namespace;
      const store = docs.find(
        (d) => d.kind === kind && d.metadata.name === storeName && (kind === 'ClusterSecretStore' || d.metadata.namespace === namespace),
      );
      const admitted =
        kind === 'ClusterSecretStore'
          ? (store?.spec.conditions ?? []).flatMap((c: { namespaces: string[] }) => c.namespaces).includes(namespace)
          : store !== undefined;
      expect([namespace, es.metadata.name, kind, storeName, admitted]).toEqual([namespace, es.metadata.name, kind, storeName, true]);
    }
  });

  test('cluster-scoped objects carry no namespace (the monitoring chart sets it object by object)', () => {
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'PriorityClass', 'ClusterSecretStore'];
    const wrong = docs.filter((d) => clusterScoped.includes(d.kind) && d.metadata.namespace !== undefined);
    expect(wrong.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([]);
    expect(docs.filter((d) => d.kind === 'ClusterRole').length).toBeGreaterThan(0);
  });

  test('the selection check is not vacuous: a monitor without the label is not selected', () => {
    expect(selects(prometheus[0].spec.podMonitorSelector, { 'app.kubernetes.io/name': 'web-api' })).toBe(false);
  });

  test('Prometheus is sized by tier, keeps its data on EBS gp3 and spreads over zones; Alertmanager alike', () => {
    const sizing = PROMETHEUS_SIZING[config.tier];
    expect(prometheus[0].spec).toMatchObject({
      replicas: sizing.replicas,
      retention: `${sizing.retentionDays}d`,
      storage: {
        volumeClaimTemplate: {
          spec: { storageClassName: STORAGE_CLASS_NAME, resources: { requests: { storage: `${sizing.storageGiB}Gi` } } },
        },
      },
      podMetadata: { labels: PROMETHEUS_POD_LABELS },
      externalLabels: { environment: name },
    });
    expect(docs.find((d) => d.kind === 'StorageClass')!.metadata.name).toBe(STORAGE_CLASS_NAME);
    expect(docs.find((d) => d.kind === 'Alertmanager')!.spec).toMatchObject({
      replicas: sizing.replicas,
      alertmanagerConfiguration: { name: ALERTMANAGER_CONFIG_NAME },
    });
    expect(prometheus[0].spec.alerting.alertmanagers).toEqual([
      { namespace: OBSERVABILITY_NAMESPACE, name: 'alertmanager-operated', port: 'web', apiVersion: 'v2' },
    ]);
    if (config.tier !== 'development') expect(sizing.replicas).toBeGreaterThan(1);
  });
});

describe("Alertmanager publishes by severity to the AWS side's alert topics, with its Pod Identity", () => {
  const spec = (docs: KubeDocument[]) => docs.find((d) => d.kind === 'AlertmanagerConfig')!.spec;
  const receiver = (docs: KubeDocument[], n: string) => spec(docs).receivers.find((r: { name: string }) => r.name === n);

  test.each(ENVS)('%s: critical to the critical topic, warning to the warning topic, info to no one', (name, config) => {
    const docs = docsOf(name);
    expect(spec(docs).route).toMatchObject({ receiver: NULL_RECEIVER, groupBy: [...ALERT_GROUP_BY] });
    expect(spec(docs).route.routes).toEqual([
      { receiver: 'critical', matchers: [{ name: 'severity', value: 'critical', matchType: '=' }], repeatInterval: '1h' },
      { receiver: 'warning', matchers: [{ name: 'severity', value: 'warning', matchType: '=' }], repeatInterval: '12h' },
    ]);
    expect(receiver(docs, NULL_RECEIVER)).toEqual({ name: NULL_RECEIVER });
    for (const severity of ['critical', 'warning'] as const) {
      // the one integration of each receiver is SNS: no pager key, no webhook, whatever the environment (dev pages nobody: its
      // critical topic has no pager behind it)
      expect(Object.keys(receiver(docs, severity)).sort()).toEqual(['name', 'snsConfigs']);
      expect(receiver(docs, severity).snsConfigs).toEqual([
        {
          topicARN: alertTopicArn(name, severity, 'regional', config.account, config.region),
          // a region and nothing else: no keys, no role to assume; the SDK's default chain finds the Pod Identity
          sigv4: { region: config.region },
          subject: alertSubjectTemplate(),
          message: alertNotificationTemplate(),
          sendResolved: true,
        },
      ]);
    }
    expect(receiver(docs, 'critical').snsConfigs[0].topicARN).toBe(
      `arn:aws:sns:${config.region}:${config.account}:saas-platform-${name}-alerts-critical`,
    );
    // a page silences the warning of the same alert on the same target
    expect(spec(docs).inhibitRules[0]).toMatchObject({ sourceMatch: [{ value: 'critical' }], targetMatch: [{ value: 'warning' }] });
  });

  test('the chat channels of the environment change nothing in the cluster (they subscribe to the topics on the AWS side)', () => {
    expect(spec(chart(withChat))).toEqual(spec(chart(prod)));
  });

  test.each(ENVS)(
    "%s: Alertmanager runs as the service account CDK gives a role; the chart's own Alertmanager (and its account) is off",
    (name, config) => {
      const docs = docsOf(name);
      const identity = ADDON_IDENTITIES.alertmanager;
      const alertmanager = docs.find((d) => d.kind === 'Alertmanager')!;
      expect([alertmanager.metadata.namespace, alertmanager.spec.serviceAccountName]).toEqual([
        identity.namespace,
        identity.serviceAccount,
      ]);
      const account = docs.find((d) => d.kind === 'ServiceAccount' && d.metadata.name === identity.serviceAccount)!;
      expect(account.metadata.namespace).toBe(identity.namespace);
      // kube-prometheus-stack 88.3.0 makes its Alertmanager's service account only with alertmanager.enabled
      // (templates/alertmanager/serviceaccount.yaml): no second account of that name competes for the association
      expect(values(config, 'kube-prometheus-stack').alertmanager.enabled).toBe(false);
    },
  );

  test.each(ENVS)('%s: the labels the notification reads are on every alert: grouped by, and added by Prometheus', (name) => {
    const prometheus = docsOf(name).find((d) => d.kind === 'Prometheus')!;
    expect(GROUP_BY).toEqual(ALERT_GROUP_BY);
    expect(prometheus.spec.externalLabels).toEqual({
      [PROMETHEUS_EXTERNAL_LABELS.cluster]: clusterName(name),
      [PROMETHEUS_EXTERNAL_LABELS.environment]: name,
    });
  });

  test.each(ENVS)('%s: no webhook URL, routing key or password in any manifest, and no Secret', (name) => {
    const text = JSON.stringify(docsOf(name)) + JSON.stringify(chart(withChat));
    for (const leak of [
      /hooks\.slack\.com/,
      /webhook\.office\.com/,
      /logic\.azure\.com/,
      /events\.pagerduty\.com/,
      /"password":/i,
      /routingKey/,
      /apiURL/,
      /webhookURL/,
    ]) {
      expect(text).not.toMatch(leak);
    }
    expect(docsOf(name).filter((d) => d.kind === 'Secret')).toEqual([]);
    // the only ExternalSecret of the observability namespace is Grafana's generated login
    expect(
      docsOf(name)
        .filter((d) => d.kind === 'ExternalSecret' && d.metadata.namespace === OBSERVABILITY_NAMESPACE)
        .map((d) => d.metadata.name),
    ).toEqual([GRAFANA_ADMIN_SECRET]);
  });
});

describe("Grafana's admin login is generated in the cluster, once", () => {
  test('a Password generator feeds the Secret the Grafana chart reads; it is never refreshed', () => {
    const docs = chart(dev);
    expect(docs.find((d) => d.kind === 'Password')!.metadata.name).toBe(GRAFANA_ADMIN_SECRET);
    const es = docs.find((d) => d.kind === 'ExternalSecret' && d.metadata.name === GRAFANA_ADMIN_SECRET)!;
    expect(es.spec.refreshInterval).toBe('0');
    expect(es.spec.dataFrom[0].sourceRef.generatorRef).toMatchObject({ kind: 'Password', name: GRAFANA_ADMIN_SECRET });
    expect(Object.keys(es.spec.target.template.data).sort()).toEqual(['admin-password', 'admin-user']);
    expect(values(dev, 'kube-prometheus-stack').grafana.admin.existingSecret).toBe(GRAFANA_ADMIN_SECRET);
  });

  test('dashboards as code: RED per service, USE per node, the database pools; read-only, on the Prometheus data source', () => {
    const dashboards = chart(dev)
      .filter((d) => d.kind === 'ConfigMap' && d.metadata.labels?.grafana_dashboard === '1')
      .map((d) => JSON.parse(Object.values(d.data as Record<string, string>)[0]));
    expect(dashboards.map((d) => d.uid)).toEqual(['platform-red', 'platform-use', 'platform-database']);
    for (const d of dashboards) {
      expect(d.editable).toBe(false);
      for (const p of d.panels) expect(p.datasource).toEqual({ type: 'prometheus', uid: 'prometheus' });
    }
  });
});

describe('the add-ons of the monitoring stack', () => {
  test.each(ENVS)(
    '%s: kube-prometheus-stack brings the operator and exporters; the Prometheus, Alertmanager and rules are ours',
    (_n, config) => {
      expect(values(config, 'kube-prometheus-stack')).toMatchObject({
        defaultRules: { create: false },
        prometheus: { enabled: false },
        alertmanager: { enabled: false },
        nodeExporter: { enabled: false },
        grafana: { defaultDashboardsEnabled: false },
        prometheusOperator: { admissionWebhooks: { enabled: false }, tls: { enabled: false } },
      });
      expect(ADDONS.find((a) => a.name === 'prometheus-node-exporter')!.namespace).toBe('node-exporter');
    },
  );

  test.each(ENVS)(
    '%s: the collector receives OTLP and exports to X-Ray in the region, with nothing needing more than PutTraceSegments',
    (_n, config) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the collector configuration is untyped YAML
      const collector = otelCollectorConfig(config) as Record<string, any>;
      expect(collector.service.pipelines).toEqual({
        traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['awsxray'] },
      });
      // the region comes from config (no instance metadata), no telemetry records (the role does not allow them)
      expect(collector.exporters.awsxray).toEqual({ region: config.region, local_mode: true, telemetry: { enabled: false } });
      expect(collector.receivers.otlp.protocols.http.endpoint).toBe(`\${env:MY_POD_IP}:${OTEL_COLLECTOR.otlpHttpPort}`);
      expect(otlpEndpoint()).toBe(`http://${OTEL_COLLECTOR.serviceName}.${OTEL_COLLECTOR.namespace}.svc.cluster.local:4318`);
      expect(values(config, 'opentelemetry-collector')).toMatchObject({
        mode: 'deployment',
        serviceAccount: { create: true, name: OTEL_COLLECTOR.serviceAccount },
        alternateConfig: collector,
      });
    },
  );
});

describe('prometheus-operator documents are checked against the pinned operator, not only the older model schemas', () => {
  const doc = (kind: string) => JSON.parse(JSON.stringify(chart(withChat).find((d) => d.kind === kind)));

  test('the documents written are clean, the SNS receivers included', () => {
    for (const kind of ['Prometheus', 'Alertmanager', 'AlertmanagerConfig', 'PrometheusRule', 'PodMonitor']) {
      expect([kind, operatorFieldProblems(doc(kind))]).toEqual([kind, []]);
    }
    expect(JSON.stringify(doc('AlertmanagerConfig'))).toContain('snsConfigs');
  });

  test('a misspelled field, a field the operator does not have and an unknown kind are each reported', () => {
    const prometheusDoc = doc('Prometheus');
    prometheusDoc.spec.retentionDays = 7;
    prometheusDoc.spec.storage.volumeClaimTemplate.spec.storageClass = 'gp3';
    expect(operatorFieldProblems(prometheusDoc)).toEqual([
      "Prometheus platform: spec.storage.volumeClaimTemplate.spec.storageClass is not a field of the pinned operator's Prometheus (or not yet transcribed)",
      "Prometheus platform: spec.retentionDays is not a field of the pinned operator's Prometheus (or not yet transcribed)",
    ]);
    const amc = doc('AlertmanagerConfig');
    amc.spec.receivers[1].msteamsConfigs = [{ webhookUrl: { name: 'a', key: 'b' } }];
    expect(operatorFieldProblems(amc)).toEqual([
      "AlertmanagerConfig platform: spec.receivers[].msteamsConfigs[].webhookUrl.name is not a field of the pinned operator's AlertmanagerConfig (or not yet transcribed)",
      "AlertmanagerConfig platform: spec.receivers[].msteamsConfigs[].webhookUrl.key is not a field of the pinned operator's AlertmanagerConfig (or not yet transcribed)",
    ]);
    expect(operatorFieldProblems({ kind: 'ThanosRuler', spec: {} })).toEqual([
      'ThanosRuler: no field list for this kind in cdk8s/constructs/prometheus-operator.ts',
    ]);
  });
});
