import { Stage, StageProps, Tags, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { REQUIRED_TAGS, STATEFUL_TAGS } from '../config/tag-policy';
import { EnvironmentConfig } from '../config/types';
import { PlatformChecks } from '../policies/platform-checks';
import { DataReplicaStack } from '../stacks/data-replica-stack';
import { DataStack } from '../stacks/data-stack';
import { NetworkStack } from '../stacks/network-stack';

/** Props of `SaasEnvironmentStage`. */
export interface SaasEnvironmentStageProps extends StageProps {
  /** The validated configuration of the environment. */
  readonly config: EnvironmentConfig;
}

/**
 * All stacks of one environment and how they connect. Addressed on the command line by its
 * stage name: `cdk diff 'Prod/*'`, `cdk deploy 'Staging/*'`.
 */
export class SaasEnvironmentStage extends Stage {
  /** The environment's network. */
  public readonly network: NetworkStack;
  /** The environment's keys, database and buckets. */
  public readonly data: DataStack;
  /** The DR copy of the uploads bucket, when config replicates it. */
  public readonly dataReplica?: DataReplicaStack;

  constructor(scope: Construct, id: string, props: SaasEnvironmentStageProps) {
    const { config, ...stageProps } = props;
    super(scope, id, { env: { account: config.account, region: config.region }, ...stageProps });

    for (const rule of REQUIRED_TAGS) {
      Tags.of(this).add(rule.key, config.tags[rule.key as keyof typeof config.tags]);
    }
    Validations.of(this).addPlugins(
      new PlatformChecks(this, {
        requiredTags: REQUIRED_TAGS,
        statefulTags: STATEFUL_TAGS,
        requireTerminationProtection: config.stateful.terminationProtection,
        requireRetention: config.stateful.removal === 'retain',
      }),
    );

    this.network = new NetworkStack(this, 'Network', { config });
    if (config.storage.replicateUploadsToDr) {
      this.dataReplica = new DataReplicaStack(this, 'DataReplica', { config });
    }
    const replica = this.dataReplica;
    this.data = new DataStack(this, 'Data', {
      config,
      vpc: this.network.vpc,
      uploadsReplica: replica && {
        bucketName: replica.bucketName,
        region: replica.region,
        keyAliasName: replica.keyAliasName,
        keyAliasArn: replica.keyAliasArn,
      },
    });
    if (replica) this.data.addStackDependency(replica, 'the replication destination must exist first');
  }
}
