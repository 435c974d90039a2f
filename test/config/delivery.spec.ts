import { configProblems } from '../../bin/config-input';
import {
  DELIVERY,
  DIGEST_PATTERN,
  deployRoleName,
  digestReference,
  imageTag,
  migrationsImageTag,
  releaseRoleName,
  serviceGitOpsPath,
  serviceSource,
  servicesProjectName,
} from '../../lib/config/delivery';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { SERVICE_CATALOG } from '../../lib/config/service-catalog';
import { validateDelivery } from '../../lib/config/validate-delivery';

const COMMIT = 'a'.repeat(40);

describe('delivery names and conventions', () => {
  test('images are tagged with the commit; the migrations image of the same commit beside it', () => {
    expect(imageTag(COMMIT)).toBe(COMMIT);
    expect(migrationsImageTag(COMMIT)).toBe(`${COMMIT}-migrations`);
    expect(digestReference('r.example', 'web-api', `sha256:${'0'.repeat(64)}`)).toBe(`r.example/web-api@sha256:${'0'.repeat(64)}`);
    expect(DIGEST_PATTERN.test(`sha256:${'f'.repeat(64)}`)).toBe(true);
    expect(DIGEST_PATTERN.test('sha256:abc')).toBe(false);
  });

  test.each(ENVIRONMENTS.map((e) => [e.name, e] as const))(
    "%s: a service's Application reads its own directory under the environment's path",
    (_n, config) => {
      expect(serviceGitOpsPath(config.gitops, 'web-api')).toBe(`${config.gitops.path}/services/web-api`);
      expect(servicesProjectName(config.name)).toBe(`${config.name}-services`);
      expect(deployRoleName(config.name)).toBe(`saas-platform-${config.name}-deploy`);
    },
  );

  test('a service builds from services/<name>/', () => {
    expect(serviceSource('web-api')).toEqual({
      context: 'services/web-api',
      dockerfile: 'services/web-api/Dockerfile',
      migrations: 'services/web-api/migrations',
    });
    expect(releaseRoleName()).toBe('saas-platform-release');
  });
});

describe('delivery settings validation', () => {
  test('the shipped settings are valid, and are checked with the environments', () => {
    expect(validateDelivery(DELIVERY)).toEqual([]);
    expect(configProblems(ENVIRONMENTS, SERVICE_CATALOG)).toEqual([]);
  });

  test('every problem, one line each, naming the field, the value and what is allowed', () => {
    const problems = validateDelivery({
      ...DELIVERY,
      failOnSeverities: ['HIGH', 'SEVERE' as never],
      testDatabaseImage: 'postgres:16',
      syncTimeoutSeconds: 30,
      smokeAttempts: 0,
    });
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'delivery.failOnSeverities[1]: "SEVERE" is not a severity; use CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN',
      'delivery.failOnSeverities: must include CRITICAL; a critical vulnerability never ships',
      'delivery.testDatabaseImage: "postgres:16" is not PostgreSQL 17 from public.ecr.aws/docker/library/postgres; the integration tests run against the RDS major version',
      'delivery.syncTimeoutSeconds: 30 is out of range; use 60..3600',
      'delivery.smokeAttempts: 0 is out of range; use 1..30',
    ]);
  });

  test('an empty severity list would let everything through', () => {
    expect(validateDelivery({ ...DELIVERY, failOnSeverities: [] }).map((p) => `${p.path}: ${p.message}`)).toEqual([
      'delivery.failOnSeverities: is empty; name at least one of CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN (an empty list would let every image through)',
      'delivery.failOnSeverities: must include CRITICAL; a critical vulnerability never ships',
    ]);
  });
});
