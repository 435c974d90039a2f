import { dev, ENVIRONMENTS, prod, staging } from '../../lib/config/environments';
import { LOG_RETENTION_DAYS } from '../../lib/config/regions';
import { INTERFACE_ENDPOINTS } from '../../lib/config/types';
import { assertValidEnvironments, ConfigValidationError, formatProblems, validateEnvironments } from '../../lib/config/validate';
import { withValue, withValues } from '../helpers';

describe('validateEnvironments', () => {
  test('the shipped environments are valid', () => {
    // GIVEN the committed configuration WHEN validated THEN nothing is reported
    expect(validateEnvironments(ENVIRONMENTS)).toEqual([]);
  });

  // Each row: the environment to break, the field, the bad value, and the exact message the user sees.
  test.each<[string, string, unknown, string]>([
    ['dev', 'network.vpcCidr', '10.10.0.0/33', 'dev.network.vpcCidr: "10.10.0.0/33" has a prefix above /32'],
    ['dev', 'network.vpcCidr', '10.10.0.1/16', 'dev.network.vpcCidr: "10.10.0.1/16" has host bits set; did you mean 10.10.0.0/16?'],
    ['dev', 'network.vpcCidr', '10.300.0.0/16', 'dev.network.vpcCidr: "10.300.0.0/16" has an octet above 255'],
    ['dev', 'network.vpcCidr', 'ten.dot.zero', 'dev.network.vpcCidr: "ten.dot.zero" is not an IPv4 CIDR; use a.b.c.d/n'],
    ['dev', 'network.vpcCidr', 42, 'dev.network.vpcCidr: 42 is not an IPv4 CIDR; use a.b.c.d/n'],
    [
      'dev',
      'network.vpcCidr',
      '10.10.0.0/24',
      'dev.network.vpcCidr: "10.10.0.0/24" has prefix /24; use /16../20 (room for three subnet tiers in every AZ)',
    ],
    [
      'dev',
      'network.availabilityZones',
      ['eu-west-1a'],
      'dev.network.availabilityZones: 1 zone(s) given; a development environment needs at least 2',
    ],
    [
      'prod',
      'network.availabilityZones',
      ['eu-west-1a', 'eu-west-1b'],
      'prod.network.availabilityZones: 2 zone(s) given; a production environment needs at least 3\nprod.network.natGateways: 3 is above the 2 network.availabilityZones: at most one NAT gateway per zone; use 1..2',
    ],
    [
      'dev',
      'network.availabilityZones',
      ['eu-west-1a', 'us-east-1b'],
      'dev.network.availabilityZones[1]: "us-east-1b" is not a zone of eu-west-1; use e.g. eu-west-1a',
    ],
    [
      'dev',
      'network.availabilityZones',
      ['eu-west-1a', 'eu-west-1a'],
      'dev.network.availabilityZones[1]: "eu-west-1a" is listed twice; each zone once',
    ],
    ['dev', 'network.natGateways', 0, 'dev.network.natGateways: 0 is too low; use 1..2'],
    [
      'dev',
      'network.natGateways',
      3,
      'dev.network.natGateways: 3 is above the 2 network.availabilityZones: at most one NAT gateway per zone; use 1..2',
    ],
    ['dev', 'network.natGateways', 1.5, 'dev.network.natGateways: 1.5 is not a whole number; use 1..2'],
    ['prod', 'network.natGateways', 1, 'prod.network.natGateways: 1 is fewer than the 3 zones; production needs one NAT gateway per zone'],
    [
      'dev',
      'network.flowLogRetentionDays',
      10,
      'dev.network.flowLogRetentionDays: 10 is not a CloudWatch retention; use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
    ],
    [
      'dev',
      'network.interfaceEndpoints',
      ['ecr.api', 'dynamo'],
      `dev.network.interfaceEndpoints[1]: "dynamo" is not a known endpoint; use one of ${INTERFACE_ENDPOINTS.join(', ')}`,
    ],
    ['dev', 'network', 'big', 'dev.network: "big" is not an object; expected the network settings'],
    [
      'dev',
      'region',
      'eu-west-9',
      'dev.region: "eu-west-9" is not allowed; use one of us-east-1, us-east-2, us-west-1, us-west-2, ca-central-1, ca-west-1, mx-central-1, sa-east-1, eu-west-1, eu-west-2, eu-west-3, eu-central-1, eu-central-2, eu-north-1, eu-south-1, eu-south-2, ap-south-1, ap-south-2, ap-northeast-1, ap-northeast-2, ap-northeast-3, ap-southeast-1, ap-southeast-2, ap-southeast-3, ap-southeast-4, ap-southeast-5, ap-southeast-7, ap-east-1, ap-east-2, me-south-1, me-central-1, il-central-1, af-south-1',
    ],
    ['dev', 'account', '1234', 'dev.account: "1234" is not valid; use a 12-digit AWS account ID'],
    ['dev', 'account', 111111111111, 'dev.account: 111111111111 is not valid; use a 12-digit AWS account ID'],
    [
      'prod',
      'drRegion',
      undefined,
      [
        'prod.drRegion: missing; a production environment needs a disaster-recovery region',
        'prod.storage.replicateUploadsToDr: true needs a drRegion to replicate to; set drRegion or turn replication off',
      ].join('\n'),
    ],
    ['prod', 'drRegion', 'eu-west-1', 'prod.drRegion: "eu-west-1" is the primary region; use a different region'],
    ['dev', 'tier', 'qa', 'dev.tier: "qa" is not allowed; use one of development, staging, production'],
    ['dev', 'stageName', 'dev', 'dev.stageName: "dev" is not valid; use a PascalCase name such as Staging'],
    [
      'prod',
      'database.multiAz',
      false,
      'prod.database.multiAz: false is not allowed in production; a production database needs a standby in a second zone',
    ],
    ['staging', 'database.backupRetentionDays', 3, 'staging.database.backupRetentionDays: 3 is too low; use 7..35'],
    ['dev', 'database.backupRetentionDays', 0, 'dev.database.backupRetentionDays: 0 is too low; use 1..35'],
    ['prod', 'database.backupRetentionDays', 36, 'prod.database.backupRetentionDays: 36 is too high; use 7..35'],
    [
      'dev',
      'database.instanceClass',
      'db.t4g.medium',
      'dev.database.instanceClass: "db.t4g.medium" is not valid; use an RDS class without the db. prefix, e.g. r7g.large',
    ],
    ['dev', 'database.allocatedStorageGiB', 10, 'dev.database.allocatedStorageGiB: 10 is too low; use 20..65536'],
    ['dev', 'database.multiAz', 'yes', 'dev.database.multiAz: "yes" is not a boolean; use true or false'],
    [
      'dev',
      'database.maxAllocatedStorageGiB',
      10,
      'dev.database.maxAllocatedStorageGiB: 10 is below allocatedStorageGiB 20: storage autoscaling grows from the allocated storage; use 20..65536',
    ],
    ['dev', 'database.backupWindow', '2am', 'dev.database.backupWindow: "2am" is not valid; use hh:mm-hh:mm in UTC, e.g. 02:00-03:00'],
    [
      'dev',
      'database.maintenanceWindow',
      'sunday 03:00',
      'dev.database.maintenanceWindow: "sunday 03:00" is not valid; use ddd:hh:mm-ddd:hh:mm in UTC, e.g. sun:03:30-sun:04:30',
    ],
    ['dev', 'database.slowQueryThresholdMillis', -5, 'dev.database.slowQueryThresholdMillis: -5 is too low; use -1..3600000'],
    [
      'dev',
      'database.monitoringIntervalSeconds',
      20,
      'dev.database.monitoringIntervalSeconds: 20 is not an enhanced-monitoring interval; use one of 0, 1, 5, 10, 15, 30, 60',
    ],
    [
      'dev',
      'database.performanceInsightsRetentionDays',
      30,
      'dev.database.performanceInsightsRetentionDays: 30 is not a Performance Insights retention (7 or a multiple of 31 up to 731); use one of 7, 31, 62, 93, 124, 155, 186, 217, 248, 279, 310, 341, 372, 403, 434, 465, 496, 527, 558, 589, 620, 651, 682, 713, 731',
    ],
    [
      'staging',
      'database.readReplica',
      true,
      'staging.database.readReplica: true is not allowed in staging; read replicas are for production',
    ],
    [
      'dev',
      'database.credentialRotation.scheduleExpression',
      'rate(400 days)',
      'dev.database.credentialRotation.scheduleExpression: "rate(400 days)" is not a rotation schedule; use rate(N days) with N in 1..365, or cron(minutes hours day month weekday year)',
    ],
    [
      'dev',
      'database.credentialRotation.scheduleExpression',
      'weekly',
      'dev.database.credentialRotation.scheduleExpression: "weekly" is not a rotation schedule; use rate(N days) with N in 1..365, or cron(minutes hours day month weekday year)',
    ],
    ['dev', 'database.credentialRotation.windowHours', 30, 'dev.database.credentialRotation.windowHours: 30 is too high; use 1..24'],
    [
      'dev',
      'database.credentialRotation',
      'monthly',
      'dev.database.credentialRotation: "monthly" is not an object; give { scheduleExpression, windowHours }',
    ],
    ['dev', 'database.proxy.maxConnectionsPercent', 0, 'dev.database.proxy.maxConnectionsPercent: 0 is too low; use 1..100'],
    ['dev', 'database.proxy.maxConnectionsPercent', 101, 'dev.database.proxy.maxConnectionsPercent: 101 is too high; use 1..100'],
    [
      'dev',
      'database.proxy.maxIdleConnectionsPercent',
      95,
      'dev.database.proxy.maxIdleConnectionsPercent: 95 is above maxConnectionsPercent 90: idle connections are part of the pool; use 0..90',
    ],
    ['dev', 'database.proxy.idleClientTimeoutSeconds', 5, 'dev.database.proxy.idleClientTimeoutSeconds: 5 is too low; use 60..28800'],
    ['dev', 'database.proxy', undefined, 'dev.database.proxy: missing is not an object; give the proxy settings'],
    ['dev', 'storage.uploads.infrequentAccessAfterDays', 10, 'dev.storage.uploads.infrequentAccessAfterDays: 10 is too low; use 30..3650'],
    [
      'dev',
      'storage.uploads.glacierAfterDays',
      40,
      'dev.storage.uploads.glacierAfterDays: 40 is below infrequentAccessAfterDays 30 + 30: objects spend at least 30 days in Infrequent Access first; use 60..3650',
    ],
    [
      'dev',
      'storage.uploads.corsAllowedOrigins',
      ['https://*.example.com'],
      'dev.storage.uploads.corsAllowedOrigins[0]: "https://*.example.com" is not an origin; use https://host[:port] without a path or wildcard',
    ],
    ['dev', 'storage.uploads', null, 'dev.storage.uploads: null is not an object; give the uploads bucket settings'],
    ['dev', 'storage.logsExpirationDays', 0, 'dev.storage.logsExpirationDays: 0 is too low; use 1..3650'],
    [
      'dev',
      'storage.replicateUploadsToDr',
      true,
      'dev.storage.replicateUploadsToDr: true needs a drRegion to replicate to; set drRegion or turn replication off',
    ],
    [
      'dev',
      'stateful.breakGlassRoleName',
      'break glass',
      'dev.stateful.breakGlassRoleName: "break glass" is not valid; use an IAM role name (letters, digits and +=,.@_-, up to 64)',
    ],
    [
      'prod',
      'delivery.requireApproval',
      false,
      'prod.delivery.requireApproval: false is not allowed in production; a person approves every production deploy',
    ],
    ['dev', 'kubernetes.version', '1.29', 'dev.kubernetes.version: "1.29" is not allowed; use one of 1.34, 1.35'],
    [
      'dev',
      'kubernetes.workloadNamespaces',
      ['Apps'],
      'dev.kubernetes.workloadNamespaces[0]: "Apps" is not a Kubernetes namespace name; use lower-case letters, digits and dashes (max 63)',
    ],
    [
      'dev',
      'kubernetes.publicEndpointCidrs',
      ['10.0.0.1/8'],
      'dev.kubernetes.publicEndpointCidrs[0]: "10.0.0.1/8" has host bits set; did you mean 10.0.0.0/8?',
    ],
    ['dev', 'kubernetes.publicEndpointCidrs', [8080], 'dev.kubernetes.publicEndpointCidrs[0]: 8080 is not an IPv4 CIDR; use a.b.c.d/n'],
    [
      'prod',
      'kubernetes.publicEndpointCidrs',
      ['0.0.0.0/0'],
      'prod.kubernetes.publicEndpointCidrs[0]: "0.0.0.0/0" opens the API endpoint to the internet; in production list your office/VPN CIDRs, or none for a private endpoint',
    ],
    [
      'dev',
      'kubernetes.nodeGroups.workloads.instanceTypes',
      ['x9.large'],
      'dev.kubernetes.nodeGroups.workloads.instanceTypes[0]: "x9.large" is not a supported instance type; use <family>.<size> with a family from t3, t3a, t4g, m6i, m6a, m6g, m7i, m7a, m7g, m8g, c6i, c6g, c7i, c7g, c8g, r6i, r6g, r7i, r7g, r8g',
    ],
    [
      'dev',
      'kubernetes.nodeGroups.system.instanceTypes',
      [],
      'dev.kubernetes.nodeGroups.system.instanceTypes: is empty; give at least one instance type',
    ],
    [
      'dev',
      'kubernetes.nodeGroups.workloads.minSize',
      9,
      'dev.kubernetes.nodeGroups.workloads.minSize: 9 is above maxSize 6; use minSize <= desiredSize <= maxSize',
    ],
    [
      'dev',
      'kubernetes.nodeGroups.workloads.desiredSize',
      7,
      'dev.kubernetes.nodeGroups.workloads.desiredSize: 7 is above maxSize 6; use 1..6',
    ],
    ['dev', 'kubernetes.nodeGroups.system.minSize', 0, 'dev.kubernetes.nodeGroups.system.minSize: 0 is too low; use 1..1000'],
    [
      'dev',
      'kubernetes.nodeGroups.system.capacity',
      'spot',
      'dev.kubernetes.nodeGroups.system.capacity: "spot" is not allowed for the system group; use "onDemand"',
    ],
    [
      'prod',
      'kubernetes.nodeGroups.workloads.capacity',
      'spot',
      'prod.kubernetes.nodeGroups.workloads.capacity: "spot" is not allowed for the workloads group in production; use "onDemand"',
    ],
    [
      'dev',
      'kubernetes.nodeGroups.workloads.diskSizeGiB',
      8,
      'dev.kubernetes.nodeGroups.workloads.diskSizeGiB: 8 is too low; use 20..1000',
    ],
    [
      'dev',
      'kubernetes.nodeGroups.system',
      undefined,
      'dev.kubernetes.nodeGroups.system: missing is not a node group; give instanceTypes, minSize, desiredSize, maxSize, capacity, diskSizeGiB',
    ],
    ['dev', 'kubernetes.nodeGroups', 3, 'dev.kubernetes.nodeGroups: 3 is not an object; give { system, workloads }'],
    [
      'dev',
      'kubernetes.controlPlaneLogRetentionDays',
      2,
      'dev.kubernetes.controlPlaneLogRetentionDays: 2 is not a CloudWatch retention; use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
    ],
    ['prod', 'kubernetes.quotaHeadroomPercent', 5, 'prod.kubernetes.quotaHeadroomPercent: 5 is too low; use 10..100'],
    [
      'prod',
      'kubernetes.quotaHeadroomPercent',
      undefined,
      'prod.kubernetes.quotaHeadroomPercent: missing is not a whole number; use 10..100',
    ],
    [
      'dev',
      'kubernetes.version',
      '1.34',
      'dev.kubernetes.version: "1.34" is outside what the pinned external-secrets chart 2.8.0 (v2.8.0) supports: Kubernetes 1.35..1.36 (external-secrets/external-secrets@v2.9.0:docs/introduction/stability-support.md); pin a release that supports it in lib/config/addon-pins.ts',
    ],
    [
      'dev',
      'kubernetes.nodeGroups.workloads.instanceTypes',
      ['m7g.large', 'm7i.large'],
      'dev.kubernetes.nodeGroups.workloads.instanceTypes: ["m7g.large","m7i.large"] mix CPU architectures (arm64, x86_64); a node group runs one AMI, so use one architecture',
    ],
    [
      'prod',
      'kubernetes.autoscaling.amiAlias',
      'al2023',
      'prod.kubernetes.autoscaling.amiAlias: "al2023" is not valid; use al2023@latest or a pinned al2023@vYYYYMMDD',
    ],
    [
      'dev',
      'kubernetes.autoscaling.pools.workloads.cpuLimit',
      0,
      'dev.kubernetes.autoscaling.pools.workloads.cpuLimit: 0 is too low; use 1..100000',
    ],
    [
      'dev',
      'kubernetes.autoscaling.pools.system.memoryLimitGiB',
      2.5,
      'dev.kubernetes.autoscaling.pools.system.memoryLimitGiB: 2.5 is not a whole number; use 1..1000000',
    ],
    [
      'staging',
      'kubernetes.autoscaling.pools.workloads.disruptionBudgetPercent',
      101,
      'staging.kubernetes.autoscaling.pools.workloads.disruptionBudgetPercent: 101 is too high; use 0..100',
    ],
    [
      'dev',
      'kubernetes.autoscaling.pools.workloads.consolidateAfterSeconds',
      -1,
      'dev.kubernetes.autoscaling.pools.workloads.consolidateAfterSeconds: -1 is too low; use 0..86400',
    ],
    [
      'dev',
      'kubernetes.autoscaling.pools.system.expireAfterHours',
      0,
      'dev.kubernetes.autoscaling.pools.system.expireAfterHours: 0 is too low; use 1..8760',
    ],
    [
      'dev',
      'kubernetes.autoscaling.pools.system',
      undefined,
      'dev.kubernetes.autoscaling.pools.system: missing is not an object; give cpuLimit, memoryLimitGiB, disruptionBudgetPercent, consolidateAfterSeconds, expireAfterHours',
    ],
    ['dev', 'kubernetes.autoscaling.pools', [], 'dev.kubernetes.autoscaling.pools: [] is not an object; give { system, workloads }'],
    [
      'dev',
      'kubernetes.autoscaling',
      undefined,
      'dev.kubernetes.autoscaling: missing is not an object; give { amiAlias, pools: { system, workloads } }',
    ],
    [
      'dev',
      'gitops.repoUrl',
      'github.com/example/gitops',
      'dev.gitops.repoUrl: "github.com/example/gitops" is not valid; use an https:// or ssh git URL such as https://github.com/example/gitops.git',
    ],
    ['dev', 'gitops.revision', '', 'dev.gitops.revision: "" is not valid; use a branch, tag or commit such as main'],
    [
      'dev',
      'gitops.path',
      '/environments/dev',
      'dev.gitops.path: "/environments/dev" is not valid; use a relative directory such as environments/prod (no leading /, no ..)',
    ],
    [
      'dev',
      'gitops.path',
      'environments/../prod',
      'dev.gitops.path: "environments/../prod" is not valid; use a relative directory such as environments/prod (no leading /, no ..)',
    ],
    ['dev', 'gitops', 'main', 'dev.gitops: "main" is not an object; expected the gitops settings'],
    [
      'dev',
      'database.auditLog',
      ['ddl', 'writes'],
      'dev.database.auditLog[1]: "writes" is not a pgAudit class; use one of read, write, function, role, ddl, misc, misc_set, all',
    ],
    ['dev', 'database.auditLog', ['ddl', 'ddl'], 'dev.database.auditLog[1]: "ddl" is listed twice; each class once'],
    ['dev', 'database.auditLog', 'ddl', 'dev.database.auditLog: "ddl" is not a list'],
    ['prod', 'audit.trailRetentionDays', 90, 'prod.audit.trailRetentionDays: 90 is too low; use 365..3650'],
    ['dev', 'audit.trailRetentionDays', 0, 'dev.audit.trailRetentionDays: 0 is too low; use 1..3650'],
    [
      'prod',
      'audit.objectLockMode',
      'GOVERNANCE',
      'prod.audit.objectLockMode: "GOVERNANCE" is not allowed in production; use "COMPLIANCE" (no one, the root user included, can delete the trail or shorten its retention)',
    ],
    ['dev', 'audit.objectLockMode', 'LEGAL', 'dev.audit.objectLockMode: "LEGAL" is not allowed; use one of GOVERNANCE, COMPLIANCE'],
    [
      'dev',
      'audit.cloudWatchRetentionDays',
      10,
      'dev.audit.cloudWatchRetentionDays: 10 is not a CloudWatch retention; use one of ' + LOG_RETENTION_DAYS.join(', '),
    ],
    ['dev', 'audit', 'yes', 'dev.audit: "yes" is not an object; expected the audit settings'],
    [
      'dev',
      'secrets.signingKeyRotation.scheduleExpression',
      'rate(0 days)',
      'dev.secrets.signingKeyRotation.scheduleExpression: "rate(0 days)" is not a rotation schedule; use rate(N days) with N in 1..365, or cron(minutes hours day month weekday year)',
    ],
    ['dev', 'secrets.signingKeyRotation.windowHours', 0, 'dev.secrets.signingKeyRotation.windowHours: 0 is too low; use 1..24'],
    [
      'dev',
      'secrets.signingKeyRotation',
      undefined,
      'dev.secrets.signingKeyRotation: missing is not an object; give { scheduleExpression, windowHours }',
    ],
    ['dev', 'edge.appSubdomain', 'App', 'dev.edge.appSubdomain: "App" is not valid; use a DNS label such as app'],
    ['dev', 'edge.apiSubdomain', 'app', 'dev.edge.apiSubdomain: "app" equals appSubdomain; the app and the API need their own hosts'],
    [
      'prod',
      'edge.hostedZoneId',
      'zone-1',
      'prod.edge.hostedZoneId: "zone-1" is not valid; use a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ',
    ],
    [
      'dev',
      'edge.priceClass',
      'cheap',
      'dev.edge.priceClass: "cheap" is not allowed; use one of PriceClass_100, PriceClass_200, PriceClass_All',
    ],
    ['dev', 'edge.wafRateLimitPer5Minutes', 5, 'dev.edge.wafRateLimitPer5Minutes: 5 is too low; use 10..2000000000'],
    [
      'dev',
      'edge.blueGreenWeights',
      { blue: 0, green: 0 },
      'dev.edge.blueGreenWeights: blue and green are both 0; at least one must receive traffic',
    ],
    ['dev', 'edge.blueGreenWeights.green', 300, 'dev.edge.blueGreenWeights.green: 300 is too high; use 0..255'],
    [
      'dev',
      'edge.healthCheckPath',
      'healthz',
      'dev.edge.healthCheckPath: "healthz" is not valid; use an absolute path such as /api/healthz',
    ],
    [
      'dev',
      'edge.webhookThrottle.burst',
      10,
      'dev.edge.webhookThrottle.burst: 10 is below ratePerSecond 50: a burst holds at least one second of the rate; use 50..5000',
    ],
    ['dev', 'edge.webhookThrottle', 'none', 'dev.edge.webhookThrottle: "none" is not an object; give { ratePerSecond, burst }'],
    [
      'staging',
      'edge.albDeletionProtection',
      false,
      'staging.edge.albDeletionProtection: false is not allowed in staging; outside development the ALB must survive a deleted Ingress',
    ],
    ['dev', 'edge.albDeletionProtection', 'yes', 'dev.edge.albDeletionProtection: "yes" is not a boolean; use true or false'],
    ['dev', 'edge.originVerifyRotationDays', 0, 'dev.edge.originVerifyRotationDays: 0 is too low; use 1..365'],
    ['dev', 'edge.webhookProviders', [], 'dev.edge.webhookProviders: is empty; list at least one sender (each gets POST /webhooks/<name>)'],
    ['dev', 'edge.webhookProviders', 'stripe', 'dev.edge.webhookProviders: "stripe" is not a list'],
    [
      'dev',
      'edge.webhookProviders',
      ['stripe'],
      'dev.edge.webhookProviders[0]: "stripe" is not a sender; give { name, ratePerSecond, burst }',
    ],
    [
      'dev',
      'edge.webhookProviders',
      [{ name: 'Stripe', ratePerSecond: 1, burst: 1 }],
      'dev.edge.webhookProviders[0].name: "Stripe" is not valid; use a lower-case DNS label such as stripe',
    ],
    [
      'dev',
      'edge.webhookProviders',
      [
        { name: 'stripe', ratePerSecond: 1, burst: 1 },
        { name: 'stripe', ratePerSecond: 1, burst: 1 },
      ],
      'dev.edge.webhookProviders[1].name: "stripe" is listed twice; each sender once',
    ],
    [
      'dev',
      'edge.webhookProviders',
      [{ name: 'stripe', ratePerSecond: 60, burst: 60 }],
      'dev.edge.webhookProviders[0].ratePerSecond: 60 is above edge.webhookThrottle.ratePerSecond 50: a sender cannot exceed the stage; use 1..50',
    ],
    [
      'dev',
      'edge.webhookProviders',
      [{ name: 'stripe', ratePerSecond: 20, burst: 200 }],
      'dev.edge.webhookProviders[0].burst: 200 is above edge.webhookThrottle.burst 100: a sender cannot exceed the stage; use 20..100',
    ],
    ['dev', 'edge.webhookDeliveryIdRetentionHours', 0, 'dev.edge.webhookDeliveryIdRetentionHours: 0 is too low; use 1..720'],
    ['dev', 'edge.webhookMaxReceiveCount', 1001, 'dev.edge.webhookMaxReceiveCount: 1001 is too high; use 1..1000'],
    [
      'dev',
      'edge.webhookReservedConcurrency',
      5,
      "dev.edge.webhookReservedConcurrency: 5 is not allowed; use 10..1000 (the webhook throttle needs 10), or leave it out: a new account's concurrency quota leaves nothing to reserve",
    ],
    [
      'dev',
      'edge.webhookReservedConcurrency',
      2.5,
      "dev.edge.webhookReservedConcurrency: 2.5 is not allowed; use 10..1000 (the webhook throttle needs 10), or leave it out: a new account's concurrency quota leaves nothing to reserve",
    ],
    [
      'dev',
      'domain.zoneName',
      'Example..com',
      'dev.domain.zoneName: "Example..com" is not valid; use a lower-case DNS name such as dev.example.com',
    ],
    ['dev', 'alerts.critical.emails', ['oncall'], 'dev.alerts.critical.emails[0]: "oncall" is not an e-mail address'],
    ['dev', 'alerts.critical.emails', [], 'dev.alerts.critical.emails: is empty; critical alerts need at least one recipient'],
    ['dev', 'alerts.warning', undefined, 'dev.alerts.warning: missing is not a channel; give { emails: [...] }'],
    [
      'dev',
      'alerts.info.slackChannelId',
      '#general',
      'dev.alerts.info.slackChannelId: "#general" is not valid; use a Slack channel ID such as C0123456789',
    ],
    [
      'dev',
      'alerts.warning.teamsChannelId',
      'General',
      'dev.alerts.warning.teamsChannelId: "General" is not valid; use a Teams channel ID such as 19:abc123@thread.tacv2',
    ],
    [
      'staging',
      'stateful.removal',
      'destroy',
      'staging.stateful.removal: "destroy" is not allowed in staging; only development may delete stateful resources',
    ],
    [
      'prod',
      'stateful.terminationProtection',
      false,
      'prod.stateful.terminationProtection: false is not allowed in production; stateful stacks outside development are termination-protected',
    ],
    ['dev', 'tags.CostCenter', '1042', 'dev.tags.CostCenter: "1042" is not valid; use \'CC-\' followed by 4..6 digits'],
    ['dev', 'tags.Owner', undefined, 'dev.tags.Owner: missing is not valid; use a team e-mail address'],
    [
      'dev',
      'tags.DataClassification',
      'secret',
      'dev.tags.DataClassification: "secret" is not valid; use public, internal, confidential or restricted',
    ],
    ['dev', 'tags.Environment', 'development', 'dev.tags.Environment: "development" differs from the environment name "dev"; use "dev"'],
  ])('%s.%s = %j is reported', (name, field, value, message) => {
    // GIVEN one environment with one malformed field
    const base = ENVIRONMENTS.find((e) => e.name === name)!;
    const broken = withValue(base, field, value);
    const envs = ENVIRONMENTS.map((e) => (e.name === base.name ? broken : e));
    // WHEN validated THEN exactly that problem is reported, with field path, value and what is allowed
    expect(formatProblems(validateEnvironments(envs))).toEqual(message);
  });

  test('overlapping CIDRs between environments are reported on the later environment', () => {
    const envs = [dev, withValue(staging, 'network.vpcCidr', '10.10.128.0/17'), prod];
    expect(formatProblems(validateEnvironments(envs))).toEqual(
      'staging.network.vpcCidr: "10.10.128.0/17" overlaps dev\'s "10.10.0.0/16"; environments need disjoint ranges so they can be peered',
    );
  });

  test('duplicate environment names and stage names are reported', () => {
    const envs = [
      dev,
      withValues(staging, { name: 'dev', stageName: 'Dev', 'tags.Environment': 'dev', 'network.vpcCidr': '10.50.0.0/16' }),
      prod,
    ];
    expect(validateEnvironments(envs).map((p) => p.path)).toEqual(['dev.name', 'dev.stageName']);
  });

  test('every problem of a config is reported at once, not only the first', () => {
    // GIVEN a production environment with four independent mistakes
    const broken = withValues(prod, {
      account: 'abc',
      'network.vpcCidr': '10.30.0.0/8',
      'database.multiAz': false,
      'delivery.requireApproval': false,
    });
    // WHEN validated THEN all four come back, in field order
    expect(validateEnvironments([dev, staging, broken]).map((p) => p.path)).toEqual([
      'prod.account',
      'prod.network.vpcCidr',
      'prod.database.multiAz',
      'prod.delivery.requireApproval',
    ]);
  });

  test.each<[string, unknown, string]>([
    ['not a list', { dev }, 'environments: {"dev":{'],
    ['an empty list', [], 'environments: [] is not a non-empty list of environments'],
    ['a list with a non-object', [42], 'environments[0]: 42 is not an environment object'],
  ])('a top level that is %s is reported', (_what, input, start) => {
    expect(formatProblems(validateEnvironments(input)).startsWith(start)).toBe(true);
  });

  test('an environment without a name is labelled by its index', () => {
    const problems = validateEnvironments([withValue(dev, 'name', undefined)]);
    expect(problems[0]).toEqual({
      path: 'environments[0].name',
      message: 'missing is not valid; use a lower-case name of 2..16 letters, digits or dashes',
    });
  });

  test('an environment with every section missing reports each section', () => {
    const problems = validateEnvironments([
      { name: 'bare', stageName: 'Bare', tier: 'development', account: '123456789012', region: 'eu-west-1' },
    ]);
    expect(problems.map((p) => p.path)).toEqual([
      'bare.network',
      'bare.database',
      'bare.storage',
      'bare.kubernetes',
      'bare.edge',
      'bare.delivery',
      'bare.gitops',
      'bare.domain',
      'bare.alerts',
      'bare.stateful',
      'bare.audit',
      'bare.secrets',
      'bare.tags',
    ]);
  });

  test('zones are checked against a generic pattern when the region itself is invalid', () => {
    const broken = withValues(dev, { region: 'nowhere', 'network.availabilityZones': ['eu-west-1a', 'zone-b'] });
    expect(validateEnvironments([broken]).map((p) => p.message)).toContain('"zone-b" is not a zone of the region; use e.g. eu-west-1a');
  });

  test('a list field given as a scalar is reported', () => {
    const alone = withValue(dev, 'domain.delegatedFrom', undefined);
    expect(formatProblems(validateEnvironments([withValue(alone, 'network.interfaceEndpoints', 'sts')]))).toEqual(
      'dev.network.interfaceEndpoints: "sts" is not a list',
    );
  });

  test('assertValidEnvironments throws one error carrying every problem', () => {
    const broken = withValues(dev, { account: 'x', region: 'mars-1', 'domain.delegatedFrom': undefined });
    expect(() => assertValidEnvironments([broken])).toThrow(ConfigValidationError);
    try {
      assertValidEnvironments([broken]);
    } catch (e) {
      expect((e as ConfigValidationError).problems).toHaveLength(2);
      expect((e as Error).message).toContain('dev.account');
      expect((e as Error).message).toContain('dev.region');
    }
  });
});
