import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { apiHost, webAclName } from '../config/edge-names';
import { clusterName, serviceNamespace } from '../config/naming';
import {
  ALARM_CATALOG,
  AlarmId,
  AlarmKind,
  AlarmThresholds,
  DATABASE_CLASS_MEMORY_GIB,
  postgresMaxConnections,
  runbookAnchor,
  SEVERITIES,
  ThresholdedAlarmId,
} from '../config/observability';
import {
  alarmNamePrefix,
  albStackTags,
  albTargetGroupResourceId,
  alertRouterFunctionName,
  alertTopicArn,
  alertTopicName,
  canaryArtifactsBucketName,
  canaryName,
  containerInsightsLogGroupName,
  dashboardName,
  escalationTierTopicName,
  platformMetricNamespace,
  webAclMetricName,
} from '../config/observability-names';
import { ServiceSpec } from '../config/service-catalog';
import { Severity } from '../config/types';
import type { AuditMetric } from '../constructs/audit-metrics';
import { AlarmFacade, AlarmSpec } from '../constructs/alarm-facade';
import { AlbDimensions } from '../constructs/alb-dimensions';
import { AlertRouter } from '../constructs/alert-router';
import { AlertTopics } from '../constructs/alert-topics';
import { ApiCanaries } from '../constructs/api-canaries';
import { ChatChannel, ChatChannels } from '../constructs/chat-channels';
import { Escalation } from '../constructs/escalation';
import { ObservabilityDashboard } from '../constructs/observability-dashboard';
import { CLOUDFRONT_REGION } from './edge-global-stack';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/** Props of `ObservabilityStack`. */
export interface ObservabilityStackProps extends Omit<PlatformStackProps, 'stateful'> {
  /** The services of the environment: golden signals and alarms per service, ALB target groups of the public ones. */
  readonly services: readonly ServiceSpec[];
  /** Key of the alert topics (ObservabilityData stack). */
  readonly alertKey: kms.IKey;
  /** PagerDuty routing key of each `pagerduty` tier, by tier name (ObservabilityData stack). */
  readonly routingKeys: Readonly<Record<string, secretsmanager.ISecret>>;
  /** PagerDuty REST API key (ObservabilityData stack), when the environment pages. @default - no paging */
  readonly pagerDutyApiToken?: secretsmanager.ISecret;
  /** The database, its proxy and its replica (Data stack). */
  readonly database: {
    readonly instance: rds.IDatabaseInstance;
    readonly proxy: rds.IDatabaseProxy;
    readonly replica?: rds.IDatabaseInstance;
  };
  /** The webhook queue and its dead-letter queue (Webhooks stack). */
  readonly webhookQueues: { readonly queue: sqs.IQueue; readonly deadLetterQueue: sqs.IQueue };
  /** ID of the environment's CloudFront distribution (Edge stack), for the dashboard. */
  readonly distributionId: string;
  /** The platform's functions whose errors and throttles are watched, by a short name (e.g. `webhook-handler`). */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  /**
   * Any value: a different one re-resolves the ALB's dimensions (after the cluster's bootstrap, or
   * when the load balancer controller replaced the ALB). `bin/app.ts` passes the context value
   * `observability:albRefresh`.
   * @default - resolved when the services or the ingress group change
   */
  readonly albDimensionsRefresh?: string;
  /** The audit trail's metrics (Audit stack), each alarmed on as its catalogue kind. @default - none */
  readonly auditMetrics?: readonly AuditMetric[];
}

const PERIOD = Duration.minutes(5);
const MINUTE = Duration.minutes(1);

/**
 * The environment's monitoring in its region: one KMS-encrypted topic per severity with its
 * e-mail and chat routing; the router and the escalation of critical alerts; every CloudWatch alarm
 * of the region through one `AlarmFacade` (thresholds from config by severity, a runbook anchor
 * each); the metric filters on the container logs; the synthetic flows; the dashboard.
 * Stateless: everything it keeps lives in the ObservabilityData stack.
 */
