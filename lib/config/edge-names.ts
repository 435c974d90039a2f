/**
 * Names of the edge: host names, Route 53 record names, WebACL, bucket, queue, secret and log
 * group names. CDK (Data, Edge, EdgeGlobal, EdgeContent and Webhooks stacks) and cdk8s (the
 * IngressClassParams, Ingress annotations, ExternalDNS, the worker's queue) both call these
 * functions, so the two sides cannot drift apart. Pure functions of config; no string in the edge
 * is pasted.
 *
 * The API origin record set (see docs/architecture/edge.md and docs/decisions/0001-alb-ownership.md):
 *
 * ```
 * api.<zone>                      A/AAAA alias -> CloudFront (viewers)
 * api-origin.<zone>               CloudFront's API origin, owned by CDK: CNAME -> api-origin-primary
 * api-origin-primary.<zone>       weighted CNAMEs (edge.blueGreenWeights) of the colors with weight > 0
 * api-origin-blue.<zone>          the blue cluster's ALB, published by its ExternalDNS
 * api-origin-green.<zone>         the green cluster's ALB, published by its ExternalDNS (only during a cut-over)
 * ```
 *
 * There is no failover record to the DR region: it is a pilot light without an API origin until a
 * failover brings one up (ADR 0008, docs/backup-and-dr.md), and no record or health check may
 * point at a name nothing publishes (test/contracts/dns-targets.spec.ts).
 */
import { apiOriginHost, ingressGroupName, kmsAliasName, secretsManagerName } from './naming';
import { PLATFORM } from './platform';

/** The two API origins a blue/green cut-over moves traffic between. */
export const API_ORIGIN_COLORS = ['blue', 'green'] as const;

/** One of `API_ORIGIN_COLORS`. */
export type ApiOriginColor = (typeof API_ORIGIN_COLORS)[number];

/** The part of the environment config the edge names derive from. */
export interface EdgeNamesInput {
  /** Environment name, e.g. `prod`. */
  readonly name: string;
  /** DR region. @default - no DR origin */
  readonly drRegion?: string;
  readonly domain: { readonly zoneName: string };
  readonly edge: { readonly appSubdomain: string; readonly apiSubdomain: string };
}

/** Host of the Angular app, e.g. `app.example.com`. */
export function appHost(config: EdgeNamesInput): string {
  return `${config.edge.appSubdomain}.${config.domain.zoneName}`;
}

/** Host of the REST API as clients see it (CloudFront), e.g. `api.example.com`. */
export function apiHost(config: EdgeNamesInput): string {
  return `${config.edge.apiSubdomain}.${config.domain.zoneName}`;
}

/**
 * The ALB of one cluster in the primary region, e.g. `api-origin-blue.example.com`; its ExternalDNS
 * publishes it, and the Route 53 health check of that color calls it.
 */
export function apiOriginColorHost(zoneName: string, color: ApiOriginColor): string {
  return `api-origin-${color}.${zoneName}`;
}

/** The weighted blue/green record set of the primary region, e.g. `api-origin-primary.example.com`. */
export function apiOriginPrimaryHost(zoneName: string): string {
  return `api-origin-primary.${zoneName}`;
}

/**
 * The colors that receive traffic (weight > 0), in `API_ORIGIN_COLORS` order: the only ones with a
 * weighted record and a health check. A color out of rotation has no cluster behind it, so nothing
 * publishes its name; a cut-over first brings the cluster up, then gives its color a weight.
 */
export function liveApiOriginColors(weights: Readonly<Record<ApiOriginColor, number>>): ApiOriginColor[] {
  return API_ORIGIN_COLORS.filter((color) => weights[color] > 0);
}

/**
 * Every host an API ALB answers for in the primary region: the origin name CloudFront sends as
 * Host and SNI, and the color names the health checks send. The regional certificate covers them
 * all, and each Ingress lists them as rule hosts.
 */
export function apiOriginCertificateHosts(zoneName: string): string[] {
  return [apiOriginHost(zoneName), ...API_ORIGIN_COLORS.map((color) => apiOriginColorHost(zoneName, color))];
}

/** Key prefix of the ALB access logs in the logs bucket (`access_logs.s3.prefix`), e.g. `alb/prod`. */
export function albAccessLogsPrefix(environmentName: string): string {
  return `alb/${environmentName}`;
}

/** Key prefix of the CloudFront access logs in the logs bucket, e.g. `cloudfront/prod/`. */
export function cloudFrontLogsPrefix(environmentName: string): string {
  return `cloudfront/${environmentName}/`;
}

/** Scope of a WebACL, as WAF names it. */
export type WebAclScopeName = 'CLOUDFRONT' | 'REGIONAL';

/**
 * Log group of a WebACL; WAF only logs to groups whose name starts with `aws-waf-logs-`,
 * e.g. `aws-waf-logs-saas-platform-prod-cloudfront`.
 */
export function wafLogGroupName(environmentName: string, scope: WebAclScopeName): string {
  return `aws-waf-logs-${PLATFORM.application}-${environmentName}-${scope.toLowerCase()}`;
}

