import { Stage, StageProps, Tags, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { REQUIRED_TAGS, STATEFUL_TAGS } from '../config/tag-policy';
import { ToolingConfig } from '../config/tooling';
import { PlatformChecks } from '../policies/platform-checks';
import { RegistryStack } from '../stacks/registry-stack';

/** Props of `ToolingStage`. */
export interface ToolingStageProps extends StageProps {
  /** The tooling account's configuration. */
  readonly tooling: ToolingConfig;
  /** ECR repository names. */
  readonly repositoryNames: readonly string[];
}

/** The tooling account: `cdk deploy 'Tooling/*'`. Holds the image registry (the pipeline joins it in its own issue). */
export class ToolingStage extends Stage {
  /** The registry stack. */
  public readonly registry: RegistryStack;

  constructor(scope: Construct, id: string, props: ToolingStageProps) {
    const { tooling, repositoryNames, ...stageProps } = props;
    super(scope, id, { env: { account: tooling.account, region: tooling.region }, ...stageProps });
    for (const rule of REQUIRED_TAGS) Tags.of(this).add(rule.key, tooling.tags[rule.key as keyof typeof tooling.tags]);
    Validations.of(this).addPlugins(
      new PlatformChecks(this, {
        requiredTags: REQUIRED_TAGS,
        statefulTags: STATEFUL_TAGS,
        requireTerminationProtection: true,
        requireRetention: true,
      }),
    );
    this.registry = new RegistryStack(this, 'Registry', { tooling, repositoryNames });
  }
}
