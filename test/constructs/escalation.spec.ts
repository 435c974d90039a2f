import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Escalation, STEP_RETRY } from '../../lib/constructs/escalation';
import { testApp } from '../helpers';

type State = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The state machine definition, with the function's ARN replaced by a marker. */
function definitionOf(stack: Stack): { StartAt: string; States: Record<string, State> } {
  const machine = Object.values(Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine'))[0];
  const parts = machine.Properties.DefinitionString['Fn::Join'][1] as unknown[];
  return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'FUNCTION')).join(''));
}

describe('Escalation', () => {
  // GIVEN three tiers: two PagerDuty services, then a text to a phone, with their timeouts
  const build = (tiers = ['primary', 'secondary', 'duty-manager']) => {
    const stack = new Stack(testApp(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const key = new kms.Key(stack, 'Key');
    const secret = (id: string) => new secretsmanager.Secret(stack, id);
    const escalation = new Escalation(stack, 'Escalation', {
      tiers: tiers.map((name, i) => ({
        name,
        ackTimeout: Duration.minutes(10 + i),
        target:
          name === 'duty-manager'
            ? { kind: 'sms' as const, topicName: 'app-dev-escalation-duty-manager', phoneNumbers: ['+15555550100'] }
            : { kind: 'pagerduty' as const, routingKey: secret(name) },
      })),
      apiToken: secret('token'),
      topicKey: key,
      alarmArnPatterns: ['arn:aws:cloudwatch:eu-west-1:111111111111:alarm:app-dev-*'],
      logRetention: logs.RetentionDays.ONE_WEEK,
      logRemovalPolicy: RemovalPolicy.DESTROY,
    });
    return { stack, escalation };
  };

  test('pages each tier in order, waits its acknowledgement timeout, checks, and ends handled or unacknowledged', () => {
    const { stack } = build();
    const d = definitionOf(stack);
    expect(d.StartAt).toBe('Page primary');
    // THEN the chain per tier: page -> wait (its timeout) -> check -> choice (handled, or the next tier)
    const tiers = [
      ['primary', 600, 'Page secondary'],
      ['secondary', 660, 'Page duty-manager'],
      ['duty-manager', 720, 'Unacknowledged'],
    ] as const;
    for (const [tier, seconds, next] of tiers) {
      expect(d.States[`Page ${tier}`]).toMatchObject({
        Type: 'Task',
        Resource: 'FUNCTION',
        Parameters: { action: 'page', tier, 'alarm.$': '$.alarm' },
        ResultPath: '$.page',
        Next: `Wait for ${tier}`,
        // a tier that cannot be paged is skipped for the next one, at once
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.pageError', Next: next }],
      });
      expect(d.States[`Wait for ${tier}`]).toEqual({ Type: 'Wait', Seconds: seconds, Next: `Check after ${tier}` });
      expect(d.States[`Check after ${tier}`]).toMatchObject({
        Parameters: { action: 'check', 'alarm.$': '$.alarm' },
        ResultPath: '$.check',
        Next: `Handled after ${tier}?`,
      });
      expect(d.States[`Handled after ${tier}?`]).toEqual({
        Type: 'Choice',
        Choices: [{ Variable: '$.check.handled', BooleanEquals: true, Next: 'Handled' }],
        Default: next,
      });
    }
    expect(d.States.Handled.Type).toBe('Succeed');
    expect(d.States.Unacknowledged).toMatchObject({ Type: 'Fail', Error: 'Unacknowledged' });
    expect(Object.keys(d.States)).toHaveLength(4 * 3 + 2);
  });

  test('every step retries Lambda service errors and task failures with backoff', () => {
    const d = definitionOf(build().stack);
    for (const [name, state] of Object.entries(d.States).filter(([, s]) => s.Type === 'Task')) {
      expect([name, state.Retry]).toEqual([
        name,
        [
          {
            ErrorEquals: [
              'Lambda.ClientExecutionTimeoutException',
              'Lambda.ServiceException',
              'Lambda.AWSLambdaException',
              'Lambda.SdkClientException',
            ],
            IntervalSeconds: 2,
            MaxAttempts: 6,
            BackoffRate: 2,
          },
          { ErrorEquals: STEP_RETRY.errors, IntervalSeconds: 5, MaxAttempts: 3, BackoffRate: 2 },
        ],
      ]);
    }
  });

  test('the machine is logged and traced, and times out after every wait plus an hour', () => {
    const t = Template.fromStack(build().stack);
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
    });
    expect(definitionOf(build().stack)).toMatchObject({ TimeoutSeconds: (10 + 11 + 12) * 60 + 3600 });
  });

  test("the function is told each tier's target; texts go to the tier's encrypted topic, subscribed by phone", () => {
    const { stack, escalation } = build();
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'app-dev-escalation-duty-manager',
      KmsMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(stack.node.findChild('Key').node.defaultChild as kms.CfnKey), 'Arn'] },
    });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sms', Endpoint: '+15555550100' });
    const env = Object.values(t.findResources('AWS::Lambda::Function')).find((f) =>
      f.Properties.Description?.startsWith('Escalation steps'),
    )!.Properties.Environment.Variables;
    // rendered with each reference as <logical ID>
    const rendered = (env.TIERS['Fn::Join'][1] as unknown[])
      .map((p) => (typeof p === 'string' ? p : `<${Object.values(p as object)[0]}>`))
      .join('');
    const tiers = JSON.parse(rendered);
    expect(Object.keys(tiers)).toEqual(['primary', 'secondary', 'duty-manager']);
    expect(tiers.primary).toEqual({ kind: 'pagerduty', secretId: expect.stringMatching(/^<primary[0-9A-F]+>$/) });
    expect(tiers['duty-manager']).toEqual({ kind: 'sms', topicArn: expect.stringMatching(/^<EscalationTierdutymanager[0-9A-F]+>$/) });
    expect(Object.keys(escalation.tierTopics)).toEqual(['duty-manager']);
  });

  test("the function may read only the tiers' keys and the API key, text only its topics, read only the environment's alarms", () => {
    const t = Template.fromStack(build().stack);
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'ReadAlarmState',
        Action: 'cloudwatch:DescribeAlarms',
        Resource: 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:app-dev-*',
      }),
    );
    expect(statements).toContainEqual(expect.objectContaining({ Sid: 'TextTiers', Action: 'sns:Publish' }));
    const secretReads = statements.filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(secretReads.flatMap((s) => [s.Resource].flat())).toHaveLength(3); // primary, secondary, API token
  });

  test('no tiers is refused', () => {
    expect(() => build([])).toThrow('S/Escalation: tiers is empty; give at least one tier to page');
  });
});
