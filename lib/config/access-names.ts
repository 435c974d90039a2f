/**
 * Names of access and secrets that cross a boundary: between the Management stage (Identity Center)
 * and each environment's account, between an environment's stacks, and between CDK and the
 * manifests (the per-service secret stores). Both sides call these functions; no name is written
 * twice, no Identity Center role ARN is written at all (those are generated: they are matched by
 * pattern, `identityCenterRoleArnPattern`).
 *
 * Pure functions of config; no imports beyond lib/config.
 */
import { createHash } from 'crypto';
import { parameterPrefix } from './naming';
import { PLATFORM } from './platform';
import { AccessRole, TeamGroup } from './team';

/** IAM's limit on a role name. */
export const MAX_ROLE_NAME_LENGTH = 64;

/** A name of at most `max` characters: itself, or a prefix and a hash of the whole (deterministic, unique in practice). */
export function boundedName(name: string, max: number = MAX_ROLE_NAME_LENGTH): string {
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, max - hash.length - 1)}-${hash}`;
}

/** What an environment's access names depend on. */
export interface AccessEnvironment {
  readonly name: string;
  readonly account: string;
  readonly stateful: { readonly breakGlassRoleName: string };
}

const ROLE_SUFFIX: Record<Exclude<AccessRole, 'breakGlass'>, string> = {
  admin: 'admin',
  developer: 'developer',
  readOnly: 'read-only',
};

/**
 * Name of the environment role of an access role in an environment's account, e.g.
 * `saas-platform-prod-read-only`. The environment's Access stack creates it (trusting only the
 * sessions of the matching permission set); the Cluster stack's access entries name it. The
 * break-glass role keeps the name the bucket protection has always used (`stateful.breakGlassRoleName`).
 */
export function accessRoleName(environment: AccessEnvironment, role: AccessRole): string {
  if (role === 'breakGlass') return environment.stateful.breakGlassRoleName;
  return boundedName(`${PLATFORM.application}-${environment.name}-${ROLE_SUFFIX[role]}`);
}

/** ARN of that role. */
export function accessRoleArn(environment: AccessEnvironment, role: AccessRole): string {
  return `arn:aws:iam::${environment.account}:role/${accessRoleName(environment, role)}`;
}

/**
 * ARN pattern of the role IAM Identity Center makes in an account for a permission set:
 * `arn:aws:iam::<account>:role/aws-reserved/sso.amazonaws.com/<region>/AWSReservedSSO_<set>_<suffix>`,
 * without the region segment when the Identity Center instance is in us-east-1 (IAM Identity Center
 * User Guide, "Referencing permission sets in resource policies, Amazon EKS cluster config maps, and
 * AWS KMS key policies"). Permission set names have no underscore (validated), so the pattern matches
 * the roles of this one set.
 */
export function identityCenterRoleArnPattern(account: string, permissionSetName: string, identityCenterRegion: string): string {
  const region = identityCenterRegion === 'us-east-1' ? '' : `${identityCenterRegion}/`;
  return `arn:aws:iam::${account}:role/aws-reserved/sso.amazonaws.com/${region}AWSReservedSSO_${permissionSetName}_*`;
}

/**
 * Every principal of the break-glass path in an environment's account, as `aws:PrincipalArn`
 * patterns: the break-glass role (`accessRoleName(env, 'breakGlass')`) and the roles Identity Center
 * generates for the break-glass permission set's sessions (matched by pattern under `aws-reserved`,
 * never by a generated name). Resource policies that let only break-glass do something (the backup
 * vaults' deletion guard) list exactly these.
 */
export function breakGlassPrincipalArnPatterns(
  environment: AccessEnvironment,
  permissionSetName: string,
  identityCenterRegion: string,
): string[] {
  return [
    accessRoleArn(environment, 'breakGlass'),
    identityCenterRoleArnPattern(environment.account, permissionSetName, identityCenterRegion),
  ];
}

/**
 * The customer-managed policy that bounds the developer permission set's sessions in every account
 * it is assigned to (Identity Center attaches it as the permissions boundary by name, so every such
 * account's Access stack creates it under this name).
 */
export const DEVELOPER_BOUNDARY_POLICY_NAME = `${PLATFORM.application}-developer-boundary`;

/** The permissions boundary every role a team creates must carry (developers may create roles only with it). */
export const TEAM_ROLE_BOUNDARY_POLICY_NAME = `${PLATFORM.application}-team-role-boundary`;

/** Path of the roles teams create; nothing else under it belongs to the platform. */
export const TEAM_ROLE_PATH = `/${PLATFORM.application}-teams/`;

/** ARN of a customer-managed policy of an account. */
export function managedPolicyArn(account: string, policyName: string): string {
  return `arn:aws:iam::${account}:policy/${policyName}`;
}

/** Display name of a roster group in the identity store, e.g. `saas-platform-developers`. */
export function identityCenterGroupName(group: TeamGroup | 'break-glass'): string {
  return `${PLATFORM.application}-${group}`;
}

/**
 * Name of the role External Secrets assumes to read one service's secrets in an environment, e.g.
 * `saas-platform-prod-secrets-auth-service`. The Cluster stack creates it (readable: that service's
 * secrets and nothing else); the service's SecretStore names it; the secrets' resource policies
 * admit it and nothing else.
 */
export function serviceSecretsRoleName(environmentName: string, serviceName: string): string {
  return boundedName(`${secretReaderRoleNamePrefix(environmentName, 'consumer')}${serviceName}`);
}

/** The two kinds of role that read application secrets: a consumer's secrets role, a secret's rotation function's role. */
export type SecretReaderKind = 'consumer' | 'rotation';

const SECRET_READER_INFIX: Record<SecretReaderKind, string> = { consumer: 'secrets', rotation: 'secret-rotation' };

/**
 * The name prefix every role of one kind of application-secret reader of an environment starts
 * with, e.g. `saas-platform-prod-secrets-` (consumers) and `saas-platform-prod-secret-rotation-`
 * (rotation functions). `serviceSecretsRoleName` and `secretRotationRoleName` build their names
 * from it, and the audit trail's secret-read alarm admits successful reads by these prefixes only
 * (lib/config/audit-rules.ts), so a new consumer or secret never edits the alarm. Neither prefix
 * is a prefix of the other, and `boundedName` keeps it whole (checked here).
 */
export function secretReaderRoleNamePrefix(
  environmentName: string,
  kind: SecretReaderKind,
  application: string = PLATFORM.application,
): string {
  const prefix = `${application}-${environmentName}-${SECRET_READER_INFIX[kind]}-`;
  // boundedName keeps the first MAX - 9 characters; the prefix and one character of the name must fit.
  if (prefix.length >= MAX_ROLE_NAME_LENGTH - 9) {
    throw new Error(
      `secret reader role prefix "${prefix}" is longer than ${MAX_ROLE_NAME_LENGTH - 10} characters; shorten the application or environment name`,
    );
  }
  return prefix;
}

/**
 * Name of the role of the rotation function of one application secret in an environment, e.g.
 * `saas-platform-prod-secret-rotation-jwt-signing-key`. The Data stack creates it (it may read and
 * write that secret only); the secret's resource policy admits it.
 */
export function secretRotationRoleName(environmentName: string, secretKey: string): string {
  return boundedName(`${secretReaderRoleNamePrefix(environmentName, 'rotation')}${secretKey}`);
}

/**
 * `sessionIssuer.arn` patterns (CloudTrail) of every role that may read the application secrets
 * of an environment's account: its consumers' secrets roles and its rotation functions' roles, at
 * the root path (teams' roles live under `TEAM_ROLE_PATH`, so they never match), e.g.
 * `arn:aws:iam::111111111111:role/saas-platform-prod-secrets-*`.
 */
export function secretReaderRoleArnPatterns(environmentName: string, account: string): string[] {
  return (['consumer', 'rotation'] as const).map(
    (kind) => `arn:aws:iam::${account}:role/${secretReaderRoleNamePrefix(environmentName, kind)}*`,
  );
}

/** ARN of that role. */
export function serviceSecretsRoleArn(environmentName: string, account: string, serviceName: string): string {
  return `arn:aws:iam::${account}:role/${serviceSecretsRoleName(environmentName, serviceName)}`;
}

/** Suffix of a service's SecretStore name: the admission policy derives the allowed store from the service's name label with it. */
export const SECRET_STORE_SUFFIX = '-aws-secrets';

/**
 * Name of a service's own (namespaced) SecretStore, e.g. `auth-service-aws-secrets`: Secrets
 * Manager through that service's secrets role. Only that service's ExternalSecrets may name it.
 */
export function secretStoreName(serviceName: string): string {
  return `${serviceName}${SECRET_STORE_SUFFIX}`;
}

/**
 * The ARNs a secret of that name may have: Secrets Manager appends `-` and six random characters
 * (Secrets Manager User Guide, "Grant permissions to a secret by name"), so `??????` matches exactly
 * that secret and not `<name>-other`.
 */
export function secretArnPattern(region: string, account: string, secretName: string): string {
  return `arn:aws:secretsmanager:${region}:${account}:secret:${secretName}-??????`;
}

/**
 * SSM parameter with the public keys of a signing key pair secret, as a JWKS (`{ "keys": [...] }`,
 * the current key and the previous one), e.g. `/saas-platform/prod/secrets/jwt-signing-key/jwks`.
 * Its rotation function writes it; verifiers read it (External Secrets' Parameter Store store reads
 * the environment's prefix).
 */
export function jwksParameterName(environmentName: string, secretName: string): string {
  return `${parameterPrefix(environmentName)}/secrets/${secretName}/jwks`;
}

/** Name of an environment's CloudTrail trail, e.g. `saas-platform-prod-audit`. */
export function trailName(environmentName: string): string {
  return `${PLATFORM.application}-${environmentName}-audit`;
}

/** Log group the trail delivers to, e.g. `/saas-platform/prod/cloudtrail`. */
export function trailLogGroupName(environmentName: string): string {
  return `/${PLATFORM.application}/${environmentName}/cloudtrail`;
}
