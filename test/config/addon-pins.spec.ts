import { addonCompatibilityProblems, CHART_PINS, ChartPin, pinCompatibilityProblem } from '../../lib/config/addon-pins';
import { ENVIRONMENTS } from '../../lib/config/environments';

const pin = (kubernetes: ChartPin['kubernetes']): ChartPin => ({
  repoUrl: 'https://charts.example.com',
  chart: 'demo',
  chartVersion: '1.2.3',
  appVersion: 'v1.2.3',
  kubernetes,
  compatibilitySource: 'example/demo@v1.2.3:README.md',
  valuesSource: 'example/demo@v1.2.3:values.yaml',
});

describe('add-on pins and the cluster version', () => {
  test.each(ENVIRONMENTS.map((e) => [e.name, e.kubernetes.version]))('%s: every pinned chart supports Kubernetes %s', (_name, version) => {
    expect(addonCompatibilityProblems(version)).toEqual([]);
  });

  test.each([
    ['1.31', 'below the range'],
    ['1.36', 'above the range'],
  ])('a cluster at %s (%s) is refused with the pin, its range and the source', (version) => {
    expect(pinCompatibilityProblem('demo', pin({ min: '1.32', max: '1.35' }), version)).toBe(
      `"${version}" is outside what the pinned demo chart 1.2.3 (v1.2.3) supports: Kubernetes 1.32..1.35 (example/demo@v1.2.3:README.md); pin a release that supports it in lib/config/addon-pins.ts`,
    );
  });

  test('an open-ended upstream range checks the lower bound only', () => {
    expect(pinCompatibilityProblem('demo', pin({ min: '1.22' }), '1.40')).toBeUndefined();
    expect(pinCompatibilityProblem('demo', pin({ min: '1.22' }), '1.21')).toBe(
      '"1.21" is outside what the pinned demo chart 1.2.3 (v1.2.3) supports: Kubernetes 1.22 and later (example/demo@v1.2.3:README.md); pin a release that supports it in lib/config/addon-pins.ts',
    );
  });

  test('raising the clusters one minor past the pins is caught (the next upgrade needs new pins first)', () => {
    // Argo CD 3.4, Argo Rollouts 1.9.1 are tested through 1.35 only.
    expect(addonCompatibilityProblems('1.36').map((p) => p.split(' chart ')[0])).toEqual([
      '"1.36" is outside what the pinned argo-cd',
      '"1.36" is outside what the pinned argo-rollouts',
    ]);
  });

  test('every pin is exact and names where its range and values keys were read', () => {
    for (const p of Object.values(CHART_PINS) as ChartPin[]) {
      expect(p.chartVersion).toMatch(/^\d+\.\d+\.\d+$/);
      expect(p.compatibilitySource).toMatch(/^[\w-]+\/[\w-]+@\S+:\S+/);
      expect(p.valuesSource).toMatch(/^[\w-]+\/[\w-]+@\S+.*:\S+values\.yaml$/);
    }
  });
});
