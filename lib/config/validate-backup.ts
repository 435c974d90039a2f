/**
 * Validation of the backup, disaster-recovery and chaos settings of the environments: recovery
 * objectives and what meets them (continuous backup below a day, the `Backup` tag the selection
 * reads), retention against the vault lock and the cold-storage minimum, the DR region's pilot light
 * (its database path, its VPC's range and zones), and the chaos experiments against the
 * network. Pure; every problem at once, in the `{ path, message }` shape of the other validators.
 * Input that is not an environment object is left to `validateEnvironments`.
 */
import { MINUTES_PER_DAY, requiredBackupTag } from './backup';
import { cidrsOverlap, parseCidr, Cidr } from './cidr';
import { LOG_RETENTION_DAYS } from './regions';
import { SERVICE_CATALOG } from './service-catalog';
import type { ConfigProblem } from './validate';

type Obj = Record<string, unknown>;
type Report = (path: string, message: string) => void;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (v === undefined ? 'missing' : JSON.stringify(v));
const CRON = /^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/;
/** Days AWS Backup keeps a recovery point in cold storage at least (Lifecycle, AWS Backup API reference). */
export const COLD_STORAGE_MINIMUM_DAYS = 90;
/** The most days AWS Backup keeps a continuous (point-in-time) recovery point. */
export const CONTINUOUS_RETENTION_MAX_DAYS = 35;
/** The shortest grace time of a compliance-mode vault lock, in days (72 hours). */
export const VAULT_LOCK_MIN_CHANGEABLE_DAYS = 3;
const SNAPSHOT_RULES = ['daily', 'weekly', 'monthly'] as const;

/** A whole number in `min..max` at `path`, reported otherwise; the number when valid. */
function integer(report: Report, obj: Obj, path: string, key: string, min: number, max: number): number | undefined {
  const v = obj[key];
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
  const why = typeof v === 'number' && Number.isInteger(v) ? (v < min ? 'is too low' : 'is too high') : 'is not a whole number';
  report(`${path}.${key}`, `${show(v)} ${why}; use ${min}..${max}`);
  return undefined;
}

/** Every problem of the backup, DR and chaos settings of the environments. */
export function validateBackup(environments: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const envs = Array.isArray(environments) ? environments.filter(isObj).filter((e) => typeof e.name === 'string') : [];
  const ranges: { owner: string; path: string; cidr: Cidr; text: string }[] = envs.flatMap((env) => {
    const text = isObj(env.network) ? env.network.vpcCidr : undefined;
    const parsed = typeof text === 'string' ? parseCidr(text) : undefined;
    return parsed?.ok ? [{ owner: `${env.name}'s VPC`, path: `${env.name}.network.vpcCidr`, cidr: parsed.cidr, text: text as string }] : [];
  });
  for (const env of envs) {
    const report: Report = (path, message) => problems.push({ path: `${env.name}.${path}`, message });
    const backup = checkBackup(report, env);
    checkDisasterRecovery(report, env, backup, ranges);
    checkChaos(report, env);
  }
  return problems;
}

