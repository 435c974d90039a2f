/**
 * Deletes a share of one service's pods (the pod-deletion chaos experiment, docs/chaos.md): invoked
 * by the SSM Automation document the AWS FIS template runs, with `{ service, sharePercent }`. It
 * authenticates to the cluster's private API endpoint with an EKS bearer token of its own role
 * (mapped by an EKS access entry to `POD_KILLER_KUBERNETES_GROUP`, which may only get, list and
 * delete pods in the workload namespaces), lists the service's pods by the service's selector
 * labels, deletes ceil(share × count) of them, never all, and logs what it did. A service the
 * function was not configured with is refused.
 */
import { POD_KILLER_ENV, labelSelectorQuery } from '../../config/pod-killer';
import { Credentials, KubeConnection, deletePod, eksToken, listPods, podsToDelete } from './pods';

/** What the Automation step passes. */
export interface PodKillEvent {
  readonly service: string;
  /** Share of the pods to delete, in percent (1..100; 100 still leaves one pod). */
  readonly sharePercent: number | string;
}

/** What the function did (the Automation step's output, and the log). */
export interface PodKillResult {
  readonly service: string;
  readonly namespace: string;
  readonly found: number;
  readonly deleted: readonly string[];
}

/** What the function may act on: from its environment (`POD_KILLER_ENV.services`). */
type Targets = Record<string, { readonly namespace: string; readonly labels: Record<string, string> }>;

/** Everything the handler reads from its environment, for tests to pass directly. */
export interface PodKillerSettings {
  readonly clusterName: string;
  readonly region: string;
  readonly endpoint: string;
  readonly ca?: string;
  readonly targets: Targets;
  readonly credentials: Credentials;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** The settings from the Lambda environment (the function's role credentials are there too). */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): PodKillerSettings {
  return {
    clusterName: required(env, POD_KILLER_ENV.clusterName),
    region: required(env, 'AWS_REGION'),
    endpoint: required(env, POD_KILLER_ENV.endpoint),
    ca: Buffer.from(required(env, POD_KILLER_ENV.certificateAuthority), 'base64').toString('utf8'),
    targets: JSON.parse(required(env, POD_KILLER_ENV.services)) as Targets,
    credentials: {
      accessKeyId: required(env, 'AWS_ACCESS_KEY_ID'),
      secretAccessKey: required(env, 'AWS_SECRET_ACCESS_KEY'),
      sessionToken: env.AWS_SESSION_TOKEN,
    },
  };
}

/** Deletes the share of the service's pods; throws (the Automation step fails) on a refused input or an API error. */
export async function killPods(event: PodKillEvent, settings: PodKillerSettings): Promise<PodKillResult> {
  const target = Object.prototype.hasOwnProperty.call(settings.targets, event.service) ? settings.targets[event.service] : undefined;
  if (!target) {
    throw new Error(`service "${event.service}" is not a target of this function; allowed: ${Object.keys(settings.targets).join(', ')}`);
  }
  const percent = Number(event.sharePercent);
  if (!Number.isFinite(percent) || percent < 1 || percent > 100) {
    throw new Error(`sharePercent ${JSON.stringify(event.sharePercent)} is not allowed; use a number from 1 to 100`);
  }
  const token = await eksToken(settings.clusterName, settings.region, settings.credentials);
  const connection: KubeConnection = { endpoint: settings.endpoint, ca: settings.ca, token };
  const pods = await listPods(connection, target.namespace, labelSelectorQuery(target.labels));
  const victims = podsToDelete(pods, percent / 100);
  const deleted: string[] = [];
  for (const pod of victims) {
    await deletePod(connection, target.namespace, pod.metadata.name);
    deleted.push(pod.metadata.name);
    console.log(JSON.stringify({ message: 'deleted pod', service: event.service, namespace: target.namespace, pod: pod.metadata.name }));
  }
  const result = { service: event.service, namespace: target.namespace, found: pods.length, deleted };
  console.log(JSON.stringify({ message: 'pod deletion done', ...result }));
  return result;
}

/** The Lambda entry point. */
export async function handler(event: PodKillEvent): Promise<PodKillResult> {
  return killPods(event, settingsFromEnv());
}
