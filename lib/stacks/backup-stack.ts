import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import {
  BACKUP_OPT_IN_RESOURCE_TYPES,
  BackupRuleSpec,
  backupPlanName,
  backupRules,
  backupVaultArn,
  backupVaultName,
  RESTORE_CHECK_OBJECT_KEY,
  RESTORE_CHECK_TABLE,
  RESTORE_TEST_FAILED_METRIC,
  RESTORE_TEST_NAME_PREFIX,
  restoreCheckTableName,
  restoreTestingPlanName,
} from '../config/backup';
import { AlarmId, runbookAnchor } from '../config/observability';
import { alarmNamePrefix, platformMetricNamespace } from '../config/observability-names';
import { Severity } from '../config/types';
import { AlarmFacade } from '../constructs/alarm-facade';
import { BackupRegionOptIn } from '../constructs/backup-region-opt-in';
import { acknowledgeAwsCustomResourceProvider } from '../constructs/provider-framework';
import { RestoreTests } from '../constructs/restore-tests';
import { addCatalogAlarm } from './observability-stack';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/** Props of `BackupStack`. */
export interface BackupStackProps extends Omit<PlatformStackProps, 'stateful'> {
  /** The environment's vault (BackupVault stack). */
  readonly vault: backup.IBackupVault;
  /** The environment's VPC: the restore tests run in it. */
  readonly vpc: ec2.IVpc;
  /** The database and its subnet group (Data stack): tested by restoring it. */
  readonly database: { readonly instance: rds.IDatabaseInstance; readonly subnetGroup: rds.ISubnetGroup };
  /** The uploads bucket and its key (Data stack): tested by restoring it; it holds the known object. */
  readonly uploads: { readonly bucket: s3.IBucket; readonly key: kms.IKey };
  /** The alert topics by severity (Observability stack): the restore test alarm notifies them. */
  readonly alertTopics: Readonly<Record<Severity, sns.ITopic>>;
}

/** The AWS managed policies the backup role needs for RDS and S3 (AWS Backup developer guide, "Managed policies for AWS Backup"). */
export const BACKUP_ROLE_MANAGED_POLICIES = [
  'service-role/AWSBackupServiceRolePolicyForBackup',
  'AWSBackupServiceRolePolicyForS3Backup',
] as const;

/**
 * What fills the vault and proves it can be restored (stateless): the backup plan with the rules
 * derived from config (`backupRules`: continuous, daily, weekly, monthly, copied to the DR vault in
 * production), the selection of every resource whose `Backup` tag is the environment's (the tag
 * policy puts it on every stateful resource, so a new database or bucket is backed up without
 * anyone remembering), the scheduled restore tests with their validation, the known object they
 * look for in the restored bucket, the `restore-test-failed` alarm, and AWS Backup's service opt-in
 * of the region for `BACKUP_OPT_IN_RESOURCE_TYPES` (without it the tag selection skips S3).
 */
export class BackupStack extends PlatformStack {
  /** The backup plan. */
  public readonly plan: backup.BackupPlan;
  /** The role AWS Backup backs the selected resources up with. */
  public readonly backupRole: iam.IRole;
  /** The restore tests. */
  public readonly restoreTests: RestoreTests;
  /** The alarm of failed restore tests. */
  public readonly facade: AlarmFacade;

