/**
 * The cluster add-ons that are not EKS add-ons, as data: Helm chart, pinned version, namespace,
 * and values derived from the environment. `AddonsChart` turns each into an Argo CD `Application`
 * (`dist/<env>/addons.k8s.yaml`); the pipeline bootstraps Argo CD itself once with the same pinned
 * chart (`helm upgrade --install`, see docs/workloads.md), after which Argo CD manages every add-on,
 * itself included.
 *
 * Versions are exact (never a range): an upgrade is a reviewed change of this file.
 */
import { imageSigningKey } from '../lib/config/image-signing';
import { ADDON_IDENTITIES, NODE_POOL_LABEL, NODE_POOLS, SYSTEM_POOL_TAINT, clusterName } from '../lib/config/naming';
import { EnvironmentConfig } from '../lib/config/types';
import { PRIORITY_CLASSES } from './conventions';

/** Pod Security level a namespace enforces. */
export type PodSecurityLevel = 'restricted' | 'baseline';

/** One add-on. */
export interface Addon {
  /** Name of the Argo CD Application and the Helm release. */
  readonly name: string;
  /** What it does for the platform. */
  readonly purpose: string;
  /** Helm repository URL. */
  readonly repoUrl: string;
  /** Chart name in the repository. */
  readonly chart: string;
  /** Exact chart version. */
  readonly version: string;
  /** Namespace it is installed in (the platform chart creates it with Pod Security labels). */
  readonly namespace: string;
  /**
   * Pod Security level its namespace enforces; `baseline` only where the chart's pods are not
   * known to meet `restricted` (the namespace still warns and audits at `restricted`).
   */
  readonly podSecurity: PodSecurityLevel;
  /** Argo CD sync wave: lower waves first (CRDs other add-ons or our charts need come early). */
  readonly wave: number;
  /** Helm values for an environment. */
  readonly values: (config: EnvironmentConfig) => Record<string, unknown>;
}

/** One replica in development, `count` elsewhere (highly available controllers and webhooks). */
const ha = (config: EnvironmentConfig, count: number): number => (config.tier === 'development' ? 1 : count);

/** Scheduling onto the tainted system node pool: the values every add-on pod gets (under each chart's own keys). */
export const SYSTEM_POOL = {
  nodeSelector: { [NODE_POOL_LABEL]: NODE_POOLS.system },
  tolerations: [{ key: SYSTEM_POOL_TAINT.key, operator: 'Equal', value: SYSTEM_POOL_TAINT.value, effect: SYSTEM_POOL_TAINT.effect }],
} as const;

/**
 * Kyverno's pin. Chart 3.8.2 ships Kyverno v1.18.2 (kyverno/kyverno@v1.18.2:charts/kyverno/Chart.yaml:
 * `version: 3.8.2`, `appVersion: v1.18.2`, `kubeVersion: ">=1.25.0-0"`); Kyverno 1.18.x supports
 * Kubernetes 1.33 to 1.35 (kyverno/website@7c0814a:src/constants/version.ts `compatibilityMatrix`,
 * and src/content/docs/docs/installation/releases.md "Kubernetes Versions Supported: v1.33 - v1.35").
 * 1.19.0 exists but its support range was not yet published when this was pinned.
 */
export const KYVERNO_RELEASE = {
  chartVersion: '3.8.2',
  appVersion: 'v1.18.2',
  kubernetes: { min: '1.33', max: '1.35' },
  source: 'kyverno/website@7c0814a:src/constants/version.ts; kyverno/kyverno@v1.18.2:charts/kyverno/Chart.yaml',
} as const;

