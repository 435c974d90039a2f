import { RemovalPolicy, Tags, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Props of `PlatformNetwork`. */
export interface PlatformNetworkProps {
  /** IPv4 CIDR of the VPC (/16 to /20). */
  readonly cidr: string;
  /** Availability zones to create subnets in; two or more, all in the stack's region. */
  readonly availabilityZones: readonly string[];
  /** NAT gateways, 1..number of zones. One per zone removes the single point of failure for egress. */
  readonly natGateways: number;
  /**
   * Prefix length of the subnets of each tier (the address plan: one subnet per tier and zone,
   * allocated in the order public, private, isolated).
   */
  readonly subnetCidrMasks: { readonly public: number; readonly private: number; readonly isolated: number };
  /** Retention of the VPC flow log group. */
  readonly flowLogRetention: logs.RetentionDays;
  /**
   * What happens to the flow log group when it leaves the template.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Interface endpoints to create in the private subnets; each keeps its service's traffic off the NAT.
   * @default - none (the S3 gateway endpoint is always created)
   */
  readonly interfaceEndpoints?: readonly ec2.InterfaceVpcEndpointAwsService[];
  /**
   * The VPC's `Name` tag, which controllers that cannot read instance metadata find the VPC by.
   * Changing it is an in-place tag update, never a replacement.
   * @default - the construct path
   */
  readonly vpcName?: string;
  /**
   * Tags for the private subnets only (e.g. the node autoscaler's discovery tag).
   * @default - none
   */
  readonly privateSubnetTags?: Readonly<Record<string, string>>;
}

/**
 * A three-tier VPC: public subnets (load balancers, NAT), private subnets with egress (nodes, pods)
 * and isolated subnets (databases), in every zone, with flow logs and VPC endpoints.
 *
 * Subnet sizes come from the caller's address plan (the platform gives private subnets an eighth
 * of the range each, because the VPC CNI gives every pod a VPC address).
 */
export class PlatformNetwork extends Construct {
  /** The VPC. */
  public readonly vpc: ec2.IVpc;
  /** The flow log group (ALL traffic, accepted and rejected). */
  public readonly flowLogGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: PlatformNetworkProps) {
    super(scope, id);
    const prefix = Number(props.cidr.split('/')[1]);
    if (!Token.isUnresolved(props.cidr) && !(prefix >= 16 && prefix <= 20)) {
      throw new Error(`${this.node.path}: cidr "${props.cidr}" must have a prefix of /16../20 to fit three subnet tiers in every zone`);
    }
    if (props.availabilityZones.length < 2) {
      throw new Error(`${this.node.path}: availabilityZones has ${props.availabilityZones.length}; use at least 2`);
    }
    if (props.natGateways < 1 || props.natGateways > props.availabilityZones.length) {
      throw new Error(`${this.node.path}: natGateways ${props.natGateways} is out of range; use 1..${props.availabilityZones.length}`);
    }

    const vpc = new ec2.Vpc(this, 'Resource', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      vpcName: props.vpcName,
      availabilityZones: [...props.availabilityZones],
      natGateways: props.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: props.subnetCidrMasks.public, mapPublicIpOnLaunch: false },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: props.subnetCidrMasks.private },
        { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: props.subnetCidrMasks.isolated },
      ],
      restrictDefaultSecurityGroup: true,
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    vpc.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
    Validations.of(vpc).acknowledge({
      id: 'CloudFormation-Validate::W3010',
      reason:
        'Zones come from config on purpose: synth stays offline (no AZ lookup) and subnets never move when AWS adds a zone. Zone IDs differ per account, so config names them explicitly.',
    });
    this.vpc = vpc;
    for (const subnet of vpc.privateSubnets) {
      for (const [key, value] of Object.entries(props.privateSubnetTags ?? {})) {
        Tags.of(subnet).add(key, value, { includeResourceTypes: ['AWS::EC2::Subnet'] });
      }
    }

    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.flowLogGroup = flowLogGroup;
    vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    for (const service of props.interfaceEndpoints ?? []) {
      const endpoint = vpc.addInterfaceEndpoint(endpointId(service), {
        service,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        privateDnsEnabled: true,
        // Ingress is added below from the literal CIDR, so reviewers (and cdk-nag) see exactly who may connect.
        open: false,
      });
      endpoint.connections.allowFrom(ec2.Peer.ipv4(props.cidr), ec2.Port.tcp(443), 'HTTPS from inside the VPC');
    }
  }
}

/** `ecr.api` -> `EcrApiEndpoint`: stable IDs, so adding an endpoint never renames another. */
function endpointId(service: ec2.InterfaceVpcEndpointAwsService): string {
  return (
    service.shortName
      .split(/[.-]/)
      .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
      .join('') + 'Endpoint'
  );
}
