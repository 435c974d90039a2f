import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ALB_INGRESS_SOURCES, ALB_LISTENER_PORT, albSecurityGroupName, SECURITY_GROUP_RULES_QUOTA } from '../config/alb-origin';
import {
  apiHost,
  apiOriginCertificateHosts,
  apiOriginColorHost,
  apiOriginPrimaryHost,
  liveApiOriginColors,
  appHost,
  assetsBucketName,
  cloudFrontLogsPrefix,
  ORIGIN_VERIFY_HEADER,
  ORIGIN_VERIFY_RULE_NAME,
  VIEWER_IP_HEADER,
  webAclName,
} from '../config/edge-names';
import { apiPathPatterns, RoutedService } from '../config/edge-routes';
import { apiOriginHost } from '../config/naming';
import { EnvironmentConfig } from '../config/types';
import { AlbSecurityGroups } from '../constructs/alb-security-groups';
import { ApiOriginRecords } from '../constructs/api-origin-records';
import { EdgeDistribution } from '../constructs/edge-distribution';
import { OriginVerifyRotation } from '../constructs/origin-verify-rotation';
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
  /** Where CloudFront writes access logs (from the Data stack). */
  readonly logsBucket: s3.IBucket;
  /** The cluster's VPC, where the ALB's security groups go (from the Network stack). */
  readonly vpc: ec2.IVpc;
  /** The services of the environment: the public ones' `ingress.pathPrefix` become the API behaviors. */
  readonly services: readonly RoutedService[];
  /** The secret origin header `{ current, previous }` (from the Data stack). */
  readonly originVerifySecret: secretsmanager.ISecret;
  /** Name of the log group of the REGIONAL WebACL (from the Data stack). */
  readonly regionalWebAclLogGroupName: string;
}

/**
 * The environment's entry points in its region: the CloudFront distribution (the app from S3, the
 * catalog's public path prefixes to the ALB), the app and API alias records, the API origin's
 * weighted blue/green and failover records with health checks, and what the ALB needs from AWS:
 * the regional certificate, the REGIONAL WebACL (which only lets through requests carrying the
 * secret origin header CloudFront adds), the security groups that admit only CloudFront and the
 * Route 53 health checkers, and the header's rotation. The ALB itself belongs to the AWS Load
 * Balancer Controller (ADR 0001): the IngressClassParams and the Ingresses name all of these
 * from config (`lib/config/edge-names.ts`, `lib/config/alb-origin.ts`), never by ARN.
 */
