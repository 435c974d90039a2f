import * as path from 'path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PlatformFunction } from './platform-function';

/** Props of `RestoreTests`. */
export interface RestoreTestsProps {
  /** Name of the restore testing plan (letters, digits, underscores). */
  readonly planName: string;
  /** When the tests start (`cron(...)`, UTC). */
  readonly scheduleExpression: string;
  /** Hours AWS Backup has to start the restore jobs. */
  readonly startWindowHours: number;
  /** Recovery points of the last this-many days are eligible; the latest is restored. */
  readonly selectionWindowDays: number;
  /** Hours the restored resources are kept for validation. */
  readonly validationWindowHours: number;
  /** The vault whose recovery points are restored. */
  readonly vault: backup.IBackupVault;
  /** The VPC of the database: the restored copy and the validation function go in it. */
  readonly vpc: ec2.IVpc;
  /** The database: restored into its own subnet group; the known table is read from the copy. */
  readonly database: {
    readonly instance: rds.IDatabaseInstance;
    readonly subnetGroup: rds.ISubnetGroup;
    /** Database the known table is in. */
    readonly databaseName: string;
    /** `<schema>.<table>` of the known table. */
    readonly table: string;
  };
  /** The bucket: the restored copy must hold `objectKey`. */
  readonly bucket: { readonly bucket: s3.IBucket; readonly objectKey: string };
  /** A restore that takes longer fails the test. */
  readonly rto: Duration;
  /** Prefix of the names AWS Backup gives restored resources (the function touches nothing else). */
  readonly restoredNamePrefix: string;
  /** Where the function publishes the failed-test metric. */
  readonly metric: { readonly namespace: string; readonly metricName: string };
  /** Retention of the function's logs. */
  readonly logRetention: logs.RetentionDays;
  /**
   * What happens to the function's log group when it leaves the template.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** The AWS managed policies a restore role needs for RDS and S3 (AWS Backup developer guide, "Managed policies for AWS Backup"). */
export const RESTORE_ROLE_MANAGED_POLICIES = [
  'service-role/AWSBackupServiceRolePolicyForRestores',
  'AWSBackupServiceRolePolicyForS3Restore',
] as const;

/** What EventBridge sends the function: every restore job that ended (AWS Backup user guide, "EventBridge events"). */
export const RESTORE_JOB_ENDED = {
  source: ['aws.backup'],
  detailType: ['Restore Job State Change'],
  detail: { status: ['COMPLETED', 'FAILED', 'ABORTED'] },
} as const;

/** PostgreSQL's port. */
const POSTGRES = 5432;

/**
 * Scheduled restore tests of the database and the uploads bucket (AWS Backup restore testing), and
 * their validation: a restore testing plan (the latest recovery point of the window, from the
 * vault), one selection per resource (the database restored into its own isolated subnets behind a
 * security group that admits only the validation function), and the validation function, started by
 * EventBridge when a restore job ends. The function reads the known table of the restored database
 * and lists the known object of the restored bucket, compares the restore time with the RTO, and
 * reports the result to AWS Backup and as a metric.
 */
export class RestoreTests extends Construct {
  /** The restore testing plan. */
  public readonly plan: backup.CfnRestoreTestingPlan;
  /** The role AWS Backup restores with. */
  public readonly role: iam.IRole;
  /** The validation function. */
  public readonly validation: PlatformFunction;
  /** Security group of the restored database: admits the validation function only. */
  public readonly restoredDatabaseSecurityGroup: ec2.ISecurityGroup;

