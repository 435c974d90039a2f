import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { kmsAliasName } from '../config/naming';
import { SecureBucket } from '../constructs/secure-bucket';
import { bucketProtection } from './bucket-protection';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/** Props of `DataReplicaStack`. */
export type DataReplicaStackProps = Omit<PlatformStackProps, 'stateful'>;

/**
 * The disaster-recovery copy of the `uploads` bucket, in the environment's DR region (stateful).
 *
 * The bucket and key alias have names derived from config, because the replication rule in the
 * primary region must name them and CloudFormation cannot pass references across regions.
 */
export class DataReplicaStack extends PlatformStack {
  /** Name of the replica bucket. */
  public readonly bucketName: string;
  /** ARN of the replica key's alias (S3 replication accepts an alias ARN as `ReplicaKmsKeyID`). */
  public readonly keyAliasArn: string;
  /** Name of the replica key's alias. */
  public readonly keyAliasName: string;
  /** The replica bucket. */
  public readonly bucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: DataReplicaStackProps) {
    const region = props.config.drRegion;
    if (!region) throw new Error(`${props.config.name}: a DataReplica stack needs drRegion in config`);
    super(scope, id, {
      ...props,
      stateful: true,
      env: { account: props.config.account, region },
      description: `${props.config.name}: replica of the uploads bucket in the DR region`,
    });
    const { config } = this;
    const keep = config.stateful.removal === 'retain';
    this.keyAliasName = kmsAliasName(config.name, 'uploads-replica');
    this.keyAliasArn = `arn:aws:kms:${region}:${config.account}:${this.keyAliasName}`;
    this.bucketName = `${config.tags.Application}-${config.name}-uploads-replica-${config.account}-${region}`;

    const key = new kms.Key(this, 'UploadsReplicaKey', {
      description: `${config.name} uploads replica (DR)`,
      enableKeyRotation: true,
      alias: this.keyAliasName,
      removalPolicy: keep ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(30),
    });
    const removalPolicy = keep ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const protection = keep ? bucketProtection(config) : undefined;
    const logs = new SecureBucket(this, 'ReplicaLogs', {
      removalPolicy,
      protection,
      lifecycleRules: [
        { id: 'expire-logs', expiration: Duration.days(config.storage.logsExpirationDays), noncurrentVersionExpiration: Duration.days(7) },
      ],
    });
    this.bucket = new SecureBucket(this, 'UploadsReplica', {
      // The physical name is the contract with the replication rule in the primary region.
      bucketName: this.bucketName,
      encryptionKey: key,
      accessLogs: { bucket: logs.bucket, prefix: 'uploads-replica/' },
      removalPolicy,
      protection,
      lifecycleRules: [
        { id: 'expire-noncurrent', noncurrentVersionExpiration: Duration.days(config.storage.uploads.noncurrentVersionExpirationDays) },
      ],
    }).bucket;
  }
}
