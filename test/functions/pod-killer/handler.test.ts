import * as http from 'http';
import { AddressInfo } from 'net';
import { POD_KILLER_ENV, labelSelectorQuery, serviceSelectorLabels } from '../../../lib/config/pod-killer';
import { PodKillerSettings, handler, killPods, settingsFromEnv } from '../../../lib/functions/pod-killer/handler';
import { Pod, eksToken, podsToDelete } from '../../../lib/functions/pod-killer/pods';

/** A fake Kubernetes API: pods per namespace, records every request, can be told to fail. */
class FakeKubeApi {
  readonly requests: { method: string; url: string; authorization?: string }[] = [];
  pods: Record<string, Pod[]> = {};
  failWith?: { status: number; body: string; on: 'GET' | 'DELETE' };
  private server?: http.Server;

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      this.requests.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization });
      if (this.failWith && this.failWith.on === req.method) {
        res.writeHead(this.failWith.status, { 'content-type': 'application/json' }).end(this.failWith.body);
        return;
      }
      const url = new URL(req.url!, 'http://x');
      const list = url.pathname.match(/^\/api\/v1\/namespaces\/([^/]+)\/pods$/);
      const one = url.pathname.match(/^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/);
      if (req.method === 'GET' && list) {
        const [k, v] = url.searchParams.get('labelSelector')!.split('=');
        const items = (this.pods[list[1]] ?? []).filter((p) => (p as Pod & { labels: Record<string, string> }).labels?.[k] === v);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'PodList', items }));
      } else if (req.method === 'DELETE' && one) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Pod', metadata: { name: one[2] } }));
      } else {
        res.writeHead(404).end('{"message":"not found"}');
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server!.close(() => resolve()));
  }

  deleted(): string[] {
    return this.requests.filter((r) => r.method === 'DELETE').map((r) => decodeURIComponent(r.url.split('/').pop()!));
  }
}

