/**
 * Config errors a user can act on (issue 15): unknown keys at every level with the nearest valid
 * key, bounds that come from another field, RDS classes checked against the pinned list, one
 * account per environment, ingress prefixes that do not shadow one another, secrets declared in
 * the owning service's entry, and overrides by tier. Every message is asserted whole.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main as appMain } from '../../bin/app';
import { configProblems } from '../../bin/config-input';
import { main as schemaMain } from '../../bin/schema';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { TEAM } from '../../lib/config/team';
import { SERVICE_CATALOG, SERVICE_CATALOG_SOURCE, normalizeCatalog, servicesFor } from '../../lib/config/service-catalog';
import { editDistance, nearest, unknownKeyMessage, withSuggestion } from '../../lib/config/suggest';
import { formatProblems, validateEnvironments } from '../../lib/config/validate';
import { validateServices } from '../../lib/config/validate-services';
import RDS from '../../lib/config/schema/rds-instance-classes.json';
import NODE from '../../lib/config/schema/node-instance-types.json';
import { NODE_FAMILIES } from '../../lib/config/instance-types';
import { withValue } from '../helpers';

const [dev, staging, prod] = ENVIRONMENTS;
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value));
/** Every problem of the environments and catalog, as the CLI prints them. */
const problems = (environments: unknown = ENVIRONMENTS, catalog: unknown = SERVICE_CATALOG) =>
  formatProblems(configProblems(environments, catalog)).split('\n').filter(Boolean);
/** The environments with one value of one environment moved to a mistyped key. */
const renamed = (envIndex: number, dotted: string, typo: string) => {
  const envs = copy(ENVIRONMENTS) as unknown as Record<string, unknown>[];
  const keys = dotted.split('.');
  let node = envs[envIndex] as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = keys[keys.length - 1];
  node[typo] = node[last];
  delete node[last];
  return envs;
};

describe('did you mean', () => {
  test.each<[string, string, number]>([
    ['pathPrefx', 'pathPrefix', 1],
    ['prdo', 'prod', 1],
    ['PathPrefix', 'pathPrefix', 0],
    ['abc', 'xyz', 3],
  ])('%s is %s edit(s) from %s', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });

  test('the nearest candidate within a third of the key; none when nothing is near', () => {
    expect(nearest('scalng', ['resources', 'scaling'])).toBe('scaling');
    expect(nearest('zzzzzz', ['resources', 'scaling'])).toBeUndefined();
    expect(unknownKeyMessage('zzzzzz', ['a', 'b'])).toBe('unknown key; use one of a, b');
    expect(withSuggestion('zzzzzz', ['a'], 'bad')).toBe('bad');
  });
});

describe('unknown keys, at every level of the environments', () => {
  test.each<[number, string, string, string]>([
    // top level
    [2, 'observability', 'observabilty', 'prod.observabilty: unknown key; did you mean "observability"?'],
    // one level down
    [
      0,
      'database.instanceClass',
      'instanceClas',
      'dev.database.instanceClass'.replace('instanceClass', 'instanceClas') + ': unknown key; did you mean "instanceClass"?',
    ],
    // two levels down
    [
      1,
      'database.proxy.borrowTimeoutSeconds',
      'borowTimeoutSeconds',
      'staging.database.proxy.borowTimeoutSeconds: unknown key; did you mean "borrowTimeoutSeconds"?',
    ],
    // in a list
    [0, 'observability.synthetics.flows.0.path', 'pth', 'dev.observability.synthetics.flows[0].pth: unknown key; did you mean "path"?'],
  ])('env %i: %s written as %s is reported with the nearest key, and not as missing', (index, field, typo, message) => {
    // GIVEN a valid field moved to a mistyped key WHEN validated THEN the one problem is the typo, not "missing"
    expect(problems(renamed(index, field, typo))).toEqual([message]);
  });

  test('a key near no valid key lists the valid keys', () => {
    const envs = withValue(ENVIRONMENTS, '0.network.colour', 'blue');
    expect(problems(envs)).toEqual([
      'dev.network.colour: unknown key; use one of vpcCidr, availabilityZones, natGateways, flowLogRetentionDays, interfaceEndpoints',
    ]);
  });

  test('through the app: the message, exit code 1, nothing synthesized, no stack trace', () => {
    // GIVEN a config file holding dev alone, its region under a mistyped key
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-errors-'));
    const alone = withValue(renamed(0, 'region', 'regoin')[0], 'domain.delegatedFrom', undefined);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify([alone]));
    const outdir = path.join(dir, 'cdk.out');
    fs.mkdirSync(outdir);
    const lines: string[] = [];
    const previous = process.env.CDK_OUTDIR;
    process.env.CDK_OUTDIR = outdir;
    try {
      // WHEN the app runs
      const code = appMain({ PLATFORM_CONFIG_FILE: path.join(dir, 'config.json') }, (l) => lines.push(l));
      // THEN one problem, the typo, and nothing else
      expect(code).toBe(1);
      expect(lines).toEqual(['Configuration has 1 problem(s); nothing was synthesized:\ndev.regoin: unknown key; did you mean "region"?']);
      expect(lines.join('\n')).not.toMatch(/\n\s+at /);
      expect(fs.readdirSync(outdir)).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.CDK_OUTDIR;
      else process.env.CDK_OUTDIR = previous;
    }
  });
});

