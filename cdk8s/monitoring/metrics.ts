/**
 * The metric families something in the platform emits, with where each comes from. Every PromQL
 * expression the platform writes (alerting and recording rules, rollout analyses, dashboards) may
 * read only these, or a series one of its own recording rules writes: the tests parse every
 * expression with Prometheus's grammar and check each metric name against this list, so a typo or
 * a metric nothing exports fails the build instead of leaving an alert that can never fire.
 */
import { HTTP_SERVER_DURATION_METRIC } from '../constructs/slo-analysis';

/** A source of metrics and the families of it the platform reads. */
export interface MetricSource {
  /** What emits them and how they reach Prometheus. */
  readonly source: string;
  readonly families: readonly string[];
}

/** The sources, each with the families the rules, analyses and dashboards read. */
export const EMITTED_METRICS: readonly MetricSource[] = [
  {
    source:
      'every service: the OpenTelemetry HTTP server duration histogram `http.server.request.duration` (seconds), exported on /metrics and scraped through its PodMonitor (the contract of cdk8s/constructs/slo-analysis.ts)',
    families: [`${HTTP_SERVER_DURATION_METRIC}_bucket`, `${HTTP_SERVER_DURATION_METRIC}_count`],
  },
  {
    source:
      'services with `database: true`: the OpenTelemetry database client connection-pool metrics (`db.client.connection.count` with `db.client.connection.state` used/idle, `.max`, `.pending_requests`, `.wait_time` in seconds), through the same PodMonitor',
    families: [
      'db_client_connection_count',
      'db_client_connection_max',
      'db_client_connection_pending_requests',
      'db_client_connection_wait_time_seconds_bucket',
    ],
  },
  { source: 'Prometheus itself, one series per scrape target', families: ['up'] },
  {
    source: 'kube-state-metrics 2.19.1 (kube-prometheus-stack dependency, its ServiceMonitor)',
    families: [
      'kube_pod_container_resource_limits',
      'kube_pod_container_resource_requests',
      'kube_pod_container_status_restarts_total',
      'kube_pod_container_status_last_terminated_reason',
      'kube_node_status_condition',
      'kube_node_status_allocatable',
    ],
  },
  {
    source: 'the kubelet cAdvisor endpoint /metrics/cadvisor (kube-prometheus-stack kubelet ServiceMonitor)',
    families: [
      'container_memory_working_set_bytes',
      'container_cpu_usage_seconds_total',
      'container_cpu_cfs_throttled_periods_total',
      'container_cpu_cfs_periods_total',
    ],
  },
  {
    source: 'node-exporter 1.12.1 (its own add-on and namespace, its ServiceMonitor)',
    families: [
      'node_cpu_seconds_total',
      'node_load1',
      'node_memory_MemAvailable_bytes',
      'node_memory_MemTotal_bytes',
      'node_vmstat_pgmajfault',
      'node_filesystem_avail_bytes',
      'node_filesystem_size_bytes',
      'node_disk_io_time_seconds_total',
      'node_network_receive_bytes_total',
      'node_network_transmit_bytes_total',
      'node_network_receive_errs_total',
      'node_network_transmit_errs_total',
    ],
  },
  {
    source: 'Alertmanager v0.33.1 (its PodMonitor in the monitoring chart)',
    families: ['alertmanager_notifications_failed_total'],
  },
  {
    source: 'Prometheus v3.13.1 itself (its PodMonitor in the monitoring chart)',
    families: ['prometheus_rule_evaluation_failures_total', 'prometheus_notifications_dropped_total'],
  },
];

/** Every family name, with its source. */
export function emittedFamilies(sources: readonly MetricSource[] = EMITTED_METRICS): Map<string, string> {
  return new Map(sources.flatMap((s) => s.families.map((f) => [f, s.source] as const)));
}