export class EdgeStack extends PlatformStack {
  /** The distribution serving `app.<zone>` and `api.<zone>`. */
  public readonly distribution: cloudfront.IDistribution;
  /** The API origin's records and health checks. */
  public readonly apiOrigin: ApiOriginRecords;
  /** The REGIONAL WebACL (the ALB controller attaches it by name). */
  public readonly regionalWebAcl: PlatformWebAcl;
  /** Certificate of the API origin hosts, in this region (the ALB controller discovers it by host). */
  public readonly originCertificate: acm.ICertificate;
  /** The ALB's security groups (the Ingresses name them). */
  public readonly albSecurityGroups: AlbSecurityGroups;
  /** Rotation of the secret origin header. */
  public readonly originVerifyRotation: OriginVerifyRotation;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, {
      ...props,
      stateful: false,
      crossRegionReferences: true,
      description: `${props.config.name}: CloudFront, WAF, DNS records, the ALB's security groups`,
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

    // CloudFront sends `current`; a rotation makes the WebACL accept more values for a while.
    const originVerifyValue = props.originVerifySecret.secretValueFromJson('current').unsafeUnwrap();
    this.regionalWebAcl = new PlatformWebAcl(this, 'RegionalWebAcl', {
      scope: WebAclScope.REGIONAL,
      webAclName: webAclName(config.name, 'REGIONAL'),
      rateLimitPer5Minutes: config.edge.wafRateLimitPer5Minutes,
      // Behind CloudFront the source is a CloudFront server; the viewer's address is in this header,
      // which CloudFront sets (a client cannot: the function overwrites it, the origin header proves CloudFront).
      clientIpHeader: VIEWER_IP_HEADER,
      requiredHeader: {
        headerName: ORIGIN_VERIFY_HEADER,
        acceptedValue: originVerifyValue,
        // Route 53 health checks send no custom header; they call only this path (GET).
        exemptPath: config.edge.healthCheckPath,
        ruleName: ORIGIN_VERIFY_RULE_NAME,
      },
      logGroupName: props.regionalWebAclLogGroupName,
      redactedHeaders: [ORIGIN_VERIFY_HEADER],
      // A sample shows every header of a request, the origin header's value included.
      sampledRequests: false,
    });

    this.albSecurityGroups = new AlbSecurityGroups(this, 'AlbSecurityGroups', {
      vpc: props.vpc,
      port: ALB_LISTENER_PORT,
      rulesQuota: SECURITY_GROUP_RULES_QUOTA,
      groups: ALB_INGRESS_SOURCES.map((source) => ({
        name: albSecurityGroupName(config.name, source),
        prefixListName: source.prefixListName(config.region),
        weight: source.weight,
        description: source.description,
      })),
    });

    const edge = new EdgeDistribution(this, 'Distribution', {
      // Named, not referenced: its stack (EdgeContent) comes after this one, to grant this distribution alone.
      assetsBucket: s3.Bucket.fromBucketAttributes(this, 'AssetsBucket', {
        bucketName: assetsBucketName(config.name, this.account, this.region),
        region: this.region,
      }),
      apiOriginHost: apiOriginHost(zoneName),
      apiPathPatterns: apiPathPatterns(props.services),
      apiOriginCustomHeaders: { [ORIGIN_VERIFY_HEADER]: originVerifyValue },
      viewerIpHeader: VIEWER_IP_HEADER,
      domainNames: [appHost(config), apiHost(config)],
      certificate: props.certificate,
      webAclArn: props.cloudFrontWebAclArn,
      logBucket: props.logsBucket,
      logPrefix: cloudFrontLogsPrefix(config.name),
      priceClass: PRICE_CLASSES[config.edge.priceClass],
      contentSecurityPolicy: contentSecurityPolicy(config),
    });
    this.distribution = edge.distribution;

    this.originVerifyRotation = new OriginVerifyRotation(this, 'OriginVerifyRotation', {
      secret: props.originVerifySecret,
      headerName: ORIGIN_VERIFY_HEADER,
      webAcl: {
        name: webAclName(config.name, 'REGIONAL'),
        id: this.regionalWebAcl.webAcl.attrId,
        arn: this.regionalWebAcl.webAclArn,
        scope: WebAclScope.REGIONAL.value,
      },
      ruleName: ORIGIN_VERIFY_RULE_NAME,
      distribution: edge.distribution,
      distributionWebAclArn: props.cloudFrontWebAclArn,
      schedule: Duration.days(config.edge.originVerifyRotationDays),
      logRetention: config.edge.wafLogRetentionDays,
      logRemovalPolicy: removalPolicy,
    });

    const target = route53.RecordTarget.fromAlias(new route53Targets.CloudFrontTarget(edge.distribution));
    for (const [label, host] of [
      ['App', appHost(config)],
      ['Api', apiHost(config)],
    ]) {
      new route53.ARecord(this, `${label}Record`, { zone, recordName: host, target });
      new route53.AaaaRecord(this, `${label}RecordIpv6`, { zone, recordName: host, target });
    }

    this.apiOrigin = new ApiOriginRecords(this, 'ApiOrigin', {
      zone,
      originHost: apiOriginHost(zoneName),
      weightedHost: apiOriginPrimaryHost(zoneName),
      // Only the colors that receive traffic: a record or health check must point at a name some
      // cluster publishes, and a color out of rotation has no cluster (test/contracts/dns-targets.spec.ts).
      targets: liveApiOriginColors(config.edge.blueGreenWeights).map((color) => ({
        name: color,
        host: apiOriginColorHost(zoneName, color),
        weight: config.edge.blueGreenWeights[color],
      })),
      healthCheckPath: config.edge.healthCheckPath,
      // No failover record: the DR region is a pilot light with no API origin until a failover
      // brings one up (ADR 0008, docs/backup-and-dr.md).
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
