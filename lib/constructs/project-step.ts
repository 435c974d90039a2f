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

  /** Add the CodeBuild action to the pipeline stage, and let the project's role read the pipeline's artifacts. */
  public produceAction(stage: codepipeline.IStage, options: pipelines.ProduceActionOptions): pipelines.CodePipelineActionFactoryResult {
    const project = codebuild.Project.fromProjectName(options.scope, `${this.id}Project`, this.props.projectName);
    const role = iam.Role.fromRoleName(options.scope, `${this.id}Role`, this.props.projectRoleName);
    options.pipeline.pipeline.artifactBucket.grantRead(role);
    stage.addAction(
      new cpactions.CodeBuildAction({
        actionName: options.actionName,
        runOrder: options.runOrder,
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
}
