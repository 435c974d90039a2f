import { RemovalPolicy } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/** Props of `DnsStack`. */
export type DnsStackProps = Omit<PlatformStackProps, 'stateful'>;

/**
 * The environment's public hosted zone (`domain.zoneName`), or the existing one named by
 * `edge.hostedZoneId`. Its own stack because three others write into it (Edge records, ACM
 * validation, ExternalDNS from the cluster) and because a re-created zone gets new name servers,
 * which breaks the delegation from the parent domain: the stack is stateful (retained and termination-protected outside development).
 */
export class DnsStack extends PlatformStack {
  /** The zone. */
  public readonly hostedZone: route53.IPublicHostedZone;

  constructor(scope: Construct, id: string, props: DnsStackProps) {
    super(scope, id, { ...props, stateful: true, description: `${props.config.name}: public hosted zone ${props.config.domain.zoneName}` });
    const { config } = this;
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
      zone.applyRemovalPolicy(config.stateful.removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);
      this.hostedZone = zone;
    }
  }
}
