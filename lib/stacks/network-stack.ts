import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { subnetMasks } from '../config/network-layout';
import { karpenterDiscoveryTag, vpcName } from '../config/naming';
import { InterfaceEndpointName } from '../config/types';
import { PlatformNetwork } from '../constructs/network';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/** Props of `NetworkStack`. */
export type NetworkStackProps = Omit<PlatformStackProps, 'stateful'>;

const ENDPOINTS: Record<InterfaceEndpointName, ec2.InterfaceVpcEndpointAwsService> = {
  'ecr.api': ec2.InterfaceVpcEndpointAwsService.ECR,
  'ecr.dkr': ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  sts: ec2.InterfaceVpcEndpointAwsService.STS,
  secretsmanager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
  kms: ec2.InterfaceVpcEndpointAwsService.KMS,
  monitoring: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
  elasticloadbalancing: ec2.InterfaceVpcEndpointAwsService.ELASTIC_LOAD_BALANCING,
  sqs: ec2.InterfaceVpcEndpointAwsService.SQS,
  sns: ec2.InterfaceVpcEndpointAwsService.SNS,
};

/** The environment's VPC (stateful: every other stack lives in it). */
export class NetworkStack extends PlatformStack {
  /** The VPC, for the Data, Cluster and Edge stacks. */
  public readonly vpc: ec2.IVpc;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, { ...props, stateful: true, description: `${props.config.name}: VPC, subnets, NAT, flow logs, endpoints` });
    const { network, stateful } = this.config;
    const discovery = karpenterDiscoveryTag(this.config.name);
    const networkConstruct = new PlatformNetwork(this, 'Network', {
      cidr: network.vpcCidr,
      availabilityZones: network.availabilityZones,
      subnetCidrMasks: subnetMasks(network.vpcCidr),
      natGateways: network.natGateways,
      flowLogRetention: network.flowLogRetentionDays,
      removalPolicy: stateful.removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      interfaceEndpoints: network.interfaceEndpoints.map((name) => ENDPOINTS[name]),
      // Names the cluster's controllers find the network by (lib/config/naming.ts): tags, updated in place.
      vpcName: vpcName(this.config.name),
      privateSubnetTags: { [discovery.key]: discovery.value },
    });
    this.vpc = networkConstruct.vpc;
  }
}
