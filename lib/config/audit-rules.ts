/**
 * What the audit trail alarms on: CloudWatch Logs filter patterns over CloudTrail events (JSON
 * filter syntax), each counted into a metric that the Observability stack alarms on (an
 * `ALARM_CATALOG` kind). The first three are the CIS AWS Foundations Benchmark's monitoring controls (v1.4.0: 4.3 root account usage, 4.2 console sign-in without MFA, 4.4 IAM
 * policy changes; the patterns as the benchmark gives them). The last two are the platform's: any
 * use of the break-glass path, and a read of a secret that its owners would not make (see
 * `secretReadPattern`).
 *
 * Pure data and functions of config; no imports beyond lib/config.
 */
import { secretReaderRoleArnPatterns } from './access-names';
import { webhookSigningSecretName } from './edge-names';
import { secretsManagerName } from './naming';
import type { AlarmId } from './observability';
import { alertingSecretNamePrefix } from './observability-names';

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

/**
 * The longest filter pattern CloudFormation accepts (AWS::Logs::MetricFilter `FilterPattern`; its
 * validator reports F3033 "length 1025 exceeds maximum 1024" beyond it). A log group takes at most
 * 100 metric filters (CloudWatch Logs API Reference, PutMetricFilter), so a rule may not grow a
 * filter per secret either.
 */
export const FILTER_PATTERN_MAX_LENGTH = 1024;

/** What the rules depend on. */
export interface AuditRuleInputs {
  /** Name of the break-glass role of the account. */
  readonly breakGlassRoleName: string;
  /** Name of the break-glass permission set (its sessions' roles are `AWSReservedSSO_<name>_<suffix>`). */
  readonly breakGlassPermissionSetName: string;
  /** Which secret reads alarm (`secretReadScope(env, account)`); none: no secret rule. */
  readonly secretReads?: SecretReadScope;
}

/**
 * What the secret-read rule watches, independent of how many secrets and consumers there are: one
 * pattern of constant size, so it stays under CloudWatch Logs' filter pattern length and uses one
 * of the log group's 100 metric filters however the catalog grows.
 */
export interface SecretReadScope {
  /** `secretId` pattern of the environment's secrets, e.g. `*saas-platform/prod/*` (a name or an ARN). */
  readonly secretIdPattern: string;
  /** `secretId` patterns of secrets under it that are not application secrets (their readers are platform functions). */
  readonly otherSecretIdPatterns: readonly string[];
  /** `sessionIssuer.arn` patterns of the roles that may read application secrets. */
  readonly readerRoleArnPatterns: readonly string[];
}

/**
 * The secret-read scope of an environment's account, derived from the naming functions: its
 * secrets' prefix (`secretsManagerName`), the platform's own secrets under it (the alerting path's,
 * the webhook signing secret), and the application-secret readers' role prefixes
 * (`secretReaderRoleArnPatterns`: the consumers' secrets roles and the rotation functions' roles).
 */
export function secretReadScope(environmentName: string, account: string): SecretReadScope {
  return {
    secretIdPattern: `*${secretsManagerName(environmentName, '')}*`,
    otherSecretIdPatterns: [`*${alertingSecretNamePrefix(environmentName)}*`, `*${webhookSigningSecretName(environmentName)}*`],
    readerRoleArnPatterns: secretReaderRoleArnPatterns(environmentName, account),
  };
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

/** The role of an assumed-role caller, as an ARN (with its path, in its account). */
const ISSUER_ARN = '$.userIdentity.sessionContext.sessionIssuer.arn';

/**
 * A secret's value was requested (`GetSecretValue` of one of the environment's secrets) and either
 *
 * - it was refused (`errorCode` `AccessDenied...`): IAM lets each consumer's secrets role read only
 *   its own secrets, and each secret's resource policy admits only its consumers' roles, its
 *   rotation function and break-glass, so a platform role asking for another's secret, or anyone
 *   else, is refused and lands here. Other error codes (throttling, a version stage that does not
 *   exist, a KMS outage) are the owners' operational errors and do not page as intrusions; or
 * - it succeeded for an application secret and the caller is not one of the application-secret
 *   reader roles (`readerRoleArnPatterns`): root, an IAM user, break-glass, any other role (with a
 *   policy that somehow admits it).
 *
 * Constant size: no secret and no consumer is listed, so adding either never edits the pattern.
 */
export function secretReadPattern(scope: SecretReadScope): string {
  const read = `($.eventSource = "secretsmanager.amazonaws.com") && ($.eventName = "GetSecretValue") && ($.requestParameters.secretId = "${scope.secretIdPattern}")`;
  const applicationSecret = scope.otherSecretIdPatterns.map((p) => `($.requestParameters.secretId != "${p}")`).join(' && ');
  const notAReader = scope.readerRoleArnPatterns.map((p) => `(${ISSUER_ARN} != "${p}")`).join(' && ');
  return `{ ${read} && (($.errorCode = "AccessDenied*") || (${applicationSecret} && (($.userIdentity.type != "AssumedRole") || (${notAReader})))) }`;
}

/** The rules of one account. */
export function auditRules(inputs: AuditRuleInputs): AuditRuleSpec[] {
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
    ...(inputs.secretReads
      ? [
          {
            id: 'SecretReadByNonOwner',
            alarmId: 'secret-read-by-non-owner' as const,
            description:
              "A secret's value was refused to a caller, or an application secret's value was given to a principal that is not one of the platform's secret readers",
            patterns: [secretReadPattern(inputs.secretReads)],
          },
        ]
      : []),
  ];
}
