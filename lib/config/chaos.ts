/**
 * Chaos experiments (AWS FIS) of an environment, as data, and the tag that marks what an experiment
 * may target, which the stacks that own the targets put on them (docs/chaos.md).
 *
 * Pure data and functions of config; no imports beyond lib/config.
 */
import { PLATFORM } from './platform';

/** What one environment's experiments do. */
export interface ChaosConfig {
  /** Share of the workloads node group's instances the node-termination experiment terminates (1..50). */
  readonly nodeTerminationPercent: number;
  /** The network experiment: the zone whose private subnets lose connectivity, and for how long (1..60 minutes). */
  readonly networkDisruption: { readonly availabilityZone: string; readonly durationMinutes: number };
  /** The stress experiment: share of the workloads nodes (1..100), minutes (1..60), CPU load % and memory % (1..100). */
  readonly nodeStress: {
    readonly instancePercent: number;
    readonly durationMinutes: number;
    readonly cpuLoadPercent: number;
    readonly memoryPercent: number;
  };
  /**
   * The pod-deletion experiment: the catalog service whose pods it deletes, the share in percent
   * (1..100; ceil(share × pods), never all of them) and how long FIS waits for it (1..60 minutes).
   */
  readonly podDeletion: { readonly service: string; readonly sharePercent: number; readonly maxDurationMinutes: number };
  /** Retention of the experiments' log group; a CloudWatch value. */
  readonly logRetentionDays: number;
}

/** The experiment templates every environment gets, by short name. */
export const CHAOS_EXPERIMENTS = ['node-termination', 'database-reboot', 'az-network-disruption', 'node-stress', 'pod-deletion'] as const;

/** One of `CHAOS_EXPERIMENTS`. */
export type ChaosExperiment = (typeof CHAOS_EXPERIMENTS)[number];

/** What an experiment may target by tag. */
export type ChaosTarget = 'workloads-nodes' | 'database-primary';

/**
 * The tag an experiment selects its targets by, e.g. `saas-platform:chaos-target=database-primary`:
 * the stack that owns the target puts it on (the Cluster stack on the workloads node group and its launch template (so its instances), the
 * Data stack on the primary database, not on its replica), the experiment template names it.
 */
export function chaosTargetTag(target: ChaosTarget): { readonly key: string; readonly value: string } {
  return { key: `${PLATFORM.application}:chaos-target`, value: target };
}

/** Name of the log group of one environment's experiments, e.g. `/saas-platform/prod/chaos`. */
export function chaosLogGroupName(environmentName: string): string {
  return `/${PLATFORM.application}/${environmentName}/chaos`;
}

/** The SSM documents of the stress experiment (AWS-owned, in every region: `arn:aws:ssm:<region>::document/<name>`). */
export const FIS_STRESS_DOCUMENTS = { cpu: 'AWSFIS-Run-CPU-Stress', memory: 'AWSFIS-Run-Memory-Stress' } as const;