/** `backup`: objectives, rules, lock, copies, restore tests. Returns the settings other checks read. */
function checkBackup(report: Report, env: Obj): { copyToDr?: boolean } {
  const backup = env.backup;
  if (!isObj(backup)) {
    report('backup', `${show(backup)} is not an object; give { objectives, daily, copyToDr, restoreTesting }`);
    return {};
  }
  const production = env.tier === 'production';
  const objectives = isObj(backup.objectives) ? backup.objectives : undefined;
  let rpo: number | undefined;
  if (!objectives) report('backup.objectives', `${show(backup.objectives)} is not an object; give { rpoMinutes, rtoMinutes }`);
  else {
    rpo = integer(report, objectives, 'backup.objectives', 'rpoMinutes', 5, 10080);
    integer(report, objectives, 'backup.objectives', 'rtoMinutes', 15, 10080);
  }

  // Every retention of a recovery point in the primary vault, by config path.
  const retentions: [string, number][] = [];
  const continuous = backup.continuousRetentionDays;
  if (continuous !== undefined) {
    const days = integer(report, backup, 'backup', 'continuousRetentionDays', 1, CONTINUOUS_RETENTION_MAX_DAYS);
    if (days !== undefined) {
      retentions.push(['backup.continuousRetentionDays', days]);
      const dbRetention = isObj(env.database) ? env.database.backupRetentionDays : undefined;
      if (typeof dbRetention === 'number' && dbRetention !== days) {
        report(
          'backup.continuousRetentionDays',
          `${days} differs from database.backupRetentionDays ${dbRetention}; use the same value (AWS Backup takes over the database's point-in-time window, and CloudFormation would set it back on every deploy)`,
        );
      }
    }
  } else if (rpo !== undefined && rpo < MINUTES_PER_DAY) {
    report(
      'backup.objectives.rpoMinutes',
      `${rpo} cannot be met without continuous backup (the daily rule keeps one recovery point a day); set backup.continuousRetentionDays (1..${CONTINUOUS_RETENTION_MAX_DAYS}) or use an RPO of ${MINUTES_PER_DAY}`,
    );
  }
  if (rpo !== undefined && isObj(env.tags)) {
    const required = requiredBackupTag({ rpoMinutes: rpo, rtoMinutes: 0 });
    if (env.tags.Backup !== required) {
      report(
        'tags.Backup',
        `${show(env.tags.Backup)} does not select the stateful resources for an RPO of ${rpo} minutes (the backup plan selects on this tag); use "${required}"`,
      );
    }
  }

  for (const rule of SNAPSHOT_RULES) {
    const r = backup[rule];
    const path = `backup.${rule}`;
    if (r === undefined && rule !== 'daily') continue;
    if (!isObj(r)) {
      report(path, `${show(r)} is not an object; give { retentionDays, coldStorageAfterDays? }`);
      continue;
    }
    const days = integer(report, r, path, 'retentionDays', 1, 36500);
    if (days !== undefined) retentions.push([`${path}.retentionDays`, days]);
    if (r.coldStorageAfterDays !== undefined) {
      const cold = integer(report, r, path, 'coldStorageAfterDays', 1, 36500);
      if (cold !== undefined && days !== undefined && days < cold + COLD_STORAGE_MINIMUM_DAYS) {
        report(
          `${path}.retentionDays`,
          `${days} is less than ${COLD_STORAGE_MINIMUM_DAYS} days after coldStorageAfterDays ${cold}; AWS Backup keeps a recovery point in cold storage at least ${COLD_STORAGE_MINIMUM_DAYS} days, so use ${cold + COLD_STORAGE_MINIMUM_DAYS} or more`,
        );
      }
    }
  }

  checkVaultLock(report, backup.vaultLock, production, retentions);

  const copy = backup.copyToDr;
  if (typeof copy !== 'boolean') report('backup.copyToDr', `${show(copy)} is not a boolean; use true or false`);
  else if (copy && (env.drRegion === undefined || env.dr === undefined)) {
    report(
      'backup.copyToDr',
      "true needs drRegion and dr (the DR vault is part of the DR region's pilot light); set them, or turn copying off",
    );
  }

  const testing = backup.restoreTesting;
  if (!isObj(testing)) {
    report(
      'backup.restoreTesting',
      `${show(testing)} is not an object; give { scheduleExpression, startWindowHours, selectionWindowDays, validationWindowHours }`,
    );
  } else {
    if (typeof testing.scheduleExpression !== 'string' || !CRON.test(testing.scheduleExpression)) {
      report(
        'backup.restoreTesting.scheduleExpression',
        `${show(testing.scheduleExpression)} is not valid; use cron(minutes hours day month weekday year) in UTC, e.g. cron(0 6 ? * TUE *)`,
      );
    }
    integer(report, testing, 'backup.restoreTesting', 'startWindowHours', 1, 168);
    integer(report, testing, 'backup.restoreTesting', 'selectionWindowDays', 1, 365);
    integer(report, testing, 'backup.restoreTesting', 'validationWindowHours', 1, 168);
  }
  return { copyToDr: typeof copy === 'boolean' ? copy : undefined };
}

