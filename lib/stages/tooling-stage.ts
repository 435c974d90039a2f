import { Stage, StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DeliveryPipelineSpec, PipelineSettings } from '../config/pipeline';
import { ToolingConfig } from '../config/tooling';
import { DeliveryPipelineHooks } from '../constructs/delivery-pipeline';
import { addPlatformGates } from '../policies/platform-gates';
import { PipelineStack } from '../stacks/pipeline-stack';
import { PullRequestReviewStack } from '../stacks/pull-request-review-stack';
import { RegistryStack } from '../stacks/registry-stack';
import { SigningStack } from '../stacks/signing-stack';

/** Props of `ToolingStage`. */
export interface ToolingStageProps extends StageProps {
  /** The tooling account's configuration. */
  readonly tooling: ToolingConfig;
  /** ECR repository names. */
  readonly repositoryNames: readonly string[];
  /**
   * The delivery pipelines (`deliveryPipelines()`), with the settings they share and the
   * environment stages they deploy, by stage name.
   * @default - no pipelines
   */
  readonly delivery?: {
    readonly pipelines: readonly DeliveryPipelineSpec[];
    readonly settings: PipelineSettings;
    readonly stages: ReadonlyMap<string, Stage>;
    /** @default - none */
    readonly hooks?: DeliveryPipelineHooks;
  };
}

/**
 * The tooling account: `cdk deploy 'Tooling/*'`. Holds the image registry, the image signing
 * key, the pull-request review build and the delivery pipelines; the release pipeline deploys the other tooling stacks before
 * the environments, and each pipeline updates its own stack.
 */
export class ToolingStage extends Stage {
  /** The registry stack. */
  public readonly registry: RegistryStack;
  /** The image signing key stack. */
  public readonly signing: SigningStack;
  /** The pull-request review build, when the stage has pipelines. */
  public readonly pullRequestReview?: PullRequestReviewStack;
  /** The delivery pipelines, by kind. */
  public readonly pipelines: ReadonlyMap<string, PipelineStack>;

  constructor(scope: Construct, id: string, props: ToolingStageProps) {
    const { tooling, repositoryNames, delivery, ...stageProps } = props;
    super(scope, id, { env: { account: tooling.account, region: tooling.region }, ...stageProps });
    addPlatformGates(this, tooling.tags, { requireTerminationProtection: true, requireRetention: true });
    this.registry = new RegistryStack(this, 'Registry', { tooling, repositoryNames });
    this.signing = new SigningStack(this, 'Signing', { tooling });
    if (delivery) {
      this.pullRequestReview = new PullRequestReviewStack(this, 'PullRequestReview', { tooling, settings: delivery.settings });
    }
    const toolingStackPaths = [this.registry, this.signing, this.pullRequestReview].flatMap((s) => (s ? [s.node.path] : []));
    const pipelines = new Map<string, PipelineStack>();
    for (const spec of delivery?.pipelines ?? []) {
      pipelines.set(
        spec.kind,
        new PipelineStack(this, spec.stackId, {
          tooling,
          spec,
          settings: delivery!.settings,
          stages: delivery!.stages,
          toolingStackPaths,
          hooks: delivery!.hooks,
        }),
      );
    }
    this.pipelines = pipelines;
  }
}
