import { Stack } from 'aws-cdk-lib';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { vpcName } from '../../lib/config/naming';
import { EnvironmentConfig } from '../../lib/config/types';
import { SaasEnvironmentStage } from '../../lib/stages/saas-environment-stage';
import { synthesizedApp } from '../app-fixture';

describe('SaasEnvironmentStage', () => {
  // GIVEN the whole app and its templates, synthesized once per jest run (every gate ran: test/bin/app.test.ts
  // requires their report to be empty); the templates' snapshot is test/stages/templates.test.ts
  const { app, template, dependsOn } = synthesizedApp();
  const stages = new Map<string, SaasEnvironmentStage>(
    ENVIRONMENTS.map((config) => [config.name, app.node.findChild(config.stageName) as SaasEnvironmentStage]),
  );

  test('one stage per environment, addressed by its stage name', () => {
    expect(app.node.children.filter((c) => c instanceof SaasEnvironmentStage).map((s) => s.node.id)).toEqual(['Dev', 'Staging', 'Prod']);
  });

  test.each(ENVIRONMENTS.map((c) => [c.name, c] as [string, EnvironmentConfig]))(
    '%s: stacks target the configured account and region',
    (name, config) => {
      const network = stages.get(name)!.network;
      expect(network.account).toBe(config.account);
      expect(network.region).toBe(config.region);
      expect(network.availabilityZones).toEqual(config.network.availabilityZones);
    },
  );

  test.each(ENVIRONMENTS.map((c) => [c.name, c] as [string, EnvironmentConfig]))('%s: network follows config', (name, config) => {
    const t = template(stages.get(name)!.network);
    t.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: config.network.vpcCidr });
    t.resourceCountIs('AWS::EC2::NatGateway', config.network.natGateways);
    t.resourceCountIs('AWS::EC2::Subnet', 3 * config.network.availabilityZones.length);
    t.resourceCountIs('AWS::EC2::VPCEndpoint', 1 + config.network.interfaceEndpoints.length);
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: config.network.flowLogRetentionDays });
  });

  test('production: three zones with a NAT gateway in each', () => {
    const t = template(stages.get('prod')!.network);
    const natSubnets = Object.values(t.findResources('AWS::EC2::NatGateway')).map((n) => JSON.stringify(n.Properties.SubnetId));
    expect(new Set(natSubnets).size).toBe(3);
  });

  test.each([
    ['dev', false, 'Delete'],
    ['staging', true, 'Retain'],
    ['prod', true, 'Retain'],
  ])('%s: the stateful network stack has termination protection %s and VPC DeletionPolicy %s', (name, protectedStack, policy) => {
    const network = stages.get(name)!.network;
    expect(network.terminationProtection).toBe(protectedStack);
    template(network).hasResource('AWS::EC2::VPC', { DeletionPolicy: policy });
  });

  test.each(ENVIRONMENTS.map((c) => [c.name, c] as [string, EnvironmentConfig]))(
    '%s: required and stateful tags from config',
    (name, config) => {
      template(stages.get(name)!.network).hasResourceProperties('AWS::EC2::VPC', {
        Tags: [
          { Key: 'Application', Value: config.tags.Application },
          { Key: 'Backup', Value: config.tags.Backup },
          { Key: 'CostCenter', Value: config.tags.CostCenter },
          { Key: 'DataClassification', Value: config.tags.DataClassification },
          { Key: 'Environment', Value: config.name },
          // the VPC's Name comes from the naming contract: the load balancer controller finds the VPC by it
          { Key: 'Name', Value: vpcName(config.name) },
          { Key: 'Owner', Value: config.tags.Owner },
        ],
      });
    },
  );

  test('stacks of each stage, with the DR replica only where config replicates', () => {
    const stackIds = (name: string) =>
      stages
        .get(name)!
        .node.children.filter((c) => c instanceof Stack)
        .map((c) => c.node.id);
    const common = [
      'Dns',
      'EdgeGlobalLogs',
      'EdgeGlobal',
      'Edge',
      'EdgeContent',
      'Webhooks',
      // the alert topics' key first: Alertmanager's role in the Cluster stack uses it
      'ObservabilityData',
      'Cluster',
      'Observability',
      'ObservabilityGlobal',
    ];
    expect(stackIds('dev')).toEqual(['Network', 'Access', 'Data', 'Audit', ...common, 'BackupVault', 'Backup', 'Chaos']);
    expect(stackIds('staging')).toEqual(['Network', 'Access', 'Data', 'Audit', ...common, 'BackupVault', 'Backup', 'Chaos']);
    expect(stackIds('prod')).toEqual([
      'Network',
      'Access',
      'DataReplica',
      'Data',
      'Audit',
      ...common,
      'BackupVault',
      'DisasterRecovery',
      'Backup',
      'Chaos',
    ]);
  });

  test('the Data stack receives the VPC from the Network stack and deploys after the DR replica', () => {
    const prod = stages.get('prod')!;
    expect(
      dependsOn(prod.data)
        .map((s) => s.node.id)
        .sort(),
    ).toEqual(['DataReplica', 'Network']);
  });

  test.each(ENVIRONMENTS.map((c) => c.name))(
    '%s: the edge deploys in order: logs before the WebACLs, Network and Data before Edge, Edge before its content bucket',
    (name) => {
      // GIVEN the stage; WHEN its stacks' dependencies are read
      const stage = stages.get(name)!;
      const deps = (s: Stack) =>
        dependsOn(s)
          .map((d) => d.node.id)
          .sort();
      // THEN a stack never deploys before what it names or references
      expect(deps(stage.edgeGlobal)).toEqual(expect.arrayContaining(['EdgeGlobalLogs', 'Dns']));
      expect(deps(stage.edge)).toEqual(expect.arrayContaining(['Data', 'Dns', 'EdgeGlobal', 'Network']));
      expect(deps(stage.edgeContent)).toEqual(expect.arrayContaining(['Data', 'Edge']));
      expect(deps(stage.data)).not.toContain('Edge');
    },
  );
});
