import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { imageSigningKey, signedImagesRequired } from '../../lib/config/image-signing';
import { ecrRegistryHost, serviceNamespace } from '../../lib/config/naming';
import { POD_KILLER_KUBERNETES_GROUP, POD_KILLER_ROLE_NAME, POD_KILLER_RULES } from '../../lib/config/pod-killer';
import { k8s } from 'cdk8s-plus-28';
import { EnvironmentConfig } from '../../lib/config/types';
import { secretStoreName, serviceSecretsRoleArn } from '../../lib/config/access-names';
import { PLATFORM_SECRET_CONSUMERS, SecretConsumer, secretConsumers } from '../../lib/config/secret-consumers';
import { PARAMETER_STORE_NAME, REQUIRED_POD_LABELS, platformLabels } from '../conventions';
import { AlbIngressClass } from '../constructs/alb-ingress-class';
import { ClusterSecretStoreV1, EXTERNAL_SECRETS_API_VERSION } from '../constructs/external-secrets';
import { KarpenterNodePools } from '../constructs/karpenter';
import { KyvernoClusterPolicy, KyvernoMatch, KyvernoWebhookConfiguration } from '../constructs/kyverno';
import { model } from '../constructs/model-object';
import { SecretIsolationPolicy } from '../constructs/secret-isolation-policy';
import { consumerSecretStore } from '../constructs/secret-store';

/**
 * How the API server calls Kyverno for the pattern policies: they need no network call, so 10 s
 * (Kyverno's default) is ample; `Fail` so that a Kyverno outage never admits an unchecked pod.
 * Kyverno's webhooks see only the workload namespaces (its Helm values), so an outage holds back
 * workload pods, never the platform's own (Kyverno, kube-system, Argo CD, controllers), which is
 * what lets Kyverno itself come back.
 */
export const PATTERN_POLICY_WEBHOOK: KyvernoWebhookConfiguration = { failurePolicy: 'Fail', timeoutSeconds: 10 };

/**
 * Signature verification reads the registry (tag to digest, signature manifest and layer) and the
 * KMS public key on a cold cache: the maximum Kubernetes allows (30 s). `Fail`: an image that
 * cannot be verified is not admitted; the ReplicaSet or Rollout retries, nothing else is blocked.
 */
export const VERIFY_IMAGES_WEBHOOK: KyvernoWebhookConfiguration = { failurePolicy: 'Fail', timeoutSeconds: 30 };

/** Props of `ClusterConfigChart`. */
export interface ClusterConfigChartProps extends ChartProps {
  /** The environment the manifests are for. */
  readonly config: EnvironmentConfig;
  /** The services of the environment (who may read which secret). @default - none */
  readonly services?: readonly { readonly name: string; readonly namespace?: string; readonly secrets?: readonly string[] }[];
  /** Platform components that read secrets, each through its own store. @default `PLATFORM_SECRET_CONSUMERS` */
  readonly platformSecretConsumers?: readonly SecretConsumer[];
}

/**
 * Cluster-wide configuration of the add-ons (`dist/<env>/cluster-config.k8s.yaml`), applied once
 * their CRDs exist: the Parameter Store `ClusterSecretStore` (Secrets Manager has none: each
 * consumer has its own SecretStore; the platform components' are here), the ALB's
 * IngressClass and IngressClassParams (`AlbIngressClass`), Karpenter's node pools, and the Kyverno
 * admission policies for the workload namespaces (images from our ECR only, signed with the tooling
 * account's KMS key outside development, no `:latest`, required labels, each service's secrets
 * its own).
 */
