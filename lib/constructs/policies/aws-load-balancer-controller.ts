import { ControllerStatement, StatementJson } from './policy-json';

/** Where the upstream policy below is transcribed from (the controller version `lib/config/addon-pins.ts` pins). */
export const LBC_POLICY_SOURCE = 'kubernetes-sigs/aws-load-balancer-controller@v3.5.0:docs/install/iam_policy.json';

const TAG = 'elbv2.k8s.aws/cluster';
const LB_AND_TG = [
  'arn:aws:elasticloadbalancing:*:*:targetgroup/*/*',
  'arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*',
  'arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*',
];

/**
 * The controller project's published policy, statement by statement, as published at
 * `LBC_POLICY_SOURCE` (data, transcribed; the `Sid`s are ours). Kept verbatim so a test can show that
 * our policy keeps every statement and only narrows.
 */
export const LBC_UPSTREAM_STATEMENTS: readonly StatementJson[] = [
  {
    Sid: 'CreateServiceLinkedRole',
    Effect: 'Allow',
    Action: ['iam:CreateServiceLinkedRole'],
    Resource: '*',
    Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
  },
  {
    Sid: 'Describe',
    Effect: 'Allow',
    Action: [
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
      'elasticloadbalancing:DescribeLoadBalancers',
      'elasticloadbalancing:DescribeLoadBalancerAttributes',
      'elasticloadbalancing:DescribeListeners',
      'elasticloadbalancing:DescribeListenerCertificates',
      'elasticloadbalancing:DescribeSSLPolicies',
      'elasticloadbalancing:DescribeRules',
      'elasticloadbalancing:DescribeTargetGroups',
      'elasticloadbalancing:DescribeTargetGroupAttributes',
      'elasticloadbalancing:DescribeTargetHealth',
      'elasticloadbalancing:DescribeTags',
      'elasticloadbalancing:DescribeTrustStores',
      'elasticloadbalancing:DescribeListenerAttributes',
      'elasticloadbalancing:DescribeCapacityReservation',
    ],
    Resource: '*',
  },
  {
    Sid: 'CertificatesWafShield',
    Effect: 'Allow',
    Action: [
      'cognito-idp:DescribeUserPoolClient',
      'acm:ListCertificates',
      'acm:DescribeCertificate',
      'iam:ListServerCertificates',
      'iam:GetServerCertificate',
      'waf-regional:GetWebACL',
      'waf-regional:GetWebACLForResource',
      'waf-regional:AssociateWebACL',
      'waf-regional:DisassociateWebACL',
      'wafv2:GetWebACL',
      'wafv2:GetWebACLForResource',
      'wafv2:AssociateWebACL',
      'wafv2:DisassociateWebACL',
      'shield:GetSubscriptionState',
      'shield:DescribeProtection',
      'shield:CreateProtection',
      'shield:DeleteProtection',
    ],
    Resource: '*',
  },
  {
    Sid: 'SecurityGroupIngress',
    Effect: 'Allow',
    Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
    Resource: '*',
  },
  { Sid: 'CreateSecurityGroup', Effect: 'Allow', Action: ['ec2:CreateSecurityGroup'], Resource: '*' },
  {
    Sid: 'TagSecurityGroupAtCreation',
    Effect: 'Allow',
    Action: ['ec2:CreateTags'],
    Resource: 'arn:aws:ec2:*:*:security-group/*',
    Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' }, Null: { [`aws:RequestTag/${TAG}`]: 'false' } },
  },
  {
    Sid: 'TagOwnSecurityGroups',
    Effect: 'Allow',
    Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
    Resource: 'arn:aws:ec2:*:*:security-group/*',
    Condition: { Null: { [`aws:RequestTag/${TAG}`]: 'true', [`aws:ResourceTag/${TAG}`]: 'false' } },
  },
  {
    Sid: 'ManageOwnSecurityGroups',
    Effect: 'Allow',
    Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress', 'ec2:DeleteSecurityGroup'],
    Resource: '*',
    Condition: { Null: { [`aws:ResourceTag/${TAG}`]: 'false' } },
  },
  {
    Sid: 'CreateLoadBalancersAndTargetGroups',
    Effect: 'Allow',
    Action: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'],
    Resource: '*',
    Condition: { Null: { [`aws:RequestTag/${TAG}`]: 'false' } },
  },
  {
    Sid: 'ListenersAndRules',
    Effect: 'Allow',
    Action: [
      'elasticloadbalancing:CreateListener',
      'elasticloadbalancing:DeleteListener',
      'elasticloadbalancing:CreateRule',
      'elasticloadbalancing:DeleteRule',
    ],
    Resource: '*',
  },
  {
    Sid: 'TagOwnLoadBalancers',
    Effect: 'Allow',
    Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
    Resource: LB_AND_TG,
    Condition: { Null: { [`aws:RequestTag/${TAG}`]: 'true', [`aws:ResourceTag/${TAG}`]: 'false' } },
  },
  {
    Sid: 'TagListenersAndRules',
    Effect: 'Allow',
    Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
    Resource: [
      'arn:aws:elasticloadbalancing:*:*:listener/net/*/*/*',
      'arn:aws:elasticloadbalancing:*:*:listener/app/*/*/*',
      'arn:aws:elasticloadbalancing:*:*:listener-rule/net/*/*/*',
      'arn:aws:elasticloadbalancing:*:*:listener-rule/app/*/*/*',
    ],
  },
  {
    Sid: 'ManageOwnLoadBalancers',
    Effect: 'Allow',
    Action: [
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
    Resource: '*',
    Condition: { Null: { [`aws:ResourceTag/${TAG}`]: 'false' } },
  },
  {
    Sid: 'TagLoadBalancersAtCreation',
    Effect: 'Allow',
    Action: ['elasticloadbalancing:AddTags'],
    Resource: LB_AND_TG,
    Condition: {
      StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'] },
      Null: { [`aws:RequestTag/${TAG}`]: 'false' },
    },
  },
  {
    Sid: 'RegisterTargets',
    Effect: 'Allow',
    Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
    Resource: 'arn:aws:elasticloadbalancing:*:*:targetgroup/*/*',
  },
  {
    Sid: 'ListenersWafCertificates',
    Effect: 'Allow',
    Action: [
      'elasticloadbalancing:SetWebAcl',
      'elasticloadbalancing:ModifyListener',
      'elasticloadbalancing:AddListenerCertificates',
      'elasticloadbalancing:RemoveListenerCertificates',
      'elasticloadbalancing:ModifyRule',
      'elasticloadbalancing:SetRulePriorities',
    ],
    Resource: '*',
  },
];

/** What the controller's policy is derived for. */
export interface LoadBalancerControllerScope {
  /** The cluster name the controller runs with (`--cluster-name`): the value of the tags it puts on what it creates. */
  readonly clusterName: string;
  /** Region of the cluster. */
  readonly region: string;
  /** Account of the cluster. */
  readonly account: string;
  /** ID of the cluster's VPC (the only VPC the controller may create security groups in). */
  readonly vpcId: string;
  /**
   * The tag EKS puts on the cluster security group (`kubernetes.io/cluster/<name>=owned`): the
   * group the controller adds the ALB-to-pod rules to with `target-type: ip`.
   */
  readonly clusterSecurityGroupTag: { readonly key: string; readonly value: string };
}

/** A statement of our policy and the upstream statement (index in `LBC_UPSTREAM_STATEMENTS`) it comes from. */
export interface DerivedStatement extends ControllerStatement {
  /** Index of the upstream statement this one keeps or narrows, or `undefined` for an addition (`added`). */
  readonly upstream?: number;
  /** How and why it is narrower than upstream, when it is. */
  readonly narrowed?: string;
  /** For a statement upstream's policy lacks: the upstream document that requires it for a feature we use. */
  readonly added?: string;
}

const up = (sid: string): number => LBC_UPSTREAM_STATEMENTS.findIndex((s) => s.Sid === sid);
const keep = (sid: string, why: string): DerivedStatement => ({ statement: LBC_UPSTREAM_STATEMENTS[up(sid)], upstream: up(sid), why });

/**
 * The AWS Load Balancer Controller's policy: every statement of the upstream policy of the pinned
 * version, narrowed where the controller's own calls are known to carry what the narrowing
 * requires (each narrowing is simulated in test/contracts/cluster-iam.spec.ts):
 *
 * - "the tag exists" (`Null ...: false`) becomes "the tag names this cluster": the controller tags
 *   everything it creates with `elbv2.k8s.aws/cluster=<cluster name>` (pkg/shared_constants/tag_keys.go,
 *   pkg/networking/backend_sg_provider.go, pkg/deploy/ec2/security_group_manager.go at v3.5.0);
 * - the unconditioned ingress rules on any security group become rules on this cluster's security
 *   group only (`kubernetes.io/cluster/<name>=owned`, the scoping the upstream install guide
 *   recommends): with `target-type: ip` the controller adds the ALB-to-pod rule to the pods' ENI
 *   group, which is the EKS cluster security group on every node (managed groups and Karpenter's);
 * - security groups may be created only in this cluster's VPC, and only with the cluster tag.
 */
export function awsLoadBalancerControllerStatements(scope: LoadBalancerControllerScope): DerivedStatement[] {
  const { clusterName, region, account, vpcId, clusterSecurityGroupTag } = scope;
  const securityGroups = `arn:aws:ec2:${region}:${account}:security-group/*`;
  const resourceTag = { [`aws:ResourceTag/${TAG}`]: clusterName };
  const requestTag = { [`aws:RequestTag/${TAG}`]: clusterName };
  const sameTag = 'Tag-conditioned to this cluster (elbv2.k8s.aws/cluster=<cluster>); the controller tags what it creates with it.';
  return [
    keep('CreateServiceLinkedRole', 'CreateServiceLinkedRole has no resource scoping; conditioned on the ELB service name.'),
    keep('Describe', 'Describe/Get calls support no resource scoping.'),
    keep(
      'CertificatesWafShield',
      'Certificate discovery and WAF/Shield association support no tag scoping; the controller attaches what the Ingress names.',
    ),
    {
      upstream: up('SecurityGroupIngress'),
      narrowed: 'any security group -> the cluster security group only (kubernetes.io/cluster/<name>=owned)',
      why: 'Ingress rules on the EKS cluster security group only (the pods ENI group), selected by the tag EKS puts on it.',
      statement: {
        Sid: 'ClusterSecurityGroupIngress',
        Effect: 'Allow',
        Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
        Resource: securityGroups,
        Condition: { StringEquals: { [`aws:ResourceTag/${clusterSecurityGroupTag.key}`]: clusterSecurityGroupTag.value } },
      },
    },
    {
      upstream: up('CreateSecurityGroup'),
      narrowed: 'any security group in any VPC -> groups tagged with this cluster, in this cluster VPC',
      why: 'New security groups only with this cluster tag at creation.',
      statement: {
        Sid: 'CreateTaggedSecurityGroups',
        Effect: 'Allow',
        Action: ['ec2:CreateSecurityGroup'],
        Resource: securityGroups,
        Condition: { StringEquals: requestTag },
      },
    },
    {
      upstream: up('CreateSecurityGroup'),
      narrowed: 'the VPC side of CreateSecurityGroup: this cluster VPC only',
      why: 'The VPC a new security group is created in: this one.',
      statement: {
        Sid: 'CreateSecurityGroupsInClusterVpc',
        Effect: 'Allow',
        Action: ['ec2:CreateSecurityGroup'],
        Resource: `arn:aws:ec2:${region}:${account}:vpc/${vpcId}`,
      },
    },
    {
      upstream: up('TagSecurityGroupAtCreation'),
      narrowed: 'request tag present -> request tag names this cluster',
      why: 'Tagging at creation only (ec2:CreateAction CreateSecurityGroup) with this cluster tag.',
      statement: {
        Sid: 'TagSecurityGroupAtCreation',
        Effect: 'Allow',
        Action: ['ec2:CreateTags'],
        Resource: 'arn:aws:ec2:*:*:security-group/*',
        Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup', ...requestTag } },
      },
    },
    {
      upstream: up('TagOwnSecurityGroups'),
      narrowed: 'resource tag present -> resource tag names this cluster',
      why: sameTag,
      statement: {
        Sid: 'TagOwnSecurityGroups',
        Effect: 'Allow',
        Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
        Resource: 'arn:aws:ec2:*:*:security-group/*',
        Condition: { StringEquals: resourceTag, Null: { [`aws:RequestTag/${TAG}`]: 'true' } },
      },
    },
    {
      upstream: up('ManageOwnSecurityGroups'),
      narrowed: 'resource tag present -> resource tag names this cluster',
      why: sameTag,
      statement: {
        Sid: 'ManageOwnSecurityGroups',
        Effect: 'Allow',
        Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress', 'ec2:DeleteSecurityGroup'],
        Resource: '*',
        Condition: { StringEquals: resourceTag },
      },
    },
    {
      upstream: up('CreateLoadBalancersAndTargetGroups'),
      narrowed: 'request tag present -> request tag names this cluster',
      why: 'Load balancers and target groups only with this cluster tag at creation.',
      statement: {
        Sid: 'CreateLoadBalancersAndTargetGroups',
        Effect: 'Allow',
        Action: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'],
        Resource: '*',
        Condition: { StringEquals: requestTag },
      },
    },
    keep('ListenersAndRules', 'Listeners and rules of the load balancers the controller owns; upstream gives no tag scoping.'),
    {
      upstream: up('TagOwnLoadBalancers'),
      narrowed: 'resource tag present -> resource tag names this cluster',
      why: sameTag,
      statement: {
        Sid: 'TagOwnLoadBalancers',
        Effect: 'Allow',
        Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
        Resource: LB_AND_TG,
        Condition: { StringEquals: resourceTag, Null: { [`aws:RequestTag/${TAG}`]: 'true' } },
      },
    },
    keep('TagListenersAndRules', 'Tags on listeners and rules (named by their load balancer, unknown before creation).'),
    {
      upstream: up('ManageOwnLoadBalancers'),
      narrowed: 'resource tag present -> resource tag names this cluster',
      why: sameTag,
      statement: {
        Sid: 'ManageOwnLoadBalancers',
        Effect: 'Allow',
        Action: (LBC_UPSTREAM_STATEMENTS[up('ManageOwnLoadBalancers')].Action as readonly string[]).slice(),
        Resource: '*',
        Condition: { StringEquals: resourceTag },
      },
    },
    {
      upstream: up('TagLoadBalancersAtCreation'),
      narrowed: 'request tag present -> request tag names this cluster',
      why: 'Tagging at creation only (CreateLoadBalancer/CreateTargetGroup) with this cluster tag.',
      statement: {
        Sid: 'TagLoadBalancersAtCreation',
        Effect: 'Allow',
        Action: ['elasticloadbalancing:AddTags'],
        Resource: LB_AND_TG,
        Condition: {
          StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'], ...requestTag },
        },
      },
    },
    keep('RegisterTargets', 'Targets of the target groups it manages (named by the controller at creation).'),
    keep(
      'ListenersWafCertificates',
      'Listener, certificate and WAF changes on the load balancers it manages; upstream gives no tag scoping.',
    ),
    {
      // The IngressClassParams attach the REGIONAL WebACL by name (a config-derived name, no ARN in a
      // manifest); the controller resolves the name with wafv2:ListWebACLs, which upstream's policy
      // file does not grant.
      added:
        'kubernetes-sigs/aws-load-balancer-controller@v3.5.0:docs/guide/ingress/annotations.md (wafv2-acl-name: "The controller role must allow access to wafv2:ListWebACLs"); pkg/aws/services/wafv2.go',
      why: 'wafv2:ListWebACLs supports no resource scoping; the controller reads the list to find the WebACL the IngressClassParams name.',
      statement: { Sid: 'FindWebAclByName', Effect: 'Allow', Action: ['wafv2:ListWebACLs'], Resource: '*' },
    },
  ];
}
