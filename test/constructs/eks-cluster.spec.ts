import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { architectureOf, NodeGroupSpec, PlatformCluster, PlatformClusterProps } from '../../lib/constructs/eks-cluster';
import { testApp } from '../helpers';

const group = (overrides: Partial<NodeGroupSpec> = {}): NodeGroupSpec => ({
  instanceTypes: ['m7g.large'],
  minSize: 2,
  desiredSize: 3,
  maxSize: 6,
  capacity: 'onDemand',
  diskSizeGiB: 50,
  ...overrides,
});

function synthWithoutTemplate(overrides: Partial<PlatformClusterProps> = {}) {
  const stack = new Stack(testApp(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], natGateways: 1 });
  const cluster = new PlatformCluster(stack, 'Cluster', {
    clusterName: 'saas-test',
    version: '1.35',
    vpc,
    publicEndpointCidrs: ['203.0.113.0/24'],
    secretsKey: new kms.Key(stack, 'Key'),
    controlPlaneLogGroup: new logs.LogGroup(stack, 'ControlPlaneLogs', { logGroupName: '/aws/eks/saas-test/cluster' }),
    nodeGroups: {
      system: group({
        labels: { 'platform.example.com/pool': 'system' },
        taints: [{ key: 'CriticalAddonsOnly', value: 'true', effect: 'NoSchedule' }],
      }),
      workloads: group({
        instanceTypes: ['m7i.xlarge', 'm6i.xlarge'],
        capacity: 'spot',
        minSize: 0,
        labels: { 'platform.example.com/pool': 'workloads' },
      }),
    },
    addons: [
      {
        name: 'vpc-cni',
        version: 'v1.21.1-eksbuild.1',
        requiredByNodes: true,
        configuration: { enableNetworkPolicy: 'true' },
        identity: { namespace: 'kube-system', serviceAccount: 'aws-node', managedPolicies: ['AmazonEKS_CNI_Policy'] },
      },
      { name: 'eks-pod-identity-agent', version: 'v1.3.10-eksbuild.1', requiredByNodes: true },
      { name: 'coredns', version: 'v1.13.1-eksbuild.1' },
    ],
    ...overrides,
  });
  return { stack, cluster };
}

function synth(overrides: Partial<PlatformClusterProps> = {}) {
  const built = synthWithoutTemplate(overrides);
  return { ...built, template: Template.fromStack(built.stack) };
}

