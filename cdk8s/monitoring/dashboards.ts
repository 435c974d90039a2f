/**
 * Grafana dashboards as code: RED per service (rate, errors, duration against the objective),
 * USE per node (utilization, saturation, errors of CPU, memory, disk, network) and the database
 * connection pools. Each is a plain Grafana dashboard JSON model; the monitoring chart ships them
 * as ConfigMaps that Grafana's dashboard sidecar loads (read-only: a change is a commit).
 */
import { ServiceSpec } from '../../lib/config/service-catalog';
import { HTTP_SERVER_DURATION_METRIC, SERVER_ERROR_MATCHER } from '../constructs/slo-analysis';
import { GRAFANA_DATASOURCE_UID } from './grafana';
import { SERVICE_LABEL } from './rules';

/** One panel's query. */
interface Target {
  readonly expr: string;
  readonly legendFormat: string;
}

/** A Grafana dashboard JSON model (the fields we set). */
export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly tags: readonly string[];
  readonly [key: string]: unknown;
}

const datasource = { type: 'prometheus', uid: GRAFANA_DATASOURCE_UID };

function panel(id: number, title: string, targets: readonly Target[], unit: string, extra: Record<string, unknown> = {}) {
  const width = 12;
  return {
    id,
    type: 'timeseries',
    title,
    datasource,
    gridPos: { x: ((id - 1) % 2) * width, y: Math.floor((id - 1) / 2) * 8, w: width, h: 8 },
    fieldConfig: { defaults: { unit, ...extra }, overrides: [] },
    targets: targets.map((t, i) => ({ refId: String.fromCharCode(65 + i), datasource, expr: t.expr, legendFormat: t.legendFormat })),
  };
}

function dashboard(uid: string, title: string, panels: unknown[], templating: unknown[] = []): Dashboard {
  return {
    uid,
    title,
    tags: ['platform', 'generated'],
    editable: false,
    schemaVersion: 39,
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    timezone: 'utc',
    templating: { list: templating },
    panels,
  };
}

/** RED of one service at a time (a `service` variable over the catalog's services). */
export function redDashboard(services: readonly ServiceSpec[]): Dashboard {
  const sel = `${SERVICE_LABEL}="$service"`;
  const by = `sum by (${SERVICE_LABEL})`;
  const quantile = (q: number) =>
    `histogram_quantile(${q}, sum by (le, ${SERVICE_LABEL}) (rate(${HTTP_SERVER_DURATION_METRIC}_bucket{${sel}}[5m])))`;
  const names = services.map((s) => s.name);
  return dashboard(
    'platform-red',
    'Services: rate, errors, duration',
    [
      panel(
        1,
        'Rate: requests per second by status',
        [
          {
            expr: `sum by (http_response_status_code) (rate(${HTTP_SERVER_DURATION_METRIC}_count{${sel}}[5m]))`,
            legendFormat: '{{http_response_status_code}}',
          },
        ],
        'reqps',
      ),
      panel(
        2,
        'Errors: share of 5xx (the SLI)',
        [
          {
            expr: `${by} (rate(${HTTP_SERVER_DURATION_METRIC}_count{${sel},${SERVER_ERROR_MATCHER}}[5m])) / ${by} (rate(${HTTP_SERVER_DURATION_METRIC}_count{${sel}}[5m]))`,
            legendFormat: '5xx ratio',
          },
        ],
        'percentunit',
      ),
      panel(
        3,
        'Duration: p50, p95, p99',
        [
          { expr: quantile(0.5), legendFormat: 'p50' },
          { expr: quantile(0.95), legendFormat: 'p95' },
          { expr: quantile(0.99), legendFormat: 'p99' },
        ],
        's',
      ),
      panel(4, 'Pods scraped (1 = up)', [{ expr: `sum by (pod) (up{${sel}})`, legendFormat: '{{pod}}' }], 'short'),
      // The service's pods by name (cAdvisor and kube-state-metrics series carry the pod, not the app label).
      panel(
        5,
        'Pods: CPU used / requested',
        [
          {
            expr:
              'sum by (pod) (rate(container_cpu_usage_seconds_total{pod=~"$service-.*",container!="",container!="POD"}[5m]))' +
              ' / sum by (pod) (kube_pod_container_resource_requests{pod=~"$service-.*",resource="cpu"})',
            legendFormat: '{{pod}}',
          },
        ],
        'percentunit',
      ),
      panel(
        6,
        'Pods: memory working set / limit',
        [
          {
            expr:
              'max by (pod) (container_memory_working_set_bytes{pod=~"$service-.*",container!="",container!="POD"})' +
              ' / max by (pod) (kube_pod_container_resource_limits{pod=~"$service-.*",resource="memory"})',
            legendFormat: '{{pod}}',
          },
        ],
        'percentunit',
      ),
    ],
    [
      {
        name: 'service',
        label: 'Service',
        type: 'custom',
        query: names.join(','),
        current: { text: names[0] ?? '', value: names[0] ?? '' },
        options: names.map((n, i) => ({ text: n, value: n, selected: i === 0 })),
      },
    ],
  );
}

