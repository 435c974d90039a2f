import { achievedRpoMinutes, backupRules, requiredBackupTag } from '../../lib/config/backup';
import { dev, ENVIRONMENTS, prod, staging } from '../../lib/config/environments';
import { SERVICE_CATALOG } from '../../lib/config/service-catalog';
import { validateBackup } from '../../lib/config/validate-backup';
import { withValue, withValues } from '../helpers';

/** The problems of one environment, `path: message` each. */
const problemsOf = (env: object) => validateBackup([env]).map((p) => `${p.path}: ${p.message}`);
const one = (env: object, path: string, value: unknown) => problemsOf(withValue(env, path, value));
const lines = (expected: string | string[]) => (Array.isArray(expected) ? expected : [expected]);

describe('validateBackup', () => {
  test('the shipped environments are valid', () => {
    expect(validateBackup(ENVIRONMENTS)).toEqual([]);
  });

  test('input that is not an environment is left to validateEnvironments', () => {
    expect(validateBackup('nope')).toEqual([]);
    expect(validateBackup([null, 1, { tier: 'production' }])).toEqual([]);
  });

  test.each(ENVIRONMENTS.map((e) => [e.name, e] as const))(
    '%s: the rules derived from config meet the RPO, and the Backup tag selects for it',
    (_name, config) => {
      // GIVEN the shipped objectives THEN the rules lose at most the RPO
      expect(achievedRpoMinutes(config.backup)).toBeLessThanOrEqual(config.backup.objectives.rpoMinutes);
      expect(config.tags.Backup).toBe(requiredBackupTag(config.backup.objectives));
      const rules = backupRules(config.backup);
      expect(rules.some((r) => r.continuous)).toBe(config.backup.objectives.rpoMinutes < 1440);
      expect(rules.find((r) => r.name === 'daily')?.retentionDays).toBe(config.backup.daily.retentionDays);
    },
  );

  // One clear message per problem, naming the field, the value and what is allowed.
  test.each<[string, object, string, unknown, string | string[]]>([
    [
      'backup missing',
      dev,
      'backup',
      undefined,
      'dev.backup: missing is not an object; give { objectives, daily, copyToDr, restoreTesting }',
    ],
    ['objectives', dev, 'backup.objectives', 'fast', 'dev.backup.objectives: "fast" is not an object; give { rpoMinutes, rtoMinutes }'],
    ['RPO too low', staging, 'backup.objectives.rpoMinutes', 1, 'staging.backup.objectives.rpoMinutes: 1 is too low; use 5..10080'],
    ['RPO too high', dev, 'backup.objectives.rpoMinutes', 20000, 'dev.backup.objectives.rpoMinutes: 20000 is too high; use 5..10080'],
    [
      'RTO not whole',
      dev,
      'backup.objectives.rtoMinutes',
      1.5,
      'dev.backup.objectives.rtoMinutes: 1.5 is not a whole number; use 15..10080',
    ],
    [
      'RPO below a day without continuous backup',
      staging,
      'backup.continuousRetentionDays',
      undefined,
      'staging.backup.objectives.rpoMinutes: 60 cannot be met without continuous backup (the daily rule keeps one recovery point a day); set backup.continuousRetentionDays (1..35) or use an RPO of 1440',
    ],
    [
      'continuous retention too long',
      prod,
      'backup.continuousRetentionDays',
      36,
      'prod.backup.continuousRetentionDays: 36 is too high; use 1..35',
    ],
    [
      'continuous retention differs from the database',
      staging,
      'backup.continuousRetentionDays',
      10,
      "staging.backup.continuousRetentionDays: 10 differs from database.backupRetentionDays 7; use the same value (AWS Backup takes over the database's point-in-time window, and CloudFormation would set it back on every deploy)",
    ],
    [
      'Backup tag that does not select',
      prod,
      'tags.Backup',
      'daily',
      'prod.tags.Backup: "daily" does not select the stateful resources for an RPO of 15 minutes (the backup plan selects on this tag); use "hourly"',
    ],
    [
      'daily missing',
      dev,
      'backup.daily',
      undefined,
      'dev.backup.daily: missing is not an object; give { retentionDays, coldStorageAfterDays? }',
    ],
    [
      'weekly malformed',
      staging,
      'backup.weekly',
      5,
      'staging.backup.weekly: 5 is not an object; give { retentionDays, coldStorageAfterDays? }',
    ],
    ['retention too low', dev, 'backup.daily.retentionDays', 0, 'dev.backup.daily.retentionDays: 0 is too low; use 1..36500'],
    [
      'cold storage not whole',
      prod,
      'backup.monthly.coldStorageAfterDays',
      'soon',
      'prod.backup.monthly.coldStorageAfterDays: "soon" is not a whole number; use 1..36500',
    ],
    [
      'cold storage too late for the retention',
      prod,
      'backup.monthly.coldStorageAfterDays',
      320,
      'prod.backup.monthly.retentionDays: 400 is less than 90 days after coldStorageAfterDays 320; AWS Backup keeps a recovery point in cold storage at least 90 days, so use 410 or more',
    ],
    [
      'no vault lock in production',
      prod,
      'backup.vaultLock',
      undefined,
      'prod.backup.vaultLock: missing; production recovery points need a vault lock in compliance mode',
    ],
    [
      'vault lock malformed',
      staging,
      'backup.vaultLock',
      true,
      'staging.backup.vaultLock: true is not an object; give { mode, minRetentionDays, maxRetentionDays, changeableForDays? }',
    ],
    [
      'unknown lock mode',
      staging,
      'backup.vaultLock.mode',
      'strict',
      'staging.backup.vaultLock.mode: "strict" is not allowed; use one of compliance, governance',
    ],
    [
      'governance in production',
      prod,
      'backup.vaultLock',
      { mode: 'governance', minRetentionDays: 14, maxRetentionDays: 400 },
      'prod.backup.vaultLock.mode: "governance" is not allowed in production; use "compliance" (nobody, the root user included, can then delete a recovery point early)',
    ],
    [
      'compliance grace time too short',
      prod,
      'backup.vaultLock.changeableForDays',
      1,
      'prod.backup.vaultLock.changeableForDays: 1 is too low; use 3..36500',
    ],
    [
      'grace time on a governance lock',
      staging,
      'backup.vaultLock.changeableForDays',
      3,
      'staging.backup.vaultLock.changeableForDays: 3 is only for compliance mode; remove it (a governance lock has no grace time)',
    ],
    [
      'max below min',
      staging,
      'backup.vaultLock.maxRetentionDays',
      5,
      'staging.backup.vaultLock.maxRetentionDays: 5 is too low; use 7..36500',
    ],
    [
      'a rule keeps less than the lock allows',
      staging,
      'backup.vaultLock.minRetentionDays',
      10,
      "staging.backup.continuousRetentionDays: 7 is below the vault lock's minRetentionDays 10; the vault refuses such recovery points (the backup jobs fail), use 10..35",
    ],
    [
      'a rule keeps more than the lock allows',
      prod,
      'backup.vaultLock.maxRetentionDays',
      365,
      "prod.backup.monthly.retentionDays: 400 is above the vault lock's maxRetentionDays 365; the vault refuses such recovery points (the backup jobs fail), use 14..365",
    ],
    ['copyToDr not boolean', dev, 'backup.copyToDr', 'yes', 'dev.backup.copyToDr: "yes" is not a boolean; use true or false'],
    [
      'copyToDr without a DR region',
      dev,
      'backup.copyToDr',
      true,
      "dev.backup.copyToDr: true needs drRegion and dr (the DR vault is part of the DR region's pilot light); set them, or turn copying off",
    ],
    [
      'restore testing missing',
      dev,
      'backup.restoreTesting',
      undefined,
      'dev.backup.restoreTesting: missing is not an object; give { scheduleExpression, startWindowHours, selectionWindowDays, validationWindowHours }',
    ],
    [
      'restore testing schedule',
      dev,
      'backup.restoreTesting.scheduleExpression',
      'rate(7 days)',
      'dev.backup.restoreTesting.scheduleExpression: "rate(7 days)" is not valid; use cron(minutes hours day month weekday year) in UTC, e.g. cron(0 6 ? * TUE *)',
    ],
    [
      'start window',
      dev,
      'backup.restoreTesting.startWindowHours',
      0,
      'dev.backup.restoreTesting.startWindowHours: 0 is too low; use 1..168',
    ],
    [
      'selection window',
      dev,
      'backup.restoreTesting.selectionWindowDays',
      400,
      'dev.backup.restoreTesting.selectionWindowDays: 400 is too high; use 1..365',
    ],
    [
      'validation window',
      dev,
      'backup.restoreTesting.validationWindowHours',
      200,
      'dev.backup.restoreTesting.validationWindowHours: 200 is too high; use 1..168',
    ],
  ])('%s', (_what, env, path, value, expected) => {
    expect(one(env, path, value)).toEqual(lines(expected));
  });

  test.each<[string, object, string | string[]]>([
    [
      'no DR in production',
      withValue(prod, 'dr', undefined),
      [
        "prod.backup.copyToDr: true needs drRegion and dr (the DR vault is part of the DR region's pilot light); set them, or turn copying off",
        "prod.dr: missing; production needs the DR region's pilot light (dr.database, dr.network)",
      ],
    ],
    ['DR malformed', withValue(prod, 'dr', 'eu'), 'prod.dr: "eu" is not an object; give { database, network }'],
    [
      'DR without a DR region',
      withValues(dev, { dr: prod.dr, 'backup.copyToDr': false }),
      [
        'dev.dr: needs drRegion; set the DR region, or remove dr',
        'dev.dr.database: "snapshotCopy" needs backup.copyToDr: true (the copied snapshots are the DR region\'s only copy of the database)',
        'dev.storage.replicateUploadsToDr: false leaves the DR region without the uploads; turn it on with dr',
      ],
    ],
    ['unknown database path', withValue(prod, 'dr.database', 'replica'), 'prod.dr.database: "replica" is not allowed; use snapshotCopy'],
    [
      'snapshot copies that are not copied',
      withValue(prod, 'backup.copyToDr', false),
      'prod.dr.database: "snapshotCopy" needs backup.copyToDr: true (the copied snapshots are the DR region\'s only copy of the database)',
    ],
    [
      'DR without the uploads',
      withValue(prod, 'storage.replicateUploadsToDr', false),
      'prod.storage.replicateUploadsToDr: false leaves the DR region without the uploads; turn it on with dr',
    ],
    [
      'network malformed',
      withValue(prod, 'dr.network', 1),
      'prod.dr.network: 1 is not an object; give { vpcCidr, availabilityZones, natGateways, flowLogRetentionDays }',
    ],
    [
      'CIDR missing',
      withValue(prod, 'dr.network.vpcCidr', undefined),
      'prod.dr.network.vpcCidr: missing is not an IPv4 CIDR; use a.b.c.d/n',
    ],
    [
      'CIDR host bits',
      withValue(prod, 'dr.network.vpcCidr', '10.40.0.1/16'),
      'prod.dr.network.vpcCidr: "10.40.0.1/16" has host bits set; did you mean 10.40.0.0/16?',
    ],
    [
      'CIDR prefix',
      withValue(prod, 'dr.network.vpcCidr', '10.40.0.0/24'),
      'prod.dr.network.vpcCidr: "10.40.0.0/24" has prefix /24; use /16../20 (room for three subnet tiers in every AZ)',
    ],
    [
      'CIDR overlaps the primary VPC',
      withValue(prod, 'dr.network.vpcCidr', '10.30.0.0/16'),
      'prod.dr.network.vpcCidr: "10.30.0.0/16" overlaps prod\'s VPC "10.30.0.0/16"; the DR VPC needs its own range so the regions can be peered',
    ],
    [
      'zones not a list',
      withValue(prod, 'dr.network.availabilityZones', 'eu-central-1a'),
      'prod.dr.network.availabilityZones: "eu-central-1a" is not a list',
    ],
    [
      'one zone',
      withValue(prod, 'dr.network.availabilityZones', ['eu-central-1a']),
      ['prod.dr.network.availabilityZones: 1 zone(s) given; the DR VPC needs at least 2'],
    ],
    [
      'zone of the primary region',
      withValue(prod, 'dr.network.availabilityZones', ['eu-central-1a', 'eu-west-1b']),
      'prod.dr.network.availabilityZones[1]: "eu-west-1b" is not a zone of eu-central-1; use e.g. eu-central-1a',
    ],
    [
      'zone twice',
      withValue(prod, 'dr.network.availabilityZones', ['eu-central-1a', 'eu-central-1a']),
      'prod.dr.network.availabilityZones[1]: "eu-central-1a" is listed twice; each zone once',
    ],
    ['too many NAT gateways', withValue(prod, 'dr.network.natGateways', 4), 'prod.dr.network.natGateways: 4 is too high; use 1..3'],
    [
      'flow log retention',
      withValue(prod, 'dr.network.flowLogRetentionDays', 100),
      expect.stringMatching(
        /^prod\.dr\.network\.flowLogRetentionDays: 100 is not a CloudWatch retention; use one of 1, 3, 5, .*365/,
      ) as unknown as string,
    ],
  ])('DR: %s', (_what, env, expected) => {
    expect(problemsOf(env)).toEqual(lines(expected));
  });

  test("a DR VPC overlapping another environment's DR VPC is named as such", () => {
    // GIVEN two production-like environments whose DR VPCs share a range
    const other = withValues(prod, { name: 'prod2', 'network.vpcCidr': '10.50.0.0/16' });
    const problems = validateBackup([prod, other]).map((p) => `${p.path}: ${p.message}`);
    expect(problems).toEqual([
      'prod2.dr.network.vpcCidr: "10.40.0.0/16" overlaps prod\'s DR VPC "10.40.0.0/16"; the DR VPC needs its own range so the regions can be peered',
    ]);
  });
  test.each<[string, object, string, unknown, string]>([
    [
      'chaos missing',
      dev,
      'chaos',
      undefined,
      'dev.chaos: missing is not an object; give { nodeTerminationPercent, networkDisruption, nodeStress, podDeletion, logRetentionDays }',
    ],
    [
      'terminating more than half the nodes',
      prod,
      'chaos.nodeTerminationPercent',
      60,
      'prod.chaos.nodeTerminationPercent: 60 is too high; use 1..50',
    ],
    [
      'network malformed',
      dev,
      'chaos.networkDisruption',
      'az-a',
      'dev.chaos.networkDisruption: "az-a" is not an object; give { availabilityZone, durationMinutes }',
    ],
    [
      'a zone the environment does not use',
      dev,
      'chaos.networkDisruption.availabilityZone',
      'eu-west-1c',
      'dev.chaos.networkDisruption.availabilityZone: "eu-west-1c" is not one of the environment\'s zones; use one of eu-west-1a, eu-west-1b',
    ],
    [
      'network too long',
      staging,
      'chaos.networkDisruption.durationMinutes',
      90,
      'staging.chaos.networkDisruption.durationMinutes: 90 is too high; use 1..60',
    ],
    [
      'stress malformed',
      dev,
      'chaos.nodeStress',
      [],
      'dev.chaos.nodeStress: [] is not an object; give { instancePercent, durationMinutes, cpuLoadPercent, memoryPercent }',
    ],
    ['stress share', dev, 'chaos.nodeStress.instancePercent', 0, 'dev.chaos.nodeStress.instancePercent: 0 is too low; use 1..100'],
    ['stress duration', dev, 'chaos.nodeStress.durationMinutes', 61, 'dev.chaos.nodeStress.durationMinutes: 61 is too high; use 1..60'],
    ['stress CPU', dev, 'chaos.nodeStress.cpuLoadPercent', 101, 'dev.chaos.nodeStress.cpuLoadPercent: 101 is too high; use 1..100'],
    [
      'stress memory',
      dev,
      'chaos.nodeStress.memoryPercent',
      'lots',
      'dev.chaos.nodeStress.memoryPercent: "lots" is not a whole number; use 1..100',
    ],
    [
      'pod deletion missing',
      dev,
      'chaos.podDeletion',
      'web-api',
      'dev.chaos.podDeletion: "web-api" is not an object; give { service, sharePercent, maxDurationMinutes }',
    ],
    [
      'pod deletion service',
      dev,
      'chaos.podDeletion.service',
      'nope',
      `dev.chaos.podDeletion.service: "nope" is not a catalog service; use one of ${SERVICE_CATALOG.services.map((s) => s.name).join(', ')}`,
    ],
    ['pod share', dev, 'chaos.podDeletion.sharePercent', 0, 'dev.chaos.podDeletion.sharePercent: 0 is too low; use 1..100'],
    [
      'pod duration',
      prod,
      'chaos.podDeletion.maxDurationMinutes',
      61,
      'prod.chaos.podDeletion.maxDurationMinutes: 61 is too high; use 1..60',
    ],
    [
      'log retention',
      dev,
      'chaos.logRetentionDays',
      10,
      expect.stringMatching(/^dev\.chaos\.logRetentionDays: 10 is not a CloudWatch retention; use one of 1, 3, 5, /) as unknown as string,
    ],
  ])('chaos: %s', (_what, env, path, value, expected) => {
    expect(one(env, path, value)).toEqual([expected]);
  });
});
