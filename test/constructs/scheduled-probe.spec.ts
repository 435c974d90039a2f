import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { ScheduledProbe, ScheduledProbeProps } from '../../lib/constructs/scheduled-probe';
import { testApp } from '../helpers';

function synth(props: Partial<ScheduledProbeProps> = {}): Template {
  const stack = new Stack(testApp(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  new ScheduledProbe(stack, 'Probe', {
    url: 'https://api.example.com/api/healthz',
    metricNamespace: 'app',
    environmentName: 'dev',
    logRetention: logs.RetentionDays.TWO_WEEKS,
    ...props,
  });
  return Template.fromStack(stack);
}

describe('ScheduledProbe', () => {
  // GIVEN the default schedule
  const template = synth();

  test('EventBridge Scheduler invokes the probe hourly, without retries (the next run supersedes a missed one)', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ProbeHandler'), 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ProbeSchedulerRole'), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 },
      },
    });
  });

  test("the scheduler's role is trusted by this account's schedules only and may invoke this function only", () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'lambda:InvokeFunction',
            Resource: Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('ProbeHandler'), 'Arn'] }]),
          }),
        ],
      },
    });
  });

  test('the probe is configured by environment variables and reserves no concurrency (a new account has none to reserve)', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ PROBE_URL: 'https://api.example.com/api/healthz', METRIC_NAMESPACE: 'app', ENVIRONMENT_NAME: 'dev' }),
      },
      ReservedConcurrentExecutions: Match.absent(),
      Timeout: 15,
    });
  });

  test('the schedule can be changed', () => {
    synth({ schedule: scheduler.ScheduleExpression.rate(Duration.minutes(5)) }).hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
    });
  });
});
