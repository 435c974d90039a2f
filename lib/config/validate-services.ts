/**
 * Validation of the service catalog: pure, reports every problem at once, in the same
 * `{ path, message }` shape as the environment validator. A path names the service and the field,
 * e.g. `services.payment-service.scaling.minReplicas`; a problem that only one environment's
 * overrides cause is reported under that environment, e.g. `prod.services.web-api.scaling.minReplicas`.
 */
import { RESTORE_CHECK_TABLE } from './backup';
import { WEBHOOK_SIGNING_SECRET_KEY } from './edge-names';
import { matchesIngressPrefix } from './edge-routes';
import { DEFAULT_WORKLOAD_NAMESPACE, NON_SERVICE_DATABASE_USERS, databaseUserName } from './naming';
import { PLATFORM_RESOURCE_NAMES, PLATFORM_VARIABLES } from './platform-resources';
import {
  OVERRIDE_TIERS,
  ROLLOUT_STRATEGIES,
  SECRET_ROTATIONS,
  SERVICE_DEFAULTS,
  SERVICE_PRIORITIES,
  ServiceCatalog,
  ServiceOverride,
  ServiceSpec,
  applyOverride,
  overrideFor,
} from './service-catalog';
import { withSuggestion } from './suggest';
import { ConfigProblem, ConfigValidationError } from './validate';

/** What the catalog validator needs to know of an environment. */
export interface ServiceEnvironment {
  readonly name: string;
  readonly tier: string;
  readonly kubernetes: { readonly workloadNamespaces: readonly string[] };
}

type Obj = Record<string, unknown>;

