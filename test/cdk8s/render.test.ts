import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { syntheticCatalog } from '../../cdk8s/bench';
import { buildCharts, documentsOf, synthManifests } from '../../cdk8s/main';
import { renderRelease } from '../../cdk8s/release';
import { renderCharts } from '../../cdk8s/render';
import { dev, ENVIRONMENTS } from '../../lib/config/environments';
import { EnvironmentRelease } from '../../lib/config/delivery';
import { servicesFor } from '../../lib/config/service-catalog';
import { EnvironmentConfig } from '../../lib/config/types';

/** A fixture catalog larger than the real one, so that a per-service cost would show. */
const CATALOG = syntheticCatalog(6);
const ENVS = ENVIRONMENTS.map((c) => [c.name, c] as [string, EnvironmentConfig]);

afterEach(() => jest.restoreAllMocks());

/** Spies that count how often charts and objects are rendered (they still render). */
function countRenders() {
  const charts = jest.spyOn(Chart.prototype, 'toJson');
  const objects = jest.spyOn(ApiObject.prototype, 'toJson');
  return {
    chartCalls: () => charts.mock.calls.length,
    objectCalls: () => objects.mock.calls.length,
    distinctObjects: () => new Set(objects.mock.contexts).size,
  };
}

describe('renderCharts', () => {
  test.each(ENVS)('%s: every chart renders exactly as cdk8s renders it (Chart.toJson)', (_, config) => {
    // GIVEN the charts of the environment, twice, in separate apps (real catalog and a larger fixture one)
    for (const inputs of [{}, { catalog: CATALOG }]) {
      const reference = buildCharts(new App(), config, inputs);
      const charts = buildCharts(new App(), config, inputs);
      // WHEN each chart is rendered by renderCharts and by cdk8s itself
      const rendered = renderCharts(charts);
      // THEN both give the same documents, in the same order, chart by chart
      expect(charts.map((c) => rendered.get(c))).toEqual(reference.map((c) => c.toJson()));
    }
  });

  test('charts of several apps: each app is resolved (Chart.toJson) once, each object rendered once', () => {
    // GIVEN the charts of two environments, each in its own app, interleaved; their documents as cdk8s renders them
    const prod = ENVIRONMENTS[ENVIRONMENTS.length - 1];
    const expected = [dev, prod].flatMap((config) => buildCharts(new App(), config, { catalog: CATALOG }).map((c) => c.toJson()));
    const [a, b] = [dev, prod].map((config) => buildCharts(new App(), config, { catalog: CATALOG }));
    const counts = countRenders();
    // WHEN they are rendered together
    const rendered = renderCharts([a[0], b[0], ...a.slice(1), ...b.slice(1)]);
    // THEN every chart has its documents, through one Chart.toJson per app and one render per object
    expect([...a, ...b].map((c) => rendered.get(c))).toEqual(expected);
    const total = expected.flat().length;
    expect(counts.chartCalls()).toBe(2);
    expect(counts.objectCalls()).toBe(total);
    expect(counts.distinctObjects()).toBe(total);
  });
});

describe('documents are computed once per chart', () => {
  test('synthManifests renders every object once and resolves each environment once, for the checks and the files', () => {
    // GIVEN two environments and a catalog of six services; how many documents they have
    const environments = [dev, ENVIRONMENTS[ENVIRONMENTS.length - 1]];
    const documents = environments.map((config) => documentsOf(buildCharts(new App(), config, { catalog: CATALOG })).length);
    const counts = countRenders();
    // WHEN the manifests are synthesized
    synthManifests(environments, fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-render-')), { catalog: CATALOG });
    // THEN one Chart.toJson per environment (it resolves the whole app), and each object is rendered once
    expect(counts.chartCalls()).toBe(environments.length);
    const total = documents.reduce((sum, n) => sum + n, 0);
    expect(counts.objectCalls()).toBe(total);
    expect(counts.distinctObjects()).toBe(total);
  });

  test('renderRelease renders every object once for the checks and the files', () => {
    // GIVEN a release of every service of the fixture catalog
    const services = servicesFor(dev, CATALOG);
    const release: EnvironmentRelease = {
      services: Object.fromEntries(
        services.map((s, i) => [
          s.name,
          {
            commit: 'c'.repeat(40),
            image: `sha256:${String(i).repeat(64)}`,
            ...(s.database ? { migrations: `sha256:${'f'.repeat(64)}` } : {}),
          },
        ]),
      ),
    };
    const counts = countRenders();
    // WHEN its files are rendered
    const files = renderRelease(dev, release, CATALOG);
    // THEN one Chart.toJson for the app, one render per document written
    const written = files.reduce((sum, f) => sum + f.documents.length, 0);
    expect(counts.chartCalls()).toBe(1);
    expect(counts.objectCalls()).toBe(written);
    expect(counts.distinctObjects()).toBe(written);
  });
});