/** `backup.vaultLock`: compliance in production; every retention of the vault within its bounds. */
function checkVaultLock(report: Report, lock: unknown, production: boolean, retentions: readonly [string, number][]): void {
  const path = 'backup.vaultLock';
  if (lock === undefined) {
    if (production) report(path, 'missing; production recovery points need a vault lock in compliance mode');
    return;
  }
  if (!isObj(lock)) {
    report(path, `${show(lock)} is not an object; give { mode, minRetentionDays, maxRetentionDays, changeableForDays? }`);
    return;
  }
  const mode = lock.mode;
  if (mode !== 'compliance' && mode !== 'governance')
    report(`${path}.mode`, `${show(mode)} is not allowed; use one of compliance, governance`);
  else if (mode === 'governance' && production) {
    report(
      `${path}.mode`,
      '"governance" is not allowed in production; use "compliance" (nobody, the root user included, can then delete a recovery point early)',
    );
  }
  if (mode === 'compliance') integer(report, lock, path, 'changeableForDays', VAULT_LOCK_MIN_CHANGEABLE_DAYS, 36500);
  else if (mode === 'governance' && lock.changeableForDays !== undefined) {
    report(
      `${path}.changeableForDays`,
      `${show(lock.changeableForDays)} is only for compliance mode; remove it (a governance lock has no grace time)`,
    );
  }
  const min = integer(report, lock, path, 'minRetentionDays', 1, 36500);
  const max = integer(report, lock, path, 'maxRetentionDays', min ?? 1, 36500);
  if (min === undefined || max === undefined) return;
  for (const [at, days] of retentions) {
    if (days < min) {
      report(
        at,
        `${days} is below the vault lock's minRetentionDays ${min}; the vault refuses such recovery points (the backup jobs fail), use ${min}..${max}`,
      );
    } else if (days > max) {
      report(
        at,
        `${days} is above the vault lock's maxRetentionDays ${max}; the vault refuses such recovery points (the backup jobs fail), use ${min}..${max}`,
      );
    }
  }
}

/** `dr`: the DR region's pilot light, required in production. */
function checkDisasterRecovery(
  report: Report,
  env: Obj,
  backup: { copyToDr?: boolean },
  ranges: { owner: string; path: string; cidr: Cidr; text: string }[],
): void {
  const dr = env.dr;
  if (dr === undefined) {
    if (env.tier === 'production') report('dr', "missing; production needs the DR region's pilot light (dr.database, dr.network)");
    return;
  }
  if (!isObj(dr)) {
    report('dr', `${show(dr)} is not an object; give { database, network }`);
    return;
  }
  const drRegion = typeof env.drRegion === 'string' ? env.drRegion : undefined;
  if (!drRegion) report('dr', 'needs drRegion; set the DR region, or remove dr');
  if (dr.database !== 'snapshotCopy') {
    report('dr.database', `${show(dr.database)} is not allowed; use snapshotCopy`);
  } else if (dr.database === 'snapshotCopy' && backup.copyToDr === false) {
    report(
      'dr.database',
      '"snapshotCopy" needs backup.copyToDr: true (the copied snapshots are the DR region\'s only copy of the database)',
    );
  }
  if (isObj(env.storage) && env.storage.replicateUploadsToDr === false) {
    report('storage.replicateUploadsToDr', 'false leaves the DR region without the uploads; turn it on with dr');
  }
  const network = dr.network;
  if (!isObj(network)) {
    report('dr.network', `${show(network)} is not an object; give { vpcCidr, availabilityZones, natGateways, flowLogRetentionDays }`);
    return;
  }
  const text = network.vpcCidr;
  const parsed = typeof text === 'string' ? parseCidr(text) : undefined;
  if (!parsed) report('dr.network.vpcCidr', `${show(text)} is not an IPv4 CIDR; use a.b.c.d/n`);
  else if (!parsed.ok) report('dr.network.vpcCidr', `${show(text)} ${parsed.reason}`);
  else if (parsed.cidr.prefix < 16 || parsed.cidr.prefix > 20) {
    report('dr.network.vpcCidr', `${show(text)} has prefix /${parsed.cidr.prefix}; use /16../20 (room for three subnet tiers in every AZ)`);
  } else {
    const clash = ranges.find((r) => cidrsOverlap(r.cidr, parsed.cidr));
    if (clash) {
      report(
        'dr.network.vpcCidr',
        `${show(text)} overlaps ${clash.owner} "${clash.text}"; the DR VPC needs its own range so the regions can be peered`,
      );
    }
    ranges.push({
      owner: `${String(env.name)}'s DR VPC`,
      path: `${String(env.name)}.dr.network.vpcCidr`,
      cidr: parsed.cidr,
      text: text as string,
    });
  }
  const zones = network.availabilityZones;
  let zoneCount: number | undefined;
  if (!Array.isArray(zones)) report('dr.network.availabilityZones', `${show(zones)} is not a list`);
  else {
    if (zones.length < 2) report('dr.network.availabilityZones', `${zones.length} zone(s) given; the DR VPC needs at least 2`);
    const pattern = drRegion ? new RegExp(`^${drRegion}[a-z]$`) : /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/;
    zones.forEach((zone, i) => {
      if (typeof zone !== 'string' || !pattern.test(zone)) {
        report(
          `dr.network.availabilityZones[${i}]`,
          `${show(zone)} is not a zone of ${drRegion ?? 'the DR region'}; use e.g. ${drRegion ?? 'eu-central-1'}a`,
        );
      } else if (zones.indexOf(zone) !== i) report(`dr.network.availabilityZones[${i}]`, `${show(zone)} is listed twice; each zone once`);
    });
    zoneCount = zones.length;
  }
  integer(report, network, 'dr.network', 'natGateways', 1, Math.max(zoneCount ?? 1, 1));
  if (typeof network.flowLogRetentionDays !== 'number' || !LOG_RETENTION_DAYS.includes(network.flowLogRetentionDays)) {
    report(
      'dr.network.flowLogRetentionDays',
      `${show(network.flowLogRetentionDays)} is not a CloudWatch retention; use one of ${LOG_RETENTION_DAYS.join(', ')}`,
    );
  }
}

