import { Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { dev, prod } from '../../lib/config/environments';
import { DnsStack } from '../../lib/stacks/dns-stack';
import { EACH_ENV, synthesizedApp } from '../app-fixture';
import { testApp, withValue } from '../helpers';

describe('DnsStack', () => {
  const { stage, template } = synthesizedApp();

  test.each(EACH_ENV)('%s: a public hosted zone for the environment domain', (name, config) => {
    template(stage(name).dns).hasResourceProperties('AWS::Route53::HostedZone', { Name: `${config.domain.zoneName}.` });
  });

  test.each([
    ['dev', 'Delete', false],
    ['staging', 'Retain', true],
    ['prod', 'Retain', true],
  ])(
    '%s: the zone has DeletionPolicy %s and termination protection %s (new name servers break delegation)',
    (name, policy, protectedStack) => {
      template(stage(name).dns).hasResource('AWS::Route53::HostedZone', { DeletionPolicy: policy });
      expect(stage(name).dns.terminationProtection).toBe(protectedStack);
    },
  );

  test('an existing zone is imported by ID from config instead of created', () => {
    const app = testApp();
    const stack = new DnsStack(new Stage(app, 'Prod'), 'Dns', { config: withValue(prod, 'edge.hostedZoneId', 'Z0123456789ABCDEFGHIJ') });
    Template.fromStack(stack).resourceCountIs('AWS::Route53::HostedZone', 0);
    expect(stack.hostedZone.hostedZoneId).toBe('Z0123456789ABCDEFGHIJ');
    expect(stack.hostedZone.zoneName).toBe(prod.domain.zoneName);
    expect(dev.edge.hostedZoneId).toBeUndefined();
  });
});
