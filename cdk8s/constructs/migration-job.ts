import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MIGRATIONS_DIR_IN_IMAGE } from '../../lib/config/delivery';
import { NODE_POOL_LABEL, NODE_POOLS } from '../../lib/config/naming';
import { PRIORITY_CLASSES, LABELS } from '../conventions';
import { EgressTarget } from '../egress';
import { DNS_EGRESS, RESTRICTED_CONTAINER, RESTRICTED_POD, egressRule } from './microservice';

/** Argo CD's hook annotations (argoproj/argo-cd@v3.4.4:docs/user-guide/sync-waves.md). */
export const HOOK_ANNOTATION = 'argocd.argoproj.io/hook';
export const HOOK_DELETE_POLICY_ANNOTATION = 'argocd.argoproj.io/hook-delete-policy';

/** Requests and limits of a migration pod: a SQL client, not a server. */
export const MIGRATION_RESOURCES = { cpuMillis: 100, memoryMiB: 128, cpuLimitMillis: 500, memoryLimitMiB: 256 } as const;

/** Longest a migration run may take before the Job fails (and with it the sync), in seconds. */
export const MIGRATION_DEADLINE_SECONDS = 900;

/** Props of `MigrationJob`. */
export interface MigrationJobProps {
  /** The service's name; the Job is `<service>-migrations`. */
  readonly serviceName: string;
  /** The service's team (label). */
  readonly team: string;
  /** Namespace of the service. */
  readonly namespace: string;
  /** The service's ServiceAccount: the Job connects as the service's own database user through its Pod Identity role. */
  readonly serviceAccountName: string;
  /** The migrations image: `<registry>/<repo>@sha256:...` once released. */
  readonly image: string;
  /** `app.kubernetes.io/version` of the pod (the release's commit, or the catalog's tag). */
  readonly version: string;
  /** Application slug (label `app.kubernetes.io/part-of`). */
  readonly application: string;
  /** Environment name (label). */
  readonly environmentName: string;
  /** Plain variables: DATABASE_PORT, DATABASE_NAME, DATABASE_USER, AWS_REGION (the service's own values). */
  readonly variables: Readonly<Record<string, string>>;
  /** The Secret of deploy-time values (DATABASE_HOST), the service's own. */
  readonly runtimeSecretName: string;
  /** Where the pod may connect: the Pod Identity agent and the RDS Proxy. */
  readonly egress: readonly EgressTarget[];
  /** The service's priority. */
  readonly priority: keyof typeof PRIORITY_CLASSES;
  /** Where the Job's NetworkPolicy goes: with the service's settings, synced before its Application (see `MicroserviceProps.settingsScope`). */
  readonly settingsScope: Construct;
}

/**
 * A service's database migrations as an Argo CD `PreSync` hook: before every sync of the service's
 * Application (so before its new pods exist), a Job runs the service's migrations image
 * (`bin/migrate.ts`: SQL files in order, once, one transaction, advisory lock) as the service's own
 * database user, with its ServiceAccount (Pod Identity role with `rds-db:connect` for that user
 * only) and its settings. A failing migration fails the Job, the Job fails the sync: the new
 * version never starts, and the release's health gate reverts the GitOps commit.
 *
 * Pod defaults are the platform's (Pod Security "restricted", read-only root filesystem, requests
 * and limits, the workloads pool); the pod has its own NetworkPolicy (DNS, the agent, the proxy),
 * synced with the service's settings before the Application, and its own name label, so the service's Service never routes traffic to it. The previous Job is
 * deleted when the next sync creates a new one (`BeforeHookCreation`), so its logs stay readable
 * until then.
 */
export class MigrationJob extends Construct {
  /** Name of the Job and of its pods' `app.kubernetes.io/name`. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: MigrationJobProps) {
    super(scope, id);
    this.name = `${props.serviceName}-migrations`;
    const selector = { [LABELS.name]: this.name };
    const meta = (annotations?: Record<string, string>) => ({
      name: this.name,
      namespace: props.namespace,
      labels: { ...selector, [LABELS.team]: props.team },
      ...(annotations ? { annotations } : {}),
    });
    const q = (value: string) => k8s.Quantity.fromString(value);
    const r = MIGRATION_RESOURCES;
    new k8s.KubeJob(this, 'Job', {
      metadata: meta({ [HOOK_ANNOTATION]: 'PreSync', [HOOK_DELETE_POLICY_ANNOTATION]: 'BeforeHookCreation' }),
      spec: {
        // The runner is idempotent; one retry covers a pod lost with its node.
        backoffLimit: 1,
        activeDeadlineSeconds: MIGRATION_DEADLINE_SECONDS,
        template: {
          metadata: {
            labels: {
              ...selector,
              [LABELS.version]: props.version,
              [LABELS.partOf]: props.application,
              [LABELS.environment]: props.environmentName,
              [LABELS.team]: props.team,
            },
          },
          spec: {
            restartPolicy: 'Never',
            serviceAccountName: props.serviceAccountName,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            priorityClassName: PRIORITY_CLASSES[props.priority].name,
            nodeSelector: { [NODE_POOL_LABEL]: NODE_POOLS.workloads },
            securityContext: RESTRICTED_POD,
            containers: [
              {
                name: 'migrations',
                image: props.image,
                imagePullPolicy: 'IfNotPresent',
                env: Object.entries({ ...props.variables, MIGRATIONS_DIR: MIGRATIONS_DIR_IN_IMAGE })
                  .sort(([a], [b]) => a.localeCompare(b))
                  .map(([name, value]) => ({ name, value })),
                envFrom: [{ secretRef: { name: props.runtimeSecretName } }],
                resources: {
                  requests: { cpu: q(`${r.cpuMillis}m`), memory: q(`${r.memoryMiB}Mi`) },
                  limits: { cpu: q(`${r.cpuLimitMillis}m`), memory: q(`${r.memoryLimitMiB}Mi`) },
                },
                securityContext: RESTRICTED_CONTAINER,
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: q('16Mi') } }],
          },
        },
      },
    });
    // Before the first sync of the service too: the default-deny policy of the namespace would cut the Job off.
    new k8s.KubeNetworkPolicy(props.settingsScope, 'MigrationsNetworkPolicy', {
      metadata: meta(),
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [],
        egress: [DNS_EGRESS, ...props.egress.map(egressRule)],
      },
    });
  }
}
