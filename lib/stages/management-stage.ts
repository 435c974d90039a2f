import { Stage, StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ManagementConfig } from '../config/management';
import { TeamRoster } from '../config/team';
import { EnvironmentConfig } from '../config/types';
import { addPlatformGates } from '../policies/platform-gates';
import { IdentityCenterStack } from '../stacks/identity-center-stack';

/** Props of `ManagementStage`. */
export interface ManagementStageProps extends StageProps {
  /** The management account's configuration. */
  readonly management: ManagementConfig;
  /** The roster. */
  readonly team: TeamRoster;
  /** The environments people get access to. */
  readonly environments: readonly EnvironmentConfig[];
}

/**
 * The account that administers IAM Identity Center: `cdk deploy 'Management/*'`, after the
 * environments' Access stacks (docs/security/iam-policies.md). Holds people's access from the team roster.
 */
export class ManagementStage extends Stage {
  /** Identity Center from the roster. */
  public readonly access: IdentityCenterStack;

  constructor(scope: Construct, id: string, props: ManagementStageProps) {
    const { management, team, environments, ...stageProps } = props;
    super(scope, id, { env: { account: management.account, region: management.region }, ...stageProps });
    addPlatformGates(this, management.tags, { requireTerminationProtection: false, requireRetention: true });
    this.access = new IdentityCenterStack(this, 'Access', { management, team, environments });
  }
}
