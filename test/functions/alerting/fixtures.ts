import { renderAlertNotification } from '../../../lib/config/alert-notification';
import { TemplateAlert, TemplateData } from '../../../lib/config/go-template';
import { AlarmChange, ClusterAlertChange } from '../../../lib/functions/alerting/alarm-message';

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

/** One in-cluster alert as Alertmanager's template sees it. */
export function clusterAlert(overrides: Partial<TemplateAlert> = {}): TemplateAlert {
  return {
    Status: 'firing',
    Labels: { alertname: 'SloErrorBudgetBurn', severity: 'critical', namespace: 'apps', service: 'web-api', pod: 'web-api-7f9c-abcde' },
    Annotations: {
      summary: 'web-api burns its error budget',
      description: '2.1% of requests fail (objective 99.9%)',
      runbook_url: 'docs/runbooks.md#error-budget-burn',
    },
    StartsAt: '2026-12-01T03:14:15.926Z',
    EndsAt: '0001-01-01T00:00:00Z',
    GeneratorURL: 'http://prometheus-operated.observability.svc:9090/graph',
    Fingerprint: '5bd2c0d1c9e4a6f1',
    ...overrides,
  };
}

/** A group of in-cluster alerts, as Alertmanager hands it to the critical receiver's template. */
export function clusterGroup(overrides: Partial<TemplateData> = {}): TemplateData {
  return {
    Receiver: 'critical',
    Status: 'firing',
    Alerts: [clusterAlert()],
    GroupLabels: { alertname: 'SloErrorBudgetBurn', namespace: 'apps', service: 'web-api' },
    CommonLabels: {
      alertname: 'SloErrorBudgetBurn',
      severity: 'critical',
      namespace: 'apps',
      service: 'web-api',
      cluster: 'saas-platform-prod',
      environment: 'prod',
    },
    CommonAnnotations: { runbook_url: 'docs/runbooks.md#error-budget-burn' },
    ExternalURL: 'http://alertmanager-operated.observability.svc:9093',
    ...overrides,
  };
}

/** The SNS message Alertmanager publishes for a group: its template's output (lib/config/alert-notification.ts). */
export const clusterAlertMessage = (group: TemplateData = clusterGroup()): string => renderAlertNotification(group);

/** The parsed change of `clusterAlertMessage()`. */
export const CLUSTER_CHANGE: ClusterAlertChange = {
  origin: 'alertmanager',
  name: 'SloErrorBudgetBurn',
  dedupKey: 'saas-platform-prod/critical/SloErrorBudgetBurn/apps/web-api',
  severity: 'critical',
  state: 'ALARM',
  reason: '[prod] FIRING CRITICAL: SloErrorBudgetBurn',
  description:
    'Service web-api, namespace apps, cluster saas-platform-prod\n- FIRING: web-api burns its error budget 2.1% of requests fail (objective 99.9%)\nRunbook: docs/runbooks.md#error-budget-burn',
  changedAt: '2026-12-01T03:14:15.000Z',
  cluster: 'saas-platform-prod',
  environment: 'prod',
  namespace: 'apps',
  service: 'web-api',
  runbookUrl: 'docs/runbooks.md#error-budget-burn',
};
