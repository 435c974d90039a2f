import { Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

/**
 * Why the CDK provider framework's own function is as it is (cdk-nag findings on constructs the
 * framework makes): its role writes its logs with the AWS basic execution policy and invokes the
 * handler (and its versions) only; its runtime is pinned by aws-cdk-lib.
 */
export function acknowledgeProviderFramework(provider: cr.Provider, handler: lambda.IFunction): void {
  const framework = provider.node.findChild('framework-onEvent');
  const role = framework.node.findChild('ServiceRole');
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: "The CDK provider framework's function writes its own logs with the AWS basic execution policy.",
  });
  const stack = Stack.of(provider);
  Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${stack.resolve(stack.getLogicalId(handler.node.defaultChild as never))}.Arn>:*]`,
    reason: 'The provider framework invokes the handler function and its versions, nothing else.',
  });
  Validations.of(framework).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'The CDK provider framework pins its own runtime; it is upgraded with aws-cdk-lib.',
  });
}

/**
 * The finding of the function CDK's `AwsCustomResource` runs on (one per stack): its role writes its
 * logs with the AWS basic execution policy; what it may call is each resource's own policy.
 */
export function acknowledgeAwsCustomResourceProvider(scope: Construct): void {
  const provider = Stack.of(scope).node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
  if (!provider) return;
  Validations.of(provider.node.findChild('ServiceRole')).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: "CDK's AwsCustomResource provider function: the managed policy lets it write its own logs, nothing else.",
  });
}
