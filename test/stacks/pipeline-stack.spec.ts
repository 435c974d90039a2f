import { imageProjectName, releaseProjectName } from '../../lib/config/delivery';
import { SERVICES } from '../../lib/config/service-catalog';
import * as fs from 'fs';
import { App } from 'aws-cdk-lib';
import * as path from 'path';
import { buildApp } from '../../bin/app';
import { dev, ENVIRONMENTS } from '../../lib/config/environments';
import { BUILD_NODE_MAJOR, CDK_CLI_VERSION, deliveryPipelines, pipelineSecretName, smokeCommand } from '../../lib/config/pipeline';
import { PLATFORM } from '../../lib/config/platform';
import { toolingConfig } from '../../lib/config/tooling';
import { SYNTH_COMMANDS, SONAR_SCAN_COMMAND } from '../../lib/constructs/delivery-pipeline';
import { PipelineStack } from '../../lib/stacks/pipeline-stack';
import { CfnResource, CfnTemplate, stack, world } from '../contracts/world';
import { TEST_APP_PROPS, withValue } from '../helpers';

const ROOT = path.join(__dirname, '..', '..');
const w = world();
const SPECS = deliveryPipelines(ENVIRONMENTS);
const release = SPECS.find((s) => s.kind === 'release')!;
const devPipeline = SPECS.find((s) => s.kind === 'dev')!;

type Action = {
  Name: string;
  ActionTypeId: { Category: string; Provider: string };
  RunOrder: number;
  RoleArn?: unknown;
  Configuration?: Record<string, unknown>;
};
type PipelineStage = { Name: string; Actions: Action[] };

const resources = (template: CfnTemplate, type: string): [string, CfnResource][] =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const pipelineOf = (template: CfnTemplate) => resources(template, 'AWS::CodePipeline::Pipeline')[0][1];
const stagesOf = (template: CfnTemplate): PipelineStage[] => pipelineOf(template).Properties!.Stages;
const projectNamed = (template: CfnTemplate, part: string) => {
  const found = resources(template, 'AWS::CodeBuild::Project').filter(([id]) => id.includes(part));
  expect(found).toHaveLength(1);
  return found[0][1];
};
const buildSpecOf = (project: CfnResource) => JSON.parse(project.Properties!.Source.BuildSpec);
const toolingTemplates = () => w.stacks.filter((s) => s.path.startsWith('Tooling/')).map((s) => s.template);

