import { ControllerStatement } from './policy-json';

/** Where the upstream policies are from (the External Secrets version `lib/config/addon-pins.ts` pins). */
export const EXTERNAL_SECRETS_POLICY_SOURCE =
  'external-secrets/external-secrets@v2.8.0:docs/provider/aws-secrets-manager.md and aws-parameter-store.md ("IAM Policy")';

/** The upstream statement's actions that read a secret by name (Secrets Manager provider, "IAM Policy"). */
export const SECRET_READ_ACTIONS = [
  'secretsmanager:GetResourcePolicy',
  'secretsmanager:GetSecretValue',
  'secretsmanager:DescribeSecret',
  'secretsmanager:ListSecretVersionIds',
] as const;

/**
 * What External Secrets calls to assume a SecretStore's `role`: at v2.8.0 the AWS provider always
 * passes session tags (an empty list when the store sets none: `sessTags` is made non-nil in
 * external-secrets/external-secrets@v2.8.0:providers/v1/aws/auth/auth.go, createConfiguration), and
 * STS requires sts:TagSession for a call that passes tags.
 */
export const ASSUME_STORE_ROLE_ACTIONS = ['sts:AssumeRole', 'sts:TagSession'] as const;

/**
 * External Secrets' own policy: it reads no secret itself. For Secrets Manager it may only assume
 * the consumers' secrets roles (each store names its role, `spec.provider.aws.role`; the role reads
 * that consumer's secrets only); upstream's reading statement is on those roles instead, scoped to
 * the consumer's secrets. Parameter Store is read directly (deploy-time values, not secrets), scoped
 * to the environment's prefix. Upstream's second statement (`ListSecrets`, `BatchGetSecretValue` on
 * `*`) serves `dataFrom.find` only, which no manifest uses (a contract test checks that), so it is
 * left out.
 */
export function externalSecretsStatements(secretsRoleArns: readonly string[], parameterArnPrefix: string): ControllerStatement[] {
  return [
    ...(secretsRoleArns.length > 0
      ? [
          {
            statement: {
              Sid: 'AssumeTheConsumersSecretsRoles',
              Effect: 'Allow' as const,
              Action: [...ASSUME_STORE_ROLE_ACTIONS],
              Resource: [...secretsRoleArns],
            },
            why: "Only the consumers' secrets roles, each of which reads one consumer's secrets.",
          },
        ]
      : []),
    {
      // The Parameter Store provider's upstream statement ("Fetching Parameters"), scoped the same way:
      // the deploy-time values the stacks publish for the pods (database endpoints...).
      statement: {
        Sid: 'ReadEnvironmentParameters',
        Effect: 'Allow',
        Action: ['ssm:GetParameter*'],
        Resource: parameterArnPrefix,
      },
      why: "Scoped to this environment's parameters by name prefix (the platform's naming contract); read only.",
    },
  ];
}
