import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { main, runCheck } from '../../bin/smoke';
import { dev } from '../../lib/config/environments';
import { smokeChecks } from '../../lib/config/pipeline';
import { withValue } from '../helpers';

const noWait = { sleep: async () => undefined, delayMillis: 0 };

/** A local server that answers the given statuses in turn (the last one repeats). */
async function server(statuses: number[]) {
  let calls = 0;
  const s = http.createServer((_req, res) => {
    res.statusCode = statuses[Math.min(calls++, statuses.length - 1)];
    res.end('ok');
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
  return { url, calls: () => calls, close: () => new Promise<void>((resolve) => s.close(() => resolve())) };
}

describe('runCheck', () => {
  test('retries until the edge answers without a server error', async () => {
    const edge = await server([502, 503, 403]);
    try {
      const result = await runCheck({ name: 'app', url: edge.url, expect: 'no-server-error' }, { attempts: 5, ...noWait });
      expect(result).toEqual({ ok: true, line: `smoke: app ${edge.url} -> HTTP 403: ok` });
      expect(edge.calls()).toBe(3);
    } finally {
      await edge.close();
    }
  });

  test('fails after the last attempt, naming the last status', async () => {
    const edge = await server([504]);
    try {
      const result = await runCheck({ name: 'app', url: edge.url, expect: 'no-server-error' }, { attempts: 2, ...noWait });
      expect(result).toEqual({ ok: false, line: `smoke: app ${edge.url} -> HTTP 504 after 2 attempt(s): FAILED` });
    } finally {
      await edge.close();
    }
  });

  test('"answers" passes on any HTTP response, and fails when nothing answers', async () => {
    const edge = await server([502]);
    try {
      expect((await runCheck({ name: 'api', url: edge.url, expect: 'answers' }, { attempts: 1, ...noWait })).ok).toBe(true);
    } finally {
      await edge.close();
    }
    const closed = await runCheck({ name: 'api', url: edge.url, expect: 'answers' }, { attempts: 1, ...noWait });
    expect(closed.ok).toBe(false);
    expect(closed.line).toMatch(/-> ECONNREFUSED after 1 attempt\(s\): FAILED$/);
  });
});

describe('npm run smoke', () => {
  const devAlone = withValue(dev, 'domain.delegatedFrom', undefined);
  const configFile = () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-')), 'config.json');
    fs.writeFileSync(file, JSON.stringify([devAlone]));
    return file;
  };
  const run = async (argv: string[], fetchStatus: (url: string) => number) => {
    const out: string[] = [];
    const err: string[] = [];
    const seen: string[] = [];
    const fakeFetch = (async (url: string) => {
      seen.push(url);
      return new Response('x', { status: fetchStatus(url) });
    }) as unknown as typeof fetch;
    const code = await main(
      argv,
      { PLATFORM_CONFIG_FILE: configFile() },
      (l) => out.push(l),
      (l) => err.push(l),
      fakeFetch,
      async () => undefined,
    );
    return { code, out, err, seen };
  };

  test("checks the environment's URLs from config and passes when the edge answers", async () => {
    const { code, out, seen } = await run(['--env', 'dev', '--attempts', '1'], () => 403);
    expect(code).toBe(0);
    expect(seen.sort()).toEqual(
      smokeChecks(devAlone)
        .map((c) => c.url)
        .sort(),
    );
    expect(out).toHaveLength(2);
  });

  test('a server error on the app host fails the check (exit code 1)', async () => {
    const { code, err } = await run(['--env', 'dev', '--attempts', '1', '--delay-seconds', '0'], (url) =>
      url.includes('//app.') ? 500 : 200,
    );
    expect(code).toBe(1);
    expect(err).toEqual([expect.stringMatching(/^smoke: app https:\/\/app\.\S+ -> HTTP 500 after 1 attempt\(s\): FAILED$/)]);
  });

  test.each([
    [[], 'smoke: --env <name> is required'],
    [['--env', 'qa'], 'smoke: no environment "qa"; use one of dev'],
    [
      ['--attempts', '0'],
      'smoke: unknown or malformed argument "--attempts"; use --env <name> [--attempts <n>=1..] [--delay-seconds <n>=0..]',
    ],
  ])('%j is one line and exit code 1', async (argv, message) => {
    const { code, err } = await run(argv as string[], () => 200);
    expect(code).toBe(1);
    expect(err).toEqual([message]);
  });
});
