import { addonCompatibilityProblems } from './addon-pins';
import { cidrsOverlap, parseCidr, Cidr } from './cidr';
import { delegationProblems } from './validate-delegation';
import { commonArchitecture, instanceArchitecture } from './instance-types';
import { KNOWN_REGIONS, LOG_RETENTION_DAYS, SUPPORTED_KUBERNETES_VERSIONS } from './regions';
import { REQUIRED_TAGS, STATEFUL_TAGS } from './tag-policy';
import { webhookConcurrency } from './edge-names';
import { EnvironmentConfig, INTERFACE_ENDPOINTS, PGAUDIT_CLASSES } from './types';

/** One thing wrong with the configuration: where, and what is allowed instead. */
export interface ConfigProblem {
  /** Dotted path of the field, starting with the environment name, e.g. `prod.network.vpcCidr`. */
  readonly path: string;
  /** What was received and what is allowed. */
  readonly message: string;
}

/** Thrown by `assertValidEnvironments`; carries every problem, not just the first. */
export class ConfigValidationError extends Error {
  constructor(public readonly problems: readonly ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = 'ConfigValidationError';
  }
}

/** `path: message`, one problem per line. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('\n');
}

const TIERS = ['development', 'staging', 'production'] as const;
const NAME = /^[a-z][a-z0-9-]{1,15}$/;
const STAGE_NAME = /^[A-Z][A-Za-z0-9]{1,31}$/;
export const ACCOUNT = /^[0-9]{12}$/;
const DNS_NAME = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
export const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;
const SLACK_CHANNEL = /^[CG][A-Z0-9]{8,12}$/;
/** A Microsoft Teams channel ID as Teams shows it in a channel link (`19:...@thread.tacv2`). */
const TEAMS_CHANNEL = /^19:[A-Za-z0-9_-]+@thread\.(tacv2|skype)$/;
const INSTANCE_CLASS = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const K8S_NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const VPC_PREFIX = { min: 16, max: 20 };
const SEVERITIES = ['critical', 'warning', 'info'] as const;
const HH_MM = '([01]\\d|2[0-3]):[0-5]\\d';
const DAY = '(mon|tue|wed|thu|fri|sat|sun)';
const BACKUP_WINDOW = new RegExp(`^${HH_MM}-${HH_MM}$`);
const MAINTENANCE_WINDOW = new RegExp(`^${DAY}:${HH_MM}-${DAY}:${HH_MM}$`);
const RATE = /^rate\((\d+) days?\)$/;
const CRON = /^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/;
const ORIGIN = /^https:\/\/[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/;
const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{8,31}$/;
const HTTP_PATH = /^\/[A-Za-z0-9._~/-]*$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
/** Instance families the node groups are tested with (current generation, Nitro). */
const NODE_FAMILIES = [
  't3',
  't3a',
  't4g',
  'm6i',
  'm6a',
  'm6g',
  'm7i',
  'm7a',
  'm7g',
  'm8g',
  'c6i',
  'c6g',
  'c7i',
  'c7g',
  'c8g',
  'r6i',
  'r6g',
  'r7i',
  'r7g',
  'r8g',
];
const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60];
const AMI_ALIAS = /^al2023@(latest|v\d{8})$/;
const GIT_URL = /^(https:\/\/[^\s/]+\/\S+|ssh:\/\/\S+|git@[^\s:]+:\S+)$/;
const GIT_REVISION = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$/;
const GIT_PATH = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
const PI_RETENTION_DAYS = [7, ...Array.from({ length: 23 }, (_, i) => 31 * (i + 1)), 731];

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (v === undefined ? 'missing' : JSON.stringify(v));

/** Collects problems for one environment; each check returns the value only when it is valid. */
class Checker {
  constructor(
    private readonly problems: ConfigProblem[],
    private readonly root: string,
  ) {}

  report(path: string, message: string): void {
    this.problems.push({ path: `${this.root}.${path}`, message });
  }

  object(obj: Obj, key: string): Obj | undefined {
    const v = obj[key];
    if (isObj(v)) return v;
    this.report(key, `${show(v)} is not an object; expected the ${key} settings`);
    return undefined;
  }

