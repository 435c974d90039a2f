import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Props of `AlertKey`. */
export interface AlertKeyProps {
  /** Alias, e.g. `alias/saas-platform/prod/alerts`. */
  readonly aliasName: string;
  /** What the key encrypts (its description). */
  readonly description: string;
  /** What happens to the key when it leaves the template. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The customer-managed key of a region's alert topics: rotated yearly, and usable by this account's
 * CloudWatch alarms, which publish to the encrypted topics (the AWS-managed SNS key cannot grant
 * them that; CloudWatch user guide, "Encrypting SNS topics for alarm actions").
 */
export class AlertKey extends Construct {
  /** The key. */
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AlertKeyProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Resource', {
      description: props.description,
      alias: props.aliasName,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
      pendingWindow: Duration.days(30),
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
  }
}
