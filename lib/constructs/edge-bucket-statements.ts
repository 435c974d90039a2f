/**
 * Bucket policy statements of the edge's buckets: CloudFront's read of the Angular build, ELB's
 * delivery of the ALB's access logs, S3's delivery of a bucket's server access logs to a bucket in
 * another stack. Each is added by the stack that owns the bucket (`bucket.addToResourcePolicy`),
 * and names the other side by a value that creates no dependency back (see docs/architecture/edge.md).
 */
import { Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RegionInfo } from 'aws-cdk-lib/region-info';

/**
 * Let one CloudFront distribution read the bucket's objects through Origin Access Control: the
 * condition names that distribution's ARN, not any distribution of the account. The bucket's stack
 * must therefore come after the distribution's (the EdgeContent stack, after Edge).
 */
export function distributionReadStatement(bucket: s3.IBucket, distribution: cloudfront.IDistribution): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AllowCloudFrontOriginAccessControlRead',
    principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
    actions: ['s3:GetObject'],
    resources: [bucket.arnForObjects('*')],
    conditions: { StringEquals: { 'AWS:SourceArn': distribution.distributionArn } },
  });
}

/**
 * Let Elastic Load Balancing deliver the ALB's access logs under `prefix`: the regional ELB
 * account where the region has one (regions opened before August 2022), the log delivery service
 * principal elsewhere. The key layout is ELB's: `<prefix>/AWSLogs/<account>/...`.
 */
export function albLogDeliveryStatement(bucket: s3.IBucket, prefix: string): iam.PolicyStatement {
  const stack = Stack.of(bucket);
  const elbAccount = RegionInfo.get(stack.region).elbv2Account;
  return new iam.PolicyStatement({
    sid: 'AllowAlbAccessLogDelivery',
    principals: [
      elbAccount ? new iam.AccountPrincipal(elbAccount) : new iam.ServicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com'),
    ],
    actions: ['s3:PutObject'],
    resources: [bucket.arnForObjects(`${prefix}/AWSLogs/${stack.account}/*`)],
  });
}

/**
 * Let S3 deliver the server access logs of the bucket named `sourceBucketName` (in this account)
 * under `prefix`. For a source bucket in a later stack: naming it, instead of referencing it, keeps
 * the logs bucket's stack free of a dependency on it.
 */
export function serverAccessLogDeliveryStatement(logsBucket: s3.IBucket, sourceBucketName: string, prefix: string): iam.PolicyStatement {
  const stack = Stack.of(logsBucket);
  return new iam.PolicyStatement({
    sid: `AllowServerAccessLogsUnder${prefix.replace(/[^A-Za-z0-9]/g, '')}`,
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [logsBucket.arnForObjects(`${prefix}*`)],
    conditions: {
      ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:s3:::${sourceBucketName}` },
      StringEquals: { 'aws:SourceAccount': stack.account },
    },
  });
}
