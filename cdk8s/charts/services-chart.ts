import type { IAppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { Chart, ChartProps } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { RELEASE_KUBERNETES_GROUP, serviceGitOpsPath, servicesProjectName } from '../../lib/config/delivery';
import { serviceNamespace } from '../../lib/config/naming';
import { ServiceSpec } from '../../lib/config/service-catalog';
import { EnvironmentConfig } from '../../lib/config/types';
import { SYNC_WAVES, SYNC_WAVE_ANNOTATION, inSyncWave, platformLabels } from '../conventions';
import { model } from '../constructs/model-object';
import { apiObjectsOf } from '../render';

/** Props of `ServicesChart`. */
export interface ServicesChartProps extends ChartProps {
  /** The environment the manifests are for. */
  readonly config: EnvironmentConfig;
  /** Namespace Argo CD runs in (its Applications and AppProjects live there). */
  readonly argoCdNamespace: string;
}

/** The in-cluster destination of every Application (Argo CD deploys into its own cluster). */
const IN_CLUSTER = 'https://kubernetes.default.svc';

/**
 * What the release gate (its role's access entry maps it to `RELEASE_KUBERNETES_GROUP`) may read
 * in the cluster, and nothing else (it never writes: Argo CD applies). `kubectl argo rollouts status` lists and watches these in the service's namespace
 * (argoproj/argo-rollouts@v1.9.1:pkg/kubectl-argo-rollouts/viewcontroller/viewcontroller.go:
 * Rollouts, Experiments, AnalysisRuns, ReplicaSets, Pods, Deployments); `kubectl rollout status`
 * of a Deployment reads Deployments; the migration Job is read to report a failed PreSync.
 */
export const RELEASE_READ_RULES: readonly k8s.PolicyRule[] = [
  { apiGroups: ['argoproj.io'], resources: ['rollouts', 'analysisruns', 'experiments'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch'] },
];

/** What the release role may read in Argo CD's namespace: the Applications' sync and health status. */
export const RELEASE_APPLICATION_RULES: readonly k8s.PolicyRule[] = [
  { apiGroups: ['argoproj.io'], resources: ['applications'], verbs: ['get', 'list', 'watch'] },
];

/**
 * The environment's services as Argo CD sees them (`dist/<env>/0004-services.k8s.yaml`, synced by
 * the root Application): the `<env>-services` AppProject (the GitOps repository, into the workload
 * namespaces only, no cluster-scoped object, only the kinds the services' manifests hold), one
 * Application per service (source: the service's own directory, `services/<name>/`, wave
 * `SYNC_WAVES.services`), each service's identity and settings in the wave before
 * (`settingsScope`: the ServiceAccount and ExternalSecrets its PreSync migration Job needs on the
 * very first sync), and the read-only RBAC of the release role (`RELEASE_KUBERNETES_GROUP`).
 */
export class ServicesChart extends Chart {
  private readonly config: EnvironmentConfig;
  private readonly argoCdNamespace: string;

  constructor(scope: Construct, id: string, props: ServicesChartProps) {
    const { config, argoCdNamespace, ...chartProps } = props;
    super(scope, id, { ...chartProps, labels: { ...platformLabels(config.tags.Application, config.name), ...chartProps.labels } });
    this.config = config;
    this.argoCdNamespace = argoCdNamespace;
    const workloads = config.kubernetes.workloadNamespaces;
    const subject = { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: RELEASE_KUBERNETES_GROUP };
    const reader = (id: string, namespace: string, rules: readonly k8s.PolicyRule[]) => {
      const metadata = { name: 'release-reader', namespace };
      new k8s.KubeRole(this, `${id}-role`, { metadata, rules: [...rules] });
      new k8s.KubeRoleBinding(this, `${id}-binding`, {
        metadata,
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: metadata.name },
        subjects: [subject],
      });
    };
    for (const namespace of workloads) reader(`release-reader-${namespace}`, namespace, RELEASE_READ_RULES);
    reader('release-reader-argocd', argoCdNamespace, RELEASE_APPLICATION_RULES);
    inSyncWave(this, SYNC_WAVES.platform);
  }

  /** The scope a service's identity and settings go into (synced in `SYNC_WAVES.serviceSettings`). */
  public settingsScope(serviceName: string): Construct {
    return new Construct(this, `settings-${serviceName}`);
  }

  /**
   * The Applications of the services, once their charts exist; the project admits exactly the
   * kinds those charts hold (a service cannot bring a kind the platform did not give it).
   */
  public addApplications(services: readonly { readonly service: ServiceSpec; readonly chart: Chart }[]): void {
    const kinds = new Map<string, { group: string; kind: string }>();
    // The objects' own kinds, not `chart.toJson()`: that would resolve the whole app once per service.
    for (const { chart } of services) {
      for (const { apiVersion, kind } of apiObjectsOf(chart)) {
        const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
        kinds.set(`${group}/${kind}`, { group, kind });
      }
    }
    for (const { service } of services) {
      inSyncWave(this.node.tryFindChild(`settings-${service.name}`) ?? this, SYNC_WAVES.serviceSettings, {
        skipDryRunOnMissingResource: true,
      });
    }
    const workloads = this.config.kubernetes.workloadNamespaces;
    model<IAppProject>(this, 'Project', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      // Before the Applications that name it.
      metadata: {
        name: servicesProjectName(this.config.name),
        namespace: this.argoCdNamespace,
        annotations: { [SYNC_WAVE_ANNOTATION]: String(SYNC_WAVES.platform) },
      },
      spec: {
        description: `The services of ${this.config.name}, as released to ${this.config.gitops.path}`,
        sourceRepos: [this.config.gitops.repoUrl],
        destinations: workloads.map((namespace) => ({ server: IN_CLUSTER, namespace })),
        // Namespaces, quotas and priority classes are the platform's (root Application), never a service's.
        clusterResourceWhitelist: [],
        namespaceResourceWhitelist: [...kinds.values()].sort((a, b) => `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`)),
      },
    });
    for (const { service } of services) {
      model<IApplication>(this, `app-${service.name}`, {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: {
          name: service.name,
          namespace: this.argoCdNamespace,
          // A service removed from the catalog takes its objects with it.
          finalizers: ['resources-finalizer.argocd.argoproj.io'],
        },
        spec: {
          project: servicesProjectName(this.config.name),
          source: {
            repoURL: this.config.gitops.repoUrl,
            targetRevision: this.config.gitops.revision,
            path: serviceGitOpsPath(this.config.gitops, service.name),
            directory: { recurse: false, include: '*.k8s.yaml' },
          },
          destination: { server: IN_CLUSTER, namespace: serviceNamespace(service) },
          syncPolicy: {
            automated: { prune: true, selfHeal: true },
            // The platform chart owns the namespaces (Pod Security labels, quotas).
            syncOptions: ['CreateNamespace=false'],
            // A failed PreSync migration is retried a few times, then the release gate sees the failure and reverts.
            retry: { limit: 3, backoff: { duration: '30s', factor: 2, maxDuration: '5m' } },
          },
        },
      });
    }
    inSyncWave(this, SYNC_WAVES.services);
  }
}
