import { Match } from 'aws-cdk-lib/assertions';
import {
  albAccessLogsBucketName,
  albAccessLogsPrefix,
  ASSETS_ACCESS_LOGS_PREFIX,
  assetsBucketName,
  ORIGIN_VERIFY_HEADER,
} from '../../lib/config/edge-names';
import { EACH_ENV, synthesizedApp } from '../app-fixture';

describe("the edge's stateful parts", () => {
  // GIVEN the whole app, synthesized once (every gate passed, or this throws)
  const { stage, template } = synthesizedApp();
  const content = (name: string) => template(stage(name).edgeContent);
  const data = (name: string) => template(stage(name).data);
  const policyOf = (t: ReturnType<typeof data>, bucketId: string) =>
    Object.values(t.findResources('AWS::S3::BucketPolicy')).find((p) => JSON.stringify(p.Properties.Bucket).includes(bucketId))!.Properties
      .PolicyDocument.Statement;

  test.each(EACH_ENV)('%s: the assets bucket is named from config and readable by this distribution only (OAC)', (name, config) => {
    const t = content(name);
    const [bucketId] = Object.entries(t.findResources('AWS::S3::Bucket')).find(
      ([, b]) => b.Properties.BucketName === assetsBucketName(config.name, config.account, config.region),
    )!;
    const read = policyOf(t, bucketId).find((s: { Sid?: string }) => s.Sid === 'AllowCloudFrontOriginAccessControlRead');
    expect(read).toMatchObject({ Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' });
    // the condition is the distribution's ARN (from the Edge stack), not every distribution of the account
    expect(Object.keys(read.Condition)).toEqual(['StringEquals']);
    expect(JSON.stringify(read.Condition.StringEquals['AWS:SourceArn'])).toContain('Edge');
    expect(JSON.stringify(read)).not.toContain('distribution/*');
    expect(stage(name).edgeContent.terminationProtection).toBe(config.stateful.terminationProtection);
  });

  test.each(EACH_ENV)('%s: the assets bucket logs its access into the logs bucket, which admits it by name', (name, config) => {
    content(name).hasResourceProperties('AWS::S3::Bucket', {
      BucketName: assetsBucketName(config.name, config.account, config.region),
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: ASSETS_ACCESS_LOGS_PREFIX },
    });
    const logsId = Object.entries(data(name).findResources('AWS::S3::Bucket')).find(([id]) => id.startsWith('LogsBucket'))![0];
    expect(policyOf(data(name), logsId)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Condition: {
            ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${assetsBucketName(config.name, config.account, config.region)}` },
            StringEquals: { 'aws:SourceAccount': config.account },
          },
        }),
      ]),
    );
  });

  test.each(EACH_ENV)(
    '%s: a dedicated ALB access-log bucket, named from config, that ELB may write under the prefix only',
    (name, config) => {
      const [bucketId, bucket] = Object.entries(data(name).findResources('AWS::S3::Bucket')).find(
        ([, b]) => b.Properties.BucketName === albAccessLogsBucketName(config.name, config.account, config.region),
      )!;
      // ELB delivers SSE-S3 objects only
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe(
        'AES256',
      );
      expect(bucket.DeletionPolicy).toBe(config.stateful.removal === 'retain' ? 'Retain' : 'Delete');
      const delivery = policyOf(data(name), bucketId).find((s: { Sid?: string }) => s.Sid === 'AllowAlbAccessLogDelivery');
      expect(delivery.Resource).toEqual({
        'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${albAccessLogsPrefix(config.name)}/AWSLogs/${config.account}/*`]],
      });
      // ...and the logs bucket no longer admits ELB
      const logsId = Object.keys(data(name).findResources('AWS::S3::Bucket')).find((id) => id.startsWith('LogsBucket'))!;
      expect(JSON.stringify(policyOf(data(name), logsId))).not.toContain('AllowAlbAccessLogDelivery');
    },
  );

  test.each(EACH_ENV)(
    '%s: the origin-header secret is generated (never a literal), unnamed (no pod can read it by prefix), kept outside development',
    (name, config) => {
      const secrets = Object.values(data(name).findResources('AWS::SecretsManager::Secret')).filter((s) =>
        String(s.Properties.Description).includes(ORIGIN_VERIFY_HEADER),
      );
      expect(secrets).toHaveLength(1);
      expect(secrets[0].Properties).toMatchObject({
        GenerateSecretString: { SecretStringTemplate: '{}', GenerateStringKey: 'current', ExcludePunctuation: true, PasswordLength: 48 },
      });
      expect(secrets[0].Properties.Name).toBeUndefined();
      expect(secrets[0].Properties.SecretString).toBeUndefined();
      expect(secrets[0].DeletionPolicy).toBe(config.stateful.removal === 'retain' ? 'Retain' : 'Delete');
    },
  );
});