const pod = (name: string, service: string, terminating = false) =>
  ({
    metadata: { name, ...(terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    labels: serviceSelectorLabels(service),
  }) as Pod;
const podsOf = (service: string, n: number) => Array.from({ length: n }, (_, i) => pod(`${service}-${i}`, service));

const api = new FakeKubeApi();
let settings: PodKillerSettings;
beforeAll(async () => {
  const endpoint = await api.start();
  settings = {
    clusterName: 'saas-platform-test',
    region: 'eu-west-1',
    endpoint,
    targets: { 'web-api': { namespace: 'apps', labels: { ...serviceSelectorLabels('web-api') } } },
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret-test-value' },
  };
});
afterAll(() => api.stop());
beforeEach(() => {
  api.requests.length = 0;
  api.failWith = undefined;
  api.pods = { apps: [...podsOf('web-api', 4), ...podsOf('worker', 3)] };
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

describe('podsToDelete', () => {
  test.each([
    [0.01, 4, 1],
    [0.25, 4, 1],
    [0.3, 4, 2],
    [0.5, 4, 2],
    [1, 4, 3],
    [1, 2, 1],
    [1, 1, 0],
    [0.5, 0, 0],
  ])('share %p of %p pods deletes %p (ceil, never all)', (share, count, expected) => {
    // GIVEN count live pods WHEN the share is planned THEN ceil(share × count), at most count − 1
    expect(podsToDelete(podsOf('s', count), share)).toHaveLength(expected);
  });

  test('pods already terminating are neither counted nor chosen', () => {
    // GIVEN two live pods and one terminating
    const pods = [pod('a', 's'), pod('b', 's', true), pod('c', 's')];
    // THEN at most one live pod is deleted, never the terminating one
    expect(podsToDelete(pods, 1).map((p) => p.metadata.name)).toEqual(['a']);
  });

  test.each([0, -1, 1.5, Number.NaN])('share %p is refused', (share) => {
    expect(() => podsToDelete(podsOf('s', 3), share)).toThrow(`share ${share} is not allowed; use a number above 0 and at most 1`);
  });
});

describe('eksToken', () => {
  test('is a presigned STS GetCallerIdentity URL bound to the cluster name, base64url with the k8s-aws-v1 prefix', async () => {
    // WHEN a token is made
    const token = await eksToken('saas-platform-test', 'eu-west-1', settings.credentials, new Date('2026-12-01T10:00:00Z'));
    // THEN it decodes to the regional STS URL, signing the x-k8s-aws-id header, valid 60 s
    expect(token.startsWith('k8s-aws-v1.')).toBe(true);
    expect(token).not.toMatch(/[+/=]/);
    const url = new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString('utf8'));
    expect(url.origin).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('Version')).toBe('2011-06-15');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20261201/eu-west-1/sts/aws4_request');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    // AND a different cluster name gives a different signature (the header is signed)
    const other = await eksToken('another', 'eu-west-1', settings.credentials, new Date('2026-12-01T10:00:00Z'));
    expect(other).not.toBe(token);
  });
});

describe('killPods against a fake Kubernetes API', () => {
  test('deletes ceil(share × count) of the service pods only, with the bearer token, and logs each', async () => {
    // WHEN half of web-api's 4 pods are asked for
    const result = await killPods({ service: 'web-api', sharePercent: '50' }, settings);
    // THEN it listed by the service's selector in its namespace and deleted 2 of its pods, none of worker's
    const list = api.requests.find((r) => r.method === 'GET')!;
    expect(decodeURIComponent(list.url)).toBe(
      `/api/v1/namespaces/apps/pods?labelSelector=${labelSelectorQuery(serviceSelectorLabels('web-api'))}`,
    );
    expect(list.authorization).toMatch(/^Bearer k8s-aws-v1\./);
    expect(api.deleted()).toEqual(['web-api-0', 'web-api-1']);
    expect(result).toEqual({ service: 'web-api', namespace: 'apps', found: 4, deleted: ['web-api-0', 'web-api-1'] });
    expect(console.log).toHaveBeenCalledWith(expect.stringContaining('"pod":"web-api-1"'));
    // AND the token never reaches the log
    for (const [line] of (console.log as jest.Mock).mock.calls) expect(line).not.toContain('k8s-aws-v1');
  });

  test('never deletes every pod, even at 100%', async () => {
    const result = await killPods({ service: 'web-api', sharePercent: 100 }, settings);
    expect(result.deleted).toHaveLength(3);
    expect(api.deleted()).toHaveLength(3);
  });

  test('refuses a service it was not configured with, before calling the API', async () => {
    await expect(killPods({ service: 'worker', sharePercent: 50 }, settings)).rejects.toThrow(
      'service "worker" is not a target of this function; allowed: web-api',
    );
    await expect(killPods({ service: 'constructor', sharePercent: 50 }, settings)).rejects.toThrow('is not a target');
    expect(api.requests).toEqual([]);
  });

  test.each([0, 101, 'half'])('refuses sharePercent %p', async (share) => {
    await expect(killPods({ service: 'web-api', sharePercent: share }, settings)).rejects.toThrow(
      `sharePercent ${JSON.stringify(share)} is not allowed; use a number from 1 to 100`,
    );
    expect(api.requests).toEqual([]);
  });

  test('fails with the API message when listing is forbidden, deleting nothing', async () => {
    api.failWith = { on: 'GET', status: 403, body: JSON.stringify({ kind: 'Status', message: 'pods is forbidden' }) };
    await expect(killPods({ service: 'web-api', sharePercent: 50 }, settings)).rejects.toThrow(
      'GET /api/v1/namespaces/apps/pods answered 403: pods is forbidden',
    );
    expect(api.deleted()).toEqual([]);
  });

  test('stops at the first failed delete and says which', async () => {
    api.failWith = { on: 'DELETE', status: 500, body: 'boom' };
    await expect(killPods({ service: 'web-api', sharePercent: 50 }, settings)).rejects.toThrow(
      'DELETE /api/v1/namespaces/apps/pods/web-api-0 answered 500: boom',
    );
    expect(api.deleted()).toEqual(['web-api-0']);
  });

  test('a service with one pod loses none', async () => {
    api.pods = { apps: podsOf('web-api', 1) };
    expect((await killPods({ service: 'web-api', sharePercent: 100 }, settings)).deleted).toEqual([]);
  });
});

describe('settingsFromEnv', () => {
  const env = {
    [POD_KILLER_ENV.clusterName]: 'c',
    [POD_KILLER_ENV.endpoint]: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
    [POD_KILLER_ENV.certificateAuthority]: Buffer.from('-----BEGIN CERTIFICATE-----').toString('base64'),
    [POD_KILLER_ENV.services]: JSON.stringify(settings?.targets ?? { a: { namespace: 'n', labels: {} } }),
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'x',
    AWS_SESSION_TOKEN: 't',
  };
  test('reads the cluster, the decoded CA, the targets and the role credentials', () => {
    const s = settingsFromEnv(env);
    expect(s.ca).toBe('-----BEGIN CERTIFICATE-----');
    expect(s.clusterName).toBe('c');
    expect(s.credentials.sessionToken).toBe('t');
  });
  test('names a missing variable', () => {
    expect(() => settingsFromEnv({ ...env, [POD_KILLER_ENV.endpoint]: '' })).toThrow('environment variable CLUSTER_ENDPOINT is not set');
  });

  test('the Lambda entry point reads its environment and acts on the configured service', async () => {
    // GIVEN the function's environment pointing at the fake API
    const saved = { ...process.env };
    Object.assign(process.env, {
      ...env,
      [POD_KILLER_ENV.endpoint]: settings.endpoint,
      [POD_KILLER_ENV.services]: JSON.stringify(settings.targets),
    });
    try {
      // WHEN invoked as the Automation step invokes it
      const result = await handler({ service: 'web-api', sharePercent: '25' });
      // THEN it deleted one of the four pods
      expect(result.deleted).toEqual(['web-api-0']);
    } finally {
      process.env = saved;
    }
  });
});
