/**
 * The Helm charts of the cluster add-ons, pinned, each with the Kubernetes versions its upstream
 * project states it supports and where that statement is (repo@tag:path). `cdk8s/addons.ts` takes
 * its chart versions from here, and config validation refuses a `kubernetes.version` outside any
 * pin's range, so a cluster upgrade cannot outrun its add-ons.
 *
 * A range with no `max` is open-ended upstream ("1.22+"): only the lower bound can be checked.
 * Kyverno is pinned by its own entry in `cdk8s/addons.ts` (the signing work owns it).
 */

/** The Kubernetes minor versions an upstream project states a release supports. */
export interface KubernetesRange {
  /** Oldest supported minor, e.g. `1.32`. */
  readonly min: string;
  /**
   * Newest supported (or tested) minor, e.g. `1.35`.
   * @default - open-ended upstream
   */
  readonly max?: string;
}

/** One pinned Helm chart. */
export interface ChartPin {
  /** Helm repository URL (OCI registries without the `oci://` scheme, as Argo CD names them). */
  readonly repoUrl: string;
  /** Chart name in the repository. */
  readonly chart: string;
  /** Exact chart version. */
  readonly chartVersion: string;
  /** Version of the application the chart runs (the chart's appVersion, or the image tag we pin). */
  readonly appVersion: string;
  /** Kubernetes versions upstream supports for `appVersion`. */
  readonly kubernetes: KubernetesRange;
  /** Where upstream says so: `owner/repo@tag:path`. */
  readonly compatibilitySource: string;
  /** The chart's values.yaml at `chartVersion`, where every values key we set was checked: `owner/repo@tag:path`. */
  readonly valuesSource: string;
}

