/**
 * Where a service's pods may connect outside the cluster, derived from what the catalog entry uses
 * (never listed by hand): the Pod Identity agent wherever CDK gives the service account a role, the
 * RDS Proxy and the read replica for a database user, and the API endpoint of every platform resource
 * it uses. Addresses come from the environment's address plan (`lib/config/network-layout.ts`): the
 * proxy and the interface endpoints live in the private subnets, the replica in the isolated ones.
 */
import { subnetCidrs } from '../lib/config/network-layout';
import {
  AwsEndpointKind,
  DATABASE_PORT,
  PLATFORM_RESOURCES,
  POD_IDENTITY_AGENT,
  PlatformResource,
  needsAwsIdentity,
} from '../lib/config/platform-resources';
import { ServiceSpec } from '../lib/config/service-catalog';
import { EnvironmentConfig } from '../lib/config/types';

/** Link-local addresses (instance metadata, the Pod Identity agent...): never reachable through a public-range rule. */
const LINK_LOCAL = '169.254.0.0/16';
const HTTPS = 443;

/** One destination a service's pods may reach: address blocks and TCP ports, and why. */
export interface EgressTarget {
  /** What is there, e.g. `RDS Proxy`; for reviewers and tests. */
  readonly purpose: string;
  /** Address blocks (one NetworkPolicy ipBlock each). */
  readonly cidrs: readonly string[];
  /** Blocks carved out of each of `cidrs`. @default - none */
  readonly except?: readonly string[];
  /** TCP ports. */
  readonly ports: readonly number[];
}

/** The part of the environment config the egress derives from. */
export type EgressEnvironment = Pick<EnvironmentConfig, 'network' | 'database'>;

/**
 * The egress of a service's pods to things outside the cluster (DNS and peers are added by the
 * Microservice itself). `resources` is the platform's resource table (a parameter for tests).
 */
export function awsEgress(
  service: ServiceSpec,
  environment: EgressEnvironment,
  resources: Readonly<Record<string, PlatformResource>> = PLATFORM_RESOURCES,
): EgressTarget[] {
  const plan = subnetCidrs(environment.network);
  const targets: EgressTarget[] = [];
  if (needsAwsIdentity(service)) targets.push(podIdentityAgentEgress());
  if (service.database) {
    targets.push({ purpose: 'RDS Proxy (private subnets)', cidrs: plan.private, ports: [DATABASE_PORT] });
    if (environment.database.readReplica) {
      targets.push({ purpose: 'database read replica (isolated subnets)', cidrs: plan.isolated, ports: [DATABASE_PORT] });
    }
  }
  const apis = new Set<string>();
  for (const name of service.aws ?? []) {
    const endpoint = resources[name].endpoint;
    if (apis.has(endpoint.service)) continue;
    apis.add(endpoint.service);
    targets.push(awsApiEgress(endpoint, environment));
  }
  return targets;
}

/** The EKS Pod Identity agent on the pod's node, where the AWS SDK gets the pod role's credentials. */
export function podIdentityAgentEgress(): EgressTarget {
  return {
    purpose: 'EKS Pod Identity agent (credentials of the pod role)',
    cidrs: [POD_IDENTITY_AGENT.cidr],
    ports: [POD_IDENTITY_AGENT.port],
  };
}

/**
 * The API of an AWS service, HTTPS: the interface endpoint's private subnets where the environment
 * has one (`network.interfaceEndpoints`), else the public address ranges (through the NAT, or a
 * gateway endpoint's routes).
 */
export function awsApiEgress(endpoint: AwsEndpointKind, environment: Pick<EnvironmentConfig, 'network'>): EgressTarget {
  if (endpoint.kind === 'interface' && (environment.network.interfaceEndpoints as readonly string[]).includes(endpoint.service)) {
    return {
      purpose: `${endpoint.service} API (interface endpoint, private subnets)`,
      cidrs: subnetCidrs(environment.network).private,
      ports: [HTTPS],
    };
  }
  // A gateway endpoint routes to the service's public ranges (a prefix list, which a NetworkPolicy
  // cannot name); without an interface endpoint the API is reached through the NAT. Either way
  // the addresses are public: everything but the VPC and link-local, HTTPS only.
  const via = endpoint.kind === 'gateway' ? 'gateway endpoint' : 'NAT, no interface endpoint in this environment';
  return {
    purpose: `${endpoint.service} API (${via}, public address ranges)`,
    cidrs: ['0.0.0.0/0'],
    except: [environment.network.vpcCidr, LINK_LOCAL],
    ports: [HTTPS],
  };
}
