/**
 * Charts to documents in time linear in the size of the app.
 *
 * cdk8s's `Chart.toJson()` first resolves the dependencies of the WHOLE app and validates it, then
 * renders the one chart (`App._synthChart`, cdk8s@2.70.106:lib/app.js); `App.synth()` calls it once
 * per chart, so rendering every chart costs charts x app: quadratic in the number of services
 * (54 s at 50 services, bench/results.json before this file). Resolving is idempotent (it only adds
 * dependencies, to sets), so once is enough: the first chart of each app goes through `toJson()`
 * (resolve, validate, render), every other chart is rendered as cdk8s's own `chartToKube` does
 * (same file: the chart's dependency graph in topological order, its own ApiObjects only), from
 * public API. `test/cdk8s/render.test.ts` proves the result equals `toJson()` chart by chart.
 */
import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import { Construct } from 'constructs';
import { KubeDocument } from './policies';

/** The documents of each chart, in order, each chart rendered once and its app resolved once. */
export function renderCharts(charts: readonly Chart[]): Map<Chart, KubeDocument[]> {
  const resolved = new Set<Construct>();
  const rendered = new Map<Chart, KubeDocument[]>();
  for (const chart of charts) {
    if (rendered.has(chart)) continue;
    const app = App.of(chart);
    if (resolved.has(app)) {
      rendered.set(
        chart,
        apiObjectsOf(chart).map((o) => o.toJson()),
      );
    } else {
      resolved.add(app);
      rendered.set(chart, chart.toJson());
    }
  }
  return rendered;
}

/**
 * The chart's own ApiObjects (not those of a nested chart) in dependency order, as they are
 * written. No rendering: cheap, but only complete once the app's dependencies are resolved.
 */
export function apiObjectsOf(chart: Chart): ApiObject[] {
  return new DependencyGraph(chart.node)
    .topology()
    .filter((c): c is ApiObject => c instanceof ApiObject)
    .filter((o) => Chart.of(o) === chart);
}
