import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { LogSettingsProps, PlatformFunction } from './platform-function';
import { acknowledgeProviderFramework } from './provider-framework';

/**
 * The CDK provider framework in front of a custom resource's handler, in `scope` as `Provider`
 * with its log group `ProviderLogs` (the handler's log settings), and the findings of the
 * framework's own function (which CDK builds and pins) acknowledged with their reasons
 * (`acknowledgeProviderFramework`).
 */
export function platformProvider(scope: Construct, handler: PlatformFunction, logs_: LogSettingsProps): cr.Provider {
  const provider = new cr.Provider(scope, 'Provider', {
    onEventHandler: handler.function,
    logGroup: new logs.LogGroup(scope, 'ProviderLogs', {
      retention: logs_.logRetention,
      removalPolicy: logs_.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    }),
  });
  acknowledgeProviderFramework(provider, handler.function);
  return provider;
}
