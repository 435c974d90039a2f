import { RemovalPolicy } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  albAccessLogsBucketParameterName,
  API_ORIGIN_COLORS,
  apiHost,
  apiOriginCertificateHosts,
  apiOriginColorHost,
  apiOriginDrHost,
  apiOriginPrimaryHost,
  appHost,
  cloudFrontLogsPrefix,
  regionalWebAclArnParameterName,
  wafLogGroupName,
} from '../config/edge-names';
import { apiOriginHost } from '../config/naming';
import { EnvironmentConfig } from '../config/types';
import { ApiOriginRecords } from '../constructs/api-origin-records';
import { EdgeDistribution } from '../constructs/edge-distribution';
import { PlatformWebAcl, WebAclScope } from '../constructs/web-acl';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/** Props of `EdgeStack`. */
export interface EdgeStackProps extends Omit<PlatformStackProps, 'stateful'> {
  /** The environment's public hosted zone (from the Dns stack). */
  readonly hostedZone: route53.IHostedZone;
  /** Viewer certificate of the app and API hosts, in us-east-1 (from the EdgeGlobal stack). */
  readonly certificate: acm.ICertificate;
  /** ARN of the CLOUDFRONT-scope WebACL, in us-east-1 (from the EdgeGlobal stack). */
  readonly cloudFrontWebAclArn: string;
  /** The Angular build (from the Data stack). */
  readonly assetsBucket: s3.IBucket;
  /** Where CloudFront and the ALB write access logs (from the Data stack). */
  readonly logsBucket: s3.IBucket;
}

/**
 * The environment's entry points in its region: the CloudFront distribution (app from S3, `/api/*`
 * to the ALB), the app and API alias records, the API origin's weighted blue/green and failover
 * records with health checks, and what the ALB needs from AWS: the regional certificate and the
 * REGIONAL WebACL. The ALB itself belongs to the AWS Load Balancer Controller (ADR 0001); the
 * deploy-time values its Ingress annotations need are published as SSM parameters.
 */
export class EdgeStack extends PlatformStack {
  /** The distribution serving `app.<zone>` and `api.<zone>`. */
  public readonly distribution: cloudfront.IDistribution;
  /** The API origin's records and health checks. */
  public readonly apiOrigin: ApiOriginRecords;
  /** ARN of the REGIONAL WebACL (the ALB controller attaches it). */
  public readonly regionalWebAclArn: string;
  /** Certificate of the API origin hosts, in this region (the ALB controller discovers it by host). */
  public readonly originCertificate: acm.ICertificate;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, {
      ...props,
      stateful: false,
      crossRegionReferences: true,
      description: `${props.config.name}: CloudFront, WAF, DNS records`,
    });
    const { config } = this;
    const zone = props.hostedZone;
    const zoneName = config.domain.zoneName;
    const removalPolicy = config.stateful.removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const [originHost, ...colorHosts] = apiOriginCertificateHosts(zoneName);
    this.originCertificate = new acm.Certificate(this, 'OriginCertificate', {
      domainName: originHost,
      subjectAlternativeNames: colorHosts,
      validation: acm.CertificateValidation.fromDns(zone),
    });

    const regionalAcl = new PlatformWebAcl(this, 'RegionalWebAcl', {
      scope: WebAclScope.REGIONAL,
      webAclName: `${config.tags.Application}-${config.name}-regional`,
      rateLimitPer5Minutes: config.edge.wafRateLimitPer5Minutes,
      // Behind CloudFront, the ALB sees CloudFront's addresses; the client's is in this header.
      clientIpHeader: 'X-Forwarded-For',
      logGroupName: wafLogGroupName(config.name, 'REGIONAL'),
      logRetention: config.edge.wafLogRetentionDays,
      removalPolicy,
    });
    this.regionalWebAclArn = regionalAcl.webAclArn;
    new ssm.StringParameter(this, 'RegionalWebAclArnParameter', {
      parameterName: regionalWebAclArnParameterName(config.name),
      stringValue: regionalAcl.webAclArn,
      description: 'Ingress annotation alb.ingress.kubernetes.io/wafv2-acl-arn',
    });
    new ssm.StringParameter(this, 'AlbAccessLogsBucketParameter', {
      parameterName: albAccessLogsBucketParameterName(config.name),
      stringValue: props.logsBucket.bucketName,
      description: 'access_logs.s3.bucket of the Ingress annotation alb.ingress.kubernetes.io/load-balancer-attributes',
    });

    const edge = new EdgeDistribution(this, 'Distribution', {
      assetsBucket: props.assetsBucket,
      apiOriginHost: apiOriginHost(zoneName),
      domainNames: [appHost(config), apiHost(config)],
      certificate: props.certificate,
      webAclArn: props.cloudFrontWebAclArn,
      logBucket: props.logsBucket,
      logPrefix: cloudFrontLogsPrefix(config.name),
      priceClass: PRICE_CLASSES[config.edge.priceClass],
      contentSecurityPolicy: contentSecurityPolicy(config),
    });
    this.distribution = edge.distribution;

    const target = route53.RecordTarget.fromAlias(new route53Targets.CloudFrontTarget(edge.distribution));
    for (const [label, host] of [
      ['App', appHost(config)],
      ['Api', apiHost(config)],
    ]) {
      new route53.ARecord(this, `${label}Record`, { zone, recordName: host, target });
      new route53.AaaaRecord(this, `${label}RecordIpv6`, { zone, recordName: host, target });
    }

    if (config.edge.failoverToDr && !config.drRegion) {
      throw new Error(`${config.name}.edge.failoverToDr: true needs a drRegion to fail over to; set drRegion or turn failover off`);
    }
    this.apiOrigin = new ApiOriginRecords(this, 'ApiOrigin', {
      zone,
      originHost: apiOriginHost(zoneName),
      weightedHost: apiOriginPrimaryHost(zoneName),
      targets: API_ORIGIN_COLORS.map((color) => ({
        name: color,
        host: apiOriginColorHost(zoneName, color),
        weight: config.edge.blueGreenWeights[color],
      })),
      healthCheckPath: config.edge.healthCheckPath,
      failoverHost: config.edge.failoverToDr && config.drRegion ? apiOriginDrHost(zoneName, config.drRegion) : undefined,
    });
  }
}

const PRICE_CLASSES: Record<EnvironmentConfig['edge']['priceClass'], cloudfront.PriceClass> = {
  PriceClass_100: cloudfront.PriceClass.PRICE_CLASS_100,
  PriceClass_200: cloudfront.PriceClass.PRICE_CLASS_200,
  PriceClass_All: cloudfront.PriceClass.PRICE_CLASS_ALL,
};

/**
 * The app's Content-Security-Policy: its own origin, the API, and the uploads bucket's S3 host
 * (presigned uploads and downloads); inline styles because Angular's component styles need them.
 */
export function contentSecurityPolicy(config: EnvironmentConfig): string {
  const s3Hosts = `https://*.s3.${config.region}.amazonaws.com`;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: ${s3Hosts}`,
    "font-src 'self' data:",
    `connect-src 'self' https://${apiHost(config)} ${s3Hosts}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
    'upgrade-insecure-requests',
  ].join('; ');
}
