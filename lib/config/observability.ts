/**
 * Names of the in-cluster observability stack that cross a boundary: the namespace it runs in and
 * the OpenTelemetry collector services send traces to (its Pod Identity on the AWS side, its address
 * on the Kubernetes side). Alertmanager publishes to the AWS side's alert topics
 * (`alertTopicArn`, lib/config/observability-names.ts) in the message of lib/config/alert-notification.ts.
 *
 * The observability settings of an environment: where alerts go beyond e-mail (Slack and Microsoft
 * Teams through AWS Chatbot), how critical alerts page and escalate, the alarm thresholds by
 * severity, the retention of container logs, and the synthetic API flows.
 *
 * Severity model (docs/observability.md):
 * - `critical` pages the on-call (PagerDuty) and escalates through `pager.tiers` while nobody
 *   acknowledges; it also reaches the chat channels and e-mail;
 * - `warning` goes to the chat channels and e-mail, never to a pager;
 * - `info` goes nowhere: dashboards only.
 *
 * Pure data and types; no imports beyond lib/config.
 */
import { ADDON_IDENTITIES } from './naming';
import { EnvironmentTier, Severity } from './types';

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

/** The severities, most urgent first. */
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

/** The Slack workspace AWS Chatbot posts to (authorized once in the Chatbot console). */
export interface SlackWorkspaceConfig {
  /** Slack workspace ID as the Chatbot console shows it after the authorization, e.g. `T0123ABCD45`. */
  readonly workspaceId: string;
}

/** The Microsoft Teams team AWS Chatbot posts to (the team is configured once in the Chatbot console). */
export interface TeamsTeamConfig {
  /** Microsoft Entra tenant ID (a GUID). */
  readonly tenantId: string;
  /** ID of the team (a GUID), from the channel link. */
  readonly teamId: string;
}

/** Chat applications alerts go to; the channels per severity are `alerts.<severity>.slackChannelId / teamsChannelId`. */
export interface ChatConfig {
  /** Slack. @default - no Slack routing */
  readonly slack?: SlackWorkspaceConfig;
  /** Microsoft Teams. @default - no Teams routing */
  readonly teams?: TeamsTeamConfig;
}

/** How a tier is paged. */
export type EscalationTierKind =
  /** A PagerDuty service's Events v2 integration; its routing key is a secret (`pagerDutyRoutingKeySecretName`). */
  | 'pagerduty'
  /** Text messages to phone numbers through an SNS topic of the tier. */
  | 'sms';

/** One tier of the escalation of an unacknowledged critical alert. */
export interface EscalationTier {
  /** Lower-case name, e.g. `primary`; names the tier's secret or topic and the state machine's states. */
  readonly name: string;
  /** How the tier is paged. */
  readonly kind: EscalationTierKind;
  /** How long the tier has to acknowledge before the next tier is paged, in minutes (1..1440). */
  readonly ackTimeoutMinutes: number;
  /** E.164 numbers texted (`sms` tiers only), e.g. `+15555550100`. @default - none */
  readonly phoneNumbers?: readonly string[];
}

/** Paging and escalation of critical alerts. */
export interface PagerConfig {
  /**
   * The tiers, in order. The first one is a PagerDuty tier: acknowledgement is read from its
   * incident (PagerDuty REST API, token `pagerDutyApiTokenSecretName`).
   */
  readonly tiers: readonly EscalationTier[];
}

/** Thresholds of one alarm kind by severity; a severity left out makes no alarm. */
export type SeverityThresholds = Readonly<Partial<Record<Severity, number>>>;

/** One synthetic API flow a CloudWatch Synthetics canary requests through CloudFront. */
export interface SyntheticFlowConfig {
  /** Lower-case name, e.g. `api-health`; the canary is `<env>-<name>` (21 characters at most). */
  readonly name: string;
  /** Path on the API host, e.g. `/api/healthz`; must be served by an Ingress path prefix. */
  readonly path: string;
  /** The flow reads the database (the postmortem's N+1 query path): its latency shows pool exhaustion first. */
  readonly databaseHeavy: boolean;
  /** Latency objective of one run of the flow, in milliseconds (the `canary-latency` alarm's 1x). */
  readonly latencyObjectiveMillis: number;
}

