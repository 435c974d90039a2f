import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { albLogDeliveryStatement, distributionReadStatement } from '../../lib/constructs/edge-bucket-statements';
import { testApp } from '../helpers';

function bucketIn(region: string): { stack: Stack; bucket: s3.IBucket } {
  const stack = new Stack(testApp(), 'Data', { env: { account: '123456789012', region } });
  return { stack, bucket: s3.Bucket.fromBucketName(stack, 'Bucket', 'logs-bucket') };
}

describe('edge bucket statements', () => {
  test("CloudFront may read the assets through OAC, only for distributions of the bucket's account", () => {
    const { stack, bucket } = bucketIn('eu-west-1');
    expect(stack.resolve(distributionReadStatement(bucket).toStatementJson())).toEqual({
      Sid: 'AllowCloudFrontOriginAccessControlRead',
      Effect: 'Allow',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::logs-bucket/*',
      Condition: {
        StringEquals: { 'AWS:SourceAccount': '123456789012' },
        ArnLike: { 'AWS:SourceArn': 'arn:aws:cloudfront::123456789012:distribution/*' },
      },
    });
  });

  test("in a region with an ELB account (eu-west-1), that account delivers the ALB's logs under the prefix", () => {
    const { stack, bucket } = bucketIn('eu-west-1');
    expect(stack.resolve(albLogDeliveryStatement(bucket, 'alb/prod').toStatementJson())).toEqual({
      Sid: 'AllowAlbAccessLogDelivery',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::156460612806:root' },
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::logs-bucket/alb/prod/AWSLogs/123456789012/*',
    });
  });

  test('in a region opened after August 2022 (eu-central-2), the log delivery service principal does', () => {
    const { stack, bucket } = bucketIn('eu-central-2');
    expect(stack.resolve(albLogDeliveryStatement(bucket, 'alb/dev').toStatementJson())).toMatchObject({
      Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
      Resource: 'arn:aws:s3:::logs-bucket/alb/dev/AWSLogs/123456789012/*',
    });
  });
});
