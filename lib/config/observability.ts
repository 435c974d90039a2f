/**
 * Names of the in-cluster observability stack that cross a boundary: the namespace it runs in, the
 * OpenTelemetry collector services send traces to (its Pod Identity on the AWS side, its address on
 * the Kubernetes side), and the Secrets Manager secrets Alertmanager reads its channel credentials
 * from (created by the AWS side, read by External Secrets). Pure data and functions of config; no
 * imports beyond lib/config.
 */
import { ADDON_IDENTITIES, secretsManagerName } from './naming';
import { AlertChannel, EnvironmentTier, Severity } from './types';

export { OBSERVABILITY_NAMESPACE } from './naming';

/**
 * Namespace of node-exporter. Its pods need the host network, the host PID namespace and host
 * paths, which only Pod Security "privileged" admits: it gets a namespace of its own so that
 * `observability` stays "restricted".
 */
export const NODE_EXPORTER_NAMESPACE = 'node-exporter';

/**
 * The OpenTelemetry collector (the `opentelemetry-collector` add-on, deployment mode): where
 * services send OTLP, and the identity it exports to AWS X-Ray with. The Service and pod labels
 * are the chart's for a release named like the add-on: `fullname` is the release name when it
 * contains the chart name, the selector labels are `app.kubernetes.io/name` (chart name) and
 * `app.kubernetes.io/instance` (release name), open-telemetry/opentelemetry-helm-charts@opentelemetry-collector-0.170.0:
 * charts/opentelemetry-collector/templates/_helpers.tpl (`opentelemetry-collector.fullname`, `.selectorLabels`).
 */
export const OTEL_COLLECTOR = {
  /** Add-on (Argo CD Application and Helm release) name. */
  release: 'opentelemetry-collector',
  namespace: ADDON_IDENTITIES.otelCollector.namespace,
  /** The Service (chart `fullname`). */
  serviceName: 'opentelemetry-collector',
  /** The service account CDK gives a Pod Identity (X-Ray), set in the chart values. */
  serviceAccount: ADDON_IDENTITIES.otelCollector.serviceAccount,
  /** Labels of its pods. */
  podLabels: { 'app.kubernetes.io/name': 'opentelemetry-collector', 'app.kubernetes.io/instance': 'opentelemetry-collector' },
  /** OTLP over HTTP (protobuf): what the services use. */
  otlpHttpPort: 4318,
  /** OTLP over gRPC, for SDKs configured for it. */
  otlpGrpcPort: 4317,
  /** The collector's own metrics (Prometheus format). */
  metricsPort: 8888,
} as const;

/** The OTLP endpoint services export traces to: `http://opentelemetry-collector.observability.svc.cluster.local:4318`. */
export function otlpEndpoint(): string {
  return `http://${OTEL_COLLECTOR.serviceName}.${OTEL_COLLECTOR.namespace}.svc.cluster.local:${OTEL_COLLECTOR.otlpHttpPort}`;
}

/**
 * Where Alertmanager sends notifications. Each channel's credential is one Secrets Manager secret
 * whose value is the plain string (no JSON): the Slack incoming-webhook URL, the Microsoft Teams
 * (Workflows) webhook URL, the PagerDuty Events API v2 routing key.
 */
export type AlertingChannel = 'pagerduty' | 'slack' | 'teams';

/** The channels, for validation and docs. */
export const ALERTING_CHANNELS: readonly AlertingChannel[] = ['pagerduty', 'slack', 'teams'];

/**
 * Name of the Secrets Manager secret holding a channel's credential, e.g.
 * `saas-platform/prod/alerting/pagerduty`. The AWS side (Observability stack) creates it; External
 * Secrets delivers it to Alertmanager; the pager router reads the same PagerDuty key.
 */
export function alertingSecretName(environmentName: string, channel: AlertingChannel): string {
  return secretsManagerName(environmentName, `alerting/${channel}`);
}

/**
 * The channels alerts of each severity reach from the cluster: `critical` pages (PagerDuty) and is
 * posted to the chat channels of its severity; `warning` goes to chat only; `info` is for
 * dashboards and reaches no one. A chat channel counts when the severity's `AlertChannel` names it
 * (`slackChannelId`, `teamsChannelId`): the same entries that route the AWS side through Chatbot.
 */
export function alertingChannels(alerts: Readonly<Record<Severity, AlertChannel>>): Record<Severity, AlertingChannel[]> {
  const chat = (channel: AlertChannel): AlertingChannel[] => [
    ...(channel.slackChannelId ? (['slack'] as const) : []),
    ...(channel.teamsChannelId ? (['teams'] as const) : []),
  ];
  return { critical: ['pagerduty', ...chat(alerts.critical)], warning: chat(alerts.warning), info: [] };
}

/** Every channel some severity uses in an environment (one secret each). */
export function usedAlertingChannels(alerts: Readonly<Record<Severity, AlertChannel>>): AlertingChannel[] {
  const used = new Set(Object.values(alertingChannels(alerts)).flat());
  return ALERTING_CHANNELS.filter((c) => used.has(c));
}

/** How big the in-cluster Prometheus is, per tier. */
export interface PrometheusSizing {
  /** Replicas of Prometheus and of Alertmanager (two scrape the same targets; Alertmanager deduplicates). */
  readonly replicas: number;
  /** Days of metrics kept on the volume. */
  readonly retentionDays: number;
  /** Size of each replica's EBS gp3 volume, GiB. */
  readonly storageGiB: number;
  /** Memory request (and limit) of each Prometheus replica, MiB. */
  readonly memoryMiB: number;
}

/** Prometheus sizes by environment tier (data, not branches). */
export const PROMETHEUS_SIZING: Readonly<Record<EnvironmentTier, PrometheusSizing>> = {
  development: { replicas: 1, retentionDays: 7, storageGiB: 20, memoryMiB: 2048 },
  staging: { replicas: 2, retentionDays: 15, storageGiB: 50, memoryMiB: 4096 },
  production: { replicas: 2, retentionDays: 30, storageGiB: 200, memoryMiB: 8192 },
};
