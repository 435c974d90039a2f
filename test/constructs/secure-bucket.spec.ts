import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { SecureBucket, SecureBucketProps } from '../../lib/constructs/secure-bucket';
import { testApp } from '../helpers';

const PROTECTION = {
  breakGlassRoleArn: 'arn:aws:iam::123456789012:role/BreakGlassAdmin',
  deploymentRoleArnPatterns: ['arn:aws:iam::123456789012:role/cdk-*-cfn-exec-role-*'],
};

function synth(props: Partial<SecureBucketProps> = {}, withKey = true): Template {
  const stack = new Stack(testApp(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const logs = new s3.Bucket(stack, 'Logs');
  new SecureBucket(stack, 'Uploads', {
    encryptionKey: withKey ? new kms.Key(stack, 'Key') : undefined,
    accessLogs: { bucket: logs, prefix: 'uploads/' },
    removalPolicy: RemovalPolicy.RETAIN,
    protection: PROTECTION,
    ...props,
  });
  return Template.fromStack(stack);
}

describe('SecureBucket', () => {
  const template = synth();
  const bucketProps = () =>
    Object.values(template.findResources('AWS::S3::Bucket', { Properties: { VersioningConfiguration: Match.anyValue() } }))[0];

  test('private: all four public-access blocks', () => {
    expect(bucketProps().Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  test('versioned, encrypted with the CMK and a bucket key, access-logged, owner-enforced', () => {
    expect(bucketProps().Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
      },
      LoggingConfiguration: { LogFilePrefix: 'uploads/' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  test('SSE-S3 without a key (what log delivery requires)', () => {
    const t = synth({}, false);
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  test('TLS only: denies insecure transport and TLS below 1.2', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });

  test('only the break-glass role may delete the bucket; versioning/lifecycle/policy changes only break-glass and deployments', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'DenyBucketDeletionExceptBreakGlass',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:DeleteBucket',
            Condition: { ArnNotLike: { 'aws:PrincipalArn': [PROTECTION.breakGlassRoleArn] } },
          }),
          Match.objectLike({
            Sid: 'DenyVersioningLifecycleAndPolicyChangesExceptDeployments',
            Effect: 'Deny',
            Action: ['s3:DeleteBucketPolicy', 's3:PutBucketPolicy', 's3:PutBucketVersioning', 's3:PutLifecycleConfiguration'],
            Condition: { ArnNotLike: { 'aws:PrincipalArn': [PROTECTION.breakGlassRoleArn, ...PROTECTION.deploymentRoleArnPatterns] } },
          }),
        ]),
      },
    });
  });

  test('incomplete multipart uploads are aborted after 7 days, before any other rule', () => {
    const t = synth({ lifecycleRules: [{ id: 'expire', expiration: Duration.days(30) }] });
    t.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [
          { Id: 'abort-incomplete-uploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' },
          Match.objectLike({ Id: 'expire' }),
        ],
      },
    });
  });

  test('retained by default in protected environments', () => {
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', Properties: { VersioningConfiguration: Match.anyValue() } });
  });

  test('DESTROY empties the bucket first (development)', () => {
    const t = synth({ removalPolicy: RemovalPolicy.DESTROY, protection: undefined });
    t.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
  });

  test('protection contradicts DESTROY', () => {
    expect(() => synth({ removalPolicy: RemovalPolicy.DESTROY })).toThrow(
      'Test/Uploads: protection denies bucket deletion, which contradicts removalPolicy DESTROY; use RETAIN or drop protection',
    );
  });
});
