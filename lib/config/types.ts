/**
 * Typed configuration of one environment.
 *
 * Differences between environments are data in these objects, never `if (env === 'prod')`
 * branches in stacks or constructs. Everything here is validated by `validateEnvironments`
 * before any construct is created.
 */

import type { BackupConfig, DisasterRecoveryConfig } from './backup';
import type { ChaosConfig } from './chaos';
import type { ObservabilityConfig } from './observability';

/** How strict an environment is. Rules (Multi-AZ, approvals, retention) key off the tier, not the name. */
export type EnvironmentTier = 'development' | 'staging' | 'production';

/** Severity of an alert; the same three keys are used by every alarm and channel. */
export type Severity = 'critical' | 'warning' | 'info';

/** Interface VPC endpoints the network may create (each one saves NAT data charges for its service). */
export const INTERFACE_ENDPOINTS = [
  'ecr.api',
  'ecr.dkr',
  'sts',
  'secretsmanager',
  'logs',
  'ssm',
  'kms',
  'monitoring',
  'elasticloadbalancing',
  'sqs',
  'sns',
] as const;

/** An interface endpoint name, as AWS names the service after `com.amazonaws.<region>.`. */
export type InterfaceEndpointName = (typeof INTERFACE_ENDPOINTS)[number];

/** Network layout of one environment. */
export interface NetworkConfig {
  /** IPv4 CIDR of the VPC, /16 to /20; must not overlap another environment's. */
  readonly vpcCidr: string;
  /** Availability zones to spread over, in the environment's region (2 or more; 3 in production). */
  readonly availabilityZones: readonly string[];
  /** NAT gateways: 1 (cheap, one AZ's egress is a single point of failure) up to one per AZ. */
  readonly natGateways: number;
  /** Retention of VPC flow logs in CloudWatch Logs; one of the values CloudWatch accepts. */
  readonly flowLogRetentionDays: number;
  /** Interface endpoints to create; a gateway endpoint for S3 is always created (it is free). */
  readonly interfaceEndpoints: readonly InterfaceEndpointName[];
}

/** RDS Proxy settings: the bounded connection pool in front of the database. */
export interface DatabaseProxyConfig {
  /** Share of the database's max_connections the proxy may open (1..100). */
  readonly maxConnectionsPercent: number;
  /** Share of max_connections the proxy keeps idle (0..maxConnectionsPercent). */
  readonly maxIdleConnectionsPercent: number;
  /** Client connections idle this long are closed (60..28800 seconds). */
  readonly idleClientTimeoutSeconds: number;
  /** How long a client waits for a pooled connection before an error (1..3600 seconds). */
  readonly borrowTimeoutSeconds: number;
}

/** When the master credentials rotate. */
export interface RotationConfig {
  /** Secrets Manager schedule: `rate(N days)` or `cron(...)`, e.g. `cron(0 3 ? * SUN *)`. */
  readonly scheduleExpression: string;
  /** Length of the rotation window that starts at the schedule (1..24 hours). */
  readonly windowHours: number;
}

/** pgAudit's statement classes (`pgaudit.log`), lower-case. */
export const PGAUDIT_CLASSES = ['read', 'write', 'function', 'role', 'ddl', 'misc', 'misc_set', 'all'] as const;

/** A pgAudit statement class. */
export type PgAuditClass = (typeof PGAUDIT_CLASSES)[number];

/** Database sizing and resilience; consumed by the Data stack. */
export interface DatabaseConfig {
  /** Standby in a second AZ. Required in production. */
  readonly multiAz: boolean;
  /** RDS instance class without the `db.` prefix, e.g. `t4g.medium`, `r7g.large`. */
  readonly instanceClass: string;
  /** Initial allocated storage in GiB (20..65536). */
  readonly allocatedStorageGiB: number;
  /** Storage autoscaling ceiling in GiB (at least the allocated storage, at most 65536). */
  readonly maxAllocatedStorageGiB: number;
  /** Automated backup retention in days (1..35; at least 7 outside development). */
  readonly backupRetentionDays: number;
  /** Daily backup window, UTC, `hh:mm-hh:mm` (at least 30 minutes). */
  readonly backupWindow: string;
  /** Weekly maintenance window, UTC, `ddd:hh:mm-ddd:hh:mm`. */
  readonly maintenanceWindow: string;
  /** Statements slower than this are logged (`log_min_duration_statement`; 0 logs all, -1 none). */
  readonly slowQueryThresholdMillis: number;
  /** Retention of the PostgreSQL logs exported to CloudWatch Logs; a CloudWatch value. */
  readonly logRetentionDays: number;
  /** Enhanced monitoring interval: 0 (off), 1, 5, 10, 15, 30 or 60 seconds. */
  readonly monitoringIntervalSeconds: number;
  /** Performance Insights retention: 7 (free tier) or a multiple of 31 up to 731 days. */
  readonly performanceInsightsRetentionDays: number;
  /** A read replica in the same region (production only). */
  readonly readReplica: boolean;
  /** Rotation of the master credentials. */
  readonly credentialRotation: RotationConfig;
  /**
   * pgAudit session logging: the statement classes written to the PostgreSQL log (exported to
   * CloudWatch Logs), e.g. `['ddl', 'role']`; empty turns auditing off. Loading pgAudit is a static
   * parameter: the first change on a running instance takes effect after its next reboot (docs/security/iam-policies.md).
   */
  readonly auditLog: readonly PgAuditClass[];
  /** The connection pool in front of the database. */
  readonly proxy: DatabaseProxyConfig;
}

