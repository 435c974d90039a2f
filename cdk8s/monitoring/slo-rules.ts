/**
 * The alerting rules of one service, derived from its catalog entry: multi-window, multi-burn-rate
 * alerts on its availability SLO (the same SLI and objective its canary analysis checks), latency
 * above its p95/p99 objectives, a burst of 5xx, and its database connection pool running dry.
 *
 * Burn rate: the speed the error budget (1 - availability) is spent, relative to spending exactly
 * the budget over the SLO period (30 days). A burn rate `factor` sustained over `longWindow` spends
 * `factor * longWindow / 30d` of the budget. The Google SRE workbook ("Alerting on SLOs", table
 * "Recommended parameters for an SLO with 99.9% availability") pages at 2% of the budget in 1 hour
 * (x14.4) or 5% in 6 hours (x6), and opens a ticket at 10% in 1 day (x3) or 10% in 3 days (x1); each
 * long window is paired with a short one (1/12 of it) that must burn too, so the alert stops soon
 * after the problem does.
 */
import { ServiceSpec } from '../../lib/config/service-catalog';
import { Severity } from '../../lib/config/types';
import { HTTP_SERVER_DURATION_METRIC, SERVER_ERROR_MATCHER, SloTarget, serviceSelector } from '../constructs/slo-analysis';
import { Rule, RuleGroup, SERVICE_LABEL, alert, record } from './rules';

/** The period an availability objective is measured over. */
export const SLO_PERIOD_DAYS = 30;

/** One burn-rate alert condition: both windows burn faster than `factor`. */
export interface BurnRateWindow {
  readonly severity: Exclude<Severity, 'info'>;
  readonly longWindow: string;
  readonly shortWindow: string;
  readonly factor: number;
}

/** The SRE workbook's windows and factors: two paging conditions, two ticket conditions. */
export const BURN_RATE_WINDOWS: readonly BurnRateWindow[] = [
  { severity: 'critical', longWindow: '1h', shortWindow: '5m', factor: 14.4 },
  { severity: 'critical', longWindow: '6h', shortWindow: '30m', factor: 6 },
  { severity: 'warning', longWindow: '1d', shortWindow: '2h', factor: 3 },
  { severity: 'warning', longWindow: '3d', shortWindow: '6h', factor: 1 },
];

/** Share of 5xx over 5 minutes that warns at once, whatever the objective (a deploy gone wrong, a dependency down). */
export const ERROR_BURST_RATIO = 0.05;

/** Share of a pod's database connection pool in use that warns (the incident: the pool ran dry under N+1 queries and retries). */
export const DB_POOL_SATURATION_RATIO = 0.9;

/** How long a latency objective must be missed before it alerts. */
export const LATENCY_FOR = '10m';

/** Name of the recorded error ratio over a window, e.g. `sli:http_server_errors:ratio_rate1h`. */
export function errorRatioSeries(window: string): string {
  return `sli:http_server_errors:ratio_rate${window}`;
}

/** Every window a burn-rate condition reads, shortest first. */
export function burnRateWindows(windows: readonly BurnRateWindow[] = BURN_RATE_WINDOWS): string[] {
  const seconds = (w: string) => Number(w.slice(0, -1)) * { m: 60, h: 3600, d: 86400 }[w.slice(-1) as 'm' | 'h' | 'd'];
  return [...new Set(windows.flatMap((w) => [w.longWindow, w.shortWindow]))].sort((a, b) => seconds(a) - seconds(b));
}

/** The error budget of an availability objective, e.g. 0.001 for 99.9 (rounded: 1 - 0.999 is not exact in binary). */
export function errorBudget(availabilityPercent: number): number {
  return Number((1 - availabilityPercent / 100).toPrecision(6));
}

/** Share of the budget a window's burn spends over its long window, e.g. 0.02 for x14.4 over 1h. */
export function budgetSpent(window: BurnRateWindow, periodDays = SLO_PERIOD_DAYS): number {
  const hours = Number(window.longWindow.slice(0, -1)) * { m: 1 / 60, h: 1, d: 24 }[window.longWindow.slice(-1) as 'm' | 'h' | 'd'];
  return Number(((window.factor * hours) / (periodDays * 24)).toPrecision(6));
}

/** The recording rules: the service's share of 5xx over every window the alerts read. */
export function errorRatioRules(target: SloTarget, windows: readonly BurnRateWindow[] = BURN_RATE_WINDOWS): Rule[] {
  const selector = serviceSelector(target);
  const by = `sum by (namespace, ${SERVICE_LABEL})`;
  return burnRateWindows(windows).map((w) =>
    record(
      errorRatioSeries(w),
      `${by} (rate(${HTTP_SERVER_DURATION_METRIC}_count{${selector},${SERVER_ERROR_MATCHER}}[${w}]))` +
        ` / ${by} (rate(${HTTP_SERVER_DURATION_METRIC}_count{${selector}}[${w}]))`,
    ),
  );
}

