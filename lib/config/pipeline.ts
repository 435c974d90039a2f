/**
 * The delivery pipelines, as config: which branch deploys which environments, in which order,
 * behind which approval; and the names the stacks, the scripts and the docs share (pipeline names,
 * secret names, the Node.js of the build images, the CDK CLI the pipeline installs). Pure functions
 * of config, no imports beyond `lib/config`.
 *
 * Two pipelines (docs/decisions/0003-two-pipelines.md): CDK Pipelines has one source per
 * pipeline, and a pipeline updates itself from the branch it builds, so each branch gets its own
 * pipeline in its own stack: `develop` deploys the development environments; `main` deploys the
 * tooling account's shared stacks, staging, and, after a manual approval, production.
 */
import { apiHost, appHost, EdgeNamesInput } from './edge-names';
import { PLATFORM } from './platform';
import { EnvironmentTier } from './types';

/** The pipeline settings of `lib/config/platform.ts` (`PLATFORM.pipeline`). */
export interface PipelineSettings {
  /** This repository on GitHub, `owner/name`. */
  readonly repository: string;
  /** ARN of the CodeConnections (or CodeStar Connections) connection to GitHub, in the tooling account. */
  readonly connectionArn: string;
  /** Branch that deploys the development environments. */
  readonly devBranch: string;
  /** Branch that deploys staging and production. */
  readonly releaseBranch: string;
  /** SonarQube server URL; empty: no analysis. */
  readonly sonarHostUrl: string;
}

/** The part of an environment's config the pipelines need. */
export interface PipelineEnvironmentInput {
  /** Environment name, e.g. `staging`. */
  readonly name: string;
  /** Its stage on the command line, e.g. `Staging`. */
  readonly stageName: string;
  /** Its tier: decides the pipeline and the approval. */
  readonly tier: EnvironmentTier;
}

/** One environment a pipeline deploys. */
export interface PipelineDeployment {
  /** Environment name, e.g. `prod`. */
  readonly environment: string;
  /** The stage the pipeline deploys, e.g. `Prod`. */
  readonly stageName: string;
  /** A person approves before the stage deploys (every production-tier environment). */
  readonly manualApproval: boolean;
}

/** What a pipeline builds and deploys. */
export type PipelineKind = 'dev' | 'release';

/** One delivery pipeline. */
export interface DeliveryPipelineSpec {
  /** `dev` (development environments) or `release` (tooling, staging, production). */
  readonly kind: PipelineKind;
  /** Construct ID of its stack in the Tooling stage: `cdk deploy 'Tooling/<stackId>'`. */
  readonly stackId: string;
  /** Name of the CodePipeline pipeline, e.g. `saas-platform-release`. */
  readonly pipelineName: string;
  /** The branch whose commits start it (and from which it updates itself). */
  readonly branch: string;
  /** The environments it deploys, in order. */
  readonly deployments: readonly PipelineDeployment[];
  /** Whether it deploys the tooling account's shared stacks (registry, signing key, PR review) before the environments. */
  readonly deploysTooling: boolean;
}

/**
 * Node.js major version of every build (CodeBuild `aws/codebuild/standard:7.0` with
 * `runtime-versions: nodejs: 22`; the image's runtimes: aws/aws-codebuild-docker-images@1590e48:
 * ubuntu/standard/7.0/runtimes.yml). package.json's `engines` admits it and the Node 20 of the
 * build machines.
 */
export const BUILD_NODE_MAJOR = 22;

/**
 * The AWS CDK CLI the pipeline installs for self-mutation and the tooling deploy: the version
 * package.json pins (a test keeps the two equal), so the pipeline deploys with the CLI the
 * templates were checked with.
 */
export const CDK_CLI_VERSION = '2.1148.1';

/** Tiers deployed by the release pipeline, in this order. */
const RELEASE_TIERS: readonly EnvironmentTier[] = ['staging', 'production'];

/** Tiers a person approves before their deploy. */
export const APPROVAL_TIERS: readonly EnvironmentTier[] = ['production'];

/** Build secrets, by the environment variable the builds read them from. */
export const PIPELINE_SECRETS = {
  /** GitHub token the pull-request review comments with (fine-grained: pull requests, read and write). */
  GITHUB_TOKEN: 'github-token',
  /** SonarQube token of the analysis (only when `sonarHostUrl` is set). */
  SONAR_TOKEN: 'sonar-token',
} as const;

