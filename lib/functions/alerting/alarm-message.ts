/**
 * What reaches the critical topic, reduced to what the alerting path needs:
 *
 * - what CloudWatch publishes when an alarm changes state (a JSON message with `AlarmName`,
 *   `AlarmArn`, `NewStateValue`, `StateChangeTime`..., the same for metric and composite alarms;
 *   CloudWatch user guide, "Using Amazon SNS to notify");
 * - what Alertmanager publishes for a group of in-cluster alerts: AWS Chatbot's custom notification
 *   schema, with the severity, status, dedupe key, alert and runbook in
 *   `metadata.additionalContext` (the template and these keys are one definition:
 *   lib/config/alert-notification.ts).
 */
import { createHash } from 'crypto';
import { ALERT_CONTEXT_KEYS, ALERTMANAGER_ORIGIN, CHATBOT_CUSTOM_NOTIFICATION } from '../../config/alert-notification';

/** A CloudWatch alarm's state change. */
export interface AlarmChange {
  /** Absent on CloudWatch changes (and on the escalations started before Alertmanager's alerts joined). */
  readonly origin?: 'cloudwatch';
  readonly name: string;
  readonly arn: string;
  /** Region of the alarm, from its ARN (the message's `Region` is a display name). */
  readonly region: string;
  readonly account: string;
  readonly state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  readonly reason: string;
  readonly description: string;
  /** When the state changed (ISO 8601). */
  readonly changedAt: string;
}

/** A group of in-cluster alerts as Alertmanager notifies it: firing is `ALARM`, resolved is `OK`. */
export interface ClusterAlertChange {
  readonly origin: 'alertmanager';
  /** The alert name. */
  readonly name: string;
  /** Stable for the alert group: what the pager de-duplicates by. */
  readonly dedupKey: string;
  readonly severity: string;
  readonly state: 'ALARM' | 'OK';
  /** The notification's title. */
  readonly reason: string;
  /** The notification's description (the alerts' summaries and descriptions). */
  readonly description: string;
  /** When the earliest alert of the group started firing (ISO 8601; the epoch when none fires). */
  readonly changedAt: string;
  readonly cluster: string;
  readonly environment: string;
  readonly namespace: string;
  readonly service: string;
  readonly runbookUrl: string;
}

/** An alert change from either source, as the router and the escalation use it. */
export type AlertChange = AlarmChange | ClusterAlertChange;

/** Whether a change is one of Alertmanager's. */
export const isClusterAlert = (change: AlertChange): change is ClusterAlertChange => change.origin === ALERTMANAGER_ORIGIN;

/** What PagerDuty groups the events of an alert by: the alarm's ARN, or the alert group's key. */
export const dedupKeyOf = (change: AlertChange): string => (isClusterAlert(change) ? change.dedupKey : change.arn);

const STATES = ['ALARM', 'OK', 'INSUFFICIENT_DATA'];

const parse = (message: string): Record<string, unknown> | undefined => {
  try {
    const value = JSON.parse(message);
    return value !== null && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
};

/** The state change in an SNS message, or `undefined` when the message is not one (a test publish, another publisher). */
export function parseAlarmChange(message: string): AlarmChange | undefined {
  const m = parse(message);
  const arn = typeof m?.AlarmArn === 'string' ? m.AlarmArn : undefined;
  const parts = arn?.split(':') ?? [];
  if (
    !m ||
    !arn ||
    parts.length < 7 ||
    parts[2] !== 'cloudwatch' ||
    typeof m.AlarmName !== 'string' ||
    !STATES.includes(String(m.NewStateValue))
  ) {
    return undefined;
  }
  return {
    name: m.AlarmName,
    arn,
    region: parts[3],
    account: parts[4],
    state: m.NewStateValue as AlarmChange['state'],
    reason: typeof m.NewStateReason === 'string' ? m.NewStateReason : '',
    description: typeof m.AlarmDescription === 'string' ? m.AlarmDescription : '',
    changedAt: typeof m.StateChangeTime === 'string' ? m.StateChangeTime : new Date(0).toISOString(),
  };
}

const STATUS_TO_STATE: Readonly<Record<string, ClusterAlertChange['state']>> = { firing: 'ALARM', resolved: 'OK' };

/** Longest dedup key PagerDuty's Events API takes; a longer group key is replaced by its hash. */
export const MAX_DEDUP_KEY = 255;

/**
 * The alert group in a message Alertmanager published, or `undefined` when the message is not one
 * (not the custom notification schema, not from Alertmanager, no status or dedupe key).
 */
export function parseClusterAlert(message: string): ClusterAlertChange | undefined {
  const m = parse(message);
  const content = (m?.content ?? {}) as Record<string, unknown>;
  const context = ((m?.metadata as Record<string, unknown> | undefined)?.additionalContext ?? {}) as Record<string, unknown>;
  const str = (key: string): string => (typeof context[key] === 'string' ? (context[key] as string) : '');
  const k = ALERT_CONTEXT_KEYS;
  const state = STATUS_TO_STATE[str(k.status)];
  if (
    m?.version !== CHATBOT_CUSTOM_NOTIFICATION.version ||
    m?.source !== CHATBOT_CUSTOM_NOTIFICATION.source ||
    str(k.origin) !== ALERTMANAGER_ORIGIN ||
    !state ||
    !str(k.dedupeKey)
  ) {
    return undefined;
  }
  const key = str(k.dedupeKey);
  const since = Number(str(k.firingSince));
  return {
    origin: ALERTMANAGER_ORIGIN,
    name: str(k.alertname),
    dedupKey: key.length <= MAX_DEDUP_KEY ? key : `alertmanager/${sha256(key)}`,
    severity: str(k.severity),
    state,
    reason: typeof content.title === 'string' ? content.title : '',
    description: typeof content.description === 'string' ? content.description : '',
    changedAt: new Date(Number.isFinite(since) ? since * 1000 : 0).toISOString(),
    cluster: str(k.cluster),
    environment: str(k.environment),
    namespace: str(k.namespace),
    service: str(k.service),
    runbookUrl: str(k.runbookUrl),
  };
}

/** A message of either source, or `undefined`. */
export function parseAlertChange(message: string): AlertChange | undefined {
  return parseAlarmChange(message) ?? parseClusterAlert(message);
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Name of the escalation of one change, in the characters and length Step Functions allows (80;
 * letters, digits, `-`, `_`): the alarm's name and the time it went into ALARM; for an alert group,
 * its name, a hash of its key (two services' groups of one alert differ) and the time its earliest
 * alert started firing, which every repeat of the notification carries unchanged. SNS may deliver
 * a message twice and Alertmanager repeats a firing group: the same name makes the second start a
 * no-op.
 */
export function executionName(change: AlertChange): string {
  const when = change.changedAt.replace(/[^0-9]/g, '').slice(0, 17);
  const tag = isClusterAlert(change) ? `-${sha256(change.dedupKey).slice(0, 12)}` : '';
  const name = change.name.replace(/[^A-Za-z0-9_-]/g, '_');
  return `${name.slice(0, 80 - when.length - tag.length - 1)}${tag}-${when}`;
}
