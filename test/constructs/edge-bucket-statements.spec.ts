import { Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  albLogDeliveryStatement,
  distributionReadStatement,
  serverAccessLogDeliveryStatement,
} from '../../lib/constructs/edge-bucket-statements';
import { testApp } from '../helpers';

function bucketIn(region: string): { stack: Stack; bucket: s3.IBucket } {
  const stack = new Stack(testApp(), 'Data', { env: { account: '123456789012', region } });
  return { stack, bucket: s3.Bucket.fromBucketName(stack, 'Bucket', 'logs-bucket') };
}

describe('edge bucket statements', () => {
  test('CloudFront may read the assets through OAC for one distribution only, named by its ARN', () => {
    // GIVEN the bucket and the distribution that serves it
    const { stack, bucket } = bucketIn('eu-west-1');
    const distribution = cloudfront.Distribution.fromDistributionAttributes(stack, 'Dist', {
      distributionId: 'E2EXAMPLE',
      domainName: 'd111111abcdef8.cloudfront.net',
    });
    // THEN the condition is that distribution's ARN, not a pattern of the account's distributions
    expect(stack.resolve(distributionReadStatement(bucket, distribution).toStatementJson())).toEqual({
      Sid: 'AllowCloudFrontOriginAccessControlRead',
      Effect: 'Allow',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::logs-bucket/*',
      Condition: { StringEquals: { 'AWS:SourceArn': 'arn:aws:cloudfront::123456789012:distribution/E2EXAMPLE' } },
    });
  });

  test('S3 may deliver the server access logs of one named bucket of the account under a prefix', () => {
    const { stack, bucket } = bucketIn('eu-west-1');
    expect(stack.resolve(serverAccessLogDeliveryStatement(bucket, 'app-dev-assets', 's3/assets/').toStatementJson())).toEqual({
      Sid: 'AllowServerAccessLogsUnders3assets',
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::logs-bucket/s3/assets/*',
      Condition: {
        ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::app-dev-assets' },
        StringEquals: { 'aws:SourceAccount': '123456789012' },
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
