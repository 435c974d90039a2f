import { RestoreTestingConfig } from './backup';
import { ChaosConfig } from './chaos';
import { AlarmThresholds, ObservabilityConfig, PagerConfig } from './observability';
import { PLATFORM } from './platform';
import {
  AlertChannel,
  AuditConfig,
  DatabaseConfig,
  EdgeConfig,
  EnvironmentConfig,
  KubernetesConfig,
  NodeGroupConfig,
  NodePoolAutoscalingConfig,
  Severity,
  StorageConfig,
} from './types';

const alerts: Record<Severity, AlertChannel> = {
  critical: { emails: PLATFORM.alertEmails.critical, slackChannelId: PLATFORM.chat.slack.channels.critical },
  warning: { emails: PLATFORM.alertEmails.warning, slackChannelId: PLATFORM.chat.slack.channels.warning },
  info: { emails: PLATFORM.alertEmails.info },
};

/**
 * Alarm thresholds by id and severity (units in `ALARM_CATALOG`). Critical levels page; the
 * critical levels of the API and database signals page through one composite each.
 */
const thresholds = (overrides: Partial<AlarmThresholds> = {}): AlarmThresholds => ({
  'alb-5xx-rate': { warning: 0.5, critical: 1 },
  'alb-requests-missing': { warning: 1 },
  'target-latency-p95': { warning: 1, critical: 2 },
  'target-latency-p99': { warning: 2.5 },
  'unhealthy-targets': { warning: 1 },
  'rds-cpu': { info: 60, warning: 80, critical: 95 },
  'rds-free-storage': { warning: 20, critical: 10 },
  'rds-connections': { warning: 75, critical: 85 },
  'rds-replica-lag': { warning: 60, critical: 600 },
  'proxy-client-connections': { warning: 1000 },
  'proxy-borrow-latency': { warning: 100, critical: 1000 },
  'node-cpu': { warning: 90 },
  'pod-memory-near-limit': { warning: 90 },
  'container-restarts': { warning: 3 },
  'cloudfront-5xx-rate': { warning: 1, critical: 5 },
  'waf-blocked-spike': { info: 100, warning: 1000 },
  'lambda-errors': { warning: 1 },
  'lambda-throttles': { warning: 1 },
  'webhook-queue-age': { warning: 300, critical: 1800 },
  'webhook-dlq-depth': { warning: 1 },
  'application-errors': { info: 1, warning: 20 },
  'canary-failed': { warning: 100, critical: 50 },
  'canary-latency': { warning: 1 },
  'alerting-delivery-failed': { warning: 1 },
  'escalation-failed': { warning: 1 },
  'restore-test-failed': { warning: 1 },
  // The audit trail (any one event): misuse of the account's most powerful paths pages.
  'root-account-use': { critical: 1 },
  'console-signin-without-mfa': { critical: 1 },
  'iam-policy-change': { warning: 1 },
  'break-glass-use': { critical: 1 },
  'secret-read-by-non-owner': { critical: 1 },
  ...overrides,
});

/**
 * PagerDuty's primary, then its secondary service, then a text to the duty manager; each tier gets
 * 15 minutes (the duty manager 30) to acknowledge before the next is paged.
 */
const pager: PagerConfig = {
  tiers: [
    { name: 'primary', kind: 'pagerduty', ackTimeoutMinutes: 15 },
    { name: 'secondary', kind: 'pagerduty', ackTimeoutMinutes: 15 },
    { name: 'duty-manager', kind: 'sms', ackTimeoutMinutes: 30, phoneNumbers: PLATFORM.dutyManagerPhones },
  ],
};

/** The synthetic flows: the health path every request passes, and the database-heavy list the postmortem asked for. */
const synthetics = (artifactRetentionDays: number): ObservabilityConfig['synthetics'] => ({
  scheduleMinutes: 5,
  artifactRetentionDays,
  flows: [
    { name: 'api-health', path: '/api/healthz', databaseHeavy: false, latencyObjectiveMillis: 1000 },
    // Served by web-api: one page of a tenant's list, the N+1-prone read path of the postmortem.
    { name: 'api-db-read', path: '/api/healthz/database', databaseHeavy: true, latencyObjectiveMillis: 2000 },
  ],
});

/** Observability with the defaults every environment shares. */
const observability = (overrides: Partial<ObservabilityConfig> = {}): ObservabilityConfig => ({
  chat: { slack: { workspaceId: PLATFORM.chat.slack.workspaceId } },
  pager,
  thresholds: thresholds(),
  containerLogRetentionDays: 30,
  synthetics: synthetics(7),
  ...overrides,
});

const azs = (region: string, count: number): string[] => ['a', 'b', 'c'].slice(0, count).map((letter) => `${region}${letter}`);

