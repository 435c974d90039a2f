import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { LogSettingsProps, PlatformFunction } from './platform-function';
import { rotationSchedule } from './rotation-schedule';

/** Props of `SigningKeyRotation`. */
export interface SigningKeyRotationProps extends LogSettingsProps {
  /** The secret holding the key pair (`{ current, previous }`). */
  readonly secret: secretsmanager.ISecret;
  /** The customer-managed key the secret is encrypted with. */
  readonly encryptionKey: kms.IKey;
  /** SSM parameter the public keys are published in (a JWKS), e.g. `jwksParameterName(env, key)`. */
  readonly jwksParameterName: string;
  /** Secrets Manager schedule: `rate(N days)` or `cron(...)`. */
  readonly scheduleExpression: string;
  /** Length of the rotation window that starts at the schedule (1..24 hours). */
  readonly windowHours: number;
  /** Name of the rotation function's role (`secretRotationRoleName(env, key)`: the secret-read alarm admits it by prefix). */
  readonly roleName: string;
}

/**
 * Scheduled rotation of a token signing key pair: a custom rotation function
 * (`lib/functions/signing-key/rotation.ts`) that publishes the new public key before the signer gets
 * the private one, and keeps the previous public key published until the next rotation. The
 * function may read and write that one secret (and decrypt it only through Secrets Manager), and
 * write that one parameter; nothing else.
 *
 * The first rotation runs at deploy (`rotateImmediatelyOnUpdate`): the value the secret is created
 * with is a generated string, not a key pair, and the signer needs one before it starts.
 */
export class SigningKeyRotation extends Construct {
  /** The rotation function. */
  public readonly handler: PlatformFunction;
  /** The schedule. */
  public readonly schedule: secretsmanager.CfnRotationSchedule;

  constructor(scope: Construct, id: string, props: SigningKeyRotationProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const parameterArn = `arn:aws:ssm:${stack.region}:${stack.account}:parameter${props.jwksParameterName}`;
    this.handler = new PlatformFunction(this, 'Handler', {
      entry: path.join(__dirname, '..', 'functions', 'signing-key', 'rotation.ts'),
      description: 'Rotates a token signing key pair: publishes the new public key (JWKS), then makes the pair current',
      timeout: Duration.seconds(30),
      environment: { JWKS_PARAMETER_NAME: props.jwksParameterName },
      roleName: props.roleName,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    const role = this.handler.role;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RotateTheSecret',
        actions: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        resources: [props.secret.secretArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptAndDecryptTheSecret',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.encryptionKey.keyArn],
        conditions: {
          StringEquals: {
            'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com`,
            'kms:EncryptionContext:SecretARN': props.secret.secretArn,
          },
        },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PublishThePublicKeys',
        actions: ['ssm:GetParameter', 'ssm:PutParameter'],
        resources: [parameterArn],
      }),
    );
    this.schedule = rotationSchedule(this, 'Resource', {
      secret: props.secret,
      handler: this.handler,
      rotationRules: { scheduleExpression: props.scheduleExpression, duration: `${props.windowHours}h` },
      rotateImmediatelyOnUpdate: true,
    });
  }
}
