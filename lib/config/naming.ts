/**
 * Names shared by the AWS side (CDK) and the Kubernetes side (cdk8s).
 *
 * Both sides call these functions instead of writing names down, so that a Pod Identity
 * association made by CDK and the ServiceAccount written by cdk8s cannot drift apart. Every name
 * is derived from config; none is pasted. Pure functions, no imports beyond `lib/config`.
 */
import { PLATFORM } from './platform';

/** The namespace a service runs in when its catalog entry names none. */
export const DEFAULT_WORKLOAD_NAMESPACE = 'apps';

/**
 * Name of the Kubernetes ServiceAccount of a service (the CDK Pod Identity association uses the
 * same name and `serviceNamespace` for the namespace).
 */
export function serviceAccountName(serviceName: string): string {
  return serviceName;
}

/** The namespace a service runs in: its own `namespace`, or `apps`. */
export function serviceNamespace(service: { readonly namespace?: string }): string {
  return service.namespace ?? DEFAULT_WORKLOAD_NAMESPACE;
}

/** Name of the EKS cluster of an environment, e.g. `saas-platform-prod`. */
export function clusterName(environmentName: string): string {
  return `${PLATFORM.application}-${environmentName}`;
}

/**
 * Host of the ECR registry images are pulled from: the tooling account's registry in the
 * environment's region (the pipeline pushes there; environments pull cross-account).
 */
export function ecrRegistryHost(region: string, toolingAccount: string = PLATFORM.accounts.tooling): string {
  return `${toolingAccount}.dkr.ecr.${region}.amazonaws.com`;
}

/**
 * Name of a Secrets Manager secret of an environment, e.g. `saas-platform/prod/database-credentials`.
 * CDK creates the secret under this name; the External Secrets operator reads it by this name.
 */
export function secretsManagerName(environmentName: string, secretName: string): string {
  return `${PLATFORM.application}/${environmentName}/${secretName}`;
}

/**
 * Stable DNS name of the environment's API origin (the ALB), created by ExternalDNS from the
 * Ingress and used by CloudFront as its origin, e.g. `api-origin.dev.example.com`.
 */
export function apiOriginHost(zoneName: string): string {
  return `api-origin.${zoneName}`;
}

/** Name of the ALB IngressGroup of an environment: every service's Ingress joins it, one ALB per environment. */
export function ingressGroupName(environmentName: string): string {
  return `${PLATFORM.application}-${environmentName}`;
}

/** Namespace of Prometheus, Alertmanager, Grafana and the trace collector (Pod Security "restricted"). */
export const OBSERVABILITY_NAMESPACE = 'observability';

/** The platform's own controllers that call AWS APIs, with the identity CDK gives them (Pod Identity). */
export const ADDON_IDENTITIES = {
  externalSecrets: { namespace: 'external-secrets', serviceAccount: 'external-secrets' },
  awsLoadBalancerController: { namespace: 'aws-load-balancer-controller', serviceAccount: 'aws-load-balancer-controller' },
  externalDns: { namespace: 'external-dns', serviceAccount: 'external-dns' },
  /** Kyverno's admission controller: pulls signatures from the tooling registry, reads the signing key's public half. */
  kyverno: { namespace: 'kyverno', serviceAccount: 'kyverno-admission-controller' },
  karpenter: { namespace: 'karpenter', serviceAccount: 'karpenter' },
  /** The OpenTelemetry collector: exports traces to AWS X-Ray (lib/config/observability.ts `OTEL_COLLECTOR`). */
  otelCollector: { namespace: OBSERVABILITY_NAMESPACE, serviceAccount: 'opentelemetry-collector' },
  /**
   * Alertmanager (the monitoring chart's `Alertmanager`, not kube-prometheus-stack's, which is off):
   * publishes alerts to the environment's critical and warning SNS topics.
   */
  alertmanager: { namespace: OBSERVABILITY_NAMESPACE, serviceAccount: 'alertmanager' },
} as const;

/** Node label naming a node group's pool; the CDK node groups set it, pods select on it. */
export const NODE_POOL_LABEL = 'platform.example.com/pool';

/** The node pools: `system` runs the platform add-ons only, `workloads` runs the services. */
export const NODE_POOLS = { system: 'system', workloads: 'workloads' } as const;

/** Taint of the system pool: only the platform add-ons tolerate it. */
export const SYSTEM_POOL_TAINT = { key: 'CriticalAddonsOnly', value: 'true', effect: 'NoSchedule' } as const;

/**
 * Name of the environment's `uploads` bucket, e.g. `saas-platform-prod-uploads-333333333333-eu-west-1`.
 * Named (not generated) because the cluster's pod roles grant each service a prefix of it, and a
 * literal ARN keeps those policies readable in review and free of cross-stack tokens.
 */
export function uploadsBucketName(environmentName: string, account: string, region: string): string {
  return `${PLATFORM.application}-${environmentName}-uploads-${account}-${region}`;
}

/** Alias of one of an environment's KMS keys, e.g. `alias/saas-platform/prod/database`. */
export function kmsAliasName(environmentName: string, purpose: string): string {
  return `alias/${PLATFORM.application}/${environmentName}/${purpose}`;
}

/** The PostgreSQL database the services' schemas live in (created by the Data stack's database-users step). */
export const APPLICATION_DATABASE = 'app';

/**
 * Database user of a service, also the name of the schema it owns, e.g. `web_api` for `web-api`
 * (dashes are not valid in unquoted PostgreSQL identifiers; service names have no underscores, so
 * the mapping is one to one). Services log in as it with IAM authentication.
 */