/**
 * Key of the webhook signing secret under the environment's secrets (a platform secret: its
 * readers are platform functions). No catalog secret's name may start with it (validated): the
 * secret-read alarm tells application secrets from it by name.
 */
export const WEBHOOK_SIGNING_SECRET_KEY = 'webhook-signing-secret';

/** Name of the Secrets Manager secret webhook senders sign with, e.g. `saas-platform/prod/webhook-signing-secret`. */
export function webhookSigningSecretName(environmentName: string): string {
  return secretsManagerName(environmentName, WEBHOOK_SIGNING_SECRET_KEY);
}

/** Name of an environment's WebACL of one scope, e.g. `saas-platform-prod-regional` (the ALB's, named by the IngressClassParams). */
export function webAclName(environmentName: string, scope: WebAclScopeName): string {
  return `${PLATFORM.application}-${environmentName}-${scope.toLowerCase()}`;
}

/**
 * Name of the bucket the ALB writes its access logs to, e.g. `saas-platform-prod-alb-logs-333333333333-eu-west-1`:
 * the Data stack creates it under this name, the IngressClassParams names it (`access_logs.s3.bucket`).
 */
export function albAccessLogsBucketName(environmentName: string, account: string, region: string): string {
  return `${PLATFORM.application}-${environmentName}-alb-logs-${account}-${region}`;
}

/**
 * Name of the bucket holding the Angular build, e.g. `saas-platform-prod-assets-333333333333-eu-west-1`:
 * the EdgeContent stack creates it, CloudFront reads it, the pipeline uploads to it.
 */
export function assetsBucketName(environmentName: string, account: string, region: string): string {
  return `${PLATFORM.application}-${environmentName}-assets-${account}-${region}`;
}

/** Key prefix of the assets bucket's server access logs in the `logs` bucket. */
export const ASSETS_ACCESS_LOGS_PREFIX = 's3/assets/';

/** Longest name S3 accepts for a bucket. */
export const MAX_BUCKET_NAME_LENGTH = 63;

/**
 * IngressClass (and its IngressClassParams) every service's Ingress names, e.g. `saas-platform-prod`:
 * the ALB-level settings of the environment's one ALB live there once.
 */
export function albIngressClassName(environmentName: string): string {
  return ingressGroupName(environmentName);
}

/**
 * Header CloudFront adds to every request to the API origin, with a value from Secrets Manager
 * (rotated); the REGIONAL WebACL blocks requests to the ALB without a valid one.
 */
export const ORIGIN_VERIFY_HEADER = 'X-Origin-Verify';

/**
 * Header a CloudFront Function on the API behaviors sets to the viewer's address (`event.viewer.ip`),
 * overwriting whatever a client sent; the REGIONAL WebACL's rate limit keys on it.
 */
export const VIEWER_IP_HEADER = 'X-Viewer-Ip';

/** Name of the rule of the REGIONAL WebACL that checks `ORIGIN_VERIFY_HEADER`; the rotation rewrites its accepted values. */
export const ORIGIN_VERIFY_RULE_NAME = 'OriginVerify';

/** Name of the SQS queue accepted webhook events wait in for the `worker` service, e.g. `saas-platform-prod-webhook-events`. */
export function webhookQueueName(environmentName: string): string {
  return `${PLATFORM.application}-${environmentName}-webhook-events`;
}

/** Name of the dead-letter queue of `webhookQueueName`, e.g. `saas-platform-prod-webhook-events-dlq`. */
export function webhookDeadLetterQueueName(environmentName: string): string {
  return `${webhookQueueName(environmentName)}-dlq`;
}

/** ARN of the webhook queue (the worker's pod role may receive and delete from it). */
export function webhookQueueArn(environmentName: string, account: string, region: string): string {
  return `arn:aws:sqs:${region}:${account}:${webhookQueueName(environmentName)}`;
}

/** URL of the webhook queue (the worker's `QueueUrl`). */
export function webhookQueueUrl(environmentName: string, account: string, region: string): string {
  return `https://sqs.${region}.amazonaws.com/${account}/${webhookQueueName(environmentName)}`;
}

/** Alias of the KMS key the webhook queues and the delivery-ID table are encrypted with (the worker needs kms:Decrypt). */
export function webhookKeyAliasName(environmentName: string): string {
  return kmsAliasName(environmentName, 'webhooks');
}

/**
 * Assumed upper bound of one webhook invocation (cached secret, one HMAC, one conditional write,
 * one SendMessage, one update). With it, a steady rate fixes the concurrency the handler needs.
 */
export const WEBHOOK_INVOCATION_MILLIS = 200;

/** Concurrent executions the webhook handler needs at a steady rate: rate x duration, at least 2. */
export function webhookConcurrency(ratePerSecond: number): number {
  return Math.max(2, Math.ceil((ratePerSecond * WEBHOOK_INVOCATION_MILLIS) / 1000));
}
