import { Stage, StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ToolingConfig } from '../config/tooling';
import { addPlatformGates } from '../policies/platform-gates';
import { DeliveryStack, ReleaseTarget } from '../stacks/delivery-stack';
import { RegistryStack } from '../stacks/registry-stack';
import { SigningStack } from '../stacks/signing-stack';

/** Props of `ToolingStage`. */
export interface ToolingStageProps extends StageProps {
  /** The tooling account's configuration. */
  readonly tooling: ToolingConfig;
  /** ECR repository names. */
  readonly repositoryNames: readonly string[];
  /** The catalog's services and their repositories: one image build each. @default - none */
  readonly services?: readonly { readonly name: string; readonly repository: string }[];
  /** The environments the release step commits to, in promotion order. @default - none */
  readonly releaseTargets?: readonly ReleaseTarget[];
}

/**
 * The tooling account: `cdk deploy 'Tooling/*'`. Holds the image registry and the image signing
 * key (the pipeline joins them in its own issue).
 */
export class ToolingStage extends Stage {
  /** The registry stack. */
  public readonly registry: RegistryStack;
  /** The image signing key stack. */
  public readonly signing: SigningStack;
  /** Image builds and the release step. */
  public readonly delivery: DeliveryStack;

  constructor(scope: Construct, id: string, props: ToolingStageProps) {
    const { tooling, repositoryNames, services = [], releaseTargets = [], ...stageProps } = props;
    super(scope, id, { env: { account: tooling.account, region: tooling.region }, ...stageProps });
    addPlatformGates(this, tooling.tags, { requireTerminationProtection: true, requireRetention: true });
    this.registry = new RegistryStack(this, 'Registry', { tooling, repositoryNames });
    this.signing = new SigningStack(this, 'Signing', { tooling });
    this.delivery = new DeliveryStack(this, 'Delivery', { tooling, services, environments: releaseTargets });
    // Pushes go to the registry's repositories; signatures need the key.
    this.delivery.addStackDependency(this.registry);
    this.delivery.addStackDependency(this.signing);
  }
}