/** The pins, by add-on name (the Argo CD Application and Helm release name). */
export const CHART_PINS = {
  'argo-cd': {
    repoUrl: 'https://argoproj.github.io/argo-helm',
    chart: 'argo-cd',
    chartVersion: '10.1.1',
    appVersion: 'v3.4.4',
    kubernetes: { min: '1.32', max: '1.35' },
    compatibilitySource: 'argoproj/argo-cd@v3.4.4:docs/operator-manual/tested-kubernetes-versions.md',
    valuesSource: 'argoproj/argo-helm@argo-cd-10.1.1:charts/argo-cd/values.yaml',
  },
  'external-secrets': {
    repoUrl: 'https://charts.external-secrets.io',
    chart: 'external-secrets',
    chartVersion: '2.8.0',
    appVersion: 'v2.8.0',
    // 2.9 supports 1.36 only; 2.8 is the newest release whose range includes 1.35.
    kubernetes: { min: '1.35', max: '1.36' },
    compatibilitySource: 'external-secrets/external-secrets@v2.9.0:docs/introduction/stability-support.md',
    valuesSource: 'external-secrets/external-secrets@helm-chart-2.8.0:deploy/charts/external-secrets/values.yaml',
  },
  'argo-rollouts': {
    repoUrl: 'https://argoproj.github.io/argo-helm',
    chart: 'argo-rollouts',
    chartVersion: '2.41.0',
    // The chart ships v1.9.0 (tested through 1.34); the values pin the controller image to the
    // v1.9.1 patch, tested through 1.35, with the same CRDs (no change under manifests/crds).
    appVersion: 'v1.9.1',
    kubernetes: { min: '1.32', max: '1.35' },
    compatibilitySource:
      'argoproj/argo-rollouts@v1.9.1:.github/workflows/testing.yaml (docs/installation.md "Supported versions" points there)',
    valuesSource: 'argoproj/argo-helm@argo-rollouts-2.41.0:charts/argo-rollouts/values.yaml',
  },
  'aws-load-balancer-controller': {
    repoUrl: 'https://aws.github.io/eks-charts',
    chart: 'aws-load-balancer-controller',
    chartVersion: '3.5.0',
    appVersion: 'v3.5.0',
    kubernetes: { min: '1.22' },
    compatibilitySource:
      'kubernetes-sigs/aws-load-balancer-controller@v3.5.0:docs/deploy/installation.md ("v2.5.0+ requires Kubernetes 1.22+")',
    valuesSource: 'aws/eks-charts@v0.0.242:stable/aws-load-balancer-controller/values.yaml',
  },
  'external-dns': {
    repoUrl: 'https://kubernetes-sigs.github.io/external-dns',
    chart: 'external-dns',
    chartVersion: '1.21.1',
    appVersion: 'v0.21.0',
    kubernetes: { min: '1.21' },
    compatibilitySource: 'kubernetes-sigs/external-dns@v0.21.0:README.md ("Kubernetes version compatibility", >= 0.18.x)',
    valuesSource: 'kubernetes-sigs/external-dns@external-dns-helm-chart-1.21.1:charts/external-dns/values.yaml',
  },
  karpenter: {
    repoUrl: 'public.ecr.aws/karpenter',
    chart: 'karpenter',
    chartVersion: '1.14.1',
    appVersion: '1.14.1',
    // The matrix lists 1.30 as its oldest column; 1.35 needs >= 1.9, 1.36 needs >= 1.13.
    kubernetes: { min: '1.30', max: '1.36' },
    compatibilitySource: 'aws/karpenter-provider-aws@v1.14.1:website/content/en/docs/upgrading/compatibility.md',
    // The tag's charts/ still carry the previous release; the published 1.14.1 chart is the release commit's.
    valuesSource: 'aws/karpenter-provider-aws@1d927085 ("docs: update for patch release v1.14.1"):charts/karpenter/values.yaml',
  },
  'kube-prometheus-stack': {
    repoUrl: 'https://prometheus-community.github.io/helm-charts',
    chart: 'kube-prometheus-stack',
    // 88.3.0 is the newest release on prometheus-operator v0.93.0 (88.4+ ship v0.93.1, not yet tagged
    // where its compatibility could be read); it brings kube-state-metrics 8.2.0 and Grafana 12.10.4.
    chartVersion: '88.3.0',
    appVersion: 'v0.93.0',
    // "prometheus-operator >= v0.84.0 requires Kubernetes >= v1.25.0" (CEL in the CRDs); e2e runs on 1.36.1.
    kubernetes: { min: '1.25' },
    compatibilitySource:
      'prometheus-operator/prometheus-operator@v0.93.0:Documentation/getting-started/compatibility.md (and .github/env kind-image kindest/node:v1.36.1)',
    valuesSource:
      'prometheus-community/helm-charts@kube-prometheus-stack-88.3.0:charts/kube-prometheus-stack/values.yaml; grafana-community/helm-charts@grafana-12.10.4:charts/grafana/values.yaml; prometheus-community/helm-charts@kube-state-metrics-8.2.0:charts/kube-state-metrics/values.yaml',
  },
  'prometheus-node-exporter': {
    repoUrl: 'https://prometheus-community.github.io/helm-charts',
    chart: 'prometheus-node-exporter',
    // The version kube-prometheus-stack 88.3.0 depends on, installed on its own (its own privileged namespace).
    chartVersion: '4.56.1',
    appVersion: '1.12.1',
    // A DaemonSet on GA APIs; no range of its own: the one of the stack it belongs to.
    kubernetes: { min: '1.25' },
    compatibilitySource:
      'prometheus-community/helm-charts@kube-prometheus-stack-88.3.0:charts/kube-prometheus-stack/Chart.yaml (kubeVersion ">=1.25.0-0", dependency prometheus-node-exporter 4.56.1)',
    valuesSource: 'prometheus-community/helm-charts@prometheus-node-exporter-4.56.1:charts/prometheus-node-exporter/values.yaml',
  },
  'opentelemetry-collector': {
    repoUrl: 'https://open-telemetry.github.io/opentelemetry-helm-charts',
    chart: 'opentelemetry-collector',
    chartVersion: '0.170.0',
    // The contrib distribution at this version carries the awsxray exporter
    // (open-telemetry/opentelemetry-collector-releases@v0.158.0:distributions/otelcol-contrib/manifest.yaml).
    appVersion: '0.158.0',
    kubernetes: { min: '1.24' },
    compatibilitySource:
      'open-telemetry/opentelemetry-helm-charts@opentelemetry-collector-0.170.0:charts/opentelemetry-collector/README.md ("Kubernetes 1.24+")',
    valuesSource: 'open-telemetry/opentelemetry-helm-charts@opentelemetry-collector-0.170.0:charts/opentelemetry-collector/values.yaml',
  },
} as const satisfies Record<string, ChartPin>;

/** Name of a pinned add-on. */
export type PinnedAddon = keyof typeof CHART_PINS;

const minor = (version: string): number => Number(version.split('.')[1]);

/**
 * Why a pin does not support a cluster of this Kubernetes version, or undefined when it does.
 * Config validation reports it on `kubernetes.version`.
 */
export function pinCompatibilityProblem(name: string, pin: ChartPin, clusterVersion: string): string | undefined {
  const { min, max } = pin.kubernetes;
  const range = max ? `${min}..${max}` : `${min} and later`;
  const outside = minor(clusterVersion) < minor(min) || (max !== undefined && minor(clusterVersion) > minor(max));
  if (!outside) return undefined;
  return `"${clusterVersion}" is outside what the pinned ${name} chart ${pin.chartVersion} (${pin.appVersion}) supports: Kubernetes ${range} (${pin.compatibilitySource}); pin a release that supports it in lib/config/addon-pins.ts`;
}

/** Every pin's problem with a cluster version (empty when all pins support it). */
export function addonCompatibilityProblems(clusterVersion: string, pins: Readonly<Record<string, ChartPin>> = CHART_PINS): string[] {
  return Object.entries(pins).flatMap(([name, pin]) => pinCompatibilityProblem(name, pin, clusterVersion) ?? []);
}
