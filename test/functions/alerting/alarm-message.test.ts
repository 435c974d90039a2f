import { executionName, parseAlarmChange } from '../../../lib/functions/alerting/alarm-message';
import { alarmMessage, CHANGE } from './fixtures';

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
