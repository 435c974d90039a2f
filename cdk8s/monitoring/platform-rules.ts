/**
 * The platform-wide alerting rules (every namespace, every node): containers near their memory
 * limit or killed for memory, CPU throttling, restart spikes, nodes short of CPU, memory or disk,
 * scrape targets down, and the monitoring stack itself failing (rules not evaluated, notifications
 * not delivered). Thresholds are named constants; the docs quote them.
 */
import { Rule, RuleGroup, alert } from './rules';

/** Thresholds of the platform rules. */
export const PLATFORM_THRESHOLDS = {
  /** Working set over the memory limit that warns (15 min) and pages (5 min): the postmortem's "memory ran out and nobody was told". */
  memoryWarningRatio: 0.8,
  memoryCriticalRatio: 0.9,
  /** Share of CFS periods throttled (15 min). */
  cpuThrottledRatio: 0.25,
  /** Restarts of one container within 15 minutes. */
  restartsIn15m: 3,
  /** Node CPU busy (10 min), the AWS side's node alarm at the same level. */
  nodeCpuRatio: 0.9,
  /** Node memory in use (10 min). */
  nodeMemoryRatio: 0.9,
  /** Free space of a node filesystem (10 min). */
  nodeFilesystemFreeRatio: 0.1,
} as const;

/** Workload containers only: cAdvisor also reports the pod's sandbox and cgroup totals, without a container name. */
const CONTAINERS = 'container!="",container!="POD"';
const BY_CONTAINER = 'by (namespace, pod, container)';

/** Working set over the limit, per container (containers without a memory limit have no ratio). */
const MEMORY_RATIO =
  `max ${BY_CONTAINER} (container_memory_working_set_bytes{${CONTAINERS}})` +
  ` / max ${BY_CONTAINER} (kube_pod_container_resource_limits{resource="memory"})`;

