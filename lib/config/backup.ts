/**
 * Backup and disaster recovery of an environment, as data: the recovery objectives (RPO, RTO), what
 * AWS Backup keeps and for how long, the vault lock, the restore tests, and the DR region's pilot
 * light (docs/backup-and-dr.md, ADR 0008). The backup plan's rules are DERIVED here from these
 * settings (`backupRules`), so the stacks, the docs and the validation read one list; the names
 * every side uses (vaults, plans, restore testing plans, the known table and object a restore test
 * checks) are functions of config.
 *
 * Pure data and functions of config; no imports beyond lib/config.
 */
import { APPLICATION_DATABASE } from './naming';
import { PLATFORM } from './platform';

/** Recovery objectives of an environment. */
export interface RecoveryObjectives {
  /**
   * Recovery point objective: the most recent changes, in minutes, the environment may lose
   * (5..10080). Below a day it needs continuous backup (`continuousRetentionDays`); it decides the
   * `Backup` tag value (`requiredBackupTag`) and the frequency of the continuous rule.
   */
  readonly rpoMinutes: number;
  /**
   * Recovery time objective: how long a restore may take, in minutes (15..10080). A restore test
   * whose restore job takes longer fails (the validation function compares).
   */
  readonly rtoMinutes: number;
}

/** One snapshot rule's lifecycle. */
export interface BackupRetentionConfig {
  /** Days a recovery point is kept (1..36500). */
  readonly retentionDays: number;
  /**
   * Move recovery points to cold storage after this many days (resource types that support it;
   * AWS Backup ignores it for the others, RDS and S3 among them). A recovery point must then stay
   * in cold storage 90 days: `retentionDays` >= this + 90.
   * @default - no cold storage
   */
  readonly coldStorageAfterDays?: number;
}

/** The lock of the environment's vaults (AWS Backup Vault Lock). */
export interface VaultLockConfig {
  /**
   * `compliance`: after `changeableForDays` nobody, the root user and AWS included, can remove the
   * lock, shorten a retention or delete a recovery point early (required in production);
   * `governance`: principals with `backup:DeleteBackupVaultLockConfiguration` can remove the lock.
   */
  readonly mode: 'compliance' | 'governance';
  /** No recovery point in the vault may be kept fewer days (1..36500): a rule with less fails its backup jobs. */
  readonly minRetentionDays: number;
  /** No recovery point in the vault may be kept more days (minRetentionDays..36500). */
  readonly maxRetentionDays: number;
  /**
   * Compliance mode only: days before the lock becomes immutable (3..36500). Until then the lock can
   * still be removed; afterwards it is permanent (docs/backup-and-dr.md, "Vault lock").
   * @default - governance mode has none
   */
  readonly changeableForDays?: number;
}

/** The scheduled restore tests (AWS Backup restore testing). */
export interface RestoreTestingConfig {
  /** When the tests start: `cron(minutes hours day month weekday year)` in UTC, e.g. `cron(0 6 ? * TUE *)`. */
  readonly scheduleExpression: string;
  /** Hours AWS Backup has to start the restore jobs after the scheduled time (1..168). */
  readonly startWindowHours: number;
  /** Recovery points of the last this-many days are eligible; the latest one is restored (1..365). */
  readonly selectionWindowDays: number;
  /** Hours the restored resources are kept for validation before AWS Backup deletes them (1..168). */
  readonly validationWindowHours: number;
}

/** AWS Backup for one environment. */
export interface BackupConfig {
  readonly objectives: RecoveryObjectives;
  /**
   * Continuous backup (point-in-time restore) of the database and the buckets, kept this many days
   * (1..35, and equal to `database.backupRetentionDays`: AWS Backup then manages the database's own
   * automated-backup retention). Required when the RPO is below a day.
   * @default - no continuous backup
   */
  readonly continuousRetentionDays?: number;
  /** The daily snapshot. */
  readonly daily: BackupRetentionConfig;
  /** A weekly snapshot (Sundays). @default - none */
  readonly weekly?: BackupRetentionConfig;
  /** A monthly snapshot (the 1st). @default - none */
  readonly monthly?: BackupRetentionConfig;
  /** The lock of the vault (and the DR vault). Required in production, in compliance mode. @default - no lock */
  readonly vaultLock?: VaultLockConfig;
  /** Copy every snapshot rule's recovery points to the vault in the DR region (needs `drRegion` and `dr`). */
  readonly copyToDr: boolean;
  readonly restoreTesting: RestoreTestingConfig;
}

/**
 * How the database reaches the DR region. `snapshotCopy`: AWS Backup copies each snapshot rule's
 * recovery points to the DR vault (needs `backup.copyToDr`); a restore starts from the latest copy.
 * (A cross-region read replica is not offered yet: ADR 0008 says when it would be worth its cost.)
 */
