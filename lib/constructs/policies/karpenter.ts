import { ControllerStatement } from './policy-json';

/** Where the controller policy is transcribed from (the Karpenter version `lib/config/addon-pins.ts` pins). */
export const KARPENTER_POLICY_SOURCE =
  'aws/karpenter-provider-aws@v1.14.1:website/content/en/docs/getting-started/getting-started-with-karpenter/cloudformation.yaml';

/** What the Karpenter controller's policy is derived for. */
export interface KarpenterPolicyScope {
  readonly clusterName: string;
  readonly region: string;
  readonly account: string;
  /** ARN of the role of the nodes Karpenter launches (the only role it may pass). */
  readonly nodeRoleArn: string;
  /** ARN of the interruption queue. */
  readonly interruptionQueueArn: string;
}

/**
 * The Karpenter controller's policy: every statement of the six controller policies of the
 * upstream CloudFormation template (NodeLifecycle, IAMIntegration, EKSIntegration, Interruption,
 * ZonalShift, ResourceDiscovery) at the pinned version, with its `${...}` parameters filled in from
 * config. Transcribed as data; the Sids are upstream's.
 */
export function karpenterControllerStatements(scope: KarpenterPolicyScope): ControllerStatement[] {
  const { clusterName, region, account, nodeRoleArn, interruptionQueueArn } = scope;
  const ec2 = (type: string) => `arn:aws:ec2:${region}:*:${type}/*`;
  const owned = { [`aws:ResourceTag/kubernetes.io/cluster/${clusterName}`]: 'owned' };
  const ownedRequest = {
    [`aws:RequestTag/kubernetes.io/cluster/${clusterName}`]: 'owned',
    'aws:RequestTag/eks:eks-cluster-name': clusterName,
  };
  const launched = [
    ec2('fleet'),
    ec2('instance'),
    ec2('volume'),
    ec2('network-interface'),
    ec2('launch-template'),
    ec2('spot-instances-request'),
  ];
  const instanceProfiles = `arn:aws:iam::${account}:instance-profile/*`;
  const tagged =
    'Tag-conditioned: only what carries this cluster tag (kubernetes.io/cluster/<name>=owned) and a Karpenter node pool or node class tag.';
  return [
    {
      why: 'Launching needs the AMIs, snapshots, subnets, security groups, reservations and placement groups of the region (chosen by the EC2NodeClass selectors).',
      statement: {
        Sid: 'AllowScopedEC2InstanceAccessActions',
        Effect: 'Allow',
        Resource: [
          `arn:aws:ec2:${region}::image/*`,
          `arn:aws:ec2:${region}::snapshot/*`,
          ec2('security-group'),
          ec2('subnet'),
          ec2('capacity-reservation'),
          ec2('placement-group'),
        ],
        Action: ['ec2:RunInstances', 'ec2:CreateFleet'],
      },
    },
    {
      why: tagged,
      statement: {
        Sid: 'AllowScopedEC2LaunchTemplateAccessActions',
        Effect: 'Allow',
        Resource: ec2('launch-template'),
        Action: ['ec2:RunInstances', 'ec2:CreateFleet'],
        Condition: { StringEquals: owned, StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' } },
      },
    },
    {
      why: 'New instances, volumes, interfaces, fleets and launch templates only with this cluster tag at creation.',
      statement: {
        Sid: 'AllowScopedEC2InstanceActionsWithTags',
        Effect: 'Allow',
        Resource: launched,
        Action: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
        Condition: { StringEquals: ownedRequest, StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' } },
      },
    },
    {
      why: 'Tagging at creation only (RunInstances, CreateFleet, CreateLaunchTemplate) with this cluster tag.',
      statement: {
        Sid: 'AllowScopedResourceCreationTagging',
        Effect: 'Allow',
        Resource: launched,
        Action: 'ec2:CreateTags',
        Condition: {
          StringEquals: { ...ownedRequest, 'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'] },
          StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
        },
      },
    },
    {
      why: tagged,
      statement: {
        Sid: 'AllowScopedResourceTagging',
        Effect: 'Allow',
        Resource: ec2('instance'),
        Action: 'ec2:CreateTags',
        Condition: {
          StringEquals: owned,
          StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
          StringEqualsIfExists: { 'aws:RequestTag/eks:eks-cluster-name': clusterName },
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'] },
        },
      },
    },
    {
      why: tagged,
      statement: {
        Sid: 'AllowScopedDeletion',
        Effect: 'Allow',
        Resource: [ec2('instance'), ec2('launch-template')],
        Action: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'],
        Condition: { StringEquals: owned, StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' } },
      },
    },
    {
      why: 'Passes the node role only, to EC2 only.',
      statement: {
        Sid: 'AllowPassingInstanceRole',
        Effect: 'Allow',
        Resource: nodeRoleArn,
        Action: 'iam:PassRole',
        Condition: { StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com', 'ec2.amazonaws.com.cn'] } },
      },
    },
    {
      why: 'Instance profiles are named by Karpenter; creation only with this cluster and region tags.',
      statement: {
        Sid: 'AllowScopedInstanceProfileCreationActions',
        Effect: 'Allow',
        Resource: instanceProfiles,
        Action: ['iam:CreateInstanceProfile'],
        Condition: {
          StringEquals: { ...ownedRequest, 'aws:RequestTag/topology.kubernetes.io/region': region },
          StringLike: { 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' },
        },
      },
    },
    {
      why: 'Instance profiles Karpenter created for this cluster (tag-conditioned).',
      statement: {
        Sid: 'AllowScopedInstanceProfileTagActions',
        Effect: 'Allow',
        Resource: instanceProfiles,
        Action: ['iam:TagInstanceProfile'],
        Condition: {
          StringEquals: {
            ...owned,
            'aws:ResourceTag/topology.kubernetes.io/region': region,
            ...ownedRequest,
            'aws:RequestTag/topology.kubernetes.io/region': region,
          },
          StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*', 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' },
        },
      },
    },
    {
      why: 'Instance profiles Karpenter created for this cluster (tag-conditioned).',
      statement: {
        Sid: 'AllowScopedInstanceProfileActions',
        Effect: 'Allow',
        Resource: instanceProfiles,
        Action: ['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'],
        Condition: {
          StringEquals: { ...owned, 'aws:ResourceTag/topology.kubernetes.io/region': region },
          StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*' },
        },
      },
    },
    {
      why: 'This cluster only.',
      statement: {
        Sid: 'AllowAPIServerEndpointDiscovery',
        Effect: 'Allow',
        Resource: `arn:aws:eks:${region}:${account}:cluster/${clusterName}`,
        Action: 'eks:DescribeCluster',
      },
    },
    {
      why: 'The interruption queue only.',
      statement: {
        Sid: 'AllowInterruptionQueueActions',
        Effect: 'Allow',
        Resource: interruptionQueueArn,
        Action: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      },
    },
    {
      why: 'GetManagedResource supports no resource scoping; conditioned on this cluster.',
      statement: {
        Sid: 'AllowZonalShiftStatusReadOnly',
        Effect: 'Allow',
        Resource: '*',
        Action: ['arc-zonal-shift:GetManagedResource'],
        Condition: { StringEquals: { 'arc-zonal-shift:ResourceIdentifier': `arn:aws:eks:${region}:${account}:cluster/${clusterName}` } },
      },
    },
    {
      why: 'Describe calls support no resource scoping; limited to the region.',
      statement: {
        Sid: 'AllowRegionalReadActions',
        Effect: 'Allow',
        Resource: '*',
        Action: [
          'ec2:DescribeCapacityReservations',
          'ec2:DescribeImages',
          'ec2:DescribeInstances',
          'ec2:DescribeInstanceStatus',
          'ec2:DescribeInstanceTypeOfferings',
          'ec2:DescribeInstanceTypes',
          'ec2:DescribeLaunchTemplates',
          'ec2:DescribePlacementGroups',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeSpotPriceHistory',
          'ec2:DescribeSubnets',
        ],
        Condition: { StringEquals: { 'aws:RequestedRegion': region } },
      },
    },
    {
      why: 'Public AWS parameters only (the EKS AMI IDs).',
      statement: {
        Sid: 'AllowSSMReadActions',
        Effect: 'Allow',
        Resource: `arn:aws:ssm:${region}::parameter/aws/service/*`,
        Action: 'ssm:GetParameter',
      },
    },
    {
      why: 'GetProducts supports no resource scoping (public prices).',
      statement: { Sid: 'AllowPricingReadActions', Effect: 'Allow', Resource: '*', Action: 'pricing:GetProducts' },
    },
    {
      why: 'ListInstanceProfiles supports no resource scoping.',
      statement: { Sid: 'AllowUnscopedInstanceProfileListAction', Effect: 'Allow', Resource: '*', Action: 'iam:ListInstanceProfiles' },
    },
    {
      why: 'Reads the instance profiles of the account (names are Karpenter-generated).',
      statement: { Sid: 'AllowInstanceProfileReadActions', Effect: 'Allow', Resource: instanceProfiles, Action: 'iam:GetInstanceProfile' },
    },
  ];
}
