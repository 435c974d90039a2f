import { Stack, StackProps, Stage } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  BUILD_NODE_MAJOR,
  CDK_CLI_VERSION,
  DeliveryPipelineSpec,
  PipelineSettings,
  pipelineSecretName,
  smokeCommand,
} from '../config/pipeline';
import { STATEFUL_TAGS } from '../config/tag-policy';
import { ToolingConfig } from '../config/tooling';
import { DeliveryPipeline, DeliveryPipelineHooks } from '../constructs/delivery-pipeline';
import { applyTags } from '../policies/platform-gates';

/** Props of `PipelineStack`. */
export interface PipelineStackProps extends StackProps {
  /** The tooling account's configuration. */
  readonly tooling: ToolingConfig;
  /** Which branch this pipeline builds and which environments it deploys (`deliveryPipelines()`). */
  readonly spec: DeliveryPipelineSpec;
  /** Repository, connection, SonarQube (`PLATFORM.pipeline`). */
  readonly settings: PipelineSettings;
  /** The environment stages of the app, by stage name (the pipeline deploys those its spec names). */
  readonly stages: ReadonlyMap<string, Stage>;
  /**
   * Construct paths of the tooling stacks the pipeline deploys before the environments, when the
   * spec says it deploys them.
   * @default - none
   */
  readonly toolingStackPaths?: readonly string[];
  /**
   * Steps of the application delivery, placed by the pipeline.
   * @default - none
   */
  readonly hooks?: DeliveryPipelineHooks;
}

/**
 * One delivery pipeline in the tooling account (`Tooling/Pipeline` from `main`,
 * `Tooling/PipelineDev` from `develop`). It updates itself from its branch, so each pipeline is
 * its own stack: a commit to `develop` can never change the pipeline that deploys production.
 */
export class PipelineStack extends Stack {
  /** The pipeline. */
  public readonly delivery: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    const { tooling, spec, settings, stages, toolingStackPaths, hooks, ...stackProps } = props;
    super(scope, id, {
      env: { account: tooling.account, region: tooling.region },
      terminationProtection: true,
      description: `tooling: the ${spec.kind} pipeline (${spec.branch} -> ${spec.deployments.map((d) => d.stageName).join(', ') || 'tooling'})`,
      ...stackProps,
    });
    applyTags(this, tooling.tags, STATEFUL_TAGS);
    const deployments = spec.deployments.map((d) => {
      const stage = stages.get(d.stageName);
      if (!stage) throw new Error(`${this.node.path}: the ${spec.kind} pipeline deploys stage ${d.stageName}, which the app does not have`);
      return { stage, manualApproval: d.manualApproval, postDeployCommands: [smokeCommand(d.environment)] };
    });
    this.delivery = new DeliveryPipeline(this, 'Delivery', {
      pipelineName: spec.pipelineName,
      repository: settings.repository,
      branch: spec.branch,
      connectionArn: settings.connectionArn,
      nodeMajor: BUILD_NODE_MAJOR,
      cdkCliVersion: CDK_CLI_VERSION,
      deployments,
      toolingStackPaths: spec.deploysTooling ? toolingStackPaths : undefined,
      sonar: settings.sonarHostUrl
        ? { hostUrl: settings.sonarHostUrl, token: { variable: 'SONAR_TOKEN', secretName: pipelineSecretName('SONAR_TOKEN') } }
        : undefined,
      hooks,
      configureSupportStack: (support) => applyTags(support, tooling.tags, STATEFUL_TAGS),
    });
  }
}
