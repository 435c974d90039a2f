import {
  ALERT_CONTEXT_KEYS,
  ALERTMANAGER_ORIGIN,
  CHATBOT_CUSTOM_NOTIFICATION,
  LISTED_ALERTS,
  SUBJECT_MAX_LENGTH,
  alertNotificationTemplate,
  alertSubjectTemplate,
  renderAlertNotification,
  renderAlertSubject,
} from '../../lib/config/alert-notification';
import { clusterAlert, clusterGroup } from '../functions/alerting/fixtures';

/** Text a rule's annotations may hold (rendered label values, copied log lines...). */
const HOSTILE = [
  'a "quoted" word and a back\\slash',
  'two\nlines\r\nand\ttabs',
  '<b>bold</b> & markup',
  'unicode é ü 中文 😀 and separators \u2028\u2029',
  'control \u0001\u001f\u007f characters',
  '{{ .Status }} %s %d %% template syntax',
  '',
];

describe("Alertmanager's SNS message: AWS Chatbot's custom notification schema", () => {
  test('a firing group renders the schema (version, source, client-markdown content) with the context the router reads', () => {
    // GIVEN a group of one firing critical alert WHEN Alertmanager executes the template
    const message = JSON.parse(renderAlertNotification(clusterGroup()));
    // THEN it is the custom notification schema (admin guide "Custom notifications": version 1.0, source custom)
    expect(message).toEqual({
      version: CHATBOT_CUSTOM_NOTIFICATION.version,
      source: CHATBOT_CUSTOM_NOTIFICATION.source,
      content: {
        textType: 'client-markdown',
        title: '[prod] FIRING CRITICAL: SloErrorBudgetBurn',
        description:
          'Service web-api, namespace apps, cluster saas-platform-prod\n' +
          '- FIRING: web-api burns its error budget 2.1% of requests fail (objective 99.9%)\n' +
          'Runbook: docs/runbooks.md#error-budget-burn',
      },
      metadata: {
        threadId: 'saas-platform-prod/critical/SloErrorBudgetBurn/apps/web-api',
        summary: '[prod] FIRING CRITICAL: SloErrorBudgetBurn',
        eventType: ALERTMANAGER_ORIGIN,
        additionalContext: {
          origin: 'alertmanager',
          severity: 'critical',
          status: 'firing',
          dedupeKey: 'saas-platform-prod/critical/SloErrorBudgetBurn/apps/web-api',
          alertname: 'SloErrorBudgetBurn',
          namespace: 'apps',
          service: 'web-api',
          environment: 'prod',
          cluster: 'saas-platform-prod',
          runbookUrl: 'docs/runbooks.md#error-budget-burn',
          firingSince: String(Date.UTC(2026, 11, 1, 3, 14, 15) / 1000),
          firing: '1',
        },
      },
    });
    expect(Object.keys(message.metadata.additionalContext).sort()).toEqual(Object.values(ALERT_CONTEXT_KEYS).sort());
  });

  test('every context value is a string (additionalContext is a map of strings)', () => {
    const context = JSON.parse(renderAlertNotification(clusterGroup())).metadata.additionalContext;
    for (const [key, value] of Object.entries(context)) expect([key, typeof value]).toEqual([key, 'string']);
  });

  test('the dedupe key is the same for every notification of the group: firing, repeated with more alerts, resolved', () => {
    const key = (message: string) => JSON.parse(message).metadata.additionalContext.dedupeKey;
    const firing = renderAlertNotification(clusterGroup());
    const more = renderAlertNotification(
      clusterGroup({ Alerts: [clusterAlert(), clusterAlert({ StartsAt: '2026-12-01T04:00:00Z', Fingerprint: 'other' })] }),
    );
    const resolved = renderAlertNotification(clusterGroup({ Status: 'resolved', Alerts: [clusterAlert({ Status: 'resolved' })] }));
    expect(new Set([key(firing), key(more), key(resolved)]).size).toBe(1);
    // and the earliest start is unchanged by a later alert joining: the escalation keeps its name
    const since = (message: string) => JSON.parse(message).metadata.additionalContext.firingSince;
    expect(since(more)).toBe(since(firing));
    expect(since(resolved)).toBe('0');
    expect(JSON.parse(resolved).metadata.additionalContext.status).toBe('resolved');
  });

  test.each(HOSTILE)('annotation text %j still makes valid JSON, and reads back unchanged', (hostile) => {
    const group = clusterGroup({ Alerts: [clusterAlert({ Annotations: { summary: hostile, description: hostile } })] });
    const message = renderAlertNotification(group);
    const description: string = JSON.parse(message).content.description;
    expect(description).toContain(`- FIRING: ${hostile} ${hostile}\n`);
  });

  test('hostile label values (the group key, the environment) make valid JSON too', () => {
    const odd = 'x"\\\n<&>\u2028😀';
    const message = renderAlertNotification(
      clusterGroup({
        GroupLabels: { alertname: odd, namespace: odd, service: odd },
        CommonLabels: { environment: odd, cluster: odd, severity: odd },
      }),
    );
    expect(JSON.parse(message).metadata.additionalContext.dedupeKey).toBe([odd, odd, odd, odd, odd].join('/'));
  });

  test(`a large group lists its first ${LISTED_ALERTS} alerts (SNS and chat have size limits) and counts them all`, () => {
    const alerts = Array.from({ length: LISTED_ALERTS + 5 }, (_, i) =>
      clusterAlert({ Annotations: { summary: `pod ${i}`, description: '' } }),
    );
    const message = JSON.parse(renderAlertNotification(clusterGroup({ Alerts: alerts })));
    expect(message.content.description.match(/^- FIRING/gm)).toHaveLength(LISTED_ALERTS);
    expect(message.metadata.additionalContext.firing).toBe(String(LISTED_ALERTS + 5));
  });

  test('the template Alertmanager runs is one toJson of the schema, and its only output', () => {
    const template = alertNotificationTemplate();
    expect(template).toMatch(/^\{\{- \$v0 := "" -\}\}/);
    expect(template).toMatch(
      /\{\{- toJson \(dict "version" "1\.0" "source" "custom" "content" \(dict "textType" "client-markdown" .*\) -\}\}$/,
    );
    // nothing between actions: no text of its own around the JSON
    expect(template.replace(/\{\{-.*?-\}\}/g, '')).toBe('');
  });
});

describe('the SNS subject (e-mail subscribers only)', () => {
  test('the title, as SNS takes a subject: printable ASCII, under 100 characters, whatever the labels hold', () => {
    expect(renderAlertSubject(clusterGroup())).toBe('[prod] FIRING CRITICAL: SloErrorBudgetBurn');
    const long = renderAlertSubject(clusterGroup({ GroupLabels: { alertname: `Ünïcode\n${'A'.repeat(200)}` } }));
    expect(long).toMatch(/^[ -~]+$/);
    expect(long).toHaveLength(SUBJECT_MAX_LENGTH);
    expect(long.startsWith('[prod] FIRING CRITICAL: ncodeAAA')).toBe(true);
    expect(alertSubjectTemplate()).toContain('reReplaceAll');
  });
});
