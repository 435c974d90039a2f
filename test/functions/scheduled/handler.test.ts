import { handler } from '../../../lib/functions/scheduled/handler';

const ENV = { PROBE_URL: 'https://api.dev.example.com/api/healthz', METRIC_NAMESPACE: 'saas-platform', ENVIRONMENT_NAME: 'dev' };

describe('scheduled API probe', () => {
  const realFetch = global.fetch;
  let lines: string[];
  let fetchMock: jest.Mock;

  beforeEach(() => {
    // GIVEN the probe's configuration, a stubbed fetch and captured log lines
    Object.assign(process.env, ENV);
    lines = [];
    jest.spyOn(console, 'log').mockImplementation((line?: unknown) => void lines.push(String(line)));
    jest.spyOn(console, 'warn').mockImplementation((line?: unknown) => void lines.push(String(line)));
    fetchMock = jest.fn();
    global.fetch = fetchMock as unknown as typeof fetch;
  });

  afterEach(() => {
    jest.restoreAllMocks();
    global.fetch = realFetch;
    for (const key of Object.keys(ENV)) delete process.env[key];
  });

  const metricLine = () => JSON.parse(lines.find((l) => l.includes('"_aws"'))!);

  test('a 200 records ApiHealthy=1 and the latency as Embedded Metric Format', async () => {
    fetchMock.mockResolvedValue({ status: 200 });
    const result = await handler();
    expect(result).toMatchObject({ healthy: true, status: 200 });
    expect(fetchMock).toHaveBeenCalledWith(ENV.PROBE_URL, expect.objectContaining({ method: 'GET', redirect: 'manual' }));
    const metric = metricLine();
    expect(metric._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'saas-platform',
        Dimensions: [['Environment']],
        Metrics: [
          { Name: 'ApiHealthy', Unit: 'Count' },
          { Name: 'ApiLatency', Unit: 'Milliseconds' },
        ],
      },
    ]);
    expect(metric).toMatchObject({ Environment: 'dev', ApiHealthy: 1, status: 200 });
    expect(typeof metric.ApiLatency).toBe('number');
  });

  test.each([503, 404, 301])('a %d is unhealthy, recorded, and not an error (no scheduler retry)', async (status) => {
    fetchMock.mockResolvedValue({ status });
    await expect(handler()).resolves.toMatchObject({ healthy: false, status });
    expect(metricLine()).toMatchObject({ ApiHealthy: 0, status });
  });

  test('no response at all (DNS, TLS, timeout) is status 0, unhealthy, with the error name logged', async () => {
    fetchMock.mockRejectedValue(Object.assign(new Error('timed out'), { name: 'TimeoutError' }));
    await expect(handler()).resolves.toMatchObject({ healthy: false, status: 0 });
    expect(lines.join('\n')).toContain('TimeoutError');
    expect(metricLine()).toMatchObject({ ApiHealthy: 0, status: 0 });
  });

  test('missing configuration fails loudly, naming the variable', async () => {
    delete process.env.PROBE_URL;
    await expect(handler()).rejects.toThrow('PROBE_URL is not set');
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
