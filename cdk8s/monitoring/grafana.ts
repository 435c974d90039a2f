/**
 * What Grafana (a kube-prometheus-stack dependency) and the monitoring chart agree on: the data
 * source dashboards query, the Secret of the admin login, and the label its dashboard sidecar
 * loads ConfigMaps by (grafana-community/helm-charts@grafana-12.10.4, as kube-prometheus-stack
 * 88.3.0 configures it: `grafana.sidecar.dashboards.label: grafana_dashboard`, `labelValue: "1"`).
 */

/** UID of the Prometheus data source (kube-prometheus-stack `grafana.sidecar.datasources.uid`). */
export const GRAFANA_DATASOURCE_UID = 'prometheus';

/** The Secret holding Grafana's admin user and password (generated once in the cluster). */
export const GRAFANA_ADMIN_SECRET = 'grafana-admin';

/** Label (and value) of a ConfigMap Grafana loads as a dashboard. */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: '1' } as const;
