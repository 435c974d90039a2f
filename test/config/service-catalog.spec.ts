import { SERVICE_CATALOG, SERVICES, applyOverride, servicesFor } from '../../lib/config/service-catalog';

describe('service catalog', () => {
  test('names are unique, and the catalog uses every rollout strategy (each has a real service the charts are checked with)', () => {
    const names = SERVICES.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(SERVICES.map((s) => s.rollout.strategy))).toEqual(new Set(['canary', 'blueGreen', 'rolling']));
  });

  test('an environment override replaces only the fields it names', () => {
    // GIVEN web-api, which prod overrides (scaling bounds and requests)
    const base = SERVICES[0];
    const prod = servicesFor('prod')[0];
    // THEN the named fields change and everything else is the catalog's
    expect(prod.scaling).toEqual({ ...base.scaling, minReplicas: 6, maxReplicas: 60 });
    expect(prod.resources).toEqual({ cpuMillis: 500, memoryMiB: 1024 });
    expect({ ...prod, scaling: base.scaling, resources: base.resources }).toEqual(base);
  });

  test('an environment without overrides gets the catalog as is', () => {
    expect(servicesFor('qa')).toEqual(SERVICE_CATALOG.services);
    expect(applyOverride(SERVICES[0], undefined)).toBe(SERVICES[0]);
  });

  test('an image tag override pins another release in one environment', () => {
    const base = SERVICES[0];
    const dev = applyOverride(base, { imageTag: '1.1.0-rc.1' });
    expect(dev.image).toEqual({ repository: base.image.repository, tag: '1.1.0-rc.1' });
    expect(base.image.tag).not.toBe('1.1.0-rc.1');
  });
});
