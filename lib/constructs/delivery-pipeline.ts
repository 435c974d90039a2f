import {
  AspectPriority,
  Aspects,
  CfnResource,
  DefaultStackSynthesizer,
  Duration,
  RemovalPolicy,
  Stack,
  Stage,
  Validations,
} from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { Construct } from 'constructs';
import { BUILD_IMAGE, BuildCache, buildSpecDefaults, codeBuildWildcardRules, only } from './build-environment';
import { acknowledgeGeneratedWildcards, FlatStatement, GeneratedWildcardRule } from './policies/generated-wildcards';

/** The commands of the synth step, in order, after `npm ci`. */
export const SYNTH_COMMANDS: readonly string[] = [
  // lint + type-check + jest; jest fails under 80% coverage (coverageThreshold in jest.config.js)
  'npm test',
  // every stack of every stage, with cdk-nag, the platform checks and the CloudFormation validator
  "npx cdk synth '**'",
  // every environment's Kubernetes manifests, with the manifest rules
  'npm run synth:manifests',
];

/** The SonarQube analysis of the synth step (after the tests: it reads coverage/lcov.info). */
export const SONAR_SCAN_COMMAND = 'npx --yes @sonar/scan@5.0.1';

/** An environment the pipeline deploys, in order. */
export interface PipelineStageDeployment {
  /** The stage (every stack of it is deployed, in dependency order). */
  readonly stage: Stage;
  /** A person approves in the pipeline before the stage deploys. */
  readonly manualApproval: boolean;
  /** Commands run after the stage's stacks are deployed (from a checkout with `npm ci` done), e.g. the smoke check. */
  readonly postDeployCommands: readonly string[];
}

/** Steps another part of the delivery adds to the pipeline, at the places the pipeline keeps for them. */
export interface DeliveryPipelineHooks {
  /**
   * Steps that run once per pipeline run, in parallel, after the tooling stacks and before the
   * first environment (e.g. the per-service image builds).
   * @default - none
   */
  readonly beforeEnvironments?: (synth: DeliverySynth) => pipelines.Step[];
  /**
   * Steps that run after an environment's stacks and post-deploy commands (e.g. the GitOps
   * release and its health gates).
   * @default - none
   */
  readonly afterEnvironment?: (stageName: string, synth: DeliverySynth) => pipelines.Step[];
}

/** What the synth step hands to later steps. */
export interface DeliverySynth {
  /** The checkout of the branch. */
  readonly source: pipelines.IFileSetProducer;
  /** `cdk.out`: the cloud assembly. */
  readonly cloudAssembly: pipelines.FileSet;
  /** `dist/`: every environment's Kubernetes manifests. */
  readonly manifests: pipelines.FileSet;
}

/** A build secret, read from Secrets Manager into an environment variable of the build. */
export interface BuildSecret {
  /** Environment variable, e.g. `SONAR_TOKEN`. */
  readonly variable: string;
  /** Secrets Manager name (in the pipeline's account and region). */
  readonly secretName: string;
}

/** Props of `DeliveryPipeline`. */
export interface DeliveryPipelineProps {
  /** Name of the CodePipeline pipeline. */
  readonly pipelineName: string;
  /** GitHub repository, `owner/name`. */
  readonly repository: string;
  /** The branch the pipeline builds (and updates itself from). */
  readonly branch: string;
  /** CodeConnections connection to GitHub. */
  readonly connectionArn: string;
  /** Node.js major version of every build (CodeBuild `runtime-versions`). */
  readonly nodeMajor: number;
  /** AWS CDK CLI version installed for self-mutation and the tooling deploy. */
  readonly cdkCliVersion: string;
  /** The environments, in order. */
  readonly deployments: readonly PipelineStageDeployment[];
  /**
   * Stacks of the pipeline's own stage deployed before the environments, with `cdk deploy`
   * (construct paths, e.g. `Tooling/Registry`).
   * @default - none
   */
  readonly toolingStackPaths?: readonly string[];
  /**
   * SonarQube server the synth step sends its analysis to, and the secret holding its token.
   * @default - no analysis
   */
  readonly sonar?: { readonly hostUrl: string; readonly token: BuildSecret };
  /**
   * Steps of the application delivery.
   * @default - none
   */
  readonly hooks?: DeliveryPipelineHooks;
  /**
   * Called with each stack CodePipeline adds for its artifacts in another region (e.g. to tag it).
   * @default - nothing
   */
  readonly configureSupportStack?: (stack: Stack) => void;
}

