import { Chart, ChartProps } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../../lib/config/types';

/** Namespaces the platform itself runs in (controllers, policy engine, observability agents). */
export const PLATFORM_NAMESPACES: readonly string[] = ['platform-system', 'observability'];

/** Props of `PlatformChart`. */
export interface PlatformChartProps extends ChartProps {
  /** The environment the manifests are for. */
  readonly config: EnvironmentConfig;
}

/**
 * The cluster-wide base of an environment: one namespace per platform component and per workload
 * group from config, each enforcing Pod Security "restricted" at the cluster's Kubernetes version.
 */
export class PlatformChart extends Chart {
  /** Names of the namespaces this chart creates. */
  public readonly namespaces: readonly string[];

  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    const { config, ...chartProps } = props;
    super(scope, id, {
      ...chartProps,
      labels: {
        'app.kubernetes.io/part-of': config.tags.Application,
        'app.kubernetes.io/managed-by': 'cdk8s',
        'platform.example.com/environment': config.name,
        ...chartProps.labels,
      },
    });
    const pssVersion = `v${config.kubernetes.version}`;
    this.namespaces = [...PLATFORM_NAMESPACES, ...config.kubernetes.workloadNamespaces];
    for (const name of this.namespaces) {
      new k8s.KubeNamespace(this, `ns-${name}`, {
        metadata: {
          name,
          labels: {
            'pod-security.kubernetes.io/enforce': 'restricted',
            'pod-security.kubernetes.io/enforce-version': pssVersion,
            'pod-security.kubernetes.io/audit': 'restricted',
            'pod-security.kubernetes.io/audit-version': pssVersion,
            'pod-security.kubernetes.io/warn': 'restricted',
            'pod-security.kubernetes.io/warn-version': pssVersion,
          },
        },
      });
    }
  }
}
