import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The severities the audit alarms use (the same names every alarm and channel of the platform uses). */
export type AuditSeverity = 'critical' | 'warning';

/** Where alarms of each severity go, e.g. the Observability stack's topic per severity (`new SnsAction(topic)`). */
export type AlarmActions = Readonly<Partial<Record<AuditSeverity, cloudwatch.IAlarmAction>>>;

/** One audit rule: a CloudWatch Logs filter over the trail, and the alarm on what it counts. */
export interface AuditRule {
  /** Construct ID and metric name, e.g. `RootUse`. */
  readonly id: string;
  /** What it means when it fires (the alarm description). */
  readonly description: string;
  readonly severity: AuditSeverity;
  /**
   * Filter patterns over the trail's events (JSON filter syntax); each counts into the rule's metric
   * (several patterns when one would be too long, e.g. one per secret).
   */
  readonly patterns: readonly string[];
}

/** Props of `AuditAlarms`. */
export interface AuditAlarmsProps {
  /** The trail's log group. */
  readonly logGroup: logs.ILogGroup;
  /** Metric namespace, e.g. `saas-platform/prod/audit`. */
  readonly namespace: string;
  /** Prefix of the alarm names, e.g. `saas-platform-prod-audit`. */
  readonly alarmNamePrefix: string;
  readonly rules: readonly AuditRule[];
  /**
   * Actions of each severity's alarms.
   * @default - none yet: wire them with `addAlarmActions` (the Observability stack's topics)
   */
  readonly actions?: AlarmActions;
}

/**
 * Alarms on the audit trail: for each rule, metric filters on the trail's log group counting the
 * events it matches, and an alarm (any event in five minutes) keyed by severity, in the same
 * `critical`/`warning` shape as every other alarm of the platform. Missing data is "not breaching":
 * no event is good news.
 */
export class AuditAlarms extends Construct {
  /** The alarms, with their severity. */
  public readonly alarms: readonly { readonly rule: AuditRule; readonly alarm: cloudwatch.Alarm }[];

  constructor(scope: Construct, id: string, props: AuditAlarmsProps) {
    super(scope, id);
    this.alarms = props.rules.map((rule) => {
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
      const alarm = new cloudwatch.Alarm(this, rule.id, {
        alarmName: `${props.alarmNamePrefix}-${rule.id}`,
        alarmDescription: `[${rule.severity}] ${rule.description}`,
        metric: new cloudwatch.Metric({ namespace: props.namespace, metricName: rule.id, statistic: 'Sum', period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      return { rule, alarm };
    });
    if (props.actions) this.addAlarmActions(props.actions);
  }

  /** Send each severity's alarms (state ALARM) to its action, e.g. the Observability stack's topics. */
  public addAlarmActions(actions: AlarmActions): void {
    for (const { rule, alarm } of this.alarms) {
      const action = actions[rule.severity];
      if (action) alarm.addAlarmAction(action);
    }
  }
}
