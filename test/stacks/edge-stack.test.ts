import { Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  albAccessLogsBucketParameterName,
  apiHost,
  apiOriginColorHost,
  apiOriginDrHost,
  apiOriginPrimaryHost,
  appHost,
  regionalWebAclArnParameterName,
  wafLogGroupName,
} from '../../lib/config/edge-names';
import { dev, prod } from '../../lib/config/environments';
import { apiOriginHost } from '../../lib/config/naming';
import { EnvironmentConfig } from '../../lib/config/types';
import { RATE_LIMIT_RULE_NAME } from '../../lib/constructs/web-acl';
import { CLOUDFRONT_REGION } from '../../lib/stacks/edge-global-stack';
import { contentSecurityPolicy, EdgeStack } from '../../lib/stacks/edge-stack';
import { EACH_ENV, synthesizedApp } from '../app-fixture';
import { testApp, withValue } from '../helpers';

type Rule = { Name: string; Statement: { RateBasedStatement?: { Limit: number }; ManagedRuleGroupStatement?: { Name: string } } };

/** The rule names of the only WebACL in a template, and the limit of its rate-based rule. */
function webAclRules(t: Template): { scope: string; names: string[]; limit?: number } {
  const acl = Object.values(t.findResources('AWS::WAFv2::WebACL'))[0].Properties;
  const rules: Rule[] = acl.Rules;
  return {
    scope: acl.Scope,
    names: rules.map((r) => r.Statement.ManagedRuleGroupStatement?.Name ?? r.Name),
    limit: rules.find((r) => r.Name === RATE_LIMIT_RULE_NAME)?.Statement.RateBasedStatement?.Limit,
  };
}

const recordsNamed = (t: Template, name: string) =>
  Object.values(t.findResources('AWS::Route53::RecordSet', { Properties: { Name: `${name}.` } })).map((r) => r.Properties);

