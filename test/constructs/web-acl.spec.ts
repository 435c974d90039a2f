import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  MANAGED_RULE_GROUPS,
  PlatformWebAcl,
  PlatformWebAclProps,
  RATE_LIMIT_RULE_NAME,
  REQUIRED_HEADER_RULE_NAME,
  requiredHeaderStatement,
  WebAclScope,
} from '../../lib/constructs/web-acl';
import { testApp } from '../helpers';

const BASE: PlatformWebAclProps = {
  scope: WebAclScope.CLOUDFRONT,
  webAclName: 'app-dev-cloudfront',
  rateLimitPer5Minutes: 2000,
  logGroupName: 'aws-waf-logs-app-dev-cloudfront',
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

  test('behind a proxy, the rate limit keys on the header the proxy sets and lets requests without one through', () => {
    const t = synth({ scope: WebAclScope.REGIONAL, clientIpHeader: 'X-Viewer-Ip' });
    t.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL' });
    const rate = rules(t).find((r: { Name: string }) => r.Name === RATE_LIMIT_RULE_NAME);
    expect(rate.Statement.RateBasedStatement).toMatchObject({
      AggregateKeyType: 'FORWARDED_IP',
      ForwardedIPConfig: { HeaderName: 'X-Viewer-Ip', FallbackBehavior: 'NO_MATCH' },
    });
  });

  describe('with a required header', () => {
    // GIVEN a WebACL that requires X-Origin-Verify, except on GET /api/healthz
    const t = synth({
      scope: WebAclScope.REGIONAL,
      requiredHeader: { headerName: 'X-Origin-Verify', acceptedValue: 'v1', exemptPath: '/api/healthz' },
    });
    const rule = rules(t)[0];

    test('the header rule comes first, then the baseline in its order', () => {
      expect(rules(t).map((r: { Name: string; Priority: number }) => [r.Priority, r.Name])).toEqual([
        [0, REQUIRED_HEADER_RULE_NAME],
        [1, 'AWS-AWSManagedRulesAmazonIpReputationList'],
        [2, RATE_LIMIT_RULE_NAME],
        [3, 'AWS-AWSManagedRulesCommonRuleSet'],
        [4, 'AWS-AWSManagedRulesKnownBadInputsRuleSet'],
        [5, 'AWS-AWSManagedRulesSQLiRuleSet'],
      ]);
    });

    test('blocks a request whose header is not the accepted value, unless it is GET on the exempt path', () => {
      expect(rule.Action).toEqual({ Block: {} });
      const [notAccepted, notExempt] = rule.Statement.AndStatement.Statements;
      expect(notAccepted.NotStatement.Statement.ByteMatchStatement).toEqual({
        FieldToMatch: { SingleHeader: { Name: 'x-origin-verify' } },
        PositionalConstraint: 'EXACTLY',
        SearchString: 'v1',
        TextTransformations: [{ Priority: 0, Type: 'NONE' }],
      });
      expect(
        notExempt.NotStatement.Statement.AndStatement.Statements.map((s: { ByteMatchStatement: unknown }) => s.ByteMatchStatement),
      ).toEqual([
        expect.objectContaining({ FieldToMatch: { UriPath: {} }, PositionalConstraint: 'EXACTLY', SearchString: '/api/healthz' }),
        expect.objectContaining({ FieldToMatch: { Method: {} }, PositionalConstraint: 'EXACTLY', SearchString: 'GET' }),
      ]);
    });

    test('the accepted part has the shape a rotation writes: one value, or an OR of values', () => {
      const stack = new Stack(testApp(), 'Shape');
      expect(stack.resolve(requiredHeaderStatement('X-H', ['a']))).toEqual({
        byteMatchStatement: expect.objectContaining({ searchString: 'a' }),
      });
      expect(stack.resolve(requiredHeaderStatement('X-H', ['a', 'b'])).orStatement.statements).toHaveLength(2);
    });

    test('a named rule keeps its name (the rotation finds it by name)', () => {
      const named = synth({ requiredHeader: { headerName: 'X-H', acceptedValue: 'v', exemptPath: '/h', ruleName: 'OriginVerify' } });
      expect(rules(named)[0].Name).toBe('OriginVerify');
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

  test('logs to the named log group (ARN without the :* suffix), which it does not create, with credentials redacted', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', 0);
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      LogDestinationConfigs: ['arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-app-dev-cloudfront'],
      RedactedFields: [{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }],
      ResourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('WebAcl'), 'Arn'] },
    });
  });

  test('more headers can be redacted, and sampling (which shows headers) turned off', () => {
    const t = synth({ redactedHeaders: ['X-Origin-Verify'], sampledRequests: false });
    t.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      RedactedFields: Match.arrayWith([{ SingleHeader: { Name: 'x-origin-verify' } }]),
    });
    const acl = Object.values(t.findResources('AWS::WAFv2::WebACL'))[0].Properties;
    for (const config of [acl.VisibilityConfig, ...acl.Rules.map((r: { VisibilityConfig: unknown }) => r.VisibilityConfig)]) {
      expect(config).toMatchObject({ SampledRequestsEnabled: false, CloudWatchMetricsEnabled: true });
    }
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
