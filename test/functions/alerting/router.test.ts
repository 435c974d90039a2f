import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { SNSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, route, RouterSettings, settingsFromEnvironment } from '../../../lib/functions/alerting/router';
import { SecretCache } from '../../../lib/functions/alerting/secrets';
import { EVENTS_URL } from '../../../lib/functions/alerting/pagerduty';
import { alarmMessage, CHANGE, CLUSTER_CHANGE, clusterAlert, clusterAlertMessage, clusterGroup, recordingFetch } from './fixtures';

const CRITICAL = 'arn:aws:sns:eu-west-1:333333333333:saas-platform-prod-alerts-critical';
const WARNING = 'arn:aws:sns:eu-west-1:333333333333:saas-platform-prod-alerts-warning';
const GLOBAL_CRITICAL = 'arn:aws:sns:us-east-1:333333333333:saas-platform-prod-alerts-critical-global';
const GLOBAL_WARNING = 'arn:aws:sns:us-east-1:333333333333:saas-platform-prod-alerts-warning-global';
const MACHINE = 'arn:aws:states:eu-west-1:333333333333:stateMachine:Escalation';
const KEYS = [
  'arn:aws:secretsmanager:eu-west-1:333333333333:secret:primary',
  'arn:aws:secretsmanager:eu-west-1:333333333333:secret:secondary',
];

const SETTINGS: RouterSettings = {
  relayTopics: { [GLOBAL_CRITICAL]: CRITICAL, [GLOBAL_WARNING]: WARNING },
  criticalTopicArn: CRITICAL,
  stateMachineArn: MACHINE,
  routingKeySecrets: KEYS,
};

const sns = mockClient(SNSClient);
const sfn = mockClient(SFNClient);
const secrets = mockClient(SecretsManagerClient);

