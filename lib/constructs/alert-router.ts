import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { allowPublishTo } from './alert-topics';
import { LogSettingsProps, PlatformFunction } from './platform-function';

/** A topic in another region whose messages the router republishes to a topic of this stack. */
export interface RelayedTopic {
  /** ARN of the topic in the other region (its name is fixed by config; no reference crosses regions). */
  readonly sourceTopicArn: string;
  /** The topic of this stack that receives its messages. */
  readonly target: sns.ITopic;
}

/** Props of `AlertRouter`; the log settings are the function's. */
export interface AlertRouterProps extends LogSettingsProps {
  /** Physical name of the function: the other region's stack subscribes it by its ARN. */
  readonly functionName: string;
  /** Key of the topics the router publishes to. */
  readonly topicKey: kms.IKey;
  /** Topics of other regions the router relays. */
  readonly relays: readonly RelayedTopic[];
  /**
   * Paging: the critical topic whose alarms escalate, the escalation, and the PagerDuty routing
   * keys resolved on OK.
   * @default - no paging (the router only relays)
   */
  readonly paging?: {
    readonly criticalTopic: sns.ITopic;
    readonly escalation: sfn.IStateMachine;
    readonly routingKeys: readonly secretsmanager.ISecret[];
  };
}

/**
 * The alert router function (`lib/functions/alerting/router.ts`): subscribed to the critical topic,
 * it starts the escalation of an alarm that goes into ALARM and resolves its PagerDuty alert when it
 * goes back to OK; invoked by the topics of another region (us-east-1), it republishes their
 * messages to the topic of the same severity here. Its role may do exactly that.
 */
export class AlertRouter extends Construct {
  /** The function. */
  public readonly handler: PlatformFunction;

  constructor(scope: Construct, id: string, props: AlertRouterProps) {
    super(scope, id);
    const paging = props.paging;
    this.handler = new PlatformFunction(this, 'Handler', {
      entry: path.join(__dirname, '..', 'functions', 'alerting', 'router.ts'),
      functionName: props.functionName,
      description: 'Routes alerts: escalates critical alarms, resolves them in PagerDuty, relays us-east-1 alerts',
      timeout: Duration.seconds(30),
      environment: {
        RELAY_TOPICS: JSON.stringify(Object.fromEntries(props.relays.map((r) => [r.sourceTopicArn, r.target.topicArn]))),
        CRITICAL_TOPIC_ARN: paging?.criticalTopic.topicArn ?? '',
        STATE_MACHINE_ARN: paging?.escalation.stateMachineArn ?? '',
        ROUTING_KEY_SECRETS: JSON.stringify((paging?.routingKeys ?? []).map((s) => s.secretArn)),
      },
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    const fn = this.handler.function;
    const role = this.handler.role;

    allowPublishTo(role, [...new Set(props.relays.map((r) => r.target))], props.topicKey, 'RelayToRegionalTopics');
    props.relays.forEach((relay, i) => {
      // The other region's topic invokes this function (cross-region SNS to Lambda delivery).
      new lambda.CfnPermission(this, `InvokeFromRelayedTopic${i}`, {
        action: 'lambda:InvokeFunction',
        functionName: fn.functionArn,
        principal: 'sns.amazonaws.com',
        sourceArn: relay.sourceTopicArn,
      });
    });

    if (paging) {
      paging.criticalTopic.addSubscription(new subs.LambdaSubscription(fn));
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'StartEscalation',
          actions: ['states:StartExecution'],
          resources: [paging.escalation.stateMachineArn],
        }),
      );
      for (const secret of paging.routingKeys) secret.grantRead(fn);
    }
  }
}