  string(obj: Obj, path: string, key: string, pattern: RegExp, allowed: string): string | undefined {
    const v = obj[key];
    if (typeof v === 'string' && pattern.test(v)) return v;
    this.report(join(path, key), `${show(v)} is not valid; use ${allowed}`);
    return undefined;
  }

  oneOf<T extends string>(obj: Obj, path: string, key: string, allowed: readonly T[]): T | undefined {
    const v = obj[key];
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    this.report(join(path, key), `${show(v)} is not allowed; use one of ${allowed.join(', ')}`);
    return undefined;
  }

  integer(obj: Obj, path: string, key: string, min: number, max: number): number | undefined {
    const v = obj[key];
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    const why = typeof v === 'number' && Number.isInteger(v) ? (v < min ? 'is too low' : 'is too high') : 'is not a whole number';
    this.report(join(path, key), `${show(v)} ${why}; use ${min}..${max}`);
    return undefined;
  }

  boolean(obj: Obj, path: string, key: string): boolean | undefined {
    const v = obj[key];
    if (typeof v === 'boolean') return v;
    this.report(join(path, key), `${show(v)} is not a boolean; use true or false`);
    return undefined;
  }

  member(obj: Obj, path: string, key: string, allowed: readonly number[], what: string): number | undefined {
    const v = obj[key];
    if (typeof v === 'number' && allowed.includes(v)) return v;
    this.report(join(path, key), `${show(v)} is not ${what}; use one of ${allowed.join(', ')}`);
    return undefined;
  }

  array(obj: Obj, path: string, key: string): unknown[] | undefined {
    const v = obj[key];
    if (Array.isArray(v)) return v;
    this.report(join(path, key), `${show(v)} is not a list`);
    return undefined;
  }
}

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/** `kubernetes.autoscaling`: the AMI alias and each Karpenter pool's limits and disruption settings. */
function checkAutoscaling(c: Checker, autoscaling: unknown): void {
  const path = 'kubernetes.autoscaling';
  if (!isObj(autoscaling)) {
    c.report(path, `${show(autoscaling)} is not an object; give { amiAlias, pools: { system, workloads } }`);
    return;
  }
  c.string(autoscaling, path, 'amiAlias', AMI_ALIAS, 'al2023@latest or a pinned al2023@vYYYYMMDD');
  const pools = isObj(autoscaling.pools) ? autoscaling.pools : undefined;
  if (!pools) {
    c.report(`${path}.pools`, `${show(autoscaling.pools)} is not an object; give { system, workloads }`);
    return;
  }
  for (const name of ['system', 'workloads'] as const) {
    const pool = pools[name];
    const at = `${path}.pools.${name}`;
    if (!isObj(pool)) {
      c.report(
        at,
        `${show(pool)} is not an object; give cpuLimit, memoryLimitGiB, disruptionBudgetPercent, consolidateAfterSeconds, expireAfterHours`,
      );
      continue;
    }
    c.integer(pool, at, 'cpuLimit', 1, 100_000);
    c.integer(pool, at, 'memoryLimitGiB', 1, 1_000_000);
    c.integer(pool, at, 'disruptionBudgetPercent', 0, 100);
    c.integer(pool, at, 'consolidateAfterSeconds', 0, 86_400);
    c.integer(pool, at, 'expireAfterHours', 1, 8760);
  }
}

/** A Secrets Manager rotation: `{ scheduleExpression, windowHours }` at `path`. */
function checkRotation(c: Checker, rotation: unknown, path: string): void {
  if (!isObj(rotation)) {
    c.report(path, `${show(rotation)} is not an object; give { scheduleExpression, windowHours }`);
    return;
  }
  const rate = typeof rotation.scheduleExpression === 'string' ? RATE.exec(rotation.scheduleExpression) : null;
  const okCron = typeof rotation.scheduleExpression === 'string' && CRON.test(rotation.scheduleExpression);
  if (!(okCron || (rate && Number(rate[1]) >= 1 && Number(rate[1]) <= 365))) {
    c.report(
      `${path}.scheduleExpression`,
      `${show(rotation.scheduleExpression)} is not a rotation schedule; use rate(N days) with N in 1..365, or cron(minutes hours day month weekday year)`,
    );
  }
  c.integer(rotation, path, 'windowHours', 1, 24);
}

