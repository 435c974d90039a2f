import { dev, ENVIRONMENTS, prod, staging } from '../../lib/config/environments';
import { formatProblems, validateEnvironments } from '../../lib/config/validate';
import { withValue, withValues } from '../helpers';

/** The environments with one of them changed. */
const replace = (changed: typeof dev) => ENVIRONMENTS.map((e) => (e.name === changed.name ? changed : e));

describe('domain.delegatedFrom validation', () => {
  test('the shipped delegation (dev and staging under prod) is valid', () => {
    expect(validateEnvironments(ENVIRONMENTS)).toEqual([]);
  });

  test.each<[string, Record<string, unknown>, string]>([
    [
      'an unknown environment',
      { 'domain.delegatedFrom': 'qa' },
      'dev.domain.delegatedFrom: "qa" is not an environment of this configuration; use one of dev, staging, prod, or remove delegatedFrom if the registrar delegates dev.example.com',
    ],
    ['not a name', { 'domain.delegatedFrom': 7 }, 'dev.domain.delegatedFrom: 7 is not an environment name; use one of dev, staging, prod'],
    [
      'itself',
      { 'domain.delegatedFrom': 'dev' },
      'dev.domain.delegatedFrom: "dev" is this environment; name the environment whose zone is the parent of dev.example.com',
    ],
    [
      'an environment whose zone is not a parent',
      { 'domain.delegatedFrom': 'staging' },
      'dev.domain.delegatedFrom: "staging" has the zone staging.example.com, which is not a parent of dev.example.com; name the environment whose zone dev.example.com ends with',
    ],
    [
      'a zone that only ends with the same letters',
      { 'domain.zoneName': 'devexample.com' },
      'dev.domain.delegatedFrom: "prod" has the zone example.com, which is not a parent of devexample.com; name the environment whose zone devexample.com ends with',
    ],
    [
      'an imported zone',
      { 'edge.hostedZoneId': 'Z0123456789ABCDEFGHIJ' },
      'dev.domain.delegatedFrom: is set together with edge.hostedZoneId; the name servers of an imported zone are not known at synth, so delegate it where it was created, or let the Dns stack create the zone',
    ],
  ])('%s is reported with the field and what is allowed', (_what, changes, message) => {
    // GIVEN dev with one delegation mistake WHEN the environments are validated THEN exactly that message
    expect(formatProblems(validateEnvironments(replace(withValues(dev, changes))))).toEqual(message);
  });

  test('a parent missing from a partial configuration is reported, naming the environments there are', () => {
    expect(formatProblems(validateEnvironments([staging]))).toEqual(
      'staging.domain.delegatedFrom: "prod" is not an environment of this configuration; use one of staging, or remove delegatedFrom if the registrar delegates staging.example.com',
    );
  });

  test('a malformed zone is reported once, by its own check, not again as a delegation problem', () => {
    expect(validateEnvironments(replace(withValue(dev, 'domain.zoneName', 'Dev..Example'))).map((p) => p.path)).toEqual([
      'dev.domain.zoneName',
    ]);
  });

  test('environments without a name or a domain are left to their own checks', () => {
    const problems = validateEnvironments([withValue(dev, 'name', undefined), withValue(prod, 'domain', undefined)]);
    expect(problems.filter((p) => p.path.endsWith('delegatedFrom'))).toEqual([]);
  });
});
