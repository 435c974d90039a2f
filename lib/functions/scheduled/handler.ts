/**
 * Scheduled probe of the public API (EventBridge Scheduler, hourly): requests `PROBE_URL` (the
 * API's health endpoint through CloudFront and WAF, the path real clients take) and records the
 * result as CloudWatch metrics in Embedded Metric Format (a log line; no SDK call, no permission):
 * `ApiHealthy` (1 or 0) and `ApiLatency` (ms) in `METRIC_NAMESPACE`, dimension `Environment`.
 *
 * An unhealthy API is a measurement, not an error: the handler returns normally so that the
 * scheduler does not retry, and the alarm on `ApiHealthy` decides what it means.
 */

/** What one probe observed. */
export interface ProbeResult {
  readonly healthy: boolean;
  /** HTTP status, or 0 when no response arrived (DNS, TLS, timeout). */
  readonly status: number;
  readonly latencyMillis: number;
}

const DEFAULT_TIMEOUT_MILLIS = 5000;

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** The Lambda handler. */
export async function handler(): Promise<ProbeResult> {
  const url = setting('PROBE_URL');
  const namespace = setting('METRIC_NAMESPACE');
  const environment = setting('ENVIRONMENT_NAME');
  const timeoutMillis = Number(process.env.PROBE_TIMEOUT_MILLIS ?? DEFAULT_TIMEOUT_MILLIS);

  const started = Date.now();
  let status = 0;
  try {
    const response = await fetch(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMillis) });
    status = response.status;
  } catch (e) {
    console.warn(JSON.stringify({ level: 'warn', message: 'probe failed', url, error: (e as Error).name }));
  }
  const result: ProbeResult = { healthy: status >= 200 && status < 300, status, latencyMillis: Date.now() - started };

  console.log(
    JSON.stringify({
      _aws: {
        Timestamp: started,
        CloudWatchMetrics: [
          {
            Namespace: namespace,
            Dimensions: [['Environment']],
            Metrics: [
              { Name: 'ApiHealthy', Unit: 'Count' },
              { Name: 'ApiLatency', Unit: 'Milliseconds' },
            ],
          },
        ],
      },
      Environment: environment,
      ApiHealthy: result.healthy ? 1 : 0,
      ApiLatency: result.latencyMillis,
      url,
      status,
    }),
  );
  return result;
}
