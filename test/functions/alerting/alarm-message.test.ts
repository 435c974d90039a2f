import {
  dedupKeyOf,
  executionName,
  MAX_DEDUP_KEY,
  parseAlarmChange,
  parseAlertChange,
  parseClusterAlert,
} from '../../../lib/functions/alerting/alarm-message';
import { alarmMessage, CHANGE, CLUSTER_CHANGE, clusterAlert, clusterAlertMessage, clusterGroup } from './fixtures';

describe('parseAlarmChange', () => {
  test('reads the state change of a CloudWatch alarm message, region and account from its ARN', () => {
    expect(parseAlarmChange(alarmMessage())).toEqual(CHANGE);
  });

  test.each([
    ['not JSON', 'hello'],
    ['no alarm ARN (a test publish)', JSON.stringify({ default: 'test' })],
    ['an ARN of another service', alarmMessage({ AlarmArn: 'arn:aws:sns:eu-west-1:333333333333:topic' })],
    ['an unknown state', alarmMessage({ NewStateValue: 'MAYBE' })],
    ['no alarm name', alarmMessage({ AlarmName: undefined })],
  ])('is undefined for %s', (_, message) => {
    expect(parseAlarmChange(message)).toBeUndefined();
  });

  test('missing optional fields become empty, the time the epoch', () => {
    const change = parseAlarmChange(
      JSON.stringify({ AlarmName: 'a', AlarmArn: 'arn:aws:cloudwatch:us-east-1:1:alarm:a', NewStateValue: 'OK' }),
    );
    expect(change).toMatchObject({ reason: '', description: '', changedAt: '1970-01-01T00:00:00.000Z', region: 'us-east-1' });
  });
});

