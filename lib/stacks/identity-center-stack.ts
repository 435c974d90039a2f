import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as accessanalyzer from 'aws-cdk-lib/aws-accessanalyzer';
import { Construct } from 'constructs';
import { accessRoleArn, DEVELOPER_BOUNDARY_POLICY_NAME, identityCenterGroupName } from '../config/access-names';
import { ManagementConfig } from '../config/management';
import { ACCESS_ROLES, AccessRole, activePeople, assignmentsIn, membershipsOf, TEAM_GROUPS, TeamRoster } from '../config/team';
import { EnvironmentConfig } from '../config/types';
import { IdentityCenterAccess } from '../constructs/identity-center-access';
import { permissionSetInlinePolicy } from '../constructs/policies/access-policies';

/** Props of `IdentityCenterStack`. */
export interface IdentityCenterStackProps extends StackProps {
  /** The management account's configuration (the Identity Center instance). */
  readonly management: ManagementConfig;
  /** The roster. */
  readonly team: TeamRoster;
  /** The environments whose accounts the groups are assigned to. */
  readonly environments: readonly EnvironmentConfig[];
}

/** The AWS managed policy each permission set starts from. */
export const PERMISSION_SET_MANAGED_POLICIES: Readonly<Record<AccessRole, string>> = {
  admin: 'AdministratorAccess',
  // PowerUserAccess has no IAM, Organizations or Account writes; the developer boundary caps it further.
  developer: 'PowerUserAccess',
  readOnly: 'ReadOnlyAccess',
  breakGlass: 'AdministratorAccess',
};

const GROUP_PURPOSE: Record<(typeof TEAM_GROUPS)[number] | 'break-glass', string> = {
  admins: 'Administer non-production accounts; read production',
  developers: 'Build and run the services in non-production; read production',
  readonly: 'Read configuration and logs',
  oncall: 'Respond to incidents',
  'break-glass': 'May use the break-glass permission set (every use pages on-call)',
};

/**
 * People's access, from the roster (`lib/config/team.ts`), in the account that administers IAM
 * Identity Center: one permission set per access role, one group per roster group and the
 * break-glass group, each active person's memberships, and each group's assignments in each
 * environment's account; IAM Access Analyzer for this account.
 *
 * Deployed after the environments' Access stacks: the developer permission set names a permissions
 * boundary that must exist in every account it is provisioned to.
 */
export class IdentityCenterStack extends Stack {
  /** Permission sets, groups, users, memberships, assignments. */
  public readonly access: IdentityCenterAccess;

  constructor(scope: Construct, id: string, props: IdentityCenterStackProps) {
    const { management, team, environments, ...stackProps } = props;
    super(scope, id, {
      env: { account: management.account, region: management.region },
      description: 'management: IAM Identity Center permission sets, groups, memberships and assignments from the team roster',
      ...stackProps,
    });
    const readOnlyRoles = environments
      .filter((e) => assignmentsIn(team, e.name).some((a) => a.role === 'readOnly'))
      .map((e) => accessRoleArn(e, 'readOnly'));
    this.access = new IdentityCenterAccess(this, 'IdentityCenter', {
      instanceArn: management.instanceArn,
      identityStoreId: management.identityStoreId,
      permissionSets: ACCESS_ROLES.map((role) => ({
        key: role,
        name: team.permissionSets[role].name,
        description: team.permissionSets[role].description,
        session: Duration.hours(team.permissionSets[role].sessionHours),
        managedPolicies: [PERMISSION_SET_MANAGED_POLICIES[role]],
        inlinePolicy: permissionSetInlinePolicy(role, readOnlyRoles),
        permissionsBoundaryPolicyName: role === 'developer' ? DEVELOPER_BOUNDARY_POLICY_NAME : undefined,
      })),
      groups: [...TEAM_GROUPS, 'break-glass' as const].map((group) => ({
        key: group,
        displayName: identityCenterGroupName(group),
        description: GROUP_PURPOSE[group],
      })),
      people: activePeople(team).map((person) => ({ userName: person.userName, groups: membershipsOf(person) })),
      assignments: environments.flatMap((e) =>
        assignmentsIn(team, e.name).map((a) => ({ environment: e.name, account: e.account, group: a.group, permissionSet: a.role })),
      ),
      logRetention: management.logRetentionDays,
    });
    new accessanalyzer.CfnAnalyzer(this, 'Analyzer', {
      analyzerName: `${management.tags.Application}-${management.name}`,
      type: 'ACCOUNT',
    });
  }
}
