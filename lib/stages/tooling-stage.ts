import { Stage, StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DeliveryPipelineSpec, PipelineSettings } from '../config/pipeline';
import { imageProjectName, releaseProjectName, releaseRoleName } from '../config/delivery';
import { imageSignerRoleName } from '../config/image-signing';
import { ToolingConfig } from '../config/tooling';
import { DeliveryPipelineHooks } from '../constructs/delivery-pipeline';
import { addPlatformGates } from '../policies/platform-gates';
import { PipelineStack } from '../stacks/pipeline-stack';
import { PullRequestReviewStack } from '../stacks/pull-request-review-stack';
import { DeliveryStack, ReleaseTarget } from '../stacks/delivery-stack';
import { ProjectStep } from '../constructs/project-step';
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
  /** The catalog's services and their repositories: one image build each. @default - none */
  readonly services?: readonly { readonly name: string; readonly repository: string }[];
  /** The environments the release step commits to, in promotion order. @default - none */
  readonly releaseTargets?: readonly ReleaseTarget[];
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
  /** Image builds (scan, test, push, sign) and the GitOps release step of each environment. */
  public readonly deliveryStack: DeliveryStack;
  /** The pull-request review build, when the stage has pipelines. */
  public readonly pullRequestReview?: PullRequestReviewStack;
  /** The delivery pipelines, by kind. */
  public readonly pipelines: ReadonlyMap<string, PipelineStack>;

  constructor(scope: Construct, id: string, props: ToolingStageProps) {
    const { tooling, repositoryNames, delivery, services = [], releaseTargets = [], ...stageProps } = props;
    super(scope, id, { env: { account: tooling.account, region: tooling.region }, ...stageProps });
    addPlatformGates(this, tooling.tags, { requireTerminationProtection: true, requireRetention: true });
    this.registry = new RegistryStack(this, 'Registry', { tooling, repositoryNames });
    this.signing = new SigningStack(this, 'Signing', { tooling });
    this.deliveryStack = new DeliveryStack(this, 'Delivery', { tooling, services, environments: releaseTargets });
    // Pushes go to the registry's repositories; signatures need the key.
    this.deliveryStack.addStackDependency(this.registry);
    this.deliveryStack.addStackDependency(this.signing);
    if (delivery) {
      this.pullRequestReview = new PullRequestReviewStack(this, 'PullRequestReview', { tooling, settings: delivery.settings });
    }
    const toolingStackPaths = [this.registry, this.signing, this.deliveryStack, this.pullRequestReview].flatMap((s) =>
      s ? [s.node.path] : [],
    );
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
          hooks:
            delivery!.hooks ??
            this.deliveryHooks(
              services.map((s) => s.name),
              releaseTargets.map((t) => t.name),
            ),
        }),
      );
    }
    this.pipelines = pipelines;
  }

  /**
   * The application delivery's places in the pipelines: every service's image build (in parallel)
   * before the first environment, and each environment's release of every service after that
   * environment's infrastructure and smoke check. The projects live in the Delivery stack.
   */
  private deliveryHooks(serviceNames: readonly string[], releaseEnvironments: readonly string[]): DeliveryPipelineHooks {
    return {
      beforeEnvironments: (synth) =>
        serviceNames.map(
          (service) =>
            new ProjectStep(`Image-${service}`, {
              projectName: imageProjectName(service),
              projectRoleName: imageSignerRoleName(),
              input: synth.source,
            }),
        ),
      afterEnvironment: (stageName, synth) => {
        const environment = releaseEnvironments.find((name) => stageName.toLowerCase() === name.toLowerCase());
        if (!environment) return [];
        return serviceNames.map(
          (service) =>
            new ProjectStep(`Release-${service}`, {
              projectName: releaseProjectName(environment),
              projectRoleName: releaseRoleName(),
              input: synth.source,
              environmentVariables: { SERVICE: service },
            }),
        );
      },
    };
  }
}
