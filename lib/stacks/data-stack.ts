import { CfnOutput, Duration, RemovalPolicy, Tags, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as cwlogs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  albAccessLogsBucketName,
  albAccessLogsPrefix,
  ASSETS_ACCESS_LOGS_PREFIX,
  assetsBucketName,
  ORIGIN_VERIFY_HEADER,
  wafLogGroupName,
} from '../config/edge-names';
import {
  APPLICATION_DATABASE,
  AUDIT_TRAIL_ACCESS_LOGS_PREFIX,
  auditTrailBucketName,
  controlPlaneLogGroupName,
  databaseEndpointParameterName,
  kmsAliasName,
  secretsManagerName,
  uploadsBucketName,
} from '../config/naming';
import { accessRoleArn, jwksParameterName, secretRotationRoleName, serviceSecretsRoleArn } from '../config/access-names';
import { restoreCheckTableName } from '../config/backup';
import { chaosTargetTag } from '../config/chaos';
import { consumersOf, SecretConsumer } from '../config/secret-consumers';
import { SecretRotation } from '../config/service-catalog';
import { ApplicationSecrets } from '../constructs/application-secrets';
import { PlatformDatabase } from '../constructs/database';
import { albLogDeliveryStatement, serverAccessLogDeliveryStatement } from '../constructs/edge-bucket-statements';
import { SecureBucket } from '../constructs/secure-bucket';
import { SigningKeyRotation } from '../constructs/signing-key-rotation';
import { bucketProtection } from './bucket-protection';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/** Where `uploads` replicates to (the DR region's replica bucket and key alias). */
export interface UploadsReplicaTarget {
  /** Name of the replica bucket. */
  readonly bucketName: string;
  /** Region of the replica bucket. */
  readonly region: string;
  /** Name of the replica key's alias, e.g. `alias/app/prod/uploads-replica`. */
  readonly keyAliasName: string;
  /** ARN of that alias. */
  readonly keyAliasArn: string;
}

/** An application secret of the service catalog. */
export interface CatalogSecret {
  /** What it holds. */
  readonly description: string;
  /**
   * JSON properties, when the secret is an object.
   * @default - a plain string
   */
  readonly properties?: readonly string[];
  /**
   * The platform makes and rotates the value (`signingKeyPair`).
   * @default - the owners set the value
   */
  readonly rotation?: SecretRotation;
}

/** Props of `DataStack`. */
export interface DataStackProps extends Omit<PlatformStackProps, 'stateful'> {
  /**
   * Secrets the services read (catalog key -> spec), created as `<app>/<env>/<key>`.
   * @default - none
   */
  readonly applicationSecrets?: Readonly<Record<string, CatalogSecret>>;
  /** The environment's VPC (from the Network stack). */
  readonly vpc: ec2.IVpc;
  /**
   * Replicate `uploads` here.
   * @default - no replication
   */
  readonly uploadsReplica?: UploadsReplicaTarget;
  /**
   * Database users to make, one per service that uses the database (`databaseUserName`).
   * @default - none
   */
  readonly databaseUsers?: readonly string[];
  /**
   * Who reads which application secret (`secretConsumers`): each secret's value is readable by its
   * consumers' secrets roles only (and its rotation function, and the break-glass role).
   * @default - none: only rotation and break-glass read them
   */
  readonly secretConsumers?: readonly SecretConsumer[];
}

/**
 * The environment's state: KMS keys, PostgreSQL behind RDS Proxy, and the S3 buckets
 * (stateful: termination-protected, RETAIN/SNAPSHOT outside development).
 *
 * Construct IDs in this stack are frozen: `test/stacks/stateful-logical-ids.spec.ts` fails the
 * build when one changes, because CloudFormation would replace the resource and lose its data.
 */
