/**
 * Chaos experiments (AWS FIS) of an environment, as data, and the names both sides of the cluster
 * boundary use: the Kubernetes user the FIS role is mapped to (the Chaos stack's access entry, the
 * RBAC binding of the manifests) and the service account the pod-delete action runs as. Also the
 * tag that marks what an experiment may target, which the stacks that own the targets put on them.
 * docs/chaos.md.
 *
 * Pure data and functions of config; no imports beyond lib/config.
 */
import { PLATFORM } from './platform';

/** What one environment's experiments do. */
export interface ChaosConfig {
  /** Share of the workloads node group's instances the node-termination experiment terminates (1..50). */
  readonly nodeTerminationPercent: number;
  /** The pod-delete experiment: the catalog service whose pods are deleted, and the share of them (1..100). */
  readonly podDelete: { readonly service: string; readonly percent: number };
  /** The network experiment: the zone whose private subnets lose connectivity, and for how long (1..60 minutes). */
  readonly networkDisruption: { readonly availabilityZone: string; readonly durationMinutes: number };
  /** The stress experiment: share of the workloads nodes (1..100), minutes (1..60), CPU load % and memory % (1..100). */
  readonly nodeStress: {
    readonly instancePercent: number;
    readonly durationMinutes: number;
    readonly cpuLoadPercent: number;
    readonly memoryPercent: number;
  };
  /** Retention of the experiments' log group; a CloudWatch value. */
  readonly logRetentionDays: number;
}

/** The experiment templates every environment gets, by short name. */
export const CHAOS_EXPERIMENTS = ['node-termination', 'pod-delete', 'database-reboot', 'az-network-disruption', 'node-stress'] as const;

/** One of `CHAOS_EXPERIMENTS`. */
export type ChaosExperiment = (typeof CHAOS_EXPERIMENTS)[number];

/** What an experiment may target by tag. */
export type ChaosTarget = 'workloads-nodes' | 'database-primary';

/**
 * The tag an experiment selects its targets by, e.g. `saas-platform:chaos-target=database-primary`:
 * the stack that owns the target puts it on (the Cluster stack on the workloads node group, the
 * Data stack on the primary database, not on its replica), the experiment template names it.
 */
export function chaosTargetTag(target: ChaosTarget): { readonly key: string; readonly value: string } {
  return { key: `${PLATFORM.application}:chaos-target`, value: target };
}

/**
 * The Kubernetes identities of the pod-delete experiment in a namespace. FIS authenticates to the
 * cluster as its experiment role, which the Chaos stack's access entry maps to `user`; the
 * manifests bind `user` (to create the FIS pod) and `serviceAccount` (the FIS pod runs as it and
 * deletes the target pods) to `role` in the namespace (AWS FIS user guide, "Use the AWS FIS
 * aws:eks:pod actions": configure the Kubernetes service account and the RBAC, map the experiment
 * role to a Kubernetes user).
 */
export function fisKubernetesIdentity(namespace: string): {
  readonly user: string;
  readonly serviceAccount: string;
  readonly role: string;
  readonly namespace: string;
} {
  return { user: 'fis-experiment', serviceAccount: 'fis-pod-delete', role: 'fis-pod-delete', namespace };
}

/** Name of the log group of one environment's experiments, e.g. `/saas-platform/prod/chaos`. */
export function chaosLogGroupName(environmentName: string): string {
  return `/${PLATFORM.application}/${environmentName}/chaos`;
}

/** The SSM documents of the stress experiment (AWS-owned, in every region: `arn:aws:ssm:<region>::document/<name>`). */
export const FIS_STRESS_DOCUMENTS = { cpu: 'AWSFIS-Run-CPU-Stress', memory: 'AWSFIS-Run-Memory-Stress' } as const;
