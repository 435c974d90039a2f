import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { PlatformNetwork, PlatformNetworkProps } from '../../lib/constructs/network';
import { testApp } from '../helpers';

const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];

function synth(overrides: Partial<PlatformNetworkProps> = {}): { template: Template; network: PlatformNetwork } {
  const stack = new Stack(testApp(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const network = new PlatformNetwork(stack, 'Network', {
    cidr: '10.0.0.0/16',
    availabilityZones: ZONES,
    subnetCidrMasks: { public: 22, private: 19, isolated: 22 },
    natGateways: 3,
    flowLogRetention: logs.RetentionDays.ONE_MONTH,
    interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.ECR, ec2.InterfaceVpcEndpointAwsService.STS],
    ...overrides,
  });
  return { template: Template.fromStack(stack), network };
}

describe('PlatformNetwork', () => {
  const { template, network } = synth();

  test('creates public, private and isolated subnets in every zone, sized by the address plan', () => {
    template.resourceCountIs('AWS::EC2::Subnet', 9);
    // private subnets get /19 (an eighth of a /16) for pod IPs; public and isolated /22
    for (const [az, i] of ZONES.map((z, n) => [z, n] as const)) {
      template.hasResourceProperties('AWS::EC2::Subnet', {
        AvailabilityZone: az,
        CidrBlock: `10.0.${i * 4}.0/22`,
        MapPublicIpOnLaunch: false,
      });
    }
    template.hasResourceProperties('AWS::EC2::Subnet', { AvailabilityZone: 'eu-west-1a', CidrBlock: '10.0.32.0/19' });
    expect(network.vpc.isolatedSubnets).toHaveLength(3);
    expect(network.vpc.privateSubnets).toHaveLength(3);
  });

  test('one NAT gateway per zone when asked, and an internet gateway', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 3);
    template.resourceCountIs('AWS::EC2::InternetGateway', 1);
  });

  test('a single NAT gateway when asked (development)', () => {
    synth({ natGateways: 1 }).template.resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  test('flow logs capture all traffic into a log group with the given retention, retained by default', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' });
    template.hasResource('AWS::EC2::VPC', { DeletionPolicy: 'Retain' });
  });

  test('the removal policy can be DESTROY (development)', () => {
    const t = synth({ removalPolicy: RemovalPolicy.DESTROY }).template;
    t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
    t.hasResource('AWS::EC2::VPC', { DeletionPolicy: 'Delete' });
  });

  test('an S3 gateway endpoint always, and the requested interface endpoints with private DNS', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: Match.objectLike({}) });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      ServiceName: 'com.amazonaws.eu-west-1.ecr.api',
      PrivateDnsEnabled: true,
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', ServiceName: 'com.amazonaws.eu-west-1.sts' });
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 3);
  });

  test('endpoint security groups admit HTTPS from the VPC CIDR only', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [{ CidrIp: '10.0.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }],
    });
    const groups = template.findResources('AWS::EC2::SecurityGroup');
    for (const group of Object.values(groups)) {
      for (const rule of group.Properties.SecurityGroupIngress ?? []) expect(rule.CidrIp).toBe('10.0.0.0/16');
    }
  });

  test('the default security group is stripped of its rules', () => {
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  test('the VPC carries the given Name tag, and only the private subnets the given tags', () => {
    // GIVEN a VPC name and a tag for the private subnets (how controllers without instance metadata find them)
    const t = synth({ vpcName: 'saas-test', privateSubnetTags: { 'karpenter.sh/discovery': 'saas-test' } }).template;
    // THEN the VPC is named so, and exactly the three private subnets carry the tag
    t.hasResourceProperties('AWS::EC2::VPC', { Tags: Match.arrayWith([{ Key: 'Name', Value: 'saas-test' }]) });
    const tagged = Object.values(t.toJSON().Resources as Record<string, { Type: string; Properties: { Tags?: { Key: string }[] } }>).filter(
      (r) => (r.Properties.Tags ?? []).some((tag) => tag.Key === 'karpenter.sh/discovery'),
    );
    expect(tagged.map((r) => r.Type)).toEqual(['AWS::EC2::Subnet', 'AWS::EC2::Subnet', 'AWS::EC2::Subnet']);
    for (const subnet of network.vpc.privateSubnets) expect(subnet.node.path).toContain('private');
  });

  test('no endpoints but S3 when none are asked for', () => {
    synth({ interfaceEndpoints: undefined }).template.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
  });

  test.each<[string, Partial<PlatformNetworkProps>, string]>([
    [
      'a prefix outside /16../20',
      { cidr: '10.0.0.0/24' },
      'Test/Network: cidr "10.0.0.0/24" must have a prefix of /16../20 to fit three subnet tiers in every zone',
    ],
    ['a single zone', { availabilityZones: ['eu-west-1a'], natGateways: 1 }, 'Test/Network: availabilityZones has 1; use at least 2'],
    ['more NAT gateways than zones', { natGateways: 4 }, 'Test/Network: natGateways 4 is out of range; use 1..3'],
    ['no NAT gateway', { natGateways: 0 }, 'Test/Network: natGateways 0 is out of range; use 1..3'],
  ])('rejects %s with a message naming the construct', (_what, overrides, message) => {
    expect(() => synth(overrides)).toThrow(message);
  });
});
