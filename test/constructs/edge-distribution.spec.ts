import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  EdgeDistribution,
  EdgeDistributionProps,
  SPA_REWRITE_FUNCTION_CODE,
  viewerIpFunctionCode,
} from '../../lib/constructs/edge-distribution';
import { testApp } from '../helpers';

// Managed policy IDs (AWS documentation, "Use managed cache/origin request policies").
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

function synth(props: Partial<EdgeDistributionProps> = {}): Template {
  const app = testApp();
  const data = new Stack(app, 'Data', { env: { account: '123456789012', region: 'eu-west-1' } });
  const logBucket = new s3.Bucket(data, 'Logs', { objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED });
  const stack = new Stack(app, 'Edge', { env: { account: '123456789012', region: 'eu-west-1' } });
  new EdgeDistribution(stack, 'Distribution', {
    assetsBucket: s3.Bucket.fromBucketAttributes(stack, 'Assets', { bucketName: 'app-dev-assets', region: 'eu-west-1' }),
    apiOriginHost: 'api-origin.example.com',
    apiPathPatterns: ['/auth', '/auth/*', '/api', '/api/*'],
    apiOriginCustomHeaders: { 'X-Origin-Verify': 'token-from-a-dynamic-reference' },
    viewerIpHeader: 'X-Viewer-Ip',
    domainNames: ['app.example.com', 'api.example.com'],
    certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/abc'),
    webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/test/abc',
    logBucket,
    logPrefix: 'cloudfront/dev/',
    priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    contentSecurityPolicy: "default-src 'self'",
    ...props,
  });
  return Template.fromStack(stack);
}

const config = (t: Template) => Object.values(t.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;

describe('EdgeDistribution', () => {
  // GIVEN the assets and logs buckets in another stack, as in the platform
  const template = synth();

  test('reads the assets bucket through Origin Access Control (no OAI), signing every request', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    const s3Origin = config(template).Origins.find((o: { S3OriginConfig?: unknown }) => o.S3OriginConfig);
    expect(s3Origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/S3OriginAccessControl/), 'Id'] });
    expect(s3Origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
  });

  test("never edits the bucket's policy (its own stack grants the read; see distributionReadStatement)", () => {
    template.resourceCountIs('AWS::S3::BucketPolicy', 0);
  });

  test('viewers: TLS 1.2 (2021 policy) with SNI; the app redirects HTTP to HTTPS, the API refuses HTTP', () => {
    const c = config(template);
    expect(c.ViewerCertificate).toMatchObject({ MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
    expect(c.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(c.CacheBehaviors[0].ViewerProtocolPolicy).toBe('https-only');
    expect(c.Aliases).toEqual(['app.example.com', 'api.example.com']);
  });

  test('every API pattern, in the given order, goes to the one ALB origin over HTTPS (TLS 1.2), uncached, every viewer header but Host, all methods', () => {
    const behaviors = config(template).CacheBehaviors;
    expect(behaviors.map((b: { PathPattern: string }) => b.PathPattern)).toEqual(['/auth', '/auth/*', '/api', '/api/*']);
    for (const api of behaviors) {
      expect(api).toMatchObject({
        CachePolicyId: CACHING_DISABLED,
        OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
        AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
        TargetOriginId: behaviors[0].TargetOriginId,
      });
    }
    const origin = config(template).Origins.find((o: { Id: string }) => o.Id === behaviors[0].TargetOriginId);
    expect(origin).toMatchObject({
      DomainName: 'api-origin.example.com',
      CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'], OriginReadTimeout: 30 },
    });
  });

  test('the API origin adds the custom headers; the app origin adds none', () => {
    const origins = config(template).Origins;
    expect(origins.find((o: { DomainName: string }) => o.DomainName === 'api-origin.example.com').OriginCustomHeaders).toEqual([
      { HeaderName: 'X-Origin-Verify', HeaderValue: 'token-from-a-dynamic-reference' },
    ]);
    expect(origins.find((o: { S3OriginConfig?: unknown }) => o.S3OriginConfig).OriginCustomHeaders).toBeUndefined();
  });

  test('every API behavior runs the viewer-IP function at viewer request; the app behavior does not', () => {
    const c = config(template);
    for (const api of c.CacheBehaviors) {
      expect(api.FunctionAssociations).toEqual([
        { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [expect.stringMatching(/ViewerIp/), 'FunctionARN'] } },
      ]);
    }
    expect(JSON.stringify(c.DefaultCacheBehavior.FunctionAssociations)).not.toContain('ViewerIp');
  });

  test('the app is cached, compressed, and its routes rewritten by a viewer-request function (not a distribution-wide error page)', () => {
    const app = config(template).DefaultCacheBehavior;
    expect(app).toMatchObject({ CachePolicyId: CACHING_OPTIMIZED, Compress: true, AllowedMethods: ['GET', 'HEAD', 'OPTIONS'] });
    expect(app.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [expect.stringMatching(/SpaRouting/), 'FunctionARN'] } },
    ]);
    expect(config(template).CustomErrorResponses).toBeUndefined();
    template.hasResourceProperties('AWS::CloudFront::Function', { FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }) });
  });

  test('security headers on every response: HSTS with preload, CSP, nosniff, DENY framing, referrer policy', () => {
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Preload: true, Override: true },
          ContentSecurityPolicy: { ContentSecurityPolicy: "default-src 'self'", Override: true },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
        }),
      }),
    });
    const c = config(template);
    expect(c.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual(c.CacheBehaviors[0].ResponseHeadersPolicyId);
  });

  test('access logs to the logs bucket under the prefix, the WebACL, the price class, HTTP/3 and IPv6', () => {
    expect(config(template)).toMatchObject({
      Logging: { Prefix: 'cloudfront/dev/', IncludeCookies: false },
      WebACLId: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/test/abc',
      PriceClass: 'PriceClass_100',
      HttpVersion: 'http2and3',
      IPV6Enabled: true,
      DefaultRootObject: 'index.html',
    });
  });

  test.each([
    [
      'a pattern that swallows the app',
      { apiPathPatterns: ['/api/*', '/*'] },
      'Edge/Distribution: apiPathPatterns "/*" is not allowed; use a path below the app such as /api/*',
    ],
    [
      'a relative pattern',
      { apiPathPatterns: ['api/*'] },
      'Edge/Distribution: apiPathPatterns "api/*" is not allowed; use a path below the app such as /api/*',
    ],
    [
      'no API pattern',
      { apiPathPatterns: [] },
      "Edge/Distribution: apiPathPatterns is empty; give the API's patterns, e.g. apiPathPatterns(services)",
    ],
    ['no host names', { domainNames: [] }, 'Edge/Distribution: domainNames is empty; give the app and API hosts'],
  ])('rejects %s', (_why, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  test('without a viewer-IP header, the API behaviors run no function', () => {
    const c = config(synth({ viewerIpHeader: undefined }));
    expect(c.CacheBehaviors[0].FunctionAssociations).toBeUndefined();
  });
});