describe('PlatformCluster', () => {
  const { template, cluster } = synth();

  test('version, all control-plane logs, envelope encryption, access entries only, endpoint limited to the CIDRs', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      Name: 'saas-test',
      Version: '1.35',
      Logging: {
        ClusterLogging: {
          EnabledTypes: [
            { Type: 'api' },
            { Type: 'audit' },
            { Type: 'authenticator' },
            { Type: 'controllerManager' },
            { Type: 'scheduler' },
          ],
        },
      },
      EncryptionConfig: [Match.objectLike({ Resources: ['secrets'] })],
      AccessConfig: Match.objectLike({ AuthenticationMode: 'API', BootstrapClusterCreatorAdminPermissions: false }),
      BootstrapSelfManagedAddons: false,
      ResourcesVpcConfig: Match.objectLike({
        EndpointPrivateAccess: true,
        EndpointPublicAccess: true,
        PublicAccessCidrs: ['203.0.113.0/24'],
      }),
    });
  });

  test('a private-only endpoint when no CIDR is listed', () => {
    synth({ publicEndpointCidrs: [] }).template.hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike({ EndpointPrivateAccess: true, EndpointPublicAccess: false }),
    });
  });

  test('the control-plane log group is given, not made: the cluster waits for it and makes none of its own', () => {
    // GIVEN a log group made outside the construct (in the platform, by the stateful Data stack)
    // THEN the cluster is created after it, and the construct adds no log group of its own
    const clusterResource = Object.values(template.findResources('AWS::EKS::Cluster'))[0];
    expect(JSON.stringify(clusterResource.DependsOn)).toContain('ControlPlaneLogs');
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
  });

  test('node groups span the private subnets of every zone, sized from config', () => {
    const groups = template.findResources('AWS::EKS::Nodegroup');
    expect(Object.keys(groups)).toHaveLength(2);
    for (const g of Object.values(groups)) expect(g.Properties.Subnets).toHaveLength(3);
    template.hasResourceProperties('AWS::EKS::Nodegroup', {
      ScalingConfig: { MinSize: 2, DesiredSize: 3, MaxSize: 6 },
      CapacityType: 'ON_DEMAND',
      AmiType: 'AL2023_ARM_64_STANDARD',
      Labels: { 'platform.example.com/pool': 'system' },
      Taints: [{ Key: 'CriticalAddonsOnly', Value: 'true', Effect: 'NO_SCHEDULE' }],
    });
    template.hasResourceProperties('AWS::EKS::Nodegroup', {
      CapacityType: 'SPOT',
      AmiType: 'AL2023_x86_64_STANDARD',
      InstanceTypes: ['m7i.xlarge', 'm6i.xlarge'],
      Labels: { 'platform.example.com/pool': 'workloads' },
    });
    expect(cluster.nodeGroups.system).toBeDefined();
  });

  test('launch templates require IMDSv2 with hop limit 1 and encrypted gp3 volumes', () => {
    const templates = Object.values(template.findResources('AWS::EC2::LaunchTemplate'));
    expect(templates).toHaveLength(2);
    for (const lt of templates) {
      expect(lt.Properties.LaunchTemplateData.MetadataOptions).toMatchObject({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 });
      expect(lt.Properties.LaunchTemplateData.BlockDeviceMappings).toEqual([
        { DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: true, Encrypted: true, VolumeSize: 50, VolumeType: 'gp3' } },
      ]);
    }
  });

  test('nodes need the CNI and the Pod Identity agent: they come first, every other add-on after the node groups', () => {
    const addons = Object.entries(template.findResources('AWS::EKS::Addon'));
    const idOf = (name: string) => addons.find(([, a]) => a.Properties.AddonName === name)![0];
    const groups = Object.entries(template.findResources('AWS::EKS::Nodegroup'));
    expect(groups).toHaveLength(2);
    for (const [groupId, group] of groups) {
      // THEN each node group waits for the add-ons its nodes need to become Ready
      expect(group.DependsOn).toEqual(expect.arrayContaining([idOf('vpc-cni'), idOf('eks-pod-identity-agent')]));
      expect(group.DependsOn ?? []).not.toContain(idOf('coredns'));
      // AND coredns (a Deployment) waits for both node groups, so it has nodes to become ACTIVE on
      expect(addons.find(([id]) => id === idOf('coredns'))![1].DependsOn).toContain(groupId);
    }
  });

  test('the node role has kubelet and image-pull permissions only: the CNI gets its own through Pod Identity', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role')).filter((r) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('ec2.amazonaws.com'),
    );
    expect(roles).toHaveLength(1);
    const policies = JSON.stringify(roles[0].Properties.ManagedPolicyArns);
    expect(policies).toContain('AmazonEKSWorkerNodePolicy');
    expect(policies).toContain('AmazonEC2ContainerRegistryPullOnly');
    expect(policies).not.toContain('AmazonEKS_CNI_Policy');
    for (const group of Object.values(template.findResources('AWS::EKS::Nodegroup'))) {
      expect(JSON.stringify(group.Properties.NodeRole)).toContain('NodeRole');
    }
  });

  test('add-ons are pinned; one that calls AWS gets its own Pod Identity role', () => {
    template.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'coredns', AddonVersion: 'v1.13.1-eksbuild.1' });
    template.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'vpc-cni',
      AddonVersion: 'v1.21.1-eksbuild.1',
      ConfigurationValues: '{"enableNetworkPolicy":"true"}',
      PodIdentityAssociations: [{ ServiceAccount: 'aws-node', RoleArn: Match.anyValue() }],
    });
    const addons = Object.entries(template.findResources('AWS::EKS::Addon'));
    const agentId = addons.find(([, a]) => a.Properties.AddonName === 'eks-pod-identity-agent')![0];
    const cni = addons.find(([, a]) => a.Properties.AddonName === 'vpc-cni')![1];
    // associations are served by the agent: the add-on that uses one waits for it
    expect(cni.DependsOn).toContain(agentId);
  });

  test('a pod role trusts EKS Pod Identity only for this cluster, namespace and service account', () => {
    const fresh = synthWithoutTemplate();
    fresh.cluster.addPodRole('Api', 'apps', 'web-api');
    const t = Template.fromStack(fresh.stack);
    t.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'apps', ServiceAccount: 'web-api' });
    t.hasResourceProperties('AWS::IAM::Role', {
      Description: 'Pod Identity: apps/web-api in saas-test',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Effect: 'Allow',
            Principal: { Service: 'pods.eks.amazonaws.com' },
            Condition: {
              StringEquals: {
                'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:eu-west-1:123456789012:cluster/saas-test',
                'aws:RequestTag/kubernetes-namespace': 'apps',
                'aws:RequestTag/kubernetes-service-account': 'web-api',
              },
            },
          },
        ],
      },
    });
  });

  test('an add-on role is trusted only by its own namespace and service account', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: 'Pod Identity: EKS add-on vpc-cni (kube-system/aws-node)',
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Condition: {
              StringEquals: Match.objectLike({
                'aws:RequestTag/kubernetes-namespace': 'kube-system',
                'aws:RequestTag/kubernetes-service-account': 'aws-node',
              }),
            },
          }),
        ],
      },
    });
  });

  test.each([
    [['m7g.large', 't4g.large'], 'arm64'],
    [['m7i.large', 'c6i.large', 'm7a.large'], 'x86_64'],
    [['m6gd.large', 'c7gn.large'], 'arm64'],
  ])('architecture of %j is %s', (types, arch) => {
    expect(architectureOf(types, 'x')).toBe(arch);
  });

  test('a node group mixing architectures is rejected', () => {
    expect(() => architectureOf(['m7g.large', 'm7i.large'], 'Test/Cluster/Workloads')).toThrow(
      'Test/Cluster/Workloads: instanceTypes ["m7g.large","m7i.large"] mix CPU architectures; one node group runs one AMI, so use one architecture per group',
    );
  });
});
