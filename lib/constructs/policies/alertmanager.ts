import { ControllerStatement } from './policy-json';

/**
 * Where the calls come from. Alertmanager v0.33.1 (what kube-prometheus-stack 88.3.0's operator
 * runs) publishes with the AWS SDK for Go v2: `sns.Publish` to the configured `topic_arn`, and
 * nothing else when no `role_arn` is set (no STS call); without keys in `sigv4` the credentials
 * come from `config.LoadDefaultConfig`, the default chain, whose container provider reads EKS Pod
 * Identity (prometheus/alertmanager@v0.33.1:notify/sns/sns.go `createSNSClient`, go.mod
 * aws-sdk-go-v2/config v1.32.17; aws/aws-sdk-go-v2:config/CHANGELOG.md v1.25.0, "EKS container
 * host ... in the HTTP credential provider"). Publishing to a topic encrypted with a customer
 * managed key takes `kms:GenerateDataKey` and `kms:Decrypt` on that key (SNS developer guide,
 * "Managing Amazon SNS encryption keys and costs"), which SNS calls on the publisher's behalf with
 * the encryption context `aws:sns:topicArn` (Amazon GameLift Servers FlexMatch guide, "Set up an SNS
 * topic with server-side encryption": `kms:EncryptionContext:aws:sns:topicArn`).
 */
export const ALERTMANAGER_POLICY_SOURCE =
  'prometheus/alertmanager@v0.33.1:notify/sns/sns.go (Publish only, default credential chain); SNS developer guide, key management';

/** What the policy is for: the topics Alertmanager publishes to, their key and region. */
export interface AlertmanagerPolicyProps {
  /** ARNs of the topics (critical and warning). */
  readonly topicArns: readonly string[];
  /** ARN of the topics' KMS key. */
  readonly keyArn: string;
  /** Region of the topics (SNS calls KMS from there). */
  readonly region: string;
}

/** Alertmanager's policy: publish to the alert topics, and use their key only through SNS for them. */
export function alertmanagerStatements(props: AlertmanagerPolicyProps): ControllerStatement[] {
  return [
    {
      statement: { Sid: 'PublishAlerts', Effect: 'Allow', Action: ['sns:Publish'], Resource: [...props.topicArns] },
      why: 'The critical and warning alert topics, by their config-derived ARNs.',
    },
    {
      statement: {
        Sid: 'EncryptAlerts',
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: [props.keyArn],
        Condition: {
          StringEquals: {
            'kms:ViaService': `sns.${props.region}.amazonaws.com`,
            'kms:EncryptionContext:aws:sns:topicArn': [...props.topicArns],
          },
        },
      },
      why: "The alert topics' key, only as SNS uses it for those two topics.",
    },
  ];
}
