import { ENVIRONMENTS } from '../../lib/config/environments';
import { PLATFORM_RESOURCE_NAMES } from '../../lib/config/platform-resources';
import { OVERRIDE_TIERS as TIERS, SECRETS, SERVICES, SERVICE_CATALOG, ServiceCatalog } from '../../lib/config/service-catalog';
import { ConfigValidationError, formatProblems } from '../../lib/config/validate';
import { assertValidServices, validateServices } from '../../lib/config/validate-services';
import { withValue } from '../helpers';

/** The catalog's service names, in catalog order (the "use one of" lists name them so). */
const SERVICE_NAMES = SERVICE_CATALOG.services.map((s) => s.name);

/** A deep copy of the catalog with one field of one service replaced (or deleted with `undefined`). */
const withServiceValue = (service: string, field: string, value: unknown): ServiceCatalog => {
  const copy = JSON.parse(JSON.stringify(SERVICE_CATALOG)) as { services: Record<string, unknown>[] };
  const index = copy.services.findIndex((s) => s.name === service);
  copy.services[index] = withValue(copy.services[index], field, value);
  return copy as unknown as ServiceCatalog;
};
const check = (catalog: unknown) => formatProblems(validateServices(catalog, ENVIRONMENTS));
const check2 = (catalog: unknown, environments: typeof ENVIRONMENTS) => formatProblems(validateServices(catalog, environments));

