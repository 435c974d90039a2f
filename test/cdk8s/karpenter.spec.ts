import { Chart, Testing } from 'cdk8s';
import { EC2_NODE_CLASS, KarpenterNodePools, NODE_POOL, karpenterProblems } from '../../cdk8s/constructs/karpenter';
import { KubeDocument } from '../../cdk8s/policies';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { KUBERNETES_ARCH, instanceArchitecture } from '../../lib/config/instance-types';
import {
  NODE_POOL_LABEL,
  SYSTEM_POOL_TAINT,
  clusterSecurityGroupTag,
  karpenterDiscoveryTag,
  karpenterNodeRoleName,
} from '../../lib/config/naming';
import { EnvironmentConfig } from '../../lib/config/types';
import { withValue } from '../helpers';

const synth = (config: EnvironmentConfig): KubeDocument[] => {
  const chart = new Chart(Testing.app(), 'test');
  new KarpenterNodePools(chart, 'NodePools', { config });
  return Testing.synth(chart);
};
const find = (docs: KubeDocument[], kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name)!;
const POOLS = ENVIRONMENTS.flatMap((c) =>
  (['system', 'workloads'] as const).map((p) => [c.name, p, c] as [string, 'system' | 'workloads', EnvironmentConfig]),
);

describe('Karpenter node pools (finding 7)', () => {
  test.each(POOLS)(
    '%s/%s: the NodePool matches the node group split: label, taint, instance types, capacity, architecture, zones',
    (_n, pool, config) => {
      const group = config.kubernetes.nodeGroups[pool];
      const spec = find(synth(config), NODE_POOL.kind, pool).spec;
      expect(spec.template.metadata.labels).toEqual({ [NODE_POOL_LABEL]: pool });
      // the system pool keeps add-ons only, like the managed system group
      expect(spec.template.spec.taints).toEqual(pool === 'system' ? [SYSTEM_POOL_TAINT] : undefined);
      const requirement = (key: string) => spec.template.spec.requirements.find((r: KubeDocument) => r.key === key).values;
      expect(requirement('node.kubernetes.io/instance-type')).toEqual(group.instanceTypes);
      expect(requirement('karpenter.sh/capacity-type')).toEqual(group.capacity === 'spot' ? ['spot', 'on-demand'] : ['on-demand']);
      expect(requirement('kubernetes.io/arch')).toEqual([KUBERNETES_ARCH[instanceArchitecture(group.instanceTypes[0])]]);
      expect(requirement('topology.kubernetes.io/zone')).toEqual(config.network.availabilityZones);
      expect(spec.template.spec.nodeClassRef).toEqual({ group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: pool });
    },
  );

  test.each(POOLS)('%s/%s: limits, disruption budget, consolidation and expiry come from config', (_n, pool, config) => {
    const bounds = config.kubernetes.autoscaling.pools[pool];
    const spec = find(synth(config), NODE_POOL.kind, pool).spec;
    expect(spec.limits).toEqual({ cpu: String(bounds.cpuLimit), memory: `${bounds.memoryLimitGiB}Gi` });
    expect(spec.disruption).toEqual({
      consolidationPolicy: 'WhenEmptyOrUnderutilized',
      consolidateAfter: `${bounds.consolidateAfterSeconds}s`,
      budgets: [{ nodes: `${bounds.disruptionBudgetPercent}%` }],
    });
    expect(spec.template.spec.expireAfter).toBe(`${bounds.expireAfterHours}h`);
  });

  test.each(POOLS)(
    '%s/%s: the EC2NodeClass: AL2023, IMDSv2 with hop limit 1, encrypted gp3, the names CDK tags and creates',
    (name, pool, config) => {
      const spec = find(synth(config), EC2_NODE_CLASS.kind, pool).spec;
      expect(spec.amiSelectorTerms).toEqual([{ alias: config.kubernetes.autoscaling.amiAlias }]);
      expect(spec.amiSelectorTerms[0].alias).toMatch(/^al2023@/);
      expect(spec.metadataOptions).toEqual({
        httpEndpoint: 'enabled',
        httpProtocolIPv6: 'disabled',
        httpPutResponseHopLimit: 1,
        httpTokens: 'required',
      });
      expect(spec.blockDeviceMappings).toEqual([
        {
          deviceName: '/dev/xvda',
          ebs: {
            volumeSize: `${config.kubernetes.nodeGroups[pool].diskSizeGiB}Gi`,
            volumeType: 'gp3',
            encrypted: true,
            deleteOnTermination: true,
          },
        },
      ]);
      // the same functions the CDK side uses (test/contracts checks the templates carry them)
      expect(spec.role).toBe(karpenterNodeRoleName(name));
      const subnets = karpenterDiscoveryTag(name);
      const sg = clusterSecurityGroupTag(name);
      expect(spec.subnetSelectorTerms).toEqual([{ tags: { [subnets.key]: subnets.value } }]);
      expect(spec.securityGroupSelectorTerms).toEqual([{ tags: { [sg.key]: sg.value } }]);
      expect(spec.tags).toEqual({
        Environment: name,
        Application: config.tags.Application,
        Owner: config.tags.Owner,
        CostCenter: config.tags.CostCenter,
      });
    },
  );

  test('x86 node groups get amd64 nodes', () => {
    const config = withValue(ENVIRONMENTS[0], 'kubernetes.nodeGroups.workloads.instanceTypes', ['m7i.large', 'm6i.large']);
    const spec = find(synth(config), NODE_POOL.kind, 'workloads').spec;
    expect(spec.template.spec.requirements.find((r: KubeDocument) => r.key === 'kubernetes.io/arch').values).toEqual(['amd64']);
  });
});