/** The environment variable a build secret is read from. */
export type PipelineSecretVariable = keyof typeof PIPELINE_SECRETS;

/**
 * Secrets Manager name of a build secret in the tooling account, e.g.
 * `saas-platform/pipeline/github-token`. A person stores the value once (docs/cicd/pipeline-overview.md); the
 * builds read it as a CodeBuild `SECRETS_MANAGER` variable, so it is never in a template or a log.
 */
export function pipelineSecretName(variable: PipelineSecretVariable): string {
  return `${PLATFORM.application}/pipeline/${PIPELINE_SECRETS[variable]}`;
}

/** The IAM service prefix of a connection ARN: `codeconnections` or (older ARNs) `codestar-connections`. */
export function connectionService(connectionArn: string): 'codeconnections' | 'codestar-connections' {
  return connectionArn.split(':')[2] === 'codestar-connections' ? 'codestar-connections' : 'codeconnections';
}

/** Name of a pipeline, e.g. `saas-platform-release`. */
export function pipelineName(kind: PipelineKind): string {
  return `${PLATFORM.application}-${kind}`;
}

/** Name of the CodeBuild project that reviews pull requests, e.g. `saas-platform-pr-review`. */
export function pullRequestReviewProjectName(): string {
  return `${PLATFORM.application}-pr-review`;
}

/** The post-deploy check of an environment, the same in the pipeline and in Jenkins. */
export function smokeCommand(environmentName: string): string {
  return `npm run smoke -- --env ${environmentName}`;
}

/**
 * The pipelines of a set of environments: `develop` deploys every development-tier environment;
 * `main` deploys the tooling stacks, then staging-tier, then production-tier environments, with
 * a manual approval before each production-tier one. No development environment, no dev pipeline.
 */
export function deliveryPipelines(
  environments: readonly PipelineEnvironmentInput[],
  settings: PipelineSettings = PLATFORM.pipeline,
): DeliveryPipelineSpec[] {
  const deployment = (e: PipelineEnvironmentInput): PipelineDeployment => ({
    environment: e.name,
    stageName: e.stageName,
    manualApproval: APPROVAL_TIERS.includes(e.tier),
  });
  const dev = environments.filter((e) => e.tier === 'development').map(deployment);
  const release = RELEASE_TIERS.flatMap((tier) => environments.filter((e) => e.tier === tier)).map(deployment);
  const pipelines: DeliveryPipelineSpec[] = [];
  if (dev.length > 0) {
    pipelines.push({
      kind: 'dev',
      stackId: 'PipelineDev',
      pipelineName: pipelineName('dev'),
      branch: settings.devBranch,
      deployments: dev,
      deploysTooling: false,
    });
  }
  pipelines.push({
    kind: 'release',
    stackId: 'Pipeline',
    pipelineName: pipelineName('release'),
    branch: settings.releaseBranch,
    deployments: release,
    deploysTooling: true,
  });
  return pipelines;
}

/** One post-deploy check: a URL of the environment's edge and what counts as passing. */
export interface SmokeCheck {
  /** Short name, e.g. `app`. */
  readonly name: string;
  /** The URL, through CloudFront. */
  readonly url: string;
  /**
   * `answers`: any HTTP response over TLS (DNS, certificate and distribution work);
   * `no-server-error`: a status below 500.
   */
  readonly expect: 'answers' | 'no-server-error';
}

/**
 * The infrastructure smoke check of an environment, after its stacks deploy: the app host serves
 * without a server error (CloudFront, its certificate and DNS record, the app bucket behind it),
 * and the API host answers over TLS. Whether the services are healthy is the application
 * delivery's gate, not this one: on a first deploy no service runs yet.
 */
export function smokeChecks(config: EdgeNamesInput & { readonly edge: { readonly healthCheckPath: string } }): SmokeCheck[] {
  return [
    { name: 'app', url: `https://${appHost(config)}/`, expect: 'no-server-error' },
    { name: 'api', url: `https://${apiHost(config)}${config.edge.healthCheckPath}`, expect: 'answers' },
  ];
}