describe('alert router', () => {
  let fetched: ReturnType<typeof recordingFetch>;
  const deps = () => ({
    sns: new SNSClient({}),
    sfn: new SFNClient({}),
    secrets: new SecretCache(new SecretsManagerClient({})),
    fetch: fetched.fetch,
  });

  beforeEach(() => {
    sns.reset();
    sfn.reset();
    secrets.reset();
    fetched = recordingFetch();
    secrets
      .on(GetSecretValueCommand)
      .callsFake((input: { SecretId: string }) => ({ SecretString: `key-of-${input.SecretId.split(':').pop()}\n` }));
  });

  test('a us-east-1 alert is republished unchanged to the regional topic of its severity', async () => {
    // WHEN CloudFront's warning alarm reaches the router through the us-east-1 warning topic
    const outcome = await route(SETTINGS, deps(), GLOBAL_WARNING, alarmMessage(), 'ALARM: cloudfront');
    // THEN the same message goes to the regional warning topic, and nothing escalates
    expect(outcome).toBe('relayed');
    expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input)).toEqual([
      { TopicArn: WARNING, Message: alarmMessage(), Subject: 'ALARM: cloudfront' },
    ]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test('a relayed message without a subject is published without one', async () => {
    await route(SETTINGS, deps(), GLOBAL_CRITICAL, 'text', undefined);
    expect(sns.commandCalls(PublishCommand)[0].args[0].input).toEqual({ TopicArn: CRITICAL, Message: 'text', Subject: undefined });
  });

  test('a critical alarm going into ALARM starts its escalation, named after the alarm and the time', async () => {
    const outcome = await route(SETTINGS, deps(), CRITICAL, alarmMessage(), undefined);
    expect(outcome).toBe('escalation-started');
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input)).toEqual([
      {
        stateMachineArn: MACHINE,
        name: 'saas-platform-prod-api-unavailable-critical-20261201031415926',
        input: JSON.stringify({ alarm: CHANGE }),
      },
    ]);
    expect(fetched.calls).toHaveLength(0);
  });

  test('a redelivered ALARM message whose escalation already ended starts nothing and is not an error', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    expect(await route(SETTINGS, deps(), CRITICAL, alarmMessage(), undefined)).toBe('already-escalated');
  });

  test('any other failure to start the escalation throws (Lambda retries the delivery)', async () => {
    sfn.on(StartExecutionCommand).rejects(new Error('throttled'));
    await expect(route(SETTINGS, deps(), CRITICAL, alarmMessage(), undefined)).rejects.toThrow('throttled');
  });

  test('a critical alarm back to OK resolves its PagerDuty alert on every PagerDuty tier', async () => {
    const outcome = await route(SETTINGS, deps(), CRITICAL, alarmMessage({ NewStateValue: 'OK' }), undefined);
    expect(outcome).toBe('resolved');
    expect(fetched.calls.map((c) => [c.url, c.body])).toEqual([
      [EVENTS_URL, { routing_key: 'key-of-primary', event_action: 'resolve', dedup_key: CHANGE.arn }],
      [EVENTS_URL, { routing_key: 'key-of-secondary', event_action: 'resolve', dedup_key: CHANGE.arn }],
    ]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test.each([
    ['INSUFFICIENT_DATA on the critical topic', CRITICAL, alarmMessage({ NewStateValue: 'INSUFFICIENT_DATA' })],
    ['a message that is not an alarm', CRITICAL, '{"default":"test"}'],
    ['an alarm on a topic the router does not escalate', WARNING, alarmMessage()],
  ])('%s is ignored', async (_, topic, message) => {
    expect(await route(SETTINGS, deps(), topic, message, undefined)).toBe('ignored');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(fetched.calls).toHaveLength(0);
  });

  test('without paging (development) a critical alarm is left to chat and e-mail', async () => {
    const unpaged = { ...SETTINGS, stateMachineArn: undefined };
    expect(await route(unpaged, deps(), CRITICAL, alarmMessage(), undefined)).toBe('ignored');
  });

  test('a PagerDuty failure on resolve throws (Lambda retries, the function error alarm warns)', async () => {
    fetched = recordingFetch(() => new Response('', { status: 500 }));
    await expect(route(SETTINGS, deps(), CRITICAL, alarmMessage({ NewStateValue: 'OK' }), undefined)).rejects.toThrow(
      'PagerDuty Events API answered 500',
    );
  });

  describe('the in-cluster alerts (Alertmanager publishes to the same critical topic)', () => {
    const resolvedMessage = clusterAlertMessage(clusterGroup({ Status: 'resolved', Alerts: [clusterAlert({ Status: 'resolved' })] }));

    test('a firing critical group starts the escalation exactly as a CloudWatch alarm does, named after the group', async () => {
      // WHEN Alertmanager's notification of a firing critical group reaches the router
      const outcome = await route(SETTINGS, deps(), CRITICAL, clusterAlertMessage(), 'ignored subject');
      // THEN one escalation starts, with the parsed group as its alarm, and nothing is paged directly
      expect(outcome).toBe('escalation-started');
      const started = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
      expect(started).toHaveLength(1);
      expect(started[0]).toEqual({
        stateMachineArn: MACHINE,
        name: expect.stringMatching(/^SloErrorBudgetBurn-[0-9a-f]{12}-20261201031415000$/),
        input: JSON.stringify({ alarm: CLUSTER_CHANGE }),
      });
      expect(fetched.calls).toHaveLength(0);
    });

    test('the hourly repeat of a firing group (more alerts, same start) asks for the same escalation; an ended one is not restarted', async () => {
      await route(SETTINGS, deps(), CRITICAL, clusterAlertMessage(), undefined);
      const repeat = clusterAlertMessage(clusterGroup({ Alerts: [clusterAlert(), clusterAlert({ StartsAt: '2026-12-01T04:10:00Z' })] }));
      sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
      expect(await route(SETTINGS, deps(), CRITICAL, repeat, undefined)).toBe('already-escalated');
      const names = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name);
      expect(names).toHaveLength(2);
      expect(names[1]).toBe(names[0]);
    });

    test('a resolved group resolves its PagerDuty alert on every tier, by the same dedupe key the escalation paged with', async () => {
      expect(await route(SETTINGS, deps(), CRITICAL, resolvedMessage, undefined)).toBe('resolved');
      expect(fetched.calls.map((c) => [c.url, c.body])).toEqual([
        [EVENTS_URL, { routing_key: 'key-of-primary', event_action: 'resolve', dedup_key: CLUSTER_CHANGE.dedupKey }],
        [EVENTS_URL, { routing_key: 'key-of-secondary', event_action: 'resolve', dedup_key: CLUSTER_CHANGE.dedupKey }],
      ]);
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    });

    test.each([
      [
        'a warning group on the critical topic',
        CRITICAL,
        clusterAlertMessage(clusterGroup({ CommonLabels: { ...clusterGroup().CommonLabels, severity: 'warning' } })),
      ],
      ['a group on the warning topic', WARNING, clusterAlertMessage()],
      [
        'a custom notification of another publisher',
        CRITICAL,
        clusterAlertMessage().replace('"origin":"alertmanager"', '"origin":"deploy-bot"'),
      ],
    ])('%s pages nobody', async (_, topic, message) => {
      expect(await route(SETTINGS, deps(), topic, message, undefined)).toBe('ignored');
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
      expect(fetched.calls).toHaveLength(0);
    });

    test('without paging (development) an in-cluster critical alert is left to chat and e-mail, like an alarm', async () => {
      expect(await route({ ...SETTINGS, stateMachineArn: undefined }, deps(), CRITICAL, clusterAlertMessage(), undefined)).toBe('ignored');
    });
  });
});

describe('router settings and handler', () => {
  const env = {
    RELAY_TOPICS: JSON.stringify({ [GLOBAL_WARNING]: WARNING }),
    CRITICAL_TOPIC_ARN: CRITICAL,
    STATE_MACHINE_ARN: '',
    ROUTING_KEY_SECRETS: '[]',
  };

  test('settings come from the environment; empty values mean none', () => {
    expect(settingsFromEnvironment(env)).toEqual({
      relayTopics: { [GLOBAL_WARNING]: WARNING },
      criticalTopicArn: CRITICAL,
      stateMachineArn: undefined,
      routingKeySecrets: [],
    });
    expect(settingsFromEnvironment({})).toEqual({
      relayTopics: {},
      criticalTopicArn: undefined,
      stateMachineArn: undefined,
      routingKeySecrets: [],
    });
  });

  test('the handler routes every record of the event', async () => {
    sns.reset();
    const saved = { ...process.env };
    Object.assign(process.env, env);
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const record = (topic: string) => ({ Sns: { TopicArn: topic, Message: alarmMessage(), MessageId: 'm' } });
      const event = { Records: [record(GLOBAL_WARNING), record(CRITICAL)] } as unknown as SNSEvent;
      expect(await handler(event)).toEqual(['relayed', 'ignored']);
      expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    } finally {
      process.env = saved;
    }
  });
});
