import { ResourceImpact, fullDiff } from '@aws-cdk/cloudformation-diff';
import { CfnTemplate } from '../../lib/review/model';
import { ResourceSpecification } from '../../lib/review/replacement-rules';
import { StackPair, analyzeReplacements } from '../../lib/review/replacements';
import { pairStacks } from '../../lib/review/stack-changes';
import { resource, stack, stackOutput } from './templates';

const spec = new ResourceSpecification();
const pair = (displayName: string, base: CfnTemplate | undefined, head: CfnTemplate | undefined): StackPair =>
  pairStacks(base ? [stack(displayName, base)] : [], head ? [stack(displayName, head)] : [])[0];

const subnetGroup = (name: string) => resource('AWS::RDS::DBSubnetGroup', { DBSubnetGroupName: name, SubnetIds: ['a', 'b'] });

describe('analyzeReplacements within a stack', () => {
  test('a nested trigger: ResourcesVpcConfig.SubnetIds replaces an EKS cluster', () => {
    // GIVEN a cluster whose subnets change (ResourcesVpcConfig itself is updatable)
    const cluster = (subnets: string[]) => ({
      Resources: { Cluster: resource('AWS::EKS::Cluster', { ResourcesVpcConfig: { SubnetIds: subnets } }) },
    });
    // WHEN
    const { resources } = analyzeReplacements([pair('Dev/Cluster', cluster(['a', 'b']), cluster(['a', 'c']))], spec);
    // THEN
    expect(resources.get('111111111111/eu-west-1/Dev-Cluster')?.get('Cluster')).toEqual({
      impact: 'yes',
      reasons: ['ResourcesVpcConfig.SubnetIds[1] changes (a change of it replaces an AWS::EKS::Cluster)'],
      root: 'Dev/Cluster Cluster: ResourcesVpcConfig.SubnetIds[1] changes (a change of it replaces an AWS::EKS::Cluster)',
      rootIsSelf: true,
    });
  });

  test('a replaced subnet group replaces the instance that names it, even through Fn::Join (which the diff library does not follow)', () => {
    // GIVEN the subnet group gets a new (immutable) name; the instance's template does not change
    const template = (name: string): CfnTemplate => ({
      Resources: {
        Group: subnetGroup(name),
        Db: resource('AWS::RDS::DBInstance', { DBSubnetGroupName: { 'Fn::Join': ['', [{ Ref: 'Group' }]] } }),
      },
    });
    const before = template('db-a');
    const after = template('db-b');
    // WHEN
    const { resources } = analyzeReplacements([pair('Dev/Data', before, after)], spec);
    // THEN the library alone sees an untouched instance; the analysis sees it replaced
    expect(fullDiff(before, after).resources.get('Db')?.changeImpact ?? ResourceImpact.NO_CHANGE).toBe(ResourceImpact.NO_CHANGE);
    expect(resources.get('111111111111/eu-west-1/Dev-Data')?.get('Db')).toMatchObject({
      impact: 'yes',
      reasons: ['DBSubnetGroupName refers to Group (AWS::RDS::DBSubnetGroup), which is replaced'],
      root: 'Dev/Data Group: DBSubnetGroupName changes (a change of it replaces an AWS::RDS::DBSubnetGroup)',
    });
  });

  test('a reference into an updatable property does not replace', () => {
    const template = (cidr: string): CfnTemplate => ({
      Resources: {
        Subnet: resource('AWS::EC2::Subnet', { CidrBlock: cidr, VpcId: 'vpc-1' }),
        Group: resource('AWS::RDS::DBSubnetGroup', { SubnetIds: [{ Ref: 'Subnet' }] }),
      },
    });
    const { resources } = analyzeReplacements([pair('Dev/Data', template('10.0.0.0/24'), template('10.0.1.0/24'))], spec);
    expect([...(resources.get('111111111111/eu-west-1/Dev-Data')?.keys() ?? [])]).toEqual(['Subnet']);
  });

  test('"maybe" spreads as "maybe": a replaced parameter group may replace the instance', () => {
    const template = (family: string): CfnTemplate => ({
      Resources: {
        Parameters: resource('AWS::RDS::DBParameterGroup', { Family: family, Description: 'p' }),
        Db: resource('AWS::RDS::DBInstance', { DBParameterGroupName: { Ref: 'Parameters' } }),
      },
    });
    const { resources } = analyzeReplacements([pair('Dev/Data', template('postgres16'), template('postgres17'))], spec);
    expect(resources.get('111111111111/eu-west-1/Dev-Data')?.get('Db')).toMatchObject({
      impact: 'maybe',
      reasons: ['DBParameterGroupName refers to Parameters (AWS::RDS::DBParameterGroup), which is replaced'],
    });
  });

  test('a changed type is a replacement', () => {
    const before = { Resources: { Q: resource('AWS::SQS::Queue', {}) } };
    const after = { Resources: { Q: resource('AWS::SNS::Topic', {}) } };
    expect(
      analyzeReplacements([pair('Dev/App', before, after)], spec)
        .resources.get('111111111111/eu-west-1/Dev-App')
        ?.get('Q')?.reasons,
    ).toEqual(['its type changes from AWS::SQS::Queue to AWS::SNS::Topic']);
  });
});

