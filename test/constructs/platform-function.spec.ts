import * as path from 'path';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { PlatformFunction, PlatformFunctionProps } from '../../lib/constructs/platform-function';
import { testApp } from '../helpers';

const ENTRY = path.join(__dirname, '..', '..', 'lib', 'functions', 'scheduled', 'handler.ts');

function synth(props: Partial<PlatformFunctionProps> = {}): Template {
  const stack = new Stack(testApp(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  new PlatformFunction(stack, 'Fn', {
    entry: ENTRY,
    description: 'test function',
    environment: { SETTING: 'value' },
    logRetention: logs.RetentionDays.ONE_MONTH,
    ...props,
  });
  return Template.fromStack(stack);
}

describe('PlatformFunction', () => {
  // GIVEN a function with the platform defaults
  const template = synth();

  test('latest Node.js on ARM64, traced, JSON logs, source maps on; no reserved concurrency unless asked (new accounts have none)', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      ReservedConcurrentExecutions: Match.absent(),
      MemorySize: 256,
      Timeout: 10,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('FnLogs') } },
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps', SETTING: 'value' } },
    });
  });

  test('its own log group with the retention: no LogRetention custom resource', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.resourceCountIs('Custom::LogRetention', 0);
    template.resourceCountIs('AWS::Lambda::Function', 1);
  });

  test('the role may write to that log group and send traces, nothing else; no managed policies', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('FnLogs'), 'Arn'] },
          },
          { Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Effect: 'Allow', Resource: '*' },
        ],
      },
    });
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('the log group is retained unless told otherwise', () => {
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    synth({ logRemovalPolicy: RemovalPolicy.DESTROY }).hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
  });

  test('reserves the concurrency it is given', () => {
    synth({ reservedConcurrentExecutions: 3 }).hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 3 });
  });

  test.each([0, 1.5])('rejects a reserved concurrency of %p', (reserved) => {
    expect(() => synth({ reservedConcurrentExecutions: reserved })).toThrow(
      `Test/Fn: reservedConcurrentExecutions ${reserved} is not allowed; use a whole number of 1 or more`,
    );
  });
});
