/**
 * The address plan of an environment's VPC, derived from `network.vpcCidr` and the zones: which
 * CIDR each subnet tier gets in each zone. The Network stack builds its subnets from these masks,
 * and the Kubernetes side writes NetworkPolicy address blocks from these CIDRs (the RDS Proxy and
 * the interface endpoints live in the private subnets, the databases in the isolated ones), so a
 * policy names exactly the subnets a peer lives in, never the whole VPC.
 *
 * The allocation is the one aws-cdk-lib's `ec2.Vpc` performs for a `cidr` address plan
 * (`NetworkBuilder` in aws-ec2/lib/network-util): tiers in order, zones in order, each block the
 * next free one aligned to its own size. `test/contracts/workload-aws.spec.ts` compares this plan with
 * the subnets of every synthesized Network template.
 */
import { formatAddress, parseCidr } from './cidr';

/** The three tiers, in the order the VPC allocates them. */
export const SUBNET_TIERS = ['public', 'private', 'isolated'] as const;

/** A subnet tier: `public` (load balancers, NAT), `private` (nodes, pods, proxy, endpoints), `isolated` (databases). */
export type SubnetTier = (typeof SUBNET_TIERS)[number];

/** Prefix length of each tier's subnets, from the VPC's prefix: private subnets get an eighth each, the others a sixty-fourth. */
export function subnetMasks(vpcCidr: string): Readonly<Record<SubnetTier, number>> {
  const prefix = Number(vpcCidr.split('/')[1]);
  return { public: prefix + 6, private: prefix + 3, isolated: prefix + 6 };
}

/** The subnet CIDRs of each tier, one per zone, in zone order. */
export function subnetCidrs(network: {
  readonly vpcCidr: string;
  readonly availabilityZones: readonly string[];
}): Readonly<Record<SubnetTier, readonly string[]>> {
  const parsed = parseCidr(network.vpcCidr);
  if (!parsed.ok) throw new Error(`network.vpcCidr: ${JSON.stringify(network.vpcCidr)} ${parsed.reason}`);
  const masks = subnetMasks(network.vpcCidr);
  const end = parsed.cidr.network + 2 ** (32 - parsed.cidr.prefix);
  let next = parsed.cidr.network;
  const plan = {} as Record<SubnetTier, string[]>;
  for (const tier of SUBNET_TIERS) {
    const size = 2 ** (32 - masks[tier]);
    plan[tier] = network.availabilityZones.map(() => {
      const start = Math.ceil(next / size) * size;
      if (start + size > end) throw new Error(`network.vpcCidr: ${network.vpcCidr} has no room for the ${tier} subnets of every zone`);
      next = start + size;
      return `${formatAddress(start)}/${masks[tier]}`;
    });
  }
  return plan;
}
