import { Construct } from 'constructs';
import {
  accessRoleName,
  DEVELOPER_BOUNDARY_POLICY_NAME,
  identityCenterRoleArnPattern,
  TEAM_ROLE_BOUNDARY_POLICY_NAME,
  TEAM_ROLE_PATH,
} from '../config/access-names';
import { clusterName } from '../config/naming';
import { AccessRole, EnvironmentAccess as EnvironmentAccessConfig } from '../config/team';
import { EnvironmentAccess, EnvironmentRoleSpec } from '../constructs/environment-access';
import { developerBoundary, teamRoleBoundary } from '../constructs/policies/access-policies';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/** Props of `AccessStack`. */
export interface AccessStackProps extends Omit<PlatformStackProps, 'stateful'> {
  /** People's access to this environment, from the roster. */
  readonly access: EnvironmentAccessConfig;
}

const PURPOSE: Record<AccessRole, string> = {
  admin: 'Cluster administrator (sessions of the admin permission set)',
  developer: 'Edits workloads in the workload namespaces, views the rest (sessions of the developer permission set)',
  readOnly: 'Views the cluster, no Secrets, no exec (sessions of the read-only permission set)',
  breakGlass: 'Break-glass administrator (sessions of the break-glass permission set)',
};

/**
 * People's way into the environment's account (stateless): one environment role per access role
 * the roster gives here, each assumable only by the sessions of its Identity Center permission set
 * (ADR 0007) and mapped to the cluster by the Cluster stack's access entries; the permissions
 * boundaries the developer permission set and team roles name; IAM Access Analyzer.
 *
 * Deployed before the Cluster stack (an access entry needs its role) and before the Management
 * stage's Access stack (a permission set with a boundary cannot be provisioned into an account that
 * lacks the boundary policy).
 */
export class AccessStack extends PlatformStack {
  /** The construct with the roles, boundaries and analyzer. */
  public readonly environmentAccess: EnvironmentAccess;

  constructor(scope: Construct, id: string, props: AccessStackProps) {
    super(scope, id, {
      ...props,
      stateful: false,
      description: `${props.config.name}: people's roles, permissions boundaries, IAM Access Analyzer`,
    });
    const { config } = this;
    const { access } = props;
    const cluster = `arn:aws:eks:${config.region}:${config.account}:cluster/${clusterName(config.name)}`;
    const roles: EnvironmentRoleSpec[] = access.roles.map((role) => ({
      roleName: accessRoleName(config, role),
      description: `${config.name}: ${PURPOSE[role]}`,
      assumedByArnPattern: identityCenterRoleArnPattern(config.account, access.permissionSetNames[role], access.identityCenterRegion),
      describeClusterArn: cluster,
      // The break-glass role is an administrator of the account (it alone may delete a protected bucket).
      managedPolicies: role === 'breakGlass' ? ['AdministratorAccess'] : undefined,
    }));
    const boundaryReason =
      'A permissions boundary grants nothing: it caps what its holder\'s own policies grant. "Everything but identity administration" has no narrower form than NotAction on *; IAM reads are read-only; team roles are limited to their path and must carry the team boundary.';
    this.environmentAccess = new EnvironmentAccess(this, 'People', {
      roles,
      namedPolicies: [
        {
          name: DEVELOPER_BOUNDARY_POLICY_NAME,
          description:
            'Permissions boundary of the developer permission set: no identity administration, no secret values, no audit tampering',
          document: developerBoundary(),
          wildcardReason: boundaryReason,
        },
        {
          name: TEAM_ROLE_BOUNDARY_POLICY_NAME,
          description: `Permissions boundary every role under ${TEAM_ROLE_PATH} must carry: no identity administration, no secret values, no audit tampering`,
          document: teamRoleBoundary(),
          wildcardReason: boundaryReason,
        },
      ],
      analyzerName: `${config.tags.Application}-${config.name}`,
    });
  }
}
