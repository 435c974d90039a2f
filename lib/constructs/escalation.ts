import * as path from 'path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { allowPublishTo } from './alert-topics';
import { LogSettingsProps, PlatformFunction } from './platform-function';

/** One tier of the escalation. */
export interface EscalationTierProps {
  /** Tier name (names its states), e.g. `primary`. */
  readonly name: string;
  /** How long the tier has to acknowledge before the next is paged. */
  readonly ackTimeout: Duration;
  /** How the tier is paged: its PagerDuty routing key, or the phone numbers texted through a topic of the tier. */
  readonly target:
    | { readonly kind: 'pagerduty'; readonly routingKey: secretsmanager.ISecret }
    | { readonly kind: 'sms'; readonly topicName: string; readonly phoneNumbers: readonly string[] };
}

/** Props of `Escalation`; the log settings cover the function's and the state machine's logs. */
export interface EscalationProps extends LogSettingsProps {
  /** The tiers, in order; the first is paged at once. */
  readonly tiers: readonly EscalationTierProps[];
  /** PagerDuty REST API key: reads whether an incident was acknowledged. */
  readonly apiToken: secretsmanager.ISecret;
  /** Key of the tiers' text topics. */
  readonly topicKey: kms.IKey;
  /** ARN patterns of the alarms whose state the check reads (this region's and us-east-1's). */
  readonly alarmArnPatterns: readonly string[];
}

/** Retries of a step on the errors a Lambda invocation or a PagerDuty call may pass through. */
export const STEP_RETRY: sfn.RetryProps = {
  errors: ['States.TaskFailed'],
  interval: Duration.seconds(5),
  maxAttempts: 3,
  backoffRate: 2,
};

/**
 * The escalation of an unacknowledged critical alert, as a Step Functions state machine built from
 * the tiers: page a tier, wait its acknowledgement timeout, check (alarm back to OK, or PagerDuty
 * incident acknowledged or resolved: done), otherwise page the next tier; after the last tier the
 * execution fails as `Unacknowledged` (the `escalation-failed` alarm reaches the warning channel).
 * A tier that cannot be paged after its retries is skipped for the next one at once.
 */
export class Escalation extends Construct {
  /** The state machine the router starts, one execution per alarm state change. */
  public readonly stateMachine: sfn.StateMachine;
  /** The step function (`lib/functions/alerting/escalation.ts`). */
  public readonly handler: PlatformFunction;
  /** Text topics of the `sms` tiers, by tier name. */
  public readonly tierTopics: Readonly<Record<string, sns.Topic>>;

  constructor(scope: Construct, id: string, props: EscalationProps) {
    super(scope, id);
    if (props.tiers.length === 0) throw new Error(`${this.node.path}: tiers is empty; give at least one tier to page`);
    const topics: Record<string, sns.Topic> = {};
    const targets: Record<string, unknown> = {};
    for (const tier of props.tiers) {
      if (tier.target.kind === 'pagerduty') {
        targets[tier.name] = { kind: 'pagerduty', secretId: tier.target.routingKey.secretArn };
      } else {
        const topic = new sns.Topic(this, `Tier-${tier.name}`, {
          topicName: tier.target.topicName,
          displayName: 'Alert',
          masterKey: props.topicKey,
          enforceSSL: true,
        });
        for (const number of tier.target.phoneNumbers) topic.addSubscription(new subs.SmsSubscription(number));
        topics[tier.name] = topic;
        targets[tier.name] = { kind: 'sms', topicArn: topic.topicArn };
      }
    }
    this.tierTopics = topics;

    this.handler = new PlatformFunction(this, 'Handler', {
      entry: path.join(__dirname, '..', 'functions', 'alerting', 'escalation.ts'),
      description: 'Escalation steps: page a tier (PagerDuty or text), check acknowledgement',
      timeout: Duration.seconds(30),
      environment: { TIERS: JSON.stringify(targets), API_TOKEN_SECRET_ID: props.apiToken.secretArn },
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    this.grant(props, Object.values(topics));

    const handled = new sfn.Succeed(this, 'Handled', { comment: 'The alarm recovered, or a tier acknowledged or resolved the incident' });
    const unacknowledged = new sfn.Fail(this, 'Unacknowledged', {
      error: 'Unacknowledged',
      cause: 'No tier acknowledged the alert; see the alarm and the PagerDuty incident',
    });
    let next: sfn.IChainable = unacknowledged;
    for (const tier of [...props.tiers].reverse()) {
      const page = this.step(`Page ${tier.name}`, { action: 'page', tier: tier.name }, '$.page');
      page.addCatch(next, { errors: ['States.ALL'], resultPath: '$.pageError' });
      const wait = new sfn.Wait(this, `Wait for ${tier.name}`, { time: sfn.WaitTime.duration(tier.ackTimeout) });
      const check = this.step(`Check after ${tier.name}`, { action: 'check' }, '$.check');
      const choice = new sfn.Choice(this, `Handled after ${tier.name}?`)
        .when(sfn.Condition.booleanEquals('$.check.handled', true), handled)
        .otherwise(next);
      next = page.next(wait).next(check).next(choice);
    }

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      comment: `Escalates an unacknowledged critical alert: ${props.tiers.map((t) => t.name).join(' -> ')}`,
      definitionBody: sfn.DefinitionBody.fromChainable(next),
      stateMachineType: sfn.StateMachineType.STANDARD,
      // Longest path: every tier's wait, plus the steps and their retries.
      timeout: props.tiers.reduce((d, t) => d.plus(t.ackTimeout), Duration.hours(1)),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    this.acknowledge();
  }

  /** A step of the function, its result at `resultPath`, retried on task failures. */
  private step(id: string, payload: Record<string, string>, resultPath: string): tasks.LambdaInvoke {
    const step = new tasks.LambdaInvoke(this, id, {
      lambdaFunction: this.handler.function,
      payload: sfn.TaskInput.fromObject({ ...payload, 'alarm.$': '$.alarm' }),
      payloadResponseOnly: true,
      resultPath,
    });
    step.addRetry(STEP_RETRY);
    return step;
  }

  /** The function reads the tiers' keys and the API key, texts the tiers' topics, reads the alarms' state. */
  private grant(props: EscalationProps, topics: readonly sns.Topic[]): void {
    const fn = this.handler.function;
    props.apiToken.grantRead(fn);
    for (const tier of props.tiers) if (tier.target.kind === 'pagerduty') tier.target.routingKey.grantRead(fn);
    const role = this.handler.role;
    allowPublishTo(role, topics, props.topicKey, 'TextTiers');
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReadAlarmState', actions: ['cloudwatch:DescribeAlarms'], resources: [...props.alarmArnPatterns] }),
    );
    const stack = Stack.of(this);
    for (const pattern of props.alarmArnPatterns) {
      Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${stack.resolve(pattern)}]`,
        reason: "The environment's alarms, by their config-derived name prefix: the check reads the state of the alarm it escalates.",
      });
    }
  }

  private acknowledge(): void {
    const stack = Stack.of(this);
    const functionId = stack.resolve(stack.getLogicalId(this.handler.function.node.defaultChild as lambda.CfnFunction));
    const policy = this.stateMachine.role.node.findChild('DefaultPolicy');
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
      reason: "Step Functions' LambdaInvoke also covers the versions and aliases of this one function (its ARN followed by :*).",
    });
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CloudWatch Logs delivery (logs:CreateLogDelivery and the other vended-log actions) and X-Ray (xray:PutTraceSegments) support no resource-level permissions.',
    });
  }
}
