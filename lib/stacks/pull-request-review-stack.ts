import { Construct } from 'constructs';
import {
  BUILD_NODE_MAJOR,
  connectionService,
  PipelineSettings,
  pipelineSecretName,
  pullRequestReviewProjectName,
} from '../config/pipeline';
import { PullRequestReview } from '../constructs/pull-request-review';
import { ToolingStack, ToolingStackProps } from './tooling-stack';

/** Props of `PullRequestReviewStack`. */
export interface PullRequestReviewStackProps extends ToolingStackProps {
  /** Repository and connection (`PLATFORM.pipeline`). */
  readonly settings: PipelineSettings;
}

/** The pull-request review build in the tooling account (`npm run review` on every pull request). */
export class PullRequestReviewStack extends ToolingStack {
  /** The review build. */
  public readonly review: PullRequestReview;

  constructor(scope: Construct, id: string, props: PullRequestReviewStackProps) {
    const { settings, ...stackProps } = props;
    super(scope, id, { description: 'tooling: npm run review on every pull request, posted as a comment', ...stackProps });
    this.review = new PullRequestReview(this, 'Review', {
      projectName: pullRequestReviewProjectName(),
      repository: settings.repository,
      connectionArn: settings.connectionArn,
      connectionService: connectionService(settings.connectionArn),
      nodeMajor: BUILD_NODE_MAJOR,
      githubToken: { variable: 'GITHUB_TOKEN', secretName: pipelineSecretName('GITHUB_TOKEN') },
    });
  }
}
