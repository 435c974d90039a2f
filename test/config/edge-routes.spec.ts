import {
  apiPathPatterns,
  apiPathPrefixes,
  cacheBehaviorCount,
  matchesIngressPrefix,
  matchesPathPattern,
} from '../../lib/config/edge-routes';
import { SERVICES } from '../../lib/config/service-catalog';

describe('edge routes', () => {
  test('every public prefix of the catalog becomes two patterns: the prefix itself and everything below it', () => {
    // GIVEN a catalog where /api, /auth and /payments are public and one service is not
    const catalog = [
      { ingress: { pathPrefix: '/api' } },
      { ingress: { pathPrefix: '/auth' } },
      { ingress: { pathPrefix: '/payments' } },
      {},
    ];
    // WHEN the patterns are derived
    const patterns = apiPathPatterns(catalog);
    // THEN each public prefix is routed, the longest first, and nothing else
    expect(patterns).toEqual(['/payments', '/payments/*', '/auth', '/auth/*', '/api', '/api/*']);
    expect(cacheBehaviorCount(catalog)).toBe(7);
    // and the shipped catalog: two behaviours per public prefix, plus the default
    expect(cacheBehaviorCount(SERVICES)).toBe(2 * SERVICES.filter((s) => s.ingress).length + 1);
  });

  test('a nested prefix comes before its parent, so CloudFront (first match wins) takes the more specific one', () => {
    expect(apiPathPrefixes([{ ingress: { pathPrefix: '/api' } }, { ingress: { pathPrefix: '/api/v2' } }, {}])).toEqual(['/api/v2', '/api']);
  });

  test.each([
    ['/api/*', '/api/users/1', true],
    ['/api/*', '/api/', true],
    ['/api/*', '/api', false],
    ['/api', '/api', true],
    ['/api', '/api/', false],
    ['/api/*', '/apis/x', false],
    ['/api/*', '/API/x', false],
    ['api/*', '/api/x', true],
    ['/a?c', '/abc', true],
    ['/a?c', '/ac', false],
    ['/*.jpg', '/img/x.jpg', true],
    ['/a.c', '/abc', false],
    ['*', '/anything', true],
  ])('CloudFront pattern %s matches %s: %s', (pattern, path, matches) => {
    expect(matchesPathPattern(pattern, path)).toBe(matches);
  });

  test.each([
    ['/auth', '/auth', true],
    ['/auth', '/auth/', true],
    ['/auth', '/auth/login', true],
    ['/auth', '/authors', false],
    ['/auth', '/', false],
    ['/api/v2', '/api/v2/x', true],
    ['/api/v2', '/api/v3', false],
  ])('Ingress Prefix %s matches %s: %s', (prefix, path, matches) => {
    expect(matchesIngressPrefix(prefix, path)).toBe(matches);
  });

  test.each(['/auth', '/auth/', '/auth/login/callback'])(
    'whatever the Ingress prefix /auth serves (%s), one of its two CloudFront patterns matches',
    (path) => {
      expect(matchesIngressPrefix('/auth', path)).toBe(true);
      expect(apiPathPatterns([{ ingress: { pathPrefix: '/auth' } }]).some((p) => matchesPathPattern(p, path))).toBe(true);
    },
  );

  test('the patterns do not take paths the Ingress does not serve (they stay with the app)', () => {
    const patterns = apiPathPatterns([{ ingress: { pathPrefix: '/auth' } }]);
    for (const path of ['/authors', '/authentication/x', '/', '/index.html']) {
      expect(patterns.some((p) => matchesPathPattern(p, path))).toBe(false);
    }
  });
});