/** `audit`: the trail's retention and lock mode; production keeps a year at least, in COMPLIANCE mode. */
function checkAudit(c: Checker, audit: Obj, tier: string | undefined): void {
  const production = tier === 'production';
  c.integer(audit, 'audit', 'trailRetentionDays', production ? 365 : 1, 3650);
  const mode = c.oneOf(audit, 'audit', 'objectLockMode', ['GOVERNANCE', 'COMPLIANCE'] as const);
  if (mode === 'GOVERNANCE' && production) {
    c.report(
      'audit.objectLockMode',
      '"GOVERNANCE" is not allowed in production; use "COMPLIANCE" (no one, the root user included, can delete the trail or shorten its retention)',
    );
  }
  c.member(audit, 'audit', 'cloudWatchRetentionDays', LOG_RETENTION_DAYS, 'a CloudWatch retention');
}

/** The ALB and origin-header settings of `edge`. */
function checkEdgeOrigin(c: Checker, edge: Obj, tier: string | undefined): void {
  const protect = c.boolean(edge, 'edge', 'albDeletionProtection');
  if (protect === false && tier !== undefined && tier !== 'development') {
    c.report('edge.albDeletionProtection', `false is not allowed in ${tier}; outside development the ALB must survive a deleted Ingress`);
  }
  c.integer(edge, 'edge', 'originVerifyRotationDays', 1, 365);
}

/** The webhook senders, their throttles, the delivery-ID window, the dead-letter threshold, the reserved concurrency. */
function checkWebhooks(c: Checker, edge: Obj, stageRate: number | undefined, stageBurst: number | undefined): void {
  const providers = c.array(edge, 'edge', 'webhookProviders');
  if (providers && providers.length === 0) {
    c.report('edge.webhookProviders', 'is empty; list at least one sender (each gets POST /webhooks/<name>)');
  }
  const names: unknown[] = [];
  providers?.forEach((provider, i) => {
    const path = `edge.webhookProviders[${i}]`;
    if (!isObj(provider)) {
      c.report(path, `${show(provider)} is not a sender; give { name, ratePerSecond, burst }`);
      return;
    }
    const name = c.string(provider, path, 'name', DNS_LABEL, 'a lower-case DNS label such as stripe');
    if (name !== undefined && names.includes(name)) c.report(`${path}.name`, `${show(name)} is listed twice; each sender once`);
    names.push(provider.name);
    const rate = c.integer(provider, path, 'ratePerSecond', 1, stageRate ?? 10_000);
    c.integer(provider, path, 'burst', rate ?? 1, stageBurst ?? 5_000);
  });
  c.integer(edge, 'edge', 'webhookDeliveryIdRetentionHours', 1, 720);
  c.integer(edge, 'edge', 'webhookMaxReceiveCount', 1, 1000);
  const reserved = edge.webhookReservedConcurrency;
  if (reserved !== undefined) {
    const need = stageRate !== undefined ? webhookConcurrency(stageRate) : 1;
    if (typeof reserved !== 'number' || !Number.isInteger(reserved) || reserved < need || reserved > 1000) {
      c.report(
        'edge.webhookReservedConcurrency',
        `${show(reserved)} is not allowed; use ${need}..1000 (the webhook throttle needs ${need}), or leave it out: a new account's concurrency quota leaves nothing to reserve`,
      );
    }
  }
}

/**
 * Validate every environment and the relations between them. Returns all problems at once
 * (an empty list means valid). Accepts `unknown` so that a malformed config (wrong types,
 * missing fields) is reported as problems rather than crashing.
 */