  constructor(scope: Construct, id: string, props: RestoreTestsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: 'AWS Backup restore testing: restores the database and the uploads bucket for the scheduled tests',
      managedPolicies: RESTORE_ROLE_MANAGED_POLICIES.map((p) => iam.ManagedPolicy.fromAwsManagedPolicyName(p)),
    });
    for (const policy of RESTORE_ROLE_MANAGED_POLICIES) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policy}]`,
        reason: 'The AWS-maintained restore policy AWS Backup documents for its service role; it follows the services AWS Backup restores.',
      });
    }
    this.role = role;

    this.plan = new backup.CfnRestoreTestingPlan(this, 'Plan', {
      restoreTestingPlanName: props.planName,
      scheduleExpression: props.scheduleExpression,
      startWindowHours: props.startWindowHours,
      recoveryPointSelection: {
        algorithm: 'LATEST_WITHIN_WINDOW',
        includeVaults: [props.vault.backupVaultArn],
        recoveryPointTypes: ['CONTINUOUS', 'SNAPSHOT'],
        selectionWindowDays: props.selectionWindowDays,
      },
    });

    const validationGroup = new ec2.SecurityGroup(this, 'ValidationSecurityGroup', {
      vpc: props.vpc,
      description: 'Restore test validation: PostgreSQL to the restored database, HTTPS to the AWS APIs',
      allowAllOutbound: false,
    });
    validationGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS Backup, RDS, S3, CloudWatch APIs');
    const restoredGroup = new ec2.SecurityGroup(this, 'RestoredDatabaseSecurityGroup', {
      vpc: props.vpc,
      description: 'Restored test copies of the database: admits the restore test validation only',
      allowAllOutbound: false,
    });
    restoredGroup.connections.allowFrom(validationGroup, ec2.Port.tcp(POSTGRES), 'restore test validation');
    this.restoredDatabaseSecurityGroup = restoredGroup;

    const common = {
      restoreTestingPlanName: this.plan.restoreTestingPlanName,
      iamRoleArn: role.roleArn,
      validationWindowHours: props.validationWindowHours,
    };
    const database = new backup.CfnRestoreTestingSelection(this, 'Database', {
      ...common,
      restoreTestingSelectionName: 'database',
      protectedResourceType: 'RDS',
      protectedResourceArns: [props.database.instance.instanceArn],
      // Into the database's own isolated subnets, reachable by the validation function only.
      restoreMetadataOverrides: {
        dbSubnetGroupName: props.database.subnetGroup.subnetGroupName,
        vpcSecurityGroupIds: stack.toJsonString([restoredGroup.securityGroupId]),
      },
    });
    const bucket = new backup.CfnRestoreTestingSelection(this, 'Bucket', {
      ...common,
      restoreTestingSelectionName: 'uploads',
      protectedResourceType: 'S3',
      protectedResourceArns: [props.bucket.bucket.bucketArn],
    });
    for (const selection of [database, bucket]) selection.addResourceDependency(this.plan);

    const fn = new PlatformFunction(this, 'Validation', {
      entry: path.join(__dirname, '..', 'functions', 'restore-validation', 'handler.ts'),
      description: 'Validates restore tests: the known table of the restored database, the known object of the restored bucket, the RTO',
      environment: {
        // The Node.js 20+ Lambda runtimes load the RDS certificate authorities only when told to.
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        RESTORE_TESTING_PLAN_ARN: this.plan.attrRestoreTestingPlanArn,
        RTO_MINUTES: String(props.rto.toMinutes()),
        DATABASE_NAME: props.database.databaseName,
        RESTORE_CHECK_TABLE: props.database.table,
        RESTORE_CHECK_OBJECT: props.bucket.objectKey,
        RESTORED_NAME_PREFIX: props.restoredNamePrefix,
        METRIC_NAMESPACE: props.metric.namespace,
        METRIC_NAME: props.metric.metricName,
        PASSWORD_WAIT_SECONDS: '600',
      },
      // Waiting for RDS to apply the new password takes minutes; the rest seconds.
      timeout: Duration.minutes(15),
      vpc: { vpc: props.vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, securityGroups: [validationGroup] },
      externalModules: ['pg-native'],
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    this.validation = fn;
    const restoredDatabases = `arn:aws:rds:${stack.region}:${stack.account}:db:${props.restoredNamePrefix}*`;
    const restoredBuckets = `arn:aws:s3:::${props.restoredNamePrefix}*`;
    const statements = [
      new iam.PolicyStatement({
        sid: 'ReadRestoreJobsAndReportValidation',
        actions: ['backup:DescribeRestoreJob', 'backup:PutRestoreValidationResult'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'SetThePasswordOfRestoredDatabases',
        actions: ['rds:DescribeDBInstances', 'rds:ModifyDBInstance'],
        resources: [restoredDatabases],
      }),
      new iam.PolicyStatement({ sid: 'ListRestoredBuckets', actions: ['s3:ListBucket'], resources: [restoredBuckets] }),
      new iam.PolicyStatement({
        sid: 'PublishTheResult',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': props.metric.namespace } },
      }),
    ];
    for (const statement of statements) fn.role.addToPrincipalPolicy(statement);

    new events.Rule(this, 'RestoreJobEnded', {
      description: 'A restore job ended: the restore test validation checks the tests of its plan',
      eventPattern: {
        source: [...RESTORE_JOB_ENDED.source],
        detailType: [...RESTORE_JOB_ENDED.detailType],
        detail: { status: [...RESTORE_JOB_ENDED.detail.status] },
      },
      targets: [new targets.LambdaFunction(fn.function, { retryAttempts: 2 })],
    });

    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      reason: 'A function in a VPC needs the AWS-maintained policy that lets Lambda manage its network interfaces.',
    });
    const policy = fn.role.node.findChild('DefaultPolicy');
    const reasons: Record<string, string> = {
      'Resource::*':
        'backup:DescribeRestoreJob and backup:PutRestoreValidationResult support no resource-level permissions; cloudwatch:PutMetricData is limited to the platform namespace by condition.',
      [`Resource::${restoredDatabases}`]: `AWS Backup names restored test databases ${props.restoredNamePrefix}<generated>: the function may only describe them and set their password, never the primary.`,
      [`Resource::${restoredBuckets}`]: `AWS Backup names restored test buckets ${props.restoredNamePrefix}<generated>: the function may only list them.`,
    };
    for (const [finding, reason] of Object.entries(reasons)) {
      Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    }
  }
}
