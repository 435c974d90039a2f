/**
 * Who reads which secret of Secrets Manager in the cluster. A consumer (a service of the catalog, or
 * a platform component such as the alert router) has its own secrets role (`serviceSecretsRoleName`),
 * which may read exactly the consumer's secrets, and its own namespaced SecretStore
 * (`secretStoreName`) through that role; External Secrets' own role may read no secret, only assume
 * the consumers' roles. The secrets' resource policies admit their consumers' roles and nobody else
 * (docs/security/iam-policies.md, "Secret isolation").
 *
 * Pure data and functions of config; no imports beyond lib/config.
 */
import { serviceNamespace } from './naming';

/** One reader of secrets in the cluster. */
export interface SecretConsumer {
  /** Name (a service's name, or a platform component's), unique among consumers; names its role and SecretStore. */
  readonly name: string;
  /** Namespace of its SecretStore and ExternalSecrets. */
  readonly namespace: string;
  /** Catalog keys of the secrets it reads (Secrets Manager names `secretsManagerName(env, key)`). */
  readonly secrets: readonly string[];
  /** A catalog service (its ExternalSecrets are checked by the admission policy of the workload namespaces). */
  readonly service: boolean;
}

/**
 * Platform components that read secrets of `SECRETS` (outside the service catalog), e.g.
 * `{ name: 'report-exporter', namespace: 'reporting', secrets: ['reporting-api-key'], service: false }` (none today:
 * Alertmanager publishes to SNS with its own role and reads no secret).
 * Their ExternalSecrets name `secretStoreName(name)`.
 */
export const PLATFORM_SECRET_CONSUMERS: readonly SecretConsumer[] = [];

/** The consumers of an environment: every service that reads a secret, then the platform components. */
export function secretConsumers(
  services: readonly { readonly name: string; readonly namespace?: string; readonly secrets?: readonly string[] }[],
  platform: readonly SecretConsumer[] = PLATFORM_SECRET_CONSUMERS,
): SecretConsumer[] {
  const fromServices = services
    .filter((s) => (s.secrets ?? []).length > 0)
    .map((s) => ({ name: s.name, namespace: serviceNamespace(s), secrets: [...(s.secrets ?? [])], service: true }));
  return [...fromServices, ...platform];
}

/** The consumers of one secret. */
export function consumersOf(secret: string, consumers: readonly SecretConsumer[]): SecretConsumer[] {
  return consumers.filter((c) => c.secrets.includes(secret));
}