/**
 * A CDK Pipeline (CodePipeline V2) that deploys the platform's stages from one branch:
 * self-mutating, cross-account (KMS-encrypted artifacts the target accounts can read), every
 * build on Node.js `nodeMajor` with the npm cache in S3. Source, synth (tests with the coverage
 * gate, synth of every stage and manifest), self-update, assets, the tooling stacks, then each
 * environment in order, a manual approval before those that need one, post-deploy commands after.
 */
export class DeliveryPipeline extends Construct {
  /** The CDK Pipeline. */
  public readonly pipeline: pipelines.CodePipeline;
  /** What the synth step produces. */
  public readonly synth: DeliverySynth;
  /** The bucket of the builds' npm cache. */
  public readonly cacheBucket: s3.IBucket;
  private built?: { readonly supportStacks: readonly Stack[]; readonly unacknowledged: ReadonlyMap<string, readonly string[]> };

  constructor(scope: Construct, id: string, props: DeliveryPipelineProps) {
    super(scope, id);
    const cache = new BuildCache(this, 'Cache');
    this.cacheBucket = cache.bucket;

    const source = pipelines.CodePipelineSource.connection(props.repository, props.branch, {
      connectionArn: props.connectionArn,
      triggerOnPush: true,
    });
    const sonarEnv: Record<string, codebuild.BuildEnvironmentVariable> = props.sonar
      ? {
          SONAR_HOST_URL: { value: props.sonar.hostUrl },
          [props.sonar.token.variable]: {
            type: codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER,
            value: props.sonar.token.secretName,
          },
        }
      : {};
    const synth = new pipelines.CodeBuildStep('Synth', {
      input: source,
      installCommands: ['npm ci'],
      commands: [...SYNTH_COMMANDS, ...(props.sonar ? [SONAR_SCAN_COMMAND] : [])],
      primaryOutputDirectory: 'cdk.out',
      buildEnvironment: { computeType: codebuild.ComputeType.MEDIUM, environmentVariables: sonarEnv },
      timeout: Duration.minutes(30),
    });
    const manifests = synth.addOutputDirectory('dist');
    this.synth = { source, cloudAssembly: synth.primaryOutput!, manifests };

    this.pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: props.pipelineName,
      pipelineType: codepipeline.PipelineType.V2,
      synth,
      selfMutation: true,
      crossAccountKeys: true,
      enableKeyRotation: true,
      // one replication bucket per pipeline and region: a develop commit never changes what the release pipeline uses
      reuseCrossRegionSupportStacks: false,
      cliVersion: props.cdkCliVersion,
      publishAssetsInParallel: true,
      codeBuildDefaults: {
        buildEnvironment: { buildImage: BUILD_IMAGE, computeType: codebuild.ComputeType.SMALL },
        partialBuildSpec: codebuild.BuildSpec.fromObject(buildSpecDefaults(props.nodeMajor)),
        cache: cache.cache(props.pipelineName),
      },
    });

    // The stages are read when the app synthesizes, not now: CDK Pipelines synthesizes a stage when
    // it is added, and a stage synthesized here would ignore whatever the app does to it afterwards.
    Aspects.of(this).add({ visit: () => this.build(props) }, { priority: AspectPriority.MUTATING });
  }

  /** Wildcard findings no rule of the pipeline recognized, by policy path (cdk-nag reports them). Known once the app synthesized. */
  public get unacknowledgedWildcards(): ReadonlyMap<string, readonly string[]> {
    return this.builtPipeline().unacknowledged;
  }

  /** The stacks CodePipeline adds for its artifacts in other regions (one per region a stage deploys to). Known once the app synthesized. */
  public get supportStacks(): readonly Stack[] {
    return this.builtPipeline().supportStacks;
  }

  private builtPipeline() {
    if (!this.built) throw new Error(`${this.node.path}: the pipeline is built when the app synthesizes; read this after synth`);
    return this.built;
  }

  /** Waves, stages and steps, then CDK Pipelines' build, then what the platform needs of what it generated. */
  private build(props: DeliveryPipelineProps): void {
    if (this.built) return;
    const source = this.synth.source;
    if (props.toolingStackPaths && props.toolingStackPaths.length > 0) {
      this.pipeline.addWave('Tooling', { pre: [this.toolingDeploy(props.toolingStackPaths, props.cdkCliVersion)] });
    }
    const before = props.hooks?.beforeEnvironments?.(this.synth) ?? [];
    if (before.length > 0) this.pipeline.addWave('BeforeEnvironments', { pre: before });
    for (const deployment of props.deployments) {
      const stageName = deployment.stage.stageName;
      const pre = deployment.manualApproval
        ? [new pipelines.ManualApprovalStep(`Approve${stageName}`, { comment: `Approve to deploy ${stageName}.` })]
        : [];
      const post: pipelines.Step[] = [];
      const check =
        deployment.postDeployCommands.length > 0
          ? new pipelines.CodeBuildStep(`${stageName}PostDeploy`, {
              input: source,
              installCommands: ['npm ci'],
              commands: [...deployment.postDeployCommands],
            })
          : undefined;
      if (check) post.push(check);
      for (const step of props.hooks?.afterEnvironment?.(stageName, this.synth) ?? []) {
        // the release of an environment waits for its infrastructure's smoke check
        if (check) step.addStepDependency(check);
        post.push(step);
      }
      this.pipeline.addStage(deployment.stage, { pre, post });
    }

    this.pipeline.buildPipeline();
    const codePipeline = this.pipeline.pipeline;
    const supportStacks = Object.values(codePipeline.crossRegionSupport).map((s) => s.stack);
    this.retainArtifacts(codePipeline, supportStacks);
    for (const stack of supportStacks) props.configureSupportStack?.(stack);
    const unacknowledged = acknowledgeGeneratedWildcards(
      this,
      pipelineWildcardRules(this.ownBucketArns(codePipeline), Stack.of(this).account),
    );
    this.built = { supportStacks, unacknowledged };
  }

  /** The artifact buckets and keys (home and replication regions) are kept when the stack goes: the platform's rule for buckets and keys. */
  private retainArtifacts(codePipeline: codepipeline.Pipeline, supportStacks: readonly Stack[]): void {
    const homeKey = codePipeline.artifactBucket.encryptionKey?.node.defaultChild;
    if (homeKey instanceof CfnResource) homeKey.applyRemovalPolicy(RemovalPolicy.RETAIN);
    Validations.of(codePipeline.artifactBucket).acknowledge({ id: 'AwsSolutions-S1', reason: ARTIFACT_BUCKET_NO_ACCESS_LOGS });
    for (const stack of supportStacks) {
      stack.terminationProtection = true;
      for (const resource of stack.node.findAll().filter((c): c is CfnResource => c instanceof CfnResource)) {
        if (resource.cfnResourceType === 'AWS::KMS::Key') resource.applyRemovalPolicy(RemovalPolicy.RETAIN);
        if (resource.cfnResourceType === 'AWS::S3::Bucket') {
          Validations.of(resource).acknowledge({ id: 'AwsSolutions-S1', reason: ARTIFACT_BUCKET_NO_ACCESS_LOGS });
        }
      }
    }
  }

  /** ARNs of the buckets this pipeline owns, as cdk-nag names them (`<LogicalId.Arn>` or a literal ARN). */
  private ownBucketArns(codePipeline: codepipeline.Pipeline): string[] {
    const buckets = [
      this.cacheBucket,
      codePipeline.artifactBucket,
      ...Object.values(codePipeline.crossRegionSupport).map((s) => s.replicationBucket),
    ];
    return buckets.map((b) => flattenCfnReference(Stack.of(this).resolve(b.bucketArn)));
  }

  /** `cdk deploy` of the pipeline's own stage's stacks, with the bootstrap roles of the pipeline's account. */
  private toolingDeploy(stackPaths: readonly string[], cdkCliVersion: string): pipelines.CodeBuildStep {
    const assembly = Stage.of(this)?.artifactId ?? '.';
    const { account, region, partition } = Stack.of(this);
    const qualifier = DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    return new pipelines.CodeBuildStep('DeployTooling', {
      input: this.synth.cloudAssembly,
      installCommands: [`npm install -g aws-cdk@${cdkCliVersion}`],
      commands: [`cdk -a ${assembly} deploy ${stackPaths.join(' ')} --require-approval never`],
      rolePolicyStatements: [
        // the bootstrap roles `cdk deploy` assumes in this account and region: deploy, and publish the stacks' file assets
        new iam.PolicyStatement({
          actions: ['sts:AssumeRole'],
          resources: ['deploy', 'file-publishing'].map(
            (role) => `arn:${partition}:iam::${account}:role/cdk-${qualifier}-${role}-role-${account}-${region}`,
          ),
        }),
      ],
    });
  }
}

