/**
 * The Kubernetes permissions of the EKS access policies the platform associates, transcribed from
 * the EKS User Guide (awsdocs/amazon-eks-user-guide@4d52b4d:latest/ug/manage-access/k8s-access/access-policy-reference.adoc,
 * "AmazonEKSViewPolicy", "AmazonEKSEditPolicy"). Access policies cannot be read through the EKS API,
 * so the guide is the source. `''` is the core API group.
 */

/** One rule: API groups, resources, verbs. */
export interface KubernetesRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];

/** AmazonEKSViewPolicy: read most resources; no Secrets, no exec, attach, port-forward or proxy. */
export const AMAZON_EKS_VIEW_POLICY: readonly KubernetesRule[] = [
  {
    apiGroups: ['apps'],
    resources: [
      'controllerrevisions',
      'daemonsets',
      'daemonsets/status',
      'deployments',
      'deployments/scale',
      'deployments/status',
      'replicasets',
      'replicasets/scale',
      'replicasets/status',
      'statefulsets',
      'statefulsets/scale',
      'statefulsets/status',
    ],
    verbs: READ,
  },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], verbs: READ },
  { apiGroups: ['batch'], resources: ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'], verbs: READ },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  {
    apiGroups: ['extensions'],
    resources: [
      'daemonsets',
      'daemonsets/status',
      'deployments',
      'deployments/scale',
      'deployments/status',
      'ingresses',
      'ingresses/status',
      'networkpolicies',
      'replicasets',
      'replicasets/scale',
      'replicasets/status',
      'replicationcontrollers/scale',
    ],
    verbs: READ,
  },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'ingresses/status', 'networkpolicies'], verbs: READ },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets', 'poddisruptionbudgets/status'], verbs: READ },
  {
    apiGroups: [''],
    resources: [
      'configmaps',
      'endpoints',
      'persistentvolumeclaims',
      'persistentvolumeclaims/status',
      'pods',
      'replicationcontrollers',
      'replicationcontrollers/scale',
      'serviceaccounts',
      'services',
      'services/status',
    ],
    verbs: READ,
  },
  {
    apiGroups: [''],
    resources: [
      'bindings',
      'events',
      'limitranges',
      'namespaces/status',
      'pods/log',
      'pods/status',
      'replicationcontrollers/status',
      'resourcequotas',
      'resourcequotas/status',
    ],
    verbs: READ,
  },
  { apiGroups: [''], resources: ['namespaces'], verbs: READ },
];

/** The part of AmazonEKSEditPolicy that reads Secrets and runs commands in pods (why production has none). */
export const AMAZON_EKS_EDIT_POLICY_SECRETS_AND_EXEC: readonly KubernetesRule[] = [
  { apiGroups: [''], resources: ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], verbs: READ },
  { apiGroups: [''], resources: ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], verbs: WRITE },
];

/** The rules of an access policy, by name (the ones whose rules are transcribed). */
export const ACCESS_POLICY_RULES: Readonly<Record<string, readonly KubernetesRule[]>> = {
  AmazonEKSViewPolicy: AMAZON_EKS_VIEW_POLICY,
};

/** Whether the rules allow `verb` on `resource` of the core API group (`pods/exec` is reached with `create`). */
export function allowsCore(rules: readonly KubernetesRule[], verb: string, resource: string): boolean {
  return rules.some((r) => r.apiGroups.includes('') && r.resources.includes(resource) && r.verbs.includes(verb));
}
