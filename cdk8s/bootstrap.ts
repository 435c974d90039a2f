/**
 * The first deploy of an environment's cluster, as one ordered, idempotent plan (`npm run
 * bootstrap -- --env <name>` prints it, `--execute` runs it):
 *
 * 1. `aws eks update-kubeconfig`: a kubectl context named after the cluster;
 * 2. `kubectl apply` the `argocd` namespace (the platform chart's own object, Pod Security labels included);
 * 3. `helm upgrade --install` Argo CD at its pin, with the values its own Application later manages
 *    (so Argo CD adopts the release without a diff);
 * 4. `kubectl apply` the root Application (app-of-apps) and its project: Argo CD syncs the
 *    environment's GitOps path from there, wave by wave (`SYNC_WAVES`): platform, add-ons (each
 *    Application healthy before the next wave, thanks to the `argoproj.io/Application` health
 *    check in Argo CD's values), their custom resources, services.
 *
 * Every step is declarative (apply, upgrade --install, update-kubeconfig), so running the plan
 * again changes nothing. Pure: the CLI in `bin/bootstrap.ts` writes the files and runs the commands.
 */
import type { IAppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { App, Chart, Yaml } from 'cdk8s';
import { clusterName } from '../lib/config/naming';
import { EnvironmentConfig } from '../lib/config/types';
import { ADDONS, Addon } from './addons';
import { PlatformChart } from './charts/platform-chart';
import { model } from './constructs/model-object';

/** A file the plan applies, written next to it. */
export interface BootstrapFile {
  /** File name inside the plan's directory. */
  readonly name: string;
  /** YAML content. */
  readonly content: string;
}

/** One command of the plan. */
export interface BootstrapStep {
  /** What it does, for the person running it. */
  readonly description: string;
  /** The command as an argument vector (never a shell string). */
  readonly command: readonly string[];
}

/** The plan for one environment. */
export interface BootstrapPlan {
  readonly environment: string;
  /** Files the steps apply, to be written to `directory` first. */
  readonly files: readonly BootstrapFile[];
  /** The commands, in order. */
  readonly steps: readonly BootstrapStep[];
}

/** Name of the root Application (app-of-apps) of every environment. */
export const ROOT_APPLICATION = 'platform-root';

/** The Argo CD project of the root Application: the environment's GitOps source only. */
export const ROOT_PROJECT = 'platform';

/** The Argo CD add-on: the one the bootstrap installs by hand before Argo CD manages it. */
export function argoCdAddon(addons: readonly Addon[] = ADDONS): Addon {
  const addon = addons.find((a) => a.name === 'argo-cd');
  if (!addon) throw new Error('bootstrap: the add-ons have no argo-cd entry; Argo CD manages every other add-on');
  return addon;
}

/** The root Application and its project (app-of-apps) of an environment. */
export function rootApplicationDocuments(config: EnvironmentConfig, namespace: string): Record<string, unknown>[] {
  const chart = new Chart(new App(), 'root');
  const inCluster = 'https://kubernetes.default.svc';
  model<IAppProject>(chart, 'Project', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: ROOT_PROJECT, namespace },
    spec: {
      description: `The rendered manifests of ${config.name}, from its GitOps path`,
      sourceRepos: [config.gitops.repoUrl],
      destinations: [{ server: inCluster, namespace: '*' }],
      // The environment's manifests hold namespaces, priority classes, CRDs' custom resources cluster-wide.
      clusterResourceWhitelist: [{ group: '*', kind: '*' }],
    },
  });
  model<IApplication>(chart, 'Root', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    // No resources finalizer: deleting the root Application must not delete the environment.
    metadata: { name: ROOT_APPLICATION, namespace },
    spec: {
      project: ROOT_PROJECT,
      source: {
        repoURL: config.gitops.repoUrl,
        targetRevision: config.gitops.revision,
        path: config.gitops.path,
        directory: { recurse: false, include: '*.k8s.yaml' },
      },
      destination: { server: inCluster },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        retry: { limit: 10, backoff: { duration: '30s', factor: 2, maxDuration: '10m' } },
      },
    },
  });
  return chart.toJson();
}

/** The `argocd` Namespace exactly as the platform chart writes it (Pod Security labels included). */
function argoCdNamespaceDocument(config: EnvironmentConfig, addons: readonly Addon[], namespace: string): Record<string, unknown> {
  const platform = new PlatformChart(new App(), 'platform', { config, addons });
  const doc = platform.toJson().find((d) => d.kind === 'Namespace' && d.metadata.name === namespace);
  if (!doc) throw new Error(`bootstrap: the platform chart creates no namespace ${namespace}`);
  return doc;
}

const toYaml = (docs: readonly unknown[]): string => Yaml.stringify(...docs);

/**
 * The plan for one environment, its files to be written in `directory` (paths in the commands
 * point there).
 */
export function bootstrapPlan(config: EnvironmentConfig, directory: string, addons: readonly Addon[] = ADDONS): BootstrapPlan {
  const argocd = argoCdAddon(addons);
  const context = clusterName(config.name);
  const file = (name: string) => `${directory}/${name}`;
  const files: BootstrapFile[] = [
    { name: 'argocd-namespace.k8s.yaml', content: toYaml([argoCdNamespaceDocument(config, addons, argocd.namespace)]) },
    { name: 'argocd-values.yaml', content: Yaml.stringify(argocd.values(config)) },
    { name: 'root-application.k8s.yaml', content: toYaml(rootApplicationDocuments(config, argocd.namespace)) },
  ];
  const steps: BootstrapStep[] = [
    {
      description: `kubectl context "${context}" for the cluster`,
      command: ['aws', 'eks', 'update-kubeconfig', '--name', context, '--region', config.region, '--alias', context],
    },
    {
      description: `the ${argocd.namespace} namespace, as the platform chart defines it`,
      command: ['kubectl', '--context', context, 'apply', '-f', file(files[0].name)],
    },
    {
      description: `Argo CD ${argocd.version} with the values its own Application manages`,
      command: [
        'helm',
        'upgrade',
        '--install',
        argocd.name,
        argocd.chart,
        '--repo',
        argocd.repoUrl,
        '--version',
        argocd.version,
        '--namespace',
        argocd.namespace,
        '--kube-context',
        context,
        '--values',
        file(files[1].name),
        '--wait',
        '--timeout',
        '15m',
      ],
    },
    {
      description: `the root Application: Argo CD syncs ${config.gitops.repoUrl} ${config.gitops.path} (${config.gitops.revision}) wave by wave`,
      command: ['kubectl', '--context', context, 'apply', '-f', file(files[2].name)],
    },
  ];
  return { environment: config.name, files, steps };
}

/** A command as a line a shell would run (arguments quoted where needed). */
export function commandLine(command: readonly string[]): string {
  return command.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}
