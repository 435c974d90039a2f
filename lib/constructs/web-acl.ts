import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
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

/**
 * A header the WebACL requires on every request (a shared secret its only legitimate client adds),
 * with one path exempt (a health checker that cannot send headers).
 */
export interface RequiredHeader {
  /** Header name, e.g. `X-Origin-Verify` (matched case-insensitively). */
  readonly headerName: string;
  /**
   * The value accepted at deploy time, e.g. a CloudFormation dynamic reference to a secret; a
   * rotation may add more values to the rule later (it keeps the rule's shape, `requiredHeaderStatement`).
   */
  readonly acceptedValue: string;
  /** Path (exact, method GET) that needs no header, e.g. the health-check path. */
  readonly exemptPath: string;
  /**
   * Name of the rule (the rotation finds it by this name).
   * @default 'RequiredHeader'
   */
  readonly ruleName?: string;
}

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
   * CloudFront sees CloudFront's addresses). Only a header the proxy sets, never one a client can
   * set (`X-Forwarded-For` starts with whatever the client sent). Requests without a valid address
   * in it are not rate limited by this rule (Route 53 health checks).
   * @default - the source IP of the connection
   */
  readonly clientIpHeader?: string;
  /**
   * A header every request must carry (evaluated first).
   * @default - none
   */
  readonly requiredHeader?: RequiredHeader;
  /**
   * Name of the log group WAF logs to; it must exist (it lives in a stateful stack, so that a
   * recreated WebACL stack does not collide with its retained predecessor) and be named `aws-waf-logs-*`.
   */
  readonly logGroupName: string;
  /**
   * Request headers replaced by `REDACTED` in the logs, in addition to `authorization` and `cookie`.
   * @default - none
   */
  readonly redactedHeaders?: readonly string[];
  /**
   * Keep samples of matching requests (headers included) for the console.
   * @default true
   */
  readonly sampledRequests?: boolean;
}

/** Name of the rule built from `RequiredHeader` when it names none. */
export const REQUIRED_HEADER_RULE_NAME = 'RequiredHeader';

const NO_TRANSFORMATION = [{ priority: 0, type: 'NONE' }];

/** `header == value` for each value (one statement, or an OR of them), in the WebACL's CloudFormation shape. */
export function requiredHeaderStatement(headerName: string, values: readonly string[]): wafv2.CfnWebACL.StatementProperty {
  const equals = (value: string): wafv2.CfnWebACL.StatementProperty => ({
    byteMatchStatement: {
      fieldToMatch: { singleHeader: { Name: headerName.toLowerCase() } },
      positionalConstraint: 'EXACTLY',
      searchString: value,
      textTransformations: NO_TRANSFORMATION,
    },
  });
  return values.length === 1 ? equals(values[0]) : { orStatement: { statements: values.map(equals) } };
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
      sampledRequestsEnabled: props.sampledRequests ?? true,
      metricName: `${props.webAclName}-${metricName}`,
    });
    const managed = (name: string): Omit<wafv2.CfnWebACL.RuleProperty, 'priority'> => ({
      name: `AWS-${name}`,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: visibility(name),
    });
    const rules: Omit<wafv2.CfnWebACL.RuleProperty, 'priority'>[] = [];
    const required = props.requiredHeader;
    if (required) {
      const ruleName = required.ruleName ?? REQUIRED_HEADER_RULE_NAME;
      const exempt: wafv2.CfnWebACL.StatementProperty = {
        andStatement: {
          statements: [
            {
              byteMatchStatement: {
                fieldToMatch: { uriPath: {} },
                positionalConstraint: 'EXACTLY',
                searchString: required.exemptPath,
                textTransformations: NO_TRANSFORMATION,
              },
            },
            {
              byteMatchStatement: {
                fieldToMatch: { method: {} },
                positionalConstraint: 'EXACTLY',
                searchString: 'GET',
                textTransformations: NO_TRANSFORMATION,
              },
            },
          ],
        },
      };
      rules.push({
        name: ruleName,
        action: { block: {} },
        statement: {
          andStatement: {
            statements: [
              { notStatement: { statement: requiredHeaderStatement(required.headerName, [required.acceptedValue]) } },
              { notStatement: { statement: exempt } },
            ],
          },
        },
        visibilityConfig: visibility(ruleName),
      });
    }
    rules.push(managed('AWSManagedRulesAmazonIpReputationList'), {
      name: RATE_LIMIT_RULE_NAME,
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
    });
    rules.push(...MANAGED_RULE_GROUPS.map((name) => managed(name)));

    this.webAcl = new wafv2.CfnWebACL(this, 'Resource', {
      name: props.webAclName,
      scope: props.scope.value,
      defaultAction: { allow: {} },
      visibilityConfig: visibility('all'),
      rules: rules.map((rule, priority) => ({ ...rule, priority })),
    });
    this.webAclArn = this.webAcl.attrArn;

    new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAclArn,
      // WAF wants the log group ARN without the `:*` suffix a log group's ARN attribute carries.
      logDestinationConfigs: [
        Arn.format(
          { service: 'logs', resource: 'log-group', resourceName: props.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME },
          Stack.of(this),
        ),
      ],
      redactedFields: ['authorization', 'cookie', ...(props.redactedHeaders ?? [])].map((name) => ({
        singleHeader: { Name: name.toLowerCase() },
      })),
    });
  }
}