/** The `uploads` bucket (user files). */
export interface UploadsBucketConfig {
  /** Move current objects to Infrequent Access after this many days (30 or more). */
  readonly infrequentAccessAfterDays: number;
  /** Move current objects to Glacier Instant Retrieval after this many days (after IA). */
  readonly glacierAfterDays: number;
  /** Delete non-current versions this many days after they are replaced (1 or more). */
  readonly noncurrentVersionExpirationDays: number;
  /** Origins of the web and mobile clients allowed by CORS, e.g. `https://app.example.com`. */
  readonly corsAllowedOrigins: readonly string[];
}

/** S3 buckets of the environment. */
export interface StorageConfig {
  readonly uploads: UploadsBucketConfig;
  /** Delete access logs (S3, CloudFront, ALB) after this many days (1 or more). */
  readonly logsExpirationDays: number;
  /** Replicate `uploads` to a bucket in the DR region (needs `drRegion`). */
  readonly replicateUploadsToDr: boolean;
}

/** One managed node group. */
export interface NodeGroupConfig {
  /** EC2 instance types, e.g. `m7g.large` (one family's sizes, or several for spot diversity). */
  readonly instanceTypes: readonly string[];
  /** Fewest nodes (0..100 for workloads, 1.. for system). */
  readonly minSize: number;
  /** Nodes at creation (minSize..maxSize); the cluster autoscaler or Karpenter owns it afterwards. */
  readonly desiredSize: number;
  /** Most nodes (minSize..1000). */
  readonly maxSize: number;
  /** `onDemand`, or `spot` (not for the system group, not in production). */
  readonly capacity: 'onDemand' | 'spot';
  /** Root volume (gp3, encrypted) in GiB (20..1000). */
  readonly diskSizeGiB: number;
}

/** Karpenter's bounds for one node pool (the pool of the same name as the node group). */
export interface NodePoolAutoscalingConfig {
  /** Most vCPUs Karpenter may run in the pool, all its nodes together (1..100000). */
  readonly cpuLimit: number;
  /** Most memory Karpenter may run in the pool, in GiB (1..1000000). */
  readonly memoryLimitGiB: number;
  /**
   * Share of the pool's nodes Karpenter may take down at once to consolidate, replace drifted or
   * expired nodes (0..100; 0 stops voluntary disruption, spot interruptions still happen).
   */
  readonly disruptionBudgetPercent: number;
  /** How long a node must be empty or underused before Karpenter consolidates it, in seconds (0..86400). */
  readonly consolidateAfterSeconds: number;
  /** Nodes older than this are replaced (picks up new AMIs and patches), in hours (1..8760). */
  readonly expireAfterHours: number;
}

/** Node autoscaling with Karpenter (ADR 0002): capacity above the managed node groups. */
export interface NodeAutoscalingConfig {
  /**
   * AMI alias of the nodes Karpenter launches: `al2023@latest`, or a pinned `al2023@vYYYYMMDD`
   * (a pinned alias changes AMIs only when config changes).
   */
  readonly amiAlias: string;
  /** Bounds per pool, in the same system/workloads split as `nodeGroups`. */
  readonly pools: { readonly system: NodePoolAutoscalingConfig; readonly workloads: NodePoolAutoscalingConfig };
}

/** Kubernetes settings shared by the cluster (CDK) and the manifests (cdk8s). */
export interface KubernetesConfig {
  /** Kubernetes minor version of the cluster, which is also the version the manifests are validated against. */
  readonly version: string;
  /** Namespaces the platform creates for workloads (the platform's own namespaces are added by the charts). */
  readonly workloadNamespaces: readonly string[];
  /**
   * CIDRs allowed to reach the public API endpoint; empty makes the endpoint private only.
   * Never 0.0.0.0/0 in production.
   */
  readonly publicEndpointCidrs: readonly string[];
  /** Node groups: `system` (on-demand, tainted for platform add-ons) and `workloads`. */
  readonly nodeGroups: { readonly system: NodeGroupConfig; readonly workloads: NodeGroupConfig };
  /** Retention of the control-plane logs in CloudWatch Logs; a CloudWatch value. */
  readonly controlPlaneLogRetentionDays: number;
  /**
   * Room in each workload namespace's quota above what the services need at full scale in the
   * middle of a rollout (surge and terminating pods included), percent (10..100): debug pods, the
   * HPA reacting while a rollout runs.
   */
  readonly quotaHeadroomPercent: number;
  /** Karpenter node pools: limits and disruption per pool. */
  readonly autoscaling: NodeAutoscalingConfig;
}