describe.each(SPECS.map((spec) => [spec.kind, spec] as const))('the %s pipeline', (_kind, spec) => {
  const template = stack(w, `Tooling/${spec.stackId}`).template;

  test('is a CodePipeline V2 named from config, with KMS-encrypted artifact stores in every region it deploys to', () => {
    const props = pipelineOf(template).Properties!;
    expect(props.Name).toBe(spec.pipelineName);
    expect(props.PipelineType).toBe('V2');
    // cross-account keys: an artifact store per region, each with a KMS key the target accounts may use
    const regions = new Set(
      spec.deployments.flatMap((d) => w.stacks.filter((s) => s.path.startsWith(`${d.stageName}/`)).map((s) => s.region)),
    );
    regions.add(PLATFORM.region);
    expect(props.ArtifactStores.map((s: { Region: string }) => s.Region).sort()).toEqual([...regions].sort());
    for (const store of props.ArtifactStores) expect(store.ArtifactStore.EncryptionKey).toMatchObject({ Type: 'KMS' });
  });

  test('has its stages in order: source, synth, self-update, assets, [tooling], each environment', () => {
    // THEN the order is derived from the spec (deliveryPipelines()), not written twice
    expect(stagesOf(template).map((s) => s.Name)).toEqual([
      'Source',
      'Build',
      'UpdatePipeline',
      'Assets',
      ...(spec.deploysTooling ? ['Tooling'] : []),
      // the application delivery's image builds, before the first environment
      'BeforeEnvironments',
      ...spec.deployments.map((d) => d.stageName),
    ]);
  });

  test('builds the configured branch of the repository through the configured connection', () => {
    const source = stagesOf(template)[0].Actions[0];
    expect(source.ActionTypeId.Provider).toBe('CodeStarSourceConnection');
    expect(source.Configuration).toMatchObject({
      ConnectionArn: PLATFORM.pipeline.connectionArn,
      FullRepositoryId: PLATFORM.pipeline.repository,
      BranchName: spec.branch,
    });
  });

  test('synth runs npm ci, then the tests (lint and the coverage gate), cdk synth of every stage and the manifests', () => {
    const build = buildSpecOf(projectNamed(template, 'Synth'));
    expect(build.phases.install.commands).toEqual(['npm ci']);
    expect(build.phases.build.commands).toEqual([...SYNTH_COMMANDS]);
    expect(build.phases.build.commands).toEqual(['npm test', "npx cdk synth '**'", 'npm run synth:manifests']);
    // the cloud assembly and the manifests are the step's outputs
    expect(
      Object.values(build.artifacts['secondary-artifacts'])
        .map((a) => (a as { 'base-directory': string })['base-directory'])
        .sort(),
    ).toEqual(['cdk.out', 'dist']);
  });

  test('updates itself from its own branch with the pinned CDK CLI', () => {
    const build = buildSpecOf(projectNamed(template, 'SelfMutation'));
    expect(build.phases.install.commands).toEqual([`npm install -g aws-cdk@${CDK_CLI_VERSION}`]);
    expect(build.phases.build.commands).toEqual([
      `cdk -a assembly-Tooling deploy Tooling/${spec.stackId} --require-approval=never --verbose`,
    ]);
  });

  test.each(spec.deployments.map((d) => [d.stageName, d] as const))(
    '%s: every stack is deployed with the deploy role of its own account, then the smoke check runs',
    (stageName, deployment) => {
      const stage = stagesOf(template).find((s) => s.Name === stageName)!;
      const config = ENVIRONMENTS.find((e) => e.name === deployment.environment)!;
      const stacks = w.stacks.filter((s) => s.path.startsWith(`${stageName}/`));
      const deploys = stage.Actions.filter((a) => a.ActionTypeId.Category === 'Deploy');
      // a change set prepared and executed per stack
      expect(deploys).toHaveLength(stacks.length * 2);
      for (const action of deploys) {
        expect(JSON.stringify(action.RoleArn)).toContain(`:iam::${config.account}:role/cdk-hnb659fds-deploy-role-${config.account}-`);
      }
      const last = stage.Actions.reduce((a, b) => (a.RunOrder >= b.RunOrder ? a : b));
      expect(last.ActionTypeId.Provider).toBe('CodeBuild');
      expect(Math.min(...deploys.map((a) => a.RunOrder))).toBeLessThan(last.RunOrder);
      const post = buildSpecOf(projectNamed(template, `${stageName}PostDeploy`));
      expect(post.phases.build.commands).toEqual([smokeCommand(deployment.environment)]);
    },
  );

  test('a person approves before each production environment, and only there', () => {
    for (const deployment of spec.deployments) {
      const stage = stagesOf(template).find((s) => s.Name === deployment.stageName)!;
      const approvals = stage.Actions.filter((a) => a.ActionTypeId.Category === 'Approval');
      expect(approvals).toHaveLength(deployment.manualApproval ? 1 : 0);
      if (deployment.manualApproval) {
        const firstDeploy = Math.min(...stage.Actions.filter((a) => a.ActionTypeId.Category === 'Deploy').map((a) => a.RunOrder));
        expect(approvals[0].RunOrder).toBeLessThan(firstDeploy);
      }
    }
  });
});

