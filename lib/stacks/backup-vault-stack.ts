import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import { Construct } from 'constructs';
import { breakGlassPrincipalArnPatterns } from '../config/access-names';
import { BackupConfig, backupVaultName } from '../config/backup';
import { kmsAliasName } from '../config/naming';
import { EnvironmentConfig } from '../config/types';
import { PlatformBackupVault, VaultLock } from '../constructs/backup-vault';
import { bucketProtection } from './bucket-protection';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/** Who the break-glass path is in an environment's account (from the team roster). */
export interface BreakGlassIdentity {
  /** Name of the break-glass permission set (its sessions' roles are generated under `aws-reserved`). */
  readonly permissionSetName: string;
  /** Region of the Identity Center instance (part of those roles' path). */
  readonly identityCenterRegion: string;
}

/** Props of `BackupVaultStack`. */
export interface BackupVaultStackProps extends Omit<PlatformStackProps, 'stateful'> {
  /** The break-glass path: the only principals that may delete a recovery point. */
  readonly breakGlass: BreakGlassIdentity;
}

/** The vault lock of `backup.vaultLock`, as the vault construct takes it. */
export function vaultLockOf(config: Pick<BackupConfig, 'vaultLock'>): VaultLock | undefined {
  const lock = config.vaultLock;
  if (!lock) return undefined;
  return {
    minRetention: Duration.days(lock.minRetentionDays),
    maxRetention: Duration.days(lock.maxRetentionDays),
    changeableFor: lock.mode === 'compliance' && lock.changeableForDays !== undefined ? Duration.days(lock.changeableForDays) : undefined,
  };
}

/**
 * The vault settings both regions share: the break-glass patterns from ONE function
 * (`breakGlassPrincipalArnPatterns`), the deployment roles of the bucket protection, the lock from config.
 */
export function vaultProtection(config: EnvironmentConfig, breakGlass: BreakGlassIdentity) {
  return {
    breakGlassPrincipalArnPatterns: breakGlassPrincipalArnPatterns(config, breakGlass.permissionSetName, breakGlass.identityCenterRegion),
    deploymentRoleArnPatterns: bucketProtection(config).deploymentRoleArnPatterns,
    lock: vaultLockOf(config.backup),
    // A vault that holds recovery points cannot be deleted by CloudFormation, and its recovery
    // points need its key: both are retained in every environment (development's expire by lifecycle).
    removalPolicy: RemovalPolicy.RETAIN,
  };
}

/**
 * The environment's backup vault (stateful: termination-protected outside development, retained,
 * construct IDs pinned): its own KMS key, an access policy that lets only the break-glass path
 * delete a recovery point, and the vault lock from `backup.vaultLock` (compliance mode in
 * production: irreversible once the grace time has passed, docs/backup-and-dr.md). The plans that
 * fill it live in the stateless Backup stack.
 */
export class BackupVaultStack extends PlatformStack {
  /** The vault. */
  public readonly vault: backup.IBackupVault;

  constructor(scope: Construct, id: string, props: BackupVaultStackProps) {
    super(scope, id, { ...props, stateful: true, description: `${props.config.name}: AWS Backup vault (locked in production)` });
    const { config } = this;
    this.vault = new PlatformBackupVault(this, 'Vault', {
      vaultName: backupVaultName(config.name),
      keyDescription: `${config.name} AWS Backup vault`,
      keyAlias: kmsAliasName(config.name, 'backup'),
      ...vaultProtection(config, props.breakGlass),
    }).vault;
  }
}
