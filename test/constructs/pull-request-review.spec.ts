import * as fs from 'fs';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PLATFORM } from '../../lib/config/platform';
import { pipelineSecretName, pullRequestReviewProjectName } from '../../lib/config/pipeline';
import { COMMENT_COMMAND, REVIEW_COMMANDS } from '../../lib/constructs/pull-request-review';
import { toolingConfig } from '../../lib/config/tooling';
import { PullRequestReviewStack } from '../../lib/stacks/pull-request-review-stack';
import { testApp } from '../helpers';

const ROOT = path.join(__dirname, '..', '..');
const stack = new PullRequestReviewStack(testApp(), 'PullRequestReview', { tooling: toolingConfig(), settings: PLATFORM.pipeline });
const template = Template.fromStack(stack);
const project = () => Object.values(template.findResources('AWS::CodeBuild::Project'))[0];
const buildSpec = () => JSON.parse(project().Properties.Source.BuildSpec);

describe('the pull-request review build', () => {
  test('runs the review exactly as docs/cicd/review.md says the CI does, after npm ci', () => {
    // GIVEN the CI block of docs/cicd/review.md ("In CI (the pull-request build)")
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'cicd', 'review.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## In CI'));
    const block = /```bash\n([\s\S]*?)```/.exec(section)![1].trim().split('\n');
    // THEN the build runs those lines: npm ci to install, the rest as the build
    expect(block[0]).toBe('npm ci');
    expect(buildSpec().phases.install.commands).toEqual(['npm ci']);
    expect(buildSpec().phases.build.commands).toEqual(block.slice(1));
    expect(buildSpec().phases.build.commands).toEqual([...REVIEW_COMMANDS]);
  });

  test('posts the comment after the review, whatever its exit code (post_build), and the build fails when the review fails', () => {
    expect(buildSpec().phases.post_build.commands).toEqual([COMMENT_COMMAND]);
    expect(buildSpec().phases.build['on-failure']).toBeUndefined();
    expect(buildSpec().env.shell).toBe('bash');
  });

  test('is started by pull requests opened, updated and reopened, on a full clone, and reports its status to GitHub', () => {
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Name: pullRequestReviewProjectName(),
      Source: {
        Type: 'GITHUB',
        Location: `https://github.com/${PLATFORM.pipeline.repository}.git`,
        GitCloneDepth: 0,
        ReportBuildStatus: true,
        Auth: { Type: 'CODECONNECTIONS', Resource: PLATFORM.pipeline.connectionArn },
      },
      Triggers: {
        Webhook: true,
        FilterGroups: [[{ Type: 'EVENT', Pattern: 'PULL_REQUEST_CREATED, PULL_REQUEST_UPDATED, PULL_REQUEST_REOPENED' }]],
      },
    });
  });

  test('reads the GitHub token from Secrets Manager, and may read that secret only', () => {
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({
        Image: 'aws/codebuild/standard:7.0',
        EnvironmentVariables: [{ Name: 'GITHUB_TOKEN', Type: 'SECRETS_MANAGER', Value: pipelineSecretName('GITHUB_TOKEN') }],
      }),
    });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const secretReads = statements.filter((s) => JSON.stringify(s.Action).includes('secretsmanager:'));
    expect(secretReads).toHaveLength(1);
    expect(JSON.stringify(secretReads[0].Resource)).toContain(`:secret:${pipelineSecretName('GITHUB_TOKEN')}-??????`);
  });

  test('may use the GitHub connection, and only that one', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.filter((s) => JSON.stringify(s.Action).includes('codeconnections:'))).toEqual([
      {
        Effect: 'Allow',
        Action: ['codeconnections:GetConnection', 'codeconnections:GetConnectionToken', 'codeconnections:UseConnection'],
        Resource: PLATFORM.pipeline.connectionArn,
      },
    ]);
  });

  test('encrypts with its own key and caches npm in its own bucket', () => {
    expect(project().Properties.EncryptionKey).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ReviewKey/), 'Arn'] });
    expect(project().Properties.Cache).toMatchObject({ Type: 'S3' });
    expect(buildSpec().cache.paths).toEqual(['/root/.npm/**/*']);
  });
});
