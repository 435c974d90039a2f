import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { EXTERNAL_SECRETS_API_VERSION, SecretStoreV1 } from './external-secrets';
import { model } from './model-object';

/** Props of `consumerSecretStore`. */
export interface ConsumerSecretStoreProps {
  /** Store name (`secretStoreName(consumer)`). */
  readonly name: string;
  /** Namespace of the consumer. */
  readonly namespace: string;
  /** The consumer's secrets role (`serviceSecretsRoleArn`): External Secrets assumes it for every read through this store. */
  readonly roleArn: string;
  /** Region of Secrets Manager (pods cannot read it from instance metadata). */
  readonly region: string;
  /** Labels of the store. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * One consumer's own SecretStore: Secrets Manager, read with the consumer's secrets role (which may
 * read that consumer's secrets and nothing else). A namespaced store, so only ExternalSecrets of its
 * namespace can name it, and the admission policy `isolate-service-secrets` lets only the
 * consumer's own ExternalSecrets do so.
 */
export function consumerSecretStore(scope: Construct, id: string, props: ConsumerSecretStoreProps): ApiObject {
  return model<SecretStoreV1>(scope, id, {
    apiVersion: EXTERNAL_SECRETS_API_VERSION,
    kind: 'SecretStore',
    metadata: { name: props.name, namespace: props.namespace, ...(props.labels ? { labels: { ...props.labels } } : {}) },
    spec: { provider: { aws: { service: 'SecretsManager', region: props.region, role: props.roleArn } } },
  });
}
