import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { wafLogGroupName } from '../config/edge-names';
import { CLOUDFRONT_REGION } from './edge-global-stack';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/** Props of `EdgeGlobalLogsStack`. */
export type EdgeGlobalLogsStackProps = Omit<PlatformStackProps, 'stateful'>;

/**
 * The log group of the CLOUDFRONT-scope WebACL, in us-east-1 (WAF logs a CloudFront WebACL only to
 * a destination in us-east-1). Stateful on purpose: WAF needs a fixed name (`aws-waf-logs-*`), and a
 * retained log group with a fixed name in the stateless EdgeGlobal stack would make a recreated
 * EdgeGlobal stack fail on the name its retained predecessor still holds. Here it outlives the
 * WebACL's stack, which only points its logging configuration at it by name.
 */
export class EdgeGlobalLogsStack extends PlatformStack {
  /** Name of the CLOUDFRONT WebACL's log group. */
  public readonly webAclLogGroupName: string;

  constructor(scope: Construct, id: string, props: EdgeGlobalLogsStackProps) {
    super(scope, id, {
      ...props,
      stateful: true,
      env: { account: props.config.account, region: CLOUDFRONT_REGION },
      description: `${props.config.name}: logs of the CloudFront WebACL (${CLOUDFRONT_REGION})`,
    });
    const { config } = this;
    this.webAclLogGroupName = wafLogGroupName(config.name, 'CLOUDFRONT');
    new logs.LogGroup(this, 'WebAclLogs', {
      logGroupName: this.webAclLogGroupName,
      retention: config.edge.wafLogRetentionDays,
      removalPolicy: config.stateful.removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }
}
