import { PLATFORM } from './platform';
import { TagsConfig } from './types';

/** The account that administers IAM Identity Center, and what the Management stage deploys there. */
export interface ManagementConfig {
  /** Used in names and the `Environment` tag. */
  readonly name: string;
  /** Stage name on the command line: `cdk deploy 'Management/*'`. */
  readonly stageName: string;
  /** The management account (or the account delegated to administer Identity Center). */
  readonly account: string;
  /** The region of the Identity Center instance (its resources are regional). */
  readonly region: string;
  /** The Identity Center instance. */
  readonly instanceArn: string;
  /** Its identity store. */
  readonly identityStoreId: string;
  /** Retention of the logs of the user lookups, in days (a CloudWatch value). */
  readonly logRetentionDays: number;
  /** Tags of every resource. */
  readonly tags: TagsConfig;
}

/** The management configuration derived from the platform settings. */
export function managementConfig(): ManagementConfig {
  return {
    name: 'management',
    stageName: 'Management',
    account: PLATFORM.accounts.management,
    region: PLATFORM.identityCenter.region,
    instanceArn: PLATFORM.identityCenter.instanceArn,
    identityStoreId: PLATFORM.identityCenter.identityStoreId,
    logRetentionDays: 90,
    tags: {
      Environment: 'management',
      Application: PLATFORM.application,
      Owner: PLATFORM.owner,
      CostCenter: PLATFORM.costCenter,
      DataClassification: 'confidential',
      Backup: 'none',
    },
  };
}