/** The add-ons, in install order. */
export const ADDONS: readonly Addon[] = [
  {
    name: 'argo-cd',
    purpose: 'GitOps: applies and keeps in sync every add-on below (and itself)',
    repoUrl: 'https://argoproj.github.io/argo-helm',
    chart: 'argo-cd',
    version: '7.8.2',
    namespace: 'argocd',
    podSecurity: 'baseline',
    wave: 0,
    values: (config) => ({
      global: { domain: `argocd.${config.domain.zoneName}`, ...SYSTEM_POOL },
      dex: { enabled: false },
    }),
  },
  {
    name: 'external-secrets',
    purpose: 'Syncs Secrets Manager secrets into Kubernetes Secrets (ExternalSecret, ClusterSecretStore)',
    repoUrl: 'https://charts.external-secrets.io',
    chart: 'external-secrets',
    version: '0.14.0',
    namespace: ADDON_IDENTITIES.externalSecrets.namespace,
    podSecurity: 'restricted',
    wave: 1,
    values: (config) => ({
      installCRDs: true,
      replicaCount: ha(config, 2),
      priorityClassName: PRIORITY_CLASSES.platform.name,
      ...SYSTEM_POOL,
      webhook: { ...SYSTEM_POOL },
      certController: { ...SYSTEM_POOL },
      serviceAccount: { create: true, name: ADDON_IDENTITIES.externalSecrets.serviceAccount },
    }),
  },
  {
    name: 'kyverno',
    purpose: 'Admission policies: images from our ECR only, signed outside dev, no :latest, required labels',
    repoUrl: 'https://kyverno.github.io/kyverno',
    chart: 'kyverno',
    version: KYVERNO_RELEASE.chartVersion,
    namespace: ADDON_IDENTITIES.kyverno.namespace,
    podSecurity: 'restricted',
    wave: 1,
    // Every key below exists in the chart's values.yaml at the pin (kyverno/kyverno@v1.18.2:charts/kyverno/values.yaml).
    values: (config) => ({
      admissionController: {
        replicas: ha(config, 3),
        priorityClassName: PRIORITY_CLASSES.platform.name,
        ...SYSTEM_POOL,
        // The service account CDK gives a Pod Identity (ClusterStack.addKyvernoRole) where signatures are verified.
        rbac: { serviceAccount: { name: ADDON_IDENTITIES.kyverno.serviceAccount } },
        // Pods cannot read instance metadata (hop limit 1): the KMS client gets the key's region here.
        container: { extraEnvVars: [{ name: 'AWS_REGION', value: imageSigningKey().region }] },
      },
      backgroundController: { replicas: ha(config, 2), ...SYSTEM_POOL },
      cleanupController: { replicas: 1, ...SYSTEM_POOL },
      reportsController: { replicas: 1, ...SYSTEM_POOL },
      // Registry credentials from the Pod Identity through the ECR credential helper, and no other helper.
      features: { registryClient: { credentialHelpers: ['amazon'] } },
      // The API server sends Kyverno only the workload namespaces' requests: a Kyverno outage can never
      // block the platform's own pods (Kyverno's namespace is excluded by the chart as well).
      config: {
        webhooks: {
          namespaceSelector: {
            matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...config.kubernetes.workloadNamespaces] }],
          },
        },
      },
    }),
  },
  {
    name: 'argo-rollouts',
    purpose: 'Canary and blue/green rollouts with SLO analysis and automatic rollback',
    repoUrl: 'https://argoproj.github.io/argo-helm',
    chart: 'argo-rollouts',
    version: '2.39.0',
    namespace: 'argo-rollouts',
    podSecurity: 'restricted',
    wave: 1,
    values: (config) => ({
      installCRDs: true,
      controller: { replicas: ha(config, 2), ...SYSTEM_POOL },
      dashboard: { enabled: false },
    }),
  },
  {
    name: 'aws-load-balancer-controller',
    purpose: "Owns the environment's ALB from the services' Ingresses (IngressGroup), weighted canary actions",
    repoUrl: 'https://aws.github.io/eks-charts',
    chart: 'aws-load-balancer-controller',
    version: '1.11.0',
    namespace: ADDON_IDENTITIES.awsLoadBalancerController.namespace,
    podSecurity: 'baseline',
    wave: 2,
    values: (config) => ({
      clusterName: clusterName(config.name),
      region: config.region,
      replicaCount: ha(config, 2),
      ...SYSTEM_POOL,
      serviceAccount: { create: true, name: ADDON_IDENTITIES.awsLoadBalancerController.serviceAccount },
      enableServiceMutatorWebhook: false,
    }),
  },
  {
    name: 'external-dns',
    purpose: "Publishes the API origin's DNS name (Route 53) from the Ingress host",
    repoUrl: 'https://kubernetes-sigs.github.io/external-dns',
    chart: 'external-dns',
    version: '1.15.0',
    namespace: ADDON_IDENTITIES.externalDns.namespace,
    podSecurity: 'restricted',
    wave: 2,
    values: (config) => ({
      provider: { name: 'aws' },
      sources: ['ingress'],
      domainFilters: [config.domain.zoneName],
      // Never delete a record it did not create; the TXT registry marks its own by cluster.
      policy: 'upsert-only',
      registry: 'txt',
      txtOwnerId: clusterName(config.name),
      priorityClassName: PRIORITY_CLASSES.platform.name,
      ...SYSTEM_POOL,
      env: [{ name: 'AWS_DEFAULT_REGION', value: config.region }],
      serviceAccount: { create: true, name: ADDON_IDENTITIES.externalDns.serviceAccount },
    }),
  },
];

/** The command that bootstraps Argo CD before the first apply of `addons.k8s.yaml` (same pinned version). */
export function bootstrapCommand(addon: Addon = ADDONS[0]): string {
  return `helm upgrade --install ${addon.name} ${addon.chart} --repo ${addon.repoUrl} --version ${addon.version} --namespace ${addon.namespace}`;
}
