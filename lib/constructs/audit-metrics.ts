import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { AuditAlarmId, AuditRuleSpec } from '../config/audit-rules';

/** Props of `AuditMetrics`. */
export interface AuditMetricsProps {
  /** The trail's log group. */
  readonly logGroup: logs.ILogGroup;
  /** Metric namespace, e.g. `saas-platform/prod/audit`. */
  readonly namespace: string;
  /** The rules (`auditRules()`). */
  readonly rules: readonly AuditRuleSpec[];
}

/** One audit metric and the alarm kind that watches it. */
export interface AuditMetric {
  readonly alarmId: AuditAlarmId;
  /** The events the rule counts, summed over five minutes. */
  readonly metric: cloudwatch.IMetric;
}

/**
 * The audit trail's metrics: for each rule, metric filters on the trail's log group counting the
 * events it matches (0 in a period without any, so "no data" never hides a quiet account). The
 * alarms on them are the Observability stack's (`AlarmFacade`, `ALARM_CATALOG` kinds): they notify
 * the severity topics like every other alarm, and that stack is deployed after this one.
 */
export class AuditMetrics extends Construct {
  /** Each rule's metric, with its alarm kind. */
  public readonly metrics: readonly AuditMetric[];

  constructor(scope: Construct, id: string, props: AuditMetricsProps) {
    super(scope, id);
    this.metrics = props.rules.map((rule) => {
      rule.patterns.forEach((pattern, i) => {
        new logs.MetricFilter(this, `${rule.id}Filter${i === 0 ? '' : i}`, {
          logGroup: props.logGroup,
          filterPattern: logs.FilterPattern.literal(pattern),
          metricNamespace: props.namespace,
          metricName: rule.id,
          metricValue: '1',
          defaultValue: 0,
        });
      });
      return {
        alarmId: rule.alarmId,
        metric: new cloudwatch.Metric({ namespace: props.namespace, metricName: rule.id, statistic: 'Sum', period: Duration.minutes(5) }),
      };
    });
  }
}
