import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { ApiOriginColor, albIngressClassName, apiOriginCertificateHosts, apiOriginColorHost } from '../../lib/config/edge-names';
import { secretStoreName, serviceSecretsRoleArn } from '../../lib/config/access-names';
import { ServiceRelease, digestReference, migrationsImageTag } from '../../lib/config/delivery';
import { ecrRegistryHost, secretsManagerName, serviceAccountName, serviceNamespace } from '../../lib/config/naming';
import { subnetCidrs } from '../../lib/config/network-layout';
import { platformEnvironment } from '../../lib/config/platform-resources';
import { SecretSpec, ServiceSpec } from '../../lib/config/service-catalog';
import { EnvironmentConfig } from '../../lib/config/types';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { OTEL_COLLECTOR } from '../../lib/config/observability';
import { PARAMETER_STORE_NAME, PROMETHEUS_SELECTOR_LABELS, PROMETHEUS_URL, platformLabels } from '../conventions';
import { model } from '../constructs/model-object';
import { serviceRules } from '../monitoring/slo-rules';
import { albIngressAnnotations } from '../constructs/alb-ingress-class';
import { awsEgress } from '../egress';
import { MigrationJob } from '../constructs/migration-job';
import { Microservice, PeerService } from '../constructs/microservice';

/** Props of `ServiceChart`. */
export interface ServiceChartProps extends ChartProps {
  /** The environment the manifests are for. */
  readonly config: EnvironmentConfig;
  /** The service, with the environment's overrides applied. */
  readonly service: ServiceSpec;
  /** The catalog's secrets. */
  readonly secrets: Readonly<Record<string, SecretSpec>>;
  /** Services that call this one. @default - none */
  readonly callers?: readonly PeerService[];
  /** Services this one calls. @default - none */
  readonly callees?: readonly PeerService[];
  /** Which of the environment's API origins this cluster's ALB is (blue/green cut-over of clusters). @default 'blue' */
  readonly originColor?: ApiOriginColor;
  /** What the release step deployed (digests). @default - the catalog's tags (local synth) */
  readonly release?: ServiceRelease;
  /**
   * Where the service's identity and settings go, synced before its Application (`ServicesChart.settingsScope`).
   * @default - this chart
   */
  readonly settingsScope?: Construct;
}

const SERVICE_CHART = Symbol.for('saas-platform.ServiceChart');

/** Whether a chart is a service's (cdk8s charts answer `instanceof` for any chart, so a marker decides). */
export function isServiceChart(chart: Chart): chart is ServiceChart {
  return (chart as unknown as Record<symbol, unknown>)[SERVICE_CHART] === true;
}

/**
 * One deployable unit: a service of the catalog in one environment (`dist/<env>/<service>.k8s.yaml`).
 * Every environment-specific value comes from config through `lib/config/naming.ts`.
 */
export class ServiceChart extends Chart {
  /** The service's objects. */
  public readonly microservice: Microservice;

  constructor(scope: Construct, id: string, props: ServiceChartProps) {
    const { config, service, secrets, callers, callees, originColor = 'blue', release, settingsScope, ...chartProps } = props;
    super(scope, id, { ...chartProps, labels: { ...platformLabels(config.tags.Application, config.name), ...chartProps.labels } });
    Object.defineProperty(this, SERVICE_CHART, { value: true });
    this.microservice = new Microservice(this, 'Service', {
      service,
      environmentName: config.name,
      application: config.tags.Application,
      imageRegistry: ecrRegistryHost(config.region),
      secrets,
      secretsManagerName: (secret) => secretsManagerName(config.name, secret),
      secretStore: {
        name: secretStoreName(service.name),
        roleArn: serviceSecretsRoleArn(config.name, config.account, service.name),
        region: config.region,
      },
      parameterStore: PARAMETER_STORE_NAME,
      platformEnvironment: platformEnvironment(service, config),
      // An internet-facing ALB lives in the public subnets.
      albSourceCidrs: subnetCidrs(config.network).public,
      egress: awsEgress(service, config),
      apiHosts: apiOriginCertificateHosts(config.domain.zoneName),
      dnsName: apiOriginColorHost(config.domain.zoneName, originColor),
      ingressClassName: albIngressClassName(config.name),
      albAnnotations: albIngressAnnotations(config),
      prometheusUrl: PROMETHEUS_URL,
      monitorLabels: PROMETHEUS_SELECTOR_LABELS,
      telemetryCollector: {
        namespace: OTEL_COLLECTOR.namespace,
        podLabels: OTEL_COLLECTOR.podLabels,
        ports: [OTEL_COLLECTOR.otlpHttpPort, OTEL_COLLECTOR.otlpGrpcPort],
      },
      callers,
      callees,
      release,
      settingsScope,
    });
    // The service's alerts, from the same SLO its rollout analysis checks (cdk8s/monitoring/slo-rules.ts).
    model<IPrometheusRule>(this, 'Rules', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: {
        name: `${service.name}-slo`,
        namespace: this.microservice.namespace,
        labels: { ...PROMETHEUS_SELECTOR_LABELS, 'app.kubernetes.io/name': service.name },
      },
      spec: { groups: serviceRules(service, this.microservice.namespace) },
    });
    if (service.database) this.migrations(config, service, release, settingsScope ?? this);
  }

  /** The service's PreSync migration Job (lib/migrations/runner.ts), as the service's own database user. */
  private migrations(config: EnvironmentConfig, service: ServiceSpec, release: ServiceRelease | undefined, settingsScope: Construct): void {
    const registry = ecrRegistryHost(config.region);
    const { repository, tag } = service.image;
    if (release && !release.migrations) {
      throw new Error(`${config.name}: the release of ${service.name} has no migrations image digest; the service uses the database`);
    }
    const settings = platformEnvironment(service, config);
    new MigrationJob(this, 'Migrations', {
      serviceName: service.name,
      team: service.team,
      namespace: serviceNamespace(service),
      serviceAccountName: serviceAccountName(service.name),
      image: release?.migrations
        ? digestReference(registry, repository, release.migrations)
        : `${registry}/${repository}:${migrationsImageTag(tag)}`,
      version: this.microservice.version,
      application: config.tags.Application,
      environmentName: config.name,
      variables: Object.fromEntries(
        Object.entries(settings.variables).filter(([name]) => name.startsWith('DATABASE_') || name === 'AWS_REGION'),
      ),
      runtimeSecretName: this.microservice.runtimeSecretName!,
      // The database and the credentials to reach it, nothing the service's other resources need.
      egress: awsEgress({ ...service, aws: [] }, config),
      priority: service.priority ?? 'standard',
      settingsScope,
    });
  }
}