export function validateEnvironments(input: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!Array.isArray(input) || input.length === 0) {
    return [{ path: 'environments', message: `${show(input)} is not a non-empty list of environments` }];
  }
  const cidrs: { name: string; cidr: Cidr; text: string }[] = [];
  const seen = new Map<string, string>();

  input.forEach((env, index) => {
    if (!isObj(env)) {
      problems.push({ path: `environments[${index}]`, message: `${show(env)} is not an environment object` });
      return;
    }
    const label = typeof env.name === 'string' && env.name !== '' ? env.name : `environments[${index}]`;
    const c = new Checker(problems, label);
    const name = c.string(env, '', 'name', NAME, 'a lower-case name of 2..16 letters, digits or dashes');
    c.string(env, '', 'stageName', STAGE_NAME, 'a PascalCase name such as Staging');
    for (const key of ['name', 'stageName'] as const) {
      const v = env[key];
      if (typeof v !== 'string') continue;
      const other = seen.get(`${key}:${v}`);
      if (other !== undefined) c.report(key, `${show(v)} is already used by ${other}; each environment needs its own`);
      else seen.set(`${key}:${v}`, label);
    }
    const tier = c.oneOf(env, '', 'tier', TIERS);
    c.string(env, '', 'account', ACCOUNT, 'a 12-digit AWS account ID');
    const region = c.oneOf(env, '', 'region', KNOWN_REGIONS);
    if (env.drRegion !== undefined) {
      const dr = c.oneOf(env, '', 'drRegion', KNOWN_REGIONS);
      if (dr !== undefined && dr === region) c.report('drRegion', `${show(dr)} is the primary region; use a different region`);
    } else if (tier === 'production') {
      c.report('drRegion', 'missing; a production environment needs a disaster-recovery region');
    }

    const network = c.object(env, 'network');
    if (network) {
      const cidrText = network.vpcCidr;
      if (typeof cidrText !== 'string') {
        c.report('network.vpcCidr', `${show(cidrText)} is not an IPv4 CIDR; use a.b.c.d/n`);
      } else {
        const parsed = parseCidr(cidrText);
        if (!parsed.ok) c.report('network.vpcCidr', `${show(cidrText)} ${parsed.reason}`);
        else if (parsed.cidr.prefix < VPC_PREFIX.min || parsed.cidr.prefix > VPC_PREFIX.max) {
          c.report(
            'network.vpcCidr',
            `${show(cidrText)} has prefix /${parsed.cidr.prefix}; use /${VPC_PREFIX.min}../${VPC_PREFIX.max} (room for three subnet tiers in every AZ)`,
          );
        } else cidrs.push({ name: label, cidr: parsed.cidr, text: cidrText });
      }
      const azs = c.array(network, 'network', 'availabilityZones');
      let azCount: number | undefined;
      if (azs) {
        const minAzs = tier === 'production' ? 3 : 2;
        if (azs.length < minAzs) {
          c.report(
            'network.availabilityZones',
            `${azs.length} zone(s) given; a ${tier ?? 'non-production'} environment needs at least ${minAzs}`,
          );
        }
        const azPattern = region ? new RegExp(`^${region}[a-z]$`) : /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/;
        azs.forEach((az, i) => {
          if (typeof az !== 'string' || !azPattern.test(az)) {
            c.report(
              `network.availabilityZones[${i}]`,
              `${show(az)} is not a zone of ${region ?? 'the region'}; use e.g. ${region ?? 'eu-west-1'}a`,
            );
          } else if (azs.indexOf(az) !== i) {
            c.report(`network.availabilityZones[${i}]`, `${show(az)} is listed twice; each zone once`);
          }
        });
        azCount = azs.length;
      }
      const nat = c.integer(network, 'network', 'natGateways', 1, Math.max(azCount ?? 1, 1));
      if (nat !== undefined && tier === 'production' && azCount !== undefined && nat < azCount) {
        c.report('network.natGateways', `${nat} is fewer than the ${azCount} zones; production needs one NAT gateway per zone`);
      }
      const retention = network.flowLogRetentionDays;
      if (typeof retention !== 'number' || !LOG_RETENTION_DAYS.includes(retention)) {
        c.report(
          'network.flowLogRetentionDays',
          `${show(retention)} is not a CloudWatch retention; use one of ${LOG_RETENTION_DAYS.join(', ')}`,
        );
      }
      const endpoints = c.array(network, 'network', 'interfaceEndpoints');
      endpoints?.forEach((e, i) => {
        if (typeof e !== 'string' || !(INTERFACE_ENDPOINTS as readonly string[]).includes(e)) {
          c.report(`network.interfaceEndpoints[${i}]`, `${show(e)} is not a known endpoint; use one of ${INTERFACE_ENDPOINTS.join(', ')}`);
        }
      });
    }

    const db = c.object(env, 'database');
    if (db) {
      const multiAz = c.boolean(db, 'database', 'multiAz');
      if (multiAz === false && tier === 'production') {
        c.report('database.multiAz', 'false is not allowed in production; a production database needs a standby in a second zone');
      }
      c.string(db, 'database', 'instanceClass', INSTANCE_CLASS, 'an RDS class without the db. prefix, e.g. r7g.large');
      const allocated = c.integer(db, 'database', 'allocatedStorageGiB', 20, 65536);
      c.integer(db, 'database', 'maxAllocatedStorageGiB', allocated ?? 20, 65536);
      const minRetention = tier === 'development' || tier === undefined ? 1 : 7;
      c.integer(db, 'database', 'backupRetentionDays', minRetention, 35);
      c.string(db, 'database', 'backupWindow', BACKUP_WINDOW, 'hh:mm-hh:mm in UTC, e.g. 02:00-03:00');
      c.string(db, 'database', 'maintenanceWindow', MAINTENANCE_WINDOW, 'ddd:hh:mm-ddd:hh:mm in UTC, e.g. sun:03:30-sun:04:30');
      c.integer(db, 'database', 'slowQueryThresholdMillis', -1, 3_600_000);
      c.member(db, 'database', 'logRetentionDays', LOG_RETENTION_DAYS, 'a CloudWatch retention');
      c.member(db, 'database', 'monitoringIntervalSeconds', MONITORING_INTERVALS, 'an enhanced-monitoring interval');
      c.member(
        db,
        'database',
        'performanceInsightsRetentionDays',
        PI_RETENTION_DAYS,
        'a Performance Insights retention (7 or a multiple of 31 up to 731)',
      );
      const replica = c.boolean(db, 'database', 'readReplica');
      if (replica === true && tier !== undefined && tier !== 'production') {
        c.report('database.readReplica', `true is not allowed in ${tier}; read replicas are for production`);
      }
      checkRotation(c, db.credentialRotation, 'database.credentialRotation');
      const auditLog = c.array(db, 'database', 'auditLog');
      auditLog?.forEach((klass, i) => {
        if (typeof klass !== 'string' || !(PGAUDIT_CLASSES as readonly string[]).includes(klass))
          c.report(`database.auditLog[${i}]`, `${show(klass)} is not a pgAudit class; use one of ${PGAUDIT_CLASSES.join(', ')}`);
        else if (auditLog.indexOf(klass) !== i) c.report(`database.auditLog[${i}]`, `${show(klass)} is listed twice; each class once`);
      });
      const proxy = isObj(db.proxy) ? db.proxy : undefined;
      if (!proxy) c.report('database.proxy', `${show(db.proxy)} is not an object; give the proxy settings`);
      else {
        const max = c.integer(proxy, 'database.proxy', 'maxConnectionsPercent', 1, 100);
        c.integer(proxy, 'database.proxy', 'maxIdleConnectionsPercent', 0, max ?? 100);
        c.integer(proxy, 'database.proxy', 'idleClientTimeoutSeconds', 60, 28_800);
        c.integer(proxy, 'database.proxy', 'borrowTimeoutSeconds', 1, 3600);
      }
    }

    const storage = c.object(env, 'storage');
    if (storage) {
      const uploads = isObj(storage.uploads) ? storage.uploads : undefined;
      if (!uploads) c.report('storage.uploads', `${show(storage.uploads)} is not an object; give the uploads bucket settings`);
      else {
        const ia = c.integer(uploads, 'storage.uploads', 'infrequentAccessAfterDays', 30, 3650);
        c.integer(uploads, 'storage.uploads', 'glacierAfterDays', (ia ?? 30) + 30, 3650);
        c.integer(uploads, 'storage.uploads', 'noncurrentVersionExpirationDays', 1, 3650);
        c.array(uploads, 'storage.uploads', 'corsAllowedOrigins')?.forEach((o, i) => {
          if (typeof o !== 'string' || !ORIGIN.test(o)) {
            c.report(
              `storage.uploads.corsAllowedOrigins[${i}]`,
              `${show(o)} is not an origin; use https://host[:port] without a path or wildcard`,
            );
          }
        });
      }
      c.integer(storage, 'storage', 'logsExpirationDays', 1, 3650);
      const replicate = c.boolean(storage, 'storage', 'replicateUploadsToDr');
      if (replicate === true && env.drRegion === undefined) {
        c.report('storage.replicateUploadsToDr', 'true needs a drRegion to replicate to; set drRegion or turn replication off');
      }
    }

    const k8s = c.object(env, 'kubernetes');
    if (k8s) {
      const version = c.oneOf(k8s, 'kubernetes', 'version', SUPPORTED_KUBERNETES_VERSIONS);
      if (version !== undefined) for (const problem of addonCompatibilityProblems(version)) c.report('kubernetes.version', problem);
      const namespaces = c.array(k8s, 'kubernetes', 'workloadNamespaces');
      namespaces?.forEach((ns, i) => {
        if (typeof ns !== 'string' || !K8S_NAMESPACE.test(ns)) {
          c.report(
            `kubernetes.workloadNamespaces[${i}]`,
            `${show(ns)} is not a Kubernetes namespace name; use lower-case letters, digits and dashes (max 63)`,
          );
        }
      });
      c.array(k8s, 'kubernetes', 'publicEndpointCidrs')?.forEach((text, i) => {
        const path = `kubernetes.publicEndpointCidrs[${i}]`;
        const parsed = typeof text === 'string' ? parseCidr(text) : undefined;
        if (!parsed) c.report(path, `${show(text)} is not an IPv4 CIDR; use a.b.c.d/n`);
        else if (!parsed.ok) c.report(path, `${show(text)} ${parsed.reason}`);
        else if (parsed.cidr.prefix === 0 && tier === 'production') {
          c.report(
            path,
            `${show(text)} opens the API endpoint to the internet; in production list your office/VPN CIDRs, or none for a private endpoint`,
          );
        }
      });
      c.member(k8s, 'kubernetes', 'controlPlaneLogRetentionDays', LOG_RETENTION_DAYS, 'a CloudWatch retention');
      c.integer(k8s, 'kubernetes', 'quotaHeadroomPercent', 10, 100);
      const groups = isObj(k8s.nodeGroups) ? k8s.nodeGroups : undefined;
      if (!groups) c.report('kubernetes.nodeGroups', `${show(k8s.nodeGroups)} is not an object; give { system, workloads }`);
      for (const group of ['system', 'workloads'] as const) {
        const g = groups?.[group];
        if (!groups) break;
        const path = `kubernetes.nodeGroups.${group}`;
        if (!isObj(g)) {
          c.report(path, `${show(g)} is not a node group; give instanceTypes, minSize, desiredSize, maxSize, capacity, diskSizeGiB`);
          continue;
        }
        const types = c.array(g, path, 'instanceTypes');
        if (types && types.length === 0) c.report(`${path}.instanceTypes`, 'is empty; give at least one instance type');
        types?.forEach((t, i) => {
          const family = typeof t === 'string' && INSTANCE_TYPE.test(t) ? t.split('.')[0] : undefined;
          if (!family || !NODE_FAMILIES.includes(family)) {
            c.report(
              `${path}.instanceTypes[${i}]`,
              `${show(t)} is not a supported instance type; use <family>.<size> with a family from ${NODE_FAMILIES.join(', ')}`,
            );
          }
        });
        const min = c.integer(g, path, 'minSize', group === 'system' ? 1 : 0, 1000);
        const max = c.integer(g, path, 'maxSize', 1, 1000);
        if (min !== undefined && max !== undefined && min > max)
          c.report(`${path}.minSize`, `${min} is above maxSize ${max}; use minSize <= desiredSize <= maxSize`);
        else c.integer(g, path, 'desiredSize', min ?? 0, max ?? 1000);
        const capacity = c.oneOf(g, path, 'capacity', ['onDemand', 'spot'] as const);
        if (capacity === 'spot' && (group === 'system' || tier === 'production')) {
          c.report(
            `${path}.capacity`,
            `"spot" is not allowed for the ${group} group${group === 'system' ? '' : ' in production'}; use "onDemand"`,
          );
        }
        c.integer(g, path, 'diskSizeGiB', 20, 1000);
        const valid = types?.filter((t): t is string => typeof t === 'string' && INSTANCE_TYPE.test(t)) ?? [];
        if (valid.length > 1 && !commonArchitecture(valid)) {
          c.report(
            `${path}.instanceTypes`,
            `${JSON.stringify(valid)} mix CPU architectures (${valid.map(instanceArchitecture).join(', ')}); a node group runs one AMI, so use one architecture`,
          );
        }
      }
      checkAutoscaling(c, k8s.autoscaling);
    }

    const edge = c.object(env, 'edge');
    if (edge) {
      c.string(edge, 'edge', 'appSubdomain', DNS_LABEL, 'a DNS label such as app');
      c.string(edge, 'edge', 'apiSubdomain', DNS_LABEL, 'a DNS label such as api');
      if (edge.appSubdomain === edge.apiSubdomain && typeof edge.apiSubdomain === 'string') {
        c.report('edge.apiSubdomain', `${show(edge.apiSubdomain)} equals appSubdomain; the app and the API need their own hosts`);
      }
      if (edge.hostedZoneId !== undefined)
        c.string(edge, 'edge', 'hostedZoneId', HOSTED_ZONE_ID, 'a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ');
      c.oneOf(edge, 'edge', 'priceClass', ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'] as const);
      c.integer(edge, 'edge', 'wafRateLimitPer5Minutes', 10, 2_000_000_000);
      c.member(edge, 'edge', 'wafLogRetentionDays', LOG_RETENTION_DAYS, 'a CloudWatch retention');
      c.boolean(edge, 'edge', 'shieldAdvanced');
      const weights = isObj(edge.blueGreenWeights) ? edge.blueGreenWeights : undefined;
      if (!weights) c.report('edge.blueGreenWeights', `${show(edge.blueGreenWeights)} is not an object; give { blue, green }`);
      else {
        const blue = c.integer(weights, 'edge.blueGreenWeights', 'blue', 0, 255);
        const green = c.integer(weights, 'edge.blueGreenWeights', 'green', 0, 255);
        if (blue === 0 && green === 0) c.report('edge.blueGreenWeights', 'blue and green are both 0; at least one must receive traffic');
      }
      c.string(edge, 'edge', 'healthCheckPath', HTTP_PATH, 'an absolute path such as /api/healthz');
      const throttle = isObj(edge.webhookThrottle) ? edge.webhookThrottle : undefined;
      let stageRate: number | undefined;
      let stageBurst: number | undefined;
      if (!throttle) c.report('edge.webhookThrottle', `${show(edge.webhookThrottle)} is not an object; give { ratePerSecond, burst }`);
      else {
        stageRate = c.integer(throttle, 'edge.webhookThrottle', 'ratePerSecond', 1, 10_000);
        stageBurst = c.integer(throttle, 'edge.webhookThrottle', 'burst', stageRate ?? 1, 5_000);
      }
      checkEdgeOrigin(c, edge, tier);
      checkWebhooks(c, edge, stageRate, stageBurst);
    }

    const delivery = c.object(env, 'delivery');
    if (delivery) {
      const approval = c.boolean(delivery, 'delivery', 'requireApproval');
      if (approval === false && tier === 'production') {
        c.report('delivery.requireApproval', 'false is not allowed in production; a person approves every production deploy');
      }
    }

    const gitops = c.object(env, 'gitops');
    if (gitops) {
      c.string(gitops, 'gitops', 'repoUrl', GIT_URL, 'an https:// or ssh git URL such as https://github.com/example/gitops.git');
      c.string(gitops, 'gitops', 'revision', GIT_REVISION, 'a branch, tag or commit such as main');
      if (typeof gitops.path !== 'string' || !GIT_PATH.test(gitops.path) || gitops.path.split('/').includes('..')) {
        c.report(
          'gitops.path',
          `${show(gitops.path)} is not valid; use a relative directory such as environments/prod (no leading /, no ..)`,
        );
      }
    }

    const domain = c.object(env, 'domain');
    if (domain) c.string(domain, 'domain', 'zoneName', DNS_NAME, 'a lower-case DNS name such as dev.example.com');

    const alerts = c.object(env, 'alerts');
    if (alerts) {
      for (const severity of SEVERITIES) {
        const channel = alerts[severity];
        if (!isObj(channel)) {
          c.report(`alerts.${severity}`, `${show(channel)} is not a channel; give { emails: [...] }`);
          continue;
        }
        const emails = c.array(channel, `alerts.${severity}`, 'emails');
        if (emails && emails.length === 0 && severity === 'critical') {
          c.report('alerts.critical.emails', 'is empty; critical alerts need at least one recipient');
        }
        emails?.forEach((e, i) => {
          if (typeof e !== 'string' || !EMAIL.test(e)) c.report(`alerts.${severity}.emails[${i}]`, `${show(e)} is not an e-mail address`);
        });
        if (channel.slackChannelId !== undefined) {
          c.string(channel, `alerts.${severity}`, 'slackChannelId', SLACK_CHANNEL, 'a Slack channel ID such as C0123456789');
        }
        if (channel.teamsChannelId !== undefined) {
          c.string(channel, `alerts.${severity}`, 'teamsChannelId', TEAMS_CHANNEL, 'a Teams channel ID such as 19:abc123@thread.tacv2');
        }
      }
    }

    const stateful = c.object(env, 'stateful');
    if (stateful) {
      const removal = c.oneOf(stateful, 'stateful', 'removal', ['retain', 'destroy'] as const);
      if (removal === 'destroy' && tier !== undefined && tier !== 'development') {
        c.report('stateful.removal', `"destroy" is not allowed in ${tier}; only development may delete stateful resources`);
      }
      c.string(stateful, 'stateful', 'breakGlassRoleName', IAM_ROLE_NAME, 'an IAM role name (letters, digits and +=,.@_-, up to 64)');
      const protection = c.boolean(stateful, 'stateful', 'terminationProtection');
      if (protection === false && tier !== undefined && tier !== 'development') {
        c.report(
          'stateful.terminationProtection',
          `false is not allowed in ${tier}; stateful stacks outside development are termination-protected`,
        );
      }
    }

    const audit = c.object(env, 'audit');
    if (audit) checkAudit(c, audit, tier);

    const secrets = c.object(env, 'secrets');
    if (secrets) checkRotation(c, secrets.signingKeyRotation, 'secrets.signingKeyRotation');

    const tags = c.object(env, 'tags');
    if (tags) {
      for (const rule of [...REQUIRED_TAGS, ...STATEFUL_TAGS]) {
        c.string(tags, 'tags', rule.key, rule.pattern, rule.allowed);
      }
      if (name !== undefined && typeof tags.Environment === 'string' && tags.Environment !== name) {
        c.report('tags.Environment', `${show(tags.Environment)} differs from the environment name ${show(name)}; use ${show(name)}`);
      }
    }
  });

  for (let i = 0; i < cidrs.length; i++) {
    for (let j = i + 1; j < cidrs.length; j++) {
      if (cidrsOverlap(cidrs[i].cidr, cidrs[j].cidr)) {
        problems.push({
          path: `${cidrs[j].name}.network.vpcCidr`,
          message: `"${cidrs[j].text}" overlaps ${cidrs[i].name}'s "${cidrs[i].text}"; environments need disjoint ranges so they can be peered`,
        });
      }
    }
  }
  problems.push(...delegationProblems(input, (zone) => typeof zone === 'string' && DNS_NAME.test(zone)));
  return problems;
}

/** Throw one `ConfigValidationError` listing every problem, or narrow the input to valid environments. */
export function assertValidEnvironments(input: unknown): asserts input is EnvironmentConfig[] {
  const problems = validateEnvironments(input);
  if (problems.length > 0) throw new ConfigValidationError(problems);
}