/** `chaos`: the experiments' targets exist, their shares and durations are bounded. */
function checkChaos(report: Report, env: Obj): void {
  const chaos = env.chaos;
  if (!isObj(chaos)) {
    report(
      'chaos',
      `${show(chaos)} is not an object; give { nodeTerminationPercent, networkDisruption, nodeStress, podDeletion, logRetentionDays }`,
    );
    return;
  }
  integer(report, chaos, 'chaos', 'nodeTerminationPercent', 1, 50);
  const network = chaos.networkDisruption;
  if (!isObj(network)) report('chaos.networkDisruption', `${show(network)} is not an object; give { availabilityZone, durationMinutes }`);
  else {
    const zones = isObj(env.network) && Array.isArray(env.network.availabilityZones) ? env.network.availabilityZones : [];
    if (!zones.includes(network.availabilityZone)) {
      report(
        'chaos.networkDisruption.availabilityZone',
        `${show(network.availabilityZone)} is not one of the environment's zones; use one of ${zones.join(', ')}`,
      );
    }
    integer(report, network, 'chaos.networkDisruption', 'durationMinutes', 1, 60);
  }
  const stress = chaos.nodeStress;
  if (!isObj(stress)) {
    report(
      'chaos.nodeStress',
      `${show(stress)} is not an object; give { instancePercent, durationMinutes, cpuLoadPercent, memoryPercent }`,
    );
  } else {
    integer(report, stress, 'chaos.nodeStress', 'instancePercent', 1, 100);
    integer(report, stress, 'chaos.nodeStress', 'durationMinutes', 1, 60);
    integer(report, stress, 'chaos.nodeStress', 'cpuLoadPercent', 1, 100);
    integer(report, stress, 'chaos.nodeStress', 'memoryPercent', 1, 100);
  }
  const pods = chaos.podDeletion;
  if (!isObj(pods)) report('chaos.podDeletion', `${show(pods)} is not an object; give { service, sharePercent, maxDurationMinutes }`);
  else {
    const names = SERVICE_CATALOG.services.map((s) => s.name);
    if (typeof pods.service !== 'string' || !names.includes(pods.service)) {
      report('chaos.podDeletion.service', `${show(pods.service)} is not a catalog service; use one of ${names.join(', ')}`);
    }
    integer(report, pods, 'chaos.podDeletion', 'sharePercent', 1, 100);
    integer(report, pods, 'chaos.podDeletion', 'maxDurationMinutes', 1, 60);
  }
  if (typeof chaos.logRetentionDays !== 'number' || !LOG_RETENTION_DAYS.includes(chaos.logRetentionDays)) {
    report(
      'chaos.logRetentionDays',
      `${show(chaos.logRetentionDays)} is not a CloudWatch retention; use one of ${LOG_RETENTION_DAYS.join(', ')}`,
    );
  }
}