/** Synthetic traffic. */
export interface SyntheticsConfig {
  /** Minutes between two runs of each canary (1..60). */
  readonly scheduleMinutes: number;
  /** The flows; at least one `databaseHeavy` outside development. */
  readonly flows: readonly SyntheticFlowConfig[];
  /** Days canary run artifacts are kept (1..455). */
  readonly artifactRetentionDays: number;
}

/** Everything of an environment's observability that is not a channel ID. */
export interface ObservabilityConfig {
  /** Chat applications. */
  readonly chat: ChatConfig;
  /** Paging and escalation. @default - no paging: critical alerts reach chat and e-mail only (development) */
  readonly pager?: PagerConfig;
  /** Thresholds by alarm id and severity (see `ALARM_CATALOG` for each id's unit). */
  readonly thresholds: AlarmThresholds;
  /**
   * Retention of the container log groups the CloudWatch observability add-on writes
   * (`/aws/containerinsights/<cluster>/application|host|dataplane|performance`); a CloudWatch value.
   */
  readonly containerLogRetentionDays: number;
  /** Synthetic traffic. */
  readonly synthetics: SyntheticsConfig;
}

/** How an alarm treats periods without data; every alarm says which, and why (docs/observability.md). */
export type MissingData = 'breaching' | 'notBreaching' | 'ignore' | 'missing';

/** One kind of alarm: the id is the runbook anchor (`docs/runbooks.md#<id>`). */
export interface AlarmKind {
  /** What it watches, one line. */
  readonly title: string;
  /** Unit of the thresholds in config. */
  readonly unit: string;
  /** What one alarm of this kind is per: the environment, or each service, function, flow... */
  readonly per: string;
  /** How the alarm treats missing data. */
  readonly missingData: MissingData;
  /** Why that treatment. */
  readonly missingDataWhy: string;
  /** A composite alarm: its severity is fixed and its children are other alarms' critical levels. */
  readonly composite?: boolean;
  /** The alarm fires below its threshold (free storage, success rate), not above it. @default false */
  readonly below?: boolean;
}

/**
 * THE list of alarm ids. Each id is an anchor of the (later) runbooks page, `docs/runbooks.md#<id>`;
 * every alarm's description ends with that link, and docs/observability.md's catalogue is generated
 * from this list (`npm run docs`). Add an id here before an alarm can use it.
 */
