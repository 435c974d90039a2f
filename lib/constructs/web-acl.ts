import { Arn, ArnFormat, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** Where a WebACL can be attached. */
export class WebAclScope {
  /** CloudFront distributions; the WebACL and its log group must be in us-east-1. */
  public static readonly CLOUDFRONT = new WebAclScope('CLOUDFRONT');
  /** Regional resources (ALB, API Gateway REST, AppSync) in the stack's region. */
  public static readonly REGIONAL = new WebAclScope('REGIONAL');

  private constructor(
    /** The scope as WAF names it. */
    public readonly value: 'CLOUDFRONT' | 'REGIONAL',
  ) {}
}

/** AWS managed rule groups every WebACL of the platform evaluates, in priority order after IP reputation and the rate limit. */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
] as const;

/** Name of the rate-based rule (also its CloudWatch metric name suffix). */
export const RATE_LIMIT_RULE_NAME = 'RateLimitPerClientIp';

/** Bounds WAF accepts for a rate-based rule over a 5-minute window. */
const RATE_LIMIT = { min: 10, max: 2_000_000_000 };

/** Props of `PlatformWebAcl`. */
export interface PlatformWebAclProps {
  /** CLOUDFRONT (stack in us-east-1) or REGIONAL. */
  readonly scope: WebAclScope;
  /** Name of the WebACL, also the prefix of its CloudWatch metric names, e.g. `saas-platform-prod-cloudfront`. */
  readonly webAclName: string;
  /** Requests per client IP per 5 minutes before the client is blocked (10..2,000,000,000). */
  readonly rateLimitPer5Minutes: number;
  /**
   * Header that carries the client IP when the WebACL sits behind a proxy (the ALB behind
   * CloudFront sees CloudFront's addresses), e.g. `X-Forwarded-For`. Requests without a valid
   * address in it are not rate limited by this rule (Route 53 health checks), so the WebACL in
   * front of the proxy must hold the authoritative per-client limit.
   * @default - the source IP of the connection
   */
  readonly clientIpHeader?: string;
  /** Log group name; WAF requires the `aws-waf-logs-` prefix. */
  readonly logGroupName: string;
  /** How long WAF logs are kept. */
  readonly logRetention: logs.RetentionDays;
  /**
   * What happens to the log group when it leaves the template.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A WAF WebACL with the platform's baseline: Amazon IP reputation list, a rate-based rule per
 * client IP, and the AWS managed common, known-bad-inputs and SQL injection rule groups; CloudWatch
 * metrics and sampled requests for the WebACL and every rule; full logs to CloudWatch Logs with
 * `authorization` and `cookie` redacted.
 */
export class PlatformWebAcl extends Construct {
  /** The WebACL. */
  public readonly webAcl: wafv2.CfnWebACL;
  /** ARN of the WebACL (CloudFront's `webAclId`, the ALB controller's `wafv2-acl-arn`). */
  public readonly webAclArn: string;
  /** Where WAF writes its logs. */
  public readonly logGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: PlatformWebAclProps) {
    super(scope, id);
    const rate = props.rateLimitPer5Minutes;
    if (!Token.isUnresolved(rate) && (!Number.isInteger(rate) || rate < RATE_LIMIT.min || rate > RATE_LIMIT.max)) {
      throw new Error(
        `${this.node.path}: rateLimitPer5Minutes ${rate} is not allowed; use a whole number in ${RATE_LIMIT.min}..${RATE_LIMIT.max}`,
      );
    }
    if (!Token.isUnresolved(props.logGroupName) && !props.logGroupName.startsWith('aws-waf-logs-')) {
      throw new Error(
        `${this.node.path}: logGroupName "${props.logGroupName}" is not allowed; WAF logs only to names starting with aws-waf-logs-`,
      );
    }
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${props.webAclName}-${metricName}`,
    });
    const managed = (name: string, priority: number): wafv2.CfnWebACL.RuleProperty => ({
      name: `AWS-${name}`,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: visibility(name),
    });

    this.webAcl = new wafv2.CfnWebACL(this, 'Resource', {
      name: props.webAclName,
      scope: props.scope.value,
      defaultAction: { allow: {} },
      visibilityConfig: visibility('all'),
      rules: [
        managed('AWSManagedRulesAmazonIpReputationList', 0),
        {
          name: RATE_LIMIT_RULE_NAME,
          priority: 1,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: rate,
              evaluationWindowSec: 300,
              ...(props.clientIpHeader
                ? {
                    aggregateKeyType: 'FORWARDED_IP',
                    forwardedIpConfig: { headerName: props.clientIpHeader, fallbackBehavior: 'NO_MATCH' },
                  }
                : { aggregateKeyType: 'IP' }),
            },
          },
          visibilityConfig: visibility(RATE_LIMIT_RULE_NAME),
        },
        ...MANAGED_RULE_GROUPS.map((name, i) => managed(name, i + 2)),
      ],
    });
    this.webAclArn = this.webAcl.attrArn;

    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: props.logGroupName,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.logGroup = logGroup;
    new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAclArn,
      // WAF wants the log group ARN without the `:*` suffix that `logGroupArn` carries.
      logDestinationConfigs: [
        Arn.format(
          { service: 'logs', resource: 'log-group', resourceName: logGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME },
          Stack.of(this),
        ),
      ],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }],
    });
  }
}
