/**
 * Argo Rollouts analyses derived from a service's SLO: the Prometheus queries, their pass/fail
 * conditions and the AnalysisTemplates that hold them. Pure functions, so the queries can be
 * asserted in tests and shown in docs.
 *
 * Metric contract: every service exports the OpenTelemetry HTTP server histogram
 * `http.server.request.duration` in seconds (Prometheus name `http_server_request_duration_seconds`,
 * label `http_response_status_code`) on `/metrics`. The PodMonitor copies the pod labels
 * `app.kubernetes.io/name` and `rollouts-pod-template-hash` onto every series, so a query can
 * select the pods of one version.
 */
import type { IAnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import { AnalysisSpec, SloSpec } from '../../lib/config/service-catalog';

/** Name of the analysis argument that carries the pod-template hash of the version under test. */
export const HASH_ARG = 'pod-template-hash';

/** Defaults of `AnalysisSpec`. */
export const ANALYSIS_DEFAULTS: Required<AnalysisSpec> = { intervalSeconds: 60, count: 5, failureLimit: 1 };

/** Window of the rate() in every query. */
export const QUERY_WINDOW = '2m';

/** What a query selects: one service's pods of one version. */
export interface SloTarget {
  /** Service name (`app.kubernetes.io/name`). */
  readonly name: string;
  /** Namespace of the pods. */
  readonly namespace: string;
}

/** One metric of an analysis: a Prometheus query and the conditions on its first result. */
export interface SloMetric {
  readonly name: string;
  readonly query: string;
  readonly successCondition: string;
  readonly failureCondition: string;
}

/** The SLI metric: the OpenTelemetry HTTP server duration histogram, as Prometheus names it. */
export const HTTP_SERVER_DURATION_METRIC = 'http_server_request_duration_seconds';
const METRIC = HTTP_SERVER_DURATION_METRIC;

/** The label matcher of a failed request (a 5xx answer); the SLI is the share of requests without it. */
export const SERVER_ERROR_MATCHER = 'http_response_status_code=~"5.."';

/** Label matchers for every pod of a service. */
export function serviceSelector(target: SloTarget): string {
  return `namespace="${target.namespace}",app_kubernetes_io_name="${target.name}"`;
}

/** Label matchers for the pods of the version under test. */
export function versionSelector(target: SloTarget): string {
  return `${serviceSelector(target)},rollouts_pod_template_hash="{{args.${HASH_ARG}}}"`;
}

/**
 * The two SLO metrics: share of requests that are not 5xx, and p95 latency in seconds. A query
 * with no data (no traffic) meets neither condition: the measurement is inconclusive and the
 * rollout pauses for a person instead of promoting on no evidence.
 */
export function sloMetrics(target: SloTarget, slo: SloSpec): SloMetric[] {
  const selector = versionSelector(target);
  const availability = round(slo.availabilityPercent / 100, 6);
  const latencySeconds = round(slo.latencyP95Millis / 1000, 3);
  const has = 'len(result) > 0 && !isNaN(result[0])';
  return [
    {
      name: 'success-rate',
      query:
        `sum(rate(${METRIC}_count{${selector},${SERVER_ERROR_MATCHER.replace('=~', '!~')}}[${QUERY_WINDOW}]))` +
        ` / sum(rate(${METRIC}_count{${selector}}[${QUERY_WINDOW}]))`,
      successCondition: `${has} && result[0] >= ${availability}`,
      failureCondition: `${has} && result[0] < ${availability}`,
    },
    {
      name: 'latency-p95',
      query: `histogram_quantile(0.95, sum by (le) (rate(${METRIC}_bucket{${selector}}[${QUERY_WINDOW}])))`,
      successCondition: `${has} && result[0] <= ${latencySeconds}`,
      failureCondition: `${has} && result[0] > ${latencySeconds}`,
    },
  ];
}

/** A readiness check of a new version before it gets traffic: every one of its pods is scraped successfully. */
export function previewMetrics(target: SloTarget): SloMetric[] {
  return [
    {
      name: 'pods-up',
      query: `min(up{${versionSelector(target)}})`,
      successCondition: 'len(result) > 0 && result[0] == 1',
      failureCondition: 'len(result) > 0 && result[0] < 1',
    },
  ];
}

/** Options of `analysisTemplateSpec`. */
export interface AnalysisTemplateOptions {
  /** Measurements before the analysis completes. @default - runs until the rollout completes (background analysis) */
  readonly count?: number;
  /** Seconds between measurements. */
  readonly intervalSeconds: number;
  /** Failed measurements tolerated; one more aborts the rollout. */
  readonly failureLimit: number;
  /** Prometheus query address. */
  readonly prometheusUrl: string;
}

/** The `spec` of an AnalysisTemplate running `metrics`. */
export function analysisTemplateSpec(metrics: readonly SloMetric[], options: AnalysisTemplateOptions): IAnalysisTemplate['spec'] {
  return {
    args: [{ name: HASH_ARG }],
    metrics: metrics.map((m) => ({
      name: m.name,
      interval: `${options.intervalSeconds}s`,
      ...(options.count !== undefined ? { count: options.count } : {}),
      failureLimit: options.failureLimit,
      // An inconclusive measurement (no traffic) pauses the rollout; a run of errors (Prometheus down) aborts it.
      inconclusiveLimit: 1,
      consecutiveErrorLimit: 3,
      successCondition: m.successCondition,
      failureCondition: m.failureCondition,
      provider: { prometheus: { address: options.prometheusUrl, query: m.query } },
    })),
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
