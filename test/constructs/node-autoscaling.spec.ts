import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { PlatformCluster } from '../../lib/constructs/eks-cluster';
import { INTERRUPTION_EVENTS, NodeAutoscaling } from '../../lib/constructs/node-autoscaling';
import { testApp } from '../helpers';

describe('NodeAutoscaling', () => {
  // GIVEN a cluster and Karpenter's AWS side for it
  const stack = new Stack(testApp(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1 });
  const group = { instanceTypes: ['m7g.large'], minSize: 1, desiredSize: 1, maxSize: 2, capacity: 'onDemand' as const, diskSizeGiB: 20 };
  const cluster = new PlatformCluster(stack, 'Cluster', {
    clusterName: 'saas-test',
    version: '1.35',
    vpc,
    publicEndpointCidrs: [],
    secretsKey: new kms.Key(stack, 'Key'),
    controlPlaneLogGroup: new logs.LogGroup(stack, 'Logs'),
    nodeGroups: { system: group, workloads: group },
    addons: [],
  });
  new NodeAutoscaling(stack, 'NodeAutoscaling', {
    cluster,
    clusterName: 'saas-test',
    nodeRoleName: 'saas-test-karpenter-node',
    interruptionQueueName: 'saas-test-karpenter-interruption',
    controller: { namespace: 'karpenter', serviceAccount: 'karpenter' },
  });
  const template = Template.fromStack(stack);

  test('the node role is named as the EC2NodeClasses name it, with the node policies and no CNI permissions', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'saas-test-karpenter-node',
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] },
      ManagedPolicyArns: [
        Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':iam::aws:policy/AmazonEKSWorkerNodePolicy'])] }),
        Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':iam::aws:policy/AmazonEC2ContainerRegistryPullOnly'])] }),
      ],
    });
  });

  test('its nodes join through an EC2_LINUX access entry without access policies', () => {
    template.hasResourceProperties('AWS::EKS::AccessEntry', {
      Type: 'EC2_LINUX',
      PrincipalArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NodeAutoscalingNodeRole'), 'Arn'] },
      AccessPolicies: [],
    });
  });

  test('the interruption queue is encrypted, TLS-only and short-lived, fed by one EventBridge rule per interruption event', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'saas-test-karpenter-interruption',
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 300,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    // only EventBridge may send, and only from the rules below (aws:SourceArn per rule)
    const [policy] = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    const senders = policy.Properties.PolicyDocument.Statement.filter((st: { Effect: string }) => st.Effect === 'Allow');
    const ruleIds = Object.keys(template.findResources('AWS::Events::Rule'));
    expect(
      senders
        .map(
          (st: { Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': string[] } } } }) =>
            st.Condition.ArnEquals['aws:SourceArn']['Fn::GetAtt'][0],
        )
        .sort(),
    ).toEqual(ruleIds.sort());
    for (const st of senders) {
      expect(st.Principal).toEqual({ Service: 'events.amazonaws.com' });
      expect(st.Action).toContain('sqs:SendMessage');
    }
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules.map((r) => r.Properties.EventPattern)).toEqual(
      Object.values(INTERRUPTION_EVENTS).map((e) => ({ source: [e.source], 'detail-type': [e.detailType] })),
    );
    for (const rule of rules) expect(JSON.stringify(rule.Properties.Targets)).toContain('NodeAutoscalingInterruptionQueue');
    // spot interruption, rebalance, instance state change and scheduled change at least (finding 7)
    expect(Object.keys(INTERRUPTION_EVENTS)).toEqual(
      expect.arrayContaining(['SpotInterruption', 'Rebalance', 'InstanceStateChange', 'ScheduledChange']),
    );
  });

  test('the controller gets a Pod Identity role for karpenter/karpenter', () => {
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'karpenter', ServiceAccount: 'karpenter' });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'AllowPassingInstanceRole', Resource: 'arn:aws:iam::123456789012:role/saas-test-karpenter-node' }),
          Match.objectLike({
            Sid: 'AllowInterruptionQueueActions',
            Resource: 'arn:aws:sqs:eu-west-1:123456789012:saas-test-karpenter-interruption',
          }),
        ]),
      },
    });
  });
});