export type DrDatabasePath = 'snapshotCopy';

/** The DR region's pilot light (ADR 0008): what exists there before a disaster. */
export interface DisasterRecoveryConfig {
  /** How the database reaches the DR region. */
  readonly database: DrDatabasePath;
  /** The DR region's VPC (the same three tiers as the primary's; disjoint from every other range). */
  readonly network: {
    /** IPv4 CIDR, /16 to /20, disjoint from every environment's VPC and other DR VPC. */
    readonly vpcCidr: string;
    /** Zones of the DR region (2 or more). */
    readonly availabilityZones: readonly string[];
    /** NAT gateways (1..zones); a failover adds more when it brings compute up. */
    readonly natGateways: number;
    /** Retention of the flow logs; a CloudWatch value. */
    readonly flowLogRetentionDays: number;
  };
}

/** The `Backup` tag values of the tagging policy (lib/config/tag-policy.ts) AWS Backup selects on. */
export type BackupTagValue = 'none' | 'daily' | 'hourly';

/** Minutes in a day: an RPO of a day or more is met by the daily rule alone. */
export const MINUTES_PER_DAY = 1440;

/**
 * The `Backup` tag value an environment's stateful resources must carry to meet its RPO: `hourly`
 * below a day (the continuous rule), `daily` otherwise. The backup selection picks resources by
 * this value, so a new database or bucket in a stateful stack is backed up without anyone remembering.
 */
export function requiredBackupTag(objectives: RecoveryObjectives): BackupTagValue {
  return objectives.rpoMinutes < MINUTES_PER_DAY ? 'hourly' : 'daily';
}

/**
 * Hours between two runs of the continuous rule, from the RPO: the database and the buckets are
 * backed up continuously (their recovery point is minutes old); a selected resource type without
 * continuous backup gets a snapshot at this frequency, so it stays within the RPO where snapshots
 * can (at most hourly, at least daily).
 */
export function continuousRuleIntervalHours(objectives: RecoveryObjectives): number {
  return Math.min(24, Math.max(1, Math.floor(objectives.rpoMinutes / 60)));
}

/** The hour (UTC) the snapshot rules start: after the database's own backup window of the defaults (02:00-03:00). */
export const SNAPSHOT_HOUR_UTC = 5;

/** One rule of the backup plan, derived from config. */
export interface BackupRuleSpec {
  /** Rule name (letters, digits, `-`, `_`), e.g. `daily`. */
  readonly name: 'continuous' | 'daily' | 'weekly' | 'monthly';
  /** When it runs (AWS Backup cron, UTC). */
  readonly scheduleExpression: string;
  /** Days a recovery point is kept. */
  readonly retentionDays: number;
  /** Days until cold storage. @default - none */
  readonly coldStorageAfterDays?: number;
  /** Continuous backup (point-in-time restore) for the types that support it. */
  readonly continuous: boolean;
  /** Its recovery points are copied to the DR vault (same lifecycle). */
  readonly copyToDr: boolean;
}

/**
 * The rules of an environment's backup plan: the continuous rule (when on: point-in-time restore of
 * the database and buckets, every `continuousRuleIntervalHours` for the other types), then daily,
 * weekly and monthly snapshots, each copied to the DR vault when `copyToDr` (continuous recovery
 * points are not copied: a copy is a snapshot, which the daily rule already makes).
 */
export function backupRules(backup: BackupConfig): BackupRuleSpec[] {
  const rules: BackupRuleSpec[] = [];
  if (backup.continuousRetentionDays !== undefined) {
    const hours = continuousRuleIntervalHours(backup.objectives);
    rules.push({
      name: 'continuous',
      scheduleExpression: hours === 24 ? `cron(0 ${SNAPSHOT_HOUR_UTC} * * ? *)` : `cron(0 0/${hours} * * ? *)`,
      retentionDays: backup.continuousRetentionDays,
      continuous: true,
      copyToDr: false,
    });
  }
  const snapshot = (name: 'daily' | 'weekly' | 'monthly', schedule: string, r: BackupRetentionConfig): BackupRuleSpec => ({
    name,
    scheduleExpression: schedule,
    retentionDays: r.retentionDays,
    ...(r.coldStorageAfterDays !== undefined ? { coldStorageAfterDays: r.coldStorageAfterDays } : {}),
    continuous: false,
    copyToDr: backup.copyToDr,
  });
  rules.push(snapshot('daily', `cron(0 ${SNAPSHOT_HOUR_UTC} * * ? *)`, backup.daily));
  if (backup.weekly) rules.push(snapshot('weekly', `cron(0 ${SNAPSHOT_HOUR_UTC} ? * SUN *)`, backup.weekly));
  if (backup.monthly) rules.push(snapshot('monthly', `cron(0 ${SNAPSHOT_HOUR_UTC} 1 * ? *)`, backup.monthly));
  return rules;
}

