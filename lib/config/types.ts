/**
 * Typed configuration of one environment.
 *
 * Differences between environments are data in these objects, never `if (env === 'prod')`
 * branches in stacks or constructs. Everything here is validated by `validateEnvironments`
 * before any construct is created.
 */

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

/** Database sizing and resilience; consumed by the Data stack. */
export interface DatabaseConfig {
  /** Standby in a second AZ. Required in production. */
  readonly multiAz: boolean;
  /** RDS instance class without the `db.` prefix, e.g. `t4g.medium`, `r7g.large`. */
  readonly instanceClass: string;
  /** Initial allocated storage in GiB (20..65536). */
  readonly allocatedStorageGiB: number;
  /** Automated backup retention in days (1..35; at least 7 outside development). */
  readonly backupRetentionDays: number;
}

/** Kubernetes settings shared by the cluster (CDK) and the manifests (cdk8s). */
export interface KubernetesConfig {
  /** Kubernetes minor version of the cluster, which is also the version the manifests are validated against. */
  readonly version: string;
  /** Namespaces the platform creates for workloads (the platform's own namespaces are added by the charts). */
  readonly workloadNamespaces: readonly string[];
}

/** Delivery settings for the environment. */
export interface DeliveryConfig {
  /** A person must approve before this environment is deployed. Required in production. */
  readonly requireApproval: boolean;
}

/** Where alerts of one severity go. */
export interface AlertChannel {
  /** E-mail addresses subscribed to the severity's topic. */
  readonly emails: readonly string[];
  /** Slack channel ID (AWS Chatbot), e.g. `C0123456789`. @default - no Slack routing */
  readonly slackChannelId?: string;
}

/** Domain of the environment. */
export interface DomainConfig {
  /** Public hosted zone name, e.g. `dev.example.com`. */
  readonly zoneName: string;
}

/** Lifecycle of stateful resources (databases, buckets, keys, log groups, vaults). */
export interface StatefulConfig {
  /** `retain` keeps the resource when it leaves the template; `destroy` deletes it (development only). */
  readonly removal: 'retain' | 'destroy';
  /** CloudFormation termination protection on stateful stacks. Required outside development. */
  readonly terminationProtection: boolean;
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
  readonly kubernetes: KubernetesConfig;
  readonly delivery: DeliveryConfig;
  readonly domain: DomainConfig;
  readonly alerts: Readonly<Record<Severity, AlertChannel>>;
  readonly stateful: StatefulConfig;
  readonly tags: TagsConfig;
}
