import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ASSETS_ACCESS_LOGS_PREFIX, assetsBucketName } from '../config/edge-names';
import { distributionReadStatement } from '../constructs/edge-bucket-statements';
import { SecureBucket } from '../constructs/secure-bucket';
import { bucketProtection } from './bucket-protection';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/** Props of `EdgeContentStack`. */
export interface EdgeContentStackProps extends Omit<PlatformStackProps, 'stateful'> {
  /** The distribution that serves the app (from the Edge stack); the only reader of the bucket. */
  readonly distribution: cloudfront.IDistribution;
  /** Where the bucket's server access logs go (from the Data stack). */
  readonly logsBucket: s3.IBucket;
}

/**
 * The Angular build: a private bucket (SSE-S3, which keeps Origin Access Control simple) that only
 * this environment's distribution may read. It comes after the Edge stack so that its policy can
 * name the distribution (`AWS:SourceArn` = its ARN); the Edge stack names the bucket from config
 * (`assetsBucketName`), so nothing points back and there is no cycle. The pipeline uploads the
 * build to the same name. Stateful (termination-protected, retained outside development).
 */
export class EdgeContentStack extends PlatformStack {
  /** The bucket of the Angular build. */
  public readonly assetsBucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: EdgeContentStackProps) {
    super(scope, id, { ...props, stateful: true, description: `${props.config.name}: the app's static content, read by CloudFront only` });
    const { config } = this;
    const keep = config.stateful.removal === 'retain';
    // Imported, so that the logs bucket's policy is not edited from here (the Data stack grants the
    // delivery by this bucket's name: serverAccessLogDeliveryStatement).
    const logsBucket = s3.Bucket.fromBucketAttributes(this, 'LogsBucket', {
      bucketName: props.logsBucket.bucketName,
      bucketArn: props.logsBucket.bucketArn,
    });
    const assets = new SecureBucket(this, 'AssetsBucket', {
      bucketName: assetsBucketName(config.name, this.account, this.region),
      accessLogs: { bucket: logsBucket, prefix: ASSETS_ACCESS_LOGS_PREFIX },
      removalPolicy: keep ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      protection: keep ? bucketProtection(config) : undefined,
      lifecycleRules: [{ id: 'expire-noncurrent', noncurrentVersionExpiration: Duration.days(30) }],
    });
    assets.bucket.addToResourcePolicy(distributionReadStatement(assets.bucket, props.distribution));
    Validations.of(assets.bucket).acknowledge({
      id: '@aws-cdk/aws-s3:accessLogsPolicyNotAdded',
      reason:
        "The Data stack lets S3 log this bucket's access into the logs bucket, naming this bucket (serverAccessLogDeliveryStatement).",
    });
    this.assetsBucket = assets.bucket;
  }
}
