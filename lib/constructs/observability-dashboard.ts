import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

/** One service's golden signals. */
export interface DashboardService {
  /** Service name. */
  readonly name: string;
  /** Its SLO's p95 latency (a line on the latency graph). */
  readonly sloLatencyP95Millis: number;
  /** Its ALB dimensions, when it takes public traffic. @default - no ALB signals */
  readonly alb?: { readonly loadBalancer: string; readonly targetGroup: string };
  /** Container Insights dimensions of its pods (ClusterName, Namespace, PodName). */
  readonly workload: Readonly<Record<string, string>>;
}

/** Props of `ObservabilityDashboard`. */
export interface ObservabilityDashboardProps {
  /** Dashboard name. */
  readonly dashboardName: string;
  /** Alarms shown in the status row at the top. */
  readonly alarms: readonly cw.IAlarm[];
  /** One row of golden signals per service. */
  readonly services: readonly DashboardService[];
  /** Infrastructure graphs: a title, left-axis metrics, right-axis metrics. */
  readonly infrastructure: readonly { readonly title: string; readonly metrics: cw.IMetric[]; readonly right?: cw.IMetric[] }[];
  /** Namespace and name of the error-line metric (dimension `Service`). */
  readonly errorLines: { readonly namespace: string; readonly metricName: string };
}

const PERIOD = Duration.minutes(5);

/**
 * The environment's dashboard: the state of every alarm; per service the four golden signals
 * (traffic, errors, latency against the SLO, saturation of its pods); then the infrastructure
 * (database, proxy, nodes, queues, edge, synthetic flows).
 */
export class ObservabilityDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: cw.Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityDashboardProps) {
    super(scope, id);
    const dashboard = new cw.Dashboard(this, 'Resource', { dashboardName: props.dashboardName, defaultInterval: Duration.hours(3) });
    dashboard.addWidgets(new cw.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 6 }));
    for (const s of props.services) {
      dashboard.addWidgets(new cw.TextWidget({ markdown: `## ${s.name}`, width: 24, height: 1 }));
      dashboard.addWidgets(...this.goldenSignals(s, props.errorLines));
    }
    dashboard.addWidgets(new cw.TextWidget({ markdown: '## Infrastructure', width: 24, height: 1 }));
    dashboard.addWidgets(
      ...props.infrastructure.map(
        (row) => new cw.GraphWidget({ title: row.title, left: row.metrics, right: row.right ?? [], width: 8, height: 6 }),
      ),
    );
    this.dashboard = dashboard;
  }

  private goldenSignals(s: DashboardService, errorLines: ObservabilityDashboardProps['errorLines']): cw.IWidget[] {
    const alb = (metricName: string, statistic: string, label: string) =>
      s.alb &&
      new cw.Metric({
        namespace: 'AWS/ApplicationELB',
        metricName,
        dimensionsMap: { LoadBalancer: s.alb.loadBalancer, TargetGroup: s.alb.targetGroup },
        statistic,
        period: PERIOD,
        label,
      });
    const ci = (metricName: string, label: string) =>
      new cw.Metric({
        namespace: 'ContainerInsights',
        metricName,
        dimensionsMap: { ...s.workload },
        statistic: 'Maximum',
        period: PERIOD,
        label,
      });
    const defined = (...metrics: (cw.IMetric | undefined)[]) => metrics.filter((m): m is cw.IMetric => m !== undefined);
    return [
      new cw.GraphWidget({ title: `${s.name}: traffic (requests)`, left: defined(alb('RequestCount', 'Sum', 'requests')), width: 6 }),
      new cw.GraphWidget({
        title: `${s.name}: errors`,
        left: defined(
          alb('HTTPCode_Target_5XX_Count', 'Sum', '5xx'),
          new cw.Metric({ ...errorLines, dimensionsMap: { Service: s.name }, statistic: 'Sum', period: PERIOD, label: 'error log lines' }),
        ),
        width: 6,
      }),
      new cw.GraphWidget({
        title: `${s.name}: latency (s)`,
        left: defined(alb('TargetResponseTime', 'p95', 'p95'), alb('TargetResponseTime', 'p99', 'p99')),
        leftAnnotations: [{ value: s.sloLatencyP95Millis / 1000, label: 'SLO p95' }],
        width: 6,
      }),
      new cw.GraphWidget({
        title: `${s.name}: saturation (% of limits)`,
        left: [ci('pod_memory_utilization_over_pod_limit', 'memory'), ci('pod_cpu_utilization_over_pod_limit', 'CPU')],
        width: 6,
      }),
    ];
  }
}
