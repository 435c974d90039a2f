import { Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { dev, ENVIRONMENTS, prod } from '../../lib/config/environments';
import { DnsStack } from '../../lib/stacks/dns-stack';
import { EACH_ENV, synthesizedApp } from '../app-fixture';
import { testApp, withValue } from '../helpers';

describe('DnsStack', () => {
  const { stage, template, dependsOn } = synthesizedApp();

  test.each(EACH_ENV)('%s: a public hosted zone for the environment domain', (name, config) => {
    template(stage(name).dns).hasResourceProperties('AWS::Route53::HostedZone', { Name: `${config.domain.zoneName}.` });
  });

  test.each([
    ['dev', 'Delete', false],
    ['staging', 'Retain', true],
    ['prod', 'Retain', true],
  ])(
    '%s: the zone has DeletionPolicy %s and termination protection %s (new name servers break delegation)',
    (name, policy, protectedStack) => {
      template(stage(name).dns).hasResource('AWS::Route53::HostedZone', { DeletionPolicy: policy });
      expect(stage(name).dns.terminationProtection).toBe(protectedStack);
    },
  );

  test('an existing zone is imported by ID from config instead of created', () => {
    const app = testApp();
    const stack = new DnsStack(new Stage(app, 'Prod'), 'Dns', { config: withValue(prod, 'edge.hostedZoneId', 'Z0123456789ABCDEFGHIJ') });
    Template.fromStack(stack).resourceCountIs('AWS::Route53::HostedZone', 0);
    expect(stack.hostedZone.hostedZoneId).toBe('Z0123456789ABCDEFGHIJ');
    expect(stack.hostedZone.zoneName).toBe(prod.domain.zoneName);
    expect(dev.edge.hostedZoneId).toBeUndefined();
  });

  test.each([
    ['dev', 'Delete'],
    ['staging', 'Retain'],
  ])(
    "%s: a child zone writes its NS records into prod's zone through prod's role, removed with the zone only in development",
    (name, policy) => {
      const t = template(stage(name).dns);
      t.hasResource('Custom::CrossAccountZoneDelegation', {
        Properties: {
          AssumeRoleArn: `arn:aws:iam::${prod.account}:role/saas-platform-${name}-zone-delegation`,
          ParentZoneName: 'example.com',
          DelegatedZoneName: `${name}.example.com`,
          DelegatedZoneNameServers: { 'Fn::GetAtt': ['ZoneA5DE4B68', 'NameServers'] },
        },
        DeletionPolicy: policy,
      });
      expect(t.findOutputs('NameServers').NameServers.Description).toContain('Delegation record writes them into example.com');
    },
  );

  test('the parent creates one delegation role per child, trusted by that child account alone, with no record of its own', () => {
    const t = template(stage('prod').dns);
    for (const child of ['dev', 'staging']) {
      const account = ENVIRONMENTS.find((e) => e.name === child)!.account;
      t.hasResourceProperties('AWS::IAM::Role', {
        RoleName: `saas-platform-${child}-zone-delegation`,
        AssumeRolePolicyDocument: {
          Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` } }],
        },
      });
    }
    t.resourceCountIs('AWS::IAM::Role', 2);
    t.resourceCountIs('Custom::CrossAccountZoneDelegation', 0);
    expect(Object.keys(stage('prod').dns.delegationRoles)).toEqual(['dev', 'staging']);
  });

  test("a child's delegation role may change only NS records of the child's name, with the actions the custom resource uses", () => {
    template(stage('prod').dns).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'route53:ChangeResourceRecordSets',
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', ['arn:aws:route53:::hostedzone/', { Ref: 'ZoneA5DE4B68' }]] },
            Condition: {
              'ForAllValues:StringEquals': {
                'route53:ChangeResourceRecordSetsRecordTypes': ['NS'],
                'route53:ChangeResourceRecordSetsActions': ['UPSERT', 'DELETE'],
                'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['dev.example.com'],
              },
            },
          },
          { Action: 'route53:ListHostedZonesByName', Effect: 'Allow', Resource: '*' },
        ],
      },
    });
  });

  test('without delegation props the zone is standalone: no role, no record, name servers for the registrar', () => {
    const stack = new DnsStack(new Stage(testApp(), 'Dev'), 'Dns', { config: dev });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::IAM::Role', 0);
    t.resourceCountIs('Custom::CrossAccountZoneDelegation', 0);
    expect(t.findOutputs('NameServers').NameServers.Description).toContain('registrar');
  });

  test.each(EACH_ENV)(
    '%s: the stacks that validate certificates in the zone deploy after the Dns stack, which writes the delegation first',
    (name) => {
      const s = stage(name);
      for (const stack of [s.edgeGlobal, s.edge, s.cluster]) expect(dependsOn(stack)).toContain(s.dns);
    },
  );
});