export class ObservabilityStack extends PlatformStack {
  /** The alarms. */
  public readonly facade: AlarmFacade;
  /** The topics by severity. */
  public readonly topics: AlertTopics;
  /** The router (relays us-east-1 alerts; escalates critical ones). */
  public readonly router: AlertRouter;
  /** The escalation of critical alerts, when the environment pages. */
  public readonly escalation?: Escalation;
  /** The resolved ALB and target group dimensions. */
  public readonly alb: AlbDimensions;
  /** The synthetic flows. */
  public readonly canaries: ApiCanaries;

  private readonly publicServices: readonly ServiceSpec[];

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, {
      ...props,
      stateful: false,
      description: `${props.config.name}: alert topics and routing, escalation, alarms, dashboard, synthetic flows`,
    });
    const { config } = this;
    const logRetention = config.observability.containerLogRetentionDays;
    const logRemovalPolicy = config.stateful.removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.publicServices = props.services.filter((s) => s.ingress);

    this.topics = new AlertTopics(this, 'Topics', {
      topicNames: bySeverity((s) => alertTopicName(config.name, s)),
      key: props.alertKey,
      emails: { critical: config.alerts.critical.emails, warning: config.alerts.warning.emails },
    });
    const topics = this.topics.topics;
    this.chat(topics);

    const pager = config.observability.pager;
    if (pager && props.pagerDutyApiToken) {
      this.escalation = new Escalation(this, 'Escalation', {
        tiers: pager.tiers.map((tier) => ({
          name: tier.name,
          ackTimeout: Duration.minutes(tier.ackTimeoutMinutes),
          target:
            tier.kind === 'pagerduty'
              ? { kind: 'pagerduty' as const, routingKey: props.routingKeys[tier.name] }
              : { kind: 'sms' as const, topicName: escalationTierTopicName(config.name, tier.name), phoneNumbers: tier.phoneNumbers ?? [] },
        })),
        apiToken: props.pagerDutyApiToken,
        topicKey: props.alertKey,
        alarmArnPatterns: [this.region, CLOUDFRONT_REGION].map(
          (r) => `arn:aws:cloudwatch:${r}:${this.account}:alarm:${alarmNamePrefix(config.name)}*`,
        ),
        logRetention,
        logRemovalPolicy,
      });
    }
    this.router = new AlertRouter(this, 'Router', {
      functionName: alertRouterFunctionName(config.name),
      topicKey: props.alertKey,
      relays: (['critical', 'warning'] as const).map((severity) => ({
        sourceTopicArn: alertTopicArn(config.name, severity, 'global', this.account, CLOUDFRONT_REGION),
        target: topics[severity],
      })),
      paging: this.escalation && {
        criticalTopic: topics.critical,
        escalation: this.escalation.stateMachine,
        routingKeys: Object.values(props.routingKeys),
      },
      logRetention,
      logRemovalPolicy,
    });

    this.alb = new AlbDimensions(this, 'AlbDimensions', {
      clusterTag: albStackTags(config.name).cluster,
      stackTag: albStackTags(config.name).stack,
      targets: Object.fromEntries(
        this.publicServices.map((s) => [s.name, albTargetGroupResourceId(serviceNamespace(s), s.name, s.name, s.port)]),
      ),
      refresh: props.albDimensionsRefresh,
      logRetention,
      logRemovalPolicy,
    });

    this.facade = new AlarmFacade(this, 'Alarms', {
      alarmNamePrefix: alarmNamePrefix(config.name),
      topics,
      runbook: (alarmId) => runbookAnchor(alarmId as AlarmId),
    });

    this.canaries = new ApiCanaries(this, 'Canaries', {
      host: apiHost(config),
      flows: config.observability.synthetics.flows.map((f) => ({
        name: f.name,
        canaryName: canaryName(config.name, f.name),
        path: f.path,
      })),
      schedule: Duration.minutes(config.observability.synthetics.scheduleMinutes),
      artifactsBucket: s3.Bucket.fromBucketName(this, 'CanaryArtifacts', canaryArtifactsBucketName(config.name, this.account, this.region)),
      retention: Duration.days(config.observability.synthetics.artifactRetentionDays),
    });

    const apiCritical = [...this.albAlarms(), ...this.canaryAlarms()];
    const databaseCritical = this.databaseAlarms(props.database);
    this.clusterAlarms(props.services);
    this.queueAlarms(props.webhookQueues);
    this.alarm('waf-blocked-spike', {
      instance: 'regional',
      metric: wafBlocked(this.config.name, 'REGIONAL', this.region),
      evaluationPeriods: 1,
    });
    this.functionAlarms({ ...props.functions, 'alert-router': this.router.handler.function, ...this.escalationFunction() });
    this.alertingAlarms();
    for (const { alarmId, metric } of props.auditMetrics ?? []) this.alarm(alarmId, { metric, evaluationPeriods: 1 });
    this.facade.addComposite({
      id: 'api-unavailable',
      title: ALARM_CATALOG['api-unavailable'].title,
      severity: 'critical',
      anyOf: apiCritical,
    });
    this.facade.addComposite({
      id: 'database-saturated',
      title: ALARM_CATALOG['database-saturated'].title,
      severity: 'critical',
      anyOf: databaseCritical,
    });

    new ObservabilityDashboard(this, 'Dashboard', {
      dashboardName: dashboardName(config.name),
      alarms: this.facade.alarms.map((a) => a.alarm),
      services: props.services.map((s) => ({
        name: s.name,
        sloLatencyP95Millis: s.slo.latencyP95Millis,
        alb: s.ingress ? { loadBalancer: this.alb.loadBalancer, targetGroup: this.alb.targetGroup(s.name) } : undefined,
        workload: this.workloadDimensions(s),
      })),
      infrastructure: this.infrastructureMetrics(props),
      errorLines: { namespace: platformMetricNamespace(), metricName: APPLICATION_ERRORS_METRIC },
    });
  }

  /** An alarm kind of the catalogue through the facade, its thresholds from config. */
  private alarm(id: ThresholdedAlarmId, spec: CatalogAlarmSpec, scale?: (v: number) => number) {
    return addCatalogAlarm(this.facade, this.config.observability.thresholds, id, spec, scale);
  }

  /** Slack and Teams channels: one configuration per channel, with the topics of the severities routed to it. */
  private chat(topics: AlertTopics['topics']): void {
    const { config } = this;
    const channels = (key: 'slackChannelId' | 'teamsChannelId'): ChatChannel[] => {
      const bySeverityOf = new Map<string, Severity[]>();
      for (const severity of SEVERITIES) {
        const channelId = config.alerts[severity][key];
        if (channelId) bySeverityOf.set(channelId, [...(bySeverityOf.get(channelId) ?? []), severity]);
      }
      return [...bySeverityOf].map(([channelId, severities]) => ({
        channelId,
        label: severities.join('-'),
        topics: severities.map((s) => topics[s]),
      }));
    };
    const chat = config.observability.chat;
    new ChatChannels(this, 'Chat', {
      namePrefix: alarmNamePrefix(config.name).replace(/-$/, ''),
      alarmArnPattern: `arn:aws:cloudwatch:*:${this.account}:alarm:${alarmNamePrefix(config.name)}*`,
      slack: chat.slack && { workspaceId: chat.slack.workspaceId, channels: channels('slackChannelId') },
      teams: chat.teams && { tenantId: chat.teams.tenantId, teamId: chat.teams.teamId, channels: channels('teamsChannelId') },
    });
  }

  private escalationFunction(): Record<string, lambda.IFunction> {
    return this.escalation ? { escalation: this.escalation.handler.function } : {};
  }

  /** ALB: 5xx rate (critical level pages through api-unavailable), requests missing; per public service: latency, unhealthy targets. */
  private albAlarms(): cw.IAlarm[] {
    const lb = { LoadBalancer: this.alb.loadBalancer };
    const alb = (metricName: string, statistic: string, dimensionsMap: Record<string, string> = lb, period = PERIOD) =>
      new cw.Metric({ namespace: 'AWS/ApplicationELB', metricName, dimensionsMap, statistic, period });
    const rate = this.alarm('alb-5xx-rate', {
      metric: new cw.MathExpression({
        expression: '100 * (FILL(targets, 0) + FILL(alb, 0)) / requests',
        usingMetrics: {
          targets: alb('HTTPCode_Target_5XX_Count', 'Sum'),
          alb: alb('HTTPCode_ELB_5XX_Count', 'Sum'),
          requests: alb('RequestCount', 'Sum'),
        },
        label: 'ALB 5xx rate (%)',
        period: PERIOD,
      }),
      format: (v) => `${v}%`,
      evaluationPeriods: 2,
      pageThroughComposite: true,
    });
    this.alarm('alb-requests-missing', { metric: alb('RequestCount', 'Sum', lb, Duration.minutes(15)), evaluationPeriods: 1 });
    for (const s of this.publicServices) {
      const target = { ...lb, TargetGroup: this.alb.targetGroup(s.name) };
      const sloSeconds = s.slo.latencyP95Millis / 1000;
      for (const [id, statistic] of [
        ['target-latency-p95', 'p95'],
        ['target-latency-p99', 'p99'],
      ] as const) {
        this.alarm(
          id,
          { instance: s.name, metric: alb('TargetResponseTime', statistic, target), format: (v) => `${Math.round(v * 1000)} ms` },
          (factor) => sloSeconds * factor,
        );
      }
      this.alarm('unhealthy-targets', {
        instance: s.name,
        metric: alb('UnHealthyHostCount', 'Maximum', target, MINUTE),
        evaluationPeriods: 5,
      });
    }
    return rate.critical ? [rate.critical] : [];
  }

  /** Synthetic flows: failed runs (critical level pages through api-unavailable) and duration. */
  private canaryAlarms(): cw.IAlarm[] {
    const critical: cw.IAlarm[] = [];
    for (const flow of this.config.observability.synthetics.flows) {
      const canary = this.canaries.canaries[flow.name];
      const failed = this.alarm('canary-failed', {
        instance: flow.name,
        metric: canary.metricSuccessPercent({ period: PERIOD, statistic: 'Average' }),
        format: (v) => `${v}% of runs succeeding`,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        pageThroughComposite: true,
      });
      if (failed.critical) critical.push(failed.critical);
      this.alarm(
        'canary-latency',
        { instance: flow.name, metric: canary.metricDuration({ period: PERIOD, statistic: 'Average' }), format: (v) => `${v} ms` },
        (factor) => flow.latencyObjectiveMillis * factor,
      );
    }
    return critical;
  }

  /** The database, its replica and its proxy; the critical levels of connections, borrow latency and CPU page through database-saturated. */
  private databaseAlarms(database: ObservabilityStackProps['database']): cw.IAlarm[] {
    const db = this.config.database;
    const rdsMetric = (metricName: string, statistic: string, identifier: string, period = PERIOD) =>
      new cw.Metric({ namespace: 'AWS/RDS', metricName, dimensionsMap: { DBInstanceIdentifier: identifier }, statistic, period });
    const proxyMetric = (metricName: string, statistic: string) =>
      new cw.Metric({
        namespace: 'AWS/RDS',
        metricName,
        dimensionsMap: { ProxyName: database.proxy.dbProxyName },
        statistic,
        period: PERIOD,
      });
    const id = database.instance.instanceIdentifier;
    const maxConnections = postgresMaxConnections(DATABASE_CLASS_MEMORY_GIB[db.instanceClass]);

    const cpu = this.alarm('rds-cpu', {
      metric: rdsMetric('CPUUtilization', 'Average', id),
      format: (v) => `${v}%`,
      pageThroughComposite: true,
    });
    this.alarm(
      'rds-free-storage',
      { metric: rdsMetric('FreeStorageSpace', 'Minimum', id), evaluationPeriods: 1, format: (v) => `${Math.round(v / 1024 ** 3)} GiB` },
      (percent) => (percent / 100) * db.allocatedStorageGiB * 1024 ** 3,
    );
    const connections = this.alarm(
      'rds-connections',
      {
        metric: rdsMetric('DatabaseConnections', 'Maximum', id, MINUTE),
        evaluationPeriods: 5,
        format: (v) => `${v} of ${maxConnections} connections`,
        pageThroughComposite: true,
      },
      (percent) => Math.floor((percent / 100) * maxConnections),
    );
    if (database.replica) {
      this.alarm('rds-replica-lag', {
        instance: 'replica',
        metric: rdsMetric('ReplicaLag', 'Maximum', database.replica.instanceIdentifier),
        format: (v) => `${v} s`,
      });
    }
    this.alarm('proxy-client-connections', { metric: proxyMetric('ClientConnections', 'Maximum') });
    const borrow = this.alarm(
      'proxy-borrow-latency',
      // RDS Proxy reports the borrow latency in microseconds.
      { metric: proxyMetric('DatabaseConnectionsBorrowLatency', 'Average'), format: (v) => `${v / 1000} ms`, pageThroughComposite: true },
      (millis) => millis * 1000,
    );
    return [connections.critical, borrow.critical, cpu.critical].filter((a): a is cw.Alarm => a !== undefined);
  }

  /** Container Insights: node CPU; per service, memory against the limit, container restarts, error log lines. */
  private clusterAlarms(services: readonly ServiceSpec[]): void {
    const cluster = clusterName(this.config.name);
    const ci = (metricName: string, statistic: string, dimensionsMap: Record<string, string>, period = MINUTE) =>
      new cw.Metric({ namespace: 'ContainerInsights', metricName, dimensionsMap, statistic, period });
    this.alarm('node-cpu', {
      metric: ci('node_cpu_utilization', 'Maximum', { ClusterName: cluster }),
      evaluationPeriods: 10,
      format: (v) => `${v}%`,
    });

    const errors = new logs.MetricFilter(this, 'ApplicationErrorLines', {
      logGroup: logs.LogGroup.fromLogGroupName(this, 'ApplicationLogs', containerInsightsLogGroupName(this.config.name, 'application')),
      // Fluent Bit merges a JSON log line under `log_processed` and adds the pod's metadata under `kubernetes`.
      filterPattern: logs.FilterPattern.any(
        logs.FilterPattern.stringValue('$.log_processed.level', '=', 'error'),
        logs.FilterPattern.stringValue('$.log_processed.level', '=', 'fatal'),
      ),
      metricNamespace: platformMetricNamespace(),
      metricName: APPLICATION_ERRORS_METRIC,
      metricValue: '1',
      dimensions: { Service: '$.kubernetes.container_name' },
      unit: cw.Unit.COUNT,
    });
    for (const s of services) {
      const workload = this.workloadDimensions(s);
      this.alarm('pod-memory-near-limit', {
        instance: s.name,
        metric: ci('pod_memory_utilization_over_pod_limit', 'Maximum', workload),
        evaluationPeriods: 5,
        format: (v) => `${v}% of the limit`,
      });
      this.alarm('container-restarts', {
        instance: s.name,
        // The metric counts restarts since each pod started: the alarm watches its increase.
        metric: new cw.MathExpression({
          expression: 'IF(DIFF(restarts) > 0, DIFF(restarts), 0)',
          usingMetrics: { restarts: ci('pod_number_of_container_restarts', 'Maximum', workload, PERIOD) },
          label: 'Container restarts in 5 minutes',
          period: PERIOD,
        }),
        evaluationPeriods: 1,
      });
      this.alarm('application-errors', {
        instance: s.name,
        metric: errors.metric({ dimensionsMap: { Service: s.name }, statistic: 'Sum', period: PERIOD }),
        evaluationPeriods: 1,
      });
    }
  }

  /** The webhook queue's oldest event, the dead-letter queue's depth. */
  private queueAlarms(queues: ObservabilityStackProps['webhookQueues']): void {
    this.alarm('webhook-queue-age', {
      metric: queues.queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum' }),
      evaluationPeriods: 1,
      format: (v) => `${v} s`,
    });
    this.alarm('webhook-dlq-depth', {
      metric: queues.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
      evaluationPeriods: 1,
    });
  }

  /** Errors and throttles of each function. */
  private functionAlarms(functions: Readonly<Record<string, lambda.IFunction>>): void {
    for (const [name, fn] of Object.entries(functions)) {
      this.alarm('lambda-errors', { instance: name, metric: fn.metricErrors({ period: PERIOD, statistic: 'Sum' }), evaluationPeriods: 1 });
      this.alarm('lambda-throttles', {
        instance: name,
        metric: fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
        evaluationPeriods: 1,
      });
    }
  }

  /** The alerting path watches itself: failed deliveries of the paging topics, escalations that end unacknowledged or fail. */
  private alertingAlarms(): void {
    for (const severity of ['critical', 'warning'] as const) {
      this.alarm('alerting-delivery-failed', {
        instance: `${severity}-topic`,
        metric: this.topics.topics[severity].metricNumberOfNotificationsFailed({ period: PERIOD, statistic: 'Sum' }),
        evaluationPeriods: 1,
      });
    }
    const machine = this.escalation?.stateMachine;
    if (machine) {
      this.alarm('escalation-failed', {
        metric: new cw.MathExpression({
          expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
          usingMetrics: {
            failed: machine.metricFailed({ period: PERIOD, statistic: 'Sum' }),
            timedOut: machine.metricTimedOut({ period: PERIOD, statistic: 'Sum' }),
            aborted: machine.metricAborted({ period: PERIOD, statistic: 'Sum' }),
          },
          label: 'Escalations failed, timed out or aborted',
          period: PERIOD,
        }),
        evaluationPeriods: 1,
      });
    }
  }

  /** Container Insights dimensions of a service's pods (the workload is named after the service). */
  private workloadDimensions(s: ServiceSpec): Record<string, string> {
    return { ClusterName: clusterName(this.config.name), Namespace: serviceNamespace(s), PodName: s.name };
  }

  /** The infrastructure rows of the dashboard. */
  private infrastructureMetrics(
    props: ObservabilityStackProps,
  ): { readonly title: string; readonly metrics: cw.IMetric[]; readonly right?: cw.IMetric[] }[] {
    const rds = (metricName: string, identifier: string, statistic = 'Average') =>
      new cw.Metric({ namespace: 'AWS/RDS', metricName, dimensionsMap: { DBInstanceIdentifier: identifier }, statistic, period: PERIOD });
    const proxy = (metricName: string, statistic: string) =>
      new cw.Metric({
        namespace: 'AWS/RDS',
        metricName,
        dimensionsMap: { ProxyName: props.database.proxy.dbProxyName },
        statistic,
        period: PERIOD,
      });
    const instance = props.database.instance.instanceIdentifier;
    return [
      {
        title: 'Database: CPU % and connections',
        metrics: [rds('CPUUtilization', instance)],
        right: [rds('DatabaseConnections', instance, 'Maximum')],
      },
      {
        title: 'Database: free storage and replica lag',
        metrics: [rds('FreeStorageSpace', instance, 'Minimum')],
        right: props.database.replica ? [rds('ReplicaLag', props.database.replica.instanceIdentifier, 'Maximum')] : [],
      },
      {
        title: 'RDS Proxy: client connections and borrow latency (µs)',
        metrics: [proxy('ClientConnections', 'Maximum')],
        right: [proxy('DatabaseConnectionsBorrowLatency', 'Average')],
      },
      {
        title: 'Nodes: CPU % (busiest node)',
        metrics: [
          new cw.Metric({
            namespace: 'ContainerInsights',
            metricName: 'node_cpu_utilization',
            dimensionsMap: { ClusterName: clusterName(this.config.name) },
            statistic: 'Maximum',
            period: MINUTE,
          }),
        ],
      },
      {
        title: 'Webhook queue: oldest event (s) and dead letters',
        metrics: [props.webhookQueues.queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum' })],
        right: [props.webhookQueues.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' })],
      },
      {
        title: 'Edge: CloudFront 5xx % and requests WAF blocked',
        metrics: [cloudFront5xxRate(props.distributionId, CLOUDFRONT_REGION)],
        right: [wafBlocked(this.config.name, 'REGIONAL', this.region), wafBlocked(this.config.name, 'CLOUDFRONT', CLOUDFRONT_REGION)],
      },
      {
        title: 'Synthetic flows: success % and duration (ms)',
        metrics: Object.values(this.canaries.canaries).map((c) => c.metricSuccessPercent({ period: PERIOD })),
        right: Object.values(this.canaries.canaries).map((c) => c.metricDuration({ period: PERIOD })),
      },
    ];
  }
}

/**
 * Requests a WebACL blocked in 5 minutes: its own metrics, dimension `WebACL` = its visibility
 * metric name, `Rule` = `ALL`, and `Region` for a regional WebACL (AWS WAF developer guide, "AWS WAF
 * metrics and dimensions"; CloudFront's WebACL reports in us-east-1 without `Region`).
 */
export function wafBlocked(environmentName: string, scope: 'REGIONAL' | 'CLOUDFRONT', region: string): cw.Metric {
  return new cw.Metric({
    namespace: 'AWS/WAFV2',
    metricName: 'BlockedRequests',
    dimensionsMap: {
      WebACL: webAclMetricName(webAclName(environmentName, scope)),
      Rule: 'ALL',
      ...(scope === 'REGIONAL' ? { Region: region } : {}),
    },
    statistic: 'Sum',
    period: PERIOD,
    region,
    label: `blocked (${scope.toLowerCase()})`,
  });
}

/** CloudFront's 5xx error rate of a distribution, in us-east-1 (dimensions `DistributionId`, `Region=Global`). */
export function cloudFront5xxRate(distributionId: string, region: string): cw.Metric {
  return new cw.Metric({
    namespace: 'AWS/CloudFront',
    metricName: '5xxErrorRate',
    dimensionsMap: { DistributionId: distributionId, Region: 'Global' },
    statistic: 'Average',
    period: PERIOD,
    region,
    label: 'CloudFront 5xx %',
  });
}

/** Name of the metric the error-line filter publishes (namespace `platformMetricNamespace()`, dimension `Service`). */
export const APPLICATION_ERRORS_METRIC = 'ApplicationErrors';

const MISSING_DATA: Record<AlarmKind['missingData'], cw.TreatMissingData> = {
  breaching: cw.TreatMissingData.BREACHING,
  notBreaching: cw.TreatMissingData.NOT_BREACHING,
  ignore: cw.TreatMissingData.IGNORE,
  missing: cw.TreatMissingData.MISSING,
};

/** What a stack says about one alarm of a catalogue kind (the rest comes from the catalogue and config). */
export type CatalogAlarmSpec = Omit<AlarmSpec, 'id' | 'title' | 'thresholds' | 'below' | 'treatMissingData'>;

/**
 * An alarm kind of `ALARM_CATALOG` through a facade: its title, direction and missing-data
 * treatment from the catalogue, its thresholds by severity from config (scaled into the metric's
 * unit by `scale`).
 */
export function addCatalogAlarm(
  facade: AlarmFacade,
  thresholds: AlarmThresholds,
  id: ThresholdedAlarmId,
  spec: CatalogAlarmSpec,
  scale: (v: number) => number = (v) => v,
) {
  const kind: AlarmKind = ALARM_CATALOG[id];
  return facade.addAlarm({
    id,
    title: kind.title,
    thresholds: Object.fromEntries(Object.entries(thresholds[id]).map(([severity, value]) => [severity, scale(value as number)])),
    below: kind.below,
    treatMissingData: MISSING_DATA[kind.missingData],
    ...spec,
  });
}

/** A record of one value per severity. */
function bySeverity<T>(value: (severity: Severity) => T): Record<Severity, T> {
  return { critical: value('critical'), warning: value('warning'), info: value('info') };
}
