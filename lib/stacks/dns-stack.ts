import { CfnOutput, Fn, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { ZoneDelegation } from '../config/dns-delegation';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/** Props of `DnsStack`. */
export interface DnsStackProps extends Omit<PlatformStackProps, 'stateful'> {
  /**
   * Where this zone's NS records go (a parent environment's zone) and which child zones it
   * delegates to (`zoneDelegation()` in lib/config).
   * @default - no parent and no children: the registrar delegates the zone
   */
  readonly zoneDelegation?: ZoneDelegation;
}

/**
 * The environment's public hosted zone (`domain.zoneName`), or the existing one named by
 * `edge.hostedZoneId`. Its own stack because three others write into it (Edge records, ACM
 * validation, ExternalDNS from the cluster) and because a re-created zone gets new name servers,
 * which breaks the delegation from the parent domain: the stack is stateful (retained and termination-protected outside development).
 *
 * Delegation (lib/config/dns-delegation.ts): for each child environment, a role that only the
 * child's account may assume and that may only UPSERT/DELETE the child zone's NS records here;
 * for a zone with a parent environment, the NS records in the parent's zone, written through the
 * role the parent created (`CrossAccountZoneDelegationRecord`). A zone without a parent outputs
 * its name servers for the registrar.
 */
export class DnsStack extends PlatformStack {
  /** The zone. */
  public readonly hostedZone: route53.IPublicHostedZone;
  /** The delegation role of each child environment, by environment name. */
  public readonly delegationRoles: Readonly<Record<string, iam.IRole>>;

  constructor(scope: Construct, id: string, props: DnsStackProps) {
    super(scope, id, { ...props, stateful: true, description: `${props.config.name}: public hosted zone ${props.config.domain.zoneName}` });
    const { config } = this;
    const delegation = props.zoneDelegation ?? { children: [] };
    const removal = config.stateful.removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    if (config.edge.hostedZoneId) {
      this.hostedZone = route53.PublicHostedZone.fromPublicHostedZoneAttributes(this, 'Zone', {
        hostedZoneId: config.edge.hostedZoneId,
        zoneName: config.domain.zoneName,
      });
    } else {
      const zone = new route53.PublicHostedZone(this, 'Zone', {
        zoneName: config.domain.zoneName,
        comment: `${config.tags.Application} ${config.name}`,
      });
      zone.applyRemovalPolicy(removal);
      this.hostedZone = zone;
      new CfnOutput(this, 'NameServers', {
        value: Fn.join(',', zone.hostedZoneNameServers!),
        description: delegation.parent
          ? `Name servers of ${config.domain.zoneName}; the Delegation record writes them into ${delegation.parent.zoneName}`
          : `Name servers of ${config.domain.zoneName}: set them as the domain's NS records at the registrar`,
      });
    }

    this.delegationRoles = Object.fromEntries(
      delegation.children.map((child) => {
        const role = new iam.Role(this, `DelegationRole-${child.environmentName}`, {
          roleName: child.roleName,
          assumedBy: new iam.AccountPrincipal(child.account),
          description: `${child.environmentName}'s Dns stack writes the NS records of ${child.zoneName} into ${config.domain.zoneName}`,
        });
        // ChangeResourceRecordSets on this zone, NS records of the child's name only, UPSERT/DELETE;
        // plus ListHostedZonesByName, which the delegation custom resource calls to find this zone by name.
        this.hostedZone.grantDelegation(role, { delegatedZoneNames: [child.zoneName] });
        Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            "route53:ListHostedZonesByName supports no resource scoping; the delegation custom resource finds the parent zone by name. Changes are limited to the child's NS records in this zone.",
        });
        return [child.environmentName, role];
      }),
    );

    const parent = delegation.parent;
    if (parent) {
      new route53.CrossAccountZoneDelegationRecord(this, 'Delegation', {
        delegatedZone: this.hostedZone,
        parentHostedZoneName: parent.zoneName,
        delegationRole: iam.Role.fromRoleArn(this, 'ParentDelegationRole', `arn:aws:iam::${parent.account}:role/${parent.roleName}`, {
          mutable: false,
        }),
        removalPolicy: removal,
      });
    }
  }
}
