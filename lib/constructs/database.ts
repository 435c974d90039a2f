import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DATABASE_MASTER_USER, NON_SERVICE_DATABASE_USERS } from '../config/naming';
import { DatabaseUsers } from './database-users';

/** Props of `PlatformDatabase`. */
export interface PlatformDatabaseProps {
  /** The VPC; the database goes into its isolated subnets, the proxy and rotation into its private ones. */
  readonly vpc: ec2.IVpc;
  /** Customer-managed key for storage, Performance Insights and the credentials secret. */
  readonly encryptionKey: kms.IKey;
  /** Instance class, e.g. `r7g.large` (without the `db.` prefix). */
  readonly instanceClass: string;
  /** Allocated storage at creation. */
  readonly allocatedStorageGiB: number;
  /** Storage autoscaling ceiling. */
  readonly maxAllocatedStorageGiB: number;
  /** Standby in a second zone. */
  readonly multiAz: boolean;
  /** Automated backup retention. */
  readonly backupRetention: Duration;
  /** Daily backup window, UTC, `hh:mm-hh:mm`. */
  readonly backupWindow: string;
  /** Weekly maintenance window, UTC, `ddd:hh:mm-ddd:hh:mm`. */
  readonly maintenanceWindow: string;
  /** `log_min_duration_statement`: statements slower than this are logged (-1 turns it off). */
  readonly slowQueryThresholdMillis: number;
  /**
   * pgAudit session logging (`pgaudit.log`): the statement classes written to the PostgreSQL log,
   * e.g. `['ddl', 'role']`. Loading pgAudit (`shared_preload_libraries`) is a static parameter: on
   * a running instance it takes effect at the next reboot (the instance shows "pending-reboot").
   * @default - no audit logging (pgAudit not loaded)
   */
  readonly auditLog?: readonly string[];
  /** Retention of the exported PostgreSQL logs. */
  readonly logRetention: logs.RetentionDays;
  /** Enhanced monitoring interval; `Duration.seconds(0)` turns it off. */
  readonly monitoringInterval: Duration;
  /** Performance Insights retention. */
  readonly performanceInsightRetention: rds.PerformanceInsightRetention;
  /** Deletion protection (and a final snapshot instead of deletion when the resource leaves the template). */
  readonly protect: boolean;
  /** Rotation of the master credentials: a Secrets Manager schedule expression and window. */
  readonly rotation: { readonly scheduleExpression: string; readonly windowHours: number };
  /** RDS Proxy pool settings. */
  readonly proxy: {
    readonly maxConnectionsPercent: number;
    readonly maxIdleConnectionsPercent: number;
    readonly idleClientTimeout: Duration;
    readonly borrowTimeout: Duration;
  };
  /**
   * A read replica in the same region.
   * @default false
   */
  readonly readReplica?: boolean;
  /**
   * Engine version.
   * @default PostgreSQL 17.9 (`POSTGRES_VERSION`)
   */
  readonly engineVersion?: rds.PostgresEngineVersion;
  /**
   * The application database and its users: one IAM-authenticated login role (and schema) per
   * service, made by a deploy-time step (`DatabaseUsers`); the proxy may log in as each of them.
   * An empty list makes neither.
   * @default - no application users
   */
  readonly applicationUsers?: { readonly databaseName: string; readonly users: readonly string[]; readonly restoreCheck?: string };
}

/** The PostgreSQL engine version the platform is tested with. */
export const POSTGRES_VERSION = rds.PostgresEngineVersion.VER_17_9;

/**
 * PostgreSQL on RDS, reachable through an RDS Proxy (and, for reads, the read replica).
 *
 * Encrypted at rest with a customer-managed key and in transit (`rds.force_ssl`), IAM
 * authentication on, master credentials generated into Secrets Manager and rotated on a schedule,
 * slow-query and connection logging exported to CloudWatch Logs, Performance Insights and enhanced
 * monitoring. The proxy bounds the connection pool: the fix for the N+1 incident in the
 * requirements, where every request opened connections until `max_connections` was exhausted.
 *
 * Authentication is IAM end to end: clients present IAM tokens to the proxy, and the proxy logs in
 * to the database with IAM as the same user, so application users have no password at all. Only
 * the master user has one (generated, rotated, used by the rotation and the users step).
 *
 * Clients are allowed with `allowClient(peer)` (the proxy's port and nothing else) and
 * `allowReader(peer)` (the replica's port); the database's own security group admits the proxy, the
 * rotation function and the users step only.
 */
