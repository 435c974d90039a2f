/**
 * What CloudWatch publishes to SNS when an alarm changes state (a JSON message with `AlarmName`,
 * `AlarmArn`, `NewStateValue`, `StateChangeTime`..., the same for metric and composite alarms;
 * CloudWatch user guide, "Using Amazon SNS to notify"), reduced to what the alerting path needs.
 */

/** An alarm's state change. */
export interface AlarmChange {
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

const STATES = ['ALARM', 'OK', 'INSUFFICIENT_DATA'];

/** The state change in an SNS message, or `undefined` when the message is not one (a test publish, another publisher). */
export function parseAlarmChange(message: string): AlarmChange | undefined {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(message);
  } catch {
    return undefined;
  }
  const arn = typeof m?.AlarmArn === 'string' ? m.AlarmArn : undefined;
  const parts = arn?.split(':') ?? [];
  if (
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

/**
 * Name of the escalation of one state change: the alarm's name and the time it went into ALARM,
 * in the characters and length Step Functions allows (80; letters, digits, `-`, `_`). SNS may
 * deliver a message twice: the same name makes the second start a no-op.
 */
export function executionName(change: AlarmChange): string {
  const when = change.changedAt.replace(/[^0-9]/g, '').slice(0, 17);
  const name = change.name.replace(/[^A-Za-z0-9_-]/g, '_');
  return `${name.slice(0, 80 - when.length - 1)}-${when}`;
}
