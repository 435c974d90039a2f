import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { ApiOriginRecords, ApiOriginRecordsProps } from '../../lib/constructs/api-origin-records';
import { testApp } from '../helpers';

const TARGETS = [
  { name: 'blue', host: 'api-origin-blue.example.com', weight: 100 },
  { name: 'green', host: 'api-origin-green.example.com', weight: 0 },
];

function synth(props: Partial<Omit<ApiOriginRecordsProps, 'zone'>> = {}): Template {
  const stack = new Stack(testApp(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const zone = route53.PublicHostedZone.fromPublicHostedZoneAttributes(stack, 'Zone', {
    hostedZoneId: 'Z0123456789ABC',
    zoneName: 'example.com',
  });
  new ApiOriginRecords(stack, 'Origin', {
    zone,
    originHost: 'api-origin.example.com',
    weightedHost: 'api-origin-primary.example.com',
    targets: TARGETS,
    healthCheckPath: '/api/healthz',
    ...props,
  });
  return Template.fromStack(stack);
}

const records = (t: Template, name: string) =>
  Object.values(t.findResources('AWS::Route53::RecordSet', { Properties: { Name: `${name}.` } })).map((r) => r.Properties);

describe('ApiOriginRecords', () => {
  describe('blue/green without failover', () => {
    // GIVEN blue at 100 and green at 0
    const template = synth();

    test('one weighted CNAME per color, with the weight from props and its own health check', () => {
      const weighted = records(template, 'api-origin-primary.example.com');
      expect(weighted.map((r) => [r.SetIdentifier, r.Weight, r.ResourceRecords, r.Type, r.TTL])).toEqual([
        ['blue', 100, ['api-origin-blue.example.com'], 'CNAME', '60'],
        ['green', 0, ['api-origin-green.example.com'], 'CNAME', '60'],
      ]);
      expect(weighted.map((r) => r.HealthCheckId)).toEqual([
        { Ref: expect.stringMatching(/^OriginBlueHealthCheck/) },
        { Ref: expect.stringMatching(/^OriginGreenHealthCheck/) },
      ]);
    });

    test('each color is checked over HTTPS on the health path, with SNI, by its own host name', () => {
      for (const target of TARGETS) {
        template.hasResourceProperties('AWS::Route53::HealthCheck', {
          HealthCheckConfig: Match.objectLike({
            Type: 'HTTPS',
            FullyQualifiedDomainName: target.host,
            Port: 443,
            ResourcePath: '/api/healthz',
            EnableSNI: true,
            RequestInterval: 30,
            FailureThreshold: 3,
          }),
        });
      }
    });

    test('the primary health is healthy while one color that receives traffic is (green at 0 does not count)', () => {
      template.hasResourceProperties('AWS::Route53::HealthCheck', {
        HealthCheckConfig: {
          Type: 'CALCULATED',
          HealthThreshold: 1,
          Inverted: false,
          ChildHealthChecks: [{ Ref: Match.stringLikeRegexp('OriginBlueHealthCheck') }],
        },
      });
    });

    test('the origin host is a plain CNAME to the weighted set', () => {
      expect(records(template, 'api-origin.example.com')).toEqual([
        expect.objectContaining({ Type: 'CNAME', ResourceRecords: ['api-origin-primary.example.com'], TTL: '60' }),
      ]);
      expect(records(template, 'api-origin.example.com')[0].Failover).toBeUndefined();
    });
  });

  describe('with failover to the DR region', () => {
    // GIVEN a DR origin
    const template = synth({ failoverHost: 'api-origin-eu-central-1.example.com' });

    test('PRIMARY is the weighted set with the calculated health check, SECONDARY the DR host with its own', () => {
      const pair = records(template, 'api-origin.example.com');
      expect(pair.map((r) => [r.Failover, r.SetIdentifier, r.ResourceRecords])).toEqual([
        ['PRIMARY', 'primary', ['api-origin-primary.example.com']],
        ['SECONDARY', 'secondary', ['api-origin-eu-central-1.example.com']],
      ]);
      expect(pair[0].HealthCheckId).toEqual({ Ref: expect.stringMatching(/^OriginPrimaryHealthCheck/) });
      expect(pair[1].HealthCheckId).toEqual({ Ref: expect.stringMatching(/^OriginFailoverHealthCheck/) });
      template.hasResourceProperties('AWS::Route53::HealthCheck', {
        HealthCheckConfig: Match.objectLike({
          Type: 'HTTPS',
          FullyQualifiedDomainName: 'api-origin-eu-central-1.example.com',
          ResourcePath: '/api/healthz',
        }),
      });
    });

    test('four health checks: two colors, the calculated primary, the DR origin', () => {
      template.resourceCountIs('AWS::Route53::HealthCheck', 4);
    });
  });

  test('a cut-over is a change of weights: green at 100 becomes the primary health', () => {
    const t = synth({
      targets: [
        { ...TARGETS[0], weight: 0 },
        { ...TARGETS[1], weight: 100 },
      ],
    });
    expect(records(t, 'api-origin-primary.example.com').map((r) => [r.SetIdentifier, r.Weight])).toEqual([
      ['blue', 0],
      ['green', 100],
    ]);
    t.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({
        Type: 'CALCULATED',
        ChildHealthChecks: [{ Ref: Match.stringLikeRegexp('OriginGreenHealthCheck') }],
      }),
    });
  });

  test.each([
    ['no targets', { targets: [] }, 'Test/Origin: targets is empty; give at least one weighted origin'],
    ['a name twice', { targets: [TARGETS[0], TARGETS[0]] }, 'Test/Origin: targets has "blue" twice; each target needs its own name'],
    [
      'a weight above 255',
      { targets: [{ ...TARGETS[0], weight: 256 }] },
      'Test/Origin: weight of "blue" is 256; use a whole number in 0..255',
    ],
    [
      'a negative weight',
      { targets: [{ ...TARGETS[0], weight: -1 }] },
      'Test/Origin: weight of "blue" is -1; use a whole number in 0..255',
    ],
    [
      'only zero weights',
      { targets: [{ ...TARGETS[0], weight: 0 }, TARGETS[1]] },
      'Test/Origin: every target has weight 0; at least one must receive traffic',
    ],
    [
      'a relative health path',
      { healthCheckPath: 'healthz' },
      'Test/Origin: healthCheckPath "healthz" is not an absolute path; use e.g. /api/healthz',
    ],
  ])('rejects %s', (_why, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});