/** USE of every node: utilization and saturation of CPU and memory, disk and network. */
export function useDashboard(): Dashboard {
  return dashboard('platform-use', 'Nodes: utilization, saturation, errors', [
    panel(
      1,
      'CPU utilization',
      [{ expr: '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))', legendFormat: '{{instance}}' }],
      'percentunit',
    ),
    panel(
      2,
      'CPU saturation: load per core',
      [
        {
          expr: 'sum by (instance) (node_load1) / count by (instance) (node_cpu_seconds_total{mode="idle"})',
          legendFormat: '{{instance}}',
        },
      ],
      'short',
    ),
    panel(
      3,
      'Memory utilization',
      [{ expr: '1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes', legendFormat: '{{instance}}' }],
      'percentunit',
    ),
    panel(4, 'Memory saturation: major page faults', [{ expr: 'rate(node_vmstat_pgmajfault[5m])', legendFormat: '{{instance}}' }], 'short'),
    panel(
      5,
      'Disk utilization: time busy',
      [{ expr: 'rate(node_disk_io_time_seconds_total[5m])', legendFormat: '{{instance}} {{device}}' }],
      'percentunit',
    ),
    panel(
      6,
      'Filesystem used',
      [
        {
          expr: '1 - node_filesystem_avail_bytes{fstype!~"tmpfs|overlay"} / node_filesystem_size_bytes{fstype!~"tmpfs|overlay"}',
          legendFormat: '{{instance}} {{mountpoint}}',
        },
      ],
      'percentunit',
    ),
    panel(
      7,
      'Network throughput',
      [
        { expr: 'sum by (instance) (rate(node_network_receive_bytes_total[5m]))', legendFormat: '{{instance}} in' },
        { expr: 'sum by (instance) (rate(node_network_transmit_bytes_total[5m]))', legendFormat: '{{instance}} out' },
      ],
      'Bps',
    ),
    panel(
      8,
      'Network errors',
      [
        {
          expr: 'sum by (instance) (rate(node_network_receive_errs_total[5m]) + rate(node_network_transmit_errs_total[5m]))',
          legendFormat: '{{instance}}',
        },
      ],
      'short',
    ),
    panel(
      9,
      'Cluster: CPU and memory requested / allocatable',
      [
        {
          expr: 'sum(kube_pod_container_resource_requests{resource="cpu"}) / sum(kube_node_status_allocatable{resource="cpu"})',
          legendFormat: 'cpu',
        },
        {
          expr: 'sum(kube_pod_container_resource_requests{resource="memory"}) / sum(kube_node_status_allocatable{resource="memory"})',
          legendFormat: 'memory',
        },
      ],
      'percentunit',
    ),
  ]);
}

/** The database connection pools of the services that use the database: per pod, as the incident needed. */
export function databaseDashboard(): Dashboard {
  return dashboard('platform-database', 'Database: connection pools per pod', [
    panel(
      1,
      'Connections in use per pod',
      [
        {
          expr: `sum by (${SERVICE_LABEL}, pod) (db_client_connection_count{db_client_connection_state="used"})`,
          legendFormat: '{{pod}}',
        },
      ],
      'short',
    ),
    panel(
      2,
      'Pool use (used / max) per pod',
      [
        {
          expr:
            `max by (${SERVICE_LABEL}, pod) (db_client_connection_count{db_client_connection_state="used"})` +
            ` / max by (${SERVICE_LABEL}, pod) (db_client_connection_max)`,
          legendFormat: '{{pod}}',
        },
      ],
      'percentunit',
    ),
    panel(
      3,
      'Requests waiting for a connection',
      [{ expr: `sum by (${SERVICE_LABEL}, pod) (db_client_connection_pending_requests)`, legendFormat: '{{pod}}' }],
      'short',
    ),
    panel(
      4,
      'Connection wait time p95',
      [
        {
          expr: `histogram_quantile(0.95, sum by (le, ${SERVICE_LABEL}) (rate(db_client_connection_wait_time_seconds_bucket[5m])))`,
          legendFormat: `{{${SERVICE_LABEL}}}`,
        },
      ],
      's',
    ),
    panel(
      5,
      'Connections of all pods per service',
      [
        {
          expr: `sum by (${SERVICE_LABEL}) (db_client_connection_count{db_client_connection_state="used"})`,
          legendFormat: `{{${SERVICE_LABEL}}}`,
        },
      ],
      'short',
    ),
  ]);
}

/** Every PromQL expression of some dashboards. */
export function dashboardExpressions(dashboards: readonly Dashboard[]): string[] {
  return dashboards.flatMap((d) => ((d.panels ?? []) as { targets: { expr: string }[] }[]).flatMap((p) => p.targets.map((t) => t.expr)));
}