  constructor(scope: Construct, id: string, props: BackupStackProps) {
    super(scope, id, {
      ...props,
      stateful: false,
      description: `${props.config.name}: AWS Backup plan and selection, restore tests and their validation`,
    });
    const { config } = this;
    const logRemovalPolicy = config.stateful.removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.backupRole = new iam.Role(this, 'BackupRole', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: `AWS Backup backs up the resources of ${config.name} tagged Backup=${config.tags.Backup}`,
      managedPolicies: BACKUP_ROLE_MANAGED_POLICIES.map((p) => iam.ManagedPolicy.fromAwsManagedPolicyName(p)),
    });
    for (const policy of BACKUP_ROLE_MANAGED_POLICIES) {
      Validations.of(this.backupRole).acknowledge({
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policy}]`,
        reason: 'The AWS-maintained backup policy AWS Backup documents for its service role; it follows the services AWS Backup supports.',
      });
    }

    const drVault =
      config.backup.copyToDr && config.drRegion
        ? backup.BackupVault.fromBackupVaultArn(
            this,
            'DrVault',
            backupVaultArn(config.drRegion, this.account, backupVaultName(config.name, 'dr')),
          )
        : undefined;
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupPlanName: backupPlanName(config.name),
      backupVault: props.vault,
      backupPlanRules: backupRules(config.backup).map((rule) => this.rule(rule, props.vault, drVault)),
    });
    this.plan.addSelection('Tagged', {
      backupSelectionName: `tagged-backup-${config.tags.Backup}`,
      resources: [backup.BackupResource.fromTag('Backup', config.tags.Backup)],
      role: this.backupRole,
    });

    this.restoreTests = new RestoreTests(this, 'RestoreTests', {
      planName: restoreTestingPlanName(config.name),
      ...config.backup.restoreTesting,
      vault: props.vault,
      vpc: props.vpc,
      database: {
        instance: props.database.instance,
        subnetGroup: props.database.subnetGroup,
        databaseName: RESTORE_CHECK_TABLE.database,
        table: restoreCheckTableName(),
      },
      bucket: { bucket: props.uploads.bucket, objectKey: RESTORE_CHECK_OBJECT_KEY },
      rto: Duration.minutes(config.backup.objectives.rtoMinutes),
      restoredNamePrefix: RESTORE_TEST_NAME_PREFIX,
      metric: { namespace: platformMetricNamespace(), metricName: RESTORE_TEST_FAILED_METRIC },
      logRetention: config.database.logRetentionDays,
      logRemovalPolicy,
    });
    this.writeRestoreCheckObject(props.uploads);
    // AWS Backup's service opt-in of this region: the tag selection reaches these types only when it is on.
    new BackupRegionOptIn(this, 'BackupOptIn', { resourceTypes: BACKUP_OPT_IN_RESOURCE_TYPES });

    this.facade = new AlarmFacade(this, 'Alarms', {
      alarmNamePrefix: alarmNamePrefix(config.name),
      topics: props.alertTopics,
      runbook: (alarmId) => runbookAnchor(alarmId as AlarmId),
    });
    addCatalogAlarm(this.facade, config.observability.thresholds, 'restore-test-failed', {
      metric: new cw.Metric({
        namespace: platformMetricNamespace(),
        metricName: RESTORE_TEST_FAILED_METRIC,
        statistic: 'Sum',
        period: Duration.hours(1),
      }),
      evaluationPeriods: 1,
    });
  }

  /** One rule of the plan: its schedule, lifecycle, continuous backup and copy to the DR vault. */
  private rule(spec: BackupRuleSpec, vault: backup.IBackupVault, drVault: backup.IBackupVault | undefined): backup.BackupPlanRule {
    const lifecycle = {
      deleteAfter: Duration.days(spec.retentionDays),
      moveToColdStorageAfter: spec.coldStorageAfterDays !== undefined ? Duration.days(spec.coldStorageAfterDays) : undefined,
    };
    return new backup.BackupPlanRule({
      ruleName: spec.name,
      backupVault: vault,
      scheduleExpression: events.Schedule.expression(spec.scheduleExpression),
      enableContinuousBackup: spec.continuous || undefined,
      ...lifecycle,
      copyActions: spec.copyToDr && drVault ? [{ destinationBackupVault: drVault, ...lifecycle }] : undefined,
    });
  }

  /**
   * The object a restore test of the uploads bucket expects in the restored copy (written at every
   * deploy, so every recovery point after the first deploy holds it), through S3 with the bucket's key.
   */
  private writeRestoreCheckObject(uploads: BackupStackProps['uploads']): void {
    const body = JSON.stringify({ environment: this.config.name, purpose: 'restore test marker: keep' });
    const call: cr.AwsSdkCall = {
      service: 'S3',
      action: 'putObject',
      parameters: { Bucket: uploads.bucket.bucketName, Key: RESTORE_CHECK_OBJECT_KEY, Body: body, ContentType: 'application/json' },
      physicalResourceId: cr.PhysicalResourceId.of(RESTORE_CHECK_OBJECT_KEY),
    };
    new cr.AwsCustomResource(this, 'RestoreCheckObject', {
      onCreate: call,
      onUpdate: call,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [uploads.bucket.arnForObjects(RESTORE_CHECK_OBJECT_KEY)] }),
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey'],
          resources: [uploads.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${this.region}.amazonaws.com` } },
        }),
      ]),
      installLatestAwsSdk: false,
    });
    acknowledgeAwsCustomResourceProvider(this);
  }
}
