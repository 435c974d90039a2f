import { HASH_ARG, analysisTemplateSpec, previewMetrics, sloMetrics, versionSelector } from '../../cdk8s/constructs/slo-analysis';

const target = { name: 'payment-service', namespace: 'apps' };

describe('SLO analysis', () => {
  test('queries select one version of one service through the PodMonitor labels', () => {
    expect(versionSelector(target)).toBe(
      'namespace="apps",app_kubernetes_io_name="payment-service",rollouts_pod_template_hash="{{args.pod-template-hash}}"',
    );
  });

  test.each([
    [99.9, 200, '0.999', '0.2'],
    [99.95, 300, '0.9995', '0.3'],
    [90, 1500, '0.9', '1.5'],
  ])('availability %s%% and p95 %s ms become thresholds %s and %s s', (availabilityPercent, latencyP95Millis, rate, seconds) => {
    // GIVEN an SLO WHEN turned into metrics THEN success is at or above the objective and failure below it
    const [success, latency] = sloMetrics(target, { availabilityPercent, latencyP95Millis });
    expect(success.successCondition).toBe(`len(result) > 0 && !isNaN(result[0]) && result[0] >= ${rate}`);
    expect(success.failureCondition).toBe(`len(result) > 0 && !isNaN(result[0]) && result[0] < ${rate}`);
    expect(latency.successCondition).toBe(`len(result) > 0 && !isNaN(result[0]) && result[0] <= ${seconds}`);
    expect(latency.failureCondition).toBe(`len(result) > 0 && !isNaN(result[0]) && result[0] > ${seconds}`);
  });

  test('success rate is non-5xx over all requests; latency is the p95 of the request histogram', () => {
    const [success, latency] = sloMetrics(target, { availabilityPercent: 99.9, latencyP95Millis: 200 });
    const sel = versionSelector(target);
    expect(success.query).toBe(
      `sum(rate(http_server_request_duration_seconds_count{${sel},http_response_status_code!~"5.."}[2m])) / sum(rate(http_server_request_duration_seconds_count{${sel}}[2m]))`,
    );
    expect(latency.query).toBe(`histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{${sel}}[2m])))`);
  });

  test('the preview check passes only when every new pod is up', () => {
    expect(previewMetrics(target)).toEqual([
      {
        name: 'pods-up',
        query: `min(up{${versionSelector(target)}})`,
        successCondition: 'len(result) > 0 && result[0] == 1',
        failureCondition: 'len(result) > 0 && result[0] < 1',
      },
    ]);
  });

  test('a template declares the hash argument, the limits and the Prometheus address; count only when given', () => {
    const metrics = sloMetrics(target, { availabilityPercent: 99.9, latencyP95Millis: 200 });
    const spec = analysisTemplateSpec(metrics, { intervalSeconds: 30, failureLimit: 0, count: 3, prometheusUrl: 'http://prom:9090' });
    expect(spec.args).toEqual([{ name: HASH_ARG }]);
    expect(spec.metrics[0]).toMatchObject({
      interval: '30s',
      count: 3,
      failureLimit: 0,
      provider: { prometheus: { address: 'http://prom:9090' } },
    });
    const background = analysisTemplateSpec(metrics, { intervalSeconds: 60, failureLimit: 1, prometheusUrl: 'http://prom:9090' });
    expect(background.metrics.map((m) => 'count' in m)).toEqual([false, false]);
  });
});
