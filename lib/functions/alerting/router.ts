/**
 * The alert router, subscribed to the environment's critical topic and to the us-east-1 topics
 * (CloudFront's alarms can only notify topics of their own region):
 *
 * - a message from a us-east-1 topic is republished, unchanged, to the regional topic of the same
 *   severity (`RELAY_TOPICS`), so that chat, e-mail and paging see one set of topics;
 * - a critical alert going into ALARM starts the escalation (`STATE_MACHINE_ARN`), named after the
 *   alert and the time it started, so that a redelivered message starts nothing new (Step
 *   Functions answers a running execution's name idempotently, a finished one's with
 *   `ExecutionAlreadyExists`, which the router takes as done);
 * - a critical alert going back to OK resolves its PagerDuty alert on every PagerDuty tier
 *   (`ROUTING_KEY_SECRETS`); the running escalation sees it handled at its next check and ends.
 *
 * A critical alert is either a CloudWatch alarm's state change or a notification of Alertmanager
 * (the in-cluster alerts: firing is ALARM, resolved is OK, de-duplicated by the group's key):
 * both escalate and resolve the same way (`parseAlertChange`).
 *
 * Any failure throws: Lambda retries the asynchronous SNS invocation, and the `lambda-errors`
 * alarm of this function reaches the warning channel (never only the pager it feeds).
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { SNSEvent } from 'aws-lambda';
import { AlertChange, dedupKeyOf, executionName, isClusterAlert, parseAlertChange } from './alarm-message';
import { Fetch, sendEvent } from './pagerduty';
import { SecretCache } from './secrets';

/** What the router is told by its environment. */
export interface RouterSettings {
  /** us-east-1 topic ARN -> regional topic ARN of the same severity. */
  readonly relayTopics: Readonly<Record<string, string>>;
  /** The regional critical topic: its alerts escalate. */
  readonly criticalTopicArn?: string;
  /** The escalation state machine. @default - no paging (development) */
  readonly stateMachineArn?: string;
  /** Secrets of the PagerDuty tiers' routing keys (resolve on OK). */
  readonly routingKeySecrets: readonly string[];
}

/** The settings from the function's environment variables. */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): RouterSettings {
  return {
    relayTopics: JSON.parse(env.RELAY_TOPICS ?? '{}'),
    criticalTopicArn: env.CRITICAL_TOPIC_ARN || undefined,
    stateMachineArn: env.STATE_MACHINE_ARN || undefined,
    routingKeySecrets: JSON.parse(env.ROUTING_KEY_SECRETS ?? '[]'),
  };
}

/** The clients the router uses (replaced in tests). */
export interface RouterDependencies {
  readonly sns: SNSClient;
  readonly sfn: SFNClient;
  readonly secrets: SecretCache;
  readonly fetch: Fetch;
}

/** What the router did with one message, for its log and for tests. */
export type RouteOutcome = 'relayed' | 'escalation-started' | 'already-escalated' | 'resolved' | 'ignored';

/** Route one SNS message. */
export async function route(
  settings: RouterSettings,
  deps: RouterDependencies,
  topicArn: string,
  message: string,
  subject: string | undefined,
): Promise<RouteOutcome> {
  const relayTo = settings.relayTopics[topicArn];
  if (relayTo) {
    await deps.sns.send(new PublishCommand({ TopicArn: relayTo, Message: message, Subject: subject || undefined }));
    return 'relayed';
  }
  if (topicArn !== settings.criticalTopicArn || !settings.stateMachineArn) return 'ignored';
  const change = parseAlertChange(message);
  // (Alertmanager publishes only critical groups here; anything else on this topic pages nobody)
  if (!change || (isClusterAlert(change) && change.severity !== 'critical')) return 'ignored';
  if (change.state === 'ALARM') {
    try {
      await deps.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: settings.stateMachineArn,
          name: executionName(change),
          input: JSON.stringify({ alarm: change }),
        }),
      );
    } catch (e) {
      // A redelivered message: this change's escalation exists (Step Functions keeps names for 90 days).
      if (e instanceof ExecutionAlreadyExists) return 'already-escalated';
      throw e;
    }
    return 'escalation-started';
  }
  if (change.state === 'OK') {
    await resolveEverywhere(settings, deps, change);
    return 'resolved';
  }
  return 'ignored';
}

async function resolveEverywhere(settings: RouterSettings, deps: RouterDependencies, change: AlertChange): Promise<void> {
  for (const secretId of settings.routingKeySecrets) {
    const key = await deps.secrets.get(secretId);
    await sendEvent(deps.fetch, key, 'resolve', { dedupKey: dedupKeyOf(change), summary: change.name, source: '', details: {} });
  }
}

let defaults: RouterDependencies | undefined;
const defaultDependencies = (): RouterDependencies =>
  (defaults ??= { sns: new SNSClient({}), sfn: new SFNClient({}), secrets: new SecretCache(new SecretsManagerClient({})), fetch });

/** The Lambda handler. */
export async function handler(event: SNSEvent): Promise<RouteOutcome[]> {
  const settings = settingsFromEnvironment();
  const outcomes: RouteOutcome[] = [];
  for (const record of event.Records) {
    const outcome = await route(settings, defaultDependencies(), record.Sns.TopicArn, record.Sns.Message, record.Sns.Subject);
    console.log(JSON.stringify({ level: 'info', message: 'routed', topic: record.Sns.TopicArn, messageId: record.Sns.MessageId, outcome }));
    outcomes.push(outcome);
  }
  return outcomes;
}
