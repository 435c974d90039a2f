import { Match } from 'aws-cdk-lib/assertions';
import { clusterName, controlPlaneLogGroupName } from '../../lib/config/naming';
import { EnvironmentConfig } from '../../lib/config/types';
import { EACH_ENV, synthesizedApp } from '../app-fixture';

describe('DataStack', () => {
  // GIVEN the whole app, synthesized once (every gate passed, or this throws)
  const { stage, template } = synthesizedApp();
  const data = (name: string) => template(stage(name).data);

  test.each(EACH_ENV)(
    '%s: three customer-managed keys (database, storage, EKS secrets) with rotation, retained outside development',
    (name, config) => {
      const keys = data(name).findResources('AWS::KMS::Key');
      expect(Object.keys(keys).sort()).toEqual([
        expect.stringMatching(/^ClusterSecretsKey/),
        expect.stringMatching(/^DatabaseKey/),
        expect.stringMatching(/^StorageKey/),
      ]);
      for (const key of Object.values(keys)) {
        expect(key.Properties.EnableKeyRotation).toBe(true);
        expect(key.DeletionPolicy).toBe(config.stateful.removal === 'retain' ? 'Retain' : 'Delete');
      }
    },
  );

  test.each(EACH_ENV)(
    '%s: the EKS control-plane log group (audit trail) lives here, under the name EKS writes to, retained outside development',
    (name, config) => {
      // GIVEN the stateful Data stack THEN it owns /aws/eks/<cluster>/cluster with the config retention...
      data(name).hasResource('AWS::Logs::LogGroup', {
        Properties: { LogGroupName: controlPlaneLogGroupName(name), RetentionInDays: config.kubernetes.controlPlaneLogRetentionDays },
        DeletionPolicy: config.stateful.removal === 'retain' ? 'Retain' : 'Delete',
      });
      expect(controlPlaneLogGroupName(name)).toBe(`/aws/eks/${clusterName(name)}/cluster`);
      // ...and the stateless Cluster stack has none (rebuilding it would delete or collide with it) and deploys after it
      expect(template(stage(name).cluster).findResources('AWS::Logs::LogGroup')).toEqual({});
      expect(stage(name).cluster.dependencies).toContain(stage(name).data);
    },
  );

  test.each(EACH_ENV)('%s: the database follows config (Multi-AZ, size, backups, protection)', (name, config) => {
    const db = config.database;
    data(name).hasResource('AWS::RDS::DBInstance', {
      Properties: {
        MultiAZ: db.multiAz,
        DBInstanceClass: `db.${db.instanceClass}`,
        BackupRetentionPeriod: db.backupRetentionDays,
        PreferredBackupWindow: db.backupWindow,
        DeletionProtection: config.stateful.removal === 'retain',
        StorageEncrypted: true,
        EnableIAMDatabaseAuthentication: true,
      },
      DeletionPolicy: config.stateful.removal === 'retain' ? 'Snapshot' : 'Delete',
    });
    data(name).hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Parameters: Match.objectLike({ 'rds.force_ssl': '1', log_min_duration_statement: String(db.slowQueryThresholdMillis) }),
    });
  });

  test.each(EACH_ENV)('%s: proxy TLS and pool from config; rotation schedule from config', (name, config) => {
    const t = data(name);
    t.hasResourceProperties('AWS::RDS::DBProxy', { RequireTLS: true, IdleClientTimeout: config.database.proxy.idleClientTimeoutSeconds });
    t.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', {
      ConnectionPoolConfigurationInfo: Match.objectLike({ MaxConnectionsPercent: config.database.proxy.maxConnectionsPercent }),
    });
    t.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: {
        ScheduleExpression: config.database.credentialRotation.scheduleExpression,
        Duration: `${config.database.credentialRotation.windowHours}h`,
      },
    });
  });

  test('only production has a read replica', () => {
    expect(Object.keys(data('prod').findResources('AWS::RDS::DBInstance'))).toHaveLength(2);
    expect(Object.keys(data('staging').findResources('AWS::RDS::DBInstance'))).toHaveLength(1);
    expect(Object.keys(data('dev').findResources('AWS::RDS::DBInstance'))).toHaveLength(1);
  });

  test.each(EACH_ENV)('%s: three private, versioned, encrypted buckets with TLS-only policies', (name) => {
    const t = data(name);
    const buckets = Object.values(t.findResources('AWS::S3::Bucket'));
    expect(buckets).toHaveLength(3);
    for (const b of buckets) {
      expect(b.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties.BucketEncryption).toBeDefined();
    }
    for (const policy of Object.values(t.findResources('AWS::S3::BucketPolicy'))) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      );
    }
  });

  test.each(EACH_ENV)(
    '%s: uploads tier to IA and Glacier, expire old versions, allow CORS from the apps',
    (name, config: EnvironmentConfig) => {
      const u = config.storage.uploads;
      data(name).hasResourceProperties('AWS::S3::Bucket', {
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({
              Id: 'tiering',
              Transitions: [
                { StorageClass: 'STANDARD_IA', TransitionInDays: u.infrequentAccessAfterDays },
                { StorageClass: 'GLACIER_IR', TransitionInDays: u.glacierAfterDays },
              ],
              NoncurrentVersionExpiration: { NoncurrentDays: u.noncurrentVersionExpirationDays },
            }),
          ]),
        },
        CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedOrigins: u.corsAllowedOrigins })] },
      });
    },
  );

  test.each(EACH_ENV)('%s: the logs bucket accepts log delivery (SSE-S3, ACLs) and expires logs', (name, config) => {
    data(name).hasResourceProperties('AWS::S3::Bucket', {
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Id: 'expire-logs', ExpirationInDays: config.storage.logsExpirationDays })]),
      },
    });
  });

  test.each([
    ['dev', 0],
    ['staging', 3],
    ['prod', 3],
  ])('%s: buckets protected against deletion and versioning changes: %d', (name, count) => {
    const protectedPolicies = Object.values(data(name).findResources('AWS::S3::BucketPolicy')).filter((p) =>
      p.Properties.PolicyDocument.Statement.some((s: { Sid?: string }) => s.Sid === 'DenyBucketDeletionExceptBreakGlass'),
    );
    expect(protectedPolicies).toHaveLength(count);
  });

  test('prod: uploads replicate to the DR region, re-encrypted with the DR key, delete markers included', () => {
    const replica = stage('prod').dataReplica!;
    expect(replica.region).toBe('eu-central-1');
    data('prod').hasResourceProperties('AWS::S3::Bucket', {
      ReplicationConfiguration: {
        Rules: [
          Match.objectLike({
            Status: 'Enabled',
            DeleteMarkerReplication: { Status: 'Enabled' },
            SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
            Destination: {
              Bucket: `arn:aws:s3:::${replica.bucketName}`,
              EncryptionConfiguration: { ReplicaKmsKeyID: replica.keyAliasArn },
            },
          }),
        ],
      },
    });
    data('prod').hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'EncryptReplicasWithTheDrKey',
            Resource: 'arn:aws:kms:eu-central-1:333333333333:key/*',
            Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': replica.keyAliasName } },
          }),
        ]),
      },
    });
  });

  test('prod: the replica bucket is versioned, KMS-encrypted, protected and retained', () => {
    const t = template(stage('prod').dataReplica!);
    t.hasResource('AWS::S3::Bucket', {
      Properties: { BucketName: stage('prod').dataReplica!.bucketName, VersioningConfiguration: { Status: 'Enabled' } },
      DeletionPolicy: 'Retain',
    });
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/saas-platform/prod/uploads-replica' });
    expect(stage('prod').dataReplica!.terminationProtection).toBe(true);
  });

  test('dev and staging do not replicate', () => {
    expect(stage('dev').dataReplica).toBeUndefined();
    expect(stage('staging').dataReplica).toBeUndefined();
  });

  test.each([
    ['dev', false],
    ['staging', true],
    ['prod', true],
  ])('%s: the Data stack has termination protection %s', (name, expected) => {
    expect(stage(name).data.terminationProtection).toBe(expected);
  });
});

