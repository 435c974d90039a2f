/**
 * The IAM policies of people's access, as JSON: what a permission set's sessions may do beyond its
 * AWS managed policy, the permissions boundary of the developer sessions, the boundary every role a
 * team creates must carry, and the guardrails all of them share. Pure data: the environment's
 * Access stack makes the boundaries (customer-managed policies, by name), the Management stage's
 * Access stack puts the rest into the permission sets, and the tests simulate them.
 */
import {
  DEVELOPER_BOUNDARY_POLICY_NAME,
  TEAM_ROLE_BOUNDARY_POLICY_NAME,
  TEAM_ROLE_PATH,
  managedPolicyArn,
} from '../../config/access-names';

/** One statement; `NotAction` where a boundary caps "everything but". */
export interface AccessStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: readonly string[];
  readonly NotAction?: readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** A policy document. */
export interface AccessPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly AccessStatement[];
}

const doc = (statements: readonly AccessStatement[]): AccessPolicyDocument => ({ Version: '2012-10-17', Statement: statements });

/** Services that administer identities and the organization: no person session below admin and no team role touches them. */
export const IDENTITY_ADMINISTRATION = ['iam:*', 'organizations:*', 'account:*', 'sso:*', 'sso-directory:*', 'identitystore:*'];

/** IAM actions that manage a role's permissions; allowed on team roles only while they keep the team boundary. */
const TEAM_ROLE_PERMISSION_ACTIONS = [
  'iam:CreateRole',
  'iam:PutRolePermissionsBoundary',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
];

/** IAM actions on a team role that do not change its permissions. */
const TEAM_ROLE_UPKEEP_ACTIONS = [
  'iam:DeleteRole',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
  'iam:UpdateAssumeRolePolicy',
  'iam:PassRole',
];

/** The roles teams may create, in any account the policy is used in. */
export const TEAM_ROLES = `arn:aws:iam::*:role${TEAM_ROLE_PATH}*`;

/**
 * What no person below break-glass and no team role may do, whatever else allows it: blind the
 * audit (stop or change the trail, delete the analyzer), read a secret's value (services read their
 * own through External Secrets; people set values with put-secret-value, which stays allowed),
 * destroy or lock out a key, or loosen a permissions boundary.
 */
export function guardrailStatements(): AccessStatement[] {
  return [
    {
      Sid: 'DenyBlindingTheAudit',
      Effect: 'Deny',
      Action: [
        'cloudtrail:StopLogging',
        'cloudtrail:DeleteTrail',
        'cloudtrail:UpdateTrail',
        'cloudtrail:PutEventSelectors',
        'access-analyzer:DeleteAnalyzer',
      ],
      Resource: '*',
    },
    {
      Sid: 'DenySecretValues',
      Effect: 'Deny',
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue'],
      Resource: '*',
    },
    {
      Sid: 'DenyDestroyingKeys',
      Effect: 'Deny',
      Action: ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy'],
      Resource: '*',
    },
    {
      Sid: 'DenyLooseningBoundaries',
      Effect: 'Deny',
      Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
      Resource: [DEVELOPER_BOUNDARY_POLICY_NAME, TEAM_ROLE_BOUNDARY_POLICY_NAME].map((name) => managedPolicyArn('*', name)),
    },
    { Sid: 'DenyRemovingBoundaries', Effect: 'Deny', Action: ['iam:DeleteRolePermissionsBoundary'], Resource: '*' },
  ];
}

/** The team boundary in the caller's own account (a policy variable: the same document serves every account). */
export const TEAM_ROLE_BOUNDARY_IN_OWN_ACCOUNT = managedPolicyArn('${aws:PrincipalAccount}', TEAM_ROLE_BOUNDARY_POLICY_NAME);

/** Create and manage roles under the team path, only with the team boundary attached. */
function teamRoleStatements(): AccessStatement[] {
  return [
    {
      Sid: 'ManageTeamRolesWithTheBoundary',
      Effect: 'Allow',
      Action: TEAM_ROLE_PERMISSION_ACTIONS,
      Resource: TEAM_ROLES,
      Condition: { StringEquals: { 'iam:PermissionsBoundary': TEAM_ROLE_BOUNDARY_IN_OWN_ACCOUNT } },
    },
    { Sid: 'KeepTeamRoles', Effect: 'Allow', Action: TEAM_ROLE_UPKEEP_ACTIONS, Resource: TEAM_ROLES },
  ];
}

/**
 * The permissions boundary of the developer permission set's sessions (a customer-managed policy
 * named `DEVELOPER_BOUNDARY_POLICY_NAME` in each account): everything but identity and
 * organization administration, reading IAM, service-linked roles, roles under the team path with
 * the team boundary, and the guardrails. A boundary grants nothing: PowerUserAccess and the set's
 * inline policy grant, the boundary caps.
 */
export function developerBoundary(): AccessPolicyDocument {
  return doc([
    { Sid: 'EverythingButIdentityAdministration', Effect: 'Allow', NotAction: IDENTITY_ADMINISTRATION, Resource: '*' },
    { Sid: 'ReadIam', Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' },
    {
      Sid: 'ServiceLinkedRoles',
      Effect: 'Allow',
      Action: ['iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole', 'iam:GetServiceLinkedRoleDeletionStatus'],
      Resource: '*',
    },
    ...teamRoleStatements(),
    ...guardrailStatements(),
  ]);
}

/**
 * The boundary every role a team creates carries (`TEAM_ROLE_BOUNDARY_POLICY_NAME`): no identity or
 * organization administration (so a team role cannot make a wider one), and the guardrails.
 */
export function teamRoleBoundary(): AccessPolicyDocument {
  return doc([
    { Sid: 'EverythingButIdentityAdministration', Effect: 'Allow', NotAction: IDENTITY_ADMINISTRATION, Resource: '*' },
    ...guardrailStatements(),
  ]);
}

/** Reads of data rather than configuration that ReadOnlyAccess allows: user files, queue messages, table items, decryption. */
export const DATA_READS = [
  'kms:Decrypt',
  's3:GetObject',
  's3:GetObjectVersion',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'sqs:ReceiveMessage',
];

/**
 * The inline policy of a permission set (on top of its AWS managed policy):
 * - admin: the guardrails;
 * - developer: team roles with the team boundary (PowerUserAccess has no IAM writes), the guardrails;
 * - readOnly: assume the environments' read-only roles (for the cluster; ReadOnlyAccess cannot), no
 *   data reads, the guardrails;
 * - breakGlass: none (nothing is denied to the emergency path; every use alarms instead).
 *
 * `readOnlyRoleArns`: the read-only environment roles the set's sessions may assume.
 */
export function permissionSetInlinePolicy(
  role: 'admin' | 'developer' | 'readOnly' | 'breakGlass',
  readOnlyRoleArns: readonly string[] = [],
): AccessPolicyDocument | undefined {
  switch (role) {
    case 'admin':
      return doc(guardrailStatements());
    case 'developer':
      return doc([...teamRoleStatements(), ...guardrailStatements()]);
    case 'readOnly':
      return doc([
        ...(readOnlyRoleArns.length > 0
          ? [{ Sid: 'AssumeTheReadOnlyEnvironmentRoles', Effect: 'Allow' as const, Action: ['sts:AssumeRole'], Resource: readOnlyRoleArns }]
          : []),
        { Sid: 'DenyDataReads', Effect: 'Deny', Action: DATA_READS, Resource: '*' },
        ...guardrailStatements(),
      ]);
    case 'breakGlass':
      return undefined;
  }
}
