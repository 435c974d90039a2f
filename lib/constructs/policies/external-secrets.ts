import { ControllerStatement } from './policy-json';

/** Where the upstream policies are from (the External Secrets version `lib/config/addon-pins.ts` pins). */
export const EXTERNAL_SECRETS_POLICY_SOURCE =
  'external-secrets/external-secrets@v2.8.0:docs/provider/aws-secrets-manager.md and aws-parameter-store.md ("IAM Policy")';

/**
 * External Secrets' policy for the Secrets Manager and Parameter Store stores: the upstream statement that reads secrets,
 * scoped, as upstream's example is, to a name prefix (this environment's, from the naming
 * contract). Upstream's second statement (`ListSecrets`, `BatchGetSecretValue` on `*`) serves
 * `dataFrom.find` only, which no manifest uses (a contract test checks that), so it is left out.
 */
export function externalSecretsStatements(secretArnPrefix: string, parameterArnPrefix: string): ControllerStatement[] {
  return [
    {
      statement: {
        Sid: 'ReadEnvironmentSecrets',
        Effect: 'Allow',
        Action: [
          'secretsmanager:GetResourcePolicy',
          'secretsmanager:GetSecretValue',
          'secretsmanager:DescribeSecret',
          'secretsmanager:ListSecretVersionIds',
        ],
        Resource: secretArnPrefix,
      },
      why: "Scoped to this environment's secrets by name prefix (the platform's naming contract); no other secret is readable.",
    },
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
