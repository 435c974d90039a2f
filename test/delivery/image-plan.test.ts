import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main, runPlan, StepRunner } from '../../bin/image';
import { DELIVERY } from '../../lib/config/delivery';
import { imageSigningKey } from '../../lib/config/image-signing';
import { ecrRegistryHost } from '../../lib/config/naming';
import { SERVICE_CATALOG } from '../../lib/config/service-catalog';
import { imagePlan, ImageStep, resolveStep } from '../../lib/delivery/image-plan';

const COMMIT = 'b'.repeat(40);
const REGISTRY = ecrRegistryHost('eu-west-1');
const KEY = imageSigningKey();
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const planOf = (name: string) =>
  imagePlan({
    service: SERVICE_CATALOG.services.find((s) => s.name === name)!,
    commit: COMMIT,
    registry: REGISTRY,
    region: 'eu-west-1',
    signingKey: KEY,
    settings: DELIVERY,
  });
const stages = (steps: readonly ImageStep[]) => [...new Set(steps.map((s) => s.stage))];
const index = (steps: readonly ImageStep[], pred: (s: ImageStep) => boolean) => steps.findIndex(pred);

describe('image plan: build -> scan -> test -> push -> sign -> verify', () => {
  test.each(SERVICE_CATALOG.services.map((s) => [s.name, s] as const))(
    '%s: the stages come in order, nothing is pushed before the scan and the tests',
    (name, service) => {
      const steps = planOf(name);
      expect(stages(steps)).toEqual(['build', 'scan', 'test', 'push', 'sign', 'verify']);
      const images = [
        `${REGISTRY}/${service.image.repository}:${COMMIT}`,
        ...(service.database ? [`${REGISTRY}/${service.image.repository}:${COMMIT}-migrations`] : []),
      ];
      for (const ref of images) {
        const scan = index(steps, (s) => s.stage === 'scan' && s.command.at(-1) === ref);
        const push = index(steps, (s) => s.command[1] === 'push' && s.command.at(-1) === ref);
        expect([ref, scan >= 0, scan < push, push > index(steps, (s) => s.stage === 'test')]).toEqual([ref, true, true, true]);
      }
      // every pushed image is signed, then verified, by its digest (never a tag)
      const signs = steps.filter((s) => s.command[1] === 'sign');
      const verifies = steps.filter((s) => s.command[1] === 'verify');
      expect(signs.map((s) => s.command.at(-1))).toEqual(
        images.map((_r, i) => `${REGISTRY}/${service.image.repository}@{digest:${i === 0 ? 'image' : 'migrations'}}`),
      );
      expect(verifies.map((s) => s.command.at(-1))).toEqual(signs.map((s) => s.command.at(-1)));
    },
  );

  test('the scan fails the build on the configured severities, before any push', () => {
    const scans = planOf('web-api').filter((s) => s.stage === 'scan');
    expect(scans).toHaveLength(2);
    for (const s of scans)
      expect(s.command.slice(0, 7)).toEqual([
        'trivy',
        'image',
        '--exit-code',
        '1',
        '--severity',
        DELIVERY.failOnSeverities.join(','),
        '--scanners',
      ]);
    const unfixed = imagePlan({
      service: SERVICE_CATALOG.services[0],
      commit: COMMIT,
      registry: REGISTRY,
      region: 'eu-west-1',
      signingKey: KEY,
      settings: { ...DELIVERY, ignoreUnfixed: true },
    });
    expect(unfixed.find((s) => s.stage === 'scan')!.command).toContain('--ignore-unfixed');
  });

  test('signing uses the key the admission policy verifies, with the flags that keep the signature where Kyverno looks', () => {
    const sign = planOf('web-api').find((s) => s.stage === 'sign')!;
    expect(sign.command.slice(0, 8)).toEqual([
      'cosign',
      'sign',
      '--yes',
      '--key',
      KEY.kmsUri,
      '--tlog-upload=false',
      '--new-bundle-format=false',
      '--use-signing-config=false',
    ]);
    const verify = planOf('web-api').find((s) => s.stage === 'verify')!;
    expect(verify.command.slice(0, 6)).toEqual([
      'cosign',
      'verify',
      '--key',
      KEY.kmsUri,
      '--insecure-ignore-tlog=true',
      '--new-bundle-format=false',
    ]);
  });

  test('integration tests run against a real PostgreSQL of the RDS major version, migrated by the migrations image, removed afterwards', () => {
    const steps = planOf('web-api');
    const tests = steps.filter((s) => s.stage === 'test');
    expect(tests.find((s) => s.command.includes(DELIVERY.testDatabaseImage))).toBeDefined();
    const migrate = index(steps, (s) => s.stage === 'test' && s.command.at(-1) === `${REGISTRY}/web-api:${COMMIT}-migrations`);
    const run = index(steps, (s) => s.description === 'run them against the database');
    expect(migrate).toBeGreaterThan(0);
    expect(run).toBeGreaterThan(migrate);
    expect(tests.filter((s) => s.always).map((s) => s.command.slice(0, 3).join(' '))).toEqual(['docker rm --force', 'docker network rm']);
    // the password is passed by name only: no command holds it
    for (const s of steps) expect(s.command.filter((a) => /PASSWORD=/.test(a))).toEqual([]);
    // a service without the database has no database and no migrations image
    const plain = imagePlan({
      service: { name: 'static-site', image: { repository: 'static-site' } },
      commit: COMMIT,
      registry: REGISTRY,
      region: 'eu-west-1',
      signingKey: KEY,
      settings: DELIVERY,
    });
    expect(plain.some((s) => s.command.includes(DELIVERY.testDatabaseImage) || s.command.some((a) => a.endsWith('-migrations')))).toBe(
      false,
    );
    expect(plain.find((s) => s.description === 'run them')!.command).toEqual([
      'docker',
      'run',
      '--rm',
      '--network',
      `it-static-site-${COMMIT.slice(0, 12)}`,
      `static-site-integration-test:${COMMIT}`,
    ]);
  });

  test('captured digests fill later steps; a missing one is an error', () => {
    expect(resolveStep(['x@{digest:image}'], { image: digest('a') })).toEqual([`x@${digest('a')}`]);
    expect(() => resolveStep(['x@{digest:image}'], {})).toThrow('no digest "image" was captured before it is used');
  });
});

