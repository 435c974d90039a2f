import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** The vault lock (AWS Backup Vault Lock). */
export interface VaultLock {
  /** A recovery point kept for less than this is refused. */
  readonly minRetention: Duration;
  /** A recovery point kept for more than this is refused. */
  readonly maxRetention: Duration;
  /**
   * Compliance mode: the lock becomes immutable after this grace time (at least 3 days).
   * @default - governance mode (the lock can be removed with `backup:DeleteBackupVaultLockConfiguration`)
   */
  readonly changeableFor?: Duration;
}

/** Props of `PlatformBackupVault`. */
export interface PlatformBackupVaultProps {
  /** Name of the vault (the copy rule and the restore testing plan name it across regions). */
  readonly vaultName: string;
  /** What the vault's key is for (its description). */
  readonly keyDescription: string;
  /** Alias of the vault's key. */
  readonly keyAlias: string;
  /** The only principals (ARN patterns) that may delete a recovery point or shorten its lifecycle: the break-glass path. */
  readonly breakGlassPrincipalArnPatterns: readonly string[];
  /**
   * Principals (ARN patterns) that deploy the vault and so may set its access policy and lock,
   * e.g. the CDK CloudFormation execution role `arn:aws:iam::123456789012:role/cdk-*-cfn-exec-role-*`.
   */
  readonly deploymentRoleArnPatterns: readonly string[];
  /**
   * The vault lock.
   * @default - no lock
   */
  readonly lock?: VaultLock;
  /** What happens to the vault and its key when they leave the template. */
  readonly removalPolicy: RemovalPolicy;
}

/** Backup actions that destroy or shorten a recovery point. */
export const RECOVERY_POINT_DELETION_ACTIONS = ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'] as const;

/** Backup actions that remove the vault or loosen what protects it. */
export const VAULT_PROTECTION_ACTIONS = [
  'backup:DeleteBackupVault',
  'backup:PutBackupVaultAccessPolicy',
  'backup:DeleteBackupVaultAccessPolicy',
  'backup:PutBackupVaultLockConfiguration',
  'backup:DeleteBackupVaultLockConfiguration',
] as const;

/**
 * An AWS Backup vault with the platform's defaults: encrypted with its own customer-managed key
 * (rotated), an access policy under which only the break-glass path may delete a recovery point or
 * shorten its retention, and only break-glass and the deployment roles may change the policy, the
 * lock or delete the vault; optionally locked (Vault Lock), in compliance mode when a grace time is
 * given. Every principal is matched by `aws:PrincipalArn`, so the roles Identity Center generates are
 * matched by pattern, never by a pasted name.
 */
export class PlatformBackupVault extends Construct {
  /** The vault. */
  public readonly vault: backup.IBackupVault;
  /** Its key. */
  public readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: PlatformBackupVaultProps) {
    super(scope, id);
    if (props.breakGlassPrincipalArnPatterns.length === 0) {
      throw new Error(`${this.node.path}: breakGlassPrincipalArnPatterns is empty; somebody must be able to delete a recovery point`);
    }
    this.key = new kms.Key(this, 'Key', {
      description: props.keyDescription,
      alias: props.keyAlias,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
      pendingWindow: Duration.days(30),
    });
    const accessPolicy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'DenyRecoveryPointDeletionExceptBreakGlass',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: [...RECOVERY_POINT_DELETION_ACTIONS],
          resources: ['*'],
          conditions: { ArnNotLike: { 'aws:PrincipalArn': [...props.breakGlassPrincipalArnPatterns] } },
        }),
        new iam.PolicyStatement({
          sid: 'DenyVaultChangesExceptBreakGlassAndDeployments',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: [...VAULT_PROTECTION_ACTIONS],
          resources: ['*'],
          conditions: {
            ArnNotLike: { 'aws:PrincipalArn': [...props.breakGlassPrincipalArnPatterns, ...props.deploymentRoleArnPatterns] },
          },
        }),
      ],
    });
    this.vault = new backup.BackupVault(this, 'Resource', {
      backupVaultName: props.vaultName,
      encryptionKey: this.key,
      accessPolicy,
      removalPolicy: props.removalPolicy,
      lockConfiguration: props.lock && {
        minRetention: props.lock.minRetention,
        maxRetention: props.lock.maxRetention,
        changeableFor: props.lock.changeableFor,
      },
    });
  }
}
