/**
 * Names and labels every chart agrees on. One definition serves the constructs that write the
 * objects, the admission policies that enforce them in the cluster and the synth-time rules that
 * check them before anything is written.
 */

/** Namespaces the platform itself runs in (controllers, policy engine, observability agents). */
export const PLATFORM_NAMESPACES: readonly string[] = ['platform-system', 'observability'];

/** Namespace of the Prometheus that scrapes workloads and answers the rollout analyses. */
export const OBSERVABILITY_NAMESPACE = 'observability';

/**
 * Query address of that Prometheus: the governing Service prometheus-operator creates for a
 * `Prometheus` resource. The observability issue installs it; the analyses only read from it.
 */
export const PROMETHEUS_URL = `http://prometheus-operated.${OBSERVABILITY_NAMESPACE}.svc.cluster.local:9090`;

/** The ClusterSecretStore (External Secrets) backed by AWS Secrets Manager. */
export const SECRET_STORE_NAME = 'aws-secrets-manager';

/** The ClusterSecretStore backed by SSM Parameter Store: deploy-time values the stacks publish (database endpoints...). */
export const PARAMETER_STORE_NAME = 'aws-parameter-store';

/** Well-known label keys. */
export const LABELS = {
  name: 'app.kubernetes.io/name',
  version: 'app.kubernetes.io/version',
  partOf: 'app.kubernetes.io/part-of',
  managedBy: 'app.kubernetes.io/managed-by',
  environment: 'platform.example.com/environment',
  team: 'platform.example.com/team',
} as const;

/** Labels every workload's pods must carry (enforced by Kyverno in the cluster and by K8S-LBL1 at synth). */
export const REQUIRED_POD_LABELS: readonly string[] = [LABELS.name, LABELS.version, LABELS.partOf, LABELS.environment, LABELS.team];

/** PriorityClass of each service priority, and of the platform's add-ons. */
export const PRIORITY_CLASSES = {
  platform: { name: 'platform-critical', value: 1_000_000, description: 'Platform controllers: admission, secrets, load balancing.' },
  critical: { name: 'service-critical', value: 100_000, description: 'Customer-facing services on the request path.' },
  standard: { name: 'service-standard', value: 10_000, description: 'Services that are not on the request path.' },
  background: { name: 'service-background', value: 1_000, description: 'Workers and batch; never preempts other pods.' },
} as const;

/** Labels every object of an environment carries (set on each chart). */
export function platformLabels(application: string, environmentName: string): Record<string, string> {
  return {
    [LABELS.partOf]: application,
    [LABELS.managedBy]: 'cdk8s',
    [LABELS.environment]: environmentName,
  };
}
