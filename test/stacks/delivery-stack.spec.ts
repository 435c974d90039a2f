import { Match, Template } from 'aws-cdk-lib/assertions';
import { App } from 'aws-cdk-lib';
import { buildApp, releaseTargets } from '../../bin/app';
import { DELIVERY, gitOpsTokenSecretName, imageProjectName, releaseProjectName, releaseRoleName } from '../../lib/config/delivery';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { imageSignerRoleName } from '../../lib/config/image-signing';
import { SERVICE_CATALOG, ServiceCatalog } from '../../lib/config/service-catalog';
import { ToolingStage } from '../../lib/stages/tooling-stage';
import { synthesizedApp } from '../app-fixture';
import { toolingConfig } from '../../lib/config/tooling';
import { DeliveryStack } from '../../lib/stacks/delivery-stack';
import { TEST_APP_PROPS, testApp } from '../helpers';

const tooling = (catalog: ServiceCatalog = SERVICE_CATALOG) => {
  if (catalog === SERVICE_CATALOG) {
    // the real platform, synthesized once per jest run
    const { app, template } = synthesizedApp();
    return template((app.node.findChild('Tooling') as ToolingStage).deliveryStack);
  }
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

describe('Delivery stack: the image signer as the catalog grows', () => {
  // GIVEN fixture catalogs of 2 and of 60 services (one repository each)
  const delivery = (count: number) => {
    const app = testApp();
    const services = Array.from({ length: count }, (_, i) => ({ name: `svc-${i}`, repository: `svc-${i}` }));
    const stack = new DeliveryStack(app, 'Delivery', {
      tooling: toolingConfig(),
      services,
      environments: [{ name: 'dev', account: '111111111111' }],
    });
    const template = Template.fromStack(stack);
    const [signer] = Object.keys(template.findResources('AWS::IAM::Role', { Properties: { RoleName: imageSignerRoleName() } }));
    const policies = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: signer }] } })) as {
      Properties: { PolicyDocument: { Statement: { Sid?: string; Resource: unknown }[] } };
    }[];
    return { template, policies, statements: policies.flatMap((p) => p.Properties.PolicyDocument.Statement) };
  };
  const small = delivery(2);
  const large = delivery(60);

  test('its policy gains one repository per service and nothing else: no per-project log group, report group or key grant', () => {
    // WHEN the statements other than the repositories' are compared
    const rest = (statements: { Sid?: string }[]) => statements.filter((s) => s.Sid !== 'PushImagesAndSignatures');
    // THEN they are the same for 2 and 60 services, in one policy, and never overflow into managed policies
    expect(rest(large.statements)).toEqual(rest(small.statements));
    expect(large.policies).toHaveLength(1);
    large.template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    const push = large.statements.find((s) => s.Sid === 'PushImagesAndSignatures')!;
    expect(push.Resource).toHaveLength(60);
    expect(JSON.stringify(large.statements)).not.toMatch(/aws\/codebuild|report-group/);
  });

  test('its projects log to the delivery log group, which the role may write to', () => {
    const [logGroup] = Object.keys(large.template.findResources('AWS::Logs::LogGroup'));
    for (const project of Object.values(large.template.findResources('AWS::CodeBuild::Project'))) {
      expect(project.Properties.LogsConfig.CloudWatchLogs).toEqual(
        expect.objectContaining({ GroupName: { Ref: logGroup }, Status: 'ENABLED' }),
      );
    }
    expect(large.statements).toContainEqual(
      expect.objectContaining({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] } }),
    );
  });
});
