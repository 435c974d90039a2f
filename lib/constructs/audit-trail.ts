import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BucketProtection, SecureBucket } from './secure-bucket';

/** Props of `AuditTrail`. */
export interface AuditTrailProps {
  /** Name of the trail (fixed: the key and bucket policies name it in `aws:SourceArn`). */
  readonly trailName: string;
  /** Name of the bucket the trail delivers to (named: the logs bucket grants its access logs by name). */
  readonly bucketName: string;
  /** Name of the trail's log group in CloudWatch Logs. */
  readonly logGroupName: string;
  /** Alias of the key that encrypts the trail's files and log group. */
  readonly keyAliasName: string;
  /** Write-once retention of every log file (S3 Object Lock), after which it is deleted. */
  readonly objectLock: s3.ObjectLockRetention;
  /** Days a log file is kept (the Object Lock retention): then the lifecycle deletes it. */
  readonly retentionDays: number;
  /** Retention of the CloudWatch Logs copy. */
  readonly logRetention: logs.RetentionDays;
  /** Where the trail bucket's own access logs go. */
  readonly accessLogs: { readonly bucket: s3.IBucket; readonly prefix: string };
  /** Who may delete the bucket (break-glass) and change its policy (deployments). */
  readonly protection: BucketProtection;
}

/**
 * The account's audit trail: a multi-region CloudTrail trail of every management event (global
 * services included) with log-file validation, encrypted with its own customer-managed key,
 * delivered to a bucket whose objects are write-once for `retentionDays` (S3 Object Lock) and to a
 * CloudWatch Logs group (where the audit alarms read it). The key and the bucket admit CloudTrail
 * for this trail only (`aws:SourceArn`), as the CloudTrail User Guide recommends ("Configure AWS KMS
 * key policies for CloudTrail", "Amazon S3 bucket policy for CloudTrail"). Everything is retained
 * when it leaves the template, in every environment: an audit trail outlives the account's stacks.
 */
export class AuditTrail extends Construct {
  /** The trail. */
  public readonly trail: cloudtrail.CfnTrail;
  /** The log group the trail delivers to. */
  public readonly logGroup: logs.ILogGroup;
  /** The key of the trail's files and log group. */
  public readonly key: kms.IKey;
  /** The bucket of the trail's files. */
  public readonly bucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const trailArn = `arn:aws:cloudtrail:${stack.region}:${stack.account}:trail/${props.trailName}`;
    const logGroupArn = `arn:aws:logs:${stack.region}:${stack.account}:log-group:${props.logGroupName}`;
    const fromThisTrail = { StringEquals: { 'aws:SourceArn': trailArn } };
    const cloudTrailService = new iam.ServicePrincipal('cloudtrail.amazonaws.com');

    const key = new kms.Key(this, 'Key', {
      description: `Audit trail ${props.trailName}: log files, digest files and its CloudWatch Logs group`,
      alias: props.keyAliasName,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailEncryptsThisTrailsLogs',
        principals: [cloudTrailService],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          ...fromThisTrail,
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${stack.account}:trail/*` },
        },
      }),
    );
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailDescribesTheKey',
        principals: [cloudTrailService],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: fromThisTrail,
      }),
    );
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsEncryptsTheTrailsLogGroup',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn } },
      }),
    );
    this.key = key;

    const bucket = new SecureBucket(this, 'Bucket', {
      bucketName: props.bucketName,
      encryptionKey: key,
      accessLogs: props.accessLogs,
      removalPolicy: RemovalPolicy.RETAIN,
      protection: props.protection,
      objectLock: props.objectLock,
      lifecycleRules: [
        // A locked version cannot be deleted before its retention ends; after it, nothing keeps it.
        { id: 'expire-after-retention', expiration: Duration.days(props.retentionDays), noncurrentVersionExpiration: Duration.days(1) },
      ],
    }).bucket;
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailChecksTheBucketAcl',
        principals: [cloudTrailService],
        actions: ['s3:GetBucketAcl'],
        resources: [bucket.bucketArn],
        conditions: fromThisTrail,
      }),
    );
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailWritesThisTrailsLogs',
        principals: [cloudTrailService],
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(`AWSLogs/${stack.account}/*`)],
        conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn } },
      }),
    );
    this.bucket = bucket;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: props.logGroupName,
      retention: props.logRetention,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const deliveryRole = new iam.Role(this, 'LogsDeliveryRole', {
      description: `CloudTrail delivers ${props.trailName} to ${props.logGroupName}`,
      assumedBy: new iam.PrincipalWithConditions(cloudTrailService, fromThisTrail),
    });
    // CloudTrail writes one stream per region of a multi-region trail, named `<account>_CloudTrail_<region>`
    // (CloudTrail User Guide, "Role policy document for CloudTrail to use CloudWatch Logs for
    // monitoring": the role may create and write streams of that prefix in that log group only).
    const streams = `${logGroupArn}:log-stream:${stack.account}_CloudTrail_*`;
    deliveryRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteTheTrailsLogStreams',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [streams],
      }),
    );
    Validations.of(deliveryRole.node.findChild('DefaultPolicy')).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${streams}]`,
      reason: "The trail's own streams in its own log group, one per region of the multi-region trail (the region is the wildcard).",
    });

    this.trail = new cloudtrail.CfnTrail(this, 'Resource', {
      trailName: props.trailName,
      isLogging: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      s3BucketName: bucket.bucketName,
      kmsKeyId: key.keyArn,
      cloudWatchLogsLogGroupArn: this.logGroup.logGroupArn,
      cloudWatchLogsRoleArn: deliveryRole.roleArn,
      // Every management event, read and write: GetSecretValue is a read.
      eventSelectors: [{ includeManagementEvents: true, readWriteType: 'All' }],
    });
    // CloudTrail checks at creation that it can write to the bucket, the key and the log group.
    this.trail.node.addDependency(bucket, key, deliveryRole);
  }
}
