import { RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { BACKUP_OPT_IN_RESOURCE_TYPES, backupVaultName, drDatabaseSubnetGroupName } from '../config/backup';
import { subnetMasks } from '../config/network-layout';
import { kmsAliasName, vpcName } from '../config/naming';
import { BackupRegionOptIn } from '../constructs/backup-region-opt-in';
import { PlatformBackupVault } from '../constructs/backup-vault';
import { PlatformNetwork } from '../constructs/network';
import { BreakGlassIdentity, vaultProtection } from './backup-vault-stack';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/** Props of `DisasterRecoveryStack`. */
export interface DisasterRecoveryStackProps extends Omit<PlatformStackProps, 'stateful'> {
  /** The break-glass path: the only principals that may delete a copied recovery point. */
  readonly breakGlass: BreakGlassIdentity;
}

/**
 * The pilot light in the DR region (stateful, ADR 0008): the network a failover brings compute up
 * in (the same three subnet tiers as the primary's, from `dr.network`) and the backup vault that
 * receives the copies of every snapshot rule (`backupVaultName(env, 'dr')`, named because the copy
 * rule in the primary region must name it: CloudFormation passes no reference across regions),
 * with the same key, break-glass-only deletion and lock as the primary vault, and the DB subnet group
 * a failover restores the database into, and AWS Backup's service opt-in of the DR region (the
 * region keeps the copies, and backs up what a failover brings up there). The replicated
 * uploads bucket is the DataReplica stack's. No compute, no API origin: nothing here answers
 * traffic until a failover (docs/backup-and-dr.md, "Fail over to the DR region").
 */
export class DisasterRecoveryStack extends PlatformStack {
  /** The DR VPC. */
  public readonly vpc: ec2.IVpc;
  /** The vault that receives the copies. */
  public readonly vault: backup.IBackupVault;
  /** The isolated subnets a restored database goes into. */
  public readonly databaseSubnetGroup: rds.ISubnetGroup;

  constructor(scope: Construct, id: string, props: DisasterRecoveryStackProps) {
    const { config } = props;
    if (!config.drRegion || !config.dr) throw new Error(`${config.name}: a DisasterRecovery stack needs drRegion and dr in config`);
    super(scope, id, {
      ...props,
      stateful: true,
      env: { account: config.account, region: config.drRegion },
      description: `${config.name}: DR region pilot light (network, vault receiving backup copies)`,
    });
    const network = config.dr.network;
    this.vpc = new PlatformNetwork(this, 'Network', {
      cidr: network.vpcCidr,
      availabilityZones: network.availabilityZones,
      subnetCidrMasks: subnetMasks(network.vpcCidr),
      natGateways: network.natGateways,
      flowLogRetention: network.flowLogRetentionDays,
      removalPolicy: config.stateful.removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      vpcName: `${vpcName(config.name)}-dr`,
    }).vpc;
    this.databaseSubnetGroup = new rds.SubnetGroup(this, 'DatabaseSubnets', {
      subnetGroupName: drDatabaseSubnetGroupName(config.name),
      description: `${config.name}: isolated subnets of the DR region, where a failover restores the database`,
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vault = new PlatformBackupVault(this, 'Vault', {
      vaultName: backupVaultName(config.name, 'dr'),
      keyDescription: `${config.name} AWS Backup vault in the DR region (copies)`,
      keyAlias: kmsAliasName(config.name, 'backup-dr'),
      ...vaultProtection(config, props.breakGlass),
    }).vault;
    // AWS Backup's service opt-in of this region: the tag selection reaches these types only when it is on.
    new BackupRegionOptIn(this, 'BackupOptIn', { resourceTypes: BACKUP_OPT_IN_RESOURCE_TYPES });
  }

  /** The DR region's zones from config (synth never looks anything up). */
  public get availabilityZones(): string[] {
    return [...(this.config.dr?.network.availabilityZones ?? [])];
  }
}
