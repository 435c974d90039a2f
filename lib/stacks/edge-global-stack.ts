import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { apiHost, appHost, webAclName } from '../config/edge-names';
import { PlatformWebAcl, WebAclScope } from '../constructs/web-acl';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/** CloudFront reads certificates and WebACLs from this region only. */
export const CLOUDFRONT_REGION = 'us-east-1';

/**
 * Stack props of a stack of global (CloudFront-scope) resources: the environment's account in
 * us-east-1, not termination-protected, referencing the regional stacks across regions.
 */
export function globalStackProps<P extends Omit<PlatformStackProps, 'stateful'>>(props: P, description: string): P & PlatformStackProps {
  return {
    ...props,
    stateful: false,
    env: { account: props.config.account, region: CLOUDFRONT_REGION },
    crossRegionReferences: true,
    description: `${props.config.name}: ${description} (${CLOUDFRONT_REGION})`,
  };
}

/** Props of `EdgeGlobalStack`. */
export interface EdgeGlobalStackProps extends Omit<PlatformStackProps, 'stateful'> {
  /** The environment's public hosted zone (DNS validation of the certificate). */
  readonly hostedZone: route53.IHostedZone;
  /** Name of the log group the WebACL logs to, in us-east-1 (from the EdgeGlobalLogs stack). */
  readonly webAclLogGroupName: string;
}

/**
 * What CloudFront needs from us-east-1: the viewer certificate of the app and API hosts and the
 * CLOUDFRONT-scope WebACL (logging to the EdgeGlobalLogs stack's log group). The Edge stack in the environment's region reads both
 * through cross-region references (no pasted ARNs).
 */
export class EdgeGlobalStack extends PlatformStack {
  /** Certificate of `app.<zone>` and `api.<zone>`. */
  public readonly certificate: acm.ICertificate;
  /** ARN of the CLOUDFRONT-scope WebACL. */
  public readonly webAclArn: string;

  constructor(scope: Construct, id: string, props: EdgeGlobalStackProps) {
    super(scope, id, globalStackProps(props, 'CloudFront certificate and WebACL'));
    const { config } = this;
    const [primary, ...alternatives] = [appHost(config), apiHost(config)];
    this.certificate = new acm.Certificate(this, 'Certificate', {
      domainName: primary,
      subjectAlternativeNames: alternatives,
      validation: acm.CertificateValidation.fromDns(props.hostedZone),
    });
    const webAcl = new PlatformWebAcl(this, 'WebAcl', {
      scope: WebAclScope.CLOUDFRONT,
      webAclName: webAclName(config.name, 'CLOUDFRONT'),
      // In front of everything: the connection's source is the viewer.
      rateLimitPer5Minutes: config.edge.wafRateLimitPer5Minutes,
      logGroupName: props.webAclLogGroupName,
    });
    this.webAclArn = webAcl.webAclArn;
  }
}
