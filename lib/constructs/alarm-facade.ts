import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Severity of an alarm: `critical` pages, `warning` goes to chat, `info` to dashboards only. */
export type AlarmSeverity = 'critical' | 'warning' | 'info';

/** Most urgent first. */
const SEVERITY_ORDER: readonly AlarmSeverity[] = ['critical', 'warning', 'info'];

/** Props of `AlarmFacade`. */
export interface AlarmFacadeProps {
  /** Prefix of every alarm name, e.g. `saas-platform-prod-`. */
  readonly alarmNamePrefix: string;
  /** The topic of each severity; an alarm notifies its severity's topic on ALARM and on OK. */
  readonly topics: Readonly<Record<AlarmSeverity, sns.ITopic>>;
  /** Where the runbook of an alarm id is, e.g. `id => 'docs/runbooks.md#' + id`. */
  readonly runbook: (id: string) => string;
}

/** One alarm kind on one metric, with a threshold per severity. */
export interface AlarmSpec {
  /** Alarm id (the runbook anchor), e.g. `rds-cpu`. */
  readonly id: string;
  /**
   * What this one alarm of the kind watches, e.g. a service name.
   * @default - the kind has one alarm per environment
   */
  readonly instance?: string;
  /** What it watches, one line (the description starts with it). */
  readonly title: string;
  /** The metric or math expression. */
  readonly metric: cw.IMetric;
  /** Threshold by severity, in the metric's unit; a severity left out gets no alarm. */
  readonly thresholds: Readonly<Partial<Record<AlarmSeverity, number>>>;
  /** How a threshold reads in the description, e.g. `v => v + '%'`. @default String */
  readonly format?: (threshold: number) => string;
  /** Fire below the threshold instead of above it. @default false */
  readonly below?: boolean;
  /** Periods evaluated. @default 3 */
  readonly evaluationPeriods?: number;
  /** Of those, how many must breach. @default evaluationPeriods */
  readonly datapointsToAlarm?: number;
  /** How periods without data count; every alarm says. */
  readonly treatMissingData: cw.TreatMissingData;
  /**
   * The critical level pages through a composite alarm (`addComposite`), not by itself: it gets no
   * actions of its own, so that one symptom seen by several alarms pages once.
   * @default false
   */
  readonly pageThroughComposite?: boolean;
}

/** An alarm the facade made, for tests, docs and the dashboard. */
export interface FacadeAlarm {
  readonly id: string;
  readonly instance?: string;
  readonly severity: AlarmSeverity;
  readonly alarm: cw.AlarmBase;
  /** Whether the alarm notifies its severity's topic itself (false for the children of a composite). */
  readonly notifies: boolean;
}

/** Props of `AlarmFacade.addComposite`. */
export interface CompositeSpec {
  /** Alarm id (the runbook anchor), e.g. `api-unavailable`. */
  readonly id: string;
  /** What it means, one line. */
  readonly title: string;
  /** Severity of the composite. */
  readonly severity: AlarmSeverity;
  /** The alarms any one of which puts the composite into ALARM. */
  readonly anyOf: readonly cw.IAlarm[];
}

/**
 * The one place a stack declares its alarms: every alarm kind the same way (a threshold per
 * severity, from config), named `<prefix><id>[-<instance>]-<severity>`, described with its
 * threshold and a stable runbook link, notifying its severity's topic on ALARM and OK. The shape of
 * cdk-monitoring-constructs' `MonitoringFacade`, without its dependency.
 */
export class AlarmFacade extends Construct {
  private readonly props: AlarmFacadeProps;
  private readonly made: FacadeAlarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmFacadeProps) {
    super(scope, id);
    this.props = props;
  }

  /** Every alarm made so far, most urgent first within each kind. */
  public get alarms(): readonly FacadeAlarm[] {
    return this.made;
  }

  /** One alarm per severity that has a threshold; returns them by severity. */
  public addAlarm(spec: AlarmSpec): Partial<Record<AlarmSeverity, cw.Alarm>> {
    const out: Partial<Record<AlarmSeverity, cw.Alarm>> = {};
    const format = spec.format ?? String;
    const evaluationPeriods = spec.evaluationPeriods ?? 3;
    for (const severity of SEVERITY_ORDER) {
      const threshold = spec.thresholds[severity];
      if (threshold === undefined) continue;
      const name = this.name(spec.id, spec.instance, severity);
      const notifies = !(severity === 'critical' && spec.pageThroughComposite);
      const alarm = new cw.Alarm(this, name, {
        alarmName: `${this.props.alarmNamePrefix}${name}`,
        alarmDescription: this.description(
          spec.id,
          spec.title,
          `${severity}: ${spec.below ? 'below' : 'at or above'} ${format(threshold)}`,
          notifies,
        ),
        metric: spec.metric,
        threshold,
        comparisonOperator: spec.below
          ? cw.ComparisonOperator.LESS_THAN_THRESHOLD
          : cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods,
        datapointsToAlarm: spec.datapointsToAlarm ?? evaluationPeriods,
        treatMissingData: spec.treatMissingData,
      });
      if (notifies) this.route(alarm, severity);
      this.made.push({ id: spec.id, instance: spec.instance, severity, alarm, notifies });
      out[severity] = alarm;
    }
    return out;
  }

  /** A composite alarm: in ALARM while any of `anyOf` is; notifies its severity's topic. */
  public addComposite(spec: CompositeSpec): cw.CompositeAlarm | undefined {
    if (spec.anyOf.length === 0) return undefined;
    const name = this.name(spec.id, undefined, spec.severity);
    const alarm = new cw.CompositeAlarm(this, name, {
      compositeAlarmName: `${this.props.alarmNamePrefix}${name}`,
      alarmDescription: this.description(spec.id, spec.title, `${spec.severity}: any of ${spec.anyOf.length} alarms`, true),
      alarmRule: cw.AlarmRule.anyOf(...spec.anyOf.map((a) => cw.AlarmRule.fromAlarm(a, cw.AlarmState.ALARM))),
    });
    this.route(alarm, spec.severity);
    this.made.push({ id: spec.id, severity: spec.severity, alarm, notifies: true });
    return alarm;
  }

  private name(id: string, instance: string | undefined, severity: AlarmSeverity): string {
    return [id, instance, severity].filter((p) => p !== undefined).join('-');
  }

  private description(id: string, title: string, level: string, notifies: boolean): string {
    const via = notifies ? '' : ' Pages through its composite alarm.';
    return `${title} (${level}).${via} Runbook: ${this.props.runbook(id)}`;
  }

  private route(alarm: cw.AlarmBase, severity: AlarmSeverity): void {
    const action = new actions.SnsAction(this.props.topics[severity]);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }
}
