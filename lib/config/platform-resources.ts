/**
 * What a service of the catalog may use in AWS, and what each use implies on both sides of the
 * platform. A catalog entry says what it uses (`database: true`, `aws: ['uploads']`); everything
 * else is derived from that, here, once:
 *
 * - the AWS side (Cluster stack): a Pod Identity role and association for the service account,
 *   with exactly the grants of what it uses;
 * - the Kubernetes side (Microservice): egress to the Pod Identity agent (where the SDK gets the
 *   role's credentials), to the subnets of the endpoints it calls, and the environment variables
 *   that say where things are.
 *
 * Pure data and functions of config; no imports beyond lib/config.
 */
import { webhookQueueUrl } from './edge-names';
import { APPLICATION_DATABASE, databaseEndpointParameterName, databaseUserName, uploadsBucketName } from './naming';
import { otlpEndpoint } from './observability';

/** The EKS Pod Identity agent on every node (link-local, TCP 80): the AWS SDK's credential source in a pod. */
export const POD_IDENTITY_AGENT = { cidr: '169.254.170.23/32', port: 80 } as const;

/** How a pod reaches the AWS API of a resource. */
export type AwsEndpointKind =
  /** An interface endpoint in the private subnets when the environment has one, the NAT otherwise. */
  | { readonly kind: 'interface'; readonly service: string }
  /** A gateway endpoint: routed by the route tables to the service's public address ranges. */
  | { readonly kind: 'gateway'; readonly service: string };

/** One AWS resource of the platform that services may use. */
export interface PlatformResource {
  /** What a service gets, for the docs and messages. */
  readonly description: string;
  /** The API the pod calls for it. */
  readonly endpoint: AwsEndpointKind;
}

/** The SNS API: Alertmanager publishes the cluster's alerts to the environment's alert topics through it. */
export const SNS_API: AwsEndpointKind = { kind: 'interface', service: 'sns' };

/** The name of a platform resource, e.g. `uploads`. */
export type PlatformResourceName = 'uploads' | 'webhook-events';

/** The resources a catalog entry may list under `aws`. */
export const PLATFORM_RESOURCES: Readonly<Record<PlatformResourceName, PlatformResource>> = {
  uploads: {
    description: "its own prefix (`<service>/`) of the environment's uploads bucket, read and write",
    endpoint: { kind: 'gateway', service: 's3' },
  },
  'webhook-events': {
    description:
      'consumes the webhook events queue: receive, delete, extend the visibility of messages (at-least-once: skip a deliveryId already processed)',
    endpoint: { kind: 'interface', service: 'sqs' },
  },
};

/** The names, for validation and docs. */
export const PLATFORM_RESOURCE_NAMES = Object.keys(PLATFORM_RESOURCES) as PlatformResourceName[];

/** What of a catalog entry decides its AWS identity. */
export interface AwsUsage {
  /** Connects to the database (IAM authentication as its own database user). */
  readonly database?: boolean;
  /** Platform resources it uses. */
  readonly aws?: readonly PlatformResourceName[];
}

/**
 * Whether the service's pods call AWS with a role of their own: then CDK gives its service account
 * a Pod Identity association and the manifests let its pods reach the Pod Identity agent. A database
 * user counts: the IAM authentication token is signed with the role's credentials.
 */
export function needsAwsIdentity(service: AwsUsage): boolean {
  return service.database === true || (service.aws ?? []).length > 0;
}

/** The environment variable holding the service's region: pods cannot read it from instance metadata (IMDSv2, hop limit 1). */
export const AWS_REGION_VARIABLE = 'AWS_REGION';

/** Environment variables of a database user's pods. */
export const DATABASE_VARIABLES = {
  host: 'DATABASE_HOST',
  readHost: 'DATABASE_READ_HOST',
  port: 'DATABASE_PORT',
  name: 'DATABASE_NAME',
  user: 'DATABASE_USER',
} as const;

