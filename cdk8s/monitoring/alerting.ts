/**
 * Alertmanager's routing, by severity, to the same channels as the AWS side: `critical` pages
 * (PagerDuty) and posts to the chat channels of its severity, `warning` posts to chat, `info`
 * reaches no one (dashboards). Credentials never appear here: each channel's receiver names a key
 * of a Secret that External Secrets writes from the Secrets Manager secret
 * `alertingSecretName(env, channel)` (which the AWS side creates), and the operator reads it.
 *
 * `AlertmanagerConfig` (monitoring.coreos.com/v1alpha1) fields are those of prometheus-operator
 * v0.93.0 (pkg/apis/monitoring/v1alpha1/alertmanager_config_types.go): `pagerdutyConfigs[].routingKey`,
 * `slackConfigs[].apiURL`, `msteamsv2Configs[].webhookURL` (the Workflows webhook: Microsoft retires
 * the Office 365 connectors `msteamsConfigs` used), all `SecretKeySelector`s.
 */
import { AlertingChannel, alertingChannels, alertingSecretName, usedAlertingChannels } from '../../lib/config/observability';
import { EnvironmentConfig, Severity } from '../../lib/config/types';

/** Name of the AlertmanagerConfig that is the Alertmanager's whole configuration. */
export const ALERTMANAGER_CONFIG_NAME = 'platform';

/** Receiver that drops what it gets (info, and a severity with no channel configured). */
export const NULL_RECEIVER = 'null';

/** Labels alerts are grouped by in one notification. */
export const GROUP_BY = ['alertname', 'namespace', 'service'];

/** How often a still-firing alert is sent again, by severity. */
export const REPEAT_INTERVAL: Readonly<Record<Exclude<Severity, 'info'>, string>> = { critical: '1h', warning: '12h' };

/** The Kubernetes Secret holding one channel's credential, and the Secrets Manager secret it comes from. */
export interface AlertingSecret {
  readonly channel: AlertingChannel;
  /** Name of the Kubernetes Secret (and of its ExternalSecret). */
  readonly secretName: string;
  /** Its key. */
  readonly key: string;
  /** The Secrets Manager secret. */
  readonly remoteKey: string;
}

/** The secrets of the channels an environment uses. */
export function alertingSecrets(config: Pick<EnvironmentConfig, 'name' | 'alerts'>): AlertingSecret[] {
  return usedAlertingChannels(config.alerts).map((channel) => ({
    channel,
    secretName: `alerting-${channel}`,
    key: channel === 'pagerduty' ? 'routing-key' : 'webhook-url',
    remoteKey: alertingSecretName(config.name, channel),
  }));
}

type Obj = Record<string, unknown>;

/** The integrations of one receiver: one per channel, each reading its credential from its Secret. */
function integrations(channels: readonly AlertingChannel[], secrets: readonly AlertingSecret[], severity: Severity): Obj {
  const ref = (channel: AlertingChannel) => {
    const s = secrets.find((x) => x.channel === channel)!;
    return { name: s.secretName, key: s.key };
  };
  const title = `[${severity.toUpperCase()}] {{ .CommonLabels.alertname }} {{ .CommonLabels.service }}`;
  const text = '{{ range .Alerts }}{{ .Annotations.summary }}\n{{ .Annotations.description }}\n{{ end }}';
  const out: Obj = {};
  if (channels.includes('pagerduty')) {
    out.pagerdutyConfigs = [
      { routingKey: ref('pagerduty'), sendResolved: true, severity: severity === 'critical' ? 'critical' : 'warning' },
    ];
  }
  if (channels.includes('slack')) out.slackConfigs = [{ apiURL: ref('slack'), sendResolved: true, title, text }];
  if (channels.includes('teams')) out.msteamsv2Configs = [{ webhookURL: ref('teams'), sendResolved: true, title, text }];
  return out;
}

/**
 * An `AlertmanagerConfig` (monitoring.coreos.com/v1alpha1). The model package's type (operator
 * v0.65.1) lacks `msteamsv2Configs`, so the spec is plain data, checked field by field against the
 * pinned operator by `operatorFieldProblems` in the tests.
 */
export interface AlertmanagerConfigObject {
  readonly apiVersion: 'monitoring.coreos.com/v1alpha1';
  readonly kind: 'AlertmanagerConfig';
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: Obj;
}

/** The AlertmanagerConfig of an environment. */
export function alertmanagerConfig(config: Pick<EnvironmentConfig, 'name' | 'alerts'>, namespace: string): AlertmanagerConfigObject {
  const routes = alertingChannels(config.alerts);
  const secrets = alertingSecrets(config);
  const routed = (['critical', 'warning'] as const).filter((severity) => routes[severity].length > 0);
  return {
    apiVersion: 'monitoring.coreos.com/v1alpha1',
    kind: 'AlertmanagerConfig',
    metadata: { name: ALERTMANAGER_CONFIG_NAME, namespace },
    spec: {
      route: {
        receiver: NULL_RECEIVER,
        groupBy: GROUP_BY,
        groupWait: '30s',
        groupInterval: '5m',
        repeatInterval: '12h',
        routes: routed.map((severity) => ({
          receiver: severity,
          matchers: [{ name: 'severity', value: severity, matchType: '=' }],
          repeatInterval: REPEAT_INTERVAL[severity],
        })),
      },
      receivers: [
        { name: NULL_RECEIVER },
        ...routed.map((severity) => ({ name: severity, ...integrations(routes[severity], secrets, severity) })),
      ],
      // A page for an alert silences the warning of the same alert on the same target.
      inhibitRules: [
        {
          sourceMatch: [{ name: 'severity', value: 'critical', matchType: '=' }],
          targetMatch: [{ name: 'severity', value: 'warning', matchType: '=' }],
          equal: ['alertname', 'namespace', 'service', 'pod', 'container'],
        },
      ],
    },
  };
}
