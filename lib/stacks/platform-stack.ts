import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { STATEFUL_TAGS } from '../config/tag-policy';
import { applyTags } from '../policies/platform-gates';
import { EnvironmentConfig } from '../config/types';

/** Props of `PlatformStack`. */
export interface PlatformStackProps extends StackProps {
  /** The environment this stack belongs to. */
  readonly config: EnvironmentConfig;
  /**
   * Whether the stack holds data (see DESIGN.md): it then gets termination protection and the
   * stateful tags from config.
   */
  readonly stateful: boolean;
}

/**
 * Base of every stack of an environment: account/region and availability zones from config
 * (so synth never looks anything up), termination protection and stateful tags for stateful stacks.
 */
export class PlatformStack extends Stack {
  /** The environment this stack belongs to. */
  public readonly config: EnvironmentConfig;
  private readonly zones: string[];

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    const { config, stateful, ...stackProps } = props;
    super(scope, id, {
      env: { account: config.account, region: config.region },
      terminationProtection: stateful && config.stateful.terminationProtection,
      ...stackProps,
    });
    this.config = config;
    this.zones = [...config.network.availabilityZones];
    if (stateful) {
      applyTags(this, config.tags, STATEFUL_TAGS);
    }
  }

  /** The zones from config: a stack with an explicit account would otherwise look them up (needs credentials). */
  public get availabilityZones(): string[] {
    return this.zones;
  }
}
