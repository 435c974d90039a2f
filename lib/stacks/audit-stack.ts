import * as s3 from 'aws-cdk-lib/aws-s3';
import { Duration, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { trailLogGroupName, trailName } from '../config/access-names';
import { auditRules, SecretReadScope } from '../config/audit-rules';
import { AUDIT_TRAIL_ACCESS_LOGS_PREFIX, auditTrailBucketName, kmsAliasName } from '../config/naming';
import { AuditMetrics } from '../constructs/audit-metrics';
import { AuditTrail } from '../constructs/audit-trail';
import { bucketProtection } from './bucket-protection';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/** Props of `AuditStack`. */
export interface AuditStackProps extends Omit<PlatformStackProps, 'stateful'> {
  /** The logs bucket (Data stack): the trail bucket's own access logs go there. */
  readonly logsBucket: s3.IBucket;
  /** Name of the break-glass permission set (its sessions' roles are alarmed on). */
  readonly breakGlassPermissionSetName: string;
  /** Which secret reads are alarmed on (`secretReadScope(env, account)`); none without application secrets. */
  readonly secretReads?: SecretReadScope;
}

/**
 * The account's audit (stateful: the trail's files are evidence): a multi-region CloudTrail trail,
 * write-once in S3 for `audit.trailRetentionDays` and in CloudWatch Logs for
 * `audit.cloudWatchRetentionDays`, and the metrics of the audit alarms on it (root use, console
 * sign-in without MFA, IAM policy changes, break-glass use, a secret read refused or made by a
 * principal that is not one of the platform's secret readers); the alarms themselves are the Observability stack's, on the severity topics.
 */
export class AuditStack extends PlatformStack {
  /** The trail, its bucket, key and log group. */
  public readonly trail: AuditTrail;
  /** The metrics the audit alarms watch (the alarms are the Observability stack's). */
  public readonly metrics: AuditMetrics;

  constructor(scope: Construct, id: string, props: AuditStackProps) {
    super(scope, id, {
      ...props,
      stateful: true,
      description: `${props.config.name}: audit trail (CloudTrail, write-once) and the metrics of its alarms`,
    });
    const { config } = this;
    const { audit } = config;
    // Imported, so that the logs bucket's policy is not edited from here (the Data stack grants the
    // delivery by this bucket's name: serverAccessLogDeliveryStatement).
    const logsBucket = s3.Bucket.fromBucketAttributes(this, 'LogsBucket', {
      bucketName: props.logsBucket.bucketName,
      bucketArn: props.logsBucket.bucketArn,
    });
    const retention = audit.objectLockMode === 'COMPLIANCE' ? s3.ObjectLockRetention.compliance : s3.ObjectLockRetention.governance;
    this.trail = new AuditTrail(this, 'Trail', {
      trailName: trailName(config.name),
      bucketName: auditTrailBucketName(config.name, this.account, this.region),
      logGroupName: trailLogGroupName(config.name),
      keyAliasName: kmsAliasName(config.name, 'audit'),
      objectLock: retention(Duration.days(audit.trailRetentionDays)),
      retentionDays: audit.trailRetentionDays,
      logRetention: audit.cloudWatchRetentionDays,
      accessLogs: { bucket: logsBucket, prefix: AUDIT_TRAIL_ACCESS_LOGS_PREFIX },
      protection: bucketProtection(config),
    });
    Validations.of(this.trail.bucket).acknowledge({
      id: '@aws-cdk/aws-s3:accessLogsPolicyNotAdded',
      reason:
        "The Data stack lets S3 log this bucket's access into the logs bucket, naming this bucket (serverAccessLogDeliveryStatement).",
    });
    // Construct ID kept from when the alarms lived here: the metric filters keep their logical IDs.
    this.metrics = new AuditMetrics(this, 'Alarms', {
      logGroup: this.trail.logGroup,
      namespace: `${config.tags.Application}/${config.name}/audit`,
      rules: auditRules({
        breakGlassRoleName: config.stateful.breakGlassRoleName,
        breakGlassPermissionSetName: props.breakGlassPermissionSetName,
        secretReads: props.secretReads,
      }),
    });
  }
}