/**
 * The most data, in minutes, a restore can lose with these rules: a few minutes with continuous
 * backup (RDS restores to its latest restorable time, typically 5 minutes behind; S3 continuous
 * backups restore to any point of their window), otherwise a day (the daily rule).
 */
export function achievedRpoMinutes(backup: Pick<BackupConfig, 'continuousRetentionDays'>): number {
  return backup.continuousRetentionDays !== undefined ? CONTINUOUS_RPO_MINUTES : MINUTES_PER_DAY;
}

/** How far behind the latest point-in-time restore of a continuously backed-up database is (RDS user guide, "Restoring a DB instance to a specified time"). */
export const CONTINUOUS_RPO_MINUTES = 5;

/** Name of an environment's backup vault, e.g. `saas-platform-prod` (the DR region's: `saas-platform-prod-dr`). */
export function backupVaultName(environmentName: string, scope: 'primary' | 'dr' = 'primary'): string {
  return `${PLATFORM.application}-${environmentName}${scope === 'dr' ? '-dr' : ''}`;
}

/** ARN of a backup vault (the copy rule names the DR vault by it: CloudFormation cannot pass a reference across regions). */
export function backupVaultArn(region: string, account: string, vaultName: string): string {
  return `arn:aws:backup:${region}:${account}:backup-vault:${vaultName}`;
}

/**
 * Name of the DB subnet group of the DR region's isolated subnets, e.g. `saas-platform-prod-dr-database`:
 * a restore of a copied recovery point there names it (docs/backup-and-dr.md, "Fail over to the DR region").
 */
export function drDatabaseSubnetGroupName(environmentName: string): string {
  return `${PLATFORM.application}-${environmentName}-dr-database`;
}

/** Name of an environment's backup plan, e.g. `saas-platform-prod`. */
export function backupPlanName(environmentName: string): string {
  return `${PLATFORM.application}-${environmentName}`;
}

/**
 * Name of an environment's restore testing plan (AWS Backup allows letters, digits and
 * underscores only), e.g. `saas_platform_prod`.
 */
export function restoreTestingPlanName(environmentName: string): string {
  return `${PLATFORM.application}_${environmentName}`.replace(/-/g, '_');
}

/**
 * Prefix of the names AWS Backup gives the resources a restore test creates (the restored database
 * instance, the restored bucket): the validation function may touch those and nothing else.
 */
export const RESTORE_TEST_NAME_PREFIX = 'awsbackup-restore-test-';

/**
 * What a restore test of the database checks: the database-users step keeps one row in this table
 * of the application database (created if missing, `written_at` set whenever the step runs), and
 * the validation function reads it from the restored instance. Both sides use this constant. The
 * schema's underscore keeps it apart from every service's schema (service names have none).
 */
export const RESTORE_CHECK_TABLE = {
  database: APPLICATION_DATABASE,
  schema: 'restore_check',
  table: 'marker',
} as const;

/** `<schema>.<table>` of `RESTORE_CHECK_TABLE`, as the database-users step and the validation function take it. */
export function restoreCheckTableName(): string {
  return `${RESTORE_CHECK_TABLE.schema}.${RESTORE_CHECK_TABLE.table}`;
}

/**
 * The object a restore test of the uploads bucket expects in the restored bucket: the Backup stack
 * writes it (its content names the environment) at deploy time, the validation function lists it.
 * Outside every service's prefix (`<service>/`), so no service can delete it.
 */
export const RESTORE_CHECK_OBJECT_KEY = '.platform/restore-check.json';

/**
 * The metric the validation function publishes per restore test (namespace `platformMetricNamespace()`,
 * dimension `ResourceType`): 1 when the test failed (the restore job, the check, or the RTO), 0 when
 * it passed. The `restore-test-failed` alarm watches its sum.
 */
export const RESTORE_TEST_FAILED_METRIC = 'RestoreTestsFailed';

/**
 * The AWS Backup resource types the tag selection must reach, opted in in each region where the
 * environment keeps state or receives copies: the database (`RDS`), the buckets (`S3`, off by
 * default in every region) and the DynamoDB tables (`DynamoDB`) of the stateful stacks, which the
 * tag policy marks with `Backup`. A selection by tag skips a type whose region opt-in is off
 * (AWS Backup API reference, UpdateRegionSettings `ResourceTypeOptInPreference`: "If resource
 * assignments are only based on tags, then service opt-in settings are applied"). Keys as
 * DescribeRegionSettings names them.
 */
export const BACKUP_OPT_IN_RESOURCE_TYPES = ['DynamoDB', 'RDS', 'S3'] as const;