const SERVICE_NAME = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
const SECRET_NAME = /^[a-z][a-z0-9-]{0,62}[a-z0-9]$/;
const PROPERTY = /^[a-z][a-z0-9_]{0,62}$/;
const TEAM = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
const REPOSITORY = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const HTTP_PATH = /^\/[A-Za-z0-9._~/-]*$/;
const PATH_PREFIX = /^\/[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const SECRET_LIKE = /(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|CREDENTIAL)/;
const OVERRIDABLE = ['imageTag', 'scaling', 'resources'] as const;
const SERVICE_KEYS = [
  'name',
  'team',
  'namespace',
  'image',
  'port',
  'metricsPort',
  'health',
  'resources',
  'scaling',
  'rollout',
  'slo',
  'secrets',
  'env',
  'ingress',
  'calls',
  'database',
  'aws',
  'kubernetesApi',
  'priority',
  'drain',
];

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (v === undefined ? 'missing' : JSON.stringify(v));
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** Collects the problems under one root path (`services.web-api`, `prod.services.web-api`...). */
class Problems {
  constructor(
    readonly list: ConfigProblem[],
    readonly root: string,
  ) {}

  add(field: string, message: string): void {
    this.list.push({ path: field ? `${this.root}.${field}` : this.root, message });
  }

  /** A whole number in min..max, or undefined (reported) when the value is something else. */
  int(obj: Obj, field: string, key: string, min: number, max: number, optional = false): number | undefined {
    const v = obj[key];
    if (optional && v === undefined) return undefined;
    if (isInt(v) && v >= min && v <= max) return v;
    const why = isInt(v) ? (v < min ? 'is too low' : 'is too high') : 'is not a whole number';
    this.add(join(field, key), `${show(v)} ${why}; use ${min}..${max}`);
    return undefined;
  }

  text(obj: Obj, field: string, key: string, pattern: RegExp, allowed: string, optional = false): string | undefined {
    const v = obj[key];
    if (optional && v === undefined) return undefined;
    if (typeof v === 'string' && pattern.test(v)) return v;
    this.add(join(field, key), `${show(v)} is not valid; use ${allowed}`);
    return undefined;
  }

  oneOf(obj: Obj, field: string, key: string, allowed: readonly string[], optional = false): string | undefined {
    const v = obj[key];
    if (optional && v === undefined) return undefined;
    if (typeof v === 'string' && allowed.includes(v)) return v;
    this.add(join(field, key), `${show(v)} is not allowed; use one of ${allowed.join(', ')}`);
    return undefined;
  }

  bool(obj: Obj, key: string): void {
    const v = obj[key];
    if (v !== undefined && typeof v !== 'boolean') this.add(key, `${show(v)} is not a boolean; use true or false`);
  }

  object(obj: Obj, key: string, optional = false): Obj | undefined {
    const v = obj[key];
    if (optional && v === undefined) return undefined;
    if (isObj(v)) return v;
    this.add(key, `${show(v)} is not an object; expected the ${key} settings`);
    return undefined;
  }

  items(obj: Obj, key: string): unknown[] {
    const v = obj[key];
    if (v === undefined) return [];
    if (Array.isArray(v)) return v;
    this.add(key, `${show(v)} is not a list`);
    return [];
  }
}

const join = (field: string, key: string): string => (field ? `${field}.${key}` : key);

/** What the checks of one service may look up. */
interface Context {
  /** Every secret the catalog declares: `secrets` and the declarations in service entries. */
  readonly secretNames: readonly string[];
  /** Where each secret was declared first: `secrets.<name>`, or the entry item that declared it. */
  readonly firstDeclared: ReadonlyMap<string, string>;
  readonly serviceNames: readonly string[];
  /** Set in the per-environment pass only. */
  readonly environment?: ServiceEnvironment;
}

/**
 * A service with a database logs in as `databaseUserName(name)`: never a user that is not a
 * service's (the master user, RDS's administrator: the proxy's role is denied those), nor the
 * restore check's schema (the user owns a schema of its name), nor a name PostgreSQL reserves
 * (`pg_...`: CREATE ROLE fails at deploy time).
 */
function checkDatabaseUser(p: Problems, name: string): void {
  const user = databaseUserName(name);
  if (NON_SERVICE_DATABASE_USERS.includes(user)) {
    p.add(
      'name',
      `${show(name)} is not allowed for a service with database: true: its database user ${user} is not a service's (${NON_SERVICE_DATABASE_USERS.join(', ')}); use another name`,
    );
  } else if (user === RESTORE_CHECK_TABLE.schema) {
    p.add(
      'name',
      `${show(name)} is not allowed for a service with database: true: its schema ${user} is the restore check's (owned by the master user); use another name`,
    );
  } else if (user.startsWith('pg_')) {
    p.add(
      'name',
      `${show(name)} is not allowed for a service with database: true: PostgreSQL reserves database users beginning with pg_ (${user}); use another name`,
    );
  }
}

function checkService(s: Obj, p: Problems, ctx: Context): void {
  for (const key of Object.keys(s)) {
    if (!SERVICE_KEYS.includes(key))
      p.add(key, withSuggestion(key, SERVICE_KEYS, `is not a field of a service; use one of ${SERVICE_KEYS.join(', ')}`));
  }
  p.text(s, '', 'name', SERVICE_NAME, 'a DNS label of 2..40 lower-case letters, digits or dashes');
  p.text(s, '', 'team', TEAM, 'a team slug of 2..40 lower-case letters, digits or dashes');

  const image = p.object(s, 'image');
  if (image) {
    p.text(image, 'image', 'repository', REPOSITORY, 'an ECR repository name such as web-api');
    checkTag(p, 'image.tag', image.tag);
  }

  const port = p.int(s, '', 'port', 1024, 65535);
  const metricsPort = p.int(s, '', 'metricsPort', 1024, 65535, true);
  if (port !== undefined && metricsPort === port) {
    p.add(
      'metricsPort',
      `${metricsPort} clashes with port ${port}; leave metricsPort out to serve /metrics on the service port, or use another port`,
    );
  }

  const health = p.object(s, 'health');
  if (health) {
    for (const key of ['readinessPath', 'livenessPath'])
      p.text(health, 'health', key, HTTP_PATH, 'an absolute HTTP path such as /health/ready');
    p.text(health, 'health', 'startupPath', HTTP_PATH, 'an absolute HTTP path such as /health/started', true);
    p.int(health, 'health', 'startupTimeoutSeconds', 10, 600, true);
  }

  const resources = p.object(s, 'resources');
  if (resources) {
    const cpu = p.int(resources, 'resources', 'cpuMillis', 10, 16000);
    const memory = p.int(resources, 'resources', 'memoryMiB', 16, 65536);
    const cpuLimit = p.int(resources, 'resources', 'cpuLimitMillis', 10, 32000, true);
    const memoryLimit = p.int(resources, 'resources', 'memoryLimitMiB', 16, 131072, true);
    if (cpu !== undefined && cpuLimit !== undefined && cpuLimit < cpu) {
      p.add('resources.cpuLimitMillis', `${cpuLimit} is below the request cpuMillis ${cpu}; a limit is at least the request`);
    }
    if (memory !== undefined && memoryLimit !== undefined && memoryLimit < memory) {
      p.add('resources.memoryLimitMiB', `${memoryLimit} is below the request memoryMiB ${memory}; a limit is at least the request`);
    }
  }

  const scaling = p.object(s, 'scaling');
  if (scaling) {
    const min = p.int(scaling, 'scaling', 'minReplicas', 1, 100);
    const max = p.int(scaling, 'scaling', 'maxReplicas', 1, 100);
    if (min !== undefined && max !== undefined && min > max) {
      p.add('scaling.minReplicas', `${min} is more than maxReplicas ${max}; minReplicas must not exceed maxReplicas`);
    }
    const tier = ctx.environment?.tier;
    if (min !== undefined && min < 2 && tier !== undefined && tier !== 'development') {
      p.add('scaling.minReplicas', `${min} is too low in ${tier}; use at least 2 so that a drained node or zone leaves a pod serving`);
    }
    p.int(scaling, 'scaling', 'targetCpuPercent', 10, 95, true);
    p.int(scaling, 'scaling', 'targetMemoryPercent', 10, 95, true);
    p.int(scaling, 'scaling', 'scaleDownStabilizationSeconds', 0, 3600, true);
  }

  checkRollout(s, p);

  const slo = p.object(s, 'slo');
  if (slo) {
    const a = slo.availabilityPercent;
    if (typeof a !== 'number' || !Number.isFinite(a) || a <= 0 || a >= 100) {
      p.add('slo.availabilityPercent', `${show(a)} is outside (0, 100); use a percentage such as 99.9 (100 leaves no error budget)`);
    }
    const p95 = p.int(slo, 'slo', 'latencyP95Millis', 1, 60000);
    const p99 = p.int(slo, 'slo', 'latencyP99Millis', 1, 60000, true);
    if (p95 !== undefined && p99 !== undefined && p99 <= p95) {
      p.add(
        'slo.latencyP99Millis',
        `${p99} is not above latencyP95Millis (${p95}); the 99th percentile objective must be slower than the 95th`,
      );
    }
  }

  p.items(s, 'secrets').forEach((name, i) => {
    if (isObj(name)) {
      checkDeclaration(name, p, `secrets[${i}]`, ctx);
    } else if (typeof name !== 'string' || !ctx.secretNames.includes(name)) {
      p.add(
        `secrets[${i}]`,
        withSuggestion(
          String(name),
          ctx.secretNames,
          `${show(name)} is not a known secret; use one of ${ctx.secretNames.join(', ')}, or declare it here as { name, description }`,
        ),
      );
    } else if ((s.secrets as unknown[]).indexOf(name) !== i) {
      p.add(`secrets[${i}]`, `${show(name)} is listed twice; each secret once`);
    }
  });

  const env = p.object(s, 'env', true);
  for (const [key, value] of Object.entries(env ?? {})) {
    if (!ENV_NAME.test(key)) p.add(`env.${key}`, 'is not a valid variable name; use upper-case letters, digits and underscores');
    else if (PLATFORM_VARIABLES.includes(key)) p.add(`env.${key}`, 'is set by the platform (from database and aws); use another name');
    else if (SECRET_LIKE.test(key)) p.add(`env.${key}`, 'looks like a secret; put the value in Secrets Manager and list it under secrets');
    else if (typeof value !== 'string') p.add(`env.${key}`, `${show(value)} is not a string`);
  }

  const ingress = p.object(s, 'ingress', true);
  if (ingress) p.text(ingress, 'ingress', 'pathPrefix', PATH_PREFIX, 'a lower-case absolute path without a trailing slash, such as /api');

  p.items(s, 'calls').forEach((name, i) => {
    if (name === s.name) p.add(`calls[${i}]`, `${show(name)} is the service itself; list the services it calls`);
    else if (typeof name !== 'string' || !ctx.serviceNames.includes(name)) {
      p.add(`calls[${i}]`, `${show(name)} is not a service of the catalog; use one of ${ctx.serviceNames.join(', ')}`);
    }
  });
  for (const key of ['database', 'kubernetesApi']) p.bool(s, key);
  if (s.database === true && typeof s.name === 'string' && SERVICE_NAME.test(s.name)) checkDatabaseUser(p, s.name);
  p.items(s, 'aws').forEach((name, i) => {
    if (typeof name !== 'string' || !(PLATFORM_RESOURCE_NAMES as readonly string[]).includes(name)) {
      p.add(`aws[${i}]`, `${show(name)} is not a platform resource; use one of ${PLATFORM_RESOURCE_NAMES.join(', ')}`);
    } else if ((s.aws as unknown[]).indexOf(name) !== i) {
      p.add(`aws[${i}]`, `${show(name)} is listed twice; each resource once`);
    }
  });
  p.oneOf(s, '', 'priority', SERVICE_PRIORITIES, true);

  const drain = p.object(s, 'drain', true);
  if (drain) {
    const sleep = p.int(drain, 'drain', 'preStopSleepSeconds', 0, 120, true) ?? SERVICE_DEFAULTS.preStopSleepSeconds;
    const grace = p.int(drain, 'drain', 'terminationGracePeriodSeconds', 1, 600, true) ?? SERVICE_DEFAULTS.terminationGracePeriodSeconds;
    if (grace <= sleep) {
      p.add(
        'drain.terminationGracePeriodSeconds',
        `${grace} is not more than preStopSleepSeconds ${sleep}; the pod needs time to finish requests after the sleep`,
      );
    }
  }

  const environment = ctx.environment;
  if (environment) {
    const namespace = s.namespace ?? DEFAULT_WORKLOAD_NAMESPACE;
    const allowed = environment.kubernetes.workloadNamespaces;
    if (typeof namespace !== 'string' || !allowed.includes(namespace)) {
      const given = s.namespace === undefined ? `missing (defaults to "${DEFAULT_WORKLOAD_NAMESPACE}")` : show(namespace);
      p.add('namespace', `${given} is not a workload namespace of ${environment.name}; use one of ${allowed.join(', ')}`);
    }
  }
}

function checkTag(p: Problems, path: string, tag: unknown): void {
  if (tag === 'latest') p.add(path, '"latest" is not allowed; use an immutable release tag such as 1.4.2');
  else if (typeof tag !== 'string' || !TAG.test(tag)) p.add(path, `${show(tag)} is not valid; use an image tag such as 1.4.2`);
}

function checkRollout(s: Obj, p: Problems): void {
  const rollout = p.object(s, 'rollout');
  if (!rollout) return;
  const strategy = p.oneOf(rollout, 'rollout', 'strategy', ROLLOUT_STRATEGIES);
  p.int(rollout, 'rollout', 'maxSurgePercent', 1, 100, true);
  const analysis = isObj(rollout.analysis) ? rollout.analysis : undefined;
  if (rollout.analysis !== undefined && !analysis)
    p.add('rollout.analysis', `${show(rollout.analysis)} is not an object; expected the analysis settings`);
  if (analysis) {
    p.int(analysis, 'rollout.analysis', 'intervalSeconds', 30, 600, true);
    p.int(analysis, 'rollout.analysis', 'count', 1, 60, true);
    p.int(analysis, 'rollout.analysis', 'failureLimit', 0, 10, true);
  }
  if (strategy === 'canary') {
    if (!isObj(s.ingress)) {
      p.add('rollout.strategy', '"canary" needs ingress: traffic is split at the ALB; add ingress or use rolling');
    }
    const steps = rollout.steps;
    if (!Array.isArray(steps) || steps.length === 0) {
      p.add(
        'rollout.steps',
        `${show(steps)} is not a list of steps; give e.g. [{ weightPercent: 10, analysis: true }, { weightPercent: 100 }]`,
      );
      return;
    }
    let previous: number | undefined;
    steps.forEach((step, i) => {
      const field = `rollout.steps[${i}]`;
      if (!isObj(step)) {
        p.add(field, `${show(step)} is not a step; give { weightPercent, analysis?, pauseSeconds? }`);
        return;
      }
      const weight = p.int(step, field, 'weightPercent', 1, 100);
      if (weight !== undefined && previous !== undefined && weight <= previous) {
        p.add(`${field}.weightPercent`, `${weight} is not more than the previous step's ${previous}; canary weights must increase`);
      }
      if (weight !== undefined) previous = weight;
      p.int(step, field, 'pauseSeconds', 0, 86400, true);
      if (step.analysis !== undefined && typeof step.analysis !== 'boolean')
        p.add(`${field}.analysis`, `${show(step.analysis)} is not a boolean; use true or false`);
    });
    const last = steps[steps.length - 1];
    if (isObj(last) && isInt(last.weightPercent) && last.weightPercent !== 100) {
      p.add('rollout.steps', `the last step sends ${last.weightPercent}% of traffic; it must send 100%`);
    }
  } else if (strategy === 'blueGreen') {
    p.int(rollout, 'rollout', 'scaleDownDelaySeconds', 0, 3600, true);
  }
}

/** The description, properties and rotation of one secret, under `p` at `field`. */
function checkSecretSpec(secret: Obj, p: Problems, field: string): void {
  if (typeof secret.description !== 'string' || secret.description === '')
    p.add(join(field, 'description'), `${show(secret.description)} is not valid; say what the secret holds`);
  p.items(secret, join(field, 'properties')).forEach((prop, i) => {
    if (typeof prop !== 'string' || !PROPERTY.test(prop))
      p.add(join(field, `properties[${i}]`), `${show(prop)} is not valid; use a lower-case JSON key such as password`);
  });
  if (secret.rotation !== undefined) {
    if (typeof secret.rotation !== 'string' || !(SECRET_ROTATIONS as readonly string[]).includes(secret.rotation))
      p.add(
        join(field, 'rotation'),
        `${show(secret.rotation)} is not a rotation the platform runs; use one of ${SECRET_ROTATIONS.join(', ')}, or leave it out`,
      );
    else if (secret.properties !== undefined)
      p.add(join(field, 'properties'), `a ${secret.rotation} secret has a fixed shape ({ current, previous }); leave properties out`);
  }
}

/** A secret declared in a service's entry that is still there: one the catalog was not normalized from, or a clash. */
function checkDeclaration(declaration: Obj, p: Problems, field: string, ctx: Context): void {
  const name = declaration.name;
  if (typeof name !== 'string' || !SECRET_NAME.test(name)) {
    p.add(join(field, 'name'), `${show(name)} is not a valid secret name; use lower-case letters, digits and dashes`);
  } else if (ctx.firstDeclared.get(name) !== `${p.root}.${field}`) {
    p.add(
      join(field, 'name'),
      `${show(name)} is already declared at ${ctx.firstDeclared.get(name)}; declare a secret once and list it by name elsewhere`,
    );
  }
  checkSecretSpec(declaration, p, field);
}

/** The catalog's `secrets`; those a service declared are reported where they were declared. */
function checkSecrets(secrets: Obj, problems: ConfigProblem[], declaredAt: (name: string) => string | undefined): void {
  for (const [name, secret] of Object.entries(secrets)) {
    const site = declaredAt(name);
    const p = new Problems(problems, site ?? `secrets.${name}`);
    if (!SECRET_NAME.test(name)) p.add(site ? 'name' : '', 'is not a valid secret name; use lower-case letters, digits and dashes');
    else if (name.startsWith(WEBHOOK_SIGNING_SECRET_KEY))
      p.add(
        site ? 'name' : '',
        `starts with ${show(WEBHOOK_SIGNING_SECRET_KEY)}, the platform's webhook signing secret (read by its functions, not by services); choose another name`,
      );
    if (!isObj(secret)) {
      p.add('', `${show(secret)} is not an object; give { description, properties? }`);
      continue;
    }
    checkSecretSpec(secret, p, '');
  }
}

/** Every secret the catalog declares, in order, and where each was declared first. */
function declaredSecrets(
  secrets: Obj,
  services: readonly unknown[],
  roots: readonly string[],
  declaredAt: (name: string) => string | undefined,
) {
  const first = new Map<string, string>();
  for (const name of Object.keys(secrets)) first.set(name, declaredAt(name) ?? `secrets.${name}`);
  services.forEach((service, i) => {
    if (!isObj(service) || !Array.isArray(service.secrets)) return;
    service.secrets.forEach((item: unknown, j: number) => {
      if (isObj(item) && typeof item.name === 'string' && !first.has(item.name)) first.set(item.name, `${roots[i]}.secrets[${j}]`);
    });
  });
  return first;
}

function checkOverrides(
  overrides: Obj,
  envNames: readonly string[],
  otherNames: readonly string[],
  serviceNames: readonly string[],
  problems: ConfigProblem[],
): void {
  const scopes = [...new Set([...OVERRIDE_TIERS, ...envNames, ...otherNames])];
  for (const [scope, byService] of Object.entries(overrides)) {
    const p = new Problems(problems, `overrides.${scope}`);
    if (otherNames.includes(scope) && !envNames.includes(scope) && !(OVERRIDE_TIERS as readonly string[]).includes(scope)) continue;
    if (!scopes.includes(scope)) {
      p.add('', withSuggestion(scope, scopes, `is not a tier or an environment; use one of ${scopes.join(', ')}`));
      continue;
    }
    if (!isObj(byService)) {
      p.add('', `${show(byService)} is not an object; give { <service>: { imageTag?, scaling?, resources? } }`);
      continue;
    }
    for (const [serviceName, override] of Object.entries(byService)) {
      const q = new Problems(problems, `overrides.${scope}.${serviceName}`);
      if (!serviceNames.includes(serviceName)) {
        q.add('', withSuggestion(serviceName, serviceNames, `is not a service of the catalog; use one of ${serviceNames.join(', ')}`));
        continue;
      }
      if (!isObj(override)) {
        q.add('', `${show(override)} is not an object; give { imageTag?, scaling?, resources? }`);
        continue;
      }
      for (const key of Object.keys(override)) {
        if (!(OVERRIDABLE as readonly string[]).includes(key))
          q.add(key, withSuggestion(key, OVERRIDABLE, `cannot be overridden per environment; use ${OVERRIDABLE.join(', ')}`));
      }
      q.object(override, 'scaling', true);
      q.object(override, 'resources', true);
    }
  }
}

/** Two prefixes of which one routes part of the other's paths (`/api/notifications` under `/api`). */
function shadowingProblems(prefixes: readonly { prefix: string; service: string; root: string }[], problems: ConfigProblem[]): void {
  for (const inner of prefixes) {
    for (const outer of prefixes) {
      if (inner === outer || inner.prefix === outer.prefix || !matchesIngressPrefix(outer.prefix, inner.prefix)) continue;
      problems.push({
        path: `${inner.root}.ingress.pathPrefix`,
        message: `${show(inner.prefix)} is under ${show(outer.prefix)} of ${outer.service}, which would then lose those paths; use a prefix no other service's prefix contains`,
      });
    }
  }
}

/** The override of one service in one environment (its tier's, then its own), from the well-formed parts of `overrides`. */
function environmentOverride(overrides: Obj, environment: ServiceEnvironment, serviceName: string): ServiceOverride | undefined {
  const wellFormed: Record<string, Record<string, ServiceOverride>> = {};
  for (const scope of [environment.tier, environment.name]) {
    const byService = overrides[scope];
    const override = isObj(byService) ? byService[serviceName] : undefined;
    if (
      isObj(override) &&
      (override.scaling === undefined || isObj(override.scaling)) &&
      (override.resources === undefined || isObj(override.resources))
    )
      wellFormed[scope] = { [serviceName]: override as ServiceOverride };
  }
  return overrideFor(wellFormed, environment, serviceName);
}

/** Options of `validateServices`. */
export interface ValidateServicesOptions {
  /**
   * Names of environments that exist but are not being synthesized (e.g. a config file with one
   * environment): their overrides are not checked, and not reported as unknown.
   * @default - none: an override for an environment not in the list is reported
   */
  readonly otherEnvironmentNames?: readonly string[];
}

/**
 * Validate the catalog against the environments it is deployed to. Returns every problem (an
 * empty list means valid). Accepts `unknown` so that malformed input is reported, not thrown.
 */
export function validateServices(
  catalog: unknown,
  environments: readonly ServiceEnvironment[],
  options: ValidateServicesOptions = {},
): ConfigProblem[] {
  if (!isObj(catalog)) return [{ path: 'catalog', message: `${show(catalog)} is not a catalog; give { secrets, services, overrides }` }];
  const problems: ConfigProblem[] = [];
  const root = new Problems(problems, 'catalog');
  const secrets = root.object(catalog, 'secrets') ?? {};
  const overrides = root.object(catalog, 'overrides') ?? {};
  if (!Array.isArray(catalog.services)) {
    root.add('services', `${show(catalog.services)} is not a list of services`);
    return problems;
  }
  const services: unknown[] = catalog.services;
  const names = services.map((s) => (isObj(s) && typeof s.name === 'string' && SERVICE_NAME.test(s.name) ? s.name : undefined));
  const roots = names.map((name, i) => (name !== undefined ? `services.${name}` : `services[${i}]`));
  const declaredIn = isObj(catalog.declaredIn) ? catalog.declaredIn : {};
  const declaredAt = (name: string): string | undefined => {
    const site = declaredIn[name];
    return isObj(site) && isInt(site.service) && isInt(site.index) && roots[site.service] !== undefined
      ? `${roots[site.service]}.secrets[${site.index}]`
      : undefined;
  };
  checkSecrets(secrets, problems, declaredAt);
  const firstDeclared = declaredSecrets(secrets, services, roots, declaredAt);
  const ctx: Context = {
    secretNames: [...firstDeclared.keys()],
    firstDeclared,
    serviceNames: names.filter((n): n is string => n !== undefined),
  };
  const base: ConfigProblem[] = [];
  const seenPaths = new Map<string, string>();
  const routed: { prefix: string; service: string; root: string }[] = [];
  services.forEach((service, i) => {
    const p = new Problems(base, roots[i]);
    if (!isObj(service)) {
      p.add('', `${show(service)} is not a service; give { name, team, image, port, ... }`);
      return;
    }
    const first = names.indexOf(names[i]);
    if (names[i] !== undefined && first !== i)
      p.add('name', `${show(service.name)} is already used by services[${first}]; names are unique`);
    checkService(service, p, ctx);
    const prefix = isObj(service.ingress) ? service.ingress.pathPrefix : undefined;
    if (typeof prefix === 'string') {
      const other = seenPaths.get(prefix);
      if (other !== undefined)
        p.add('ingress.pathPrefix', `${show(prefix)} is already routed to ${other}; each service needs its own path`);
      else seenPaths.set(prefix, names[i] ?? roots[i]);
      if (PATH_PREFIX.test(prefix)) routed.push({ prefix, service: names[i] ?? roots[i], root: roots[i] });
    }
  });
  shadowingProblems(routed, base);
  problems.push(...base);
  checkOverrides(
    overrides,
    environments.map((e) => e.name),
    options.otherEnvironmentNames ?? [],
    ctx.serviceNames,
    problems,
  );

  // The same checks per environment, overrides applied; report only what the environment adds.
  const known = new Set(base.map((b) => `${b.path}|${b.message}`));
  for (const environment of environments) {
    services.forEach((service, i) => {
      if (!isObj(service)) return;
      const override = names[i] === undefined ? undefined : environmentOverride(overrides, environment, names[i]!);
      const mergeable = override !== undefined && isObj(service.image) && isObj(service.scaling) && isObj(service.resources);
      const merged = mergeable ? (applyOverride(service as unknown as ServiceSpec, override) as unknown as Obj) : service;
      const envProblems: ConfigProblem[] = [];
      checkService(merged, new Problems(envProblems, roots[i]), { ...ctx, environment });
      for (const problem of envProblems) {
        if (!known.has(`${problem.path}|${problem.message}`)) problems.push({ ...problem, path: `${environment.name}.${problem.path}` });
      }
    });
  }
  return problems;
}

/** Throw one `ConfigValidationError` listing every problem of the catalog, or return the typed catalog. */
export function assertValidServices(catalog: unknown, environments: readonly ServiceEnvironment[]): ServiceCatalog {
  const problems = validateServices(catalog, environments);
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return catalog as ServiceCatalog;
}
