import { ALB_INGRESS_SOURCES, albSecurityGroupName, albSecurityGroupNames, SECURITY_GROUP_RULES_QUOTA } from '../../lib/config/alb-origin';

describe('ALB origin sources', () => {
  test('CloudFront (global list) and the Route 53 health checkers of the region, one group each', () => {
    expect(ALB_INGRESS_SOURCES.map((s) => s.prefixListName('eu-west-1'))).toEqual([
      'com.amazonaws.global.cloudfront.origin-facing',
      'com.amazonaws.eu-west-1.route53-healthchecks',
    ]);
    expect(albSecurityGroupNames('prod')).toEqual(['saas-platform-prod-alb-cloudfront', 'saas-platform-prod-alb-healthchecks']);
  });

  test('each group (one prefix list) stays within the rules quota a prefix-list reference counts its weight against', () => {
    for (const source of ALB_INGRESS_SOURCES) expect(source.weight).toBeLessThanOrEqual(SECURITY_GROUP_RULES_QUOTA);
  });

  test('names are never taken for security group IDs by the controller (no sg- prefix) and are unique', () => {
    const names = ['dev', 'staging', 'prod'].flatMap((env) => albSecurityGroupNames(env));
    expect(names.filter((n) => n.startsWith('sg-'))).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
    expect(albSecurityGroupName('dev', { key: 'cloudfront' })).toBe('saas-platform-dev-alb-cloudfront');
  });
});