const ARTIFACT_BUCKET_NO_ACCESS_LOGS =
  "CodePipeline's artifact bucket (home and replication regions): build artifacts of this pipeline only, KMS-encrypted, read and written by this pipeline's roles and the target accounts' deploy roles; CloudTrail and the pipeline's execution history record who ran what. Access logs would log the pipeline's own reads and writes.";

/**
 * The wildcard grants CDK Pipelines generates beyond any CodeBuild project's, each with why it is
 * as wide as it is. A statement that matches no rule (e.g. a step someone adds with a wildcard of
 * its own) still fails cdk-nag.
 */
export function pipelineWildcardRules(ownBucketArns: readonly string[], account: string): GeneratedWildcardRule[] {
  return [
    ...codeBuildWildcardRules(ownBucketArns),
    {
      name: 'asset builds',
      matches: (s: FlatStatement) =>
        only(s.actions, (a) => ['codebuild:BatchGetBuilds', 'codebuild:StartBuild', 'codebuild:StopBuild'].includes(a)) &&
        only(s.resources, (r) => r === '*'),
      why: "CDK Pipelines' shared asset role starts the asset-publishing projects, one per asset, whose names CloudFormation generates.",
    },
    {
      name: 'bootstrap roles',
      matches: (s) =>
        only(s.actions, (a) => a === 'sts:AssumeRole') &&
        only(s.resources, (r) => r === `arn:*:iam::${account}:role/*`) &&
        JSON.stringify(s.condition ?? {}).includes('iam:ResourceTag/aws-cdk:bootstrap-role'),
      why: "CDK Pipelines' self-update runs `cdk deploy` of the pipeline stack, which assumes the CDK bootstrap roles of the tooling account (deploy, file and image publishing) in every region the pipeline has a stack in; the condition admits only roles tagged aws-cdk:bootstrap-role.",
    },
    {
      name: 'CLI look-ups',
      matches: (s) =>
        only(s.actions, (a) => ['cloudformation:DescribeStacks', 's3:ListBucket'].includes(a)) && only(s.resources, (r) => r === '*'),
      why: "CDK Pipelines' self-update: the CDK CLI reads the bootstrap stack and lists its staging bucket before it assumes a bootstrap role, and their names are only known at run time.",
    },
  ];
}