/** Where Argo CD reads the environment's manifests from (the root Application of the app-of-apps). */
export interface GitOpsConfig {
  /** Git repository of the rendered manifests: an `https://` or `ssh://`/`git@` URL. */
  readonly repoUrl: string;
  /** Branch, tag or commit the root Application follows, e.g. `main`. */
  readonly revision: string;
  /** Directory of this environment's manifests in the repository, relative, e.g. `environments/prod`. */
  readonly path: string;
}

/** Users' entry points: CloudFront, WAF, Route 53, the webhook API. */
export interface EdgeConfig {
  /** Host label of the Angular app: `app` serves `app.<zoneName>`. */
  readonly appSubdomain: string;
  /** Host label of the REST API: `api` serves `api.<zoneName>` (CloudFront, `/api/*` to the ALB). */
  readonly apiSubdomain: string;
  /**
   * ID of an existing public hosted zone for `domain.zoneName`.
   * @default - the Edge stack creates the zone
   */
  readonly hostedZoneId?: string;
  /** CloudFront price class. */
  readonly priceClass: 'PriceClass_100' | 'PriceClass_200' | 'PriceClass_All';
  /** Requests per 5 minutes per client IP before WAF blocks it (10..2,000,000,000). */
  readonly wafRateLimitPer5Minutes: number;
  /** Retention of WAF logs in CloudWatch Logs; a CloudWatch value. */
  readonly wafLogRetentionDays: number;
  /** Shield Advanced protections on CloudFront, the ALB and the zone (a paid subscription). */
  readonly shieldAdvanced: boolean;
  /** Weights (0..255) of the blue and green API origins; a cut-over is a reviewed config change. */
  readonly blueGreenWeights: { readonly blue: number; readonly green: number };
  /** Path CloudFront and Route 53 health checks call on the API, e.g. `/api/healthz`. */
  readonly healthCheckPath: string;
  /** Webhook HTTP API throttling. */
  readonly webhookThrottle: { readonly ratePerSecond: number; readonly burst: number };
  /**
   * Deletion protection of the ALB (an attribute the AWS Load Balancer Controller sets from the
   * IngressClassParams). Required outside development.
   */
  readonly albDeletionProtection: boolean;
  /** Days between rotations of the secret origin header CloudFront sends and the REGIONAL WebACL checks (1..365). */
  readonly originVerifyRotationDays: number;
  /** The webhook senders: each gets `POST /webhooks/<name>` with its own throttle (at most the stage's). */
  readonly webhookProviders: readonly WebhookProviderConfig[];
  /** How long a delivery ID is remembered, in hours (1..720): a redelivery within this window is not queued twice. */
  readonly webhookDeliveryIdRetentionHours: number;
  /** Receives of a webhook event by the worker before it moves to the dead-letter queue (1..1000). */
  readonly webhookMaxReceiveCount: number;
  /**
   * Concurrent executions reserved for the webhook handler (at least what `webhookThrottle` needs).
   * New accounts have too small a concurrency quota to reserve any: leave it out there.
   * @default - no reservation (the handler shares the account's unreserved pool)
   */
  readonly webhookReservedConcurrency?: number;
}

/** One webhook sender and its throttle. */
export interface WebhookProviderConfig {
  /** Lower-case DNS label naming the sender and its route, e.g. `stripe` serves `POST /webhooks/stripe`. */
  readonly name: string;
  /** Steady-state requests per second of this sender (1..the stage's `webhookThrottle.ratePerSecond`). */
  readonly ratePerSecond: number;
  /** Burst of this sender (ratePerSecond..the stage's `webhookThrottle.burst`). */
  readonly burst: number;
}

/** Delivery settings for the environment. */
export interface DeliveryConfig {
  /** A person must approve before this environment is deployed. Required in production. */
  readonly requireApproval: boolean;
}

/** Where alerts of one severity go (`info` goes nowhere: dashboards only). */
export interface AlertChannel {
  /** E-mail addresses subscribed to the severity's topic (none for `info`). */
  readonly emails: readonly string[];
  /** Slack channel ID (AWS Chatbot, workspace `observability.chat.slack`), e.g. `C0123456789`. @default - no Slack routing */
  readonly slackChannelId?: string;
  /**
   * Microsoft Teams channel ID (AWS Chatbot, team `observability.chat.teams`; Alertmanager posts through its Workflows webhook), URL-encoded as in the
   * channel link, e.g. `19%3a0123456789abcdef%40thread.tacv2`. @default - no Teams routing
   */
  readonly teamsChannelId?: string;
}