describe('validateServices', () => {
  test('the shipped catalog is valid in every environment', () => {
    // GIVEN the committed catalog and environments WHEN validated THEN nothing is reported
    expect(validateServices(SERVICE_CATALOG, ENVIRONMENTS)).toEqual([]);
  });

  // Each row: the service to break, the field, the bad value, and the exact message the user sees.
  test.each<[string, string, unknown, string]>([
    // port clash
    [
      'payment-service',
      'metricsPort',
      8080,
      'services.payment-service.metricsPort: 8080 clashes with port 8080; leave metricsPort out to serve /metrics on the service port, or use another port',
    ],
    ['web-api', 'port', 80, 'services.web-api.port: 80 is too low; use 1024..65535'],
    // min > max
    [
      'payment-service',
      'scaling.minReplicas',
      13,
      'services.payment-service.scaling.minReplicas: 13 is more than maxReplicas 12; minReplicas must not exceed maxReplicas',
    ],
    ['worker', 'scaling.maxReplicas', 0, 'services.worker.scaling.maxReplicas: 0 is too low; use 1..100'],
    ['worker', 'scaling.targetCpuPercent', 99, 'services.worker.scaling.targetCpuPercent: 99 is too high; use 10..95'],
    // canary steps
    [
      'web-api',
      'rollout.steps',
      [{ weightPercent: 10 }, { weightPercent: 50 }, { weightPercent: 25 }, { weightPercent: 100 }],
      "services.web-api.rollout.steps[2].weightPercent: 25 is not more than the previous step's 50; canary weights must increase",
    ],
    [
      'web-api',
      'rollout.steps',
      [{ weightPercent: 10, analysis: true }, { weightPercent: 50 }],
      'services.web-api.rollout.steps: the last step sends 50% of traffic; it must send 100%',
    ],
    [
      'web-api',
      'rollout.steps',
      [],
      'services.web-api.rollout.steps: [] is not a list of steps; give e.g. [{ weightPercent: 10, analysis: true }, { weightPercent: 100 }]',
    ],
    [
      'web-api',
      'rollout.steps',
      [{ weightPercent: 0 }, { weightPercent: 100 }],
      'services.web-api.rollout.steps[0].weightPercent: 0 is too low; use 1..100',
    ],
    [
      'web-api',
      'rollout.steps',
      [5, { weightPercent: 100 }],
      'services.web-api.rollout.steps[0]: 5 is not a step; give { weightPercent, analysis?, pauseSeconds? }',
    ],
    [
      'web-api',
      'rollout.steps',
      [
        { weightPercent: 10, analysis: 'yes' },
        { weightPercent: 100, pauseSeconds: -1 },
      ],
      'services.web-api.rollout.steps[0].analysis: "yes" is not a boolean; use true or false\nservices.web-api.rollout.steps[1].pauseSeconds: -1 is too low; use 0..86400',
    ],
    ['web-api', 'rollout.analysis', { failureLimit: 11 }, 'services.web-api.rollout.analysis.failureLimit: 11 is too high; use 0..10'],
    [
      'web-api',
      'rollout.analysis',
      'strict',
      'services.web-api.rollout.analysis: "strict" is not an object; expected the analysis settings',
    ],
    ['web-api', 'rollout.maxSurgePercent', 0, 'services.web-api.rollout.maxSurgePercent: 0 is too low; use 1..100'],
    [
      'worker',
      'rollout',
      { strategy: 'canary', steps: [{ weightPercent: 100 }] },
      'services.worker.rollout.strategy: "canary" needs ingress: traffic is split at the ALB; add ingress or use rolling',
    ],
    [
      'auth-service',
      'rollout.scaleDownDelaySeconds',
      7200,
      'services.auth-service.rollout.scaleDownDelaySeconds: 7200 is too high; use 0..3600',
    ],
    // unknown strategy
    [
      'worker',
      'rollout.strategy',
      'recreate',
      'services.worker.rollout.strategy: "recreate" is not allowed; use one of rolling, canary, blueGreen',
    ],
    ['worker', 'rollout', undefined, 'services.worker.rollout: missing is not an object; expected the rollout settings'],
    // SLO outside (0, 100)
    [
      'web-api',
      'slo.availabilityPercent',
      100,
      'services.web-api.slo.availabilityPercent: 100 is outside (0, 100); use a percentage such as 99.9 (100 leaves no error budget)',
    ],
    [
      'web-api',
      'slo.availabilityPercent',
      0,
      'services.web-api.slo.availabilityPercent: 0 is outside (0, 100); use a percentage such as 99.9 (100 leaves no error budget)',
    ],
    [
      'web-api',
      'slo.availabilityPercent',
      '99.9',
      'services.web-api.slo.availabilityPercent: "99.9" is outside (0, 100); use a percentage such as 99.9 (100 leaves no error budget)',
    ],
    ['web-api', 'slo.latencyP95Millis', 0, 'services.web-api.slo.latencyP95Millis: 0 is too low; use 1..60000'],
    ['web-api', 'slo.latencyP99Millis', 0, 'services.web-api.slo.latencyP99Millis: 0 is too low; use 1..60000'],
    // the p99 objective is slower than the p95 one (web-api: p95 200 ms)
    [
      'web-api',
      'slo.latencyP99Millis',
      200,
      'services.web-api.slo.latencyP99Millis: 200 is not above latencyP95Millis (200); the 99th percentile objective must be slower than the 95th',
    ],
    // unknown secret
    [
      'web-api',
      'secrets',
      ['jwt-signing-key', 'stripe-key'],
      `services.web-api.secrets[1]: "stripe-key" is not a known secret; use one of ${Object.keys(SECRETS).join(', ')}, or declare it here as { name, description }`,
    ],
    [
      'web-api',
      'secrets',
      ['jwt-signing-key', 'jwt-signing-key'],
      'services.web-api.secrets[1]: "jwt-signing-key" is listed twice; each secret once',
    ],
    // platform resources
    [
      'web-api',
      'aws',
      ['uploads', 'mainframe'],
      `services.web-api.aws[1]: "mainframe" is not a platform resource; use one of ${PLATFORM_RESOURCE_NAMES.join(', ')}`,
    ],
    ['web-api', 'aws', ['uploads', 'uploads'], 'services.web-api.aws[1]: "uploads" is listed twice; each resource once'],
    ['web-api', 'aws', 'uploads', 'services.web-api.aws: "uploads" is not a list'],
    // a variable the platform sets
    [
      'web-api',
      'env',
      { DATABASE_HOST: 'localhost' },
      'services.web-api.env.DATABASE_HOST: is set by the platform (from database and aws); use another name',
    ],
    // bad service name
    [
      'worker',
      'name',
      'Worker_1',
      'services[3].name: "Worker_1" is not valid; use a DNS label of 2..40 lower-case letters, digits or dashes\n' +
        // the dev overrides still name the old service
        `overrides.development.worker: is not a service of the catalog; use one of ${SERVICE_NAMES.filter((n) => n !== 'worker').join(', ')}`,
    ],
    ['worker', 'team', '', 'services.worker.team: "" is not valid; use a team slug of 2..40 lower-case letters, digits or dashes'],
    // image
    ['worker', 'image.tag', 'latest', 'services.worker.image.tag: "latest" is not allowed; use an immutable release tag such as 1.4.2'],
    ['worker', 'image.tag', 'v1 beta', 'services.worker.image.tag: "v1 beta" is not valid; use an image tag such as 1.4.2'],
    [
      'worker',
      'image.repository',
      'Worker',
      'services.worker.image.repository: "Worker" is not valid; use an ECR repository name such as web-api',
    ],
    // health, resources, drain
    [
      'worker',
      'health.readinessPath',
      'ready',
      'services.worker.health.readinessPath: "ready" is not valid; use an absolute HTTP path such as /health/ready',
    ],
    ['worker', 'health.startupTimeoutSeconds', 5, 'services.worker.health.startupTimeoutSeconds: 5 is too low; use 10..600'],
    [
      'payment-service',
      'resources.memoryLimitMiB',
      256,
      'services.payment-service.resources.memoryLimitMiB: 256 is below the request memoryMiB 512; a limit is at least the request',
    ],
    [
      'payment-service',
      'resources.cpuLimitMillis',
      100,
      'services.payment-service.resources.cpuLimitMillis: 100 is below the request cpuMillis 250; a limit is at least the request',
    ],
    [
      'payment-service',
      'drain.terminationGracePeriodSeconds',
      15,
      'services.payment-service.drain.terminationGracePeriodSeconds: 15 is not more than preStopSleepSeconds 15; the pod needs time to finish requests after the sleep',
    ],
    // env, ingress, calls, flags
    [
      'web-api',
      'env',
      { DB_PASSWORD: 'hunter2' },
      'services.web-api.env.DB_PASSWORD: looks like a secret; put the value in Secrets Manager and list it under secrets',
    ],
    [
      'web-api',
      'env',
      { 'log-level': 'info' },
      'services.web-api.env.log-level: is not a valid variable name; use upper-case letters, digits and underscores',
    ],
    ['web-api', 'env', { LOG_LEVEL: 3 }, 'services.web-api.env.LOG_LEVEL: 3 is not a string'],
    [
      'auth-service',
      'ingress.pathPrefix',
      '/api',
      'services.auth-service.ingress.pathPrefix: "/api" is already routed to web-api; each service needs its own path',
    ],
    [
      'auth-service',
      'ingress.pathPrefix',
      '/auth/',
      'services.auth-service.ingress.pathPrefix: "/auth/" is not valid; use a lower-case absolute path without a trailing slash, such as /api',
    ],
    [
      'web-api',
      'calls',
      ['billing'],
      `services.web-api.calls[0]: "billing" is not a service of the catalog; use one of ${SERVICE_NAMES.join(', ')}`,
    ],
    ['web-api', 'calls', ['web-api'], 'services.web-api.calls[0]: "web-api" is the service itself; list the services it calls'],
    ['web-api', 'database', 'yes', 'services.web-api.database: "yes" is not a boolean; use true or false'],
    ['web-api', 'priority', 'high', 'services.web-api.priority: "high" is not allowed; use one of critical, standard, background'],
    [
      'web-api',
      'replicas',
      3,
      'services.web-api.replicas: is not a field of a service; use one of name, team, namespace, image, port, metricsPort, health, resources, scaling, rollout, slo, secrets, env, ingress, calls, database, aws, kubernetesApi, priority, drain',
    ],
    // namespace of each environment
    [
      'worker',
      'namespace',
      'batch',
      'dev.services.worker.namespace: "batch" is not a workload namespace of dev; use one of apps\n' +
        'staging.services.worker.namespace: "batch" is not a workload namespace of staging; use one of apps\n' +
        'prod.services.worker.namespace: "batch" is not a workload namespace of prod; use one of apps',
    ],
  ])('%s.%s = %j is reported', (service, field, value, message) => {
    // GIVEN the catalog with one malformed field WHEN validated THEN exactly that problem is reported, naming service and field
    expect(check(withServiceValue(service, field, value))).toEqual(message);
  });

  test('a service name used twice is reported on the second', () => {
    const catalog = withServiceValue('worker', 'name', 'web-api');
    expect(check(catalog).split('\n')).toContain('services.web-api.name: "web-api" is already used by services[0]; names are unique');
  });

  test.each([
    [
      'postgres',
      'services.postgres.name: "postgres" is not allowed for a service with database: true: its database user postgres is not a service\'s (postgres, rdsadmin); use another name',
    ],
    [
      'rdsadmin',
      'services.rdsadmin.name: "rdsadmin" is not allowed for a service with database: true: its database user rdsadmin is not a service\'s (postgres, rdsadmin); use another name',
    ],
    [
      'restore-check',
      'services.restore-check.name: "restore-check" is not allowed for a service with database: true: its schema restore_check is the restore check\'s (owned by the master user); use another name',
    ],
    [
      'pg-monitor',
      'services.pg-monitor.name: "pg-monitor" is not allowed for a service with database: true: PostgreSQL reserves database users beginning with pg_ (pg_monitor); use another name',
    ],
  ])("a service with a database named %s is reported: its database user cannot be a service's", (name, message) => {
    // GIVEN a service with a database whose user would be the master user, RDS's administrator or a reserved name
    const worker = SERVICE_CATALOG.services.find((x) => x.name === 'worker')!;
    expect(worker.database).toBe(true);
    const catalog = {
      ...SERVICE_CATALOG,
      services: [...SERVICE_CATALOG.services, { ...worker, name, image: { ...worker.image, repository: name } }],
    };
    // THEN exactly that problem is reported; without a database the name is fine
    expect(check(catalog)).toEqual(message);
    expect(
      check({
        ...catalog,
        services: [...SERVICE_CATALOG.services, { ...worker, name, database: false, image: { ...worker.image, repository: name } }],
      }),
    ).toEqual('');
  });

  test('production needs two pods; development may run one', () => {
    // GIVEN prod overriding payment-service down to one pod
    const catalog = withValue(SERVICE_CATALOG, 'overrides.production.payment-service.scaling.minReplicas', 1);
    // THEN only prod is reported, under the environment's name
    expect(check(catalog)).toEqual(
      'prod.services.payment-service.scaling.minReplicas: 1 is too low in production; use at least 2 so that a drained node or zone leaves a pod serving',
    );
  });

  test.each<[string, unknown, string]>([
    [
      'overrides.qa',
      { 'web-api': {} },
      `overrides.qa: is not a tier or an environment; use one of ${[...new Set([...TIERS, ...ENVIRONMENTS.map((e) => e.name)])].join(', ')}`,
    ],
    [
      'overrides.production.billing',
      {},
      `overrides.production.billing: is not a service of the catalog; use one of ${SERVICE_NAMES.join(', ')}`,
    ],
    ['overrides.production.web-api', 3, 'overrides.production.web-api: 3 is not an object; give { imageTag?, scaling?, resources? }'],
    [
      'overrides.production.web-api.rollout',
      { strategy: 'rolling' },
      'overrides.production.web-api.rollout: cannot be overridden per environment; use imageTag, scaling, resources',
    ],
    // the merged value is checked, under the environment that sets it
    [
      'overrides.development.worker.imageTag',
      'latest',
      'dev.services.worker.image.tag: "latest" is not allowed; use an immutable release tag such as 1.4.2',
    ],
    [
      'overrides.production.web-api.scaling.minReplicas',
      70,
      'prod.services.web-api.scaling.minReplicas: 70 is more than maxReplicas 60; minReplicas must not exceed maxReplicas',
    ],
    ['overrides.development.worker.scaling', 2, 'overrides.development.worker.scaling: 2 is not an object; expected the scaling settings'],
    ['overrides.staging', [], 'overrides.staging: [] is not an object; give { <service>: { imageTag?, scaling?, resources? } }'],
  ])('%s = %j is reported', (field, value, message) => {
    expect(check(withValue(SERVICE_CATALOG, field, value))).toEqual(message);
  });

  test('overrides of environments that exist but are not synthesized are not errors; a typo of one gets the nearest name', () => {
    const onlyDev = ENVIRONMENTS.filter((e) => e.name === 'dev');
    const byName = withValue(withValue(SERVICE_CATALOG, 'overrides.prod', {}), 'overrides.prod.web-api', {});
    expect(validateServices(byName, onlyDev, { otherEnvironmentNames: ['staging', 'prod'] })).toEqual([]);
    expect(formatProblems(validateServices(byName, onlyDev))).toEqual(
      'overrides.prod: is not a tier or an environment; use one of development, staging, production, dev',
    );
    const typo = withValue(SERVICE_CATALOG, 'overrides.prd', {});
    expect(formatProblems(validateServices(typo, onlyDev, { otherEnvironmentNames: ['staging', 'prod'] }))).toEqual(
      'overrides.prd: is not a tier or an environment; use one of development, staging, production, dev, prod; did you mean "prod"?',
    );
  });

  test("an environment inherits its tier's overrides, and its own key applies over them", () => {
    // GIVEN a second production environment, with an own override only for web-api's minimum
    const eu = { ...ENVIRONMENTS.find((e) => e.tier === 'production')!, name: 'prod-eu' };
    const catalog = withValue(SERVICE_CATALOG, 'overrides.prod-eu', { 'web-api': { scaling: { minReplicas: 1 } } });
    // WHEN validated THEN the merged value (tier's maximum, own minimum) is checked under prod-eu
    expect(check2(catalog, [eu])).toEqual(
      'prod-eu.services.web-api.scaling.minReplicas: 1 is too low in production; use at least 2 so that a drained node or zone leaves a pod serving',
    );
  });

  test.each<[string, unknown, string]>([
    [
      'overrides.production.web-api.scalng',
      {},
      'overrides.production.web-api.scalng: cannot be overridden per environment; use imageTag, scaling, resources; did you mean "scaling"?',
    ],
    [
      'overrides.production.web-apj',
      {},
      `overrides.production.web-apj: is not a service of the catalog; use one of ${SERVICES.map((s) => s.name).join(', ')}; did you mean "web-api"?`,
    ],
  ])('a typo in %s gets the nearest valid name', (field, value, message) => {
    expect(check(withValue(SERVICE_CATALOG, field, value))).toEqual(message);
  });

  test.each<[string, unknown, string]>([
    ['secrets.Bad_Name', { description: 'x' }, 'secrets.Bad_Name: is not a valid secret name; use lower-case letters, digits and dashes'],
    [
      'secrets.webhook-signing-secret-v2',
      { description: 'x' },
      'secrets.webhook-signing-secret-v2: starts with "webhook-signing-secret", the platform\'s webhook signing secret (read by its functions, not by services); choose another name',
    ],
    ['secrets.stripe', { description: '' }, 'secrets.stripe.description: "" is not valid; say what the secret holds'],
    ['secrets.stripe', 'key', 'secrets.stripe: "key" is not an object; give { description, properties? }'],
    [
      'secrets.stripe',
      { description: 'x', properties: ['API Key'] },
      'secrets.stripe.properties[0]: "API Key" is not valid; use a lower-case JSON key such as password',
    ],
  ])('secret %s = %j is reported', (field, value, message) => {
    expect(check(withValue(SERVICE_CATALOG, field, value))).toEqual(message);
  });

  test.each<[unknown, string]>([
    [null, 'catalog: null is not a catalog; give { secrets, services, overrides }'],
    [{ secrets: {}, overrides: {} }, 'catalog.services: missing is not a list of services'],
    [{ services: [], overrides: {} }, 'catalog.secrets: missing is not an object; expected the secrets settings'],
    [{ secrets: {}, services: [7], overrides: {} }, 'services[0]: 7 is not a service; give { name, team, image, port, ... }'],
  ])('a malformed catalog %j is reported, not thrown', (catalog, message) => {
    expect(check(catalog)).toEqual(message);
  });

  test('every problem of a catalog is reported at once', () => {
    // GIVEN three independent mistakes in two services
    let catalog = withServiceValue('web-api', 'slo.availabilityPercent', 101);
    catalog = withValue(catalog, 'services.3.port', 22);
    catalog = withValue(catalog, 'services.3.secrets', ['nope']);
    // THEN all three come back, in catalog order
    expect(validateServices(catalog, ENVIRONMENTS).map((p) => p.path)).toEqual([
      'services.web-api.slo.availabilityPercent',
      'services.worker.port',
      'services.worker.secrets[0]',
    ]);
  });

  test('assertValidServices throws one ConfigValidationError listing every problem, or returns the catalog', () => {
    expect(assertValidServices(SERVICE_CATALOG, ENVIRONMENTS)).toBe(SERVICE_CATALOG);
    const broken = withServiceValue('web-api', 'port', 1);
    expect(() => assertValidServices(broken, ENVIRONMENTS)).toThrow(ConfigValidationError);
    expect(() => assertValidServices(broken, ENVIRONMENTS)).toThrow('services.web-api.port: 1 is too low; use 1024..65535');
  });
});
