/**
 * What the audit trail alarms on: CloudWatch Logs filter patterns over CloudTrail events (JSON
 * filter syntax), each with a severity. The first three are the CIS AWS Foundations Benchmark's
 * monitoring controls (v1.4.0: 4.3 root account usage, 4.2 console sign-in without MFA, 4.4 IAM
 * policy changes; the patterns as the benchmark gives them). The last two are the platform's: any
 * use of the break-glass path, and a read of an application secret by a principal that is not one
 * of its owners (its consumers' secrets roles and its rotation function), allowed or refused.
 *
 * Pure data and functions of config; no imports beyond lib/config.
 */

/** One rule. */
export interface AuditRuleSpec {
  /** Identifier (metric and alarm name), e.g. `RootUse`. */
  readonly id: string;
  /** What it means when it fires. */
  readonly description: string;
  readonly severity: 'critical' | 'warning';
  /** Filter patterns; each counts into the rule's metric. */
  readonly patterns: readonly string[];
}

/** What the rules depend on. */
export interface AuditRuleInputs {
  /** Name of the break-glass role of the account. */
  readonly breakGlassRoleName: string;
  /** Name of the break-glass permission set (its sessions' roles are `AWSReservedSSO_<name>_<suffix>`). */
  readonly breakGlassPermissionSetName: string;
  /** Secrets Manager name of each application secret -> the role names that may read it. */
  readonly secretOwners: Readonly<Record<string, readonly string[]>>;
}

/** CIS 4.3: the root user did something (not a service on its behalf). */
export const ROOT_USE_PATTERN =
  '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }';

/** CIS 4.2: an IAM user signed in to the console without MFA. */
export const CONSOLE_WITHOUT_MFA_PATTERN =
  '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }';

/** The IAM calls that change a policy (CIS 4.4). */
export const IAM_POLICY_CHANGE_EVENTS = [
  'DeleteGroupPolicy',
  'DeleteRolePolicy',
  'DeleteUserPolicy',
  'PutGroupPolicy',
  'PutRolePolicy',
  'PutUserPolicy',
  'CreatePolicy',
  'DeletePolicy',
  'CreatePolicyVersion',
  'DeletePolicyVersion',
  'AttachRolePolicy',
  'DetachRolePolicy',
  'AttachUserPolicy',
  'DetachUserPolicy',
  'AttachGroupPolicy',
  'DetachGroupPolicy',
];

/** The session issuer (the role) of an assumed-role caller. */
const ISSUER = '$.userIdentity.sessionContext.sessionIssuer.userName';

/** The rules of one account. */
export function auditRules(inputs: AuditRuleInputs): AuditRuleSpec[] {
  const secretReads = Object.entries(inputs.secretOwners).map(([secretName, owners]) => {
    const read = `($.eventSource = "secretsmanager.amazonaws.com") && ($.eventName = "GetSecretValue") && ($.requestParameters.secretId = "*${secretName}*")`;
    if (owners.length === 0) return `{ ${read} }`;
    const notAnOwner = owners.map((owner) => `(${ISSUER} != "${owner}")`).join(' && ');
    return `{ ${read} && (($.userIdentity.type != "AssumedRole") || (${notAnOwner})) }`;
  });
  return [
    { id: 'RootUse', description: 'The root user of the account was used', severity: 'critical', patterns: [ROOT_USE_PATTERN] },
    {
      id: 'ConsoleSignInWithoutMfa',
      description: 'An IAM user signed in to the console without MFA',
      severity: 'critical',
      patterns: [CONSOLE_WITHOUT_MFA_PATTERN],
    },
    {
      id: 'IamPolicyChanges',
      description: 'An IAM policy was created, changed, attached or detached (expected during a deploy; otherwise investigate)',
      severity: 'warning',
      patterns: [`{ ${IAM_POLICY_CHANGE_EVENTS.map((e) => `($.eventName = "${e}")`).join(' || ')} }`],
    },
    {
      id: 'BreakGlassUse',
      description: 'The break-glass path was used (its permission set, or its role)',
      severity: 'critical',
      patterns: [
        `{ (${ISSUER} = "AWSReservedSSO_${inputs.breakGlassPermissionSetName}_*") || (${ISSUER} = "${inputs.breakGlassRoleName}") }`,
      ],
    },
    ...(secretReads.length > 0
      ? [
          {
            id: 'SecretReadByNonOwner',
            description: "An application secret's value was requested by a principal that is not one of its owners",
            severity: 'critical' as const,
            patterns: secretReads,
          },
        ]
      : []),
  ];
}
