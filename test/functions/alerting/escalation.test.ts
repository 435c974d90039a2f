import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { check, EscalationSettings, handler, page, settingsFromEnvironment } from '../../../lib/functions/alerting/escalation';
import { EVENTS_URL, REST_URL } from '../../../lib/functions/alerting/pagerduty';
import { SecretCache } from '../../../lib/functions/alerting/secrets';
import { CHANGE, CLUSTER_CHANGE, recordingFetch } from './fixtures';

const TEXT_TOPIC = 'arn:aws:sns:eu-west-1:333333333333:saas-platform-prod-escalation-duty-manager';
const SETTINGS: EscalationSettings = {
  tiers: {
    primary: { kind: 'pagerduty', secretId: 'primary-key' },
    'duty-manager': { kind: 'sms', topicArn: TEXT_TOPIC },
  },
  apiTokenSecretId: 'api-token',
};

const sns = mockClient(SNSClient);
const cloudwatch = mockClient(CloudWatchClient);
const secrets = mockClient(SecretsManagerClient);

describe('escalation steps', () => {
  let fetched: ReturnType<typeof recordingFetch>;
  const regions: string[] = [];
  const deps = () => ({
    sns: new SNSClient({}),
    cloudwatch: (region: string) => {
      regions.push(region);
      return new CloudWatchClient({ region });
    },
    secrets: new SecretCache(new SecretsManagerClient({})),
    fetch: fetched.fetch,
  });
  const alarmIn = (state: string) =>
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [], CompositeAlarms: [{ StateValue: state as never }] });
  const incidents = (...statuses: string[]) =>
    (fetched = recordingFetch(() => new Response(JSON.stringify({ incidents: statuses.map((status) => ({ status })) }), { status: 200 })));

  beforeEach(() => {
    sns.reset();
    cloudwatch.reset();
    secrets.reset();
    regions.length = 0;
    fetched = recordingFetch();
    secrets.on(GetSecretValueCommand).callsFake((input: { SecretId: string }) => ({ SecretString: `value-of-${input.SecretId}` }));
  });

  test('paging a PagerDuty tier triggers the alert on its service, de-duplicated by the alarm ARN', async () => {
    expect(await page(SETTINGS, deps(), 'primary', CHANGE)).toEqual({ paged: 'primary', via: 'pagerduty' });
    expect(fetched.calls).toHaveLength(1);
    expect(fetched.calls[0].url).toBe(EVENTS_URL);
    expect(fetched.calls[0].body).toMatchObject({
      routing_key: 'value-of-primary-key',
      event_action: 'trigger',
      dedup_key: CHANGE.arn,
      payload: { severity: 'critical', summary: `${CHANGE.name}: ${CHANGE.reason}`, source: '333333333333/eu-west-1' },
    });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  test('paging a text tier publishes a short message to its topic, no PagerDuty call', async () => {
    expect(await page(SETTINGS, deps(), 'duty-manager', CHANGE)).toEqual({ paged: 'duty-manager', via: 'sms' });
    const input = sns.commandCalls(PublishCommand)[0].args[0].input;
    expect(input.TopicArn).toBe(TEXT_TOPIC);
    expect(input.Message).toBe(`CRITICAL, not acknowledged: ${CHANGE.name} since ${CHANGE.changedAt}. Acknowledge in PagerDuty.`);
    expect(fetched.calls).toHaveLength(0);
  });

  test('an unknown tier is an error (the state machine and the function disagree)', async () => {
    await expect(page(SETTINGS, deps(), 'tertiary', CHANGE)).rejects.toThrow(
      "unknown tier tertiary; the state machine and the function's TIERS disagree",
    );
  });

  test('a PagerDuty failure when paging throws (the state machine retries, then pages the next tier)', async () => {
    fetched = recordingFetch(() => new Response('', { status: 429 }));
    await expect(page(SETTINGS, deps(), 'primary', CHANGE)).rejects.toThrow('PagerDuty Events API answered 429');
  });

  test('an alarm no longer in ALARM is handled, without asking PagerDuty; the alarm is read in its own region', async () => {
    alarmIn('OK');
    expect(await check(SETTINGS, deps(), { ...CHANGE, region: 'us-east-1' })).toEqual({ handled: true, reason: 'alarm-not-in-alarm' });
    expect(regions).toEqual(['us-east-1']);
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)[0].args[0].input).toEqual({
      AlarmNames: [CHANGE.name],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
    expect(fetched.calls).toHaveLength(0);
  });

  test.each([
    [['acknowledged'], { handled: true, reason: 'incident-acknowledged' }],
    [['resolved'], { handled: true, reason: 'incident-resolved' }],
    [['triggered'], { handled: false, reason: 'unacknowledged' }],
    [[], { handled: false, reason: 'unacknowledged' }],
  ])('an alarm still in ALARM with incidents %j is %j', async (statuses, expected) => {
    alarmIn('ALARM');
    incidents(...statuses);
    expect(await check(SETTINGS, deps(), CHANGE)).toEqual(expected);
    expect(fetched.calls[0].url.startsWith(`${REST_URL}/incidents?`)).toBe(true);
    expect(fetched.calls[0].init?.headers).toMatchObject({ Authorization: 'Token token=value-of-api-token' });
  });

  test('an alarm that no longer exists is judged by its incident alone', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({});
    incidents('acknowledged');
    expect(await check(SETTINGS, deps(), CHANGE)).toEqual({ handled: true, reason: 'incident-acknowledged' });
  });

  test('when PagerDuty cannot be asked (no token set yet, an outage), the alert is not handled: the next tier is paged', async () => {
    alarmIn('ALARM');
    fetched = recordingFetch(() => new Response('', { status: 401 }));
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(await check(SETTINGS, deps(), CHANGE)).toEqual({ handled: false, reason: 'pagerduty-unavailable' });
    expect(warn.mock.calls[0][0]).not.toContain('value-of-api-token');
    warn.mockRestore();
  });

  test('paging for an in-cluster alert triggers by its group key, from its cluster, with its runbook', async () => {
    expect(await page(SETTINGS, deps(), 'primary', CLUSTER_CHANGE)).toEqual({ paged: 'primary', via: 'pagerduty' });
    expect(fetched.calls[0].body).toMatchObject({
      event_action: 'trigger',
      dedup_key: CLUSTER_CHANGE.dedupKey,
      payload: {
        severity: 'critical',
        summary: `SloErrorBudgetBurn: ${CLUSTER_CHANGE.reason}`,
        source: 'saas-platform-prod',
        custom_details: {
          alert: 'SloErrorBudgetBurn',
          namespace: 'apps',
          service: 'web-api',
          runbook: 'docs/runbooks.md#error-budget-burn',
          tier: 'primary',
        },
      },
    });
  });

  test.each([
    [['resolved'], { handled: true, reason: 'incident-resolved' }],
    [['acknowledged'], { handled: true, reason: 'incident-acknowledged' }],
    [['triggered'], { handled: false, reason: 'unacknowledged' }],
  ])('an in-cluster alert has no CloudWatch state: with incidents %j of its group key it is %j', async (statuses, expected) => {
    incidents(...statuses);
    expect(await check(SETTINGS, deps(), CLUSTER_CHANGE)).toEqual(expected);
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)).toHaveLength(0);
    expect(new URL(fetched.calls[0].url).searchParams.get('incident_key')).toBe(CLUSTER_CHANGE.dedupKey);
  });

  test('a CloudWatch failure throws (the state machine retries the check)', async () => {
    cloudwatch.on(DescribeAlarmsCommand).rejects(new Error('throttled'));
    await expect(check(SETTINGS, deps(), CHANGE)).rejects.toThrow('throttled');
  });
});

describe('escalation settings and handler', () => {
  test('settings come from the environment', () => {
    const env = { TIERS: JSON.stringify(SETTINGS.tiers), API_TOKEN_SECRET_ID: 'api-token' };
    expect(settingsFromEnvironment(env)).toEqual(SETTINGS);
    expect(settingsFromEnvironment({})).toEqual({ tiers: {}, apiTokenSecretId: '' });
  });

  test('the handler runs the action it is given', async () => {
    sns.reset();
    const saved = { ...process.env };
    process.env.TIERS = JSON.stringify(SETTINGS.tiers);
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await handler({ action: 'page', tier: 'duty-manager', alarm: CHANGE })).toEqual({ paged: 'duty-manager', via: 'sms' });
      cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ StateValue: 'OK' }] });
      expect(await handler({ action: 'check', alarm: CHANGE })).toEqual({ handled: true, reason: 'alarm-not-in-alarm' });
    } finally {
      process.env = saved;
    }
  });
});