describe('unknown keys, at every level of the service catalog', () => {
  const withService = (name: string, dotted: string, value: unknown) => {
    const catalog = copy(SERVICE_CATALOG) as unknown as { services: Record<string, unknown>[] };
    const i = catalog.services.findIndex((s) => s.name === name);
    catalog.services[i] = withValue(catalog.services[i], dotted, value);
    return catalog;
  };
  const webApi = SERVICE_CATALOG.services.find((s) => s.name === 'web-api')!;

  test.each<[string, unknown, string]>([
    ['scaling.minReplica', 2, 'services.web-api.scaling.minReplica: unknown key; did you mean "minReplicas"?'],
    ['health.readynessPath', '/x', 'services.web-api.health.readynessPath: unknown key; did you mean "readinessPath"?'],
  ])('services.web-api.%s = %j', (field, value, message) => {
    expect(problems(ENVIRONMENTS, withService('web-api', field, value))).toEqual([message]);
  });

  test('ingress.pathPrefx: the typo first, no "missing"; what the lost route breaks follows', () => {
    const lines = problems(ENVIRONMENTS, withService('web-api', 'ingress', { pathPrefx: webApi.ingress!.pathPrefix }));
    expect(lines[0]).toBe('services.web-api.ingress.pathPrefx: unknown key; did you mean "pathPrefix"?');
    expect(lines.filter((l) => l.includes('missing'))).toEqual([]);
  });

  test("a service field: the validator's own message, with the nearest field", () => {
    const catalog = withService('web-api', 'ingres', webApi.ingress);
    delete (catalog.services[0] as Record<string, unknown>).ingress;
    expect(problems(ENVIRONMENTS, catalog)[0]).toMatch(
      /^services\.web-api\.ingres: is not a field of a service; use one of name, .*; did you mean "ingress"\?$/,
    );
  });

  test('inside an override', () => {
    const catalog = withValue(SERVICE_CATALOG, 'overrides.production.web-api', { scaling: { maxReplica: 9 } });
    expect(problems(ENVIRONMENTS, catalog)).toEqual([
      'overrides.production.web-api.scaling.maxReplica: unknown key; did you mean "maxReplicas"?',
    ]);
  });

  test('the catalog itself', () => {
    expect(problems(ENVIRONMENTS, { ...SERVICE_CATALOG, overides: {} })).toEqual([
      'catalog.overides: unknown key; did you mean "overrides"?',
    ]);
  });
});

describe('unknown keys and names in the team roster', () => {
  const teamProblems = (team: unknown) => formatProblems(configProblems(ENVIRONMENTS, SERVICE_CATALOG, undefined, team)).split('\n');

  test('a mistyped field of a person: the nearest field, not "missing"', () => {
    const team = copy(TEAM) as unknown as { people: Record<string, unknown>[] };
    team.people[0].emial = team.people[0].email;
    delete team.people[0].email;
    expect(teamProblems(team)).toEqual([
      'team.people[0].emial: is not a field of a person; use one of userName, email, groups, breakGlass, departed; did you mean "email"?',
    ]);
  });

  test('a mistyped field of a permission set: the nearest field', () => {
    const name = Object.keys(TEAM.permissionSets)[0];
    const team = withValue(TEAM, `permissionSets.${name}.sessionHour`, 1);
    expect(teamProblems(team)).toEqual([`team.permissionSets.${name}.sessionHour: unknown key; did you mean "sessionHours"?`]);
  });

  test('a mistyped environment of access: the nearest environment', () => {
    const team = withValue(TEAM, `access.${staging.name}x`, TEAM.access[staging.name]);
    expect(teamProblems(team)).toEqual([
      `team.access.${staging.name}x: "${staging.name}x" is not an environment; use one of ${ENVIRONMENTS.map((e) => e.name).join(', ')}; did you mean "${staging.name}"?`,
    ]);
  });
});

