import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { LogSettingsProps, PlatformFunction } from './platform-function';

/**
 * The CDK provider framework in front of a custom resource's handler, in `scope` as `Provider`
 * with its log group `ProviderLogs` (the handler's log settings), and the findings of the
 * framework's own function (which CDK builds and pins) acknowledged with their reasons.
 */
export function platformProvider(scope: Construct, handler: PlatformFunction, logs_: LogSettingsProps): cr.Provider {
  const provider = new cr.Provider(scope, 'Provider', {
    onEventHandler: handler.function,
    logGroup: new logs.LogGroup(scope, 'ProviderLogs', {
      retention: logs_.logRetention,
      removalPolicy: logs_.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    }),
  });
  const stack = Stack.of(scope);
  const framework = provider.node.findChild('framework-onEvent');
  const role = framework.node.findChild('ServiceRole');
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: "The CDK provider framework's function writes its own logs with the AWS basic execution policy.",
  });
  Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${stack.resolve(stack.getLogicalId(handler.function.node.defaultChild as never))}.Arn>:*]`,
    reason: 'The provider framework invokes the handler function and its versions, nothing else.',
  });
  Validations.of(framework).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'The CDK provider framework pins its own runtime; it is upgraded with aws-cdk-lib.',
  });
  return provider;
}