describe('viewer-IP function', () => {
  // GIVEN the function's code, run as CloudFront would run it
  const run = new Function(`${viewerIpFunctionCode('X-Viewer-Ip')}; return handler;`)() as (e: {
    viewer: { ip: string };
    request: { headers: Record<string, { value: string }> };
  }) => { headers: Record<string, { value: string }> };

  test.each(['203.0.113.7', '2001:db8::1'])('sets the header to the viewer address %s', (ip) => {
    expect(run({ viewer: { ip }, request: { headers: {} } }).headers['x-viewer-ip']).toEqual({ value: ip });
  });

  test('replaces a value the client sent (a client cannot choose its rate-limit key)', () => {
    const out = run({ viewer: { ip: '203.0.113.7' }, request: { headers: { 'x-viewer-ip': { value: '198.51.100.1' } } } });
    expect(out.headers['x-viewer-ip']).toEqual({ value: '203.0.113.7' });
  });
});

describe('SPA routing function', () => {
  // GIVEN the function's code, run as CloudFront would run it
  const rewrite = new Function(`${SPA_REWRITE_FUNCTION_CODE}; return handler;`)() as (e: { request: { uri: string } }) => { uri: string };
  const uriAfter = (uri: string) => rewrite({ request: { uri } }).uri;

  test.each(['/', '/dashboard', '/tenants/42/settings', '/invoices/'])('an Angular route %p is served by /index.html', (uri) => {
    expect(uriAfter(uri)).toBe('/index.html');
  });

  test.each(['/main.3f2a.js', '/assets/logo.svg', '/favicon.ico', '/index.html'])('a file %p is served as it is', (uri) => {
    expect(uriAfter(uri)).toBe(uri);
  });
});
