/**
 * External Secrets objects at the API version the pinned operator serves. External Secrets 2.8.0
 * (lib/config/addon-pins.ts) no longer serves external-secrets.io/v1beta1 (its CRDs mark v1beta1
 * `served: false` unless `crds.unsafeServeV1Beta1`: external-secrets/external-secrets@v2.8.0:
 * config/crds/bases/external-secrets.io_externalsecrets.yaml), so every object is `v1`.
 *
 * @kubernetes-models/external-secrets 0.5.2, the last release for Node 20, has no v1 model. At
 * v2.8.0 the v1 schema of ExternalSecret and ClusterSecretStore is the v1beta1 schema plus optional
 * fields and wider enums (nothing removed, nothing newly required; compared field by field in the
 * two CRDs), so the v1beta1 types serve here, and the tests validate v1 documents with the v1beta1
 * schema: a document that passes is valid v1.
 */
import type { IClusterSecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1beta1/ClusterSecretStore';
import type { IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1beta1/ExternalSecret';
import type { ISecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1beta1/SecretStore';

/** The served API version. */
export const EXTERNAL_SECRETS_API_VERSION = 'external-secrets.io/v1';

/** An ExternalSecret (external-secrets.io/v1). */
export type ExternalSecretV1 = Omit<IExternalSecret, 'apiVersion'> & { readonly apiVersion: typeof EXTERNAL_SECRETS_API_VERSION };

/** A ClusterSecretStore (external-secrets.io/v1). */
export type ClusterSecretStoreV1 = Omit<IClusterSecretStore, 'apiVersion'> & { readonly apiVersion: typeof EXTERNAL_SECRETS_API_VERSION };

/** A (namespaced) SecretStore (external-secrets.io/v1). */
export type SecretStoreV1 = Omit<ISecretStore, 'apiVersion'> & { readonly apiVersion: typeof EXTERNAL_SECRETS_API_VERSION };
