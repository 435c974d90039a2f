/**
 * The steps of the escalation state machine (one Lambda function, two actions):
 *
 * - `page`: page one tier: trigger the alert on the tier's PagerDuty service (its routing key from
 *   Secrets Manager), or text the tier's phone numbers (its SNS topic);
 * - `check`: is the alert handled? It is when the alarm is no longer in ALARM, or when PagerDuty's
 *   incident for it was acknowledged or resolved. When PagerDuty cannot be asked (no token set
 *   yet, an outage), the answer is "not handled": the escalation errs towards paging the next tier.
 *
 * An in-cluster alert (Alertmanager's) has no CloudWatch state to read: when it resolves, the
 * router resolves its PagerDuty incident, which the check reads as handled.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AlertChange, dedupKeyOf, isClusterAlert } from './alarm-message';
import { Fetch, incidentStatus, sendEvent } from './pagerduty';
import { SecretCache } from './secrets';

/** How one tier is paged. */
export type TierTarget = { readonly kind: 'pagerduty'; readonly secretId: string } | { readonly kind: 'sms'; readonly topicArn: string };

/** What the escalation is told by its environment. */
export interface EscalationSettings {
  /** Tier name -> how it is paged. */
  readonly tiers: Readonly<Record<string, TierTarget>>;
  /** Secret of the PagerDuty REST API key. */
  readonly apiTokenSecretId: string;
}

/** The settings from the function's environment variables. */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): EscalationSettings {
  return { tiers: JSON.parse(env.TIERS ?? '{}'), apiTokenSecretId: env.API_TOKEN_SECRET_ID ?? '' };
}

/** The clients the escalation uses (replaced in tests). */
export interface EscalationDependencies {
  readonly sns: SNSClient;
  /** A CloudWatch client for a region (alarms in us-east-1 are read there). */
  readonly cloudwatch: (region: string) => CloudWatchClient;
  readonly secrets: SecretCache;
  readonly fetch: Fetch;
}

/** The input of a step: the state machine's input (`alarm`) and the step's action. */
export type EscalationEvent =
  | { readonly action: 'page'; readonly tier: string; readonly alarm: AlertChange }
  | { readonly action: 'check'; readonly alarm: AlertChange };

/** What `page` did. */
export interface PageResult {
  readonly paged: string;
  readonly via: TierTarget['kind'];
}

/** What `check` found. */
export interface CheckResult {
  readonly handled: boolean;
  readonly reason: 'alarm-not-in-alarm' | 'incident-acknowledged' | 'incident-resolved' | 'unacknowledged' | 'pagerduty-unavailable';
}

/** Page one tier. */
export async function page(
  settings: EscalationSettings,
  deps: EscalationDependencies,
  tier: string,
  alarm: AlertChange,
): Promise<PageResult> {
  const target = settings.tiers[tier];
  if (!target) throw new Error(`unknown tier ${tier}; the state machine and the function's TIERS disagree`);
  if (target.kind === 'pagerduty') {
    const key = await deps.secrets.get(target.secretId);
    await sendEvent(deps.fetch, key, 'trigger', {
      dedupKey: dedupKeyOf(alarm),
      summary: `${alarm.name}: ${alarm.reason}`,
      source: isClusterAlert(alarm) ? alarm.cluster : `${alarm.account}/${alarm.region}`,
      details: isClusterAlert(alarm)
        ? {
            alert: alarm.name,
            namespace: alarm.namespace,
            service: alarm.service,
            runbook: alarm.runbookUrl,
            description: alarm.description,
            since: alarm.changedAt,
            tier,
          }
        : { alarm: alarm.name, description: alarm.description, since: alarm.changedAt, tier },
    });
  } else {
    await deps.sns.send(
      new PublishCommand({
        TopicArn: target.topicArn,
        // A text message: short, no links (the description carries the runbook).
        Message: `CRITICAL, not acknowledged: ${alarm.name} since ${alarm.changedAt}. Acknowledge in PagerDuty.`,
      }),
    );
  }
  return { paged: tier, via: target.kind };
}

/** Whether the alert is handled. */
export async function check(settings: EscalationSettings, deps: EscalationDependencies, alarm: AlertChange): Promise<CheckResult> {
  if (!isClusterAlert(alarm)) {
    const described = await deps
      .cloudwatch(alarm.region)
      .send(new DescribeAlarmsCommand({ AlarmNames: [alarm.name], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
    const state = [...(described.MetricAlarms ?? []), ...(described.CompositeAlarms ?? [])][0]?.StateValue;
    if (state !== undefined && state !== 'ALARM') return { handled: true, reason: 'alarm-not-in-alarm' };
  }
  let status;
  try {
    const token = await deps.secrets.get(settings.apiTokenSecretId);
    status = await incidentStatus(deps.fetch, token, dedupKeyOf(alarm));
  } catch (e) {
    console.warn(JSON.stringify({ level: 'warn', message: 'PagerDuty status unknown; escalating', error: (e as Error).message }));
    return { handled: false, reason: 'pagerduty-unavailable' };
  }
  if (status === 'acknowledged') return { handled: true, reason: 'incident-acknowledged' };
  if (status === 'resolved') return { handled: true, reason: 'incident-resolved' };
  return { handled: false, reason: 'unacknowledged' };
}

let defaults: EscalationDependencies | undefined;
const defaultDependencies = (): EscalationDependencies => {
  const clients = new Map<string, CloudWatchClient>();
  return (defaults ??= {
    sns: new SNSClient({}),
    cloudwatch: (region) => clients.get(region) ?? clients.set(region, new CloudWatchClient({ region })).get(region)!,
    secrets: new SecretCache(new SecretsManagerClient({})),
    fetch,
  });
};

/** The Lambda handler (invoked by Step Functions). */
export async function handler(event: EscalationEvent): Promise<PageResult | CheckResult> {
  const settings = settingsFromEnvironment();
  const result =
    event.action === 'page'
      ? await page(settings, defaultDependencies(), event.tier, event.alarm)
      : await check(settings, defaultDependencies(), event.alarm);
  console.log(JSON.stringify({ level: 'info', message: event.action, alarm: event.alarm.name, result }));
  return result;
}
