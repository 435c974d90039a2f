/**
 * Alertmanager's routing, by severity, into the AWS side's alert path: `critical` alerts are
 * published to the environment's critical SNS topic, `warning` alerts to its warning topic, `info`
 * reaches no one (dashboards). From the topics on, an alert from the cluster is one like any
 * CloudWatch alarm: the same AWS Chatbot channels (Slack, Teams), the same e-mail, and for critical
 * ones the same pager router and escalation (docs/observability.md). No webhook URL, routing key or
 * password is in the cluster: Alertmanager signs its SNS calls with its Pod Identity role
 * (`ClusterStack.alertmanagerRole`), allowed to publish to those two topics only.
 *
 * `AlertmanagerConfig` (monitoring.coreos.com/v1alpha1) fields are those of prometheus-operator
 * v0.93.0 (pkg/apis/monitoring/v1alpha1/alertmanager_config_types.go, `SNSConfig`: `topicARN`,
 * `sigv4` (monitoring v1 `Sigv4`: `region`; no keys, so the operator leaves them out and
 * Alertmanager takes credentials from the AWS SDK's default chain, pkg/alertmanager/amcfg.go
 * `convertSnsConfig`), `subject`, `message`, `sendResolved`). The message is the custom notification
 * of AWS Chatbot (lib/config/alert-notification.ts), which the router reads too.
 */
import { ALERT_GROUP_BY, alertNotificationTemplate, alertSubjectTemplate } from '../../lib/config/alert-notification';
import { alertTopicArn, PUBLISHED_ALERT_SEVERITIES } from '../../lib/config/observability-names';
import { EnvironmentConfig, Severity } from '../../lib/config/types';

/** Name of the AlertmanagerConfig that is the Alertmanager's whole configuration. */
export const ALERTMANAGER_CONFIG_NAME = 'platform';

/** Receiver that drops what it gets (info). */
export const NULL_RECEIVER = 'null';

/** The severities Alertmanager publishes, each to its topic; `info` is for dashboards only. */
export const PUBLISHED_SEVERITIES = PUBLISHED_ALERT_SEVERITIES;

/** Labels alerts are grouped by in one notification. */
export const GROUP_BY: readonly string[] = ALERT_GROUP_BY;

/** How often a still-firing alert is sent again, by severity. */
export const REPEAT_INTERVAL: Readonly<Record<(typeof PUBLISHED_SEVERITIES)[number], string>> = { critical: '1h', warning: '12h' };

type Obj = Record<string, unknown>;

/** The topic a severity is published to: the one the Observability stack creates under that name. */
export function alertmanagerTopicArn(config: Pick<EnvironmentConfig, 'name' | 'account' | 'region'>, severity: Severity): string {
  return alertTopicArn(config.name, severity, 'regional', config.account, config.region);
}

/**
 * An `AlertmanagerConfig` (monitoring.coreos.com/v1alpha1). The model package's type (operator
 * v0.65.1) is older than the pinned operator, so the spec is plain data, checked field by field
 * against the pinned operator by `operatorFieldProblems` in the tests.
 */
export interface AlertmanagerConfigObject {
  readonly apiVersion: 'monitoring.coreos.com/v1alpha1';
  readonly kind: 'AlertmanagerConfig';
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: Obj;
}

/** The AlertmanagerConfig of an environment. */
export function alertmanagerConfig(
  config: Pick<EnvironmentConfig, 'name' | 'account' | 'region'>,
  namespace: string,
): AlertmanagerConfigObject {
  const message = alertNotificationTemplate();
  const subject = alertSubjectTemplate();
  return {
    apiVersion: 'monitoring.coreos.com/v1alpha1',
    kind: 'AlertmanagerConfig',
    metadata: { name: ALERTMANAGER_CONFIG_NAME, namespace },
    spec: {
      route: {
        receiver: NULL_RECEIVER,
        groupBy: [...GROUP_BY],
        groupWait: '30s',
        groupInterval: '5m',
        repeatInterval: '12h',
        routes: PUBLISHED_SEVERITIES.map((severity) => ({
          receiver: severity,
          matchers: [{ name: 'severity', value: severity, matchType: '=' }],
          repeatInterval: REPEAT_INTERVAL[severity],
        })),
      },
      receivers: [
        { name: NULL_RECEIVER },
        ...PUBLISHED_SEVERITIES.map((severity) => ({
          name: severity,
          snsConfigs: [
            {
              topicARN: alertmanagerTopicArn(config, severity),
              // The region is given: pods cannot read it from instance metadata (IMDSv2, hop limit 1).
              sigv4: { region: config.region },
              subject,
              message,
              sendResolved: true,
            },
          ],
        })),
      ],
      // A page for an alert silences the warning of the same alert on the same target.
      inhibitRules: [
        {
          sourceMatch: [{ name: 'severity', value: 'critical', matchType: '=' }],
          targetMatch: [{ name: 'severity', value: 'warning', matchType: '=' }],
          equal: ['alertname', 'namespace', 'service', 'pod', 'container'],
        },
      ],
    },
  };
}
