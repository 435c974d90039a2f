/**
 * Validation of what the edge derives from the environments and the service catalog together:
 * CloudFront's behaviors (one pair per public path prefix) within its quota, the health-check path
 * served by some Ingress, and the config-derived bucket names within S3's length limit. Pure; every
 * problem at once, in the `{ path, message }` shape of the other validators. Malformed input is
 * left to `validateEnvironments` and `validateServices`, which report it.
 */
import { albAccessLogsBucketName, assetsBucketName, MAX_BUCKET_NAME_LENGTH } from './edge-names';
import { apiPathPrefixes, cacheBehaviorCount, CLOUDFRONT_CACHE_BEHAVIORS_QUOTA, matchesIngressPrefix, RoutedService } from './edge-routes';
import { ConfigProblem } from './validate';

/** What this validator reads of an environment. */
export interface EdgeEnvironment {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly edge: { readonly healthCheckPath: string };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const isEdgeEnvironment = (e: unknown): e is EdgeEnvironment =>
  isObj(e) &&
  typeof e.name === 'string' &&
  typeof e.account === 'string' &&
  typeof e.region === 'string' &&
  isObj(e.edge) &&
  typeof e.edge.healthCheckPath === 'string';

const routedServices = (catalog: unknown): RoutedService[] => {
  if (!isObj(catalog) || !Array.isArray(catalog.services)) return [];
  return catalog.services.filter(
    (s): s is RoutedService => isObj(s) && (s.ingress === undefined || (isObj(s.ingress) && typeof s.ingress.pathPrefix === 'string')),
  );
};

/** Every problem of the edge that only the environments and the catalog together show. */
export function validateEdge(environments: unknown, catalog: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const services = routedServices(catalog);
  const prefixes = apiPathPrefixes(services);

  const behaviors = cacheBehaviorCount(services);
  if (behaviors > CLOUDFRONT_CACHE_BEHAVIORS_QUOTA) {
    problems.push({
      path: 'catalog.services',
      message: `${prefixes.length} ingress path prefixes need ${behaviors} CloudFront behaviors (two per prefix and the default), above the default quota of ${CLOUDFRONT_CACHE_BEHAVIORS_QUOTA} per distribution; serve fewer prefixes, or raise the quota and CLOUDFRONT_CACHE_BEHAVIORS_QUOTA`,
    });
  }

  for (const env of Array.isArray(environments) ? environments.filter(isEdgeEnvironment) : []) {
    const path = env.edge.healthCheckPath;
    if (prefixes.length > 0 && !prefixes.some((prefix) => matchesIngressPrefix(prefix, path))) {
      problems.push({
        path: `${env.name}.edge.healthCheckPath`,
        message: `"${path}" is not served by any Ingress; use a path under one of ${prefixes.join(', ')} (Route 53 and the probe would reach no service)`,
      });
    }
    for (const [what, bucket] of [
      ['ALB access-log', albAccessLogsBucketName(env.name, env.account, env.region)],
      ['assets', assetsBucketName(env.name, env.account, env.region)],
    ]) {
      if (bucket.length > MAX_BUCKET_NAME_LENGTH) {
        problems.push({
          path: `${env.name}.name`,
          message: `makes the ${what} bucket name "${bucket}" ${bucket.length} characters long; S3 allows ${MAX_BUCKET_NAME_LENGTH}, use a shorter environment name`,
        });
      }
    }
  }
  return problems;
}