export const ALARM_CATALOG = {
  'api-unavailable': {
    title: 'The API fails for users: ALB 5xx rate or a synthetic flow at its critical level (pages once for both)',
    unit: '(composite)',
    per: 'environment',
    missingData: 'notBreaching',
    missingDataWhy: 'A composite alarm follows its children, which say how they treat missing data.',
    composite: true,
  },
  'database-saturated': {
    title: 'The database is saturated: connections, proxy borrow latency or CPU at their critical level (pages once)',
    unit: '(composite)',
    per: 'environment',
    missingData: 'notBreaching',
    missingDataWhy: 'A composite alarm follows its children, which say how they treat missing data.',
    composite: true,
  },
  'alb-5xx-rate': {
    title: 'Share of ALB requests answered 5xx (by the targets or the ALB itself)',
    unit: '% of requests',
    per: 'environment',
    missingData: 'notBreaching',
    missingDataWhy: 'No requests in a period means no errors; an ALB that reports nothing at all is alb-requests-missing.',
  },
  'alb-requests-missing': {
    title: 'The ALB reports fewer requests than the synthetic traffic alone makes (no traffic, or its dimensions are stale)',
    below: true,
    unit: 'requests in 15 minutes',
    per: 'environment',
    missingData: 'breaching',
    missingDataWhy:
      'The canaries and Route 53 health checks call the ALB all the time: no data means the ALB was replaced since its dimensions were resolved, or nothing reaches it.',
  },
  'target-latency-p95': {
    title: 'p95 target response time of a service against its SLO',
    unit: 'x the SLO p95',
    per: 'service with an Ingress',
    missingData: 'notBreaching',
    missingDataWhy: 'No requests, no latency; a silent ALB is alb-requests-missing.',
  },
  'target-latency-p99': {
    title: 'p99 target response time of a service against its SLO',
    unit: 'x the SLO p95',
    per: 'service with an Ingress',
    missingData: 'notBreaching',
    missingDataWhy: 'No requests, no latency; a silent ALB is alb-requests-missing.',
  },
  'unhealthy-targets': {
    title: 'Targets of a service the ALB health check fails',
    unit: 'targets',
    per: 'service with an Ingress',
    missingData: 'notBreaching',
    missingDataWhy: 'The ALB reports target health every minute while targets are registered; a silent ALB is alb-requests-missing.',
  },
  'rds-cpu': {
    title: 'CPU of the database instance',
    unit: '%',
    per: 'environment',
    missingData: 'breaching',
    missingDataWhy: 'RDS reports CPU every minute while the instance runs: no data means it is down or stopped.',
  },
  'rds-free-storage': {
    title: 'Free storage of the database instance (storage autoscaling stops at maxAllocatedStorageGiB)',
    below: true,
    unit: '% of allocatedStorageGiB',
    per: 'environment',
    missingData: 'breaching',
    missingDataWhy: 'RDS reports free storage every minute while the instance runs: no data means it is down.',
  },
  'rds-connections': {
    title: "Connections to the database instance against PostgreSQL's max_connections for the instance class",
    unit: '% of max_connections',
    per: 'environment',
    missingData: 'breaching',
    missingDataWhy: 'RDS reports connections every minute while the instance runs: no data means it is down.',
  },
  'rds-replica-lag': {
    title: 'Replication lag of the read replica',
    unit: 'seconds',
    per: 'read replica',
    missingData: 'breaching',
    missingDataWhy: 'A replica that reports no lag is not replicating (stopped, or replication broken).',
  },
  'proxy-client-connections': {
    title: 'Client connections to the RDS Proxy (retries piling up show here first)',
    unit: 'connections',
    per: 'environment',
    missingData: 'notBreaching',
    missingDataWhy: 'The proxy reports nothing while no client is connected, which is not a problem by itself.',
  },
  'proxy-borrow-latency': {
    title: 'Time clients wait for a pooled database connection at the RDS Proxy',
    unit: 'milliseconds',
    per: 'environment',
    missingData: 'notBreaching',
    missingDataWhy: 'No borrows in a period means nobody waited.',
  },
  'node-cpu': {
    title: 'CPU of the busiest node, sustained for 10 minutes (Container Insights)',
    unit: '%',
    per: 'environment',
    missingData: 'breaching',
    missingDataWhy: 'The CloudWatch agent on every node reports each minute: no data means no node reports (agent or cluster down).',
  },
  'pod-memory-near-limit': {
    title: "Memory of a service's busiest pod against its limit (OOM kill ahead; the first postmortem)",
    unit: '% of the memory limit',
    per: 'service',
    missingData: 'notBreaching',
    missingDataWhy: 'A service scaled to zero or not yet deployed reports nothing.',
  },
  'container-restarts': {
    title: "Container restarts of a service's pods in 5 minutes (crash loops, OOM kills)",
    unit: 'restarts in 5 minutes',
    per: 'service',
    missingData: 'notBreaching',
    missingDataWhy: 'A service scaled to zero or not yet deployed reports nothing.',
  },
  'cloudfront-5xx-rate': {
    title: 'Share of CloudFront responses that are 5xx (origin unreachable, TLS or DNS to the origin, origin errors)',
    unit: '% of requests',
    per: 'environment (us-east-1)',
    missingData: 'notBreaching',
    missingDataWhy: 'CloudFront reports no rate without requests.',
  },
  'waf-blocked-spike': {
    title: 'Requests a WebACL blocks in 5 minutes (an attack, or a rule blocking real users)',
    unit: 'requests in 5 minutes',
    per: 'WebACL (regional, and CloudFront in us-east-1)',
    missingData: 'notBreaching',
    missingDataWhy: 'WAF reports nothing when it blocks nothing.',
  },
  'lambda-errors': {
    title: 'Invocations of a platform function that failed',
    unit: 'errors in 5 minutes',
    per: 'function',
    missingData: 'notBreaching',
    missingDataWhy: 'Functions that do not run report nothing.',
  },
  'lambda-throttles': {
    title: 'Invocations of a platform function refused for lack of concurrency',
    unit: 'throttles in 5 minutes',
    per: 'function',
    missingData: 'notBreaching',
    missingDataWhy: 'Functions that do not run report nothing.',
  },
  'webhook-queue-age': {
    title: 'Age of the oldest webhook event waiting for the worker',
    unit: 'seconds',
    per: 'environment',
    missingData: 'breaching',
    missingDataWhy: 'SQS reports every queue every minute: no data means the queue is gone.',
  },
  'webhook-dlq-depth': {
    title: 'Webhook events the worker gave up on (dead-letter queue)',
    unit: 'messages',
    per: 'environment',
    missingData: 'breaching',
    missingDataWhy: 'SQS reports every queue every minute: no data means the queue is gone.',
  },
  'application-errors': {
    title: 'Log lines with level "error" or "fatal" a service writes (metric filter on the container logs)',
    unit: 'lines in 5 minutes',
    per: 'service',
    missingData: 'notBreaching',
    missingDataWhy: 'The metric filter publishes nothing while no line matches.',
  },
  'canary-failed': {
    title: 'Runs of a synthetic flow that failed',
    below: true,
    unit: '% of runs that succeeded (alarm below)',
    per: 'synthetic flow',
    missingData: 'breaching',
    missingDataWhy: 'A canary that does not run checks nothing: stopped, or its function is broken.',
  },
  'canary-latency': {
    title: 'Duration of a synthetic flow against its latency objective',
    unit: 'x the flow latencyObjectiveMillis',
    per: 'synthetic flow',
    missingData: 'notBreaching',
    missingDataWhy: 'A canary that does not run is canary-failed.',
  },
  'alerting-delivery-failed': {
    title: 'Notifications the alert topics could not deliver (to the router function, e-mail or chat)',
    unit: 'failed deliveries in 5 minutes',
    per: 'severity topic',
    missingData: 'notBreaching',
    missingDataWhy: 'SNS reports nothing while nothing is published.',
  },
  'escalation-failed': {
    title: 'Escalations that ended without acknowledgement, or failed (the pager path itself is broken)',
    unit: 'executions in 5 minutes',
    per: 'environment',
    missingData: 'notBreaching',
    missingDataWhy: 'Step Functions reports nothing while no escalation ends.',
  },
  'restore-test-failed': {
    title:
      'Scheduled restore tests that failed: the restore job failed, the restored database or bucket did not hold the known data, or the restore took longer than the RTO',
    unit: 'failed tests in an hour',
    per: 'environment',
    missingData: 'notBreaching',
    missingDataWhy: 'The validation function publishes only when a restore test ends (weekly); between tests there is nothing to report.',
  },
  'chaos-stop': {
    title:
      'A critical alarm of the environment fired: the stop condition of every chaos experiment (AWS FIS stops a running experiment; nothing else is done)',
    unit: '(composite)',
    per: 'environment',
    missingData: 'notBreaching',
    missingDataWhy: 'A composite alarm follows its children, which say how they treat missing data.',
    composite: true,
  },
  'root-account-use': {
    title: 'The root user of the account was used (CIS AWS Foundations Benchmark 4.3)',
    unit: 'events in 5 minutes',
    per: 'environment account (the audit trail)',
    missingData: 'notBreaching',
    missingDataWhy:
      'The audit metric filters publish 0 for every period without a matching event (their default value): no event is good news.',
  },
  'console-signin-without-mfa': {
    title: 'An IAM user signed in to the console without MFA (CIS AWS Foundations Benchmark 4.2)',
    unit: 'events in 5 minutes',
    per: 'environment account (the audit trail)',
    missingData: 'notBreaching',
    missingDataWhy:
      'The audit metric filters publish 0 for every period without a matching event (their default value): no event is good news.',
  },
  'iam-policy-change': {
    title: 'An IAM policy was created, changed, attached or detached (CIS AWS Foundations Benchmark 4.4; expected during a deploy)',
    unit: 'events in 5 minutes',
    per: 'environment account (the audit trail)',
    missingData: 'notBreaching',
    missingDataWhy:
      'The audit metric filters publish 0 for every period without a matching event (their default value): no event is good news.',
  },
  'break-glass-use': {
    title: 'The break-glass path was used (its permission set or its role)',
    unit: 'events in 5 minutes',
    per: 'environment account (the audit trail)',
    missingData: 'notBreaching',
    missingDataWhy:
      'The audit metric filters publish 0 for every period without a matching event (their default value): no event is good news.',
  },
  'secret-read-by-non-owner': {
    title: "A secret's value was refused to a caller, or an application secret's was given to a principal that is not one of its readers",
    unit: 'events in 5 minutes',
    per: 'environment account (the audit trail)',
    missingData: 'notBreaching',
    missingDataWhy:
      'The audit metric filters publish 0 for every period without a matching event (their default value): no event is good news.',
  },
} as const satisfies Record<string, AlarmKind>;

