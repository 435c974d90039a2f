import { Construct } from 'constructs';
import { secretStoreName, serviceSecretsRoleArn } from '../../lib/config/access-names';
import { serviceNamespace } from '../../lib/config/naming';
import { SecretConsumer } from '../../lib/config/secret-consumers';
import { LABELS, PARAMETER_STORE_NAME, SERVICE_SECRET_SUFFIXES } from '../conventions';
import { KyvernoClusterPolicy, KyvernoCondition, KyvernoWebhookConfiguration } from './kyverno';

/** Props of `SecretIsolationPolicy`. */
export interface SecretIsolationPolicyProps {
  /** The environment (its account names the secrets roles). */
  readonly environment: { readonly name: string; readonly account: string };
  /** The workload namespaces the policy gates. */
  readonly namespaces: readonly string[];
  /** The services of the environment. */
  readonly services: readonly { readonly name: string; readonly namespace?: string }[];
  /** Who reads which secret (`secretConsumers`). */
  readonly consumers: readonly SecretConsumer[];
  /** How the API server calls Kyverno. */
  readonly webhookConfiguration: KyvernoWebhookConfiguration;
}

/** The admission request's object, in a Kyverno variable. */
const obj = (path: string): string => `request.object.${path}`;
/** The service a resource belongs to: its name label (required on every workload object). */
const NAME_LABEL = `${obj('metadata.labels')}."${LABELS.name}"`;
/** A Kyverno variable; `fallback` (a JMESPath literal) stands in when the path is absent. */
const v = (expression: string, fallback = "''"): string => `{{ ${expression} || ${fallback} }}`;

/**
 * Where a pod can name a Secret: environment variables, `envFrom`, volumes (plain and projected), in
 * every container kind.
 */
export const POD_SECRET_REFERENCES: readonly string[] = [
  ...['containers', 'initContainers', 'ephemeralContainers'].flatMap((kind) => [
    `spec.${kind}[].envFrom[].secretRef.name`,
    `spec.${kind}[].env[].valueFrom.secretKeyRef.name`,
  ]),
  'spec.volumes[].secret.secretName',
  'spec.volumes[].projected.sources[].secret.name',
];

/**
 * A service reads its own secrets and nobody else's, in the cluster as in AWS
 * (`isolate-service-secrets`, Kyverno, workload namespaces):
 *
 * - a SecretStore is one consumer's, with that consumer's secrets role (so no store can borrow
 *   another consumer's role: External Secrets may assume every consumer's role);
 * - an ExternalSecret names its service's own store (or the Parameter Store store for deploy-time
 *   values), writes only its service's Secrets, and overrides no store per item;
 * - a pod names only the two Secrets of the service its service account is (its identity: the
 *   Pod Identity role and database user go by service account too), whatever its labels.
 *
 * The allowed stores, roles and targets are listed from config (the same functions the stacks and
 * the service charts use); the pod rule compares with the pod's own service account.
 */
export class SecretIsolationPolicy extends KyvernoClusterPolicy {
  constructor(scope: Construct, id: string, props: SecretIsolationPolicyProps) {
    const { environment, namespaces, services, consumers } = props;
    const inWorkloads = (ns: string) => namespaces.includes(ns);
    const storeOf = (c: SecretConsumer) =>
      `${c.namespace}|${secretStoreName(c.name)}|${serviceSecretsRoleArn(environment.name, environment.account, c.name)}`;
    const stores = consumers.filter((c) => inWorkloads(c.namespace)).map(storeOf);
    const serviceConsumers = consumers.filter((c) => c.service && inWorkloads(c.namespace));
    const workloadServices = services.filter((s) => inWorkloads(serviceNamespace(s)));
    const storeRefs = [
      ...serviceConsumers.map((c) => `${c.namespace}|${c.name}|SecretStore|${secretStoreName(c.name)}`),
      ...workloadServices.map((s) => `${serviceNamespace(s)}|${s.name}|ClusterSecretStore|${PARAMETER_STORE_NAME}`),
    ];
    const targets = [
      ...serviceConsumers.map((c) => `${c.namespace}|${c.name}|${c.name}${SERVICE_SECRET_SUFFIXES.secrets}`),
      ...workloadServices.map((s) => `${serviceNamespace(s)}|${s.name}|${s.name}${SERVICE_SECRET_SUFFIXES.runtime}`),
    ];
    const match = (kind: string) => ({ any: [{ resources: { kinds: [kind], namespaces: [...namespaces] } }] });
    const ns = v(obj('metadata.namespace'));
    // A pod's identity is its service account (its Pod Identity role, its database user): the
    // Secrets it may use are that service's (`serviceAccountName(service)` is the service's name).
    const serviceAccount = v(obj('spec.serviceAccountName'), "'default'");
    const ownSecrets = [SERVICE_SECRET_SUFFIXES.secrets, SERVICE_SECRET_SUFFIXES.runtime].map((suffix) => `${serviceAccount}${suffix}`);
    const podConditions: KyvernoCondition[] = POD_SECRET_REFERENCES.map((path) => ({
      key: v(obj(path), '`[]`'),
      operator: 'AnyNotIn' as const,
      value: ownSecrets,
      message: `${path} names a Secret of another service account`,
    }));
    super(scope, id, {
      name: 'isolate-service-secrets',
      description: "A service's ExternalSecrets read through its own SecretStore only, and a pod uses its own service's Secrets only.",
      // Pod rules also check the pod templates of Deployments (Kyverno's autogen), so a bad template fails at apply time.
      spec: {
        background: true,
        webhookConfiguration: props.webhookConfiguration,
        rules: [
          {
            name: 'secret-store-of-its-consumer',
            match: match('SecretStore'),
            validate: {
              failureAction: 'Enforce',
              message: "A SecretStore in a workload namespace belongs to one service and reads with that service's secrets role.",
              deny: {
                conditions: {
                  any: [
                    {
                      key: `${ns}|${v(obj('metadata.name'))}|${v(obj('spec.provider.aws.role'))}`,
                      operator: 'AnyNotIn',
                      value: stores.length > 0 ? stores : ['(none)'],
                    },
                  ],
                },
              },
            },
          },
          {
            name: 'external-secret-of-its-service',
            match: match('ExternalSecret'),
            validate: {
              failureAction: 'Enforce',
              message: "An ExternalSecret reads through its service's own SecretStore and writes its service's Secrets only.",
              deny: {
                conditions: {
                  any: [
                    {
                      key: `${ns}|${v(NAME_LABEL)}|${v(obj('spec.secretStoreRef.kind'), "'SecretStore'")}|${v(obj('spec.secretStoreRef.name'))}`,
                      operator: 'AnyNotIn',
                      value: storeRefs,
                      message: "the store is not the service's own",
                    },
                    {
                      key: `${ns}|${v(NAME_LABEL)}|${v(obj('spec.target.name'), obj('metadata.name'))}`,
                      operator: 'AnyNotIn',
                      value: targets,
                      message: "the target is not one of the service's Secrets",
                    },
                    ...['data', 'dataFrom'].map((list) => ({
                      key: v(obj(`spec.${list}[].sourceRef.storeRef.name`), '`[]`'),
                      operator: 'AnyNotIn' as const,
                      value: [] as string[],
                      message: `spec.${list}[].sourceRef overrides the store`,
                    })),
                  ],
                },
              },
            },
          },
          {
            name: 'pod-uses-its-own-secrets',
            match: match('Pod'),
            validate: {
              failureAction: 'Enforce',
              message: "A pod uses only the Secrets of its own service account's service.",
              deny: { conditions: { any: podConditions } },
            },
          },
        ],
      },
    });
  }
}
