import { PLATFORM } from './platform';
import { EnvironmentConfig, Severity, AlertChannel } from './types';

const alerts: Record<Severity, AlertChannel> = {
  critical: { emails: PLATFORM.alertEmails.critical },
  warning: { emails: PLATFORM.alertEmails.warning },
  info: { emails: PLATFORM.alertEmails.info },
};

const azs = (region: string, count: number): string[] => ['a', 'b', 'c'].slice(0, count).map((letter) => `${region}${letter}`);

const baseTags = {
  Application: PLATFORM.application,
  Owner: PLATFORM.owner,
  CostCenter: PLATFORM.costCenter,
};

/** Development: one NAT, two AZs, small database, stateful resources may be destroyed. */
export const dev: EnvironmentConfig = {
  name: 'dev',
  stageName: 'Dev',
  tier: 'development',
  account: PLATFORM.accounts.dev,
  region: PLATFORM.region,
  network: {
    vpcCidr: '10.10.0.0/16',
    availabilityZones: azs(PLATFORM.region, 2),
    natGateways: 1,
    flowLogRetentionDays: 14,
    interfaceEndpoints: ['ecr.api', 'ecr.dkr', 'sts'],
  },
  database: { multiAz: false, instanceClass: 't4g.medium', allocatedStorageGiB: 20, backupRetentionDays: 1 },
  kubernetes: { version: '1.36', workloadNamespaces: ['apps'] },
  delivery: { requireApproval: false },
  domain: { zoneName: `dev.${PLATFORM.apexDomain}` },
  alerts,
  stateful: { removal: 'destroy', terminationProtection: false },
  tags: { ...baseTags, Environment: 'dev', DataClassification: 'internal', Backup: 'none' },
};

/** Staging: mirrors production's shape at smaller sizes, so that what passes here passes there. */
export const staging: EnvironmentConfig = {
  name: 'staging',
  stageName: 'Staging',
  tier: 'staging',
  account: PLATFORM.accounts.staging,
  region: PLATFORM.region,
  network: {
    vpcCidr: '10.20.0.0/16',
    availabilityZones: azs(PLATFORM.region, 3),
    natGateways: 1,
    flowLogRetentionDays: 90,
    interfaceEndpoints: ['ecr.api', 'ecr.dkr', 'sts', 'secretsmanager', 'logs'],
  },
  database: { multiAz: true, instanceClass: 'r7g.large', allocatedStorageGiB: 100, backupRetentionDays: 7 },
  kubernetes: { version: '1.36', workloadNamespaces: ['apps'] },
  delivery: { requireApproval: false },
  domain: { zoneName: `staging.${PLATFORM.apexDomain}` },
  alerts,
  stateful: { removal: 'retain', terminationProtection: true },
  tags: { ...baseTags, Environment: 'staging', DataClassification: 'confidential', Backup: 'daily' },
};

/** Production: three AZs, a NAT per AZ, Multi-AZ database, approval before deploy, DR region. */
export const prod: EnvironmentConfig = {
  name: 'prod',
  stageName: 'Prod',
  tier: 'production',
  account: PLATFORM.accounts.prod,
  region: PLATFORM.region,
  drRegion: PLATFORM.drRegion,
  network: {
    vpcCidr: '10.30.0.0/16',
    availabilityZones: azs(PLATFORM.region, 3),
    natGateways: 3,
    flowLogRetentionDays: 365,
    interfaceEndpoints: ['ecr.api', 'ecr.dkr', 'sts', 'secretsmanager', 'logs', 'ssm', 'kms'],
  },
  database: { multiAz: true, instanceClass: 'r7g.xlarge', allocatedStorageGiB: 200, backupRetentionDays: 14 },
  kubernetes: { version: '1.36', workloadNamespaces: ['apps'] },
  delivery: { requireApproval: true },
  domain: { zoneName: PLATFORM.apexDomain },
  alerts,
  stateful: { removal: 'retain', terminationProtection: true },
  tags: { ...baseTags, Environment: 'prod', DataClassification: 'confidential', Backup: 'hourly' },
};

/** All environments, in promotion order. */
export const ENVIRONMENTS: readonly EnvironmentConfig[] = [dev, staging, prod];
