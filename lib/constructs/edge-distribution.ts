import { Duration, Token, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * CloudFront Function (viewer request) of the app behavior: a path without a file extension is an
 * Angular route, served by `/index.html`. Scoped to the app behavior on purpose: a distribution-wide
 * custom error response would also turn the API's 403/404 into the app's HTML.
 */
export const SPA_REWRITE_FUNCTION_CODE = `function handler(event) {
  var request = event.request;
  var last = request.uri.substring(request.uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}`;

/**
 * CloudFront Function (viewer request) of the API behaviors: sets `headerName` to the viewer's
 * address as CloudFront saw it, replacing any value the client sent, so that the WebACL behind
 * CloudFront can key its rate limit on an address the client cannot choose.
 */
export function viewerIpFunctionCode(headerName: string): string {
  return `function handler(event) {
  var request = event.request;
  request.headers['${headerName.toLowerCase()}'] = { value: event.viewer.ip };
  return request;
}`;
}

/** Props of `EdgeDistribution`. */
export interface EdgeDistributionProps {
  /**
   * Bucket holding the Angular build (SSE-S3), imported by name. Read through Origin Access
   * Control; the construct never edits its policy: the bucket's own stack grants the read to this
   * distribution with `distributionReadStatement`.
   */
  readonly assetsBucket: s3.IBucket;
  /** Host CloudFront sends API requests to (HTTPS, TLS 1.2), e.g. `api-origin.example.com`. */
  readonly apiOriginHost: string;
  /**
   * Path patterns routed to the API origin, in the order CloudFront evaluates them (first match
   * wins), e.g. `apiPathPatterns(services)`: `/auth`, `/auth/*`, `/api`, `/api/*`.
   */
  readonly apiPathPatterns: readonly string[];
  /**
   * Headers CloudFront adds to every request to the API origin, e.g. a secret the origin's WebACL
   * checks (a CloudFormation dynamic reference, never a literal).
   * @default - none
   */
  readonly apiOriginCustomHeaders?: Readonly<Record<string, string>>;
  /**
   * Header a viewer-request function on the API behaviors sets to the viewer's IP address.
   * @default - no function on the API behaviors
   */
  readonly viewerIpHeader?: string;
  /** Host names viewers use, e.g. `app.example.com` and `api.example.com`; all on `certificate`. */
  readonly domainNames: readonly string[];
  /** Certificate for `domainNames`, in us-east-1. */
  readonly certificate: acm.ICertificate;
  /** ARN of a CLOUDFRONT-scope WebACL. */
  readonly webAclArn: string;
  /** Bucket for standard access logs (ACLs enabled, SSE-S3). */
  readonly logBucket: s3.IBucket;
  /** Key prefix of the access logs, e.g. `cloudfront/prod/`. */
  readonly logPrefix: string;
  /** Edge locations served. */
  readonly priceClass: cloudfront.PriceClass;
  /** `Content-Security-Policy` sent with every response. */
  readonly contentSecurityPolicy: string;
  /**
   * Time CloudFront waits for the API origin's response.
   * @default Duration.seconds(30)
   */
  readonly apiReadTimeout?: Duration;
}

/**
 * One CloudFront distribution for the app and the API: the Angular build from S3 through Origin
 * Access Control with SPA routing, and the API's path patterns to the ALB over HTTPS, uncached,
 * with every viewer header but `Host` forwarded (plus the origin's custom headers). HTTPS only (TLS 1.2+ from viewers and to origins), security
 * headers, compression, HTTP/2 and HTTP/3, access logs, a WebACL.
 */
export class EdgeDistribution extends Construct {
  /** The distribution. */
  public readonly distribution: cloudfront.Distribution;
  /** The security headers every response carries. */
  public readonly responseHeadersPolicy: cloudfront.IResponseHeadersPolicy;

  constructor(scope: Construct, id: string, props: EdgeDistributionProps) {
    super(scope, id);
    if (props.apiPathPatterns.length === 0) {
      throw new Error(`${this.node.path}: apiPathPatterns is empty; give the API's patterns, e.g. apiPathPatterns(services)`);
    }
    for (const pattern of props.apiPathPatterns) {
      if (!Token.isUnresolved(pattern) && (!pattern.startsWith('/') || pattern === '/' || pattern.startsWith('/*'))) {
        throw new Error(`${this.node.path}: apiPathPatterns "${pattern}" is not allowed; use a path below the app such as /api/*`);
      }
    }
    if (props.domainNames.length === 0) throw new Error(`${this.node.path}: domainNames is empty; give the app and API hosts`);

    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'HSTS, CSP, nosniff, frame and referrer policies',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, preload: true, override: true },
        contentSecurityPolicy: { contentSecurityPolicy: props.contentSecurityPolicy, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        xssProtection: { protection: true, modeBlock: true, override: true },
      },
      removeHeaders: ['Server', 'X-Powered-By'],
    });

    const spaRouting = new cloudfront.Function(this, 'SpaRouting', {
      code: cloudfront.FunctionCode.fromInline(SPA_REWRITE_FUNCTION_CODE),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Angular routes (paths without an extension) are served by /index.html',
    });

    const apiOrigin = new origins.HttpOrigin(props.apiOriginHost, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      readTimeout: props.apiReadTimeout ?? Duration.seconds(30),
      customHeaders: props.apiOriginCustomHeaders ? { ...props.apiOriginCustomHeaders } : undefined,
    });
    const viewerIp = props.viewerIpHeader
      ? new cloudfront.Function(this, 'ViewerIp', {
          code: cloudfront.FunctionCode.fromInline(viewerIpFunctionCode(props.viewerIpHeader)),
          runtime: cloudfront.FunctionRuntime.JS_2_0,
          comment: `Sets ${props.viewerIpHeader} to the viewer's address (the origin's WebACL rate-limits on it)`,
        })
      : undefined;
    const apiBehavior: cloudfront.BehaviorOptions = {
      origin: apiOrigin,
      // API clients must not follow a redirect with their body and credentials: plain HTTP is refused.
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      // Every viewer header, cookie and query string, but Host: the ALB's rules and certificate
      // are for the origin host, which CloudFront sends as Host and SNI.
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: this.responseHeadersPolicy,
      compress: true,
      functionAssociations: viewerIp ? [{ function: viewerIp, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }] : undefined,
    };

    this.distribution = new cloudfront.Distribution(this, 'Resource', {
      comment: `${props.domainNames.join(', ')}`,
      domainNames: [...props.domainNames],
      certificate: props.certificate,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      sslSupportMethod: cloudfront.SSLMethod.SNI,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      priceClass: props.priceClass,
      webAclId: props.webAclArn,
      defaultRootObject: 'index.html',
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: props.logPrefix,
      logIncludesCookies: false,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(props.assetsBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
        compress: true,
        functionAssociations: [{ function: spaRouting, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: Object.fromEntries(props.apiPathPatterns.map((pattern) => [pattern, apiBehavior])),
    });

    const origin = this.distribution.node.findChild('Origin1');
    Validations.of(origin).acknowledge({
      id: '@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac',
      reason:
        "The assets bucket's own stack (EdgeContent, after this one) grants the read to this distribution only (distributionReadStatement); editing its policy from here would make the two stacks depend on each other.",
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'The SaaS serves customers worldwide; no country is excluded by contract or law today. WAF and the rate limit guard abuse instead.',
    });
  }
}