describe('the release pipeline', () => {
  const template = stack(w, 'Tooling/Pipeline').template;

  test('deploys staging, then waits for the approval, then deploys prod', () => {
    // GIVEN the environments' tiers: staging before production, production approved
    expect(release.deployments.map((d) => [d.stageName, d.manualApproval])).toEqual([
      ['Staging', false],
      ['Prod', true],
    ]);
    const names = stagesOf(template).map((s) => s.Name);
    expect(names.indexOf('Staging')).toBeLessThan(names.indexOf('Prod'));
    const prod = stagesOf(template).find((s) => s.Name === 'Prod')!;
    expect(prod.Actions.find((a) => a.RunOrder === 1)!.ActionTypeId.Category).toBe('Approval');
  });

  test("deploys the tooling account's other stacks before the environments, with the bootstrap roles and nothing wider", () => {
    const project = projectNamed(template, 'DeployTooling');
    const others = w.stacks.filter((s) => s.path.startsWith('Tooling/') && !/^Tooling\/(Pipeline|cross-region-stack-)/.test(s.path));
    const [command] = buildSpecOf(project).phases.build.commands;
    const deployed = /^cdk -a assembly-Tooling deploy (.+) --require-approval never$/.exec(command)![1].split(' ');
    // every other stack of the tooling stage, and only those
    expect(deployed.sort()).toEqual(others.map((s) => s.path).sort());
    expect(deployed).toEqual(['Tooling/Delivery', 'Tooling/PullRequestReview', 'Tooling/Registry', 'Tooling/Signing']);
    const roleId = project.Properties!.ServiceRole['Fn::GetAtt'][0];
    const policies = resources(template, 'AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties!.Roles).includes(roleId));
    const assume = policies
      .flatMap(([, p]) => p.Properties!.PolicyDocument.Statement)
      .filter((s: { Action: unknown }) => s.Action === 'sts:AssumeRole');
    const [account, region] = [PLATFORM.accounts.tooling, PLATFORM.region];
    expect(assume.flatMap((s: { Resource: string[] }) => s.Resource).sort()).toEqual([
      `arn:aws:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-${region}`,
      `arn:aws:iam::${account}:role/cdk-hnb659fds-file-publishing-role-${account}-${region}`,
    ]);
  });

  test('the dev pipeline deploys the development environments from develop, without tooling or approval', () => {
    expect(devPipeline.branch).toBe(PLATFORM.pipeline.devBranch);
    expect(devPipeline.deployments).toEqual([{ environment: 'dev', stageName: 'Dev', manualApproval: false }]);
    expect(devPipeline.deploysTooling).toBe(false);
    expect(release.branch).toBe(PLATFORM.pipeline.releaseBranch);
  });
});

describe('the coverage gate of the synth step', () => {
  test('npm test runs lint, the type-check and jest, and jest fails under 80% lines and branches', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    // lint and the type-check beside jest (test/test-tooling.test.ts runs the script with each step failing)
    expect(pkg.scripts.test).toMatch(/^npm run --silent lint & .*npm run --silent typecheck & .*jest --ci\b/);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jestConfig = require(path.join(ROOT, 'jest.config.js'));
    expect(jestConfig.collectCoverage).toBe(true);
    expect(jestConfig.coverageThreshold.global.lines).toBeGreaterThanOrEqual(80);
    expect(jestConfig.coverageThreshold.global.branches).toBeGreaterThanOrEqual(80);
  });
});