/** The platform rule groups. */
export function platformRules(): RuleGroup[] {
  const t = PLATFORM_THRESHOLDS;
  const containers: Rule[] = [
    alert('ContainerMemoryNearLimit', {
      expr: `${MEMORY_RATIO} > ${t.memoryWarningRatio}`,
      for: '15m',
      severity: 'warning',
      summary: 'A container uses more than 80% of its memory limit',
      description:
        '{{ $labels.namespace }}/{{ $labels.pod }} container {{ $labels.container }} has used over 80% of its memory limit for 15 minutes; it will be OOM-killed when it reaches the limit.',
      runbook: 'memory-near-limit',
    }),
    alert('ContainerMemoryNearLimit', {
      expr: `${MEMORY_RATIO} > ${t.memoryCriticalRatio}`,
      for: '5m',
      severity: 'critical',
      summary: 'A container is about to be OOM-killed',
      description:
        '{{ $labels.namespace }}/{{ $labels.pod }} container {{ $labels.container }} has used over 90% of its memory limit for 5 minutes.',
      runbook: 'memory-near-limit',
    }),
    alert('ContainerOomKilled', {
      expr:
        `(kube_pod_container_status_last_terminated_reason{reason="OOMKilled"} == 1)` +
        ` and on (namespace, pod, container) (increase(kube_pod_container_status_restarts_total[15m]) > 0)`,
      severity: 'critical',
      summary: 'A container was killed for running out of memory',
      description:
        '{{ $labels.namespace }}/{{ $labels.pod }} container {{ $labels.container }} restarted after an OOM kill in the last 15 minutes.',
      runbook: 'memory-near-limit',
    }),
    alert('ContainerCpuThrottled', {
      expr:
        `sum ${BY_CONTAINER} (rate(container_cpu_cfs_throttled_periods_total{${CONTAINERS}}[5m]))` +
        ` / sum ${BY_CONTAINER} (rate(container_cpu_cfs_periods_total{${CONTAINERS}}[5m])) > ${t.cpuThrottledRatio}`,
      for: '15m',
      severity: 'warning',
      summary: 'A container is CPU-throttled',
      description:
        '{{ $labels.namespace }}/{{ $labels.pod }} container {{ $labels.container }} was throttled in over 25% of its CPU periods for 15 minutes: its CPU limit is too low for its load (latency rises).',
      runbook: 'cpu-saturation',
    }),
    alert('ContainerRestartSpike', {
      expr: `increase(kube_pod_container_status_restarts_total[15m]) > ${t.restartsIn15m}`,
      severity: 'warning',
      summary: 'A container keeps restarting',
      description: '{{ $labels.namespace }}/{{ $labels.pod }} container {{ $labels.container }} restarted more than 3 times in 15 minutes.',
      runbook: 'restart-spike',
    }),
  ];
  const nodes: Rule[] = [
    alert('NodeCpuSaturated', {
      expr: `1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) > ${t.nodeCpuRatio}`,
      for: '10m',
      severity: 'warning',
      summary: 'A node is over 90% CPU busy',
      description: 'Node {{ $labels.instance }} has been over 90% busy for 10 minutes.',
      runbook: 'node-saturation',
    }),
    alert('NodeMemorySaturated', {
      expr: `1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes > ${t.nodeMemoryRatio}`,
      for: '10m',
      severity: 'warning',
      summary: 'A node has less than 10% memory available',
      description:
        'Node {{ $labels.instance }} has had under 10% of its memory available for 10 minutes; the kubelet will start evicting pods.',
      runbook: 'node-saturation',
    }),
    alert('NodeFilesystemAlmostFull', {
      expr: `node_filesystem_avail_bytes{fstype!~"tmpfs|overlay"} / node_filesystem_size_bytes{fstype!~"tmpfs|overlay"} < ${t.nodeFilesystemFreeRatio}`,
      for: '10m',
      severity: 'warning',
      summary: 'A node filesystem has less than 10% free space',
      description: 'Filesystem {{ $labels.mountpoint }} of node {{ $labels.instance }} has under 10% free space.',
      runbook: 'node-saturation',
    }),
    alert('NodeNotReady', {
      expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0',
      for: '5m',
      severity: 'warning',
      summary: 'A node is not Ready',
      description: 'Node {{ $labels.node }} has not been Ready for 5 minutes.',
      runbook: 'node-saturation',
    }),
  ];
  const monitoring: Rule[] = [
    alert('ScrapeTargetDown', {
      expr: 'up == 0',
      for: '10m',
      severity: 'warning',
      summary: 'Prometheus cannot scrape a target',
      description:
        'Target {{ $labels.instance }} of job {{ $labels.job }} has been down for 10 minutes: its alerts and the rollout analyses are blind.',
      runbook: 'scrape-target-down',
    }),
    alert('AlertmanagerNotificationsFailing', {
      expr: 'sum by (integration) (rate(alertmanager_notifications_failed_total[5m])) > 0',
      for: '10m',
      severity: 'critical',
      summary: 'Alertmanager cannot deliver notifications',
      description:
        'Notifications to {{ $labels.integration }} have been failing for 10 minutes (Alertmanager cannot publish to SNS: its Pod Identity role, the topic key, the network to SNS?). The AWS side alarms are unaffected.',
      runbook: 'notifications-failing',
    }),
    alert('PrometheusRuleEvaluationFailures', {
      expr: 'increase(prometheus_rule_evaluation_failures_total[10m]) > 0',
      severity: 'critical',
      summary: 'Prometheus fails to evaluate rules',
      description: 'Rule group {{ $labels.rule_group }} failed to evaluate in the last 10 minutes: some alerts cannot fire.',
      runbook: 'rule-evaluation-failures',
    }),
    alert('PrometheusNotificationsDropped', {
      expr: 'increase(prometheus_notifications_dropped_total[10m]) > 0',
      severity: 'critical',
      summary: 'Prometheus drops alerts on the way to Alertmanager',
      description: 'Prometheus dropped alert notifications in the last 10 minutes (Alertmanager unreachable?).',
      runbook: 'notifications-failing',
    }),
  ];
  return [
    { name: 'platform.containers', rules: containers },
    { name: 'platform.nodes', rules: nodes },
    { name: 'platform.monitoring', rules: monitoring },
  ];
}