describe('bounds that come from another field name it', () => {
  test.each<[string, unknown, string]>([
    [
      'database.maxAllocatedStorageGiB',
      150,
      `prod.database.maxAllocatedStorageGiB: 150 is below allocatedStorageGiB ${prod.database.allocatedStorageGiB}: storage autoscaling grows from the allocated storage; use ${prod.database.allocatedStorageGiB}..65536`,
    ],
  ])('prod.%s = %j', (field, value, message) => {
    expect(formatProblems(validateEnvironments(withValue(ENVIRONMENTS, `2.${field}`, value)))).toBe(message);
  });

  test('desiredSize below minSize', () => {
    const group = 'workloads' as const;
    const min = prod.kubernetes.nodeGroups[group].minSize;
    const envs = withValue(ENVIRONMENTS, `2.kubernetes.nodeGroups.${group}.desiredSize`, min - 1);
    expect(formatProblems(validateEnvironments(envs))).toBe(
      `prod.kubernetes.nodeGroups.${group}.desiredSize: ${min - 1} is below minSize ${min}; use ${min}..${prod.kubernetes.nodeGroups[group].maxSize}`,
    );
  });
});

describe('RDS instance classes are checked against the pinned list', () => {
  test('a class that does not exist: our message, the families, the nearest class', () => {
    const families = [...new Set(RDS.classes.map((c) => c.split('.')[0]))].join(', ');
    expect(formatProblems(validateEnvironments(withValue(ENVIRONMENTS, '0.database.instanceClass', 'r7g.larg')))).toBe(
      `dev.database.instanceClass: "r7g.larg" is not an RDS instance class for PostgreSQL; use <family>.<size> of a family ${families}, e.g. r7g.large (every class: lib/config/schema/rds-instance-classes.json); did you mean "r7g.large"?`,
    );
  });

  test('every environment uses a pinned class, and the pin is from the validator aws-cdk-lib bundles now', () => {
    for (const env of ENVIRONMENTS) expect(RDS.classes).toContain(env.database.instanceClass);
    const bundled = path.join(
      path.dirname(require.resolve('aws-cdk-lib/package.json')),
      'node_modules/@aws/cloudformation-validate/package.json',
    );
    expect(RDS.validatorVersion).toBe(JSON.parse(fs.readFileSync(bundled, 'utf8')).version);
  });
});

describe('node instance types are checked against the pinned list', () => {
  test('a size the family does not have: our message, the sizes, the nearest type', () => {
    const types = NODE.types.m7g;
    const envs = withValue(ENVIRONMENTS, '2.kubernetes.nodeGroups.workloads.instanceTypes', ['m7g.xlarg']);
    expect(formatProblems(validateEnvironments(envs))).toBe(
      `prod.kubernetes.nodeGroups.workloads.instanceTypes[0]: "m7g.xlarg" is not an EC2 instance type; use one of ${types.join(', ')}; did you mean "m7g.xlarge"?`,
    );
  });

  test('every node family has pinned types, every environment uses them, and the pin is from the bundled validator', () => {
    const pinned = NODE.types as Record<string, string[]>;
    for (const family of NODE_FAMILIES) expect(pinned[family]?.length).toBeGreaterThan(0);
    for (const env of ENVIRONMENTS)
      for (const group of Object.values(env.kubernetes.nodeGroups))
        for (const type of group.instanceTypes) expect(pinned[type.split('.')[0]]).toContain(type);
    expect(NODE.validatorVersion).toBe(RDS.validatorVersion);
  });
});

describe('one account per environment', () => {
  test('two environments in one account are reported on the second', () => {
    const envs = withValue(ENVIRONMENTS, '1.account', dev.account);
    expect(formatProblems(validateEnvironments(envs))).toBe(
      `staging.account: "${dev.account}" is already the account of dev; give each environment its own account (one account's IAM, quotas and budgets cannot keep environments apart)`,
    );
  });
});

describe('ingress prefixes do not shadow one another', () => {
  test("a prefix under another service's prefix is reported on the inner one", () => {
    // GIVEN a service routed under web-api's prefix
    const inner = `${webApiPrefix()}/notifications`;
    const catalog = withValue(SERVICE_CATALOG, 'services.1.ingress.pathPrefix', inner);
    const name = SERVICE_CATALOG.services[1].name;
    expect(formatProblems(validateServices(catalog, ENVIRONMENTS))).toBe(
      `services.${name}.ingress.pathPrefix: "${inner}" is under "${webApiPrefix()}" of web-api, which would then lose those paths; use a prefix no other service's prefix contains`,
    );
  });

  test('a shared first segment is not shadowing (/api and /apiv2)', () => {
    const catalog = withValue(SERVICE_CATALOG, 'services.1.ingress.pathPrefix', `${webApiPrefix()}v2`);
    expect(validateServices(catalog, ENVIRONMENTS)).toEqual([]);
  });
  function webApiPrefix() {
    return SERVICE_CATALOG.services.find((s) => s.name === 'web-api')!.ingress!.pathPrefix;
  }
});

