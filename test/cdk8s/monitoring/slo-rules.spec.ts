import { App } from 'cdk8s';
import { buildCharts, documentsOf } from '../../../cdk8s/main';
import { sloMetrics } from '../../../cdk8s/constructs/slo-analysis';
import { KubeDocument } from '../../../cdk8s/policies';
import {
  BURN_RATE_WINDOWS,
  budgetSpent,
  burnRateExpression,
  burnRateWindows,
  errorBudget,
  errorRatioRules,
  errorRatioSeries,
  serviceRules,
} from '../../../cdk8s/monitoring/slo-rules';
import { Rule, expressionsOf, recordedNames } from '../../../cdk8s/monitoring/rules';
import { ENVIRONMENTS } from '../../../lib/config/environments';
import { serviceNamespace } from '../../../lib/config/naming';
import { SERVICES, ServiceSpec, servicesFor } from '../../../lib/config/service-catalog';
import { parsePromql } from './promql';

const target = { name: 'web-api', namespace: 'apps' };
const sel = 'namespace="apps",app_kubernetes_io_name="web-api"';

describe('multi-window, multi-burn-rate alerts (Google SRE workbook, "Alerting on SLOs")', () => {
  test('the windows and factors: page on 2% of the budget in 1h or 5% in 6h, ticket on 10% in 1d or 3d', () => {
    // The workbook's table for a 30-day SLO: burn rate = budget share x 30d / long window.
    expect(BURN_RATE_WINDOWS.map((w) => [w.severity, w.longWindow, w.shortWindow, w.factor])).toEqual([
      ['critical', '1h', '5m', 14.4],
      ['critical', '6h', '30m', 6],
      ['warning', '1d', '2h', 3],
      ['warning', '3d', '6h', 1],
    ]);
    expect(BURN_RATE_WINDOWS.map((w) => budgetSpent(w))).toEqual([0.02, 0.05, 0.1, 0.1]);
    // each short window is 1/12 of its long window
    const minutes = (w: string) => Number(w.slice(0, -1)) * { m: 1, h: 60, d: 1440 }[w.slice(-1) as 'm' | 'h' | 'd'];
    for (const w of BURN_RATE_WINDOWS) expect(minutes(w.longWindow) / minutes(w.shortWindow)).toBe(12);
  });

  test.each([
    [99.9, 0.001],
    [99.95, 0.0005],
    [99.5, 0.005],
    [99, 0.01],
  ])('an objective of %s%% leaves an error budget of %s', (availability, budget) => {
    expect(errorBudget(availability)).toBe(budget);
  });

  test('from an SLO of 99.9%: the page fires when both windows of a pair burn faster than 14.4x or 6x the 0.001 budget', () => {
    expect(burnRateExpression(target, 99.9, 'critical')).toBe(
      `(sli:http_server_errors:ratio_rate1h{${sel}} > (14.4 * 0.001) and sli:http_server_errors:ratio_rate5m{${sel}} > (14.4 * 0.001))` +
        ` or (sli:http_server_errors:ratio_rate6h{${sel}} > (6 * 0.001) and sli:http_server_errors:ratio_rate30m{${sel}} > (6 * 0.001))`,
    );
    expect(burnRateExpression(target, 99.9, 'warning')).toBe(
      `(sli:http_server_errors:ratio_rate1d{${sel}} > (3 * 0.001) and sli:http_server_errors:ratio_rate2h{${sel}} > (3 * 0.001))` +
        ` or (sli:http_server_errors:ratio_rate3d{${sel}} > (1 * 0.001) and sli:http_server_errors:ratio_rate6h{${sel}} > (1 * 0.001))`,
    );
  });

  test('the recorded error ratio is the canary analysis SLI: the same histogram, selector and 5xx matcher, over each window', () => {
    expect(burnRateWindows()).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d']);
    const rules = errorRatioRules(target);
    expect(rules.map((r) => r.record)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d'].map(errorRatioSeries));
    expect(rules[2].expr).toBe(
      `sum by (namespace, app_kubernetes_io_name) (rate(http_server_request_duration_seconds_count{${sel},http_response_status_code=~"5.."}[1h]))` +
        ` / sum by (namespace, app_kubernetes_io_name) (rate(http_server_request_duration_seconds_count{${sel}}[1h]))`,
    );
    // the analysis counts the complement (not 5xx) of the same series
    const [success] = sloMetrics(target, { availabilityPercent: 99.9, latencyP95Millis: 200 });
    expect(success.query).toContain('http_server_request_duration_seconds_count{namespace="apps",app_kubernetes_io_name="web-api",');
    expect(success.query).toContain('http_response_status_code!~"5.."');
  });

  test('every series an alert reads is recorded by the same rule set', () => {
    for (const service of SERVICES) {
      const groups = serviceRules(service, serviceNamespace(service));
      const recorded = recordedNames(groups);
      const read = expressionsOf(groups).flatMap((e) => parsePromql(e).metrics.filter((m) => m.startsWith('sli:')));
      expect(read.length).toBeGreaterThan(0);
      for (const m of read) expect([service.name, m, recorded.includes(m)]).toEqual([service.name, m, true]);
    }
  });
});

describe.each(ENVIRONMENTS.map((c) => [c.name, c] as const))('%s: each service gets the alerts of its own SLO', (name, config) => {
  const docs: KubeDocument[] = documentsOf(buildCharts(new App(), config));
  test.each(servicesFor(name).map((s) => [s.name, s] as [string, ServiceSpec]))('%s', (_n, service) => {
    const namespace = serviceNamespace(service);
    const ruleSet = docs.find((d) => d.kind === 'PrometheusRule' && d.metadata.name === `${service.name}-slo`)!;
    expect(ruleSet.metadata.namespace).toBe(namespace);
    const rules: Rule[] = ruleSet.spec.groups.flatMap((g: { rules: Rule[] }) => g.rules);
    const alerts = (alertName: string) => rules.filter((r) => r.alert === alertName);
    const budget = errorBudget(service.slo.availabilityPercent);

    // burn rate: one alert per severity, thresholds from this service's objective and the workbook factors
    const burn = alerts('SloErrorBudgetBurn');
    expect(burn.map((r) => r.labels!.severity)).toEqual(['critical', 'warning']);
    for (const w of BURN_RATE_WINDOWS) {
      const rule = burn.find((r) => r.labels!.severity === w.severity)!;
      expect(rule.expr).toContain(
        `${errorRatioSeries(w.longWindow)}{namespace="${namespace}",app_kubernetes_io_name="${service.name}"} > (${w.factor} * ${budget})`,
      );
      expect(rule.expr).toContain(
        `${errorRatioSeries(w.shortWindow)}{namespace="${namespace}",app_kubernetes_io_name="${service.name}"} > (${w.factor} * ${budget})`,
      );
    }
    expect(burn[0].labels).toMatchObject({ service: service.name, team: service.team, slo: 'availability' });

    // latency: the p95 objective pages, the p99 one (when set) warns
    const [p95] = alerts('LatencyP95AboveObjective');
    expect(p95.expr).toMatch(new RegExp(`^histogram_quantile\\(0\\.95, .* > ${service.slo.latencyP95Millis / 1000}$`));
    expect(p95.labels!.severity).toBe('critical');
    const p99 = alerts('LatencyP99AboveObjective');
    if (service.slo.latencyP99Millis === undefined) expect(p99).toEqual([]);
    else expect(p99[0].expr).toMatch(new RegExp(`^histogram_quantile\\(0\\.99, .* > ${service.slo.latencyP99Millis / 1000}$`));

    // the connection pool alerts exist for database users only
    expect(alerts('DatabasePoolSaturated').length).toBe(service.database ? 1 : 0);
    expect(alerts('DatabasePoolRequestsWaiting').length).toBe(service.database ? 1 : 0);
    expect(alerts('ServerErrorBurst')).toHaveLength(1);

    // every alert says which service and team, has a severity and a runbook
    for (const r of rules.filter((x) => x.alert)) {
      expect(r.labels).toMatchObject({
        service: service.name,
        team: service.team,
        severity: expect.stringMatching(/^(critical|warning)$/),
      });
      expect(r.annotations!.runbook_url).toMatch(/^docs\/runbooks\.md#[a-z-]+$/);
    }
  });
});