describe('DataStack application secrets', () => {
  const { stage, template } = synthesizedApp();
  const data = (name: string) => template(stage(name).data);

  test.each(EACH_ENV)('%s: every catalog secret exists under <app>/<env>/<key> with a generated value, never a literal', (name) => {
    const secrets = Object.values(data(name).findResources('AWS::SecretsManager::Secret')).filter((s) => s.Properties.Name);
    expect(secrets.map((s) => s.Properties.Name).sort()).toEqual(
      ['database-credentials', 'image-signing-public-key', 'jwt-signing-key', 'payment-provider-api-key'].map(
        (k) => `saas-platform/${name}/${k}`,
      ),
    );
    for (const secret of secrets) {
      expect(secret.Properties.GenerateSecretString).toBeDefined();
      expect(secret.Properties.SecretString).toBeUndefined();
    }
  });

  test('the application database user is a proxy login (IAM required) and rotates on the config schedule', () => {
    const t = data('prod');
    const proxy = Object.values(t.findResources('AWS::RDS::DBProxy'))[0];
    expect(proxy.Properties.Auth).toHaveLength(2);
    for (const auth of proxy.Properties.Auth) expect(auth).toMatchObject({ AuthScheme: 'SECRETS', IAMAuth: 'REQUIRED' });
    const appUser = Object.entries(t.findResources('AWS::SecretsManager::Secret')).find(([, s]) =>
      String(s.Properties.Name).endsWith('/database-credentials'),
    )!;
    expect(JSON.stringify(proxy.Properties.Auth)).toContain(appUser[0]);
    const rotations = Object.values(t.findResources('AWS::SecretsManager::RotationSchedule'));
    expect(rotations).toHaveLength(2);
    for (const r of rotations) expect(r.Properties.RotationRules).toEqual({ ScheduleExpression: 'cron(0 3 ? * SUN *)', Duration: '2h' });
  });

  test('the proxy endpoint is published for the pipeline as an SSM parameter', () => {
    data('staging').hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/saas-platform/staging/database/proxy-endpoint',
      Type: 'String',
    });
  });

  test.each([
    ['dev', 'Delete'],
    ['prod', 'Retain'],
  ])('%s: application secrets have DeletionPolicy %s', (name, policy) => {
    const secrets = Object.values(data(name).findResources('AWS::SecretsManager::Secret')).filter((s) => s.Properties.Name);
    for (const s of secrets) expect(s.DeletionPolicy).toBe(policy);
  });
});
