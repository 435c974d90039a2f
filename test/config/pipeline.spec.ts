import * as fs from 'fs';
import * as path from 'path';
import * as semver from 'semver';
import { dev, ENVIRONMENTS, prod, staging } from '../../lib/config/environments';
import {
  BUILD_NODE_MAJOR,
  connectionService,
  deliveryPipelines,
  pipelineSecretName,
  smokeChecks,
  smokeCommand,
} from '../../lib/config/pipeline';
import { PLATFORM } from '../../lib/config/platform';
import { validatePipeline } from '../../lib/config/validate-pipeline';

const ROOT = path.join(__dirname, '..', '..');
const TOOLING = PLATFORM.accounts.tooling;
const valid = { ...PLATFORM.pipeline };
const problems = (changes: Record<string, unknown>) => validatePipeline({ ...valid, ...changes }, TOOLING);

describe('deliveryPipelines', () => {
  test('develop deploys the development tier; main deploys tooling, staging, then production behind an approval', () => {
    expect(deliveryPipelines(ENVIRONMENTS).map((p) => [p.kind, p.stackId, p.branch, p.deploysTooling, p.deployments])).toEqual([
      ['dev', 'PipelineDev', 'develop', false, [{ environment: 'dev', stageName: 'Dev', manualApproval: false }]],
      [
        'release',
        'Pipeline',
        'main',
        true,
        [
          { environment: 'staging', stageName: 'Staging', manualApproval: false },
          { environment: 'prod', stageName: 'Prod', manualApproval: true },
        ],
      ],
    ]);
  });

  test('the order comes from the tiers, not from the order of the config', () => {
    expect(
      deliveryPipelines([prod, staging, dev])
        .find((p) => p.kind === 'release')!
        .deployments.map((d) => d.environment),
    ).toEqual(['staging', 'prod']);
  });

  test('without a development environment there is no dev pipeline; the release pipeline still deploys the tooling stacks', () => {
    expect(deliveryPipelines([staging, prod]).map((p) => p.kind)).toEqual(['release']);
    expect(deliveryPipelines([dev]).map((p) => [p.kind, p.deployments.length, p.deploysTooling])).toEqual([
      ['dev', 1, false],
      ['release', 0, true],
    ]);
  });
});

describe('pipeline names', () => {
  test('secrets, commands and connections derive from config', () => {
    expect(pipelineSecretName('GITHUB_TOKEN')).toBe('saas-platform/pipeline/github-token');
    expect(pipelineSecretName('SONAR_TOKEN')).toBe('saas-platform/pipeline/sonar-token');
    expect(smokeCommand('staging')).toBe('npm run smoke -- --env staging');
    expect(connectionService('arn:aws:codestar-connections:eu-west-1:000000000000:connection/x')).toBe('codestar-connections');
    expect(connectionService(PLATFORM.pipeline.connectionArn)).toBe('codeconnections');
  });

  test.each(ENVIRONMENTS.map((e) => [e.name, e] as const))(
    '%s: the smoke check calls the app and the API health path through CloudFront',
    (_name, config) => {
      expect(smokeChecks(config)).toEqual([
        { name: 'app', url: `https://${config.edge.appSubdomain}.${config.domain.zoneName}/`, expect: 'no-server-error' },
        {
          name: 'api',
          url: `https://${config.edge.apiSubdomain}.${config.domain.zoneName}${config.edge.healthCheckPath}`,
          expect: 'answers',
        },
      ]);
    },
  );
});

describe('Node.js versions', () => {
  const engines = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).engines.node as string;

  // 22.13: the first Node 22 every dependency accepts (eslint-visitor-keys needs ^22.13.0)
  test.each(['20.19.0', '20.20.2', '22.13.0', '22.22.0', '24.0.0'])("package.json's engines (%s) admits Node %s", (version) => {
    expect(semver.satisfies(version, engines)).toBe(true);
  });

  test.each(['18.20.8', '20.18.3', '22.12.0', '23.11.0', '25.0.0'])('and refuses Node %s', (version) => {
    expect(semver.satisfies(version, engines)).toBe(false);
  });

  test('the builds run Node 22 or newer, which engines admits', () => {
    expect(BUILD_NODE_MAJOR).toBeGreaterThanOrEqual(22);
    // `nodejs: 22` in a buildspec selects the newest 22.x of the image
    expect(semver.intersects(`^${BUILD_NODE_MAJOR}.0.0`, engines)).toBe(true);
  });
});

describe('validatePipeline', () => {
  test('the shipped settings are valid', () => {
    expect(validatePipeline(PLATFORM.pipeline, TOOLING)).toEqual([]);
  });

  test('a SonarQube server and an older codestar-connections ARN are valid', () => {
    expect(
      problems({
        sonarHostUrl: 'https://sonar.example.com',
        connectionArn: 'arn:aws:codestar-connections:us-east-1:000000000000:connection/12345678-1234-1234-1234-123456789012',
      }),
    ).toEqual([]);
  });

  test.each([
    [
      { repository: 'saas-platform' },
      'platform.pipeline.repository: "saas-platform" is not valid; use owner/name of the GitHub repository, e.g. example/saas-platform',
    ],
    [
      { connectionArn: 'arn:aws:codeconnections:eu-west-1:000000000000:connection/abc' },
      'platform.pipeline.connectionArn: "arn:aws:codeconnections:eu-west-1:000000000000:connection/abc" is not valid; use the ARN of a CodeConnections connection, arn:aws:codeconnections:<region>:<account>:connection/<id>',
    ],
    [
      { connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/00000000-0000-0000-0000-000000000000' },
      'platform.pipeline.connectionArn: "arn:aws:codeconnections:eu-west-1:111111111111:connection/00000000-0000-0000-0000-000000000000" is in account 111111111111; the pipelines run in the tooling account 000000000000, create the connection there',
    ],
    [
      { connectionArn: 'arn:aws:codeconnections:moon-1:000000000000:connection/00000000-0000-0000-0000-000000000000' },
      'platform.pipeline.connectionArn: "arn:aws:codeconnections:moon-1:000000000000:connection/00000000-0000-0000-0000-000000000000" names region "moon-1", which is not an AWS region the platform knows',
    ],
    [{ devBranch: 'feature..x' }, 'platform.pipeline.devBranch: "feature..x" is not a valid branch name; use e.g. develop or main'],
    [{ releaseBranch: undefined }, 'platform.pipeline.releaseBranch: missing is not a valid branch name; use e.g. develop or main'],
    [
      { releaseBranch: 'develop' },
      'platform.pipeline.releaseBranch: "develop" is also devBranch; the release pipeline needs a branch of its own (a develop commit must not deploy production)',
    ],
    [
      { sonarHostUrl: 'http://sonar.example.com' },
      'platform.pipeline.sonarHostUrl: "http://sonar.example.com" is not valid; use an https:// URL of the SonarQube server, or "" for no analysis',
    ],
  ])('%j is one problem naming the field', (change, message) => {
    expect(problems(change).map((p) => `${p.path}: ${p.message}`)).toEqual([message]);
  });

  test('settings that are not an object are one problem', () => {
    expect(validatePipeline(undefined, TOOLING)).toEqual([
      {
        path: 'platform.pipeline',
        message: 'missing is not an object; give repository, connectionArn, devBranch, releaseBranch, sonarHostUrl',
      },
    ]);
  });
});
