import { Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ALB_INGRESS_SOURCES, ALB_LISTENER_PORT, albSecurityGroupName } from '../../lib/config/alb-origin';
import {
  apiHost,
  apiOriginColorHost,
  apiOriginPrimaryHost,
  appHost,
  assetsBucketName,
  ORIGIN_VERIFY_HEADER,
  ORIGIN_VERIFY_RULE_NAME,
  VIEWER_IP_HEADER,
  wafLogGroupName,
  webAclName,
} from '../../lib/config/edge-names';
import { apiPathPatterns } from '../../lib/config/edge-routes';
import { dev, prod } from '../../lib/config/environments';
import { apiOriginHost } from '../../lib/config/naming';
import { servicesFor } from '../../lib/config/service-catalog';
import { EnvironmentConfig } from '../../lib/config/types';
import { RATE_LIMIT_RULE_NAME } from '../../lib/constructs/web-acl';
import { CLOUDFRONT_REGION } from '../../lib/stacks/edge-global-stack';
import { contentSecurityPolicy, EdgeStack } from '../../lib/stacks/edge-stack';
import { EACH_ENV, synthesizedApp } from '../app-fixture';
import { testApp, withValue } from '../helpers';

type Rule = {
  Name: string;
  Statement: {
    RateBasedStatement?: { Limit: number; ForwardedIPConfig?: { HeaderName: string } };
    ManagedRuleGroupStatement?: { Name: string };
  };
};

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
  const { stage, template, dependsOn } = synthesizedApp();
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
    '%s: both WebACLs evaluate IP reputation, the rate limit from config, common, bad inputs and SQLi; the REGIONAL one the origin header first',
    (name, config) => {
      const expected = [
        'AWSManagedRulesAmazonIpReputationList',
        RATE_LIMIT_RULE_NAME,
        'AWSManagedRulesCommonRuleSet',
        'AWSManagedRulesKnownBadInputsRuleSet',
        'AWSManagedRulesSQLiRuleSet',
      ];
      expect(webAclRules(global(name))).toEqual({ scope: 'CLOUDFRONT', names: expected, limit: config.edge.wafRateLimitPer5Minutes });
      expect(webAclRules(edge(name))).toEqual({
        scope: 'REGIONAL',
        names: [ORIGIN_VERIFY_RULE_NAME, ...expected],
        limit: config.edge.wafRateLimitPer5Minutes,
      });
    },
  );

  test.each(EACH_ENV)(
    '%s: the rate limits key on the client CloudFront sees: the source IP in front, the header CloudFront sets behind',
    (name) => {
      const rate = (t: Template) =>
        (Object.values(t.findResources('AWS::WAFv2::WebACL'))[0].Properties.Rules as Rule[]).find((r) => r.Name === RATE_LIMIT_RULE_NAME)!
          .Statement.RateBasedStatement;
      expect(rate(global(name))).toMatchObject({ AggregateKeyType: 'IP' });
      expect(rate(edge(name))).toMatchObject({
        AggregateKeyType: 'FORWARDED_IP',
        ForwardedIPConfig: { HeaderName: VIEWER_IP_HEADER, FallbackBehavior: 'NO_MATCH' },
      });
      // a header a client sets is never the key
      expect(JSON.stringify(rate(edge(name)))).not.toMatch(/X-Forwarded-For/i);
    },
  );

  test.each(EACH_ENV)(
    '%s: the REGIONAL WebACL requires the origin header CloudFront adds, from the same secret, except GET on the health path',
    (name, config) => {
      const acl = Object.values(edge(name).findResources('AWS::WAFv2::WebACL'))[0].Properties;
      expect(acl.Name).toBe(webAclName(config.name, 'REGIONAL'));
      const rule = acl.Rules[0];
      expect(rule).toMatchObject({ Name: ORIGIN_VERIFY_RULE_NAME, Priority: 0, Action: { Block: {} } });
      const [accepted, exempt] = rule.Statement.AndStatement.Statements;
      const dist = Object.values(edge(name).findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
      const sent = dist.Origins.find(
        (o: { DomainName: string }) => o.DomainName === apiOriginHost(config.domain.zoneName),
      ).OriginCustomHeaders;
      // THEN what CloudFront sends and what the WebACL accepts are the same dynamic reference: one secret, never a literal
      expect(sent).toEqual([
        { HeaderName: ORIGIN_VERIFY_HEADER, HeaderValue: accepted.NotStatement.Statement.ByteMatchStatement.SearchString },
      ]);
      expect(JSON.stringify(sent)).toMatch(/\{\{resolve:secretsmanager:.*:SecretString:current::\}\}/);
      expect(exempt.NotStatement.Statement.AndStatement.Statements[0].ByteMatchStatement.SearchString).toBe(config.edge.healthCheckPath);
    },
  );

  test.each(EACH_ENV)(
    '%s: the WebACLs log to log groups of stateful stacks, the origin header redacted, no samples of it',
    (name, config) => {
      // the log groups are not in the stateless stacks (a recreated stack would collide with its retained predecessor)
      global(name).resourceCountIs('AWS::Logs::LogGroup', 0);
      for (const group of Object.values(edge(name).findResources('AWS::Logs::LogGroup'))) {
        // only functions' log groups, named after generated function names: never a fixed name
        expect(typeof group.Properties.LogGroupName).not.toBe('string');
      }
      template(stage(name).edgeGlobalLogs).hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: wafLogGroupName(config.name, 'CLOUDFRONT'),
        RetentionInDays: config.edge.wafLogRetentionDays,
      });
      template(stage(name).data).hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: wafLogGroupName(config.name, 'REGIONAL'),
        RetentionInDays: config.edge.wafLogRetentionDays,
      });
      expect(stage(name).edgeGlobalLogs.region).toBe(CLOUDFRONT_REGION);
      expect(stage(name).edgeGlobalLogs.terminationProtection).toBe(config.stateful.terminationProtection);
      global(name).hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
        LogDestinationConfigs: [`arn:aws:logs:us-east-1:${config.account}:log-group:${wafLogGroupName(config.name, 'CLOUDFRONT')}`],
      });
      edge(name).hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
        LogDestinationConfigs: [`arn:aws:logs:${config.region}:${config.account}:log-group:${wafLogGroupName(config.name, 'REGIONAL')}`],
        RedactedFields: Match.arrayWith([{ SingleHeader: { Name: ORIGIN_VERIFY_HEADER.toLowerCase() } }]),
      });
      const regional = Object.values(edge(name).findResources('AWS::WAFv2::WebACL'))[0].Properties;
      expect(regional.VisibilityConfig.SampledRequestsEnabled).toBe(false);
    },
  );

  test.each(EACH_ENV)(
    '%s: the ALB security groups are in the VPC, named from config, each admitting one prefix list on 443 only',
    (name, config) => {
      const t = edge(name);
      const groups = t.findResources('AWS::EC2::SecurityGroup');
      const lookups = t.findResources('Custom::AWS');
      for (const source of ALB_INGRESS_SOURCES) {
        const sgName = albSecurityGroupName(config.name, source);
        const [id, group] = Object.entries(groups).find(([, g]) =>
          g.Properties.Tags.some((tag: { Key: string; Value: string }) => tag.Key === 'Name' && tag.Value === sgName),
        )!;
        expect(JSON.stringify(group.Properties.VpcId)).toContain('Network');
        // no inbound rule inline (no CIDR); one ingress rule from the prefix list the lookup returns
        expect(group.Properties.SecurityGroupIngress).toBeUndefined();
        const [lookupId, lookup] = Object.entries(lookups).find(([, l]) =>
          JSON.stringify(l.Properties.Create).includes(source.prefixListName(config.region)),
        )!;
        expect(JSON.parse(lookup.Properties.Create)).toMatchObject({
          service: 'EC2',
          action: 'describeManagedPrefixLists',
          parameters: { Filters: [{ Name: 'prefix-list-name', Values: [source.prefixListName(config.region)] }] },
        });
        t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
          GroupId: { 'Fn::GetAtt': [id, 'GroupId'] },
          SourcePrefixListId: { 'Fn::GetAtt': [lookupId, 'PrefixLists.0.PrefixListId'] },
          IpProtocol: 'tcp',
          FromPort: ALB_LISTENER_PORT,
          ToPort: ALB_LISTENER_PORT,
        });
      }
      t.resourceCountIs('AWS::EC2::SecurityGroupIngress', ALB_INGRESS_SOURCES.length);
      expect(JSON.stringify(t.toJSON())).not.toMatch(/0\.0\.0\.0\/0/);
    },
  );

  test.each(EACH_ENV)('%s: the prefix-list lookup may only describe managed prefix lists', (name) => {
    // GIVEN every policy of the role the lookups run as (the custom-resource provider's)
    const lookupRole = Object.keys(edge(name).findResources('AWS::IAM::Role')).find((id) => id.startsWith('AWS679f53fac'))!;
    const policies = Object.values(edge(name).findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes(lookupRole),
    );
    // THEN one per lookup, and nothing but the read of managed prefix lists
    expect(policies).toHaveLength(ALB_INGRESS_SOURCES.length);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual([
        { Action: 'ec2:DescribeManagedPrefixLists', Effect: 'Allow', Resource: '*' },
      ]);
    }
  });

  test.each(EACH_ENV)('%s: the distribution reads the CloudFront certificate and WebACL across regions, never a pasted ARN', (name) => {
    const c = Object.values(edge(name).findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    const fromGlobal = {
      'Fn::GetStackOutput': Match.objectLike({ StackName: stage(name).edgeGlobal.stackName, Region: CLOUDFRONT_REGION }),
    };
    expect(Match.objectLike(fromGlobal).test(c.ViewerCertificate.AcmCertificateArn).isSuccess).toBe(true);
    expect(Match.objectLike(fromGlobal).test(c.WebACLId).isSuccess).toBe(true);
    expect(dependsOn(stage(name).edge).map((s) => s.node.id)).toEqual(expect.arrayContaining(['EdgeGlobal', 'Dns', 'Data']));
  });

  test.each(EACH_ENV)(
    "%s: OAC for the assets bucket named from config, the catalog's API patterns, TLS 1.2+, the price class from config",
    (name, config) => {
      const t = edge(name);
      t.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
      t.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          Origins: Match.arrayWith([
            Match.objectLike({
              DomainName: `${assetsBucketName(config.name, config.account, config.region)}.s3.${config.region}.amazonaws.com`,
            }),
          ]),
        }),
      });
      t.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          Aliases: [appHost(config), apiHost(config)],
          PriceClass: config.edge.priceClass,
          ViewerCertificate: Match.objectLike({ MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' }),
          DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
          CacheBehaviors: apiPathPatterns(servicesFor(config.name)).map((pattern) =>
            Match.objectLike({ PathPattern: pattern, ViewerProtocolPolicy: 'https-only' }),
          ),
          Origins: Match.arrayWith([Match.objectLike({ DomainName: apiOriginHost(config.domain.zoneName) })]),
          Logging: Match.objectLike({ Prefix: `cloudfront/${config.name}/` }),
        }),
      });
    },
  );

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

  test.each(EACH_ENV)(
    '%s: weighted origin records of the live colors, with the weights from config, each health-checked',
    (name, config) => {
      const zone = config.domain.zoneName;
      const weighted = recordsNamed(edge(name), apiOriginPrimaryHost(zone));
      // GIVEN the shipped weights (blue takes everything): green has no cluster, so no record and no check
      expect(config.edge.blueGreenWeights.green).toBe(0);
      expect(weighted.map((r) => [r.SetIdentifier, r.ResourceRecords[0], r.Weight])).toEqual([
        ['blue', apiOriginColorHost(zone, 'blue'), config.edge.blueGreenWeights.blue],
      ]);
      edge(name).resourcePropertiesCountIs(
        'AWS::Route53::HealthCheck',
        { HealthCheckConfig: Match.objectLike({ FullyQualifiedDomainName: apiOriginColorHost(zone, 'green') }) },
        0,
      );
      for (const r of weighted) expect(r.HealthCheckId).toBeDefined();
      edge(name).hasResourceProperties('AWS::Route53::HealthCheck', {
        HealthCheckConfig: Match.objectLike({
          Type: 'HTTPS',
          FullyQualifiedDomainName: apiOriginColorHost(zone, 'blue'),
          ResourcePath: config.edge.healthCheckPath,
        }),
      });
    },
  );

  test.each(EACH_ENV)(
    '%s: the API origin is one CNAME to the weighted set: no failover record to a DR origin nothing creates',
    (name, config) => {
      // GIVEN a DR region that is a pilot light without an API origin (ADR 0008)
      const zone = config.domain.zoneName;
      const origin = recordsNamed(edge(name), apiOriginHost(zone));
      // THEN the origin name has one plain record, and no record of the zone fails over
      expect(origin.map((r) => [r.Failover, r.ResourceRecords[0]])).toEqual([[undefined, apiOriginPrimaryHost(zone)]]);
      expect(Object.values(edge(name).findResources('AWS::Route53::RecordSet')).filter((r) => r.Properties.Failover)).toEqual([]);
    },
  );

  test.each(EACH_ENV)('%s: the ALB certificate covers the origin host and every color, in the region', (name, config) => {
    const zone = config.domain.zoneName;
    edge(name).hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: apiOriginHost(zone),
      SubjectAlternativeNames: [apiOriginColorHost(zone, 'blue'), apiOriginColorHost(zone, 'green')],
      ValidationMethod: 'DNS',
    });
  });

  test.each(EACH_ENV)('%s: no SSM parameter for the ALB: the manifests name everything from config', (name) => {
    edge(name).resourceCountIs('AWS::SSM::Parameter', 0);
  });

  test.each(EACH_ENV)('%s: the origin header rotates on the schedule from config, not at deploy', (name, config) => {
    edge(name).hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: `rate(${config.edge.originVerifyRotationDays} days)` },
      RotateImmediatelyOnUpdate: false,
      RotationLambdaARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('OriginVerifyRotationHandler'), 'Arn'] },
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
      logsBucket: s3.Bucket.fromBucketName(inputs, 'Logs', 'logs'),
      vpc: ec2.Vpc.fromVpcAttributes(inputs, 'Vpc', { vpcId: 'vpc-12345678', availabilityZones: ['eu-west-1a'] }),
      services: servicesFor(config.name),
      originVerifySecret: secretsmanager.Secret.fromSecretCompleteArn(
        inputs,
        'OriginVerify',
        `arn:aws:secretsmanager:${config.region}:${config.account}:secret:origin-verify-AbCdEf`,
      ),
      regionalWebAclLogGroupName: 'aws-waf-logs-test',
    });
    return Template.fromStack(stack);
  }

  test('a blue/green cut-over is a config change: green gets a record and a health check, then takes the traffic', () => {
    // WHEN config gives green (a cluster brought up for the cut-over) a share of the traffic
    const split = edgeStack(withValue(dev, 'edge.blueGreenWeights', { blue: 90, green: 10 }));
    // THEN both colors are weighted and health-checked
    expect(recordsNamed(split, apiOriginPrimaryHost(dev.domain.zoneName)).map((r) => [r.SetIdentifier, r.Weight])).toEqual([
      ['blue', 90],
      ['green', 10],
    ]);
    // WHEN config moves all weight to green
    const t = edgeStack(withValue(dev, 'edge.blueGreenWeights', { blue: 0, green: 100 }));
    // THEN only green is left, and the primary health check watches it
    expect(recordsNamed(t, apiOriginPrimaryHost(dev.domain.zoneName)).map((r) => [r.SetIdentifier, r.Weight])).toEqual([['green', 100]]);
    t.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({
        Type: 'CALCULATED',
        ChildHealthChecks: [{ Ref: Match.stringLikeRegexp('ApiOriginGreenHealthCheck') }],
      }),
    });
  });

  test('the CSP admits the app, its API and the S3 host of the region, and nothing inline but styles', () => {
    const csp = contentSecurityPolicy(prod);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain(`connect-src 'self' https://${apiHost(prod)} https://*.s3.${prod.region}.amazonaws.com`);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
  });
});