export class PlatformDatabase extends Construct {
  /** The database instance. */
  public readonly instance: rds.IDatabaseInstance;
  /** The proxy clients connect to. */
  public readonly proxy: rds.IDatabaseProxy;
  /** Master credentials (username/password/host/port as JSON), encrypted with the CMK. */
  public readonly secret: secretsmanager.ISecret;
  /** The read replica, when asked for. */
  public readonly replica?: rds.IDatabaseInstance;
  /** Security group of the read replica: readers are admitted here (`allowReader`). */
  public readonly replicaSecurityGroup?: ec2.ISecurityGroup;
  /** The step that makes the application users, when there are any. */
  public readonly users?: DatabaseUsers;
  /** Security group of the proxy: clients are admitted here. */
  public readonly proxySecurityGroup: ec2.ISecurityGroup;
  /** The database's subnet group (its isolated subnets): a restored copy goes into the same one. */
  public readonly subnetGroup: rds.ISubnetGroup;

  constructor(scope: Construct, id: string, props: PlatformDatabaseProps) {
    super(scope, id);
    if (props.maxAllocatedStorageGiB < props.allocatedStorageGiB) {
      throw new Error(
        `${this.node.path}: maxAllocatedStorageGiB ${props.maxAllocatedStorageGiB} is below allocatedStorageGiB ${props.allocatedStorageGiB}`,
      );
    }
    const engine = rds.DatabaseInstanceEngine.postgres({ version: props.engineVersion ?? POSTGRES_VERSION });
    const removalPolicy = props.protect ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY;

    const audit = props.auditLog && props.auditLog.length > 0 ? props.auditLog : undefined;
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: 'TLS only; slow-query, connection and lock-wait logging',
      parameters: {
        'rds.force_ssl': '1',
        log_min_duration_statement: String(props.slowQueryThresholdMillis),
        log_connections: '1',
        log_disconnections: '1',
        log_lock_waits: '1',
        log_temp_files: '0',
        shared_preload_libraries: audit ? 'pg_stat_statements,pgaudit' : 'pg_stat_statements',
        ...(audit
          ? {
              'pgaudit.log': audit.join(','),
              // System-catalog queries (psql's \d, drivers' introspection) are noise, and bind
              // parameters may carry personal data: neither is logged.
              'pgaudit.log_catalog': '0',
              'pgaudit.log_parameter': '0',
            }
          : {}),
      },
    });

    const dbSecurityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'PostgreSQL: admits the proxy and the rotation function only',
      allowAllOutbound: false,
    });

    const secret = new rds.DatabaseSecret(this, 'Credentials', { username: DATABASE_MASTER_USER, encryptionKey: props.encryptionKey });
    secret.applyRemovalPolicy(props.protect ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);

    // Logging, monitoring, TLS certificate and privacy shared by the primary and its replica.
    const observedAndPrivate = {
      autoMinorVersionUpgrade: true,
      cloudwatchLogsRetention: props.logRetention,
      monitoringInterval: props.monitoringInterval.toSeconds() > 0 ? props.monitoringInterval : undefined,
      enablePerformanceInsights: true,
      performanceInsightRetention: props.performanceInsightRetention,
      performanceInsightEncryptionKey: props.encryptionKey,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      publiclyAccessible: false,
    };

    const instance = new rds.DatabaseInstance(this, 'Resource', {
      engine,
      instanceType: new ec2.InstanceType(props.instanceClass),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [dbSecurityGroup],
      credentials: rds.Credentials.fromSecret(secret),
      parameterGroup,
      multiAz: props.multiAz,
      allocatedStorage: props.allocatedStorageGiB,
      maxAllocatedStorage: props.maxAllocatedStorageGiB,
      storageType: rds.StorageType.GP3,
      storageEncrypted: true,
      storageEncryptionKey: props.encryptionKey,
      iamAuthentication: true,
      backupRetention: props.backupRetention,
      preferredBackupWindow: props.backupWindow,
      preferredMaintenanceWindow: props.maintenanceWindow,
      copyTagsToSnapshot: true,
      deletionProtection: props.protect,
      removalPolicy,
      ...observedAndPrivate,
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
    });
    this.instance = instance;
    this.subnetGroup = instance.node.findChild('SubnetGroup') as rds.SubnetGroup;
    this.secret = instance.secret!;
    this.acknowledgeMonitoringRole(instance);
    this.acknowledgeLogRetentionFunction();

    if (!props.multiAz) {
      Validations.of(instance).acknowledge({
        id: 'AwsSolutions-RDS3',
        reason: 'Single-AZ by config (development); config validation requires Multi-AZ in production.',
      });
    }
    if (!props.protect) {
      Validations.of(instance).acknowledge({
        id: 'AwsSolutions-RDS10',
        reason: 'Deletion protection off by config (development environments may be torn down).',
      });
    }
    Validations.of(instance).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason:
        'Clients reach the database only through RDS Proxy, which listens on the engine port; the security group admits the proxy and the rotation function only, so a non-default port adds nothing.',
    });

    const rotationSecurityGroup = new ec2.SecurityGroup(this, 'RotationSecurityGroup', {
      vpc: props.vpc,
      description: 'Hosted rotation function of the master secret',
    });
    const rotation = this.secret.addRotationSchedule('Rotation', {
      hostedRotation: secretsmanager.HostedRotation.postgreSqlSingleUser({
        vpc: props.vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        securityGroups: [rotationSecurityGroup],
      }),
    });
    // The L2 only knows "every N days"; the schedule and its window come from config.
    const cfnRotation = rotation.node.defaultChild as secretsmanager.CfnRotationSchedule;
    cfnRotation.rotationRules = { scheduleExpression: props.rotation.scheduleExpression, duration: `${props.rotation.windowHours}h` };
    dbSecurityGroup.addIngressRule(rotationSecurityGroup, ec2.Port.POSTGRES, 'rotation');

    const proxySecurityGroup = new ec2.SecurityGroup(this, 'ProxySecurityGroup', {
      vpc: props.vpc,
      description: 'RDS Proxy: clients are admitted with allowClient()',
      allowAllOutbound: false,
    });
    this.proxySecurityGroup = proxySecurityGroup;
    const proxy = new rds.DatabaseProxy(this, 'Proxy', {
      proxyTarget: rds.ProxyTarget.fromInstance(instance),
      // End-to-end IAM: no secret at the proxy; it logs in to the database as the client's own user.
      defaultAuthScheme: rds.DefaultAuthScheme.IAM_AUTH,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [proxySecurityGroup],
      requireTLS: true,
      maxConnectionsPercent: props.proxy.maxConnectionsPercent,
      maxIdleConnectionsPercent: props.proxy.maxIdleConnectionsPercent,
      idleClientTimeout: props.proxy.idleClientTimeout,
      borrowTimeout: props.proxy.borrowTimeout,
    });
    this.proxy = proxy;
    // DatabaseProxy itself admits the proxy to the database (ingress) and lets it out (egress) on the engine port.

    if (props.applicationUsers && props.applicationUsers.users.length > 0) {
      const { databaseName, users, restoreCheck } = props.applicationUsers;
      this.users = new DatabaseUsers(this, 'Users', {
        vpc: props.vpc,
        databaseSecurityGroup: dbSecurityGroup,
        masterSecret: this.secret,
        dependsOn: [instance, this.secret],
        databaseName,
        users,
        restoreCheck,
        logRetention: props.logRetention,
        logRemovalPolicy: props.protect ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
      this.allowProxyLogIns(proxy, instance);
    }

    if (props.readReplica) {
      // Readers connect to the replica directly (RDS Proxy cannot front a read replica of an RDS
      // instance: its read-only endpoints are for Aurora), with IAM authentication like everywhere.
      const replicaSecurityGroup = new ec2.SecurityGroup(this, 'ReplicaSecurityGroup', {
        vpc: props.vpc,
        description: 'PostgreSQL read replica: readers are admitted with allowReader()',
        allowAllOutbound: false,
      });
      this.replicaSecurityGroup = replicaSecurityGroup;
      this.replica = new rds.DatabaseInstanceReadReplica(this, 'ReadReplica', {
        sourceDatabaseInstance: instance,
        instanceType: new ec2.InstanceType(props.instanceClass),
        vpc: props.vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        securityGroups: [replicaSecurityGroup],
        // The same storage as the primary: a replica that cannot keep up (or fills up) is no replica.
        storageType: rds.StorageType.GP3,
        allocatedStorage: props.allocatedStorageGiB,
        maxAllocatedStorage: props.maxAllocatedStorageGiB,
        iamAuthentication: true,
        // Encryption (and its key) is inherited from the source; CloudFormation rejects StorageEncrypted here.
        parameterGroup,
        deletionProtection: props.protect,
        removalPolicy: props.protect ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        ...observedAndPrivate,
        cloudwatchLogsExports: ['postgresql'],
      });
      Validations.of(this.replica).acknowledge({ id: 'AwsSolutions-RDS11', reason: 'Same as the primary: reached on private paths only.' });
      Validations.of(this.replica).acknowledge({
        id: 'AwsSolutions-RDS2',
        reason:
          'A read replica inherits encryption and key from its encrypted source; CloudFormation rejects StorageEncrypted on a replica (F3020).',
      });
      Validations.of(this.replica).acknowledge({
        id: 'AwsSolutions-RDS3',
        reason:
          'A read replica is a second copy by itself; the primary it follows is Multi-AZ (required by config validation in production).',
      });
      this.acknowledgeMonitoringRole(this.replica);
    }
  }

  /**
   * The proxy logs in to the database as each client's own user (end-to-end IAM): a client that
   * authenticated at the proxy as user U (with its own `rds-db:connect` on the proxy's
   * `dbuser:prx-.../U`) is logged in to the database as U with the proxy's role. One statement for
   * every user of this database (`dbuser:<DbiResourceId>/*`) rather than one ARN per user: a list
   * grows with the catalog until the role's inline policy overflows (~65 services). Which user a
   * connection becomes is bounded by the clients' own grants (one user each) and by PostgreSQL (IAM
   * tokens log in only roles granted `rds_iam`: those the users step makes); the master user and
   * RDS's administrator are denied outright, on any database.
   */
  private allowProxyLogIns(proxy: rds.DatabaseProxy, instance: rds.DatabaseInstance): void {
    const stack = Stack.of(this);
    const cfnInstance = instance.node.defaultChild as rds.CfnDBInstance;
    const dbUser = (resourceId: string, user: string) =>
      stack.formatArn({
        service: 'rds-db',
        resource: 'dbuser',
        resourceName: `${resourceId}/${user}`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const proxyRole = proxy.node.findChild('IAMRole') as iam.Role;
    proxyRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'LogInToTheDatabaseAsApplicationUsers',
        actions: ['rds-db:connect'],
        resources: [dbUser(cfnInstance.attrDbiResourceId, '*')],
      }),
    );
    proxyRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'NeverAsTheMasterOrRdsUsers',
        effect: iam.Effect.DENY,
        actions: ['rds-db:connect'],
        resources: NON_SERVICE_DATABASE_USERS.map((user) => dbUser('*', user)),
      }),
    );
    const instanceId = stack.resolve(stack.getLogicalId(cfnInstance));
    Validations.of(proxyRole.node.findChild('DefaultPolicy')).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:aws:rds-db:${stack.region}:${stack.account}:dbuser:<${instanceId}.DbiResourceId>/*]`,
      reason:
        "End-to-end IAM: the proxy logs in to this one database (its DbiResourceId) as each client's own user, one statement for every service instead of one ARN each (which outgrows the role's policy). Bounded by each client's own rds-db:connect on the proxy (one user per service role), by PostgreSQL (IAM tokens log in only roles granted rds_iam, made by the users step), and by the explicit deny of the master user and rdsadmin.",
    });
  }

  private acknowledgeMonitoringRole(instance: rds.IDatabaseInstance): void {
    const role = instance.node.tryFindChild('MonitoringRole');
    if (!role) return;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
      reason: 'The AWS-maintained policy for enhanced monitoring; it only writes to the RDSOSMetrics log group.',
    });
  }

  /** `cloudwatchLogsRetention` sets retention through CDK's LogRetention function, a singleton at stack level. */
  private acknowledgeLogRetentionFunction(): void {
    const stack = Stack.of(this);
    for (const child of stack.node.children.filter((c) => c.node.id.startsWith('LogRetention'))) {
      const role = child.node.findChild('ServiceRole');
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "CDK's LogRetention function writes its own logs with the AWS basic execution policy.",
      });
      Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          "CDK's LogRetention function sets retention on log groups RDS creates at run time, whose ARNs are not known at deploy time.",
      });
    }
  }

  /** Admit a client (e.g. the cluster's node or pod security group) to the proxy, on the PostgreSQL port only. */
  public allowClient(peer: ec2.IPeer, description: string): void {
    this.proxySecurityGroup.addIngressRule(peer, ec2.Port.POSTGRES, description);
  }

  /** Admit a reader to the read replica, on the PostgreSQL port only (nothing when there is no replica). */
  public allowReader(peer: ec2.IPeer, description: string): void {
    this.replicaSecurityGroup?.addIngressRule(peer, ec2.Port.POSTGRES, description);
  }
}
