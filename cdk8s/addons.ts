/**
 * The cluster add-ons that are not EKS add-ons, as data: Helm chart, pinned version, namespace,
 * and values derived from the environment. `AddonsChart` turns each into an Argo CD `Application`
 * (`dist/<env>/0001-addons.k8s.yaml`); `npm run bootstrap` installs Argo CD itself once with the
 * same pinned chart and the same values (see `cdk8s/bootstrap.ts`), after which Argo CD manages
 * every add-on, itself included.
 *
 * Versions are exact (never a range) and come from `lib/config/addon-pins.ts`, where each pin
 * records the Kubernetes versions its upstream supports: an upgrade is a reviewed change there.
 * Every values key set here is listed in the add-on's `valuesKeys` and was checked against the
 * pinned chart's values.yaml (`valuesSource` of the pin).
 *
 * Nodes use IMDSv2 with hop limit 1, so no pod can read instance metadata: every controller that
 * would read its region or VPC from there gets it from values (region, VPC by Name tag).
 */
import { CHART_PINS, PinnedAddon } from '../lib/config/addon-pins';
import { imageSigningKey } from '../lib/config/image-signing';
import {
  ADDON_IDENTITIES,
  NODE_POOL_LABEL,
  NODE_POOLS,
  SYSTEM_POOL_TAINT,
  clusterName,
  karpenterInterruptionQueueName,
  vpcName,
} from '../lib/config/naming';
import { EnvironmentConfig } from '../lib/config/types';
import { PRIORITY_CLASSES } from './conventions';

/** Pod Security level a namespace enforces. */
export type PodSecurityLevel = 'restricted' | 'baseline';

/**
 * A component of an add-on that can run more than one replica, and how it keeps a single active
 * instance (finding 10: two active controllers fight over the same objects).
 */
export interface ReplicatedComponent {
  /** Dotted path of the component's replica count in the values. */
  readonly replicasKey: string;
  /**
   * How only one replica acts: `valuesKey` is a values key that must be `true`; `onByDefault` names
   * the upstream source where leader election is on unless turned off; `stateless` says why the
   * component needs none (it answers requests, it reconciles nothing).
   */
  readonly leaderElection: { readonly valuesKey: string } | { readonly onByDefault: string } | { readonly stateless: string };
}

/** A field Argo CD ignores on one kind of object (an Application's `ignoreDifferences` entry). */
export interface IgnoredDifference {
  readonly kind: string;
  /** @default - the core API group */
  readonly group?: string;
  /** @default - every object of the kind */
  readonly name?: string;
  /** jq paths of the ignored fields. */
  readonly jqPathExpressions: readonly string[];
}