/** An alarm id: the runbook anchor of one kind of alarm. */
export type AlarmId = keyof typeof ALARM_CATALOG;

/** Every alarm id, in catalogue order (the list the runbooks page is checked against). */
export const ALARM_IDS = Object.keys(ALARM_CATALOG) as AlarmId[];

/** The thresholded (non-composite) alarm ids. */
export type ThresholdedAlarmId = {
  [K in AlarmId]: (typeof ALARM_CATALOG)[K] extends { composite: true } ? never : K;
}[AlarmId];

/** Thresholds of every non-composite alarm kind, by severity. */
export type AlarmThresholds = Readonly<Record<ThresholdedAlarmId, SeverityThresholds>>;

/** Path of the runbooks page, relative to the repository root. */
export const RUNBOOKS_PAGE = 'docs/runbooks.md';

/** Where the runbook of an alarm kind is, e.g. `docs/runbooks.md#rds-connections`. */
export function runbookAnchor(id: AlarmId): string {
  return `${RUNBOOKS_PAGE}#${id}`;
}

/**
 * PostgreSQL's default `max_connections` on RDS: `LEAST({DBInstanceClassMemory/9531392}, 5000)`
 * (RDS user guide, "Maximum number of database connections", PostgreSQL). DBInstanceClassMemory is
 * the class's memory less what RDS reserves; the total memory used here makes the figure a slight
 * overestimate, so alarms at a share of it fire a little late, never early.
 */
export function postgresMaxConnections(memoryGiB: number): number {
  return Math.min(Math.floor((memoryGiB * 1024 ** 3) / 9531392), 5000);
}

/**
 * Memory of the database instance classes the environments use, in GiB (Amazon RDS instance types,
 * "Hardware specifications for DB instance classes"). A class missing here is a validation problem:
 * the connections alarm needs it.
 */
export const DATABASE_CLASS_MEMORY_GIB: Readonly<Record<string, number>> = {
  't4g.micro': 1,
  't4g.small': 2,
  't4g.medium': 4,
  't4g.large': 8,
  't4g.xlarge': 16,
  'm7g.large': 8,
  'm7g.xlarge': 16,
  'm7g.2xlarge': 32,
  'm7g.4xlarge': 64,
  'r7g.large': 16,
  'r7g.xlarge': 32,
  'r7g.2xlarge': 64,
  'r7g.4xlarge': 128,
  'r8g.large': 16,
  'r8g.xlarge': 32,
  'r8g.2xlarge': 64,
};
