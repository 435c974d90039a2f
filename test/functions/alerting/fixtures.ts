import { AlarmChange } from '../../../lib/functions/alerting/alarm-message';

/** A CloudWatch alarm state-change message, as CloudWatch publishes it to SNS. */
export function alarmMessage(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    AlarmName: 'saas-platform-prod-api-unavailable-critical',
    AlarmDescription: 'The API fails for users. Runbook: docs/runbooks.md#api-unavailable',
    AWSAccountId: '333333333333',
    AlarmConfigurationUpdatedTimestamp: '2026-11-30T10:00:00.000+0000',
    NewStateValue: 'ALARM',
    NewStateReason: 'alb-5xx-rate-critical is in ALARM',
    StateChangeTime: '2026-12-01T03:14:15.926+0000',
    Region: 'EU (Ireland)',
    AlarmArn: 'arn:aws:cloudwatch:eu-west-1:333333333333:alarm:saas-platform-prod-api-unavailable-critical',
    OldStateValue: 'OK',
    ...overrides,
  });
}

/** The parsed change of `alarmMessage()`. */
export const CHANGE: AlarmChange = {
  name: 'saas-platform-prod-api-unavailable-critical',
  arn: 'arn:aws:cloudwatch:eu-west-1:333333333333:alarm:saas-platform-prod-api-unavailable-critical',
  region: 'eu-west-1',
  account: '333333333333',
  state: 'ALARM',
  reason: 'alb-5xx-rate-critical is in ALARM',
  description: 'The API fails for users. Runbook: docs/runbooks.md#api-unavailable',
  changedAt: '2026-12-01T03:14:15.926+0000',
};

/** A `fetch` that records its calls and answers from `answer`. */
export function recordingFetch(answer: (url: string, init?: RequestInit) => Response = () => new Response(null, { status: 202 })) {
  const calls: { url: string; init?: RequestInit; body?: Record<string, unknown> }[] = [];
  const fn = jest.fn(async (url: string, init?: RequestInit) => {
    calls.push({ url, init, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined });
    return answer(url, init);
  });
  return { fetch: fn, calls };
}
