import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { AlarmSeverity } from './alarm-facade';

/**
 * Let `role` publish to encrypted topics: exactly `sns:Publish` on them and the data-key calls on
 * their key (the L2 `grantPublish` would add `kms:GenerateDataKey*` and more), under `sid`.
 */
export function allowPublishTo(role: iam.IRole, topics: readonly sns.ITopic[], key: kms.IKey, sid: string): void {
  if (topics.length === 0) return;
  role.addToPrincipalPolicy(new iam.PolicyStatement({ sid, actions: ['sns:Publish'], resources: topics.map((t) => t.topicArn) }));
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ sid: `${sid}Encrypted`, actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [key.keyArn] }),
  );
}

/** Severities, most urgent first. */
export const ALERT_SEVERITIES: readonly AlarmSeverity[] = ['critical', 'warning', 'info'];

/** Props of `AlertTopics`. */
export interface AlertTopicsProps {
  /** Name of each severity's topic (fixed: other stacks and regions name them). */
  readonly topicNames: Readonly<Record<AlarmSeverity, string>>;
  /** Key the topics are encrypted with; its policy lets CloudWatch publish. */
  readonly key: kms.IKey;
  /**
   * E-mail addresses subscribed per severity (each confirms the subscription once).
   * @default - none
   */
  readonly emails?: Readonly<Partial<Record<AlarmSeverity, readonly string[]>>>;
}

/**
 * One KMS-encrypted SNS topic per severity, named from config, that only this account's CloudWatch
 * alarms and the platform's own roles may publish to (TLS only), with the severity's e-mail
 * subscriptions.
 */
export class AlertTopics extends Construct {
  /** The topics by severity. */
  public readonly topics: Readonly<Record<AlarmSeverity, sns.Topic>>;

  constructor(scope: Construct, id: string, props: AlertTopicsProps) {
    super(scope, id);
    const topics = {} as Record<AlarmSeverity, sns.Topic>;
    for (const severity of ALERT_SEVERITIES) {
      const topic = new sns.Topic(this, severity, {
        topicName: props.topicNames[severity],
        displayName: `${severity} alerts`,
        masterKey: props.key,
        enforceSSL: true,
      });
      topic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CloudWatchAlarmsOfThisAccount',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [topic.topicArn],
          conditions: { StringEquals: { 'aws:SourceAccount': topic.stack.account } },
        }),
      );
      for (const email of props.emails?.[severity] ?? []) topic.addSubscription(new subs.EmailSubscription(email));
      topics[severity] = topic;
    }
    this.topics = topics;
  }
}
