import type { IAppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../../lib/config/types';
import { Addon } from '../addons';
import { platformLabels, SYNC_WAVE_ANNOTATION, SYNC_WAVES } from '../conventions';
import { model } from '../constructs/model-object';

/** Props of `AddonsChart`. */
export interface AddonsChartProps extends ChartProps {
  /** The environment the manifests are for. */
  readonly config: EnvironmentConfig;
  /** The add-ons (see `ADDONS`). */
  readonly addons: readonly Addon[];
}

/** Name of the Argo CD project the add-ons belong to. */
export const ADDONS_PROJECT = 'platform-addons';

/**
 * The cluster add-ons as Argo CD `Application`s (`dist/<env>/0001-addons.k8s.yaml`): one per add-on,
 * Helm chart at its pinned version, values from config, synced automatically in the root
 * Application's waves (`SYNC_WAVES.addons` + the add-on's wave), in an `AppProject` (platform wave,
 * so it exists before its Applications) that may only install those charts into those namespaces.
 */
export class AddonsChart extends Chart {
  constructor(scope: Construct, id: string, props: AddonsChartProps) {
    const { config, addons, ...chartProps } = props;
    super(scope, id, { ...chartProps, labels: { ...platformLabels(config.tags.Application, config.name), ...chartProps.labels } });
    const argocd = addons.find((a) => a.name === 'argo-cd')?.namespace ?? 'argocd';
    model<IAppProject>(this, 'Project', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name: ADDONS_PROJECT, namespace: argocd, annotations: { [SYNC_WAVE_ANNOTATION]: String(SYNC_WAVES.platform) } },
      spec: {
        description: 'Cluster add-ons of the platform, pinned in cdk8s/addons.ts',
        sourceRepos: [...new Set(addons.map((a) => a.repoUrl))],
        destinations: addons.map((a) => ({ server: 'https://kubernetes.default.svc', namespace: a.namespace })),
        // Add-ons bring CRDs, webhooks and cluster roles.
        clusterResourceWhitelist: [{ group: '*', kind: '*' }],
      },
    });
    for (const addon of addons) {
      model<IApplication>(this, addon.name, {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: {
          name: addon.name,
          namespace: argocd,
          annotations: { [SYNC_WAVE_ANNOTATION]: String(SYNC_WAVES.addons + addon.wave) },
          finalizers: ['resources-finalizer.argocd.argoproj.io'],
        },
        spec: {
          project: ADDONS_PROJECT,
          source: {
            repoURL: addon.repoUrl,
            chart: addon.chart,
            targetRevision: addon.version,
            helm: { releaseName: addon.name, valuesObject: addon.values(config) },
          },
          destination: { server: 'https://kubernetes.default.svc', namespace: addon.namespace },
          ...(addon.ignoreDifferences
            ? { ignoreDifferences: addon.ignoreDifferences.map((d) => ({ ...d, jqPathExpressions: [...d.jqPathExpressions] })) }
            : {}),
          syncPolicy: {
            automated: { prune: true, selfHeal: true },
            // The platform chart owns the namespaces (Pod Security labels); CRDs are large: server-side apply.
            syncOptions: [
              'CreateNamespace=false',
              'ServerSideApply=true',
              // A sync must not overwrite what ignoreDifferences leaves to the add-on.
              ...(addon.ignoreDifferences ? ['RespectIgnoreDifferences=true'] : []),
            ],
            retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
          },
        },
      });
    }
  }
}