/** Domain of the environment. */
export interface DomainConfig {
  /** Public hosted zone name, e.g. `dev.example.com`. */
  readonly zoneName: string;
  /**
   * Name of the environment whose zone is this zone's parent (its zone name is a suffix of
   * `zoneName`), e.g. `prod` for `dev.example.com` under `example.com`. This environment's Dns
   * stack writes its NS records into that zone, through a role the parent's Dns stack creates.
   * @default - no parent in the configuration: the zone is delegated at the domain registrar
   */
  readonly delegatedFrom?: string;
}

/** Lifecycle of stateful resources (databases, buckets, keys, log groups, vaults). */
export interface StatefulConfig {
  /** `retain` keeps the resource when it leaves the template; `destroy` deletes it (development only). */
  readonly removal: 'retain' | 'destroy';
  /** CloudFormation termination protection on stateful stacks. Required outside development. */
  readonly terminationProtection: boolean;
  /**
   * Name of the IAM role allowed to delete buckets or suspend their versioning (break-glass only).
   * The role itself is managed outside this environment's stacks (access account / Identity Center).
   */
  readonly breakGlassRoleName: string;
}

/** The account's audit trail (CloudTrail) and what it keeps. */
export interface AuditConfig {
  /**
   * Days each trail log file is kept, write-once (S3 Object Lock), then deleted (1..3650; at least
   * 365 in production).
   */
  readonly trailRetentionDays: number;
  /**
   * Object Lock mode of the trail bucket: `COMPLIANCE` (no one, the root user included, can delete
   * or shorten a retention; required in production) or `GOVERNANCE` (a principal with
   * `s3:BypassGovernanceRetention` can).
   */
  readonly objectLockMode: 'GOVERNANCE' | 'COMPLIANCE';
  /** Retention of the trail's copy in CloudWatch Logs (where the audit alarms read it); a CloudWatch value. */
  readonly cloudWatchRetentionDays: number;
}

/** The services' secrets. */
export interface SecretsConfig {
  /** When signing key pairs (catalog secrets with `rotation: 'signingKeyPair'`, e.g. the JWT signing key) rotate. */
  readonly signingKeyRotation: RotationConfig;
}

/** The required tags of the tagging policy; values are checked against `TAG_POLICY`. */
export interface TagsConfig {
  readonly Environment: string;
  readonly Application: string;
  readonly Owner: string;
  readonly CostCenter: string;
  /** Applied to stateful stacks only. */
  readonly DataClassification: string;
  /** Applied to stateful stacks only; AWS Backup selects resources by this tag. */
  readonly Backup: string;
}

/** Everything that differs between two environments. */
export interface EnvironmentConfig {
  /** Short lower-case name, used in resource names and `dist/<name>/`. */
  readonly name: string;
  /** PascalCase name of the CDK stage, used to address it: `cdk deploy 'Staging/*'`. */
  readonly stageName: string;
  /** How strict the environment is. */
  readonly tier: EnvironmentTier;
  /** 12-digit AWS account ID of the environment. */
  readonly account: string;
  /** Primary AWS region. */
  readonly region: string;
  /** Disaster-recovery region (required in production). @default - no DR region */
  readonly drRegion?: string;
  readonly network: NetworkConfig;
  readonly database: DatabaseConfig;
  readonly storage: StorageConfig;
  readonly kubernetes: KubernetesConfig;
  readonly edge: EdgeConfig;
  readonly delivery: DeliveryConfig;
  /** The GitOps source Argo CD syncs this environment from. */
  readonly gitops: GitOpsConfig;
  readonly domain: DomainConfig;
  readonly alerts: Readonly<Record<Severity, AlertChannel>>;
  /** Chat workspaces, paging and escalation, alarm thresholds, container log retention, synthetic traffic. */
  readonly observability: ObservabilityConfig;
  readonly stateful: StatefulConfig;
  /** The audit trail. */
  readonly audit: AuditConfig;
  /** The services' secrets. */
  readonly secrets: SecretsConfig;
  /** Recovery objectives, AWS Backup, restore tests (docs/backup-and-dr.md). */
  readonly backup: BackupConfig;
  /** The DR region's pilot light (ADR 0008); required in production. @default - no DR region resources */
  readonly dr?: DisasterRecoveryConfig;
  /** Chaos experiments (AWS FIS, docs/chaos.md). */
  readonly chaos: ChaosConfig;
  readonly tags: TagsConfig;
}
