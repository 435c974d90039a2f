import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as shield from 'aws-cdk-lib/aws-shield';
import { Construct } from 'constructs';
import { globalStackProps } from './edge-global-stack';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/** Props of `EdgeProtectionStack`. */
export interface EdgeProtectionStackProps extends Omit<PlatformStackProps, 'stateful'> {
  /** The distribution to protect (from the Edge stack). */
  readonly distribution: cloudfront.IDistribution;
  /** The hosted zone to protect (from the Dns stack). */
  readonly hostedZone: route53.IHostedZone;
  /** Health check Shield uses for health-based detection of the distribution (the API's primary health). */
  readonly healthCheck: route53.IHealthCheck;
}

/**
 * Shield Advanced protections of the global resources (the CloudFront distribution and the hosted
 * zone), created in us-east-1 where Shield manages them. Only when `edge.shieldAdvanced` is on: it
 * needs the account's Shield Advanced subscription (a paid, yearly commitment). The ALB is
 * protected by its controller (Ingress annotation `alb.ingress.kubernetes.io/shield-advanced-protection`).
 */
export class EdgeProtectionStack extends PlatformStack {
  constructor(scope: Construct, id: string, props: EdgeProtectionStackProps) {
    super(scope, id, globalStackProps(props, 'Shield Advanced protections'));
    const { config } = this;
    const prefix = `${config.tags.Application}-${config.name}`;
    new shield.CfnProtection(this, 'DistributionProtection', {
      name: `${prefix}-cloudfront`,
      resourceArn: props.distribution.distributionArn,
      healthCheckArns: [
        this.formatArn({
          service: 'route53',
          region: '',
          account: '',
          resource: 'healthcheck',
          resourceName: props.healthCheck.healthCheckId,
        }),
      ],
    });
    new shield.CfnProtection(this, 'HostedZoneProtection', {
      name: `${prefix}-hosted-zone`,
      resourceArn: props.hostedZone.hostedZoneArn,
    });
  }
}
