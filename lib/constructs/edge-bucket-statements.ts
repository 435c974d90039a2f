/**
 * Bucket policy statements the edge needs on buckets it does not own (the Data stack's `assets`
 * and `logs` buckets). The owning stack adds them (`bucket.addToResourcePolicy(...)`): granting
 * from the Edge stack would make the two stacks depend on each other.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RegionInfo } from 'aws-cdk-lib/region-info';

/**
 * Let CloudFront distributions of the bucket's account read its objects through Origin Access
 * Control. The distribution's ID is unknown to the bucket's stack (it is created later, by the
 * Edge stack), so the condition names the account's distributions, not one of them.
 */
export function distributionReadStatement(bucket: s3.IBucket): iam.PolicyStatement {
  const stack = Stack.of(bucket);
  return new iam.PolicyStatement({
    sid: 'AllowCloudFrontOriginAccessControlRead',
    principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
    actions: ['s3:GetObject'],
    resources: [bucket.arnForObjects('*')],
    conditions: {
      StringEquals: { 'AWS:SourceAccount': stack.account },
      ArnLike: { 'AWS:SourceArn': stack.formatArn({ service: 'cloudfront', region: '', resource: 'distribution', resourceName: '*' }) },
    },
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
