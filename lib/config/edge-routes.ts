/**
 * Which request paths reach the API: one source, the service catalog's `ingress.pathPrefix`.
 *
 * The cdk8s side writes one Ingress path per public service (`pathType: Prefix`); the CDK side
 * turns the same prefixes into CloudFront behaviors to the ALB with `apiPathPatterns`. Neither
 * side lists paths of its own, so a new public service is reachable through CloudFront as soon as
 * it is in the catalog.
 */

/** The part of a catalog entry the routes derive from. */
export interface RoutedService {
  /** Public traffic through the ALB, when present. */
  readonly ingress?: { readonly pathPrefix: string };
}

/**
 * Default quota "Cache behaviors per distribution" of CloudFront. Counted conservatively here with
 * the default behavior included.
 * source: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html
 * (General quotas on distributions)
 */
export const CLOUDFRONT_CACHE_BEHAVIORS_QUOTA = 75;

/** The public path prefixes, longest first (CloudFront takes the first behavior that matches). */
export function apiPathPrefixes(services: readonly RoutedService[]): string[] {
  const prefixes = services.flatMap((s) => (s.ingress ? [s.ingress.pathPrefix] : []));
  return [...new Set(prefixes)].sort((a, b) => b.length - a.length || a.localeCompare(b));
}

/**
 * CloudFront path patterns that send a prefix's requests to the API origin: for `/auth`, the
 * patterns `/auth` and `/auth/*`. That is exactly what an Ingress path `/auth` of type `Prefix`
 * serves (`/auth`, `/auth/`, `/auth/...`), and not `/authors` (which `/auth*` would take from the app).
 */
export function apiPathPatterns(services: readonly RoutedService[]): string[] {
  return apiPathPrefixes(services).flatMap((prefix) => [prefix, `${prefix}/*`]);
}

/** Cache behaviors the distribution needs: the API patterns and the default (app) behavior. */
export function cacheBehaviorCount(services: readonly RoutedService[]): number {
  return apiPathPatterns(services).length + 1;
}

/**
 * Whether CloudFront's path pattern matches a request path: `*` matches any characters (none
 * included), `?` exactly one, everything else itself, case-sensitively; the leading `/` of the
 * pattern is optional. source: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesCacheBehavior.html#DownloadDistValuesPathPattern
 */
export function matchesPathPattern(pattern: string, path: string): boolean {
  const normalized = pattern.startsWith('/') ? pattern : `/${pattern}`;
  const regex = normalized
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${regex}$`, 's').test(path);
}

/**
 * Whether a Kubernetes Ingress path of type `Prefix` matches a request path: element-wise, split
 * by `/` (`/auth` matches `/auth`, `/auth/` and `/auth/login`, not `/authors`).
 * source: https://kubernetes.io/docs/concepts/services-networking/ingress/#path-types
 */
export function matchesIngressPrefix(prefix: string, path: string): boolean {
  const elements = (p: string) => p.split('/').filter((e) => e !== '');
  const want = elements(prefix);
  const have = elements(path);
  return want.length <= have.length && want.every((e, i) => have[i] === e);
}