describe('a secret is declared in the entry of the service that owns it', () => {
  const source = () =>
    copy(SERVICE_CATALOG_SOURCE) as unknown as { secrets: object; services: Record<string, unknown>[]; overrides: object };

  test("a new secret in one edit: declared in the entry, it joins the catalog's secrets and the service lists it", () => {
    // GIVEN worker declaring a new secret in its own entry
    const written = source();
    const worker = written.services.findIndex((s) => s.name === 'worker');
    written.services[worker].secrets = [{ name: 'smtp-password', description: 'SMTP password of the mail relay' }];
    // WHEN normalized THEN it is a catalog secret, listed by name, and the catalog is valid
    const catalog = normalizeCatalog(written as never);
    expect(catalog.secrets['smtp-password']).toEqual({ description: 'SMTP password of the mail relay' });
    expect(catalog.services[worker].secrets).toEqual(['smtp-password']);
    expect(problems(ENVIRONMENTS, catalog)).toEqual([]);
  });

  test('a problem of a declared secret is reported where it was written', () => {
    const written = source();
    written.services[3].secrets = [{ name: 'smtp-password', description: '' }];
    const name = written.services[3].name;
    expect(formatProblems(validateServices(normalizeCatalog(written as never), ENVIRONMENTS))).toBe(
      `services.${name}.secrets[0].description: "" is not valid; say what the secret holds`,
    );
  });

  test('a name declared twice is reported on the second declaration', () => {
    const written = source();
    const owner = SERVICE_CATALOG.services.findIndex((s) => (s.secrets ?? []).length > 0);
    const secret = SERVICE_CATALOG.services[owner].secrets![0];
    written.services[3].secrets = [{ name: secret, description: 'again' }];
    expect(formatProblems(validateServices(normalizeCatalog(written as never), ENVIRONMENTS))).toBe(
      `services.${written.services[3].name}.secrets[0].name: "${secret}" is already declared at services.${SERVICE_CATALOG.services[owner].name}.secrets[0]; declare a secret once and list it by name elsewhere`,
    );
  });

  test('an unknown secret name gets the nearest declared one', () => {
    const secret = Object.keys(SERVICE_CATALOG.secrets)[0];
    const typo = `${secret}x`;
    const catalog = withValue(SERVICE_CATALOG, 'services.3.secrets', [typo]);
    expect(formatProblems(validateServices(catalog, ENVIRONMENTS))).toBe(
      `services.${SERVICE_CATALOG.services[3].name}.secrets[0]: "${typo}" is not a known secret; use one of ${Object.keys(SERVICE_CATALOG.secrets).join(', ')}, or declare it here as { name, description }; did you mean "${secret}"?`,
    );
  });
});

describe('overrides by tier: a new environment inherits them deliberately', () => {
  test.each(ENVIRONMENTS.map((e) => [e.name, e.tier] as const))(
    "a new environment of %s's tier (%s) gets the same services",
    (name, tier) => {
      // GIVEN a new environment of the same tier, with no overrides of its own
      const twin = { ...ENVIRONMENTS.find((e) => e.name === name)!, name: `${name}-two` };
      // THEN its services are those of the existing environment of the tier
      expect(servicesFor(twin)).toEqual(servicesFor({ name, tier }));
    },
  );

  test("an environment's own key applies over its tier's, field by field", () => {
    const tierOverride = SERVICE_CATALOG.overrides.production?.['web-api'];
    const catalog = withValue(SERVICE_CATALOG, 'overrides.prod-eu', { 'web-api': { scaling: { maxReplicas: 99 } } });
    const web = servicesFor({ name: 'prod-eu', tier: 'production' }, catalog).find((s) => s.name === 'web-api')!;
    expect(web.scaling.maxReplicas).toBe(99);
    expect(web.scaling.minReplicas).toBe(tierOverride?.scaling?.minReplicas ?? webApiDefault().scaling.minReplicas);
  });
  const webApiDefault = () => SERVICE_CATALOG.services.find((s) => s.name === 'web-api')!;
});

describe('generated files are current', () => {
  test('the JSON Schemas match the types (npm run schema; the RDS pin is checked by validator version above)', () => {
    const lines: string[] = [];
    expect(schemaMain(['--check', '--no-pins'], (l) => lines.push(l))).toBe(0);
    expect(lines).toEqual(['schemas are up to date']);
  }, 60_000);
});