describe('Edge stacks of every environment', () => {
  // GIVEN the whole app, synthesized once (cdk-nag and the platform checks passed, or this throws)
  const { stage, template } = synthesizedApp();
  const edge = (name: string) => template(stage(name).edge);
  const global = (name: string) => template(stage(name).edgeGlobal);

  test.each(EACH_ENV)('%s: CloudFront certificate and WebACL in us-east-1, the distribution in the region', (name, config) => {
    expect(stage(name).edgeGlobal.region).toBe(CLOUDFRONT_REGION);
    expect(stage(name).edge.region).toBe(config.region);
    expect(stage(name).edgeGlobal.account).toBe(config.account);
  });

  test.each(EACH_ENV)('%s: one DNS-validated certificate for the app and API hosts, in the hosted zone', (name, config) => {
    global(name).hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: appHost(config),
      SubjectAlternativeNames: [apiHost(config)],
      ValidationMethod: 'DNS',
      DomainValidationOptions: Match.arrayWith([Match.objectLike({ DomainName: apiHost(config), HostedZoneId: Match.anyValue() })]),
    });
  });

  test.each(EACH_ENV)(
    '%s: both WebACLs evaluate IP reputation, the rate limit from config, common, bad inputs and SQLi',
    (name, config) => {
      const expected = [
        'AWSManagedRulesAmazonIpReputationList',
        RATE_LIMIT_RULE_NAME,
        'AWSManagedRulesCommonRuleSet',
        'AWSManagedRulesKnownBadInputsRuleSet',
        'AWSManagedRulesSQLiRuleSet',
      ];
      expect(webAclRules(global(name))).toEqual({ scope: 'CLOUDFRONT', names: expected, limit: config.edge.wafRateLimitPer5Minutes });
      expect(webAclRules(edge(name))).toEqual({ scope: 'REGIONAL', names: expected, limit: config.edge.wafRateLimitPer5Minutes });
    },
  );

  test.each(EACH_ENV)('%s: both WebACLs log to CloudWatch with the retention from config', (name, config) => {
    for (const [t, scope] of [
      [global(name), 'CLOUDFRONT'],
      [edge(name), 'REGIONAL'],
    ] as const) {
      t.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: wafLogGroupName(config.name, scope),
        RetentionInDays: config.edge.wafLogRetentionDays,
      });
      t.resourceCountIs('AWS::WAFv2::LoggingConfiguration', 1);
    }
  });

  test.each(EACH_ENV)('%s: the distribution reads the CloudFront certificate and WebACL across regions, never a pasted ARN', (name) => {
    const c = Object.values(edge(name).findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    const fromGlobal = {
      'Fn::GetStackOutput': Match.objectLike({ StackName: stage(name).edgeGlobal.stackName, Region: CLOUDFRONT_REGION }),
    };
    expect(Match.objectLike(fromGlobal).test(c.ViewerCertificate.AcmCertificateArn).isSuccess).toBe(true);
    expect(Match.objectLike(fromGlobal).test(c.WebACLId).isSuccess).toBe(true);
    expect(stage(name).edge.dependencies.map((s) => s.node.id)).toEqual(expect.arrayContaining(['EdgeGlobal', 'Dns', 'Data']));
  });

  test.each(EACH_ENV)('%s: OAC for the assets, HTTPS-only viewers on TLS 1.2+, the price class from config', (name, config) => {
    const t = edge(name);
    t.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: [appHost(config), apiHost(config)],
        PriceClass: config.edge.priceClass,
        ViewerCertificate: Match.objectLike({ MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' }),
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        CacheBehaviors: [Match.objectLike({ PathPattern: '/api/*', ViewerProtocolPolicy: 'https-only' })],
        Origins: Match.arrayWith([Match.objectLike({ DomainName: apiOriginHost(config.domain.zoneName) })]),
        Logging: Match.objectLike({ Prefix: `cloudfront/${config.name}/` }),
      }),
    });
  });

  test.each(EACH_ENV)('%s: the app and API hosts are IPv4 and IPv6 aliases of the distribution', (name, config) => {
    for (const host of [appHost(config), apiHost(config)]) {
      expect(
        recordsNamed(edge(name), host)
          .map((r) => r.Type)
          .sort(),
      ).toEqual(['A', 'AAAA']);
      for (const r of recordsNamed(edge(name), host))
        expect(r.AliasTarget.DNSName).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Distribution/), 'DomainName'] });
    }
  });

  test.each(EACH_ENV)('%s: weighted blue/green origin records with the weights from config, each health-checked', (name, config) => {
    const zone = config.domain.zoneName;
    const weighted = recordsNamed(edge(name), apiOriginPrimaryHost(zone));
    expect(weighted.map((r) => [r.SetIdentifier, r.ResourceRecords[0], r.Weight])).toEqual([
      ['blue', apiOriginColorHost(zone, 'blue'), config.edge.blueGreenWeights.blue],
      ['green', apiOriginColorHost(zone, 'green'), config.edge.blueGreenWeights.green],
    ]);
    for (const r of weighted) expect(r.HealthCheckId).toBeDefined();
    edge(name).hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({
        Type: 'HTTPS',
        FullyQualifiedDomainName: apiOriginColorHost(zone, 'blue'),
        ResourcePath: config.edge.healthCheckPath,
      }),
    });
  });

  test.each(EACH_ENV)('%s: failover of the API origin to the DR region exactly where config asks', (name, config) => {
    const zone = config.domain.zoneName;
    const origin = recordsNamed(edge(name), apiOriginHost(zone));
    if (config.edge.failoverToDr) {
      expect(origin.map((r) => [r.Failover, r.ResourceRecords[0], r.HealthCheckId !== undefined])).toEqual([
        ['PRIMARY', apiOriginPrimaryHost(zone), true],
        ['SECONDARY', apiOriginDrHost(zone, config.drRegion!), true],
      ]);
    } else {
      expect(origin.map((r) => [r.Failover, r.ResourceRecords[0]])).toEqual([[undefined, apiOriginPrimaryHost(zone)]]);
    }
  });

  test.each(EACH_ENV)('%s: the ALB certificate covers the origin host and every color, in the region', (name, config) => {
    const zone = config.domain.zoneName;
    edge(name).hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: apiOriginHost(zone),
      SubjectAlternativeNames: [apiOriginColorHost(zone, 'blue'), apiOriginColorHost(zone, 'green')],
      ValidationMethod: 'DNS',
    });
  });

  test.each(EACH_ENV)('%s: the pipeline finds the regional WebACL ARN and the ALB log bucket in SSM', (name, config) => {
    edge(name).hasResourceProperties('AWS::SSM::Parameter', {
      Name: regionalWebAclArnParameterName(config.name),
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RegionalWebAcl'), 'Arn'] },
    });
    edge(name).hasResourceProperties('AWS::SSM::Parameter', {
      Name: albAccessLogsBucketParameterName(config.name),
      Value: Match.anyValue(),
    });
  });

  test('Shield Advanced is off by default (a paid subscription): no protection stack', () => {
    for (const [name] of EACH_ENV) expect(stage(name).edgeProtection).toBeUndefined();
  });
});

