import { main, manifestBenchTable } from '../../bin/bench-manifests';
import { benchManifests, syntheticCatalog } from '../../cdk8s/bench';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { validateServices } from '../../lib/config/validate-services';

// Timings are measured by `npm run bench`, never asserted here: these tests check the harness.
describe('manifest benchmark harness', () => {
  test('generated catalogs are valid and as large as asked, cycling through every strategy', () => {
    const catalog = syntheticCatalog(7);
    expect(catalog.services.map((s) => s.name)).toEqual(['svc-0', 'svc-1', 'svc-2', 'svc-3', 'svc-4', 'svc-5', 'svc-6']);
    expect(new Set(catalog.services.map((s) => s.rollout.strategy))).toEqual(new Set(['rolling', 'canary', 'blueGreen']));
    expect(validateServices(catalog, ENVIRONMENTS)).toEqual([]);
  });

  test('benchManifests reports one row per count, a per-service slope and the catalog time', () => {
    const result = benchManifests([2, 1], 1);
    expect(result.rows.map((r) => r.services)).toEqual([1, 2]);
    expect(result.rows.every((r) => r.samplesMillis.length === 1 && r.medianMillis > 0)).toBe(true);
    expect(result.perServiceMillis).toBeCloseTo(result.rows[1].medianMillis - result.rows[0].medianMillis, 6);
    expect(result.catalogMillis).toBeGreaterThan(0);
    expect(benchManifests([1], 1).perServiceMillis).toBe(0);
  });

  test('the table states both targets, met or missed', () => {
    const table = manifestBenchTable({
      rows: [{ services: 5, medianMillis: 50, samplesMillis: [50, 49, 51] }],
      perServiceMillis: 31,
      catalogMillis: 900,
    });
    expect(table).toContain('| 5 services | 50 ms | 50, 49, 51 |');
    expect(table).toContain('| per added service <= 30 ms | 31.0 ms | **missed** |');
    expect(table).toContain('| whole catalog, all environments <= 2 s | 0.90 s | met |');
  });

  test('the runnable entry prints the table', () => {
    const out: string[] = [];
    expect(main(['2'], (t) => out.push(t), [1, 2])).toBe(0);
    expect(out[0]).toContain('| 2 services |');
  });
});