/** One add-on. */
export interface Addon {
  /** Name of the Argo CD Application and the Helm release. */
  readonly name: string;
  /** What it does for the platform. */
  readonly purpose: string;
  /** Helm repository URL (an OCI registry without `oci://`, as Argo CD names it). */
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
  /** Argo CD sync wave among the add-ons: lower waves first (CRDs other add-ons or our charts need come early). */
  readonly wave: number;
  /** Helm values for an environment. */
  readonly values: (config: EnvironmentConfig) => Record<string, unknown>;
  /**
   * The values keys the values use (dotted; a map-valued key such as `nodeSelector` covers its
   * entries), each checked to exist in the pinned chart's values.yaml.
   * @default - not recorded (an add-on whose pin lives outside lib/config/addon-pins.ts)
   */
  readonly valuesKeys?: readonly string[];
  /**
   * Components that run more than one replica in some environment, with how each elects a leader.
   * @default - none
   */
  readonly replicated?: readonly ReplicatedComponent[];
  /**
   * Argo CD `ignoreDifferences`: fields the add-on rewrites at run time (generated webhook
   * certificates), which Argo CD must neither flag nor overwrite.
   * @default - none
   */
  readonly ignoreDifferences?: readonly IgnoredDifference[];
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

/**
 * Health of an Argo CD `Application` as a resource of another Application: without it the root
 * Application's sync waves do not wait for the add-ons they hold (Argo CD removed the built-in
 * check in 1.8). Transcribed from argoproj/argo-cd@v3.4.4:docs/operator-manual/health.md ("Argocd
 * App"; also docs/operator-manual/upgrading/1.7-1.8.md).
 */
export const APPLICATION_HEALTH_LUA = `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
`;

/** The `argocd-cm` key that holds `APPLICATION_HEALTH_LUA`. */
export const APPLICATION_HEALTH_KEY = 'resource.customizations.health.argoproj.io_Application';

/** The chart coordinates of a pinned add-on. */
const pinned = (name: PinnedAddon) => ({
  name,
  repoUrl: CHART_PINS[name].repoUrl,
  chart: CHART_PINS[name].chart,
  version: CHART_PINS[name].chartVersion,
});

/** The add-ons, in install order. */
export const ADDONS: readonly Addon[] = [
  {
    ...pinned('argo-cd'),
    purpose: 'GitOps: applies and keeps in sync every add-on below (and itself)',
    namespace: 'argocd',
    podSecurity: 'baseline',
    wave: 0,
    values: (config) => ({
      global: { domain: `argocd.${config.domain.zoneName}`, ...SYSTEM_POOL },
      dex: { enabled: false },
      configs: {
        // Sync waves of the root Application wait for the add-on Applications only with this check.
        cm: { [APPLICATION_HEALTH_KEY]: APPLICATION_HEALTH_LUA },
        // Karpenter's chart is in an OCI registry: Argo CD needs it declared (docs/operator-manual/declarative-setup.md "Helm").
        repositories: {
          karpenter: { name: 'karpenter', url: CHART_PINS.karpenter.repoUrl, type: 'helm', enableOCI: 'true' },
        },
      },
    }),
    valuesKeys: ['global.domain', 'global.nodeSelector', 'global.tolerations', 'dex.enabled', 'configs.cm', 'configs.repositories'],
  },
  {
    ...pinned('karpenter'),
    purpose: 'Node autoscaling: launches and consolidates nodes for pending pods (NodePools in cluster-config)',
    namespace: ADDON_IDENTITIES.karpenter.namespace,
    podSecurity: 'restricted',
    wave: 1,
    values: (config) => ({
      settings: { clusterName: clusterName(config.name), interruptionQueue: karpenterInterruptionQueueName(config.name) },
      replicas: ha(config, 2),
      // On the managed system group: the chart's default affinity keeps it off nodes it launched itself.
      nodeSelector: { 'kubernetes.io/os': 'linux', ...SYSTEM_POOL.nodeSelector },
      tolerations: SYSTEM_POOL.tolerations,
      // No instance metadata (hop limit 1): the region comes from here, the endpoint from eks:DescribeCluster.
      controller: { env: [{ name: 'AWS_REGION', value: config.region }] },
      serviceAccount: { create: true, name: ADDON_IDENTITIES.karpenter.serviceAccount },
    }),
    valuesKeys: [
      'settings.clusterName',
      'settings.interruptionQueue',
      'replicas',
      'nodeSelector',
      'tolerations',
      'controller.env',
      'serviceAccount.create',
      'serviceAccount.name',
    ],
    replicated: [
      {
        replicasKey: 'replicas',
        leaderElection: {
          onByDefault:
            'kubernetes-sigs/karpenter@6e7eab7a0f48 (the core karpenter-provider-aws v1.14.1 builds on):pkg/operator/options/options.go, DISABLE_LEADER_ELECTION defaults to false',
        },
      },
    ],
  },
  {
    ...pinned('external-secrets'),
    purpose: 'Syncs Secrets Manager secrets into Kubernetes Secrets (ExternalSecret, ClusterSecretStore)',
    namespace: ADDON_IDENTITIES.externalSecrets.namespace,
    podSecurity: 'restricted',
    wave: 1,
    values: (config) => {
      const replicas = ha(config, 2);
      const placement = {
        ...SYSTEM_POOL,
        priorityClassName: PRIORITY_CLASSES.platform.name,
        podDisruptionBudget: { enabled: replicas > 1 },
      };
      return {
        installCRDs: true,
        replicaCount: replicas,
        // The controller and the cert controller each run one active replica (finding 10).
        leaderElect: true,
        ...placement,
        webhook: { replicaCount: replicas, ...placement },
        certController: { replicaCount: replicas, ...placement },
        serviceAccount: { create: true, name: ADDON_IDENTITIES.externalSecrets.serviceAccount },
      };
    },
    valuesKeys: [
      'installCRDs',
      'replicaCount',
      'leaderElect',
      'nodeSelector',
      'tolerations',
      'priorityClassName',
      'podDisruptionBudget.enabled',
      'webhook.replicaCount',
      'webhook.nodeSelector',
      'webhook.tolerations',
      'webhook.priorityClassName',
      'webhook.podDisruptionBudget.enabled',
      'certController.replicaCount',
      'certController.nodeSelector',
      'certController.tolerations',
      'certController.priorityClassName',
      'certController.podDisruptionBudget.enabled',
      'serviceAccount.create',
      'serviceAccount.name',
    ],
    replicated: [
      { replicasKey: 'replicaCount', leaderElection: { valuesKey: 'leaderElect' } },
      // The chart passes leaderElect to the cert controller too (templates/cert-controller-deployment.yaml).
      { replicasKey: 'certController.replicaCount', leaderElection: { valuesKey: 'leaderElect' } },
      {
        replicasKey: 'webhook.replicaCount',
        leaderElection: { stateless: 'The webhook validates and converts requests; it reconciles nothing.' },
      },
    ],
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
    replicated: [
      // Each Kyverno controller always runs leader election (leaderelection.New in its main), kyverno/kyverno@v1.18.2:cmd/<controller>/main.go.
      {
        replicasKey: 'admissionController.replicas',
        leaderElection: { onByDefault: 'kyverno/kyverno@v1.18.2:cmd/kyverno/main.go' },
      },
      {
        replicasKey: 'backgroundController.replicas',
        leaderElection: { onByDefault: 'kyverno/kyverno@v1.18.2:cmd/background-controller/main.go' },
      },
    ],
  },
  {
    ...pinned('argo-rollouts'),
    purpose: 'Canary and blue/green rollouts with SLO analysis and automatic rollback',
    namespace: 'argo-rollouts',
    podSecurity: 'restricted',
    wave: 1,
    values: (config) => {
      const replicas = ha(config, 2);
      return {
        installCRDs: true,
        controller: {
          replicas,
          // The patch release tested on the clusters' Kubernetes version (see the pin).
          image: { tag: CHART_PINS['argo-rollouts'].appVersion },
          ...SYSTEM_POOL,
          priorityClassName: PRIORITY_CLASSES.platform.name,
          pdb: { enabled: replicas > 1 },
        },
        dashboard: { enabled: false },
      };
    },
    valuesKeys: [
      'installCRDs',
      'controller.replicas',
      'controller.image.tag',
      'controller.nodeSelector',
      'controller.tolerations',
      'controller.priorityClassName',
      'controller.pdb.enabled',
      'dashboard.enabled',
    ],
    replicated: [
      {
        replicasKey: 'controller.replicas',
        leaderElection: {
          onByDefault:
            'argoproj/argo-helm@argo-rollouts-2.41.0:charts/argo-rollouts/templates/controller/deployment.yaml passes --leader-elect when controller.replicas > 1',
        },
      },
    ],
  },
  {
    ...pinned('aws-load-balancer-controller'),
    purpose: "Owns the environment's ALB from the services' Ingresses (IngressGroup), weighted canary actions",
    namespace: ADDON_IDENTITIES.awsLoadBalancerController.namespace,
    podSecurity: 'baseline',
    wave: 2,
    values: (config) => {
      const replicas = ha(config, 2);
      return {
        clusterName: clusterName(config.name),
        // No instance metadata (hop limit 1): region from config, the VPC by the Name tag the Network stack sets.
        region: config.region,
        vpcTags: { Name: vpcName(config.name) },
        replicaCount: replicas,
        ...SYSTEM_POOL,
        serviceAccount: { create: true, name: ADDON_IDENTITIES.awsLoadBalancerController.serviceAccount },
        enableServiceMutatorWebhook: false,
        // The cluster-config chart owns the IngressClass and its IngressClassParams (the ALB-level settings, once).
        createIngressClassResource: false,
        ...(replicas > 1 ? { podDisruptionBudget: { maxUnavailable: 1 } } : {}),
      };
    },
    valuesKeys: [
      'clusterName',
      'region',
      'vpcTags',
      'replicaCount',
      'nodeSelector',
      'tolerations',
      'serviceAccount.create',
      'serviceAccount.name',
      'enableServiceMutatorWebhook',
      'createIngressClassResource',
      'podDisruptionBudget',
    ],
    replicated: [
      {
        replicasKey: 'replicaCount',
        leaderElection: {
          onByDefault:
            'kubernetes-sigs/aws-load-balancer-controller@v3.5.0:pkg/config/runtime_config.go, --enable-leader-election defaults to true',
        },
      },
    ],
    // The chart generates the webhook certificate on every render; the controller keeps the one it
    // runs with (kubernetes-sigs/aws-load-balancer-controller@v3.5.0:docs/deploy/installation.md, "ArgoCD users").
    ignoreDifferences: [
      { kind: 'Secret', name: 'aws-load-balancer-tls', jqPathExpressions: ['.data'] },
      {
        group: 'admissionregistration.k8s.io',
        kind: 'MutatingWebhookConfiguration',
        name: 'aws-load-balancer-webhook',
        jqPathExpressions: ['.webhooks[].clientConfig.caBundle'],
      },
      {
        group: 'admissionregistration.k8s.io',
        kind: 'ValidatingWebhookConfiguration',
        name: 'aws-load-balancer-webhook',
        jqPathExpressions: ['.webhooks[].clientConfig.caBundle'],
      },
    ],
  },
  {
    ...pinned('external-dns'),
    purpose: "Publishes the API origin's DNS name (Route 53) from the Ingress host",
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
      // No instance metadata (hop limit 1): the region comes from here.
      env: [{ name: 'AWS_DEFAULT_REGION', value: config.region }],
      serviceAccount: { create: true, name: ADDON_IDENTITIES.externalDns.serviceAccount },
    }),
    // One replica, always: ExternalDNS has no leader election (the chart has no replica count).
    valuesKeys: [
      'provider.name',
      'sources',
      'domainFilters',
      'policy',
      'registry',
      'txtOwnerId',
      'priorityClassName',
      'nodeSelector',
      'tolerations',
      'env',
      'serviceAccount.create',
      'serviceAccount.name',
    ],
  },
];