describe('executionName', () => {
  test('the alarm name and the time of the change, in the characters Step Functions allows', () => {
    expect(executionName(CHANGE)).toBe('saas-platform-prod-api-unavailable-critical-20261201031415926');
  });

  test('a long name is cut so that the whole fits 80 characters and keeps the time', () => {
    const name = executionName({ ...CHANGE, name: `x${'y'.repeat(200)}.z` });
    expect(name).toHaveLength(80);
    expect(name.endsWith('-20261201031415926')).toBe(true);
    expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  test('the same change gives the same name (a redelivered message starts no second escalation)', () => {
    expect(executionName(CHANGE)).toBe(executionName({ ...CHANGE }));
    expect(executionName(CHANGE)).not.toBe(executionName({ ...CHANGE, changedAt: '2026-12-01T04:00:00.000+0000' }));
  });
});

describe('parseClusterAlert: what Alertmanager publishes (the literal output of its template for a fixture group)', () => {
  test('a firing group is an ALARM, with its dedupe key, alert, runbook and the time its earliest alert started', () => {
    expect(parseClusterAlert(clusterAlertMessage())).toEqual(CLUSTER_CHANGE);
    expect(dedupKeyOf(CLUSTER_CHANGE)).toBe('saas-platform-prod/critical/SloErrorBudgetBurn/apps/web-api');
  });

  test('a resolved group is OK, with the same dedupe key', () => {
    const resolved = parseClusterAlert(
      clusterAlertMessage(clusterGroup({ Status: 'resolved', Alerts: [clusterAlert({ Status: 'resolved' })] })),
    );
    expect(resolved).toMatchObject({ state: 'OK', dedupKey: CLUSTER_CHANGE.dedupKey, changedAt: '1970-01-01T00:00:00.000Z' });
  });

  test('annotations holding quotes, newlines and markup reach the change unchanged', () => {
    const text = 'say "hi"\n<b>&</b>\\ \u2028😀';
    const change = parseClusterAlert(
      clusterAlertMessage(clusterGroup({ Alerts: [clusterAlert({ Annotations: { summary: text, description: '' } })] })),
    );
    expect(change!.description).toContain(`- FIRING: ${text} \n`);
  });

  test(`a dedupe key longer than PagerDuty takes (${MAX_DEDUP_KEY}) is replaced by its hash, the same every time`, () => {
    const long = 'n'.repeat(300);
    const message = clusterAlertMessage(clusterGroup({ GroupLabels: { alertname: 'A', namespace: long, service: 's' } }));
    const key = parseClusterAlert(message)!.dedupKey;
    expect(key).toMatch(/^alertmanager\/[0-9a-f]{64}$/);
    expect(parseClusterAlert(message)!.dedupKey).toBe(key);
  });

  const schema = (overrides: Record<string, unknown>, context: Record<string, unknown> = {}) => {
    const message = JSON.parse(clusterAlertMessage());
    return JSON.stringify({
      ...message,
      ...overrides,
      metadata: { ...message.metadata, additionalContext: { ...message.metadata.additionalContext, ...context } },
    });
  };
  test.each([
    ['not JSON', 'hello'],
    ['JSON that is not an object', '"text"'],
    ['another schema version', schema({ version: '2.0' })],
    ['not a custom notification', schema({ source: 'aws.health' })],
    ['a custom notification of another publisher', schema({}, { origin: 'deploy-bot' })],
    ['an unknown status', schema({}, { status: 'pending' })],
    ['no dedupe key', schema({}, { dedupeKey: '' })],
    ['a dedupe key that is not a string', schema({}, { dedupeKey: 42 })],
    ['no metadata at all', JSON.stringify({ version: '1.0', source: 'custom', content: {} })],
  ])('is undefined for %s', (_, message) => {
    expect(parseClusterAlert(message)).toBeUndefined();
  });

  test('missing optional fields become empty, an unreadable start the epoch', () => {
    const message = JSON.parse(clusterAlertMessage());
    delete message.content;
    message.metadata.additionalContext.firingSince = 'soon';
    delete message.metadata.additionalContext.runbookUrl;
    expect(parseClusterAlert(JSON.stringify(message))).toMatchObject({
      reason: '',
      description: '',
      runbookUrl: '',
      changedAt: '1970-01-01T00:00:00.000Z',
    });
  });
});

describe('parseAlertChange: either source', () => {
  test('a CloudWatch alarm is read as one, an Alertmanager group as one, anything else not at all', () => {
    expect(parseAlertChange(alarmMessage())).toEqual(CHANGE);
    expect(parseAlertChange(clusterAlertMessage())).toEqual(CLUSTER_CHANGE);
    expect(parseAlertChange('{"default":"test"}')).toBeUndefined();
    expect(dedupKeyOf(CHANGE)).toBe(CHANGE.arn);
  });
});

describe('executionName of an alert group', () => {
  test('its name, a hash of its key and the time its earliest alert started: repeats and redeliveries name the same escalation', () => {
    const name = executionName(CLUSTER_CHANGE);
    expect(name).toMatch(/^SloErrorBudgetBurn-[0-9a-f]{12}-20261201031415000$/);
    // a repeat of the notification with another alert joined starts at the same time: the same escalation
    const more = parseClusterAlert(
      clusterAlertMessage(clusterGroup({ Alerts: [clusterAlert(), clusterAlert({ StartsAt: '2026-12-01T05:00:00Z' })] })),
    )!;
    expect(executionName(more)).toBe(name);
  });

  test("another service's group of the same alert, or a new firing later, is another escalation", () => {
    expect(executionName({ ...CLUSTER_CHANGE, dedupKey: 'saas-platform-prod/critical/SloErrorBudgetBurn/apps/billing' })).not.toBe(
      executionName(CLUSTER_CHANGE),
    );
    expect(executionName({ ...CLUSTER_CHANGE, changedAt: '2026-12-02T00:00:00.000Z' })).not.toBe(executionName(CLUSTER_CHANGE));
  });

  test('a long alert name is cut to fit 80 characters with the hash and the time', () => {
    const name = executionName({ ...CLUSTER_CHANGE, name: 'N'.repeat(120) });
    expect(name).toHaveLength(80);
    expect(name).toMatch(/^N+-[0-9a-f]{12}-20261201031415000$/);
  });
});
