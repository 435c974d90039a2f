import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { PlatformFunction } from './platform-function';

/** How a custom rotation function is scheduled. */
export interface RotationScheduleOptions {
  /** The secret it rotates. */
  readonly secret: secretsmanager.ISecret;
  /** The rotation function. */
  readonly handler: PlatformFunction;
  /** When it rotates. */
  readonly rotationRules: secretsmanager.CfnRotationSchedule.RotationRulesProperty;
  /** Rotate when the schedule is created or changed (a value made at deploy is not usable yet). */
  readonly rotateImmediatelyOnUpdate: boolean;
}

/**
 * The schedule of a custom rotation function: Secrets Manager (of this account, for this secret
 * only) may invoke it, and the schedule exists only once the function, its permissions and that
 * invoke permission do (Secrets Manager checks them when the schedule is created).
 */
export function rotationSchedule(scope: Construct, id: string, options: RotationScheduleOptions): secretsmanager.CfnRotationSchedule {
  const stack = Stack.of(scope);
  options.handler.function.addPermission('InvokedBySecretsManager', {
    principal: new iam.ServicePrincipal('secretsmanager.amazonaws.com'),
    sourceAccount: stack.account,
    sourceArn: options.secret.secretArn,
  });
  const schedule = new secretsmanager.CfnRotationSchedule(scope, id, {
    secretId: options.secret.secretArn,
    rotationLambdaArn: options.handler.function.functionArn,
    rotationRules: options.rotationRules,
    rotateImmediatelyOnUpdate: options.rotateImmediatelyOnUpdate,
  });
  schedule.node.addDependency(options.handler);
  return schedule;
}
