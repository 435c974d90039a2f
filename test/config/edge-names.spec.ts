import {
  albAccessLogsBucketName,
  albAccessLogsPrefix,
  albIngressClassName,
  API_ORIGIN_COLORS,
  apiHost,
  apiOriginCertificateHosts,
  apiOriginColorHost,
  liveApiOriginColors,
  apiOriginPrimaryHost,
  appHost,
  assetsBucketName,
  cloudFrontLogsPrefix,
  MAX_BUCKET_NAME_LENGTH,
  wafLogGroupName,
  webAclName,
  webhookConcurrency,
  webhookDeadLetterQueueName,
  webhookKeyAliasName,
  webhookQueueArn,
  webhookQueueName,
  webhookQueueUrl,
  webhookSigningSecretName,
} from '../../lib/config/edge-names';
import { dev, prod } from '../../lib/config/environments';
import { apiOriginHost, ingressGroupName } from '../../lib/config/naming';

describe('edge names', () => {
  test('viewer hosts are the configured labels under the environment zone', () => {
    expect(appHost(dev)).toBe('app.dev.example.com');
    expect(apiHost(prod)).toBe('api.example.com');
    expect(appHost({ ...dev, edge: { ...dev.edge, appSubdomain: 'web' } })).toBe('web.dev.example.com');
  });

  test('the origin record set: CloudFront origin, weighted set, one host per color', () => {
    expect(apiOriginHost('example.com')).toBe('api-origin.example.com');
    expect(apiOriginPrimaryHost('example.com')).toBe('api-origin-primary.example.com');
    expect(API_ORIGIN_COLORS.map((c) => apiOriginColorHost('example.com', c))).toEqual([
      'api-origin-blue.example.com',
      'api-origin-green.example.com',
    ]);
  });

  test.each([
    [{ blue: 100, green: 0 }, ['blue']],
    [{ blue: 90, green: 10 }, ['blue', 'green']],
    [{ blue: 0, green: 100 }, ['green']],
  ] as const)('the live colors of weights %j are %j: a color out of rotation gets no record and no health check', (weights, live) => {
    expect(liveApiOriginColors(weights)).toEqual(live);
  });

  test('the origin certificate covers the origin host first, then every color', () => {
    expect(apiOriginCertificateHosts('dev.example.com')).toEqual([
      'api-origin.dev.example.com',
      'api-origin-blue.dev.example.com',
      'api-origin-green.dev.example.com',
    ]);
  });

  test('every name is distinct from the others, so no record shadows another', () => {
    const zone = 'example.com';
    const names = [apiHost(prod), appHost(prod), apiOriginHost(zone), apiOriginPrimaryHost(zone)];
    names.push(...API_ORIGIN_COLORS.map((c) => apiOriginColorHost(zone, c)));
    expect(new Set(names).size).toBe(names.length);
  });

  test('what the ALB controller is told by name: the IngressClass (= the group), the REGIONAL WebACL, the log bucket', () => {
    expect(albIngressClassName('prod')).toBe('saas-platform-prod');
    expect(albIngressClassName('prod')).toBe(ingressGroupName('prod'));
    expect(webAclName('prod', 'REGIONAL')).toBe('saas-platform-prod-regional');
    expect(webAclName('dev', 'CLOUDFRONT')).toBe('saas-platform-dev-cloudfront');
    expect(albAccessLogsBucketName('prod', '333333333333', 'eu-west-1')).toBe('saas-platform-prod-alb-logs-333333333333-eu-west-1');
    expect(assetsBucketName('dev', '111111111111', 'eu-west-1')).toBe('saas-platform-dev-assets-111111111111-eu-west-1');
  });

  test.each([dev, prod])("%s: the bucket names of the shipped environments fit S3's 63 characters", (config) => {
    for (const name of [
      albAccessLogsBucketName(config.name, config.account, config.region),
      assetsBucketName(config.name, config.account, config.region),
    ]) {
      expect(name.length).toBeLessThanOrEqual(MAX_BUCKET_NAME_LENGTH);
      expect(name).toMatch(/^[a-z0-9][a-z0-9.-]+[a-z0-9]$/);
    }
  });

  test('the webhook queue: name, DLQ, ARN and URL of the same queue, and the key alias the worker decrypts with', () => {
    expect(webhookQueueName('prod')).toBe('saas-platform-prod-webhook-events');
    expect(webhookDeadLetterQueueName('prod')).toBe('saas-platform-prod-webhook-events-dlq');
    expect(webhookQueueArn('prod', '333333333333', 'eu-west-1')).toBe(
      'arn:aws:sqs:eu-west-1:333333333333:saas-platform-prod-webhook-events',
    );
    expect(webhookQueueUrl('prod', '333333333333', 'eu-west-1')).toBe(
      'https://sqs.eu-west-1.amazonaws.com/333333333333/saas-platform-prod-webhook-events',
    );
    expect(webhookKeyAliasName('prod')).toBe('alias/saas-platform/prod/webhooks');
  });

  test.each([
    [1, 2],
    [10, 2],
    [50, 10],
    [200, 40],
    [201, 41],
  ])('a steady %i requests/s needs %i concurrent webhook handlers (rate x 200 ms, at least 2)', (rate, concurrency) => {
    expect(webhookConcurrency(rate)).toBe(concurrency);
  });

  test('log prefixes and log groups are per environment; WAF log groups carry the prefix WAF requires', () => {
    expect(albAccessLogsPrefix('staging')).toBe('alb/staging');
    expect(cloudFrontLogsPrefix('staging')).toBe('cloudfront/staging/');
    expect(wafLogGroupName('prod', 'CLOUDFRONT')).toBe('aws-waf-logs-saas-platform-prod-cloudfront');
    expect(wafLogGroupName('prod', 'REGIONAL')).toBe('aws-waf-logs-saas-platform-prod-regional');
  });

  test('the webhook signing secret follows the Secrets Manager naming of the platform', () => {
    expect(webhookSigningSecretName('prod')).toBe('saas-platform/prod/webhook-signing-secret');
  });
});
