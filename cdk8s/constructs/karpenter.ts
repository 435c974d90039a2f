/**
 * Karpenter `NodePool` (karpenter.sh/v1) and `EC2NodeClass` (karpenter.k8s.aws/v1), typed. The
 * published model (@kubernetes-models/karpenter 2.x) is ESM-only and needs Node 22 and the
 * kubernetes-models 5 line, so, as for Kyverno, this file declares the subset the platform writes
 * and `karpenterProblems` checks a document's structure against the CRDs of the pinned Karpenter
 * (aws/karpenter-provider-aws@v1.14.1:pkg/apis/crds/karpenter.sh_nodepools.yaml and
 * karpenter.k8s.aws_ec2nodeclasses.yaml: required fields, enums and patterns of the fields used).
 *
 * `KarpenterNodePools` writes one NodePool and one EC2NodeClass per node pool of config, in the
 * same system/workloads split as the managed node groups.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { commonArchitecture, KUBERNETES_ARCH } from '../../lib/config/instance-types';
import {
  clusterSecurityGroupTag,
  karpenterDiscoveryTag,
  karpenterNodeRoleName,
  NODE_POOL_LABEL,
  NODE_POOLS,
  SYSTEM_POOL_TAINT,
} from '../../lib/config/naming';
import { REQUIRED_TAGS } from '../../lib/config/tag-policy';
import { EnvironmentConfig } from '../../lib/config/types';

/** API version and kind of a NodePool. */
export const NODE_POOL = { apiVersion: 'karpenter.sh/v1', kind: 'NodePool' } as const;
/** API version and kind of an EC2NodeClass. */
export const EC2_NODE_CLASS = { apiVersion: 'karpenter.k8s.aws/v1', kind: 'EC2NodeClass' } as const;

/** A scheduling requirement of the nodes a NodePool launches. */
export interface NodeRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  readonly values?: readonly string[];
}