/** A database block with the defaults shared by every environment; sizes differ per environment. */
const database = (
  sizes: Pick<DatabaseConfig, 'multiAz' | 'instanceClass' | 'allocatedStorageGiB' | 'maxAllocatedStorageGiB' | 'backupRetentionDays'>,
  overrides: Partial<DatabaseConfig> = {},
): DatabaseConfig => ({
  ...sizes,
  backupWindow: '02:00-03:00',
  maintenanceWindow: 'sun:03:30-sun:04:30',
  // The incident in the requirements (N+1 queries exhausting connections) was found in these logs.
  slowQueryThresholdMillis: 500,
  logRetentionDays: 30,
  monitoringIntervalSeconds: 60,
  performanceInsightsRetentionDays: 7,
  readReplica: false,
  credentialRotation: { scheduleExpression: 'rate(30 days)', windowHours: 2 },
  // Who changed the schema and who was granted what: low volume, high value.
  auditLog: ['ddl', 'role'],
  proxy: { maxConnectionsPercent: 90, maxIdleConnectionsPercent: 10, idleClientTimeoutSeconds: 1800, borrowTimeoutSeconds: 30 },
  ...overrides,
});

const storage = (domain: string, overrides: Partial<StorageConfig> = {}): StorageConfig => ({
  uploads: {
    infrequentAccessAfterDays: 30,
    glacierAfterDays: 180,
    noncurrentVersionExpirationDays: 90,
    corsAllowedOrigins: [`https://app.${domain}`],
  },
  logsExpirationDays: 90,
  replicateUploadsToDr: false,
  ...overrides,
});

const nodeGroup = (
  instanceTypes: string[],
  minSize: number,
  desiredSize: number,
  maxSize: number,
  capacity: NodeGroupConfig['capacity'] = 'onDemand',
): NodeGroupConfig => ({
  instanceTypes,
  minSize,
  desiredSize,
  maxSize,
  capacity,
  diskSizeGiB: 50,
});

/** Karpenter bounds of one pool: at most `cpuLimit` vCPUs and `memoryLimitGiB`; how fast it may churn nodes. */
const pool = (
  cpuLimit: number,
  memoryLimitGiB: number,
  churn: Pick<NodePoolAutoscalingConfig, 'disruptionBudgetPercent' | 'consolidateAfterSeconds' | 'expireAfterHours'>,
): NodePoolAutoscalingConfig => ({ cpuLimit, memoryLimitGiB, ...churn });

const kubernetes = (
  nodeGroups: KubernetesConfig['nodeGroups'],
  pools: KubernetesConfig['autoscaling']['pools'],
  overrides: Partial<KubernetesConfig> = {},
): KubernetesConfig => ({
  version: '1.35',
  workloadNamespaces: ['apps'],
  // People only: the release gate runs inside the VPC and uses the private endpoint (ADR 0004).
  publicEndpointCidrs: [...PLATFORM.adminCidrs],
  nodeGroups,
  controlPlaneLogRetentionDays: 90,
  quotaHeadroomPercent: 20,
  autoscaling: { amiAlias: 'al2023@latest', pools },
  ...overrides,
});

/** Argo CD follows `main` of the GitOps repository, one directory per environment. */
const gitops = (environmentName: string) => ({
  repoUrl: PLATFORM.gitopsRepoUrl,
  revision: 'main',
  path: `environments/${environmentName}`,
});

const edge = (overrides: Partial<EdgeConfig> = {}): EdgeConfig => ({
  appSubdomain: 'app',
  apiSubdomain: 'api',
  priceClass: 'PriceClass_100',
  wafRateLimitPer5Minutes: 2000,
  wafLogRetentionDays: 90,
  shieldAdvanced: false,
  blueGreenWeights: { blue: 100, green: 0 },
  healthCheckPath: '/api/healthz',
  webhookThrottle: { ratePerSecond: 50, burst: 100 },
  albDeletionProtection: true,
  originVerifyRotationDays: 30,
  webhookProviders: [{ name: 'payment-provider', ratePerSecond: 20, burst: 40 }],
  // Senders retry failed deliveries for up to three days (re-signed, same delivery ID).
  webhookDeliveryIdRetentionHours: 72,
  webhookMaxReceiveCount: 5,
  ...overrides,
});

/** The trail's retention: write-once for `trailRetentionDays`, searchable in CloudWatch Logs for `cloudWatchRetentionDays`. */
const audit = (
  trailRetentionDays: number,
  objectLockMode: AuditConfig['objectLockMode'],
  cloudWatchRetentionDays: number,
): AuditConfig => ({
  trailRetentionDays,
  objectLockMode,
  cloudWatchRetentionDays,
});

