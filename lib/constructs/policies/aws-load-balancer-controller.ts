import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The IAM policy of the AWS Load Balancer Controller, following the controller project's published
 * policy (docs/install/iam_policy.json): read-only discovery on `*` (those APIs have no resource
 * scoping), and every create/modify/delete of load balancers, target groups, listeners, rules and
 * security groups conditioned on the `elbv2.k8s.aws/cluster` tag, here pinned to this cluster's name
 * (the published policy only requires the tag to exist).
 */
export function awsLoadBalancerControllerStatements(clusterName: string): iam.PolicyStatement[] {
  const ownedByThisCluster = { StringEquals: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': clusterName } };
  const taggedAtCreation = { StringEquals: { 'aws:RequestTag/elbv2.k8s.aws/cluster': clusterName } };
  return [
    new iam.PolicyStatement({
      sid: 'CreateServiceLinkedRole',
      actions: ['iam:CreateServiceLinkedRole'],
      resources: ['*'],
      conditions: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
    }),
    new iam.PolicyStatement({
      sid: 'Discover',
      actions: [
        'ec2:DescribeAccountAttributes',
        'ec2:DescribeAddresses',
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeInternetGateways',
        'ec2:DescribeVpcs',
        'ec2:DescribeVpcPeeringConnections',
        'ec2:DescribeSubnets',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeInstances',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeTags',
        'ec2:GetCoipPoolUsage',
        'ec2:DescribeCoipPools',
        'ec2:GetSecurityGroupsForVpc',
        'ec2:DescribeIpamPools',
        'ec2:DescribeRouteTables',
        'elasticloadbalancing:Describe*',
        'cognito-idp:DescribeUserPoolClient',
        'acm:ListCertificates',
        'acm:DescribeCertificate',
        'iam:ListServerCertificates',
        'iam:GetServerCertificate',
        'waf-regional:GetWebACL',
        'waf-regional:GetWebACLForResource',
        'wafv2:GetWebACL',
        'wafv2:GetWebACLForResource',
        'shield:GetSubscriptionState',
        'shield:DescribeProtection',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ManageOwnSecurityGroupRules',
      actions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
      resources: ['*'],
      conditions: ownedByThisCluster,
    }),
    new iam.PolicyStatement({
      sid: 'CreateTaggedSecurityGroups',
      actions: ['ec2:CreateSecurityGroup'],
      resources: ['*'],
      conditions: taggedAtCreation,
    }),
    new iam.PolicyStatement({
      sid: 'TagSecurityGroupsAtCreation',
      actions: ['ec2:CreateTags'],
      resources: ['arn:aws:ec2:*:*:security-group/*'],
      conditions: {
        StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' },
        Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'ManageOwnSecurityGroups',
      actions: ['ec2:CreateTags', 'ec2:DeleteTags', 'ec2:DeleteSecurityGroup'],
      resources: ['*'],
      conditions: ownedByThisCluster,
    }),
    new iam.PolicyStatement({
      sid: 'CreateTaggedLoadBalancers',
      actions: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'],
      resources: ['*'],
      conditions: taggedAtCreation,
    }),
    new iam.PolicyStatement({
      sid: 'ManageListenersAndRules',
      actions: [
        'elasticloadbalancing:CreateListener',
        'elasticloadbalancing:DeleteListener',
        'elasticloadbalancing:CreateRule',
        'elasticloadbalancing:DeleteRule',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'TagOwnLoadBalancers',
      actions: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      resources: [
        'arn:aws:elasticloadbalancing:*:*:targetgroup/*/*',
        'arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*',
        'arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*',
      ],
      conditions: ownedByThisCluster,
    }),
    new iam.PolicyStatement({
      sid: 'TagAtCreation',
      actions: ['elasticloadbalancing:AddTags'],
      resources: [
        'arn:aws:elasticloadbalancing:*:*:targetgroup/*/*',
        'arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*',
        'arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*',
      ],
      conditions: {
        StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'] },
        Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'ManageOwnLoadBalancers',
      actions: [
        'elasticloadbalancing:ModifyLoadBalancerAttributes',
        'elasticloadbalancing:SetIpAddressType',
        'elasticloadbalancing:SetSecurityGroups',
        'elasticloadbalancing:SetSubnets',
        'elasticloadbalancing:DeleteLoadBalancer',
        'elasticloadbalancing:ModifyTargetGroup',
        'elasticloadbalancing:ModifyTargetGroupAttributes',
        'elasticloadbalancing:DeleteTargetGroup',
        'elasticloadbalancing:ModifyListenerAttributes',
        'elasticloadbalancing:ModifyCapacityReservation',
        'elasticloadbalancing:ModifyIpPools',
      ],
      resources: ['*'],
      conditions: ownedByThisCluster,
    }),
    new iam.PolicyStatement({
      sid: 'RegisterTargets',
      actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
      resources: ['arn:aws:elasticloadbalancing:*:*:targetgroup/*/*'],
    }),
    new iam.PolicyStatement({
      sid: 'ManageListenersWafAndShield',
      actions: [
        'elasticloadbalancing:SetWebAcl',
        'elasticloadbalancing:ModifyListener',
        'elasticloadbalancing:AddListenerCertificates',
        'elasticloadbalancing:RemoveListenerCertificates',
        'elasticloadbalancing:ModifyRule',
        'elasticloadbalancing:SetRulePriorities',
        'waf-regional:AssociateWebACL',
        'waf-regional:DisassociateWebACL',
        'wafv2:AssociateWebACL',
        'wafv2:DisassociateWebACL',
        'shield:CreateProtection',
        'shield:DeleteProtection',
      ],
      resources: ['*'],
    }),
  ];
}