describe('npm run image', () => {
  const fake = (failOn?: (c: readonly string[]) => boolean): { run: StepRunner; asked: { command: string[]; input?: string }[] } => {
    const asked: { command: string[]; input?: string }[] = [];
    const run: StepRunner = (command, options) => {
      asked.push({ command: [...command], input: options.input });
      if (failOn?.(command)) return { status: 1, stdout: '' };
      if (command[1] === 'inspect')
        return { status: 0, stdout: `${command.at(-1)!.split(':')[0]}@${digest(command.at(-1)!.endsWith('-migrations') ? 'd' : 'c')}\n` };
      if (command[1] === 'ecr') return { status: 0, stdout: 'registry-password' };
      return { status: 0, stdout: '' };
    };
    return { run, asked };
  };

  test('runs every step, signs the pushed digests and writes them for the release step', () => {
    const { run, asked } = fake();
    const lines: string[] = [];
    const out = path.join(os.tmpdir(), `image-${process.pid}.json`);
    expect(main(['--service', 'web-api', '--commit', COMMIT, '--execute', '--output', out], {}, (l) => lines.push(l), run)).toBe(0);
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual({
      service: 'web-api',
      commit: COMMIT,
      image: digest('c'),
      migrations: digest('d'),
    });
    expect(asked.find((a) => a.command[0] === 'cosign')!.command.at(-1)).toBe(`${REGISTRY}/web-api@${digest('c')}`);
    // the registry password goes through standard input, and is in no log line
    expect(asked.find((a) => a.command[1] === 'login')!.input).toBe('registry-password');
    expect(lines.join('\n')).not.toContain('registry-password');
  });

  test('a failed scan stops the build before anything is pushed, and the clean-up still runs', () => {
    const { run, asked } = fake((c) => c[0] === 'trivy');
    const lines: string[] = [];
    expect(main(['--service', 'web-api', '--commit', COMMIT, '--execute'], {}, (l) => lines.push(l), run)).toBe(1);
    expect(asked.some((a) => a.command[1] === 'push' || a.command[0] === 'cosign')).toBe(false);
    expect(asked.at(-1)!.command.slice(0, 3)).toEqual(['docker', 'network', 'rm']);
    expect(lines.at(-1)).toBe(
      `image: failed at scan: ${REGISTRY}/web-api:${COMMIT}: fails on ${DELIVERY.failOnSeverities.join(', ')} (exit 1)`,
    );
  });

  test('without --execute it prints the plan; the commit comes from the build when not given; bad input is named', () => {
    const lines: string[] = [];
    expect(main(['--service', 'worker'], { CODEBUILD_RESOLVED_SOURCE_VERSION: COMMIT }, (l) => lines.push(l))).toBe(0);
    expect(lines.at(-1)).toBe('Nothing was run; add --execute.');
    const errors: string[] = [];
    expect(main(['--service', 'nope', '--commit', COMMIT], {}, (l) => errors.push(l))).toBe(1);
    expect(main(['--service', 'worker', '--commit', 'abc'], {}, (l) => errors.push(l))).toBe(1);
    expect(main(['--bogus'], {}, (l) => errors.push(l))).toBe(1);
    expect(errors).toEqual([
      `image: --service "nope" is not in the catalog; use one of ${SERVICE_CATALOG.services.map((s) => s.name).join(', ')}`,
      'image: the commit "abc" is not a full commit id (40 hex digits); give --commit',
      'image: unknown argument "--bogus"; use --service <name> --commit <sha> [--execute] [--output <file>]',
    ]);
  });

  test('a failing registry login is reported as the push failure', () => {
    const { run } = fake((c) => c[1] === 'ecr');
    expect(() => runPlan(planOf('worker'), run, {}, () => undefined)).toThrow(
      'push: aws ecr get-login-password --region eu-west-1 exited 1',
    );
  });
});