describe('EdgeStack on its own', () => {
  /** An Edge stack with stand-ins for its inputs (a zone, a certificate, two buckets). */
  function edgeStack(config: EnvironmentConfig): Template {
    const stage = new Stage(testApp(), config.stageName);
    const env = { account: config.account, region: config.region };
    const inputs = new Stack(stage, 'Inputs', { env });
    const stack = new EdgeStack(stage, 'Edge', {
      config,
      hostedZone: route53.PublicHostedZone.fromPublicHostedZoneAttributes(inputs, 'Zone', {
        hostedZoneId: 'Z0123456789ABCDEFGHIJ',
        zoneName: config.domain.zoneName,
      }),
      certificate: acm.Certificate.fromCertificateArn(inputs, 'Cert', `arn:aws:acm:us-east-1:${config.account}:certificate/test`),
      cloudFrontWebAclArn: `arn:aws:wafv2:us-east-1:${config.account}:global/webacl/test/id`,
      assetsBucket: s3.Bucket.fromBucketName(inputs, 'Assets', 'assets'),
      logsBucket: s3.Bucket.fromBucketName(inputs, 'Logs', 'logs'),
    });
    return Template.fromStack(stack);
  }

  test('a blue/green cut-over is a config change: green takes the traffic and becomes the primary health', () => {
    // WHEN config moves all weight to green
    const t = edgeStack(withValue(dev, 'edge.blueGreenWeights', { blue: 0, green: 100 }));
    // THEN the weights follow, and the primary health check watches green
    expect(recordsNamed(t, apiOriginPrimaryHost(dev.domain.zoneName)).map((r) => [r.SetIdentifier, r.Weight])).toEqual([
      ['blue', 0],
      ['green', 100],
    ]);
    t.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({
        Type: 'CALCULATED',
        ChildHealthChecks: [{ Ref: Match.stringLikeRegexp('ApiOriginGreenHealthCheck') }],
      }),
    });
  });

  test('failover without a DR region is refused with the config path', () => {
    const broken = withValue(withValue(prod, 'drRegion', undefined), 'edge.failoverToDr', true);
    expect(() => edgeStack(broken)).toThrow(
      'prod.edge.failoverToDr: true needs a drRegion to fail over to; set drRegion or turn failover off',
    );
  });

  test('the CSP admits the app, its API and the S3 host of the region, and nothing inline but styles', () => {
    const csp = contentSecurityPolicy(prod);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain(`connect-src 'self' https://${apiHost(prod)} https://*.s3.${prod.region}.amazonaws.com`);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
  });
});
