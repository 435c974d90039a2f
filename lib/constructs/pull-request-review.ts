import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { BUILD_IMAGE, BuildCache, buildSpecDefaults, codeBuildWildcardRules } from './build-environment';
import { BuildSecret } from './delivery-pipeline';
import { acknowledgeGeneratedWildcards } from './policies/generated-wildcards';

/** Pull-request events that start a review: opened, new commits pushed, reopened. */
export const REVIEW_EVENTS: readonly codebuild.EventAction[] = [
  codebuild.EventAction.PULL_REQUEST_CREATED,
  codebuild.EventAction.PULL_REQUEST_UPDATED,
  codebuild.EventAction.PULL_REQUEST_REOPENED,
];

/**
 * The review as docs/cicd/review.md says CI runs it: the base branch fetched into a ref of its own,
 * the review against the commit the pull request started from, the Markdown written for the comment.
 */
export const REVIEW_COMMANDS: readonly string[] = [
  'git fetch --no-tags origin "+${CODEBUILD_WEBHOOK_BASE_REF}:refs/remotes/origin/review-base"',
  'npm run review -- --base "$(git merge-base refs/remotes/origin/review-base HEAD)" --markdown review.md',
];

/** Posts review.md (or, when the review wrote none, a pointer to the build log) as the pull request's comment. */
export const COMMENT_COMMAND = 'npm run pr-comment -- review.md';

/** Props of `PullRequestReview`. */
export interface PullRequestReviewProps {
  /** Name of the CodeBuild project. */
  readonly projectName: string;
  /** GitHub repository, `owner/name`. */
  readonly repository: string;
  /** CodeConnections connection to GitHub: the project clones, receives webhooks and reports its status through it. */
  readonly connectionArn: string;
  /** IAM service prefix of the connection (`codeconnections` or `codestar-connections`). */
  readonly connectionService: string;
  /** Node.js major version of the build. */
  readonly nodeMajor: number;
  /** The GitHub token the comment is posted with. */
  readonly githubToken: BuildSecret;
}

/**
 * `npm run review` on every pull request: a CodeBuild project started by GitHub's pull-request
 * webhook (created, updated, reopened) on a full clone, which posts the review's Markdown as the
 * pull request's comment and reports the review's verdict as the commit status: the check fails
 * when the guard fails (exit code 1) or the review cannot run (2).
 */
export class PullRequestReview extends Construct {
  /** The CodeBuild project. */
  public readonly project: codebuild.Project;

  constructor(scope: Construct, id: string, props: PullRequestReviewProps) {
    super(scope, id);
    const [owner, repo] = props.repository.split('/');
    const cache = new BuildCache(this, 'Cache');
    const key = new kms.Key(this, 'Key', {
      description: `${props.projectName}: build logs and cache`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const defaults = buildSpecDefaults(props.nodeMajor);
    this.project = new codebuild.Project(this, 'Project', {
      projectName: props.projectName,
      description: 'npm run review on every pull request; posts the summary as a comment, fails the check when the guard fails',
      source: codebuild.Source.gitHub({
        owner,
        repo,
        webhook: true,
        webhookFilters: [codebuild.FilterGroup.inEventOf(...REVIEW_EVENTS)],
        reportBuildStatus: true,
        // a full clone: the review needs the base commit (docs/cicd/review.md)
        cloneDepth: 0,
      }),
      environment: {
        buildImage: BUILD_IMAGE,
        // the review synthesizes both sides in four processes at once
        computeType: codebuild.ComputeType.MEDIUM,
        environmentVariables: {
          [props.githubToken.variable]: {
            type: codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER,
            value: props.githubToken.secretName,
          },
        },
      },
      encryptionKey: key,
      cache: cache.cache(props.projectName),
      timeout: Duration.minutes(20),
      buildSpec: codebuild.BuildSpec.fromObject({
        ...defaults,
        env: { shell: 'bash' },
        phases: {
          install: { ...(defaults.phases as { install: object }).install, commands: ['npm ci'] },
          // a failing command here fails the build, and so the pull request's check
          build: { commands: [...REVIEW_COMMANDS] },
          // runs whatever the build phase did: the comment explains a failure
          post_build: { commands: [COMMENT_COMMAND] },
        },
      }),
    });
    // The project authenticates to GitHub with the connection, not an account-wide source credential.
    const cfn = this.project.node.defaultChild as codebuild.CfnProject;
    cfn.addPropertyOverride('Source.Auth', { Type: 'CODECONNECTIONS', Resource: props.connectionArn });
    this.project.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['GetConnectionToken', 'GetConnection', 'UseConnection'].map((a) => `${props.connectionService}:${a}`),
        resources: [props.connectionArn],
      }),
    );
    acknowledgeGeneratedWildcards(this, codeBuildWildcardRules([flattenCfnReference(Stack.of(this).resolve(cache.bucket.bucketArn))]));
  }
}
