/**
 * The pod-deletion chaos experiment (docs/chaos.md, "Deleting the pods of one service"): an AWS FIS
 * template runs an SSM Automation document whose one step invokes the pod-killer Lambda, which
 * deletes a share of one service's pods through the cluster's private API endpoint. Both sides call
 * this file: the Chaos stack (access entry, function settings) and the cluster-config chart (the
 * Role and RoleBinding of `POD_KILLER_KUBERNETES_GROUP`); the Microservice construct selects its
 * pods by `serviceSelectorLabels`, the pod killer lists them by the same labels.
 *
 * Pure data and functions of config; no imports beyond lib/config.
 */
import { PLATFORM } from './platform';

/** The label every service's pods carry with the service's name (`app.kubernetes.io/name`). */
export const SERVICE_NAME_LABEL = 'app.kubernetes.io/name';

/** The labels that select exactly one service's pods (its workload's selector). */
export function serviceSelectorLabels(serviceName: string): Readonly<Record<string, string>> {
  return { [SERVICE_NAME_LABEL]: serviceName };
}

/** A `labelSelector` query value for the Kubernetes API, e.g. `app.kubernetes.io/name=web-api`. */
export function labelSelectorQuery(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/**
 * The Kubernetes group the pod killer's role is mapped to by its EKS access entry; the
 * cluster-config chart binds it in each workload namespace to `POD_KILLER_RULES` only.
 */
export const POD_KILLER_KUBERNETES_GROUP = `${PLATFORM.application}:pod-killer`;

/** Name of the Role and RoleBinding of the pod killer in each workload namespace. */
export const POD_KILLER_ROLE_NAME = 'chaos-pod-killer';

/** What the pod killer may do in a workload namespace: read and delete pods, nothing else. */
export const POD_KILLER_RULES: readonly { apiGroups: string[]; resources: string[]; verbs: string[] }[] = [
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'delete'] },
];

/** The environment variables the pod killer reads (set by the Chaos stack). */
export const POD_KILLER_ENV = {
  /** The cluster's name (the bearer token's `x-k8s-aws-id`). */
  clusterName: 'CLUSTER_NAME',
  /** The cluster's API endpoint (private: the function runs in the VPC). */
  endpoint: 'CLUSTER_ENDPOINT',
  /** The cluster's certificate authority (base64 PEM, as EKS gives it). */
  certificateAuthority: 'CLUSTER_CA',
  /** JSON `{ [service]: { namespace, labels } }`: the services it may act on; any other is refused. */
  services: 'TARGET_SERVICES',
} as const;

/** The SSM Automation document's parameters (the FIS action passes them). */
export const POD_KILLER_DOCUMENT_PARAMETERS = { service: 'Service', sharePercent: 'SharePercent' } as const;

/** Name of the SSM Automation document of an environment, e.g. `saas-platform-prod-chaos-pod-delete`. */
export function podKillerDocumentName(environmentName: string): string {
  return `${PLATFORM.application}-${environmentName}-chaos-pod-delete`;
}
