import { Match } from 'aws-cdk-lib/assertions';
import {
  APPLICATION_DATABASE,
  auditTrailBucketName,
  clusterName,
  controlPlaneLogGroupName,
  databaseEndpointParameterName,
  databaseUserName,
  secretsManagerName,
} from '../../lib/config/naming';
import { accessRoleArn, jwksParameterName, serviceSecretsRoleArn } from '../../lib/config/access-names';
import { consumersOf, secretConsumers } from '../../lib/config/secret-consumers';
import { SECRETS, servicesFor } from '../../lib/config/service-catalog';
import { EnvironmentConfig } from '../../lib/config/types';
import { EACH_ENV, synthesizedApp } from '../app-fixture';

describe('DataStack', () => {
  // GIVEN the whole app, synthesized once (every gate passed, or this throws)
  const { stage, template, dependsOn } = synthesizedApp();
  const data = (name: string) => template(stage(name).data);

  test.each(EACH_ENV)(
    '%s: four customer-managed keys (application secrets, database, storage, EKS secrets) with rotation, retained outside development',
    (name, config) => {
      const keys = data(name).findResources('AWS::KMS::Key');
      expect(Object.keys(keys).sort()).toEqual([
        expect.stringMatching(/^ApplicationSecretsKey/),
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
      expect(dependsOn(stage(name).cluster)).toContain(stage(name).data);
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

  test('prod: uploads replicate to the DR region, re-encrypted with the DR key; delete markers are NOT replicated', () => {
    // GIVEN a deletion in the primary bucket (by mistake or by an attacker)
    // THEN the DR copy keeps the object: the rule does not carry delete markers over
    const replica = stage('prod').dataReplica!;
    expect(replica.region).toBe('eu-central-1');
    data('prod').hasResourceProperties('AWS::S3::Bucket', {
      ReplicationConfiguration: {
        Rules: [
          Match.objectLike({
            Status: 'Enabled',
            DeleteMarkerReplication: { Status: 'Disabled' },
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
      Object.keys(SECRETS)
        .map((k) => `saas-platform/${name}/${k}`)
        .sort(),
    );
    for (const secret of secrets) {
      expect(secret.Properties.GenerateSecretString).toBeDefined();
      expect(secret.Properties.SecretString).toBeUndefined();
    }
  });

  test.each(EACH_ENV)(
    '%s: every service that uses the database gets its own user, made at deploy time; the proxy logs in as it with IAM',
    (name) => {
      // GIVEN the environment's catalog services that use the database
      const users = servicesFor(name)
        .filter((s) => s.database)
        .map((s) => databaseUserName(s.name));
      expect(users.length).toBeGreaterThan(0);
      const t = data(name);
      t.hasResourceProperties('Custom::DatabaseUsers', { Database: APPLICATION_DATABASE, Users: users });
      t.hasResourceProperties('AWS::RDS::DBProxy', { DefaultAuthScheme: 'IAM_AUTH', Auth: Match.absent() });
      // (one ARN for every user of the database, whatever their number; which user is the client's: test/contracts/workload-aws.spec.ts)
      const statement = Object.values(t.findResources('AWS::IAM::Policy'))
        .flatMap((p) => p.Properties.PolicyDocument.Statement)
        .find((st) => st.Sid === 'LogInToTheDatabaseAsApplicationUsers');
      expect(JSON.stringify(statement.Resource)).toMatch(/DbiResourceId"\]\},"\/\*"\]\]\}$/);
      // only the master credentials have a password; they rotate with the hosted rotation
      const rotations = Object.values(t.findResources('AWS::SecretsManager::RotationSchedule'));
      const hosted = rotations.filter((r) => r.Properties.HostedRotationLambda);
      expect(hosted).toHaveLength(1);
      expect(hosted[0].Properties.RotationRules.ScheduleExpression).toBe(
        stage(name).data.config.database.credentialRotation.scheduleExpression,
      );
    },
  );

  test.each(EACH_ENV)(
    '%s: the database hosts are published for the pods as SSM parameters (reader: the replica where there is one)',
    (name, config) => {
      const t = data(name);
      const params = Object.values(t.findResources('AWS::SSM::Parameter'));
      const value = (endpoint: 'proxy' | 'reader') =>
        JSON.stringify(params.find((p) => p.Properties.Name === databaseEndpointParameterName(name, endpoint))!.Properties.Value);
      expect(value('proxy')).toContain('"Endpoint"');
      expect(value('reader')).toContain(config.database.readReplica ? '"Endpoint.Address"' : '"Endpoint"');
    },
  );

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

describe('DataStack: application secrets are encrypted, readable by their owners only, and the signing key rotates on schedule', () => {
  const { stage, template } = synthesizedApp();
  const data = (name: string) => template(stage(name).data);

  test.each(EACH_ENV)(
    '%s: every catalog secret is under the application secrets key, with a resource policy naming its readers',
    (name, config) => {
      const t = data(name);
      const consumers = secretConsumers(servicesFor(name));
      const secrets = t.findResources('AWS::SecretsManager::Secret');
      const policies = Object.values(t.findResources('AWS::SecretsManager::ResourcePolicy'));
      for (const key of Object.keys(SECRETS)) {
        const [id, secret] = Object.entries(secrets).find(([, s]) => s.Properties.Name === secretsManagerName(name, key))!;
        expect(secret.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ApplicationSecretsKey/), 'Arn'] });
        const policy = policies.find((p) => p.Properties.SecretId.Ref === id)!;
        expect(policy.Properties.BlockPublicPolicy).toBe(true);
        const [statement] = policy.Properties.ResourcePolicy.Statement;
        expect(statement).toMatchObject({ Effect: 'Deny', Action: 'secretsmanager:GetSecretValue', Principal: { AWS: '*' } });
        const readers = statement.Condition.ArnNotEquals['aws:PrincipalArn'].map((r: unknown) => JSON.stringify(r));
        const expected = [
          ...consumersOf(key, consumers).map((c) => JSON.stringify(serviceSecretsRoleArn(name, config.account, c.name))),
          JSON.stringify(accessRoleArn(config, 'breakGlass')),
        ];
        for (const reader of expected) expect(readers).toContain(reader);
        // plus the rotation function's role for a rotated secret, and nobody else
        expect(readers).toHaveLength(expected.length + (SECRETS[key].rotation ? 1 : 0));
      }
    },
  );

  test.each(EACH_ENV)('%s: the signing key pair rotates on the schedule of config, right after the first deploy', (name, config) => {
    const t = data(name);
    const rotated = Object.entries(SECRETS).filter(([, s]) => s.rotation === 'signingKeyPair');
    expect(rotated.length).toBeGreaterThan(0);
    for (const [key] of rotated) {
      const [id] = Object.entries(t.findResources('AWS::SecretsManager::Secret')).find(
        ([, s]) => s.Properties.Name === secretsManagerName(name, key),
      )!;
      t.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        SecretId: { Ref: id },
        RotationLambdaARN: Match.anyValue(),
        RotateImmediatelyOnUpdate: true,
        RotationRules: {
          ScheduleExpression: config.secrets.signingKeyRotation.scheduleExpression,
          Duration: `${config.secrets.signingKeyRotation.windowHours}h`,
        },
      });
      // the function publishes the JWKS where verifiers read it, and may write that parameter only
      t.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ JWKS_PARAMETER_NAME: jwksParameterName(name, key) }) },
      });
      const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
      expect(statements.find((s) => s.Sid === 'PublishThePublicKeys').Resource).toBe(
        `arn:aws:ssm:${config.region}:${config.account}:parameter${jwksParameterName(name, key)}`,
      );
      expect(statements.find((s) => s.Sid === 'EncryptAndDecryptTheSecret').Condition.StringEquals['kms:ViaService']).toBe(
        `secretsmanager.${config.region}.amazonaws.com`,
      );
    }
  });

  test.each(EACH_ENV)(
    '%s: pgAudit logs the classes of config (loaded next to pg_stat_statements), without catalog noise or bind parameters',
    (name, config) => {
      const t = data(name);
      const [group] = Object.values(t.findResources('AWS::RDS::DBParameterGroup'));
      const parameters = group.Properties.Parameters;
      expect(parameters.shared_preload_libraries).toBe(
        config.database.auditLog.length > 0 ? 'pg_stat_statements,pgaudit' : 'pg_stat_statements',
      );
      expect(parameters['pgaudit.log']).toBe(config.database.auditLog.join(','));
      expect(parameters['pgaudit.log_catalog']).toBe('0');
      expect(parameters['pgaudit.log_parameter']).toBe('0');
      // the logs reach CloudWatch Logs through the existing postgresql export
      t.hasResourceProperties('AWS::RDS::DBInstance', { EnableCloudwatchLogsExports: Match.arrayWith(['postgresql']) });
    },
  );

  test('the audit trail bucket may deliver its access logs to the logs bucket, under its prefix', () => {
    const statements = Object.values(data('prod').findResources('AWS::S3::BucketPolicy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement,
    );
    const grant = statements.find((s) => s.Sid === 'AllowServerAccessLogsUnders3audittrail');
    expect(grant.Condition.ArnLike['aws:SourceArn']).toBe(`arn:aws:s3:::${auditTrailBucketName('prod', '333333333333', 'eu-west-1')}`);
  });
});
