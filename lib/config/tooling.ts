import { ENVIRONMENTS } from './environments';
import { PLATFORM } from './platform';
import { EnvironmentConfig, TagsConfig } from './types';

/** The tooling account: image registry and (in its own issue) the delivery pipeline. */
export interface ToolingConfig {
  /** Used in names and the `Environment` tag. */
  readonly name: string;
  /** Stage name on the command line: `cdk deploy 'Tooling/*'`. */
  readonly stageName: string;
  /** The tooling account. */
  readonly account: string;
  /** Home region of the registry (the environments pull from it in the same region). */
  readonly region: string;
  /** Accounts whose clusters pull images and verify their signatures (every environment's). */
  readonly pullAccounts: readonly string[];
  /** Images kept per repository; older ones expire (1..1000). */
  readonly imagesToKeep: number;
  /** Untagged images expire after this many days (1..365). */
  readonly untaggedExpiryDays: number;
  /** Tags of every tooling resource. */
  readonly tags: TagsConfig;
}

/** The tooling configuration derived from the platform settings and the environments. */
export function toolingConfig(environments: readonly EnvironmentConfig[] = ENVIRONMENTS): ToolingConfig {
  return {
    name: 'tooling',
    stageName: 'Tooling',
    account: PLATFORM.accounts.tooling,
    region: PLATFORM.region,
    pullAccounts: [...new Set(environments.map((e) => e.account))],
    imagesToKeep: 50,
    untaggedExpiryDays: 7,
    tags: {
      Environment: 'tooling',
      Application: PLATFORM.application,
      Owner: PLATFORM.owner,
      CostCenter: PLATFORM.costCenter,
      DataClassification: 'internal',
      Backup: 'none',
    },
  };
}
