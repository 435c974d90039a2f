import type { IClusterSecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1beta1/ClusterSecretStore';
import type { IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1beta1/ExternalSecret';
import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { IMAGE_SIGNING_PUBLIC_KEY_SECRET, ecrRegistryHost, secretsManagerName } from '../../lib/config/naming';
import { EnvironmentConfig, EnvironmentTier } from '../../lib/config/types';
import { REQUIRED_POD_LABELS, SECRET_STORE_NAME, platformLabels } from '../conventions';
import { AlbIngressClass } from '../constructs/alb-ingress-class';
import { KyvernoClusterPolicy, KyvernoMatch } from '../constructs/kyverno';
import { model } from '../constructs/model-object';

/** Tiers whose clusters admit only images signed by the pipeline. */
export const SIGNED_IMAGE_TIERS: readonly EnvironmentTier[] = ['staging', 'production'];

/** Namespace of the policy engine, where the signing public key is kept. */
export const KYVERNO_NAMESPACE = 'kyverno';

/** Props of `ClusterConfigChart`. */
export interface ClusterConfigChartProps extends ChartProps {
  /** The environment the manifests are for. */
  readonly config: EnvironmentConfig;
}

/**
 * Cluster-wide configuration of the add-ons (`dist/<env>/cluster-config.k8s.yaml`), applied once
 * their CRDs exist: the Secrets Manager `ClusterSecretStore`, the ALB's IngressClass and
 * IngressClassParams (`AlbIngressClass`), and the Kyverno admission policies
 * for the workload namespaces (images from our ECR only, signed outside development, no `:latest`,
 * required labels).
 */
export class ClusterConfigChart extends Chart {
  constructor(scope: Construct, id: string, props: ClusterConfigChartProps) {
    const { config, ...chartProps } = props;
    super(scope, id, { ...chartProps, labels: { ...platformLabels(config.tags.Application, config.name), ...chartProps.labels } });
    const signed = SIGNED_IMAGE_TIERS.includes(config.tier);
    const workloads = config.kubernetes.workloadNamespaces;

    model<IClusterSecretStore>(this, 'SecretStore', {
      apiVersion: 'external-secrets.io/v1beta1',
      kind: 'ClusterSecretStore',
      metadata: { name: SECRET_STORE_NAME },
      spec: {
        provider: { aws: { service: 'SecretsManager', region: config.region } },
        // Only the workload namespaces (and the policy engine, for the signing key) may read through it.
        conditions: [{ namespaces: [...workloads, ...(signed ? [KYVERNO_NAMESPACE] : [])] }],
      },
    });

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

    new KyvernoClusterPolicy(this, 'RequireLabels', {
      name: 'require-workload-labels',
      description: `Workload pods carry ${REQUIRED_POD_LABELS.join(', ')}.`,
      spec: {
        background: true,
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
    // The pipeline signs every image (cosign) and publishes the public key to this secret; no key in the manifest.
    model<IExternalSecret>(this, 'SigningKey', {
      apiVersion: 'external-secrets.io/v1beta1',
      kind: 'ExternalSecret',
      metadata: { name: IMAGE_SIGNING_PUBLIC_KEY_SECRET, namespace: KYVERNO_NAMESPACE },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { kind: 'ClusterSecretStore', name: SECRET_STORE_NAME },
        target: { name: IMAGE_SIGNING_PUBLIC_KEY_SECRET, creationPolicy: 'Owner' },
        data: [{ secretKey: 'cosign.pub', remoteRef: { key: secretsManagerName(config.name, IMAGE_SIGNING_PUBLIC_KEY_SECRET) } }],
      },
    });
    new KyvernoClusterPolicy(this, 'VerifySignatures', {
      name: 'verify-image-signatures',
      description: `Outside development, images from ${registry} run only with the pipeline's signature.`,
      spec: {
        background: false,
        webhookTimeoutSeconds: 30,
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
                attestors: [
                  {
                    count: 1,
                    entries: [
                      {
                        keys: {
                          secret: { name: IMAGE_SIGNING_PUBLIC_KEY_SECRET, namespace: KYVERNO_NAMESPACE },
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
