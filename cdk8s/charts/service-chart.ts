import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { ApiOriginColor, albIngressClassName, apiOriginCertificateHosts, apiOriginColorHost } from '../../lib/config/edge-names';
import { secretStoreName, serviceSecretsRoleArn } from '../../lib/config/access-names';
import { ecrRegistryHost, secretsManagerName } from '../../lib/config/naming';
import { subnetCidrs } from '../../lib/config/network-layout';
import { platformEnvironment } from '../../lib/config/platform-resources';
import { SecretSpec, ServiceSpec } from '../../lib/config/service-catalog';
import { EnvironmentConfig } from '../../lib/config/types';
import { PARAMETER_STORE_NAME, PROMETHEUS_URL, platformLabels } from '../conventions';
import { albIngressAnnotations } from '../constructs/alb-ingress-class';
import { awsEgress } from '../egress';
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
}

/**
 * One deployable unit: a service of the catalog in one environment (`dist/<env>/<service>.k8s.yaml`).
 * Every environment-specific value comes from config through `lib/config/naming.ts`.
 */
export class ServiceChart extends Chart {
  /** The service's objects. */
  public readonly microservice: Microservice;

  constructor(scope: Construct, id: string, props: ServiceChartProps) {
    const { config, service, secrets, callers, callees, originColor = 'blue', ...chartProps } = props;
    super(scope, id, { ...chartProps, labels: { ...platformLabels(config.tags.Application, config.name), ...chartProps.labels } });
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
      callers,
      callees,
    });
  }
}
