import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { OBSERVABILITY_NAMESPACE } from '../lib/config/observability';
import { SERVICE_NAME_LABEL } from '../lib/config/pod-killer';

export { OBSERVABILITY_NAMESPACE } from '../lib/config/observability';

/**
 * Names and labels every chart agrees on. One definition serves the constructs that write the
 * objects, the admission policies that enforce them in the cluster and the synth-time rules that
 * check them before anything is written.
 */

/** Namespaces the platform itself runs in (controllers, policy engine, observability agents). */
export const PLATFORM_NAMESPACES: readonly string[] = ['platform-system', OBSERVABILITY_NAMESPACE];

/** Port of the Prometheus HTTP API (the operator's `web` port). */
export const PROMETHEUS_PORT = 9090;

/**
 * Query address of the platform's Prometheus (the `Prometheus` resource of the monitoring chart, in
 * `OBSERVABILITY_NAMESPACE`): the governing Service `prometheus-operated` that prometheus-operator
 * creates for every Prometheus of a namespace. The rollout analyses and Grafana query it.
 */
export const PROMETHEUS_URL = `http://prometheus-operated.${OBSERVABILITY_NAMESPACE}.svc.cluster.local:${PROMETHEUS_PORT}`;

/**
 * The label the platform's Prometheus selects its PodMonitors, ServiceMonitors and PrometheusRules
 * by: every monitor and rule set carries it (the Microservice's PodMonitor, the service rule sets,
 * the monitoring chart, the add-ons' chart-made monitors through their values), and the
 * `Prometheus` resource selects exactly it. One constant, both sides.
 */
export const PROMETHEUS_SELECTOR_LABELS: Readonly<Record<string, string>> = { 'platform.example.com/prometheus': 'platform' };

/**
 * The ClusterSecretStore backed by SSM Parameter Store: deploy-time values the stacks publish
 * (database endpoints...). Secrets Manager has no cluster-wide store: each consumer reads through its
 * own SecretStore (`secretStoreName`), so no ExternalSecret can read another consumer's secret.
 */
export const PARAMETER_STORE_NAME = 'aws-parameter-store';

/**
 * Suffixes of the Secrets a service's ExternalSecrets write: `<service>-secrets` (its catalog
 * secrets) and `<service>-runtime` (deploy-time values). A service's pods may use these two only.
 */
export const SERVICE_SECRET_SUFFIXES = { secrets: '-secrets', runtime: '-runtime' } as const;

/** Well-known label keys. */
export const LABELS = {
  name: SERVICE_NAME_LABEL,
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

/** Annotation of an object's Argo CD sync wave. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** Annotation of an object's Argo CD sync options. */
export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';

/**
 * The sync waves of the root Application (the app-of-apps that `npm run bootstrap` applies):
 * Argo CD applies each wave and waits until it is healthy before the next. The platform
 * (namespaces, quotas, priority classes) comes first; then the add-on Applications (`addons` plus
 * each add-on's own wave, so CRD-bearing add-ons come before the controllers that need them);
 * then the add-ons' custom resources; then the monitoring stack (Prometheus, Alertmanager, rules,
 * dashboards: after the secret stores, before the services whose rollout analyses query it); then
 * each service's identity and settings (ServiceAccount, ExternalSecrets, its migration Job's
 * NetworkPolicy), which its PreSync migration needs before its Application syncs; the services'
 * Applications last.
 */
export const SYNC_WAVES = { platform: 0, addons: 10, clusterConfig: 20, monitoring: 22, serviceSettings: 25, services: 30 } as const;

/** How objects of a chart are synced. */
export interface SyncWaveOptions {
  /**
   * The chart holds custom resources whose CRDs an earlier wave installs: Argo CD must not refuse
   * the sync because the dry run at its start does not know those kinds yet. Set on the custom
   * resources only; built-in kinds keep their dry run.
   * @default false
   */
  readonly skipDryRunOnMissingResource?: boolean;
}

/** Put every object of `scope` (a chart) in a sync wave of the root Application; a wave an object already has is kept. */
export function inSyncWave(scope: IConstruct, wave: number, options: SyncWaveOptions = {}): void {
  for (const object of scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
    const annotations: Record<string, string> = object.metadata.toJson().annotations ?? {};
    if (annotations[SYNC_WAVE_ANNOTATION] === undefined) object.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(wave));
    if (options.skipDryRunOnMissingResource && !isBuiltInApi(object.apiVersion)) {
      object.metadata.addAnnotation(SYNC_OPTIONS_ANNOTATION, 'SkipDryRunOnMissingResource=true');
    }
  }
}

/** Whether an apiVersion is served by Kubernetes itself (core, `apps`, `*.k8s.io`...) rather than by a CRD. */
export function isBuiltInApi(apiVersion: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return !group.includes('.') || group.endsWith('.k8s.io');
}