describe('analyzeReplacements across stacks (weak references)', () => {
  const network = (cidr: string): CfnTemplate => ({
    Resources: { Private1: resource('AWS::EC2::Subnet', { CidrBlock: cidr, VpcId: 'vpc-1' }) },
    Outputs: { Private1Id: { Value: { Ref: 'Private1' } } },
  });
  const cluster: CfnTemplate = {
    Resources: {
      Cluster: resource('AWS::EKS::Cluster', {
        RoleArn: 'arn:role',
        ResourcesVpcConfig: { SubnetIds: [stackOutput('Dev-Network', 'Private1Id')] },
      }),
      Logs: resource('AWS::Logs::LogGroup', { LogGroupName: { 'Fn::Sub': '/aws/eks/${Cluster}/cluster' } }),
    },
  };

  test('a subnet replaced in Network replaces the cluster in another stack that reads it, and what refers to the cluster', () => {
    // WHEN the subnet's CIDR changes
    const { resources, outputs } = analyzeReplacements(
      [pair('Dev/Network', network('10.0.0.0/24'), network('10.0.9.0/24')), pair('Dev/Cluster', cluster, cluster)],
      spec,
    );
    // THEN the output's value changes, the cluster is replaced, and so is the log group named after it
    const root = 'Dev/Network Private1: CidrBlock changes (a change of it replaces an AWS::EC2::Subnet)';
    expect(outputs.get('111111111111/eu-west-1/Dev-Network')?.get('Private1Id')).toMatchObject({
      reasons: ['it refers to Private1 (AWS::EC2::Subnet), which is replaced'],
      root,
    });
    const ofCluster = resources.get('111111111111/eu-west-1/Dev-Cluster')!;
    expect(ofCluster.get('Cluster')?.reasons).toEqual([
      `ResourcesVpcConfig.SubnetIds[0] reads output Private1Id of Dev/Network, whose value changes (first cause: ${root})`,
    ]);
    expect(ofCluster.get('Logs')?.reasons).toEqual([
      `LogGroupName refers to Cluster (AWS::EKS::Cluster), which is replaced (first cause: ${root})`,
    ]);
  });

  test('an output whose written value changes counts as changed for its readers', () => {
    const producer = (ref: string): CfnTemplate => ({ Resources: {}, Outputs: { Private1Id: { Value: ref } } });
    const { resources } = analyzeReplacements(
      [pair('Dev/Network', producer('subnet-1'), producer('subnet-2')), pair('Dev/Cluster', cluster, cluster)],
      spec,
    );
    expect(resources.get('111111111111/eu-west-1/Dev-Cluster')?.get('Cluster')?.reasons[0]).toBe(
      'ResourcesVpcConfig.SubnetIds[0] reads output Private1Id of Dev/Network, whose value changes (first cause: Dev/Network output Private1Id: its value changes from "subnet-1" to "subnet-2")',
    );
  });
});