/** A weekly restore test, Tuesdays 06:00 UTC, of the latest recovery point of the last week. */
const restoreTesting = (validationWindowHours: number): RestoreTestingConfig => ({
  scheduleExpression: 'cron(0 6 ? * TUE *)',
  startWindowHours: 4,
  selectionWindowDays: 7,
  validationWindowHours,
});

/** The experiments' defaults; each environment sets how hard they hit. */
const chaos = (zone: string, overrides: Partial<ChaosConfig> = {}): ChaosConfig => ({
  nodeTerminationPercent: 50,
  networkDisruption: { availabilityZone: zone, durationMinutes: 5 },
  nodeStress: { instancePercent: 50, durationMinutes: 5, cpuLoadPercent: 80, memoryPercent: 80 },
  podDeletion: { service: 'web-api', sharePercent: 50, maxDurationMinutes: 5 },
  logRetentionDays: 30,
  ...overrides,
});

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
  database: database(
    { multiAz: false, instanceClass: 't4g.medium', allocatedStorageGiB: 20, maxAllocatedStorageGiB: 50, backupRetentionDays: 1 },
    { monitoringIntervalSeconds: 0, logRetentionDays: 7, slowQueryThresholdMillis: 200 },
  ),
  storage: storage(`dev.${PLATFORM.apexDomain}`, { logsExpirationDays: 14 }),
  kubernetes: kubernetes(
    { system: nodeGroup(['t4g.large'], 2, 2, 3), workloads: nodeGroup(['m7g.large', 'm6g.large'], 1, 2, 6, 'spot') },
    {
      // Development churns freely: half the nodes at a time, consolidated after a minute, weekly replacement.
      system: pool(8, 32, { disruptionBudgetPercent: 50, consolidateAfterSeconds: 60, expireAfterHours: 168 }),
      workloads: pool(24, 96, { disruptionBudgetPercent: 50, consolidateAfterSeconds: 60, expireAfterHours: 168 }),
    },
    { controlPlaneLogRetentionDays: 14 },
  ),
  edge: edge({ wafLogRetentionDays: 14, albDeletionProtection: false }),
  delivery: { requireApproval: false },
  gitops: gitops('dev'),
  // NS records in prod's zone (the apex), written by this environment's Dns stack.
  domain: { zoneName: `dev.${PLATFORM.apexDomain}`, delegatedFrom: 'prod' },
  alerts,
  // Nobody is paged for development: its critical alerts reach chat and e-mail.
  observability: observability({ pager: undefined, containerLogRetentionDays: 7 }),
  stateful: { removal: 'destroy', terminationProtection: false, breakGlassRoleName: PLATFORM.breakGlassRoleName },
  audit: audit(90, 'GOVERNANCE', 14),
  secrets: { signingKeyRotation: { scheduleExpression: 'rate(7 days)', windowHours: 2 } },
  // A day of changes may be lost in development; restores are still tested, so that they work when it matters.
  backup: {
    objectives: { rpoMinutes: 1440, rtoMinutes: 480 },
    daily: { retentionDays: 7 },
    copyToDr: false,
    restoreTesting: restoreTesting(2),
  },
  chaos: chaos(azs(PLATFORM.region, 2)[0]),
  tags: { ...baseTags, Environment: 'dev', DataClassification: 'internal', Backup: 'daily' },
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
    // sns: Alertmanager publishes the cluster's alerts without depending on the NAT.
    interfaceEndpoints: ['ecr.api', 'ecr.dkr', 'sts', 'secretsmanager', 'logs', 'sqs', 'sns'],
  },
  database: database({
    multiAz: true,
    instanceClass: 'r7g.large',
    allocatedStorageGiB: 100,
    maxAllocatedStorageGiB: 200,
    backupRetentionDays: 7,
  }),
  storage: storage(`staging.${PLATFORM.apexDomain}`),
  kubernetes: kubernetes(
    { system: nodeGroup(['m7g.large'], 2, 3, 3), workloads: nodeGroup(['m7g.xlarge'], 3, 3, 12) },
    {
      system: pool(12, 48, { disruptionBudgetPercent: 20, consolidateAfterSeconds: 300, expireAfterHours: 336 }),
      workloads: pool(64, 256, { disruptionBudgetPercent: 20, consolidateAfterSeconds: 300, expireAfterHours: 336 }),
    },
  ),
  edge: edge(),
  delivery: { requireApproval: false },
  gitops: gitops('staging'),
  domain: { zoneName: `staging.${PLATFORM.apexDomain}`, delegatedFrom: 'prod' },
  alerts,
  observability: observability(),
  stateful: { removal: 'retain', terminationProtection: true, breakGlassRoleName: PLATFORM.breakGlassRoleName },
  audit: audit(365, 'GOVERNANCE', 90),
  secrets: { signingKeyRotation: { scheduleExpression: 'rate(30 days)', windowHours: 2 } },
  backup: {
    objectives: { rpoMinutes: 60, rtoMinutes: 240 },
    // Equal to database.backupRetentionDays: AWS Backup manages the database's point-in-time window.
    continuousRetentionDays: 7,
    daily: { retentionDays: 14 },
    weekly: { retentionDays: 35 },
    vaultLock: { mode: 'governance', minRetentionDays: 7, maxRetentionDays: 35 },
    copyToDr: false,
    restoreTesting: restoreTesting(4),
  },
  chaos: chaos(azs(PLATFORM.region, 3)[0], { nodeTerminationPercent: 34 }),
  tags: { ...baseTags, Environment: 'staging', DataClassification: 'confidential', Backup: 'hourly' },
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
    interfaceEndpoints: ['ecr.api', 'ecr.dkr', 'sts', 'secretsmanager', 'logs', 'ssm', 'kms', 'sqs', 'sns'],
  },
  database: database(
    { multiAz: true, instanceClass: 'r7g.xlarge', allocatedStorageGiB: 200, maxAllocatedStorageGiB: 1000, backupRetentionDays: 14 },
    {
      readReplica: true,
      logRetentionDays: 365,
      performanceInsightsRetentionDays: 31,
      credentialRotation: { scheduleExpression: 'cron(0 3 ? * SUN *)', windowHours: 2 },
    },
  ),
  storage: storage(PLATFORM.apexDomain, { logsExpirationDays: 365, replicateUploadsToDr: true }),
  kubernetes: kubernetes(
    { system: nodeGroup(['m7g.large'], 3, 3, 6), workloads: nodeGroup(['m7g.2xlarge'], 3, 6, 30) },
    {
      // Production churns slowly: a tenth of the nodes at a time, monthly replacement.
      system: pool(24, 96, { disruptionBudgetPercent: 10, consolidateAfterSeconds: 600, expireAfterHours: 720 }),
      workloads: pool(256, 1024, { disruptionBudgetPercent: 10, consolidateAfterSeconds: 600, expireAfterHours: 720 }),
    },
    { controlPlaneLogRetentionDays: 365 },
  ),
  edge: edge({
    priceClass: 'PriceClass_All',
    wafRateLimitPer5Minutes: 5000,
    wafLogRetentionDays: 365,
    webhookThrottle: { ratePerSecond: 200, burst: 400 },
    webhookProviders: [{ name: 'payment-provider', ratePerSecond: 100, burst: 200 }],
  }),
  delivery: { requireApproval: true },
  gitops: gitops('prod'),
  domain: { zoneName: PLATFORM.apexDomain },
  alerts,
  observability: observability({ containerLogRetentionDays: 90, synthetics: synthetics(30) }),
  stateful: { removal: 'retain', terminationProtection: true, breakGlassRoleName: PLATFORM.breakGlassRoleName },
  // Seven years, and not even the root user can shorten it.
  audit: audit(2557, 'COMPLIANCE', 365),
  secrets: { signingKeyRotation: { scheduleExpression: 'cron(0 4 ? * TUE *)', windowHours: 2 } },
  backup: {
    objectives: { rpoMinutes: 15, rtoMinutes: 120 },
    // Equal to database.backupRetentionDays: AWS Backup manages the database's point-in-time window.
    continuousRetentionDays: 14,
    daily: { retentionDays: 35 },
    weekly: { retentionDays: 90 },
    monthly: { retentionDays: 400, coldStorageAfterDays: 30 },
    // Nobody, the root user included, can delete a recovery point early once the 3 days have passed.
    vaultLock: { mode: 'compliance', minRetentionDays: 14, maxRetentionDays: 400, changeableForDays: 3 },
    copyToDr: true,
    restoreTesting: restoreTesting(4),
  },
  // Pilot light (ADR 0008): the data is there, copied and replicated; compute comes up on failover.
  dr: {
    database: 'snapshotCopy',
    network: { vpcCidr: '10.40.0.0/16', availabilityZones: azs(PLATFORM.drRegion, 3), natGateways: 1, flowLogRetentionDays: 365 },
  },
  chaos: chaos(azs(PLATFORM.region, 3)[0], {
    nodeTerminationPercent: 20,
    nodeStress: { instancePercent: 20, durationMinutes: 5, cpuLoadPercent: 80, memoryPercent: 70 },
    logRetentionDays: 365,
  }),
  tags: { ...baseTags, Environment: 'prod', DataClassification: 'confidential', Backup: 'hourly' },
};

/** All environments, in promotion order. */
export const ENVIRONMENTS: readonly EnvironmentConfig[] = [dev, staging, prod];