export class ClusterConfigChart extends Chart {
  constructor(scope: Construct, id: string, props: ClusterConfigChartProps) {
    const { config, services = [], platformSecretConsumers = PLATFORM_SECRET_CONSUMERS, ...chartProps } = props;
    super(scope, id, { ...chartProps, labels: { ...platformLabels(config.tags.Application, config.name), ...chartProps.labels } });
    const signed = signedImagesRequired(config.tier);
    const workloads = config.kubernetes.workloadNamespaces;

    // The platform components' own SecretStores (the services' are in their charts).
    for (const consumer of platformSecretConsumers) {
      consumerSecretStore(this, `SecretStore-${consumer.name}`, {
        name: secretStoreName(consumer.name),
        namespace: consumer.namespace,
        roleArn: serviceSecretsRoleArn(config.name, config.account, consumer.name),
        region: config.region,
      });
    }

    model<ClusterSecretStoreV1>(this, 'ParameterStore', {
      apiVersion: EXTERNAL_SECRETS_API_VERSION,
      kind: 'ClusterSecretStore',
      metadata: { name: PARAMETER_STORE_NAME },
      spec: {
        // Deploy-time values the stacks publish under the environment's prefix (lib/config/naming.ts).
        provider: { aws: { service: 'ParameterStore', region: config.region } },
        conditions: [{ namespaces: [...workloads] }],
      },
    });

    // The chaos pod killer (docs/chaos.md): its access entry maps its role to this group, which may
    // read and delete pods in the namespace of the service the experiment targets, nothing else.
    const podDeletion = services.find((s) => s.name === config.chaos.podDeletion.service);
    if (podDeletion) {
      const metadata = { name: POD_KILLER_ROLE_NAME, namespace: serviceNamespace(podDeletion) };
      new k8s.KubeRole(this, 'PodKillerRole', { metadata, rules: POD_KILLER_RULES.map((r) => ({ ...r })) });
      new k8s.KubeRoleBinding(this, 'PodKillerBinding', {
        metadata,
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: POD_KILLER_ROLE_NAME },
        subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: POD_KILLER_KUBERNETES_GROUP }],
      });
    }

    // Karpenter's node pools (same split as the managed node groups), once its CRDs exist.
    new KarpenterNodePools(this, 'NodePools', { config });

    // The environment's ALB: its settings once, in the IngressClass every Ingress names.
    new AlbIngressClass(this, 'AlbIngressClass', { config });

    const registry = ecrRegistryHost(config.region);
    const pods: KyvernoMatch = { any: [{ resources: { kinds: ['Pod'], namespaces: workloads } }] };
    const everyContainer = (value: Record<string, unknown>) => ({
      spec: { '=(ephemeralContainers)': [value], '=(initContainers)': [value], containers: [value] },
    });

    new KyvernoClusterPolicy(this, 'RestrictRegistries', {
      name: 'restrict-image-registries',
      description: `Pods in workload namespaces run images from the platform's ECR registry (${registry}) only.`,
      spec: {
        background: true,
        webhookConfiguration: PATTERN_POLICY_WEBHOOK,
        rules: [
          {
            name: 'platform-ecr-only',
            match: pods,
            validate: {
              failureAction: 'Enforce',
              message: `Images must come from ${registry}; push through the pipeline.`,
              pattern: everyContainer({ image: `${registry}/*` }),
            },
          },
        ],
      },
    });

    new KyvernoClusterPolicy(this, 'DisallowLatest', {
      name: 'disallow-latest-tag',
      description: 'Images name an immutable tag or digest, never latest.',
      spec: {
        background: true,
        webhookConfiguration: PATTERN_POLICY_WEBHOOK,
        rules: [
          {
            name: 'require-tag',
            match: pods,
            validate: {
              failureAction: 'Enforce',
              message: 'An image must name a tag or digest.',
              pattern: everyContainer({ image: '*:*' }),
            },
          },
          {
            name: 'no-latest',
            match: pods,
            validate: {
              failureAction: 'Enforce',
              message: 'The :latest tag is not allowed.',
              pattern: everyContainer({ image: '!*:latest' }),
            },
          },
        ],
      },
    });

    new SecretIsolationPolicy(this, 'IsolateServiceSecrets', {
      environment: config,
      namespaces: workloads,
      services,
      consumers: secretConsumers(services, platformSecretConsumers),
      webhookConfiguration: PATTERN_POLICY_WEBHOOK,
    });

    new KyvernoClusterPolicy(this, 'RequireLabels', {
      name: 'require-workload-labels',
      description: `Workload pods carry ${REQUIRED_POD_LABELS.join(', ')}.`,
      spec: {
        background: true,
        webhookConfiguration: PATTERN_POLICY_WEBHOOK,
        rules: [
          {
            name: 'required-labels',
            match: pods,
            validate: {
              failureAction: 'Enforce',
              message: `Pods must carry the labels ${REQUIRED_POD_LABELS.join(', ')}.`,
              pattern: { metadata: { labels: Object.fromEntries(REQUIRED_POD_LABELS.map((l) => [l, '?*'])) } },
            },
          },
        ],
      },
    });

    if (!signed) return;
    // The pipeline signs every image it pushes with the tooling account's KMS key (cosign); Kyverno
    // reads the public half with its own Pod Identity (ClusterStack.addKyvernoRole). No key in any manifest.
    new KyvernoClusterPolicy(this, 'VerifySignatures', {
      name: 'verify-image-signatures',
      description: `Outside development, images from ${registry} run only with the pipeline's signature.`,
      // Pods only: verifying pod templates would rewrite Deployment images to digests and leave
      // GitOps out of sync; every pod of every controller is still verified when it is created.
      autogenControllers: 'none',
      spec: {
        background: false,
        webhookConfiguration: VERIFY_IMAGES_WEBHOOK,
        rules: [
          {
            name: 'pipeline-signature',
            match: pods,
            verifyImages: [
              {
                imageReferences: [`${registry}/*`],
                failureAction: 'Enforce',
                mutateDigest: true,
                verifyDigest: true,
                required: true,
                imageRegistryCredentials: { providers: ['amazon'] },
                attestors: [
                  {
                    count: 1,
                    entries: [
                      {
                        keys: {
                          kms: imageSigningKey().kmsUri,
                          rekor: { ignoreTlog: true },
                          ctlog: { ignoreSCT: true },
                        },
                      },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
    });
  }
}
