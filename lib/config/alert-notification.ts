/**
 * The message Alertmanager publishes to the environment's alert topics, defined once: the
 * Kubernetes side writes its template into the `AlertmanagerConfig` (`alertNotificationTemplate`),
 * the alert router reads the messages by the keys below, and the tests render the template for
 * fixture alerts (`renderAlertNotification`) and feed the literal JSON to the router's parser.
 *
 * AWS Chatbot posts to Slack and Teams only the messages of AWS services it knows and messages in
 * its custom notification schema (Amazon Q Developer in chat applications admin guide, "Custom
 * notifications", https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html,
 * "Event schema" and "Parameter details": `version` must be `1.0`, `source` must be `custom`,
 * `content.textType` only `client-markdown`, `content.title` / `content.description`,
 * `metadata.threadId` threads the updates of one event, `metadata.additionalContext` is a map of
 * strings). So Alertmanager publishes that schema, and carries what the router needs (severity,
 * status, a key stable for the alert group, the alert and its runbook) in `additionalContext`.
 *
 * Pure data and functions; no imports beyond lib/config.
 */
import {
  TemplateData,
  TemplateNode,
  alertEntry,
  alertField,
  earliestFiring,
  eachAlert,
  firingCount,
  groupEntry,
  groupField,
  object,
  printable,
  printf,
  render,
  text,
  toGoTemplate,
  upper,
} from './go-template';

/** The fixed fields of AWS Chatbot's custom notification schema (admin guide, "Custom notifications"). */
export const CHATBOT_CUSTOM_NOTIFICATION = { version: '1.0', source: 'custom', textType: 'client-markdown' } as const;

/** `metadata.additionalContext.origin` of every notification Alertmanager publishes. */
export const ALERTMANAGER_ORIGIN = 'alertmanager';

/** The labels Prometheus adds to every alert it sends (its `externalLabels`): which cluster and environment. */
export const PROMETHEUS_EXTERNAL_LABELS = { cluster: 'cluster', environment: 'environment' } as const;

/**
 * The labels Alertmanager groups alerts by: one notification (and one pager incident) per alert
 * name, namespace and service. With the severity (each severity has its own route) and the
 * cluster, they are the group's identity: the dedupe key below.
 */
export const ALERT_GROUP_BY = ['alertname', 'namespace', 'service'] as const;

/** The keys of `metadata.additionalContext` (every value a string). */
export const ALERT_CONTEXT_KEYS = {
  /** `alertmanager`. */
  origin: 'origin',
  /** The alert group's severity label: `critical` or `warning`. */
  severity: 'severity',
  /** `firing` (some alert of the group fires) or `resolved` (none does). */
  status: 'status',
  /** Stable for the group: `<cluster>/<severity>/<alertname>/<namespace>/<service>`; the pager de-duplicates by it. */
  dedupeKey: 'dedupeKey',
  alertname: 'alertname',
  namespace: 'namespace',
  service: 'service',
  environment: 'environment',
  cluster: 'cluster',
  /** The `runbook_url` annotation the alerts of the group share. */
  runbookUrl: 'runbookUrl',
  /** Unix seconds of the earliest firing alert of the group (`0` when resolved): names its escalation. */
  firingSince: 'firingSince',
  /** How many alerts of the group fire. */
  firing: 'firing',
} as const;

/** At most this many alerts are listed in a notification's description (SNS takes 256 KiB; chat less). */
export const LISTED_ALERTS = 20;

/** SNS subjects are printable ASCII and shorter than 100 characters (SNS API reference, `Publish`, `Subject`). */
export const SUBJECT_MAX_LENGTH = 99;

const label = (key: string) => groupEntry('CommonLabels', key);
const grouped = (key: (typeof ALERT_GROUP_BY)[number]) => groupEntry('GroupLabels', key);
const severity = label('severity');
const status = groupField('Status');
const environment = label(PROMETHEUS_EXTERNAL_LABELS.environment);
const cluster = label(PROMETHEUS_EXTERNAL_LABELS.cluster);
const runbook = groupEntry('CommonAnnotations', 'runbook_url');
const title = printf('[%s] %s %s: %s', environment, upper(status), upper(severity), grouped('alertname'));
const dedupeKey = printf('%s/%s/%s/%s/%s', cluster, severity, grouped('alertname'), grouped('namespace'), grouped('service'));

/** The notification, as data (see `go-template.ts`). */
export const ALERT_NOTIFICATION: TemplateNode = object({
  version: text(CHATBOT_CUSTOM_NOTIFICATION.version),
  source: text(CHATBOT_CUSTOM_NOTIFICATION.source),
  content: object({
    textType: text(CHATBOT_CUSTOM_NOTIFICATION.textType),
    title,
    description: printf(
      'Service %s, namespace %s, cluster %s\n%sRunbook: %s',
      grouped('service'),
      grouped('namespace'),
      cluster,
      eachAlert(
        LISTED_ALERTS,
        '- %s: %s %s\n',
        upper(alertField('Status')),
        alertEntry('Annotations', 'summary'),
        alertEntry('Annotations', 'description'),
      ),
      runbook,
    ),
  }),
  metadata: object({
    threadId: dedupeKey,
    summary: title,
    eventType: text(ALERTMANAGER_ORIGIN),
    additionalContext: object({
      [ALERT_CONTEXT_KEYS.origin]: text(ALERTMANAGER_ORIGIN),
      [ALERT_CONTEXT_KEYS.severity]: severity,
      [ALERT_CONTEXT_KEYS.status]: status,
      [ALERT_CONTEXT_KEYS.dedupeKey]: dedupeKey,
      [ALERT_CONTEXT_KEYS.alertname]: grouped('alertname'),
      [ALERT_CONTEXT_KEYS.namespace]: grouped('namespace'),
      [ALERT_CONTEXT_KEYS.service]: grouped('service'),
      [ALERT_CONTEXT_KEYS.environment]: environment,
      [ALERT_CONTEXT_KEYS.cluster]: cluster,
      [ALERT_CONTEXT_KEYS.runbookUrl]: runbook,
      [ALERT_CONTEXT_KEYS.firingSince]: printf('%d', earliestFiring()),
      [ALERT_CONTEXT_KEYS.firing]: printf('%d', firingCount()),
    }),
  }),
});

/**
 * The subject (used by the topics' e-mail subscriptions only): Alertmanager's default SNS subject
 * lists every common label and can pass SNS's 100 characters, which fails the whole publish; this
 * one is printable ASCII and cut to `SUBJECT_MAX_LENGTH`, whatever the labels hold.
 */
export const ALERT_SUBJECT: TemplateNode = printable(title, SUBJECT_MAX_LENGTH);

/** The `message` template of Alertmanager's SNS receivers. */
export function alertNotificationTemplate(): string {
  return toGoTemplate(ALERT_NOTIFICATION);
}

/** The `subject` template of Alertmanager's SNS receivers. */
export function alertSubjectTemplate(): string {
  return toGoTemplate(ALERT_SUBJECT);
}

/** The message Alertmanager publishes for a group of alerts (what its template produces). */
export function renderAlertNotification(data: TemplateData): string {
  return render(ALERT_NOTIFICATION, data);
}

/** The subject Alertmanager publishes for a group of alerts. */
export function renderAlertSubject(data: TemplateData): string {
  return render(ALERT_SUBJECT, data);
}
