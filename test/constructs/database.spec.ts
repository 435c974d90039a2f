import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { DATABASE_MASTER_USER, NON_SERVICE_DATABASE_USERS } from '../../lib/config/naming';
import { PlatformDatabase, PlatformDatabaseProps } from '../../lib/constructs/database';
import { testApp } from '../helpers';

function synth(overrides: Partial<PlatformDatabaseProps> = {}) {
  const stack = new Stack(testApp(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 1,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const key = new kms.Key(stack, 'Key');
  const db = new PlatformDatabase(stack, 'Database', {
    vpc,
    encryptionKey: key,
    instanceClass: 'r7g.large',
    allocatedStorageGiB: 100,
    maxAllocatedStorageGiB: 200,
    multiAz: true,
    backupRetention: Duration.days(14),
    backupWindow: '02:00-03:00',
    maintenanceWindow: 'sun:03:30-sun:04:30',
    slowQueryThresholdMillis: 500,
    logRetention: logs.RetentionDays.ONE_MONTH,
    monitoringInterval: Duration.seconds(60),
    performanceInsightRetention: rds.PerformanceInsightRetention.DEFAULT,
    protect: true,
    rotation: { scheduleExpression: 'cron(0 3 ? * SUN *)', windowHours: 2 },
    proxy: {
      maxConnectionsPercent: 90,
      maxIdleConnectionsPercent: 10,
      idleClientTimeout: Duration.minutes(30),
      borrowTimeout: Duration.seconds(30),
    },
    ...overrides,
  });
  return { stack, db, key, template: () => Template.fromStack(stack) };
}

describe('PlatformDatabase', () => {
  const { template: t, stack } = synth();
  const template = t();
  const keyRef = { 'Fn::GetAtt': [stack.getLogicalId(stack.node.findChild('Key').node.defaultChild as kms.CfnKey), 'Arn'] };

  test('PostgreSQL 17, Multi-AZ, encrypted with the CMK, IAM auth, private, in isolated subnets', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      EngineVersion: '17.9',
      DBInstanceClass: 'db.r7g.large',
      MultiAZ: true,
      StorageEncrypted: true,
      KmsKeyId: keyRef,
      EnableIAMDatabaseAuthentication: true,
      PubliclyAccessible: false,
      StorageType: 'gp3',
      AllocatedStorage: '100',
      MaxAllocatedStorage: 200,
    });
  });

  test('backups: retention, window, tags copied to snapshots, deletion protection, snapshot on delete', () => {
    template.hasResource('AWS::RDS::DBInstance', {
      Properties: {
        BackupRetentionPeriod: 14,
        PreferredBackupWindow: '02:00-03:00',
        PreferredMaintenanceWindow: 'sun:03:30-sun:04:30',
        CopyTagsToSnapshot: true,
        DeletionProtection: true,
      },
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
    });
  });

  test('TLS enforced and slow-query, connection and lock logging in the parameter group', () => {
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'postgres17',
      Parameters: {
        'rds.force_ssl': '1',
        log_min_duration_statement: '500',
        log_connections: '1',
        log_disconnections: '1',
        log_lock_waits: '1',
      },
    });
  });

  test('logs exported to CloudWatch with a retention; Performance Insights and enhanced monitoring on', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: keyRef,
      MonitoringInterval: 60,
    });
    template.hasResourceProperties('Custom::LogRetention', { RetentionInDays: 30 });
  });

  test('credentials are generated into Secrets Manager, encrypted with the CMK, never a literal', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: keyRef,
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"postgres"}', GenerateStringKey: 'password' }),
    });
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/MasterUserPassword"\s*:\s*"/);
  });

  test('credentials rotate with hosted rotation on the schedule and window from config', () => {
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      HostedRotationLambda: Match.objectLike({ RotationType: 'PostgreSQLSingleUser' }),
      RotationRules: { ScheduleExpression: 'cron(0 3 ? * SUN *)', Duration: '2h' },
    });
  });

  test('RDS Proxy: TLS required, IAM end to end (no secret: application users have no password), pool bounded from config', () => {
    template.hasResourceProperties('AWS::RDS::DBProxy', {
      EngineFamily: 'POSTGRESQL',
      RequireTLS: true,
      IdleClientTimeout: 1800,
      DefaultAuthScheme: 'IAM_AUTH',
      Auth: Match.absent(),
    });
    template.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', {
      ConnectionPoolConfigurationInfo: { MaxConnectionsPercent: 90, MaxIdleConnectionsPercent: 10, ConnectionBorrowTimeout: 30 },
    });
  });

  test('the database admits only the proxy and the rotation function', () => {
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'));
    const toDb = ingress.filter((r) => JSON.stringify(r.Properties.GroupId).includes('DatabaseSecurityGroup'));
    expect(toDb.map((r) => r.Properties.Description).sort()).toEqual([
      'Allow connections to the database Instance from the Proxy',
      'rotation',
    ]);
    for (const rule of toDb) {
      expect(rule.Properties.SourceSecurityGroupId).toBeDefined();
      expect(rule.Properties.CidrIp).toBeUndefined();
    }
  });

  test('allowClient admits a peer to the proxy on 5432 only', () => {
    const { db, template: tt } = synth();
    db.allowClient(ec2.Peer.ipv4('10.0.0.0/16'), 'pods');
    tt().hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'RDS Proxy: clients are admitted with allowClient()',
      SecurityGroupIngress: [{ CidrIp: '10.0.0.0/16', FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp', Description: 'pods' }],
    });
  });

  test("a read replica when asked: inherited encryption, the primary's storage, IAM auth, its own security group for readers", () => {
    const { db, template: tt } = synth({ readReplica: true });
    db.allowReader(ec2.Peer.ipv4('10.0.32.0/19'), 'pods');
    const t2 = tt();
    const instances = t2.findResources('AWS::RDS::DBInstance');
    expect(Object.keys(instances)).toHaveLength(2);
    const replica = Object.values(instances).find((r) => r.Properties.SourceDBInstanceIdentifier)!;
    expect(replica.Properties).toMatchObject({
      DeletionProtection: true,
      StorageType: 'gp3',
      AllocatedStorage: '100',
      MaxAllocatedStorage: 200,
      EnableIAMDatabaseAuthentication: true,
    });
    expect(replica.Properties.StorageEncrypted).toBeUndefined();
    // readers reach the replica through its own security group, on 5432 only
    const replicaGroup = Object.entries(t2.findResources('AWS::EC2::SecurityGroup')).find(([, r]) =>
      String(r.Properties.GroupDescription).startsWith('PostgreSQL read replica'),
    )!;
    expect(replica.Properties.VPCSecurityGroups).toEqual([{ 'Fn::GetAtt': [replicaGroup[0], 'GroupId'] }]);
    expect(replicaGroup[1].Properties.SecurityGroupIngress).toEqual([
      { CidrIp: '10.0.32.0/19', FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp', Description: 'pods' },
    ]);
  });

  test('allowReader does nothing without a replica', () => {
    const { db, template: tt } = synth();
    db.allowReader(ec2.Peer.ipv4('10.0.0.0/16'), 'pods');
    expect(db.replicaSecurityGroup).toBeUndefined();
    expect(JSON.stringify(tt().toJSON())).not.toContain('"Description":"pods"');
  });

  describe('application users', () => {
    const { template: tt, stack: s2, db } = synth({ applicationUsers: { databaseName: 'app', users: ['web_api', 'worker'] } });
    const t2 = tt();
    const instanceId = s2.getLogicalId(db.instance.node.defaultChild as rds.CfnDBInstance);

    test('a deploy-time step makes them, after the instance and its secret attachment, with the list as properties', () => {
      t2.hasResource('Custom::DatabaseUsers', {
        Properties: Match.objectLike({ Database: 'app', Users: ['web_api', 'worker'], SecretArn: Match.anyValue() }),
        DependsOn: Match.arrayWith([instanceId]),
      });
    });

    test('the step may read the master secret and reach the database on 5432 only', () => {
      const group = Object.entries(t2.findResources('AWS::EC2::SecurityGroup')).find(([, r]) =>
        String(r.Properties.GroupDescription).startsWith('Database users step'),
      )!;
      t2.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        SourceSecurityGroupId: { 'Fn::GetAtt': [group[0], 'GroupId'] },
        FromPort: 5432,
        ToPort: 5432,
        Description: 'database users step',
      });
      t2.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' }) },
        VpcConfig: Match.objectLike({ SecurityGroupIds: [{ 'Fn::GetAtt': [group[0], 'GroupId'] }] }),
      });
    });

    test('the proxy may log in to this database as its users with one statement, never as the master user or rdsadmin', () => {
      // THEN one ARN for every user of this database, whatever the number of users (a list per user
      // outgrows the role's inline policy past ~65 services), and an explicit deny of the non-service users
      const dbUser = (resourceId: unknown, user: string) => ({
        'Fn::Join': ['', ['arn:aws:rds-db:eu-west-1:123456789012:dbuser:', resourceId, `/${user}`]],
      });
      t2.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [
            {
              Sid: 'LogInToTheDatabaseAsApplicationUsers',
              Effect: 'Allow',
              Action: 'rds-db:connect',
              Resource: dbUser({ 'Fn::GetAtt': [instanceId, 'DbiResourceId'] }, '*'),
            },
            {
              Sid: 'NeverAsTheMasterOrRdsUsers',
              Effect: 'Deny',
              Action: 'rds-db:connect',
              Resource: NON_SERVICE_DATABASE_USERS.map((user) => `arn:aws:rds-db:eu-west-1:123456789012:dbuser:*/${user}`),
            },
          ],
        },
        Roles: [{ Ref: Match.stringLikeRegexp('^DatabaseProxyIAMRole') }],
      });
      expect(NON_SERVICE_DATABASE_USERS).toContain(DATABASE_MASTER_USER);
      // the master user is the one the credentials name
      t2.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: Match.objectLike({ SecretStringTemplate: JSON.stringify({ username: DATABASE_MASTER_USER }) }),
      });
    });

    test('the same statement with 200 users: the proxy role has no overflow policy', () => {
      // GIVEN many more users than fit one ARN each in the role's inline policy
      const users = Array.from({ length: 200 }, (_, i) => `service_${i}`);
      const { template } = synth({ applicationUsers: { databaseName: 'app', users } });
      // THEN the role's policy is the same two statements, and nothing overflows into a managed policy
      const t3 = template();
      t3.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
      const proxyPolicy = Object.values(t3.findResources('AWS::IAM::Policy')).find((p) =>
        JSON.stringify(p.Properties.Roles).includes('DatabaseProxyIAMRole'),
      )!;
      expect(proxyPolicy.Properties.PolicyDocument.Statement.map((st: { Sid: string }) => st.Sid)).toEqual([
        'LogInToTheDatabaseAsApplicationUsers',
        'NeverAsTheMasterOrRdsUsers',
      ]);
    });
  });

  test('development: no deletion protection, deleted with the stack, single AZ, no enhanced monitoring', () => {
    const { template: tt } = synth({ protect: false, multiAz: false, monitoringInterval: Duration.seconds(0) });
    const t2 = tt();
    t2.hasResource('AWS::RDS::DBInstance', { Properties: { DeletionProtection: false, MultiAZ: false }, DeletionPolicy: 'Delete' });
    expect(Object.values(t2.findResources('AWS::RDS::DBInstance'))[0].Properties.MonitoringInterval).toBeUndefined();
  });

  test('rejects an autoscaling ceiling below the allocated storage', () => {
    expect(() => synth({ maxAllocatedStorageGiB: 50 })).toThrow(
      'Test/Database: maxAllocatedStorageGiB 50 is below allocatedStorageGiB 100',
    );
  });
});
