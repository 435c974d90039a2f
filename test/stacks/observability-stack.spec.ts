import { CfnElement, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { webAclName } from '../../lib/config/edge-names';
import { clusterName, serviceNamespace } from '../../lib/config/naming';
import {
  ALARM_CATALOG,
  AlarmKind,
  DATABASE_CLASS_MEMORY_GIB,
  postgresMaxConnections,
  SEVERITIES,
  ThresholdedAlarmId,
} from '../../lib/config/observability';
import {
  alarmNamePrefix,
  alertRouterFunctionName,
  alertTopicArn,
  alertTopicName,
  canaryName,
  platformMetricNamespace,
  webAclMetricName,
} from '../../lib/config/observability-names';
import { SECRETS, servicesFor } from '../../lib/config/service-catalog';
import { auditRules, secretReadScope } from '../../lib/config/audit-rules';
import { EnvironmentConfig, Severity } from '../../lib/config/types';
import { APPLICATION_ERRORS_METRIC } from '../../lib/stacks/observability-stack';
import { EACH_ENV, synthesizedApp } from '../app-fixture';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What an alarm watches, from its template properties: one metric, or an expression over metrics. */
interface Watched {
  readonly namespace?: string;
  readonly metricName?: string;
  readonly stat?: string;
  readonly period?: number;
  readonly dimensions?: Record<string, Json>;
  readonly expression?: string;
  readonly metrics?: Watched[];
}

const dims = (list: { Name: string; Value: Json }[] = []) => Object.fromEntries(list.map((d) => [d.Name, d.Value]));
const fromStat = (s: Json): Watched => ({
  namespace: s.Metric.Namespace,
  metricName: s.Metric.MetricName,
  stat: s.Stat,
  period: s.Period,
  dimensions: dims(s.Metric.Dimensions),
});

function watched(p: Json): Watched {
  if (!p.Metrics) {
    return {
      namespace: p.Namespace,
      metricName: p.MetricName,
      stat: p.Statistic ?? p.ExtendedStatistic,
      period: p.Period,
      dimensions: dims(p.Dimensions),
    };
  }
  const returned = p.Metrics.find((m: Json) => m.ReturnData !== false);
  if (returned.MetricStat) return fromStat(returned.MetricStat);
  return { expression: returned.Expression, metrics: p.Metrics.filter((m: Json) => m.MetricStat).map((m: Json) => fromStat(m.MetricStat)) };
}

/** The expected alarm kinds of an environment, each with a metric check and a threshold from config. */
function expectedAlarms(config: EnvironmentConfig) {
  const t = config.observability.thresholds;
  const services = servicesFor(config.name);
  const publicServices = services.filter((s) => s.ingress);
  const rows: { id: ThresholdedAlarmId; instance?: string; scale?: (v: number) => number; check: (w: Watched) => void }[] = [];
  const single = (namespace: string, metricName: string, stat: string, dimensions?: Record<string, Json>) => (w: Watched) => {
    expect(w).toMatchObject({ namespace, metricName, stat });
    if (dimensions) expect(w.dimensions).toEqual(dimensions);
  };
  const alb = { LoadBalancer: { 'Fn::GetAtt': [expect.stringMatching(/^AlbDimensions/), 'LoadBalancer'] } };
  const maxConnections = postgresMaxConnections(DATABASE_CLASS_MEMORY_GIB[config.database.instanceClass]);

  rows.push({
    id: 'alb-5xx-rate',
    check: (w) => {
      expect(w.expression).toBe('100 * (FILL(targets, 0) + FILL(alb, 0)) / requests');
      expect(w.metrics!.map((m) => [m.metricName, m.stat])).toEqual([
        ['HTTPCode_Target_5XX_Count', 'Sum'],
        ['HTTPCode_ELB_5XX_Count', 'Sum'],
        ['RequestCount', 'Sum'],
      ]);
    },
  });
  rows.push({
    id: 'alb-requests-missing',
    check: (w) => expect(w).toMatchObject({ metricName: 'RequestCount', stat: 'Sum', period: 900 }),
  });
  for (const s of publicServices) {
    const target = { ...alb, TargetGroup: { 'Fn::GetAtt': [expect.stringMatching(/^AlbDimensions/), `TargetGroup.${s.name}`] } };
    const slo = s.slo.latencyP95Millis / 1000;
    rows.push({
      id: 'target-latency-p95',
      instance: s.name,
      scale: (f) => slo * f,
      check: single('AWS/ApplicationELB', 'TargetResponseTime', 'p95', target),
    });
    rows.push({
      id: 'target-latency-p99',
      instance: s.name,
      scale: (f) => slo * f,
      check: single('AWS/ApplicationELB', 'TargetResponseTime', 'p99', target),
    });
    rows.push({ id: 'unhealthy-targets', instance: s.name, check: single('AWS/ApplicationELB', 'UnHealthyHostCount', 'Maximum', target) });
  }
  rows.push({ id: 'rds-cpu', check: single('AWS/RDS', 'CPUUtilization', 'Average') });
  rows.push({
    id: 'rds-free-storage',
    scale: (pct) => (pct / 100) * config.database.allocatedStorageGiB * 1024 ** 3,
    check: single('AWS/RDS', 'FreeStorageSpace', 'Minimum'),
  });
  rows.push({
    id: 'rds-connections',
    scale: (pct) => Math.floor((pct / 100) * maxConnections),
    check: single('AWS/RDS', 'DatabaseConnections', 'Maximum'),
  });
  if (config.database.readReplica)
    rows.push({ id: 'rds-replica-lag', instance: 'replica', check: single('AWS/RDS', 'ReplicaLag', 'Maximum') });
  rows.push({ id: 'proxy-client-connections', check: single('AWS/RDS', 'ClientConnections', 'Maximum') });
  rows.push({
    id: 'proxy-borrow-latency',
    scale: (ms) => ms * 1000,
    check: single('AWS/RDS', 'DatabaseConnectionsBorrowLatency', 'Average'),
  });
  rows.push({
    id: 'node-cpu',
    check: (w) =>
      expect(w).toMatchObject({
        namespace: 'ContainerInsights',
        metricName: 'node_cpu_utilization',
        stat: 'Maximum',
        period: 60,
        dimensions: { ClusterName: clusterName(config.name) },
      }),
  });
  for (const s of services) {
    const workload = { ClusterName: clusterName(config.name), Namespace: serviceNamespace(s), PodName: s.name };
    rows.push({
      id: 'pod-memory-near-limit',
      instance: s.name,
      check: single('ContainerInsights', 'pod_memory_utilization_over_pod_limit', 'Maximum', workload),
    });
    rows.push({
      id: 'container-restarts',
      instance: s.name,
      check: (w) => {
        expect(w.expression).toBe('IF(DIFF(restarts) > 0, DIFF(restarts), 0)');
        expect(w.metrics).toEqual([
          {
            namespace: 'ContainerInsights',
            metricName: 'pod_number_of_container_restarts',
            stat: 'Maximum',
            period: 300,
            dimensions: workload,
          },
        ]);
      },
    });
    rows.push({
      id: 'application-errors',
      instance: s.name,
      check: single(platformMetricNamespace(), APPLICATION_ERRORS_METRIC, 'Sum', { Service: s.name }),
    });
  }
  rows.push({
    id: 'waf-blocked-spike',
    instance: 'regional',
    check: single('AWS/WAFV2', 'BlockedRequests', 'Sum', {
      WebACL: webAclMetricName(webAclName(config.name, 'REGIONAL')),
      Rule: 'ALL',
      Region: config.region,
    }),
  });
  rows.push({ id: 'webhook-queue-age', check: single('AWS/SQS', 'ApproximateAgeOfOldestMessage', 'Maximum') });
  rows.push({ id: 'webhook-dlq-depth', check: single('AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'Maximum') });
  const functions = [
    'webhook-handler',
    'api-probe',
    'origin-verify-rotation',
    'database-users',
    'alert-router',
    ...(config.observability.pager ? ['escalation'] : []),
  ];
  for (const fn of functions) {
    rows.push({ id: 'lambda-errors', instance: fn, check: single('AWS/Lambda', 'Errors', 'Sum') });
    rows.push({ id: 'lambda-throttles', instance: fn, check: single('AWS/Lambda', 'Throttles', 'Sum') });
  }
  for (const flow of config.observability.synthetics.flows) {
    const canary = { CanaryName: { Ref: expect.stringMatching(/^Canaries/) } };
    rows.push({ id: 'canary-failed', instance: flow.name, check: single('CloudWatchSynthetics', 'SuccessPercent', 'Average', canary) });
    rows.push({
      id: 'canary-latency',
      instance: flow.name,
      scale: (f) => flow.latencyObjectiveMillis * f,
      check: single('CloudWatchSynthetics', 'Duration', 'Average', canary),
    });
  }
  for (const severity of ['critical', 'warning']) {
    rows.push({
      id: 'alerting-delivery-failed',
      instance: `${severity}-topic`,
      check: single('AWS/SNS', 'NumberOfNotificationsFailed', 'Sum'),
    });
  }
  if (config.observability.pager) {
    rows.push({
      id: 'escalation-failed',
      check: (w) => {
        expect(w.expression).toBe('FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)');
        expect(w.metrics!.map((m) => m.metricName)).toEqual(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']);
      },
    });
  }
  // the audit trail's rules (Audit stack metric filters), one alarm kind each; the secret rule when the catalog has secrets
  const auditNamespace = `${config.tags.Application}/${config.name}/audit`;
  const secretReads = Object.keys(SECRETS).length > 0 ? secretReadScope(config.name, config.account) : undefined;
  for (const rule of auditRules({ breakGlassRoleName: 'b', breakGlassPermissionSetName: 'p', secretReads })) {
    rows.push({ id: rule.alarmId, check: single(auditNamespace, rule.id, 'Sum') });
  }
  return rows.flatMap((row) =>
    SEVERITIES.filter((s) => t[row.id][s] !== undefined).map((severity) => ({
      ...row,
      severity,
      name: `${alarmNamePrefix(config.name)}${[row.id, row.instance, severity].filter(Boolean).join('-')}`,
      threshold: (row.scale ?? ((v: number) => v))(t[row.id][severity]!),
    })),
  );
}

/** Children of the composites: their critical level pages through the composite. */
const COMPOSITE_CHILDREN: Record<string, string[]> = {
  'api-unavailable': ['alb-5xx-rate', 'canary-failed'],
  'database-saturated': ['rds-connections', 'proxy-borrow-latency', 'rds-cpu'],
};

describe('ObservabilityStack', () => {
  // GIVEN the whole app, synthesized once (every gate passed, or this throws)
  const { stage, template } = synthesizedApp();
  const obs = (name: string) => template(stage(name).observability);
  /** Logical ID of the CloudFormation resource under a construct path (following default children). */
  const logicalId = (stack: Stack, path: string) => {
    let node: IConstruct = stack.node.findAll().find((c) => c.node.path === `${stack.node.path}/${path}`)!;
    while (!CfnElement.isCfnElement(node)) node = node.node.defaultChild!;
    return stack.getLogicalId(node);
  };
  const topicRef = (name: string, severity: Severity) => ({ Ref: logicalId(stage(name).observability, `Topics/${severity}`) });
  const alarmsOf = (t: Template): Record<string, Json> =>
    Object.fromEntries(
      Object.values({ ...t.findResources('AWS::CloudWatch::Alarm'), ...t.findResources('AWS::CloudWatch::CompositeAlarm') }).map((r) => [
        r.Properties.AlarmName,
        r.Properties,
      ]),
    );

  test.each(EACH_ENV)(
    '%s: one KMS-encrypted topic per severity, named from config; e-mails subscribed to critical and warning only',
    (name, config) => {
      const t = obs(name);
      t.resourceCountIs('AWS::SNS::Topic', 3 + (config.observability.pager?.tiers.filter((x) => x.kind === 'sms').length ?? 0));
      for (const severity of SEVERITIES) {
        t.hasResourceProperties('AWS::SNS::Topic', { TopicName: alertTopicName(config.name, severity), KmsMasterKeyId: Match.anyValue() });
      }
      const emails = Object.values(t.findResources('AWS::SNS::Subscription'))
        .filter((s) => s.Properties.Protocol === 'email')
        .map((s) => [s.Properties.TopicArn, s.Properties.Endpoint]);
      expect(emails).toEqual([
        ...config.alerts.critical.emails.map((e) => [topicRef(name, 'critical'), e]),
        ...config.alerts.warning.emails.map((e) => [topicRef(name, 'warning'), e]),
      ]);
      // the key is the ObservabilityData stack's (CloudWatch may use it to publish)
      t.hasResourceProperties('AWS::SNS::Topic', {
        TopicName: alertTopicName(config.name, 'critical'),
        KmsMasterKeyId: { 'Fn::GetStackOutput': Match.objectLike({ StackName: `${config.stageName}-ObservabilityData` }) },
      });
    },
  );

  test.each(EACH_ENV)('%s: each Slack channel of config gets the topics of its severities', (name, config) => {
    const t = obs(name);
    const byChannel = new Map<string, Severity[]>();
    for (const severity of SEVERITIES) {
      const channel = config.alerts[severity].slackChannelId;
      if (channel) byChannel.set(channel, [...(byChannel.get(channel) ?? []), severity]);
    }
    expect(byChannel.size).toBeGreaterThan(0);
    t.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', byChannel.size);
    for (const [channel, severities] of byChannel) {
      t.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
        SlackWorkspaceId: config.observability.chat.slack!.workspaceId,
        SlackChannelId: channel,
        SnsTopicArns: severities.map((s) => topicRef(name, s)),
      });
    }
  });

  test.each(EACH_ENV)(
    '%s: every expected alarm exists with its metric, its threshold from config and its severity topic',
    (name, config) => {
      const alarms = alarmsOf(obs(name));
      const expected = expectedAlarms(config);
      const children = Object.values(COMPOSITE_CHILDREN).flat();
      for (const e of expected) {
        const props = alarms[e.name];
        expect([e.name, props !== undefined]).toEqual([e.name, true]);
        expect([e.name, props.Threshold]).toEqual([e.name, e.threshold]);
        expect([e.name, props.ComparisonOperator]).toEqual([
          e.name,
          (ALARM_CATALOG[e.id] as AlarmKind).below ? 'LessThanThreshold' : 'GreaterThanOrEqualToThreshold',
        ]);
        expect(props.TreatMissingData).toBe((ALARM_CATALOG[e.id] as AlarmKind).missingData);
        expect(props.AlarmDescription).toMatch(new RegExp(` Runbook: docs/runbooks\\.md#${e.id}$`));
        e.check(watched(props));
        const viaComposite = e.severity === 'critical' && children.includes(e.id);
        expect([e.name, props.AlarmActions]).toEqual([e.name, viaComposite ? undefined : [topicRef(name, e.severity)]]);
        expect([e.name, props.OKActions]).toEqual([e.name, viaComposite ? undefined : [topicRef(name, e.severity)]]);
      }
      // THEN nothing else: the metric alarms are exactly the expected ones, plus the two composites
      expect(Object.keys(alarms).sort()).toEqual(
        [
          ...expected.map((e) => e.name),
          ...Object.keys(COMPOSITE_CHILDREN).map((id) => `${alarmNamePrefix(config.name)}${id}-critical`),
        ].sort(),
      );
    },
  );

  test.each(EACH_ENV)('%s: one symptom pages once: the composites page, over the critical levels of their children', (name, config) => {
    const t = obs(name);
    for (const [id, children] of Object.entries(COMPOSITE_CHILDREN)) {
      const [, composite] = Object.entries(t.findResources('AWS::CloudWatch::CompositeAlarm')).find(
        ([, c]) => c.Properties.AlarmName === `${alarmNamePrefix(config.name)}${id}-critical`,
      )!;
      expect(composite.Properties.AlarmActions).toEqual([topicRef(name, 'critical')]);
      const rule = JSON.stringify(composite.Properties.AlarmRule);
      const expectedChildren = expectedAlarms(config).filter((e) => children.includes(e.id) && e.severity === 'critical');
      expect(expectedChildren.length).toBeGreaterThan(0);
      const childIds = Object.entries(t.findResources('AWS::CloudWatch::Alarm'))
        .filter(([, a]) => expectedChildren.some((e) => e.name === a.Properties.AlarmName))
        .map(([lid]) => lid);
      expect(childIds).toHaveLength(expectedChildren.length);
      for (const child of childIds) expect(rule).toContain(`"${child}"`);
      expect((rule.match(/ALARM\(/g) ?? []).length).toBe(expectedChildren.length);
    }
  });

  test.each(EACH_ENV.filter(([, c]) => c.observability.pager))(
    '%s: critical alerts reach the pager: critical topic -> router -> escalation -> first tier',
    (name, config) => {
      const stack = stage(name).observability;
      const t = obs(name);
      const router = logicalId(stack, 'Router/Handler');
      const machine = logicalId(stack, 'Escalation');
      t.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'lambda',
        TopicArn: topicRef(name, 'critical'),
        Endpoint: { 'Fn::GetAtt': [router, 'Arn'] },
      });
      t.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: alertRouterFunctionName(config.name),
        Environment: {
          Variables: Match.objectLike({ CRITICAL_TOPIC_ARN: topicRef(name, 'critical'), STATE_MACHINE_ARN: { Ref: machine } }),
        },
      });
      const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
      expect(statements).toContainEqual(
        expect.objectContaining({ Sid: 'StartEscalation', Action: 'states:StartExecution', Resource: { Ref: machine } }),
      );
      const definition = JSON.stringify(t.findResources('AWS::StepFunctions::StateMachine')[machine].Properties.DefinitionString);
      expect(definition).toContain(`\\"StartAt\\":\\"Page ${config.observability.pager!.tiers[0].name}\\"`);
      for (const tier of config.observability.pager!.tiers) expect(definition).toContain(`\\"Seconds\\":${tier.ackTimeoutMinutes * 60}`);
    },
  );

  test.each(EACH_ENV)('%s: every critical alarm pages: by itself, or through a composite that does', (name) => {
    const alarms = Object.values(alarmsOf(obs(name)));
    const critical = alarms.filter((a) => a.AlarmName.endsWith('-critical'));
    const composites = alarms.filter((a) => a.AlarmRule);
    for (const a of critical) {
      const pages = JSON.stringify(a.AlarmActions) === JSON.stringify([topicRef(name, 'critical')]);
      const throughComposite = composites.some(
        (c) =>
          JSON.stringify(c.AlarmActions) === JSON.stringify([topicRef(name, 'critical')]) &&
          a.AlarmDescription.includes('Pages through its composite alarm'),
      );
      expect([a.AlarmName, pages || throughComposite]).toEqual([a.AlarmName, true]);
    }
  });

  test.each(EACH_ENV)(
    "%s: the router's role may relay to the regional topics, start the escalation, read the routing keys: nothing else",
    (name, config) => {
      const stack = stage(name).observability;
      const t = obs(name);
      const role = logicalId(stack, 'Router/Handler/Role');
      const [policy] = Object.values(t.findResources('AWS::IAM::Policy')).filter(
        (p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]),
      );
      const statements = policy.Properties.PolicyDocument.Statement as Json[];
      const bySid = Object.fromEntries(statements.filter((x) => x.Sid).map((x) => [x.Sid, x]));
      expect(bySid.RelayToRegionalTopics).toMatchObject({
        Action: 'sns:Publish',
        Resource: [topicRef(name, 'critical'), topicRef(name, 'warning')],
      });
      expect([bySid.RelayToRegionalTopicsEncrypted.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      const reads = statements.filter((x) => [x.Action].flat().includes('secretsmanager:GetSecretValue'));
      if (config.observability.pager) {
        expect(bySid.StartEscalation).toMatchObject({ Action: 'states:StartExecution', Resource: { Ref: logicalId(stack, 'Escalation') } });
        // the routing keys of the PagerDuty tiers, not the API token (only the escalation checks incidents)
        const tiers = config.observability.pager.tiers.filter((x) => x.kind === 'pagerduty');
        expect(reads.flatMap((x) => [x.Resource].flat())).toHaveLength(tiers.length);
        expect(JSON.stringify(reads)).not.toContain('PagerDutyApiToken');
      } else {
        expect(bySid.StartEscalation).toBeUndefined();
        expect(reads).toEqual([]);
      }
      // X-Ray (PlatformFunction) and its own logs are the only other statements
      expect(
        statements
          .filter((x) => !x.Sid)
          .map((x) => [x.Action].flat().join(','))
          .sort(),
      ).toEqual(
        [
          ...(config.observability.pager ? reads.map((x) => [x.Action].flat().join(',')) : []),
          'logs:CreateLogStream,logs:PutLogEvents',
          'xray:PutTelemetryRecords,xray:PutTraceSegments',
        ].sort(),
      );
    },
  );

  test('development pages nobody: no escalation, and the router only relays', () => {
    const t = obs('dev');
    t.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    expect(Object.values(t.findResources('AWS::SNS::Subscription')).filter((s) => s.Properties.Protocol === 'lambda')).toEqual([]);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ STATE_MACHINE_ARN: '', ROUTING_KEY_SECRETS: '[]' }) },
    });
  });

  test.each(EACH_ENV)('%s: the router relays the us-east-1 topics, which may invoke it', (name, config) => {
    const stack = stage(name).observability;
    const t = obs(name);
    for (const severity of ['critical', 'warning'] as const) {
      t.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'sns.amazonaws.com',
        SourceArn: alertTopicArn(config.name, severity, 'global', config.account, 'us-east-1'),
        FunctionName: { 'Fn::GetAtt': [logicalId(stack, 'Router/Handler'), 'Arn'] },
      });
    }
    const variables = Object.values(t.findResources('AWS::Lambda::Function')).find(
      (f) => f.Properties.FunctionName === alertRouterFunctionName(config.name),
    )!.Properties.Environment.Variables;
    const relay = JSON.stringify(variables.RELAY_TOPICS);
    expect(relay).toContain(alertTopicArn(config.name, 'critical', 'global', config.account, 'us-east-1'));
    expect(relay).toContain(JSON.stringify(topicRef(name, 'critical')));
  });

  test.each(EACH_ENV)('%s: the ALB dimensions are resolved by the controller tags for every public service', (name, config) => {
    obs(name).hasResourceProperties('Custom::AlbDimensions', {
      ClusterTag: clusterName(config.name),
      StackTag: Match.anyValue(),
      Targets: Object.fromEntries(
        servicesFor(config.name)
          .filter((s) => s.ingress)
          .map((s) => [s.name, `${serviceNamespace(s)}/${s.name}-${s.name}:${s.port}`]),
      ),
      Refresh: '',
    });
  });

  test.each(EACH_ENV)('%s: error lines of the container logs become a metric per service (level error or fatal)', (name, config) => {
    obs(name).hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: `/aws/containerinsights/${clusterName(config.name)}/application`,
      FilterPattern: '{ ($.log_processed.level = "error") || ($.log_processed.level = "fatal") }',
      MetricTransformations: [
        {
          MetricNamespace: platformMetricNamespace(),
          MetricName: APPLICATION_ERRORS_METRIC,
          MetricValue: '1',
          Dimensions: [{ Key: 'Service', Value: '$.kubernetes.container_name' }],
          Unit: 'Count',
        },
      ],
    });
  });

  test.each(EACH_ENV)('%s: a canary per synthetic flow, one of them database-heavy outside development', (name, config) => {
    const t = obs(name);
    for (const flow of config.observability.synthetics.flows) {
      t.hasResourceProperties('AWS::Synthetics::Canary', {
        Name: canaryName(config.name, flow.name),
        Schedule: Match.objectLike({ Expression: `rate(${config.observability.synthetics.scheduleMinutes} minutes)` }),
        Code: Match.objectLike({ Script: Match.stringLikeRegexp(`const PATH = "${flow.path}";`) }),
      });
    }
    if (config.tier !== 'development') expect(config.observability.synthetics.flows.some((f) => f.databaseHeavy)).toBe(true);
  });

  test.each(EACH_ENV)('%s: one dashboard with the alarms, a golden-signal row per service and the infrastructure', (name, config) => {
    const [dashboard] = Object.values(obs(name).findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard.Properties.DashboardName).toBe(`saas-platform-${config.name}`);
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const s of servicesFor(config.name)) {
      for (const signal of ['traffic', 'errors', 'latency', 'saturation']) expect(body).toContain(`${s.name}: ${signal}`);
    }
    for (const title of ['Database: CPU', 'RDS Proxy', 'Nodes: CPU', 'Webhook queue', 'Edge: CloudFront 5xx', 'Synthetic flows'])
      expect(body).toContain(title);
    expect(body).toContain('\\"region\\":\\"us-east-1\\"');
  });

  test.each(EACH_ENV)('%s: stateless, and what it keeps is in ObservabilityData', (name) => {
    expect(stage(name).observability.terminationProtection).toBe(false);
    const types = Object.values(obs(name).toJSON().Resources).map((r: Json) => r.Type);
    for (const stateful of ['AWS::KMS::Key', 'AWS::SecretsManager::Secret', 'AWS::S3::Bucket']) expect(types).not.toContain(stateful);
  });
});
