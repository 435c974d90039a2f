/**
 * What the audit trail alarms on: CloudWatch Logs filter patterns over CloudTrail events (JSON
 * filter syntax), each counted into a metric that the Observability stack alarms on (an
 * `ALARM_CATALOG` kind). The first three are the CIS AWS Foundations Benchmark's monitoring controls (v1.4.0: 4.3 root account usage, 4.2 console sign-in without MFA, 4.4 IAM
 * policy changes; the patterns as the benchmark gives them). The last two are the platform's: any
 * use of the break-glass path, and a read of an application secret by a principal that is not one
 * of its owners (its consumers' secrets roles and its rotation function), allowed or refused.
 *
 * Pure data and functions of config; no imports beyond lib/config.
 */
import type { AlarmId } from './observability';

/** The alarm kinds of the audit rules (ids of `ALARM_CATALOG`; their severities come from the thresholds in config). */
export type AuditAlarmId = Extract<
  AlarmId,
  'root-account-use' | 'console-signin-without-mfa' | 'iam-policy-change' | 'break-glass-use' | 'secret-read-by-non-owner'
>;

/** One rule. */
export interface AuditRuleSpec {
  /** Identifier (the metric's name), e.g. `RootUse`. */
  readonly id: string;
  /** The alarm kind on the metric: its runbook anchor, title and thresholds by severity. */
  readonly alarmId: AuditAlarmId;
  /** What it means when it fires. */
  readonly description: string;
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
    { id: 'RootUse', alarmId: 'root-account-use', description: 'The root user of the account was used', patterns: [ROOT_USE_PATTERN] },
    {
      id: 'ConsoleSignInWithoutMfa',
      alarmId: 'console-signin-without-mfa',
      description: 'An IAM user signed in to the console without MFA',
      patterns: [CONSOLE_WITHOUT_MFA_PATTERN],
    },
    {
      id: 'IamPolicyChanges',
      alarmId: 'iam-policy-change',
      description: 'An IAM policy was created, changed, attached or detached (expected during a deploy; otherwise investigate)',
      patterns: [`{ ${IAM_POLICY_CHANGE_EVENTS.map((e) => `($.eventName = "${e}")`).join(' || ')} }`],
    },
    {
      id: 'BreakGlassUse',
      alarmId: 'break-glass-use',
      description: 'The break-glass path was used (its permission set, or its role)',
      patterns: [
        `{ (${ISSUER} = "AWSReservedSSO_${inputs.breakGlassPermissionSetName}_*") || (${ISSUER} = "${inputs.breakGlassRoleName}") }`,
      ],
    },
    ...(secretReads.length > 0
      ? [
          {
            id: 'SecretReadByNonOwner',
            alarmId: 'secret-read-by-non-owner' as const,
            description: "An application secret's value was requested by a principal that is not one of its owners",
            patterns: secretReads,
          },
        ]
      : []),
  ];
}
