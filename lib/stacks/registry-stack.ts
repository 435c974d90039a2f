import { RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { STATEFUL_TAGS } from '../config/tag-policy';
import { applyTags } from '../policies/platform-gates';
import { ToolingConfig } from '../config/tooling';
import { ImageRegistry } from '../constructs/image-registry';

/** Props of `RegistryStack`. */
export interface RegistryStackProps extends StackProps {
  /** The tooling account's configuration. */
  readonly tooling: ToolingConfig;
  /** ECR repository names (one per service image of the catalog). */
  readonly repositoryNames: readonly string[];
}

/** The image registry in the tooling account (stateful: images are the rollback history). */
export class RegistryStack extends Stack {
  /** The registry. */
  public readonly registry: ImageRegistry;

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    const { tooling, repositoryNames, ...stackProps } = props;
    super(scope, id, {
      env: { account: tooling.account, region: tooling.region },
      terminationProtection: true,
      description: 'tooling: ECR repositories of the platform services',
      ...stackProps,
    });
    applyTags(this, tooling.tags, STATEFUL_TAGS);
    this.registry = new ImageRegistry(this, 'Registry', {
      repositoryNames,
      pullAccounts: tooling.pullAccounts,
      imagesToKeep: tooling.imagesToKeep,
      untaggedExpiryDays: tooling.untaggedExpiryDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