export function databaseUserName(serviceName: string): string {
  return serviceName.replace(/-/g, '_');
}

/** The RDS master user: the one database user with a password (generated, rotated; used by the rotation and the users step). */
export const DATABASE_MASTER_USER = 'postgres';

/**
 * Database users that are never a service's: the master user and RDS's own administrator. No
 * service's `databaseUserName` may be one of them (the catalog validator rejects the service name),
 * and the RDS Proxy's role, which may log in as any user of the database, is denied these.
 */
export const NON_SERVICE_DATABASE_USERS: readonly string[] = [DATABASE_MASTER_USER, 'rdsadmin'];

/** Prefix of the SSM parameters an environment publishes for its cluster, e.g. `/saas-platform/prod`. */
export function parameterPrefix(environmentName: string): string {
  return `/${PLATFORM.application}/${environmentName}`;
}

/**
 * SSM parameter holding the host services connect to: `proxy` (the RDS Proxy: reads and writes) or
 * `reader` (the read replica, or the proxy where there is none), e.g.
 * `/saas-platform/prod/database/reader-endpoint`. The Data stack writes them; External Secrets
 * delivers them to the pods.
 */
export function databaseEndpointParameterName(environmentName: string, endpoint: 'proxy' | 'reader'): string {
  return `${parameterPrefix(environmentName)}/database/${endpoint}-endpoint`;
}

/**
 * ARN of a repository of the tooling account's registry, e.g.
 * `arn:aws:ecr:eu-west-1:000000000000:repository/web-api`. The Registry stack creates the
 * repository under this name; the environments' pull permissions name it.
 */
export function ecrRepositoryArn(region: string, repositoryName: string, toolingAccount: string = PLATFORM.accounts.tooling): string {
  return `arn:aws:ecr:${region}:${toolingAccount}:repository/${repositoryName}`;
}

/**
 * Name of the role in a parent zone's account that a child environment's Dns stack assumes to
 * write its NS records there, e.g. `saas-platform-dev-zone-delegation` (created by the parent's
 * Dns stack, one per child).
 */
export function zoneDelegationRoleName(childEnvironmentName: string): string {
  return `${PLATFORM.application}-${childEnvironmentName}-zone-delegation`;
}

/**
 * Name of the environment's VPC (its `Name` tag), e.g. `saas-platform-prod`. The Network stack
 * tags the VPC with it, and the load balancer controller finds the VPC by that tag (`vpcTags`):
 * pods cannot read the VPC ID from instance metadata (IMDSv2 hop limit 1), and the VPC ID is a
 * deploy-time value the manifests cannot know.
 */
export function vpcName(environmentName: string): string {
  return `${PLATFORM.application}-${environmentName}`;
}

/** A tag, as a key and a value. */
export interface ResourceTag {
  readonly key: string;
  readonly value: string;
}

/**
 * The tag Karpenter discovers the node subnets by: the Network stack puts it on the private
 * subnets, the EC2NodeClasses select `subnetSelectorTerms` on it.
 */
export function karpenterDiscoveryTag(environmentName: string): ResourceTag {
  return { key: 'karpenter.sh/discovery', value: clusterName(environmentName) };
}

/**
 * The tag EKS puts on the cluster security group it creates (`kubernetes.io/cluster/<name>=owned`,
 * EKS user guide, "View Amazon EKS security group requirements for clusters"). CloudFormation
 * cannot tag that group, so both sides use EKS's own tag: Karpenter selects the group for its
 * nodes by it (the same group the managed node groups use), and the load balancer controller may
 * add the ALB-to-pod rules only to a group that carries it.
 */
export function clusterSecurityGroupTag(environmentName: string): ResourceTag {
  return { key: `kubernetes.io/cluster/${clusterName(environmentName)}`, value: 'owned' };
}

/**
 * Name of the IAM role of the nodes Karpenter launches, e.g. `saas-platform-prod-karpenter-node`.
 * CDK creates the role (and its EC2_LINUX access entry) under this name; the EC2NodeClasses name
 * it in `spec.role` (Karpenter makes the instance profile).
 */
export function karpenterNodeRoleName(environmentName: string): string {
  return `${clusterName(environmentName)}-karpenter-node`;
}

/**
 * Name of the SQS queue Karpenter reads interruption events from (spot interruptions, rebalance
 * recommendations, scheduled changes, instance state changes). CDK creates it; the Karpenter chart
 * gets it as `settings.interruptionQueue`.
 */
export function karpenterInterruptionQueueName(environmentName: string): string {
  return `${clusterName(environmentName)}-karpenter-interruption`;
}

/**
 * Name of the control-plane log group EKS writes to: `/aws/eks/<cluster>/cluster` (EKS picks the
 * name, so it is fixed). The Data stack owns it (kept outside development when the stateless
 * Cluster stack is rebuilt); the cluster only writes to it.
 */
export function controlPlaneLogGroupName(environmentName: string): string {
  return `/aws/eks/${clusterName(environmentName)}/cluster`;
}

/**
 * Name of the environment's audit trail bucket, e.g. `saas-platform-prod-audit-333333333333-eu-west-1`
 * (shorter than the assets bucket's name, whose length the edge validation checks). Named: the Data
 * stack's logs bucket admits the trail bucket's access logs by this name.
 */
export function auditTrailBucketName(environmentName: string, account: string, region: string): string {
  return `${PLATFORM.application}-${environmentName}-audit-${account}-${region}`;
}

/** Key prefix of the audit trail bucket's server access logs in the `logs` bucket. */
export const AUDIT_TRAIL_ACCESS_LOGS_PREFIX = 's3/audit-trail/';
