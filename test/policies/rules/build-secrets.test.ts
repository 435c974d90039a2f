import { buildSecrets, printedSecrets, secretLiterals, TemplateJson } from '../../../lib/policies/rules/build-secrets';

const SECRETS = new Set(['GITHUB_TOKEN']);

/** A template with one CodeBuild project: its variables and its buildspec's commands and env. */
const project = (
  variables: { Name: string; Type?: string; Value: string }[],
  commands: string[],
  env: Record<string, unknown> = {},
): TemplateJson => ({
  Resources: {
    Build: {
      Type: 'AWS::CodeBuild::Project',
      Properties: {
        Environment: { EnvironmentVariables: variables },
        Source: { BuildSpec: JSON.stringify({ version: '0.2', env, phases: { build: { commands } } }) },
      },
      Metadata: { 'aws:cdk:path': 'Tooling/Pipeline/Build/Resource' },
    },
  },
});
const messages = (template: TemplateJson) => buildSecrets('Tooling/Pipeline', template).map((f) => f.message);
// A token of GitHub's shape, assembled so that no scanner mistakes this file for a leak.
const FAKE_TOKEN = ['ghp', '_', 'a'.repeat(36)].join('');

describe('PLAT-SEC1 buildSecrets', () => {
  test('compliant: the token is a Secrets Manager variable, used without being printed', () => {
    const template = project(
      [{ Name: 'GITHUB_TOKEN', Type: 'SECRETS_MANAGER', Value: 'saas-platform/pipeline/github-token' }],
      [
        'npm run pr-comment -- review.md',
        'echo "$GITHUB_TOKEN" | docker login ghcr.io --password-stdin',
        'echo building $CODEBUILD_BUILD_ID',
      ],
    );
    expect(messages(template)).toEqual([]);
  });

  test('non-compliant: a secret-looking variable in plain text names the project, the variable and the fix', () => {
    expect(messages(project([{ Name: 'SONAR_TOKEN', Value: 'x' }], []))).toEqual([
      'Tooling/Pipeline/Build/Resource: variable SONAR_TOKEN looks like a secret but is PLAINTEXT; read it from Secrets Manager or Parameter Store (type SECRETS_MANAGER or PARAMETER_STORE)',
    ]);
  });

  test('non-compliant: a token literal in a variable or in the buildspec', () => {
    expect(messages(project([{ Name: 'REPO', Value: `https://x:${FAKE_TOKEN}@github.com/o/r` }], []))).toEqual([
      'Tooling/Pipeline/Build/Resource: variable REPO holds a GitHub token; keep it in Secrets Manager',
      'Tooling/Pipeline/Build/Resource: variable REPO holds a password in a URL; keep it in Secrets Manager',
    ]);
    expect(messages(project([], [`curl -H "Authorization: Bearer ${FAKE_TOKEN}" https://api.github.com`]))).toEqual([
      'Tooling/Pipeline/Build/Resource: the buildspec holds a GitHub token',
    ]);
  });

  test('non-compliant: a secret in the buildspec env.variables', () => {
    expect(messages(project([], [], { variables: { API_KEY: 'abc' } }))).toEqual([
      'Tooling/Pipeline/Build/Resource: env.variables.API_KEY looks like a secret in plain text; move it to env.secrets-manager or a SECRETS_MANAGER variable of the project',
    ]);
  });

  test('non-compliant: a command that prints a secret of the buildspec env.secrets-manager', () => {
    const template = project([], ['echo $DB_PASS'], { 'secrets-manager': { DB_PASS: 'prod/db:password' } });
    expect(messages(template)).toEqual(['Tooling/Pipeline/Build/Resource: a command prints the secret variable DB_PASS (echo $DB_PASS)']);
  });

  test('non-compliant: plain-text secret variables of a CodePipeline CodeBuild action', () => {
    const template: TemplateJson = {
      Resources: {
        Pipeline: {
          Type: 'AWS::CodePipeline::Pipeline',
          Properties: {
            Stages: [
              {
                Name: 'Build',
                Actions: [
                  {
                    Name: 'Synth',
                    Configuration: { EnvironmentVariables: JSON.stringify([{ name: 'NPM_TOKEN', type: 'PLAINTEXT', value: 'x' }]) },
                  },
                ],
              },
            ],
          },
        },
      },
    };
    expect(buildSecrets('Tooling/Pipeline', template)).toEqual([
      {
        path: 'Tooling/Pipeline/Pipeline',
        logicalId: 'Pipeline',
        location: 'Properties.Stages.Build.Synth.EnvironmentVariables',
        message:
          'Tooling/Pipeline/Pipeline: variable NPM_TOKEN looks like a secret but is PLAINTEXT; read it from Secrets Manager or Parameter Store (type SECRETS_MANAGER or PARAMETER_STORE)',
      },
    ]);
  });

  test('resources that are not builds are not read', () => {
    expect(
      buildSecrets('Prod/Data', {
        Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: { Tags: [{ Key: 'TOKEN', Value: 'x' }] } } },
      }),
    ).toEqual([]);
  });
});

describe('printedSecrets', () => {
  test.each([
    ['set -x', 'turns on shell tracing (set -x): every later command is printed with its secrets expanded'],
    ['set -ex && npm ci', 'turns on shell tracing (set -ex && npm ci): every later command is printed with its secrets expanded'],
    ['set -o xtrace', 'turns on shell tracing (set -o xtrace): every later command is printed with its secrets expanded'],
    ['bash -x ./deploy.sh', 'turns on shell tracing (bash -x ./deploy.sh): every later command is printed with its secrets expanded'],
    ['env', 'prints every variable (env), secrets included'],
    ['npm ci && printenv', 'prints every variable (printenv), secrets included'],
    ['printenv GITHUB_TOKEN', 'prints the secret variable GITHUB_TOKEN (printenv GITHUB_TOKEN)'],
    ['echo "token: ${GITHUB_TOKEN}"', 'prints the secret variable GITHUB_TOKEN (echo "token: ${GITHUB_TOKEN}")'],
    ['printf "%s" "$GITHUB_TOKEN"', 'prints the secret variable GITHUB_TOKEN (printf "%s" "$GITHUB_TOKEN")'],
    ['cat x | echo $GITHUB_TOKEN', 'prints the secret variable GITHUB_TOKEN (echo $GITHUB_TOKEN)'],
  ])('%s is caught', (command, problem) => {
    expect(printedSecrets(command, SECRETS)).toEqual([problem]);
  });

  test.each([
    'echo "$GITHUB_TOKEN" | gh auth login --with-token',
    'echo $HOME',
    'npm run review -- --base "$(git merge-base refs/remotes/origin/review-base HEAD)" --markdown review.md',
    'git fetch --no-tags origin "+${CODEBUILD_WEBHOOK_BASE_REF}:refs/remotes/origin/review-base"',
    'test -n "$GITHUB_TOKEN" || exit 1',
    'echo "a|b" && npm test',
    'npx set-x-tool',
  ])('%s passes', (command) => {
    expect(printedSecrets(command, SECRETS)).toEqual([]);
  });
});

describe('secretLiterals', () => {
  test('names each kind found, and nothing in ordinary text', () => {
    expect(secretLiterals(['AKIA', 'ABCDEFGHIJKLMNOP'].join(''))).toEqual(['AWS access key ID']);
    expect(secretLiterals(['-----BEGIN RSA PRIVATE', ' KEY-----'].join(''))).toEqual(['private key']);
    expect(secretLiterals('https://github.com/example/saas-platform.git and $GITHUB_TOKEN')).toEqual([]);
  });
});
