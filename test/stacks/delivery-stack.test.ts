import { Match, Template } from 'aws-cdk-lib/assertions';
import { App } from 'aws-cdk-lib';
import { buildApp, releaseTargets } from '../../bin/app';
import { DELIVERY, gitOpsTokenSecretName, imageProjectName, releaseProjectName, releaseRoleName } from '../../lib/config/delivery';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { imageSignerRoleName } from '../../lib/config/image-signing';
import { SERVICE_CATALOG, ServiceCatalog, ServiceSpec } from '../../lib/config/service-catalog';
import { ToolingStage } from '../../lib/stages/tooling-stage';
import { TEST_APP_PROPS } from '../helpers';

const tooling = (catalog: ServiceCatalog = SERVICE_CATALOG) => {
  const app = buildApp(ENVIRONMENTS, TEST_APP_PROPS, catalog) as App;
  const stage = app.node.findChild('Tooling') as ToolingStage;
  return Template.fromStack(stage.deliveryStack);
};
const buildSpecOf = (t: Template, projectName: string) => {
  const [project] = Object.values(t.findResources('AWS::CodeBuild::Project', { Properties: { Name: projectName } }));
  return JSON.parse(project.Properties.Source.BuildSpec);
};

describe('Delivery stack (Tooling)', () => {
  const template = tooling();

  test('one image build project per catalog service, privileged (Docker), as the image signer role', () => {
    const projects = template.findResources('AWS::CodeBuild::Project', { Properties: { Environment: { PrivilegedMode: true } } });
    expect(
      Object.values(projects)
        .map((p) => p.Properties.Name)
        .sort(),
    ).toEqual(SERVICE_CATALOG.services.map((s) => imageProjectName(s.name)).sort());
    const [signer] = Object.keys(template.findResources('AWS::IAM::Role', { Properties: { RoleName: imageSignerRoleName() } }));
    for (const p of Object.values(projects)) expect(p.Properties.ServiceRole).toEqual({ 'Fn::GetAtt': [signer, 'Arn'] });
  });

  test('the projects derive from the catalog: a new service is a new project', () => {
    const extra: ServiceSpec = { ...SERVICE_CATALOG.services[3], name: 'search-api', image: { repository: 'search-api', tag: '0.1.0' } };
    const t = tooling({ ...SERVICE_CATALOG, services: [...SERVICE_CATALOG.services, extra] });
    t.hasResourceProperties('AWS::CodeBuild::Project', { Name: imageProjectName('search-api') });
    expect(buildSpecOf(t, imageProjectName('search-api')).phases.build.commands).toEqual([
      'npm run image -- --service search-api --execute --output image.json',
    ]);
  });

  test.each(SERVICE_CATALOG.services.map((s) => [s.name]))(
    '%s: the buildspec installs the pinned scanner and signer, then runs npm run image',
    (name) => {
      const spec = buildSpecOf(template, imageProjectName(name));
      const install: string[] = spec.phases.install.commands;
      expect(install.find((c) => c.includes(`trivy_${DELIVERY.tools.trivy.version}_Linux-64bit.tar.gz`))).toMatch(/sha256sum -c -/);
      expect(install.find((c) => c.includes(`cosign/releases/download/${DELIVERY.tools.cosign.version}/`))).toMatch(/sha256sum -c -/);
      expect(spec.phases.build.commands).toEqual([`npm run image -- --service ${name} --execute --output image.json`]);
      expect(spec.artifacts.files).toEqual(['image.json']);
    },
  );

  test.each(releaseTargets(ENVIRONMENTS).map((t) => [t.name, t] as const))(
    '%s: the release project commits, runs the gate and reverts (npm run release ... --push --wait), outside any VPC',
    (name, target) => {
      const spec = buildSpecOf(template, releaseProjectName(name));
      const source = target.promoteFrom ? `--from ${target.promoteFrom}` : '--commit "$CODEBUILD_RESOLVED_SOURCE_VERSION"';
      expect(spec.phases.build.commands).toEqual([`npm run release -- --env ${name} --service "$SERVICE" ${source} --push --wait`]);
      // it calls no cluster: no kubectl here (the environment's gate project installs it)
      expect(spec.phases.install.commands).toEqual(['npm ci --no-audit --no-fund']);
      template.hasResourceProperties('AWS::CodeBuild::Project', {
        Name: releaseProjectName(name),
        VpcConfig: Match.absent(),
        Environment: Match.objectLike({
          PrivilegedMode: false,
          EnvironmentVariables: Match.arrayWith([
            { Name: 'GITOPS_TOKEN', Type: 'SECRETS_MANAGER', Value: { Ref: Match.stringLikeRegexp('^GitOpsToken') } },
          ]),
        }),
      });
    },
  );

  test('synthesizes offline: no context lookup', () => {
    const app = buildApp(ENVIRONMENTS, TEST_APP_PROPS) as App;
    const tooling = (app.node.findChild('Tooling') as ToolingStage).synth();
    expect(tooling.manifest.missing ?? []).toEqual([]);
  });

  test('prod promotes what staging runs; dev and staging release the commit', () => {
    expect(releaseTargets(ENVIRONMENTS).map((t) => [t.name, t.promoteFrom])).toEqual([
      ['dev', undefined],
      ['staging', undefined],
      ['prod', 'staging'],
    ]);
  });

  test('the release role and the GitOps token are there and kept; no VPC, no fixed address, no output to copy by hand', () => {
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: releaseRoleName() });
    template.hasResource('AWS::SecretsManager::Secret', { Properties: { Name: gitOpsTokenSecretName() }, DeletionPolicy: 'Retain' });
    for (const type of ['AWS::EC2::VPC', 'AWS::EC2::EIP', 'AWS::EC2::NatGateway']) template.resourceCountIs(type, 0);
    expect(template.findOutputs('*')).toEqual({});
  });
});