/** The burn-rate condition of one severity: any of its window pairs burns faster than its factor on both windows. */
export function burnRateExpression(target: SloTarget, availabilityPercent: number, severity: BurnRateWindow['severity']): string {
  const selector = serviceSelector(target);
  const budget = errorBudget(availabilityPercent);
  return BURN_RATE_WINDOWS.filter((w) => w.severity === severity)
    .map((w) => {
      const threshold = `(${w.factor} * ${budget})`;
      return `(${errorRatioSeries(w.longWindow)}{${selector}} > ${threshold} and ${errorRatioSeries(w.shortWindow)}{${selector}} > ${threshold})`;
    })
    .join(' or ');
}

/** The alerts of one service (its namespace's rule set). */
export function serviceRules(service: ServiceSpec, namespace: string): RuleGroup[] {
  const target: SloTarget = { name: service.name, namespace };
  const selector = serviceSelector(target);
  const labels = { service: service.name, team: service.team };
  const { slo } = service;
  const budget = errorBudget(slo.availabilityPercent);
  const quantile = (q: number) =>
    `histogram_quantile(${q}, sum by (le, namespace, ${SERVICE_LABEL}) (rate(${HTTP_SERVER_DURATION_METRIC}_bucket{${selector}}[5m])))`;

  const burn = (severity: BurnRateWindow['severity']) => {
    const windows = BURN_RATE_WINDOWS.filter((w) => w.severity === severity);
    const spent = windows.map((w) => `${Math.round(budgetSpent(w) * 100)}% in ${w.longWindow}`).join(' or ');
    return alert('SloErrorBudgetBurn', {
      expr: burnRateExpression(target, slo.availabilityPercent, severity),
      severity,
      labels: { ...labels, slo: 'availability' },
      summary: `${service.name} is spending its error budget too fast`,
      description:
        `${service.name} (objective ${slo.availabilityPercent}% of requests without a 5xx over ${SLO_PERIOD_DAYS} days, budget ${budget}) ` +
        `burns its budget at a rate that would spend ${spent}. ` +
        (severity === 'critical' ? 'At this rate the budget is gone within days: act now.' : 'Plan a fix before the budget runs out.'),
      runbook: 'error-budget-burn',
    });
  };

  const latency: Rule[] = [
    alert('LatencyP95AboveObjective', {
      expr: `${quantile(0.95)} > ${slo.latencyP95Millis / 1000}`,
      for: LATENCY_FOR,
      severity: 'critical',
      labels,
      summary: `${service.name} p95 latency is above its ${slo.latencyP95Millis} ms objective`,
      description: `The 95th percentile of ${service.name} request duration has been above ${slo.latencyP95Millis} ms for ${LATENCY_FOR}.`,
      runbook: 'latency-above-objective',
    }),
  ];
  if (slo.latencyP99Millis !== undefined) {
    latency.push(
      alert('LatencyP99AboveObjective', {
        expr: `${quantile(0.99)} > ${slo.latencyP99Millis / 1000}`,
        for: LATENCY_FOR,
        severity: 'warning',
        labels,
        summary: `${service.name} p99 latency is above its ${slo.latencyP99Millis} ms objective`,
        description: `The 99th percentile of ${service.name} request duration has been above ${slo.latencyP99Millis} ms for ${LATENCY_FOR}.`,
        runbook: 'latency-above-objective',
      }),
    );
  }

  const database: Rule[] = service.database
    ? [
        alert('DatabasePoolSaturated', {
          expr:
            `max by (namespace, pod) (db_client_connection_count{${selector},db_client_connection_state="used"})` +
            ` / max by (namespace, pod) (db_client_connection_max{${selector}}) > ${DB_POOL_SATURATION_RATIO}`,
          for: '5m',
          severity: 'warning',
          labels,
          summary: `${service.name}: a pod uses more than ${DB_POOL_SATURATION_RATIO * 100}% of its database connections`,
          description:
            'Pod {{ $labels.pod }} has used most of its connection pool for 5 minutes: requests will queue for a connection ' +
            '(N+1 queries, slow statements or retries piling up). Check the slow query log and the pending requests.',
          runbook: 'database-connections',
        }),
        alert('DatabasePoolRequestsWaiting', {
          expr: `max by (namespace, pod) (db_client_connection_pending_requests{${selector}}) > 0`,
          for: '5m',
          severity: 'critical',
          labels,
          summary: `${service.name}: requests wait for a database connection`,
          description:
            'Pod {{ $labels.pod }} has had requests waiting for a pooled connection for 5 minutes: latency is rising and ' +
            'will turn into timeouts. See the database dashboard (connections per pod, wait time).',
          runbook: 'database-connections',
        }),
      ]
    : [];

  return [
    { name: `${service.name}.slo.recording`, rules: errorRatioRules(target) },
    {
      name: `${service.name}.slo`,
      rules: [
        burn('critical'),
        burn('warning'),
        alert('ServerErrorBurst', {
          expr: `${errorRatioSeries('5m')}{${selector}} > ${ERROR_BURST_RATIO}`,
          for: '5m',
          severity: 'warning',
          labels,
          summary: `${service.name} answers more than ${ERROR_BURST_RATIO * 100}% of requests with a 5xx`,
          description: `For 5 minutes, over ${ERROR_BURST_RATIO * 100}% of ${service.name} requests failed with a 5xx (objective ${slo.availabilityPercent}%).`,
          runbook: 'server-errors',
        }),
        ...latency,
        ...database,
      ],
    },
  ];
}
