import { App } from 'cdk8s';
import { buildCharts, documentsOf } from '../../../cdk8s/main';
import { KubeDocument } from '../../../cdk8s/policies';
import { EMITTED_METRICS, emittedFamilies } from '../../../cdk8s/monitoring/metrics';
import { ENVIRONMENTS } from '../../../lib/config/environments';
import { parsePromql } from './promql';

/** Every PromQL expression of an environment's manifests, with where it is. */
function expressions(docs: readonly KubeDocument[]): { where: string; expr: string }[] {
  const rules = docs
    .filter((d) => d.kind === 'PrometheusRule')
    .flatMap((d) =>
      d.spec.groups.flatMap((g: { name: string; rules: { alert?: string; record?: string; expr: string }[] }) =>
        g.rules.map((r) => ({ where: `PrometheusRule ${d.metadata.name} ${g.name} ${r.alert ?? r.record}`, expr: r.expr })),
      ),
    );
  const analyses = docs
    .filter((d) => d.kind === 'AnalysisTemplate')
    .flatMap((d) =>
      d.spec.metrics.map((m: { name: string; provider: { prometheus: { query: string } } }) => ({
        where: `AnalysisTemplate ${d.metadata.name} ${m.name}`,
        expr: m.provider.prometheus.query,
      })),
    );
  const dashboards = docs
    .filter((d) => d.kind === 'ConfigMap' && d.metadata.labels?.grafana_dashboard === '1')
    .flatMap((d) =>
      Object.values(d.data as Record<string, string>).flatMap((json) => {
        const dashboard = JSON.parse(json);
        return dashboard.panels.flatMap((p: { title: string; targets: { expr: string }[] }) =>
          p.targets.map((t) => ({ where: `dashboard ${dashboard.uid} "${p.title}"`, expr: t.expr })),
        );
      }),
    );
  return [...rules, ...analyses, ...dashboards];
}

/** Series the manifests' own recording rules write. */
const recorded = (docs: readonly KubeDocument[]): Set<string> =>
  new Set(
    docs
      .filter((d) => d.kind === 'PrometheusRule')
      .flatMap((d) => d.spec.groups.flatMap((g: { rules: { record?: string }[] }) => g.rules.flatMap((r) => (r.record ? [r.record] : [])))),
  );

describe.each(ENVIRONMENTS.map((c) => [c.name, c] as const))('%s: every PromQL expression', (_name, config) => {
  const docs = documentsOf(buildCharts(new App(), config));
  const all = expressions(docs);

  test('rules, rollout analyses and dashboards are all found (the check is not vacuous)', () => {
    const kinds = new Set(all.map((e) => e.where.split(' ')[0]));
    expect(kinds).toEqual(new Set(['PrometheusRule', 'AnalysisTemplate', 'dashboard']));
    expect(all.length).toBeGreaterThan(50);
  });

  test("parses with Prometheus's grammar (@prometheus-io/lezer-promql)", () => {
    const broken = all.flatMap(({ where, expr }) => parsePromql(expr).errors.map((e) => `${where}: ${e}`));
    expect(broken).toEqual([]);
  });

  test('reads only metrics something in the platform emits, or a series its own rules record', () => {
    const known = emittedFamilies();
    const own = recorded(docs);
    const unknown = all.flatMap(({ where, expr }) =>
      parsePromql(expr)
        .metrics.filter((m) => !known.has(m) && !own.has(m))
        .map((m) => `${where}: ${m}`),
    );
    expect(unknown).toEqual([]);
  });

  test('every listed metric family is read somewhere (no stale entry in the list)', () => {
    const read = new Set(all.flatMap(({ expr }) => parsePromql(expr).metrics));
    const stale = EMITTED_METRICS.flatMap((s) => s.families).filter((f) => !read.has(f));
    expect(stale).toEqual([]);
  });
});

describe('the checks catch what they are for', () => {
  test('a syntax error is reported with its position', () => {
    expect(parsePromql('sum(rate(up[5m])').errors).not.toEqual([]);
    expect(parsePromql('rate(up[$__rate_interval])').errors).not.toEqual([]);
    expect(parsePromql('sum by (le) (rate(http_server_request_duration_seconds_bucket{a="b"}[5m]))').errors).toEqual([]);
  });

  test('metric names come from the syntax tree: not label names, functions, grouping labels or strings', () => {
    expect(
      parsePromql('histogram_quantile(0.95, sum by (le, pod) (rate(a_bucket{b="c_total"}[5m]))) / on (pod) group_left max(d)').metrics,
    ).toEqual(['a_bucket', 'd']);
    expect(emittedFamilies().has('http_server_requests_total')).toBe(false);
  });
});