describe('karpenterProblems (structural check against the pinned CRDs)', () => {
  const docs = synth(ENVIRONMENTS[2]);
  const pool = () => JSON.parse(JSON.stringify(find(docs, NODE_POOL.kind, 'workloads')));
  const nodeClass = () => JSON.parse(JSON.stringify(find(docs, EC2_NODE_CLASS.kind, 'workloads')));

  test('the documents written are well formed', () => {
    expect(docs.flatMap(karpenterProblems)).toEqual([]);
  });

  test.each<[string, (d: KubeDocument) => void, string]>([
    [
      'a restricted label',
      (d) => (d.spec.template.metadata.labels['karpenter.sh/capacity'] = 'x'),
      'NodePool workloads: label karpenter.sh/capacity is not allowed',
    ],
    [
      'no node class',
      (d) => delete d.spec.template.spec.nodeClassRef,
      'NodePool workloads: spec.template.spec.nodeClassRef needs group, kind and name',
    ],
    [
      'In without values',
      (d) => (d.spec.template.spec.requirements[0].values = []),
      'NodePool workloads: spec.template.spec.requirements[0]: operator In needs values',
    ],
    [
      'an unknown operator',
      (d) => (d.spec.template.spec.requirements[0].operator = 'Is'),
      'NodePool workloads: spec.template.spec.requirements[0].operator is not one of In, NotIn, Exists, DoesNotExist, Gt, Lt, Gte, Lte',
    ],
    [
      'a bad expiry',
      (d) => (d.spec.template.spec.expireAfter = '30 days'),
      'NodePool workloads: spec.template.spec.expireAfter is not a duration',
    ],
    [
      'a bad budget',
      (d) => (d.spec.disruption.budgets = [{ nodes: '150%' }]),
      'NodePool workloads: spec.disruption.budgets[].nodes is not a count or a percentage',
    ],
    ['a bad limit', (d) => (d.spec.limits.memory = 'lots'), 'NodePool workloads: spec.limits.memory is not a quantity'],
    [
      'a taint without effect',
      (d) => (d.spec.template.spec.taints = [{ key: 'a' }]),
      'NodePool workloads: spec.template.spec.taints[0] needs a key and an effect of NoSchedule, PreferNoSchedule, NoExecute',
    ],
  ])('a NodePool with %s is reported', (_what, breakIt, message) => {
    const d = pool();
    breakIt(d);
    expect(karpenterProblems(d)).toContain(message);
  });

  test.each<[string, (d: KubeDocument) => void, string]>([
    [
      'no AMI alias',
      (d) => (d.spec.amiSelectorTerms = [{ alias: 'al2023' }]),
      'EC2NodeClass workloads: spec.amiSelectorTerms needs an alias such as al2023@latest',
    ],
    [
      'both role and instance profile',
      (d) => (d.spec.instanceProfile = 'x'),
      'EC2NodeClass workloads: spec needs exactly one of role, instanceProfile',
    ],
    [
      'no subnet selector',
      (d) => (d.spec.subnetSelectorTerms = []),
      'EC2NodeClass workloads: spec.subnetSelectorTerms is not a non-empty list',
    ],
    [
      'an empty tag selector',
      (d) => (d.spec.securityGroupSelectorTerms = [{ tags: {} }]),
      'EC2NodeClass workloads: spec.securityGroupSelectorTerms[0].tags is not a map of non-empty tags',
    ],
    [
      'a hop limit of 0',
      (d) => (d.spec.metadataOptions.httpPutResponseHopLimit = 0),
      'EC2NodeClass workloads: spec.metadataOptions.httpPutResponseHopLimit is not 1..64',
    ],
    [
      'a volume size in GB',
      (d) => (d.spec.blockDeviceMappings[0].ebs.volumeSize = '50GB'),
      'EC2NodeClass workloads: spec.blockDeviceMappings[0].ebs.volumeSize is not a size in Gi',
    ],
    [
      'a restricted tag',
      (d) => (d.spec.tags['kubernetes.io/cluster/x'] = 'owned'),
      'EC2NodeClass workloads: spec.tags.kubernetes.io/cluster/x is restricted',
    ],
  ])('an EC2NodeClass with %s is reported', (_what, breakIt, message) => {
    const d = nodeClass();
    breakIt(d);
    expect(karpenterProblems(d)).toContain(message);
  });

  test('other kinds and shapes are refused', () => {
    expect(karpenterProblems('x')).toEqual(['not an object']);
    expect(karpenterProblems({ apiVersion: 'karpenter.sh/v1beta1', kind: 'NodePool', metadata: { name: 'a' }, spec: {} })).toEqual([
      'karpenter.sh/v1beta1/NodePool: not a karpenter.sh/v1 NodePool or karpenter.k8s.aws/v1 EC2NodeClass',
    ]);
    expect(karpenterProblems({ ...pool(), spec: undefined, metadata: { name: 'Bad_Name' } })).toEqual([
      'NodePool Bad_Name: metadata.name is not a DNS label',
      'NodePool Bad_Name: spec is not an object',
    ]);
  });
});
