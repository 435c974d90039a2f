/**
 * Prometheus rules as data: the shape of a rule group, and the alert severities and labels every
 * rule of the platform uses. Rule sets are pure functions (`serviceRules`, `platformRules`) so the
 * tests can parse every expression with Prometheus's grammar and check every metric it reads.
 */
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { Severity } from '../../lib/config/types';
import { RUNBOOKS_PAGE } from '../../lib/config/observability';

/** One rule group. */
export type RuleGroup = NonNullable<IPrometheusRule['spec']['groups']>[number];

/** One recording or alerting rule. */
export type Rule = NonNullable<RuleGroup['rules']>[number];

/** Label naming the service an alert is about (the pod label `app.kubernetes.io/name`, as the PodMonitor copies it). */
export const SERVICE_LABEL = 'app_kubernetes_io_name';

/** Where the runbooks are: the page of the repository that explains each alert (the same page as the CloudWatch alarms'). */
export const RUNBOOK_BASE = RUNBOOKS_PAGE;

/** An alerting rule. */
export function alert(
  name: string,
  options: {
    readonly expr: string;
    readonly severity: Severity;
    /** Duration the condition must hold, e.g. `10m`. @default - fires on the first evaluation */
    readonly for?: string;
    readonly summary: string;
    readonly description: string;
    /** Extra labels (service, team...). */
    readonly labels?: Readonly<Record<string, string>>;
    /** Anchor of the runbook section. */
    readonly runbook: string;
  },
): Rule {
  return {
    alert: name,
    expr: options.expr,
    ...(options.for ? { for: options.for } : {}),
    labels: { severity: options.severity, ...options.labels },
    annotations: {
      summary: options.summary,
      description: options.description,
      runbook_url: `${RUNBOOK_BASE}#${options.runbook}`,
    },
  };
}

/** A recording rule. */
export function record(name: string, expr: string, labels?: Readonly<Record<string, string>>): Rule {
  return { record: name, expr, ...(labels ? { labels: { ...labels } } : {}) };
}

/** Every expression of some rule groups (recording and alerting). */
export function expressionsOf(groups: readonly RuleGroup[]): string[] {
  return groups.flatMap((g) => (g.rules ?? []).map((r) => String(r.expr)));
}

/** Every series name the groups record. */
export function recordedNames(groups: readonly RuleGroup[]): string[] {
  return groups.flatMap((g) => (g.rules ?? []).flatMap((r) => (r.record ? [r.record] : [])));
}
