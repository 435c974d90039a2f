import { SERVICE_CATALOG, SERVICES, applyOverride, servicesFor } from '../../lib/config/service-catalog';

describe('service catalog', () => {
  test('ships the four services; only the worker has no ingress', () => {
    expect(SERVICES.map((s) => s.name)).toEqual(['web-api', 'auth-service', 'payment-service', 'worker']);
    expect(SERVICES.filter((s) => !s.ingress).map((s) => s.name)).toEqual(['worker']);
    expect(SERVICES.map((s) => s.rollout.strategy)).toEqual(['canary', 'blueGreen', 'canary', 'rolling']);
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
    expect(applyOverride(SERVICES[3], undefined)).toBe(SERVICES[3]);
  });

  test('an image tag override pins another release in one environment', () => {
    const dev = applyOverride(SERVICES[3], { imageTag: '1.1.0-rc.1' });
    expect(dev.image).toEqual({ repository: 'worker', tag: '1.1.0-rc.1' });
    expect(SERVICES[3].image.tag).toBe('1.0.0');
  });
});
