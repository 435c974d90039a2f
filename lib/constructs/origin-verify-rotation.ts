import * as path from 'path';
import { Duration, Token } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { LogSettingsProps, PlatformFunction } from './platform-function';
import { rotationSchedule } from './rotation-schedule';

/** The WebACL a rotation updates: what GetWebACL/UpdateWebACL need, and its ARN for the policy. */
export interface WebAclReference {
  /** Name of the WebACL. */
  readonly name: string;
  /** ID of the WebACL. */
  readonly id: string;
  /** ARN of the WebACL. */
  readonly arn: string;
  /** `REGIONAL` or `CLOUDFRONT`. */
  readonly scope: string;
}

/** Props of `OriginVerifyRotation`. */
export interface OriginVerifyRotationProps extends LogSettingsProps {
  /** The secret (`{ current, previous }`), in any stack of the account and region. */
  readonly secret: secretsmanager.ISecret;
  /** Header CloudFront sends the secret's `current` in, e.g. `X-Origin-Verify`. */
  readonly headerName: string;
  /** The REGIONAL WebACL that checks the header. */
  readonly webAcl: WebAclReference;
  /** Name of the WebACL's rule that checks the header. */
  readonly ruleName: string;
  /** The distribution whose origin sends the header. */
  readonly distribution: cloudfront.IDistribution;
  /**
   * ARN of the distribution's own (CLOUDFRONT-scope) WebACL: UpdateDistribution sends the whole
   * configuration back, WebACL association included, which CloudFront checks the caller may read.
   */
  readonly distributionWebAclArn: string;
  /** Time between rotations (1..365 days). */
  readonly schedule: Duration;
}

/**
 * Scheduled rotation of the secret origin header: a custom rotation function
 * (`lib/functions/origin-verify/rotation.ts`) that makes the WebACL accept the new value before the
 * distribution sends it, and keeps the previous one accepted. The function may read and write that
 * one secret, read and update that one WebACL and that one distribution, and nothing else.
 *
 * The first rotation runs on the schedule, not at deploy: the value generated with the secret
 * is what the templates resolve on the first deploy (CloudFront sends it, the WebACL accepts it).
 */
export class OriginVerifyRotation extends Construct {
  /** The rotation function. */
  public readonly handler: PlatformFunction;
  /** The schedule. */
  public readonly schedule: secretsmanager.CfnRotationSchedule;

  constructor(scope: Construct, id: string, props: OriginVerifyRotationProps) {
    super(scope, id);
    const days = props.schedule.toDays({ integral: false });
    if (!Token.isUnresolved(days) && (!Number.isInteger(days) || days < 1 || days > 365)) {
      throw new Error(`${this.node.path}: schedule of ${days} days is not allowed; use a whole number of days in 1..365`);
    }
    this.handler = new PlatformFunction(this, 'Handler', {
      entry: path.join(__dirname, '..', 'functions', 'origin-verify', 'rotation.ts'),
      description: 'Rotates the origin header secret: WebACL accepts the new value, then CloudFront sends it',
      timeout: Duration.minutes(1),
      environment: {
        HEADER_NAME: props.headerName,
        RULE_NAME: props.ruleName,
        WEB_ACL_NAME: props.webAcl.name,
        WEB_ACL_ID: props.webAcl.id,
        WEB_ACL_SCOPE: props.webAcl.scope,
        DISTRIBUTION_ID: props.distribution.distributionId,
      },
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
        sid: 'AcceptValuesInTheWebAcl',
        actions: ['wafv2:GetWebACL', 'wafv2:UpdateWebACL'],
        resources: [props.webAcl.arn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SendTheValueFromTheDistribution',
        actions: ['cloudfront:GetDistributionConfig', 'cloudfront:UpdateDistribution'],
        resources: [props.distribution.distributionArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadTheDistributionsWebAcl',
        actions: ['wafv2:GetWebACL'],
        resources: [props.distributionWebAclArn],
      }),
    );
    this.schedule = rotationSchedule(this, 'Resource', {
      secret: props.secret,
      handler: this.handler,
      rotationRules: { scheduleExpression: `rate(${days} days)` },
      // The generated value is in use from the first deploy; rotating during that deploy would race
      // the distribution's first propagation for nothing.
      rotateImmediatelyOnUpdate: false,
    });
  }
}