export class DataStack extends PlatformStack {
  /** Key for the database: storage, Performance Insights, the credentials secret. */
  public readonly databaseKey: kms.IKey;
  /** Key for the `uploads` bucket. */
  public readonly storageKey: kms.IKey;
  /** Key for EKS envelope encryption of Kubernetes secrets (here, not in the stateless Cluster stack: a key outlives a rebuilt cluster). */
  public readonly clusterSecretsKey: kms.IKey;
  /** The database instance. */
  public readonly database: rds.IDatabaseInstance;
  /** The proxy every client connects through. */
  public readonly databaseProxy: rds.IDatabaseProxy;
  /** The read replica readers connect to, when config asks for one. */
  public readonly databaseReplica?: rds.IDatabaseInstance;
  /** Master credentials of the database. */
  public readonly databaseSecret: secretsmanager.ISecret;
  /** The database construct, to admit clients to the proxy (`allowClient`). */
  public readonly databaseAccess: PlatformDatabase;
  /** User files. */
  public readonly uploadsBucket: s3.IBucket;
  /** The services' secrets by catalog key. */
  public readonly applicationSecrets: Readonly<Record<string, secretsmanager.ISecret>>;
  /** Key of the services' secrets: each consumer's secrets role may decrypt its own secrets with it, through Secrets Manager. */
  public readonly applicationSecretsKey: kms.IKey;
  /** The rotation of each platform-rotated secret (signing key pairs), by catalog key. */
  public readonly secretRotations: Readonly<Record<string, SigningKeyRotation>>;
  /** Access logs of S3 and CloudFront. */
  public readonly logsBucket: s3.IBucket;
  /**
   * The EKS control-plane log group (audit trail), `/aws/eks/<cluster>/cluster`. EKS picks the
   * name, so it is fixed: here, a rebuilt Cluster stack neither deletes it (outside development) nor
   * collides with the retained group when it creates the cluster again.
   */
  public readonly controlPlaneLogGroup: cwlogs.ILogGroup;
  /** The release gate's build logs (what each release's gate saw), outliving a rebuilt cluster outside development. */
  public readonly releaseGateLogGroup: cwlogs.ILogGroup;
  /** Access logs of the ALB, named `albAccessLogsBucketName` (the IngressClassParams names it). */
  public readonly albAccessLogsBucket: s3.IBucket;
  /** Name of the REGIONAL WebACL's log group (the Edge stack's WebACL logs to it). */
  public readonly regionalWebAclLogGroupName: string;
  /** The secret origin header `{ current, previous }` (the Edge stack sends, checks and rotates it). */
  public readonly originVerifySecret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, { ...props, stateful: true, description: `${props.config.name}: KMS keys, PostgreSQL + RDS Proxy, S3 buckets` });
    const { config } = this;
    const db = config.database;
    const keep = config.stateful.removal === 'retain';
    const removalPolicy = keep ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const protection = keep ? bucketProtection(config) : undefined;

    this.databaseKey = new kms.Key(this, 'DatabaseKey', {
      description: `${config.name} database: storage, Performance Insights, credentials`,
      alias: kmsAliasName(config.name, 'database'),
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(30),
    });
    this.storageKey = new kms.Key(this, 'StorageKey', {
      description: `${config.name} uploads bucket`,
      alias: kmsAliasName(config.name, 'storage'),
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(30),
    });

    this.clusterSecretsKey = new kms.Key(this, 'ClusterSecretsKey', {
      description: `${config.name} EKS envelope encryption of Kubernetes secrets`,
      alias: kmsAliasName(config.name, 'eks-secrets'),
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(30),
    });

    this.controlPlaneLogGroup = new cwlogs.LogGroup(this, 'ClusterControlPlaneLogs', {
      logGroupName: controlPlaneLogGroupName(config.name),
      retention: config.kubernetes.controlPlaneLogRetentionDays,
      removalPolicy,
    });
    this.releaseGateLogGroup = new cwlogs.LogGroup(this, 'ReleaseGateLogs', {
      retention: config.kubernetes.controlPlaneLogRetentionDays,
      removalPolicy,
    });

    const logs = new SecureBucket(this, 'LogsBucket', {
      // S3, CloudFront and ALB log delivery write SSE-S3 only; CloudFront standard logs need ACLs.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy,
      protection,
      lifecycleRules: [
        { id: 'expire-logs', expiration: Duration.days(config.storage.logsExpirationDays), noncurrentVersionExpiration: Duration.days(7) },
      ],
    });
    this.logsBucket = logs.bucket;
    // The assets bucket (EdgeContent stack, created later) logs here; named, so no reference back to it.
    logs.bucket.addToResourcePolicy(
      serverAccessLogDeliveryStatement(logs.bucket, assetsBucketName(config.name, this.account, this.region), ASSETS_ACCESS_LOGS_PREFIX),
    );
    // ...and so does the audit trail's bucket (Audit stack).
    logs.bucket.addToResourcePolicy(
      serverAccessLogDeliveryStatement(
        logs.bucket,
        auditTrailBucketName(config.name, this.account, this.region),
        AUDIT_TRAIL_ACCESS_LOGS_PREFIX,
      ),
    );

    // Only the ALB writes here, under its prefix; named from config because the IngressClassParams
    // (cdk8s) names it. ELB delivers SSE-S3 objects only, without ACLs.
    const albLogs = new SecureBucket(this, 'AlbAccessLogsBucket', {
      bucketName: albAccessLogsBucketName(config.name, this.account, this.region),
      accessLogs: { bucket: logs.bucket, prefix: 's3/alb-access-logs/' },
      removalPolicy,
      protection,
      lifecycleRules: [
        { id: 'expire-logs', expiration: Duration.days(config.storage.logsExpirationDays), noncurrentVersionExpiration: Duration.days(7) },
      ],
    });
    albLogs.bucket.addToResourcePolicy(albLogDeliveryStatement(albLogs.bucket, albAccessLogsPrefix(config.name)));
    this.albAccessLogsBucket = albLogs.bucket;

    // Here, not in the stateless Edge stack: WAF needs this fixed name, and a retained log group
    // with a fixed name in a stack that is recreated collides with its predecessor.
    this.regionalWebAclLogGroupName = wafLogGroupName(config.name, 'REGIONAL');
    new cwlogs.LogGroup(this, 'RegionalWebAclLogs', {
      logGroupName: this.regionalWebAclLogGroupName,
      retention: config.edge.wafLogRetentionDays,
      removalPolicy,
    });

    // The secret origin header CloudFront sends and the REGIONAL WebACL checks (both in the Edge
    // stack, by dynamic reference); here because a secret is stateful and must exist before both.
    // A generated name, outside `<app>/<env>/`: no pod (External Secrets reads that prefix) needs it.
    const originVerify = new secretsmanager.Secret(this, 'OriginVerifySecret', {
      description: `${config.name}: value of the ${ORIGIN_VERIFY_HEADER} header CloudFront sends to the ALB`,
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'current', passwordLength: 48, excludePunctuation: true },
      removalPolicy,
    });
    Validations.of(originVerify).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: `Rotated every edge.originVerifyRotationDays by the Edge stack's custom rotation function (OriginVerifyRotation), which needs the distribution and the WebACL of that stack.`,
    });
    this.originVerifySecret = originVerify;

    const uploadsConfig = config.storage.uploads;
    const uploads = new SecureBucket(this, 'UploadsBucket', {
      bucketName: uploadsBucketName(config.name, this.account, this.region),
      encryptionKey: this.storageKey,
      accessLogs: { bucket: logs.bucket, prefix: 's3/uploads/' },
      removalPolicy,
      protection,
      lifecycleRules: [
        {
          id: 'tiering',
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(uploadsConfig.infrequentAccessAfterDays) },
            { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(uploadsConfig.glacierAfterDays) },
          ],
          noncurrentVersionExpiration: Duration.days(uploadsConfig.noncurrentVersionExpirationDays),
        },
      ],
      cors:
        uploadsConfig.corsAllowedOrigins.length > 0
          ? [
              {
                allowedOrigins: [...uploadsConfig.corsAllowedOrigins],
                allowedMethods: [s3.HttpMethods.GET, s3.HttpMethods.PUT, s3.HttpMethods.POST, s3.HttpMethods.HEAD],
                allowedHeaders: ['*'],
                exposedHeaders: ['ETag'],
                maxAge: 3000,
              },
            ]
          : undefined,
      replicationRules: props.uploadsReplica ? [this.replicationRule(props.uploadsReplica)] : undefined,
    });
    this.uploadsBucket = uploads.bucket;
    if (props.uploadsReplica) this.completeReplicationRole(uploads.bucket, props.uploadsReplica);

    const database = new PlatformDatabase(this, 'Database', {
      vpc: props.vpc,
      encryptionKey: this.databaseKey,
      instanceClass: db.instanceClass,
      allocatedStorageGiB: db.allocatedStorageGiB,
      maxAllocatedStorageGiB: db.maxAllocatedStorageGiB,
      multiAz: db.multiAz,
      backupRetention: Duration.days(db.backupRetentionDays),
      backupWindow: db.backupWindow,
      maintenanceWindow: db.maintenanceWindow,
      slowQueryThresholdMillis: db.slowQueryThresholdMillis,
      auditLog: db.auditLog,
      logRetention: db.logRetentionDays,
      monitoringInterval: Duration.seconds(db.monitoringIntervalSeconds),
      performanceInsightRetention: db.performanceInsightsRetentionDays,
      protect: keep,
      rotation: db.credentialRotation,
      proxy: {
        maxConnectionsPercent: db.proxy.maxConnectionsPercent,
        maxIdleConnectionsPercent: db.proxy.maxIdleConnectionsPercent,
        idleClientTimeout: Duration.seconds(db.proxy.idleClientTimeoutSeconds),
        borrowTimeout: Duration.seconds(db.proxy.borrowTimeoutSeconds),
      },
      readReplica: db.readReplica,
      // The step also keeps the one-row table a restore test reads from a restored copy.
      applicationUsers: { databaseName: APPLICATION_DATABASE, users: props.databaseUsers ?? [], restoreCheck: restoreCheckTableName() },
    });
    this.databaseAccess = database;
    // What the database-reboot experiment targets: the primary instance, not its replica (lib/config/chaos.ts).
    const chaos = chaosTargetTag('database-primary');
    Tags.of(database.instance).add(chaos.key, chaos.value, { includeResourceTypes: ['AWS::RDS::DBInstance'] });

    this.applicationSecretsKey = new kms.Key(this, 'ApplicationSecretsKey', {
      description: `${config.name} services' secrets (API keys, signing keys): decrypted per secret, by its readers only`,
      alias: kmsAliasName(config.name, 'application-secrets'),
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(30),
    });
    const catalogSecrets = props.applicationSecrets ?? {};
    const appSecrets = new ApplicationSecrets(this, 'ApplicationSecrets', {
      removalPolicy,
      encryptionKey: this.applicationSecretsKey,
      secrets: Object.fromEntries(
        Object.entries(catalogSecrets).map(([key, spec]) => [
          key,
          {
            secretName: secretsManagerName(config.name, key),
            description: spec.description,
            template: spec.properties ? Object.fromEntries(spec.properties.filter((p) => p !== 'password').map((p) => [p, ''])) : undefined,
          },
        ]),
      ),
    });
    this.applicationSecrets = appSecrets.secrets;
    const rotations: Record<string, SigningKeyRotation> = {};
    for (const [key, spec] of Object.entries(catalogSecrets)) {
      if (spec.rotation === 'signingKeyPair') {
        rotations[key] = new SigningKeyRotation(this, `Rotation-${key}`, {
          secret: appSecrets.secrets[key],
          encryptionKey: this.applicationSecretsKey,
          jwksParameterName: jwksParameterName(config.name, key),
          scheduleExpression: config.secrets.signingKeyRotation.scheduleExpression,
          windowHours: config.secrets.signingKeyRotation.windowHours,
          roleName: secretRotationRoleName(config.name, key),
          logRetention: db.logRetentionDays,
          logRemovalPolicy: removalPolicy,
        });
      } else {
        appSecrets.acknowledgeNoRotation(
          key,
          'Issued by a third party or by the owning team, who rotate it with put-secret-value; Secrets Manager cannot rotate it.',
        );
      }
      // Its consumers' secrets roles read it; its rotation function; the break-glass role (every use pages).
      appSecrets.restrictReads(key, [
        ...consumersOf(key, props.secretConsumers ?? []).map((c) => serviceSecretsRoleArn(config.name, this.account, c.name)),
        ...(rotations[key] ? [rotations[key].handler.role.roleArn] : []),
        accessRoleArn(config, 'breakGlass'),
      ]);
    }
    this.secretRotations = rotations;
    // FOR ONE RELEASE: the Audit stacks deployed before the secret-read alarm matched readers by name
    // prefix read each rotation role's name through this output (the weak reference CDK names
    // Publish/Output{"Ref":...}); it stays until they are deployed with the new alarm, then goes.
    for (const rotation of Object.values(rotations)) {
      const role = rotation.handler.role.node.defaultChild as iam.CfnRole;
      const publish = this.node.tryFindChild('Publish') ?? new Construct(this, 'Publish');
      new CfnOutput(publish, `Output${JSON.stringify(this.resolve(role.ref))}`, { value: role.ref });
    }
    // Deploy-time values the pods need, delivered by External Secrets from Parameter Store (never pasted).
    new ssm.StringParameter(this, 'DatabaseProxyEndpoint', {
      parameterName: databaseEndpointParameterName(config.name, 'proxy'),
      stringValue: database.proxy.endpoint,
      description: 'Host services connect to for reads and writes (RDS Proxy, TLS, IAM authentication)',
    });
    new ssm.StringParameter(this, 'DatabaseReaderEndpoint', {
      parameterName: databaseEndpointParameterName(config.name, 'reader'),
      stringValue: database.replica?.dbInstanceEndpointAddress ?? database.proxy.endpoint,
      description: 'Host services send read-only queries to (the read replica, or the proxy when there is none)',
    });
    this.databaseReplica = database.replica;
    this.database = database.instance;
    this.databaseProxy = database.proxy;
    this.databaseSecret = database.secret;
  }

  /**
   * Replicate every object of `uploads` to the DR bucket, re-encrypted with the DR key. Delete markers
   * are NOT replicated: a deletion in the primary (by mistake, or by an attacker) leaves the DR copy
   * intact, which is the point of a second copy.
   */
  private replicationRule(target: UploadsReplicaTarget): s3.ReplicationRule {
    const destination = s3.Bucket.fromBucketAttributes(this, 'UploadsReplicaBucket', {
      bucketName: target.bucketName,
      region: target.region,
      account: this.account,
    });
    return {
      destination,
      kmsKey: kms.Key.fromKeyArn(this, 'UploadsReplicaKey', target.keyAliasArn),
      sseKmsEncryptedObjects: true,
      deleteMarkerReplication: false,
      priority: 0,
    };
  }

  /**
   * KMS authorizes by key, not by alias, so the L2's grant on the alias ARN does nothing: allow the
   * replication role the DR key through the `kms:ResourceAliases` condition instead, and record why
   * the object-level wildcards the replication role needs are acceptable.
   */
  private completeReplicationRole(bucket: s3.IBucket, target: UploadsReplicaTarget): void {
    const role = bucket.node.findChild('ReplicationRole') as iam.Role;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptReplicasWithTheDrKey',
        actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [`arn:aws:kms:${target.region}:${this.account}:key/*`],
        conditions: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': target.keyAliasName } },
      }),
    );
    const bucketLogicalId = this.resolve(this.getLogicalId(bucket.node.defaultChild as s3.CfnBucket));
    const reasons: Record<string, string> = {
      [`Resource::<${bucketLogicalId}.Arn>/*`]: 'Replication reads every object version of the source bucket.',
      [`Resource::arn:aws:s3:::${target.bucketName}/*`]: 'Replication writes every object of the replica bucket.',
      [`Resource::arn:aws:kms:${target.region}:${this.account}:key/*`]:
        'Narrowed to the one DR key by the kms:ResourceAliases condition (the key ARN is not known across regions).',
      'Action::kms:GenerateDataKey*': 'Granted by the L2 on the replica key alias; S3 needs data keys to re-encrypt replicas.',
      'Action::kms:ReEncrypt*': 'Granted by the L2 on the replica key alias; S3 re-encrypts replicas with the DR key.',
    };
    for (const [finding, reason] of Object.entries(reasons)) {
      Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    }
  }
}