/** A node taint. */
export interface NodeTaint {
  readonly key: string;
  readonly value?: string;
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** The `spec` of a NodePool (the subset used). */
export interface NodePoolSpec {
  readonly template: {
    readonly metadata: { readonly labels: Readonly<Record<string, string>> };
    readonly spec: {
      readonly nodeClassRef: { readonly group: string; readonly kind: string; readonly name: string };
      readonly requirements: readonly NodeRequirement[];
      readonly taints?: readonly NodeTaint[];
      /** Go duration (`720h`) or `Never`. */
      readonly expireAfter: string;
    };
  };
  readonly disruption: {
    readonly consolidationPolicy: 'WhenEmpty' | 'WhenEmptyOrUnderutilized';
    /** Go duration (`60s`) or `Never`. */
    readonly consolidateAfter: string;
    readonly budgets: readonly { readonly nodes: string }[];
  };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** The `spec` of an EC2NodeClass (the subset used). */
export interface Ec2NodeClassSpec {
  readonly amiSelectorTerms: readonly { readonly alias: string }[];
  readonly role: string;
  readonly subnetSelectorTerms: readonly { readonly tags: Readonly<Record<string, string>> }[];
  readonly securityGroupSelectorTerms: readonly { readonly tags: Readonly<Record<string, string>> }[];
  readonly metadataOptions: {
    readonly httpEndpoint: 'enabled' | 'disabled';
    readonly httpProtocolIPv6: 'enabled' | 'disabled';
    readonly httpPutResponseHopLimit: number;
    readonly httpTokens: 'required' | 'optional';
  };
  readonly blockDeviceMappings: readonly {
    readonly deviceName: string;
    readonly ebs: {
      readonly volumeSize: string;
      readonly volumeType: 'gp3';
      readonly encrypted: boolean;
      readonly deleteOnTermination: boolean;
    };
  }[];
  readonly tags: Readonly<Record<string, string>>;
}

/** Props of `KarpenterNodePools`. */
export interface KarpenterNodePoolsProps {
  /** The environment: node groups (instance types, capacity, disks), autoscaling bounds, zones, tags. */
  readonly config: EnvironmentConfig;
}

/**
 * One NodePool and one EC2NodeClass per node pool of config (`system`, `workloads`): the same
 * labels and taint as the managed node groups (lib/config/naming.ts), the instance types and
 * capacity of the pool's node group, Karpenter's limits and disruption budget from
 * `kubernetes.autoscaling`, AL2023 nodes with IMDSv2 and hop limit 1, encrypted gp3 root volumes,
 * in the private subnets (discovery tag the Network stack sets) with the cluster security group.
 */
export class KarpenterNodePools extends Construct {
  constructor(scope: Construct, id: string, props: KarpenterNodePoolsProps) {
    super(scope, id);
    const { config } = props;
    const subnets = karpenterDiscoveryTag(config.name);
    const securityGroup = clusterSecurityGroupTag(config.name);
    // Instances carry the required tags like every other resource of the environment (the stateful ones excepted).
    const tags = Object.fromEntries(REQUIRED_TAGS.map((rule) => [rule.key, config.tags[rule.key as keyof typeof config.tags]]));

    for (const pool of ['system', 'workloads'] as const) {
      const group = config.kubernetes.nodeGroups[pool];
      const bounds = config.kubernetes.autoscaling.pools[pool];
      const name = NODE_POOLS[pool];
      const arch = commonArchitecture(group.instanceTypes) ?? 'x86_64';
      const nodeClass: Ec2NodeClassSpec = {
        amiSelectorTerms: [{ alias: config.kubernetes.autoscaling.amiAlias }],
        role: karpenterNodeRoleName(config.name),
        subnetSelectorTerms: [{ tags: { [subnets.key]: subnets.value } }],
        securityGroupSelectorTerms: [{ tags: { [securityGroup.key]: securityGroup.value } }],
        metadataOptions: { httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 1, httpTokens: 'required' },
        blockDeviceMappings: [
          {
            deviceName: '/dev/xvda',
            ebs: { volumeSize: `${group.diskSizeGiB}Gi`, volumeType: 'gp3', encrypted: true, deleteOnTermination: true },
          },
        ],
        tags,
      };
      new ApiObject(this, `${pool}-class`, { ...EC2_NODE_CLASS, metadata: { name }, spec: nodeClass });

      const nodePool: NodePoolSpec = {
        template: {
          metadata: { labels: { [NODE_POOL_LABEL]: name } },
          spec: {
            nodeClassRef: { group: 'karpenter.k8s.aws', kind: EC2_NODE_CLASS.kind, name },
            requirements: [
              { key: 'node.kubernetes.io/instance-type', operator: 'In', values: [...group.instanceTypes] },
              // Spot where config allows it, on-demand when spot has no capacity.
              {
                key: 'karpenter.sh/capacity-type',
                operator: 'In',
                values: group.capacity === 'spot' ? ['spot', 'on-demand'] : ['on-demand'],
              },
              { key: 'kubernetes.io/arch', operator: 'In', values: [KUBERNETES_ARCH[arch]] },
              { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
              { key: 'topology.kubernetes.io/zone', operator: 'In', values: [...config.network.availabilityZones] },
            ],
            ...(pool === 'system' ? { taints: [{ ...SYSTEM_POOL_TAINT }] } : {}),
            expireAfter: `${bounds.expireAfterHours}h`,
          },
        },
        disruption: {
          consolidationPolicy: 'WhenEmptyOrUnderutilized',
          consolidateAfter: `${bounds.consolidateAfterSeconds}s`,
          budgets: [{ nodes: `${bounds.disruptionBudgetPercent}%` }],
        },
        limits: { cpu: String(bounds.cpuLimit), memory: `${bounds.memoryLimitGiB}Gi` },
      };
      new ApiObject(this, `${pool}-pool`, { ...NODE_POOL, metadata: { name }, spec: nodePool });
    }
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(\/))?([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DURATION = /^(([0-9]+(s|m|h))+|Never)$/;
const BUDGET_NODES = /^((100|[0-9]{1,2})%|[0-9]+)$/;
const VOLUME_SIZE = /^[1-9][0-9]{0,4}Gi$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti)?$/;
const ALIAS = /^(al2|al2023|bottlerocket|windows2019|windows2022|windows2025)@(latest|v\d+(\.\d+)*)$/;
const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt', 'Gte', 'Lte'];
const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const RESTRICTED_LABEL_DOMAINS = ['karpenter.sh', 'karpenter.k8s.aws'];
const RESTRICTED_TAGS = [
  'eks:eks-cluster-name',
  'kubernetes.io/cluster/',
  'karpenter.sh/nodepool',
  'karpenter.sh/nodeclaim',
  'karpenter.k8s.aws/ec2nodeclass',
];

/** Problems of a selector term list (`subnetSelectorTerms`, `securityGroupSelectorTerms`). */
function selectorProblems(terms: unknown, where: string): string[] {
  if (!Array.isArray(terms) || terms.length === 0) return [`${where} is not a non-empty list`];
  return terms.flatMap((term, i) =>
    isObj(term) &&
    isObj(term.tags) &&
    Object.keys(term.tags).length > 0 &&
    Object.entries(term.tags).every(([k, v]) => k !== '' && v !== '')
      ? []
      : [`${where}[${i}].tags is not a map of non-empty tags`],
  );
}

/** Structural problems of a NodePool or EC2NodeClass document against the pinned CRDs (empty when well formed). */
export function karpenterProblems(doc: unknown): string[] {
  if (!isObj(doc)) return ['not an object'];
  const kind = `${String(doc.apiVersion)}/${String(doc.kind)}`;
  const name = isObj(doc.metadata) ? doc.metadata.name : undefined;
  const at = `${String(doc.kind)} ${String(name)}`;
  const problems: string[] = [];
  if (typeof name !== 'string' || !NAME.test(name)) problems.push(`${at}: metadata.name is not a DNS label`);
  const spec = isObj(doc.spec) ? doc.spec : undefined;
  if (!spec) return [...problems, `${at}: spec is not an object`];

  if (kind === `${NODE_POOL.apiVersion}/${NODE_POOL.kind}`) {
    const template = isObj(spec.template) ? spec.template : {};
    const labels = isObj(template.metadata) && isObj(template.metadata.labels) ? template.metadata.labels : {};
    for (const [key, value] of Object.entries(labels)) {
      if (!LABEL_KEY.test(key) || RESTRICTED_LABEL_DOMAINS.some((d) => key.split('/')[0] === d))
        problems.push(`${at}: label ${key} is not allowed`);
      if (typeof value !== 'string' || !LABEL_VALUE.test(value)) problems.push(`${at}: label ${key} has an invalid value`);
    }
    const ts = isObj(template.spec) ? template.spec : undefined;
    if (!ts) return [...problems, `${at}: spec.template.spec is not an object`];
    const ref = isObj(ts.nodeClassRef) ? ts.nodeClassRef : {};
    if (!['group', 'kind', 'name'].every((k) => typeof ref[k] === 'string' && ref[k] !== '')) {
      problems.push(`${at}: spec.template.spec.nodeClassRef needs group, kind and name`);
    }
    if (!Array.isArray(ts.requirements) || ts.requirements.length > 100)
      problems.push(`${at}: spec.template.spec.requirements is not a list of at most 100`);
    (Array.isArray(ts.requirements) ? ts.requirements : []).forEach((r: unknown, i: number) => {
      const w = `${at}: spec.template.spec.requirements[${i}]`;
      if (!isObj(r) || typeof r.key !== 'string' || !LABEL_KEY.test(r.key)) return problems.push(`${w}.key is not a label key`);
      if (!OPERATORS.includes(r.operator as string)) problems.push(`${w}.operator is not one of ${OPERATORS.join(', ')}`);
      const values = Array.isArray(r.values) ? r.values : [];
      if (r.operator === 'In' && values.length === 0) problems.push(`${w}: operator In needs values`);
      if (!values.every((v: unknown) => typeof v === 'string' && LABEL_VALUE.test(v))) problems.push(`${w}.values are not label values`);
      return undefined;
    });
    (Array.isArray(ts.taints) ? ts.taints : []).forEach((t: unknown, i: number) => {
      if (!isObj(t) || typeof t.key !== 'string' || !LABEL_KEY.test(t.key) || !EFFECTS.includes(t.effect as string)) {
        problems.push(`${at}: spec.template.spec.taints[${i}] needs a key and an effect of ${EFFECTS.join(', ')}`);
      }
    });
    if (ts.expireAfter !== undefined && !(typeof ts.expireAfter === 'string' && DURATION.test(ts.expireAfter))) {
      problems.push(`${at}: spec.template.spec.expireAfter is not a duration`);
    }
    const disruption = isObj(spec.disruption) ? spec.disruption : undefined;
    if (disruption) {
      if (typeof disruption.consolidateAfter !== 'string' || !DURATION.test(disruption.consolidateAfter)) {
        problems.push(`${at}: spec.disruption.consolidateAfter is not a duration`);
      }
      if (!['WhenEmpty', 'WhenEmptyOrUnderutilized', 'Balanced'].includes(disruption.consolidationPolicy as string)) {
        problems.push(`${at}: spec.disruption.consolidationPolicy is not WhenEmpty, WhenEmptyOrUnderutilized or Balanced`);
      }
      const budgets = Array.isArray(disruption.budgets) ? disruption.budgets : [];
      if (!budgets.every((b: unknown) => isObj(b) && typeof b.nodes === 'string' && BUDGET_NODES.test(b.nodes))) {
        problems.push(`${at}: spec.disruption.budgets[].nodes is not a count or a percentage`);
      }
    }
    const limits = isObj(spec.limits) ? spec.limits : {};
    for (const [key, value] of Object.entries(limits)) {
      if (typeof value !== 'string' || !QUANTITY.test(value)) problems.push(`${at}: spec.limits.${key} is not a quantity`);
    }
    return problems;
  }

  if (kind === `${EC2_NODE_CLASS.apiVersion}/${EC2_NODE_CLASS.kind}`) {
    const amis = Array.isArray(spec.amiSelectorTerms) ? spec.amiSelectorTerms : [];
    if (amis.length === 0 || !amis.every((t: unknown) => isObj(t) && typeof t.alias === 'string' && ALIAS.test(t.alias))) {
      problems.push(`${at}: spec.amiSelectorTerms needs an alias such as al2023@latest`);
    }
    if ((typeof spec.role === 'string' && spec.role !== '') === (spec.instanceProfile !== undefined)) {
      problems.push(`${at}: spec needs exactly one of role, instanceProfile`);
    }
    problems.push(...selectorProblems(spec.subnetSelectorTerms, `${at}: spec.subnetSelectorTerms`));
    problems.push(...selectorProblems(spec.securityGroupSelectorTerms, `${at}: spec.securityGroupSelectorTerms`));
    const md = isObj(spec.metadataOptions) ? spec.metadataOptions : {};
    const hops = md.httpPutResponseHopLimit;
    if (typeof hops !== 'number' || !Number.isInteger(hops) || hops < 1 || hops > 64)
      problems.push(`${at}: spec.metadataOptions.httpPutResponseHopLimit is not 1..64`);
    if (!['required', 'optional'].includes(md.httpTokens as string))
      problems.push(`${at}: spec.metadataOptions.httpTokens is not required or optional`);
    const devices = Array.isArray(spec.blockDeviceMappings) ? spec.blockDeviceMappings : [];
    devices.forEach((d: unknown, i: number) => {
      const ebs = isObj(d) && isObj(d.ebs) ? d.ebs : {};
      if (typeof ebs.volumeSize !== 'string' || !VOLUME_SIZE.test(ebs.volumeSize))
        problems.push(`${at}: spec.blockDeviceMappings[${i}].ebs.volumeSize is not a size in Gi`);
      if (!['standard', 'io1', 'io2', 'gp2', 'sc1', 'st1', 'gp3'].includes(ebs.volumeType as string)) {
        problems.push(`${at}: spec.blockDeviceMappings[${i}].ebs.volumeType is not an EBS volume type`);
      }
    });
    const tags = isObj(spec.tags) ? spec.tags : {};
    for (const key of Object.keys(tags)) {
      if (key === '' || RESTRICTED_TAGS.some((r) => (r.endsWith('/') ? key.startsWith(r) : key === r)))
        problems.push(`${at}: spec.tags.${key} is restricted`);
    }
    return problems;
  }
  return [`${kind}: not a karpenter.sh/v1 NodePool or karpenter.k8s.aws/v1 EC2NodeClass`];
}