describe('every build of the tooling account', () => {
  const projects = toolingTemplates().flatMap((t) => resources(t, 'AWS::CodeBuild::Project').map(([, p]) => p));

  test('runs on CodeBuild standard 7.0 with Node.js 22 or newer', () => {
    expect(BUILD_NODE_MAJOR).toBeGreaterThanOrEqual(22);
    expect(projects.length).toBeGreaterThan(10);
    for (const project of projects) {
      expect(project.Properties!.Environment.Image).toBe('aws/codebuild/standard:7.0');
      expect(buildSpecOf(project).phases.install['runtime-versions'].nodejs).toBeGreaterThanOrEqual(22);
    }
  });

  test("keeps npm's cache between builds: in S3 for the pipelines' builds, on the build host (with Docker's layers) for the delivery's", () => {
    const deliveryNames = [...SERVICES.map((svc) => imageProjectName(svc.name)), ...ENVIRONMENTS.map((e) => releaseProjectName(e.name))];
    const delivery = (name: unknown) => deliveryNames.includes(name as string);
    for (const project of projects) {
      const name = project.Properties!.Name;
      expect([name, project.Properties!.Cache.Type]).toEqual([name, delivery(name) ? 'LOCAL' : 'S3']);
      expect(buildSpecOf(project).cache.paths).toContain('/root/.npm/**/*');
    }
    expect(projects.filter((p) => p.Properties!.Cache.Type === 'S3').length).toBeGreaterThan(5);
  });

  test('the CDK CLI the pipeline installs is the one package.json pins', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.devDependencies['aws-cdk']).toBe(CDK_CLI_VERSION);
  });
});

describe('SonarQube', () => {
  test('without a server in config, no analysis runs and no token is read', () => {
    const synth = buildSpecOf(projectNamed(stack(w, 'Tooling/Pipeline').template, 'Synth'));
    expect(synth.phases.build.commands).not.toContain(SONAR_SCAN_COMMAND);
    expect(JSON.stringify(projectNamed(stack(w, 'Tooling/Pipeline').template, 'Synth').Properties!.Environment)).not.toContain('SONAR');
  });

  test('with a server, the synth step analyses after the tests, with the token from Secrets Manager', () => {
    // GIVEN dev alone (its zone delegated at the registrar) and a SonarQube server in config
    const devAlone = withValue(dev, 'domain.delegatedFrom', undefined);
    const settings = { ...PLATFORM.pipeline, sonarHostUrl: 'https://sonar.example.com' };
    const app = buildApp([devAlone], TEST_APP_PROPS, undefined, settings);
    const assembly = app.synth();
    const tooling = assembly.nestedAssemblies.find((a) => a.directoryName === 'assembly-Tooling')!.nestedAssembly;
    const template = tooling.stacks.find((s) => s.hierarchicalId === 'Tooling/PipelineDev')!.template as CfnTemplate;
    const project = projectNamed(template, 'Synth');
    expect(buildSpecOf(project).phases.build.commands).toEqual([...SYNTH_COMMANDS, SONAR_SCAN_COMMAND]);
    expect(project.Properties!.Environment.EnvironmentVariables).toEqual(
      expect.arrayContaining([
        { Name: 'SONAR_HOST_URL', Type: 'PLAINTEXT', Value: 'https://sonar.example.com' },
        { Name: 'SONAR_TOKEN', Type: 'SECRETS_MANAGER', Value: pipelineSecretName('SONAR_TOKEN') },
      ]),
    );
  });
});

describe('PipelineStack', () => {
  test('a spec that names a stage the app does not have is refused, naming it', () => {
    const app = new App(TEST_APP_PROPS);
    const spec = { ...release, deployments: [{ environment: 'qa', stageName: 'Qa', manualApproval: false }] };
    expect(
      () => new PipelineStack(app, 'Pipeline', { tooling: toolingConfig(), spec, settings: PLATFORM.pipeline, stages: new Map() }),
    ).toThrow('Pipeline: the release pipeline deploys stage Qa, which the app does not have');
  });

  test('a bad pipeline setting stops the app before any construct is made, naming the field', () => {
    expect(() => buildApp(ENVIRONMENTS, TEST_APP_PROPS, undefined, { ...PLATFORM.pipeline, releaseBranch: 'develop' })).toThrow(
      'platform.pipeline.releaseBranch: "develop" is also devBranch; the release pipeline needs a branch of its own (a develop commit must not deploy production)',
    );
  });
});
