import { dev, ENVIRONMENTS, prod } from '../../lib/config/environments';
import { apiPathPrefixes } from '../../lib/config/edge-routes';
import { SERVICE_CATALOG, ServiceSpec } from '../../lib/config/service-catalog';
import { validateEdge } from '../../lib/config/validate-edge';
import { withValue } from '../helpers';

/** A catalog with `count` public services at /api, /s1, /s2, ... */
const catalogWith = (count: number) => ({
  ...SERVICE_CATALOG,
  services: Array.from({ length: count }, (_, i) => ({
    ...SERVICE_CATALOG.services[0],
    name: `s${i}`,
    ingress: { pathPrefix: i === 0 ? '/api' : `/s${i}` },
  })),
});

describe('validateEdge', () => {
  test('the shipped environments and catalog are valid', () => {
    expect(validateEdge(ENVIRONMENTS, SERVICE_CATALOG)).toEqual([]);
  });

  test('more public prefixes than CloudFront has behaviors for is one problem on the catalog', () => {
    // GIVEN 37 public prefixes (74 API behaviors and the default: 75, the quota), then 38
    expect(validateEdge([dev], catalogWith(37))).toEqual([]);
    expect(validateEdge([dev], catalogWith(38))).toEqual([
      {
        path: 'catalog.services',
        message:
          '38 ingress path prefixes need 77 CloudFront behaviors (two per prefix and the default), above the default quota of 75 per distribution; serve fewer prefixes, or raise the quota and CLOUDFRONT_CACHE_BEHAVIORS_QUOTA',
      },
    ]);
  });

  test('a health-check path no Ingress serves is reported per environment (Route 53 and the probe would reach nothing)', () => {
    const broken = withValue(prod, 'edge.healthCheckPath', '/healthz');
    expect(validateEdge([dev, broken], SERVICE_CATALOG)).toEqual([
      {
        path: 'prod.edge.healthCheckPath',
        message: `"/healthz" is not served by any Ingress; use a path under one of ${apiPathPrefixes(SERVICE_CATALOG.services).join(', ')} (Route 53 and the probe would reach no service)`,
      },
    ]);
  });

  test('a path that only looks like a prefix (/apix under /api) is not served', () => {
    expect(validateEdge([withValue(dev, 'edge.healthCheckPath', '/apix/healthz')], SERVICE_CATALOG).map((p) => p.path)).toEqual([
      'dev.edge.healthCheckPath',
    ]);
  });

  test('an environment name that makes a config-derived bucket name longer than 63 characters is refused', () => {
    // GIVEN a 16-character name (the longest the environment validator allows) in a long region
    const longer = withValue(withValue(dev, 'name', 'development-eu12'), 'region', 'ap-southeast-3');
    expect(validateEdge([longer], SERVICE_CATALOG)).toEqual([
      {
        path: 'development-eu12.name',
        message:
          'makes the ALB access-log bucket name "saas-platform-development-eu12-alb-logs-111111111111-ap-southeast-3" 67 characters long; S3 allows 63, use a shorter environment name',
      },
      {
        path: 'development-eu12.name',
        message:
          'makes the assets bucket name "saas-platform-development-eu12-assets-111111111111-ap-southeast-3" 65 characters long; S3 allows 63, use a shorter environment name',
      },
    ]);
  });

  test('malformed input is left to the other validators (no crash, no duplicate report)', () => {
    expect(validateEdge('nope', 'nope')).toEqual([]);
    expect(validateEdge([{ name: 'x' }, null], { services: [{ ingress: 'x' } as unknown as ServiceSpec] })).toEqual([]);
  });
});
