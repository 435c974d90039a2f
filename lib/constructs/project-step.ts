import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';

/** Props of `ProjectStep`. */
export interface ProjectStepProps {
  /** Name of the CodeBuild project to run (defined in the Delivery stack, named from config). */
  readonly projectName: string;
  /** Name of the role that project runs as (it needs to read the pipeline's artifacts). */
  readonly projectRoleName: string;
  /** The files the project builds from (the pipeline's source checkout). */
  readonly input: pipelines.IFileSetProducer;
  /**
   * Plain environment variables of this run (never secrets: the project reads those from Secrets Manager).
   * @default - none
   */
  readonly environmentVariables?: Readonly<Record<string, string>>;
}

/**
 * A CDK Pipelines step that runs an existing CodeBuild project as a pipeline action. The
 * application delivery's projects (image builds, releases) are defined once in the Delivery stack,
 * with their own roles (the image signer, the release role) and buildspecs; the pipeline only starts
 * them, with the source checkout and the variables of the run.
 *
 * The project and its role are named, not referenced: a reference would make the pipeline's stack
 * and the Delivery stack depend on each other (the action grants the project's role the pipeline's
 * artifacts, the pipeline names the project). So the grant is a policy of the pipeline's stack on
 * the role by name, and the action names the project.
 */
export class ProjectStep extends pipelines.Step implements pipelines.ICodePipelineActionFactory {
  private readonly props: ProjectStepProps;

  constructor(id: string, props: ProjectStepProps) {
    super(id);
    this.props = props;
    this.addDependencyFileSet(props.input.primaryOutput!);
  }

  /**
   * Add the CodeBuild action to the pipeline stage, run by the action role shared by every step whose
   * project runs as the same role (one role and one grant per project role, not per step: adding a
   * service adds an action, not resources; that role may only start and watch the projects of those
   * steps). The project's role reads the pipeline's artifacts through one grant per pipeline.
   */
  public produceAction(stage: codepipeline.IStage, options: pipelines.ProduceActionOptions): pipelines.CodePipelineActionFactoryResult {
    const project = codebuild.Project.fromProjectName(options.scope, `${this.id}Project`, this.props.projectName);
    stage.addAction(
      new cpactions.CodeBuildAction({
        actionName: options.actionName,
        runOrder: options.runOrder,
        role: ProjectStep.actionRole(options.pipeline.pipeline, this.props.projectRoleName),
        project,
        input: options.artifacts.toCodePipeline(this.props.input.primaryOutput!),
        environmentVariables: Object.fromEntries(
          Object.entries(this.props.environmentVariables ?? {}).map(([name, value]) => [
            name,
            { type: codebuild.BuildEnvironmentVariableType.PLAINTEXT, value },
          ]),
        ),
      }),
    );
    return { runOrdersConsumed: 1 };
  }

  /** The action role of the steps whose projects run as `projectRoleName`, made (with that role's artifact grant) on first use. */
  private static actionRole(pipeline: codepipeline.Pipeline, projectRoleName: string): iam.IRole {
    const id = `ProjectActions-${projectRoleName}`;
    const existing = pipeline.node.tryFindChild(id);
    if (existing) return existing as iam.Role;
    pipeline.artifactBucket.grantRead(iam.Role.fromRoleName(pipeline, `ProjectRole-${projectRoleName}`, projectRoleName));
    // trusted by the pipeline's role only, as CDK's own action roles (PIPELINE_REDUCE_STAGE_ROLE_TRUST_SCOPE)
    return new iam.Role(pipeline, id, {
      assumedBy: new iam.ArnPrincipal(pipeline.role.roleArn),
      description: `Starts and watches the pipeline's CodeBuild projects that run as ${projectRoleName}`,
    });
  }
}
