import { Tags, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeAwsCustomResourceProvider } from './provider-framework';

/** One security group: who it admits, and the name the ALB's controller finds it by. */
export interface AlbSecurityGroupSpec {
  /** Value of the group's `Name` tag, e.g. `saas-platform-prod-alb-cloudfront` (never `sg-...`). */
  readonly name: string;
  /** Name of the AWS-managed prefix list admitted, e.g. `com.amazonaws.global.cloudfront.origin-facing`. */
  readonly prefixListName: string;
  /** Maximum entries of that list: what its rule counts against `rulesQuota`. */
  readonly weight: number;
  /** Rule description. */
  readonly description: string;
}

/** Props of `AlbSecurityGroups`. */
export interface AlbSecurityGroupsProps {
  /** The VPC of the cluster (the controller resolves names inside it only). */
  readonly vpc: ec2.IVpc;
  /** The groups, one prefix list each. */
  readonly groups: readonly AlbSecurityGroupSpec[];
  /** TCP port admitted (the ALB's listener). */
  readonly port: number;
  /** Rules one group may hold (a prefix list counts its weight). */
  readonly rulesQuota: number;
}

/**
 * Security groups for an ALB that a controller creates (and CDK never sees): each admits one
 * AWS-managed prefix list on one port, and carries the `Name` tag the controller resolves it by.
 *
 * A managed prefix list's ID differs per Region and account partition, and synth must stay
 * offline (no lookups), so each ID is read at deploy time: a custom resource calls
 * `ec2:DescribeManagedPrefixLists` filtered by the list's name (the only permission it has), and
 * the ingress rule references the ID it returns. No outbound rule: the controller's shared backend
 * security group (`manage-backend-security-group-rules`) carries the ALB's traffic to the pods.
 */
export class AlbSecurityGroups extends Construct {
  /** The groups, by name. */
  public readonly securityGroups: Readonly<Record<string, ec2.ISecurityGroup>>;

  constructor(scope: Construct, id: string, props: AlbSecurityGroupsProps) {
    super(scope, id);
    const groups: Record<string, ec2.ISecurityGroup> = {};
    for (const spec of props.groups) {
      if (!Token.isUnresolved(spec.name) && spec.name.startsWith('sg-')) {
        throw new Error(`${this.node.path}: name "${spec.name}" is not allowed; a name starting with sg- is taken for a group ID`);
      }
      if (spec.weight > props.rulesQuota) {
        throw new Error(
          `${this.node.path}: ${spec.prefixListName} counts ${spec.weight} rules, above the quota of ${props.rulesQuota} rules per security group`,
        );
      }
      const lookup = new cr.AwsCustomResource(this, `${spec.name}-PrefixList`, {
        onUpdate: {
          service: 'EC2',
          action: 'describeManagedPrefixLists',
          parameters: { Filters: [{ Name: 'prefix-list-name', Values: [spec.prefixListName] }] },
          physicalResourceId: cr.PhysicalResourceId.of(spec.prefixListName),
          outputPaths: ['PrefixLists.0.PrefixListId'],
        },
        policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
        installLatestAwsSdk: false,
      });
      const group = new ec2.SecurityGroup(this, spec.name, {
        vpc: props.vpc,
        description: `ALB: ${spec.description}`,
        allowAllOutbound: false,
      });
      group.addIngressRule(
        ec2.Peer.prefixList(lookup.getResponseField('PrefixLists.0.PrefixListId')),
        ec2.Port.tcp(props.port),
        spec.description,
      );
      Tags.of(group).add('Name', spec.name);
      Validations.of(lookup.node.findChild('CustomResourcePolicy')).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ec2:DescribeManagedPrefixLists supports no resource-level permissions; it only reads the public AWS-managed lists.',
      });
      groups[spec.name] = group;
    }
    this.securityGroups = groups;
    acknowledgeAwsCustomResourceProvider(this);
  }
}