/** Environment variables of a pod that uses the uploads bucket. */
export const UPLOADS_VARIABLES = { bucket: 'UPLOADS_BUCKET', prefix: 'UPLOADS_PREFIX' } as const;

/** Environment variable of a pod that consumes the webhook events. */
export const WEBHOOK_EVENTS_VARIABLES = { queueUrl: 'WEBHOOK_QUEUE_URL' } as const;

/**
 * OpenTelemetry SDK variables every service gets (the SDKs read them without code): where to send
 * traces (the collector, OTLP over HTTP), the service name spans carry, and the environment as a
 * resource attribute. Names from the OpenTelemetry specification (SDK environment variables, OTLP exporter).
 */
export const TELEMETRY_VARIABLES = {
  endpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT',
  protocol: 'OTEL_EXPORTER_OTLP_PROTOCOL',
  serviceName: 'OTEL_SERVICE_NAME',
  resourceAttributes: 'OTEL_RESOURCE_ATTRIBUTES',
} as const;

/** Variables the platform sets; a catalog entry's own `env` may not use these names. */
export const PLATFORM_VARIABLES: readonly string[] = [
  AWS_REGION_VARIABLE,
  ...Object.values(TELEMETRY_VARIABLES),
  ...Object.values(DATABASE_VARIABLES),
  ...Object.values(UPLOADS_VARIABLES),
  ...Object.values(WEBHOOK_EVENTS_VARIABLES),
];

/** The port of PostgreSQL, at the proxy and at the instances. */
export const DATABASE_PORT = 5432;

/** Where a service's settings come from: literal values, and SSM parameters the stacks publish at deploy time. */
export interface PlatformEnvironment {
  /** Variable name -> value, known at synth time. */
  readonly variables: Readonly<Record<string, string>>;
  /** Variable name -> SSM parameter name, delivered to the pod by External Secrets (Parameter Store). */
  readonly parameters: Readonly<Record<string, string>>;
}

/**
 * The variables the platform gives a service's pods, from what it uses: the OpenTelemetry exporter
 * settings (every service: traces go to the collector); the region wherever the pod calls AWS; the database hosts (deploy-time values, from Parameter Store), port, database and user
 * for a database user; the uploads bucket and the service's prefix in it.
 */
export function platformEnvironment(
  service: AwsUsage & { readonly name: string },
  environment: { readonly name: string; readonly account: string; readonly region: string },
): PlatformEnvironment {
  const variables: Record<string, string> = {};
  const parameters: Record<string, string> = {};
  variables[TELEMETRY_VARIABLES.endpoint] = otlpEndpoint();
  variables[TELEMETRY_VARIABLES.protocol] = 'http/protobuf';
  variables[TELEMETRY_VARIABLES.serviceName] = service.name;
  variables[TELEMETRY_VARIABLES.resourceAttributes] = `deployment.environment.name=${environment.name}`;
  if (needsAwsIdentity(service)) variables[AWS_REGION_VARIABLE] = environment.region;
  if (service.database) {
    parameters[DATABASE_VARIABLES.host] = databaseEndpointParameterName(environment.name, 'proxy');
    parameters[DATABASE_VARIABLES.readHost] = databaseEndpointParameterName(environment.name, 'reader');
    variables[DATABASE_VARIABLES.port] = String(DATABASE_PORT);
    variables[DATABASE_VARIABLES.name] = APPLICATION_DATABASE;
    variables[DATABASE_VARIABLES.user] = databaseUserName(service.name);
  }
  if ((service.aws ?? []).includes('uploads')) {
    variables[UPLOADS_VARIABLES.bucket] = uploadsBucketName(environment.name, environment.account, environment.region);
    variables[UPLOADS_VARIABLES.prefix] = `${service.name}/`;
  }
  if ((service.aws ?? []).includes('webhook-events')) {
    variables[WEBHOOK_EVENTS_VARIABLES.queueUrl] = webhookQueueUrl(environment.name, environment.account, environment.region);
  }
  return { variables, parameters };
}
