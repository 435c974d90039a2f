import { delegationOrder, zoneDelegation } from '../../lib/config/dns-delegation';
import { dev, ENVIRONMENTS, prod, staging } from '../../lib/config/environments';
import { withValues } from '../helpers';

describe('zoneDelegation', () => {
  test('the apex delegates to every environment that names it as parent, each through its own role', () => {
    // GIVEN dev and staging delegated from prod WHEN prod's delegation is derived THEN one role per child, trusting its account
    expect(zoneDelegation('prod', ENVIRONMENTS)).toEqual({
      parent: undefined,
      children: [
        { environmentName: 'dev', zoneName: 'dev.example.com', account: dev.account, roleName: 'saas-platform-dev-zone-delegation' },
        {
          environmentName: 'staging',
          zoneName: 'staging.example.com',
          account: staging.account,
          roleName: 'saas-platform-staging-zone-delegation',
        },
      ],
    });
  });

  test("a child writes into its parent's zone through the role named after itself", () => {
    expect(zoneDelegation('dev', ENVIRONMENTS)).toEqual({
      parent: { environmentName: 'prod', zoneName: 'example.com', account: prod.account, roleName: 'saas-platform-dev-zone-delegation' },
      children: [],
    });
  });

  test('an unknown environment is a programming error', () => {
    expect(() => zoneDelegation('qa', ENVIRONMENTS)).toThrow('zoneDelegation: no environment named qa');
  });
});

describe('delegationOrder', () => {
  test('the parent deploys before its children; siblings keep their configured order', () => {
    expect(delegationOrder(ENVIRONMENTS)).toEqual(['prod', 'dev', 'staging']);
  });

  test('a chain deploys from the apex down', () => {
    // GIVEN qa.dev.example.com delegated from dev, itself delegated from prod
    const qa = withValues(dev, { name: 'qa', 'domain.zoneName': 'qa.dev.example.com', 'domain.delegatedFrom': 'dev' });
    expect(delegationOrder([qa, dev, prod])).toEqual(['prod', 'dev', 'qa']);
  });

  test('a parent that is not configured counts as the apex (validation reports it)', () => {
    expect(delegationOrder([dev])).toEqual(['dev']);
  });

  test('a cycle (refused by validation) still yields every environment once', () => {
    const a = withValues(dev, { name: 'a', 'domain.delegatedFrom': 'b' });
    const b = withValues(dev, { name: 'b', 'domain.delegatedFrom': 'a' });
    expect(delegationOrder([a, b]).sort()).toEqual(['a', 'b']);
  });
});
