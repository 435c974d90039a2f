import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { MANAGED_RULE_GROUPS, PlatformWebAcl, PlatformWebAclProps, RATE_LIMIT_RULE_NAME, WebAclScope } from '../../lib/constructs/web-acl';
import { testApp } from '../helpers';

const BASE: PlatformWebAclProps = {
  scope: WebAclScope.CLOUDFRONT,
  webAclName: 'app-dev-cloudfront',
  rateLimitPer5Minutes: 2000,
  logGroupName: 'aws-waf-logs-app-dev-cloudfront',
  logRetention: logs.RetentionDays.TWO_WEEKS,
};

function synth(props: Partial<PlatformWebAclProps> = {}): Template {
  const stack = new Stack(testApp(), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
  new PlatformWebAcl(stack, 'WebAcl', { ...BASE, ...props });
  return Template.fromStack(stack);
}

const rules = (t: Template) => Object.values(t.findResources('AWS::WAFv2::WebACL'))[0].Properties.Rules;

describe('PlatformWebAcl', () => {
  // GIVEN a CLOUDFRONT WebACL with the defaults
  const template = synth();

  test('evaluates IP reputation, the rate limit, then the common, known-bad-inputs and SQL injection groups', () => {
    expect(rules(template).map((r: { Name: string; Priority: number }) => [r.Priority, r.Name])).toEqual([
      [0, 'AWS-AWSManagedRulesAmazonIpReputationList'],
      [1, RATE_LIMIT_RULE_NAME],
      [2, 'AWS-AWSManagedRulesCommonRuleSet'],
      [3, 'AWS-AWSManagedRulesKnownBadInputsRuleSet'],
      [4, 'AWS-AWSManagedRulesSQLiRuleSet'],
    ]);
    for (const name of MANAGED_RULE_GROUPS) {
      template.hasResourceProperties('AWS::WAFv2::WebACL', {
        Rules: Match.arrayWith([
          Match.objectLike({ OverrideAction: { None: {} }, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: name } } }),
        ]),
      });
    }
  });

  test('blocks a client IP above the limit per 5 minutes, by source IP by default', () => {
    const rate = rules(template).find((r: { Name: string }) => r.Name === RATE_LIMIT_RULE_NAME);
    expect(rate.Action).toEqual({ Block: {} });
    expect(rate.Statement.RateBasedStatement).toEqual({ Limit: 2000, EvaluationWindowSec: 300, AggregateKeyType: 'IP' });
  });

  test('behind a proxy, the rate limit keys on the forwarded client IP and lets requests without one through', () => {
    const t = synth({ scope: WebAclScope.REGIONAL, clientIpHeader: 'X-Forwarded-For' });
    t.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL' });
    const rate = rules(t).find((r: { Name: string }) => r.Name === RATE_LIMIT_RULE_NAME);
    expect(rate.Statement.RateBasedStatement).toMatchObject({
      AggregateKeyType: 'FORWARDED_IP',
      ForwardedIPConfig: { HeaderName: 'X-Forwarded-For', FallbackBehavior: 'NO_MATCH' },
    });
  });

  test('allows by default, with metrics and sampled requests for the WebACL and every rule', () => {
    const acl = Object.values(template.findResources('AWS::WAFv2::WebACL'))[0].Properties;
    expect(acl).toMatchObject({ Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} }, Name: 'app-dev-cloudfront' });
    for (const config of [acl.VisibilityConfig, ...acl.Rules.map((r: { VisibilityConfig: unknown }) => r.VisibilityConfig)]) {
      expect(config).toMatchObject({
        CloudWatchMetricsEnabled: true,
        SampledRequestsEnabled: true,
        MetricName: expect.stringMatching(/^app-dev-cloudfront-/),
      });
    }
  });

  test('logs to its own log group (ARN without the :* suffix), with credentials redacted', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: BASE.logGroupName, RetentionInDays: 14 });
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      LogDestinationConfigs: [
        { 'Fn::Join': ['', ['arn:aws:logs:us-east-1:123456789012:log-group:', { Ref: Match.stringLikeRegexp('WebAclLogs') }]] },
      ],
      RedactedFields: [{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }],
      ResourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('WebAcl'), 'Arn'] },
    });
  });

  test('the log group is retained unless told otherwise', () => {
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    synth({ removalPolicy: RemovalPolicy.DESTROY }).hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
  });

  test.each([5, 2_000_000_001, 100.5])('rejects a rate limit of %p, naming the construct', (rate) => {
    expect(() => synth({ rateLimitPer5Minutes: rate })).toThrow(
      `Test/WebAcl: rateLimitPer5Minutes ${rate} is not allowed; use a whole number in 10..2000000000`,
    );
  });

  test('rejects a log group WAF cannot log to', () => {
    expect(() => synth({ logGroupName: 'waf-logs' })).toThrow(
      'Test/WebAcl: logGroupName "waf-logs" is not allowed; WAF logs only to names starting with aws-waf-logs-',
    );
  });
});
