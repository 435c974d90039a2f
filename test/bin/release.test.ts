import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main, parseReleaseArgs, ReleaseIo, spawnExec, Exec } from '../../bin/release';
import { main as rollback } from '../../bin/rollback';
import { renderRelease, renderProblems, rolloutTimeoutSeconds } from '../../cdk8s/release';
import { deployRoleName, DIGEST_PATTERN, EnvironmentRelease, ServiceRelease } from '../../lib/config/delivery';
import { ENVIRONMENTS, prod, staging } from '../../lib/config/environments';
import { ecrRegistryHost } from '../../lib/config/naming';
import { servicesFor } from '../../lib/config/service-catalog';
import { GATE_REVISION_VARIABLE, GATE_VARIABLES, gateProjectName, gateTimeoutMinutes } from '../../lib/config/release-gate';

/**
 * The release and rollback CLIs against a real git repository (a local bare repository stands in
 * for the GitOps repository), with the registry, the cluster and CloudFront replaced by fakes that
 * record what was asked.
 */
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const COMMIT_1 = '1'.repeat(40);
const COMMIT_2 = '2'.repeat(40);
const git = (cwd: string, ...args: string[]) => {
  const r = spawnExec(['git', '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
};

/** A bare repository with a `main` branch and one commit, as a GitOps repository starts (a copy of one made once). */
function gitopsRepository(): string {
  seedRepository ??= newGitopsRepository();
  const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-origin-')), 'origin.git');
  fs.cpSync(seedRepository, copy, { recursive: true });
  return copy;
}
let seedRepository: string | undefined;

function newGitopsRepository(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-origin-'));
  const bare = path.join(root, 'origin.git');
  git(root, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  const seed = path.join(root, 'seed');
  git(root, 'clone', '--quiet', bare, seed);
  fs.writeFileSync(path.join(seed, 'README.md'), 'rendered manifests\n');
  git(seed, 'add', '.');
  git(seed, 'commit', '--quiet', '-m', 'init');
  git(seed, 'push', '--quiet', 'origin', 'HEAD:main');
  return bare;
}

/** The file content at the head of `main` in the bare repository. */
const show = (bare: string, file: string) => git(bare, 'show', `main:${file}`);
const releaseAt = (bare: string, env: string): EnvironmentRelease => JSON.parse(show(bare, `environments/${env}/release.json`));

interface Fakes {
  readonly asked: string[][];
  /** What `batch-get-builds` says of the gate build, given the last pushed GitOps commit (one entry per poll; the last repeats). */
  gate?: ((revision: string) => object)[];
  /** The environment the AWS CLI ran with, per call (the deploy role's credentials). */
  readonly envs?: NodeJS.ProcessEnv[];
  http?: number;
  registry?: Record<string, string>;
  beforePush?: () => void;
}

/** Real git; fake aws, kubectl and HTTP, which record their calls. */
function io(fakes: Fakes, lines: string[]): ReleaseIo {
  let lastPushed = '';
  const exec: Exec = (command, options) => {
    if (command[0] === 'git') {
      if (command.includes('push') && fakes.beforePush) {
        const hook = fakes.beforePush;
        fakes.beforePush = undefined;
        hook();
      }
      const r = spawnExec(command, options);
      if (command.includes('push') && r.status === 0) lastPushed = spawnExec(['git', 'rev-parse', 'HEAD'], options).stdout.trim();
      return r;
    }
    fakes.asked.push([...command]);
    if (command[0] === 'aws' && command[2] === 'describe-images') {
      const tag = command[command.indexOf('--image-ids') + 1].replace('imageTag=', '');
      const found = fakes.registry?.[`${command[command.indexOf('--repository-name') + 1]}:${tag}`];
      return found ? { status: 0, stdout: `${found}\n`, stderr: '' } : { status: 254, stdout: '', stderr: 'ImageNotFoundException' };
    }
    fakes.envs?.push(options?.env ?? {});
    if (command[0] === 'aws' && command[2] === 'assume-role') {
      const Credentials = { AccessKeyId: 'ASIAFAKE', SecretAccessKey: 'fake-secret', SessionToken: 'fake-session' };
      return { status: 0, stdout: JSON.stringify({ Credentials }), stderr: '' };
    }
    if (command[0] === 'aws' && command[2] === 'start-build')
      return { status: 0, stdout: JSON.stringify({ build: { id: GATE_BUILD } }), stderr: '' };
    if (command[0] === 'aws' && command[2] === 'batch-get-builds') {
      const answer = fakes.gate!.length > 1 ? fakes.gate!.shift()! : fakes.gate![0];
      return { status: 0, stdout: JSON.stringify({ builds: [answer(lastPushed)] }), stderr: '' };
    }
    return { status: 1, stdout: '', stderr: `unexpected ${command.join(' ')}` };
  };
  return { exec, sleep: async () => undefined, httpStatus: async () => fakes.http ?? 200, log: (l) => lines.push(l) };
}

const GATE_BUILD = 'saas-platform-staging-release-gate:0b1c';
const LOG = 'https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/gate';
/** The gate build passed at the pushed revision (it exports it). */
const passed = (revision: string) => ({
  id: GATE_BUILD,
  buildStatus: 'SUCCEEDED',
  exportedEnvironmentVariables: [{ name: GATE_REVISION_VARIABLE, value: revision }],
});
const running = () => ({ id: GATE_BUILD, buildStatus: 'IN_PROGRESS' });
/** The gate build failed in its build phase (the rollout was aborted, say). */
const failed = () => ({
  id: GATE_BUILD,
  buildStatus: 'FAILED',
  phases: [
    { phaseType: 'INSTALL', phaseStatus: 'SUCCEEDED' },
    { phaseType: 'BUILD', phaseStatus: 'FAILED', contexts: [{ message: 'Error while executing command: (... Reason: exit status 1' }] },
  ],
  logs: { deepLink: LOG },
});

const webApi = servicesFor('staging').find((s) => s.name === 'web-api')!;
const release = (env: string, commit: string, image: string, migrations: string, ...extra: string[]) => [
  '--env',
  env,
  '--service',
  'web-api',
  '--commit',
  commit,
  '--digest',
  image,
  '--migrations-digest',
  migrations,
  ...extra,
];

describe('npm run release', () => {
  test('commits the release state and the rendered environment; every image of the commit is pinned by the digest', async () => {
    // GIVEN an empty GitOps repository
    const bare = gitopsRepository();
    const lines: string[] = [];
    // WHEN web-api is released to staging
    const code = await main(
      release('staging', COMMIT_1, digest('a'), digest('b'), '--push', '--gitops-repo', bare),
      {},
      io({ asked: [] }, lines),
    );
    // THEN one commit holds release.json, the root Application's files and web-api's directory
    expect([code, lines.at(-1)]).toEqual([
      0,
      expect.stringMatching(/^release: committed [0-9a-f]{40} to .*: release staging web-api sha256:a{64} \(1{40}\)$/),
    ]);
    expect(releaseAt(bare, 'staging')).toEqual({
      services: { 'web-api': { commit: COMMIT_1, image: digest('a'), migrations: digest('b') } },
    });
    const files = git(bare, 'ls-tree', '-r', '--name-only', 'main', 'environments/staging').split('\n');
    expect(files).toEqual(
      [
        '0000-platform.k8s.yaml',
        '0001-addons.k8s.yaml',
        '0002-cluster-config.k8s.yaml',
        '0003-monitoring.k8s.yaml',
        '0004-services.k8s.yaml',
        'release.json',
        'services/web-api/web-api.k8s.yaml',
      ].map((f) => `environments/staging/${f}`),
    );
    const service = show(bare, 'environments/staging/services/web-api/web-api.k8s.yaml');
    const registry = ecrRegistryHost(staging.region);
    expect(service).toContain(`image: ${registry}/web-api@${digest('a')}`);
    expect(service).toContain(`image: ${registry}/web-api@${digest('b')}`);
    expect(service.match(/image: .*/g)!.filter((line) => !line.includes('@sha256:'))).toEqual([]);
  });

  test('reads the digests from the registry by the commit tag when none is given', async () => {
    const bare = gitopsRepository();
    const fakes: Fakes = { asked: [], registry: { [`web-api:${COMMIT_1}`]: digest('c'), [`web-api:${COMMIT_1}-migrations`]: digest('d') } };
    expect(
      await main(['--env', 'staging', '--service', 'web-api', '--commit', COMMIT_1, '--push', '--gitops-repo', bare], {}, io(fakes, [])),
    ).toBe(0);
    expect(releaseAt(bare, 'staging').services['web-api']).toEqual({ commit: COMMIT_1, image: digest('c'), migrations: digest('d') });
    expect(fakes.asked.map((c) => c.slice(0, 3).join(' '))).toEqual(['aws ecr describe-images', 'aws ecr describe-images']);
    // an image that was never pushed stops the release before anything is committed
    const lines: string[] = [];
    expect(
      await main(['--env', 'staging', '--service', 'web-api', '--commit', COMMIT_2, '--push', '--gitops-repo', bare], {}, io(fakes, lines)),
    ).toBe(1);
    expect(lines).toEqual([
      `release: web-api:${COMMIT_2} is not in the registry (ImageNotFoundException); build and push it first (npm run image)`,
    ]);
  });

  test('promotion to prod commits the very digest staging runs', async () => {
    const bare = gitopsRepository();
    await main(release('staging', COMMIT_1, digest('a'), digest('b'), '--push', '--gitops-repo', bare), {}, io({ asked: [] }, []));
    expect(
      await main(
        ['--env', 'prod', '--service', 'web-api', '--from', 'staging', '--push', '--gitops-repo', bare],
        {},
        io({ asked: [] }, []),
      ),
    ).toBe(0);
    expect(releaseAt(bare, 'prod').services['web-api']).toEqual(releaseAt(bare, 'staging').services['web-api']);
    expect(show(bare, 'environments/prod/services/web-api/web-api.k8s.yaml')).toContain(
      `${ecrRegistryHost(prod.region)}/web-api@${digest('a')}`,
    );
  });

  test("the gates: the environment's gate build, started as its deploy role, passes at the commit; then the endpoint answers through CloudFront", async () => {
    // GIVEN a gate build that runs for one poll, then passes at the pushed commit
    const bare = gitopsRepository();
    const fakes: Fakes = { asked: [], envs: [], gate: [running, passed] };
    const lines: string[] = [];
    // WHEN web-api is released to staging and waited for
    expect(
      await main(release('staging', COMMIT_1, digest('a'), digest('b'), '--push', '--wait', '--gitops-repo', bare), {}, io(fakes, lines)),
    ).toBe(0);
    // THEN the release assumed the deploy role, started the gate with the service's inputs, and polled it
    const pushed = git(bare, 'rev-parse', 'main');
    const v = GATE_VARIABLES;
    expect(fakes.asked.map((c) => c.slice(0, 3).join(' '))).toEqual([
      'aws sts assume-role',
      'aws codebuild start-build',
      'aws codebuild batch-get-builds',
      'aws codebuild batch-get-builds',
    ]);
    expect(fakes.asked[0]).toEqual([
      'aws',
      'sts',
      'assume-role',
      '--role-arn',
      `arn:aws:iam::${staging.account}:role/${deployRoleName('staging')}`,
      '--role-session-name',
      'release-web-api',
      '--output',
      'json',
    ]);
    const start = fakes.asked[1];
    expect(start.slice(0, 9)).toEqual([
      'aws',
      'codebuild',
      'start-build',
      '--region',
      staging.region,
      '--project-name',
      gateProjectName('staging'),
      '--timeout-in-minutes-override',
      String(gateTimeoutMinutes(900, rolloutTimeoutSeconds(webApi))),
    ]);
    const overrides = JSON.parse(start[start.indexOf('--environment-variables-override') + 1]);
    const init = git(bare, 'rev-list', '--max-parents=0', 'main');
    expect(overrides).toEqual([
      { name: v.service, value: 'web-api', type: 'PLAINTEXT' },
      { name: v.namespace, value: 'apps', type: 'PLAINTEXT' },
      { name: v.workload, value: 'rollout', type: 'PLAINTEXT' },
      { name: v.commit, value: pushed, type: 'PLAINTEXT' },
      { name: v.before, value: init, type: 'PLAINTEXT' },
      { name: v.syncTimeout, value: '900', type: 'PLAINTEXT' },
      { name: v.rolloutTimeout, value: String(rolloutTimeoutSeconds(webApi)), type: 'PLAINTEXT' },
    ]);
    expect(fakes.asked[2]).toEqual([
      'aws',
      'codebuild',
      'batch-get-builds',
      '--region',
      staging.region,
      '--ids',
      GATE_BUILD,
      '--output',
      'json',
    ]);
    // the gate's calls carry the deploy role's session, never the GitOps token
    for (const env of fakes.envs!.slice(1)) {
      expect([env.AWS_ACCESS_KEY_ID, env.AWS_SESSION_TOKEN, env.GITOPS_TOKEN]).toEqual(['ASIAFAKE', 'fake-session', undefined]);
    }
    expect(lines.slice(-4)).toEqual([
      `gate: started ${GATE_BUILD} in staging`,
      `gate: ${GATE_BUILD}: Argo CD Application web-api Synced and Healthy at ${pushed}, rollout complete`,
      `gate: GET https://api.staging.example.com/api/health/ready answered 200`,
      'release: web-api is live in staging',
    ]);
  });

  test('a failed gate reverts the GitOps commit: the desired state is the last good digest again, and the release fails', async () => {
    const bare = gitopsRepository();
    await main(release('staging', COMMIT_1, digest('a'), digest('b'), '--push', '--gitops-repo', bare), {}, io({ asked: [] }, []));
    const good = releaseAt(bare, 'staging');
    const goodService = show(bare, 'environments/staging/services/web-api/web-api.k8s.yaml');
    // WHEN the next release's gate build fails (the canary analysis aborted the rollout)
    const lines: string[] = [];
    const code = await main(
      release('staging', COMMIT_2, digest('e'), digest('f'), '--push', '--wait', '--gitops-repo', bare),
      {},
      io({ asked: [], gate: [failed] }, lines),
    );
    // THEN the release fails naming the build and its log, and the head of the GitOps branch reverts that release
    expect(code).toBe(1);
    const reason = `release gate ${GATE_BUILD} FAILED in BUILD: Error while executing command: (... Reason: exit status 1; its log says why: ${LOG}`;
    expect(lines).toContain(`release: gate failed: ${reason}`);
    expect(git(bare, 'log', '-1', '--format=%B', 'main')).toMatch(
      new RegExp(`^Revert "release staging web-api ${digest('e')} \\(${COMMIT_2}\\)"\\n\\nThis reverts commit [0-9a-f]{40}: release gate `),
    );
    expect(releaseAt(bare, 'staging')).toEqual(good);
    expect(show(bare, 'environments/staging/services/web-api/web-api.k8s.yaml')).toBe(goodService);
  });

  test('a gate that passed at a revision BEFORE the commit (Argo CD far behind) fails: Git decides, not the gate', async () => {
    const bare = gitopsRepository();
    const init = git(bare, 'rev-parse', 'main');
    const lines: string[] = [];
    expect(
      await main(
        release('staging', COMMIT_1, digest('a'), digest('b'), '--push', '--wait', '--gitops-repo', bare),
        {},
        io({ asked: [], gate: [() => passed(init)] }, lines),
      ),
    ).toBe(1);
    expect(lines.find((l) => l.startsWith('release: gate failed'))).toMatch(
      new RegExp(`release gate ${GATE_BUILD} passed at ${init}, which is before [0-9a-f]{40} \\(Argo CD is far behind\\)$`),
    );
    // the first release of a service reverts to no release at all
    expect(releaseAt(bare, 'staging')).toEqual({ services: {} });
  });

  test('no way into the environment (the deploy role cannot be assumed) fails the gate; a gate still running past its limit too', async () => {
    const bare = gitopsRepository();
    const denied: string[] = [];
    const noAccess = io({ asked: [] }, denied);
    const exec = noAccess.exec;
    const refusing: ReleaseIo = {
      ...noAccess,
      exec: (c, o) => (c[2] === 'assume-role' ? { status: 254, stdout: '', stderr: 'AccessDenied' } : exec(c, o)),
    };
    expect(
      await main(release('staging', COMMIT_1, digest('a'), digest('b'), '--push', '--wait', '--gitops-repo', bare), {}, refusing),
    ).toBe(1);
    expect(denied).toContain(`release: gate failed: gate access (${deployRoleName('staging')}): AccessDenied`);
    const lines: string[] = [];
    expect(
      await main(
        release('staging', COMMIT_2, digest('c'), digest('d'), '--push', '--wait', '--gitops-repo', bare),
        {},
        io({ asked: [], gate: [running] }, lines),
      ),
    ).toBe(1);
    const limit = gateTimeoutMinutes(900, rolloutTimeoutSeconds(webApi)) * 60 + 600;
    expect(lines).toContain(`release: gate failed: release gate ${GATE_BUILD} still running after ${limit}s`);
  });

  test('a push rejected because another release landed first is retried on top of it; both releases stay', async () => {
    const bare = gitopsRepository();
    const fakes: Fakes = {
      asked: [],
      // another pipeline releases auth-service between our commit and our push
      beforePush: () => {
        void main(
          [
            '--env',
            'staging',
            '--service',
            'auth-service',
            '--commit',
            COMMIT_1,
            '--digest',
            digest('9'),
            '--migrations-digest',
            digest('8'),
            '--push',
            '--gitops-repo',
            bare,
          ],
          {},
          io({ asked: [] }, []),
        );
      },
    };
    expect(await main(release('staging', COMMIT_1, digest('a'), digest('b'), '--push', '--gitops-repo', bare), {}, io(fakes, []))).toBe(0);
    expect(Object.keys(releaseAt(bare, 'staging').services)).toEqual(['auth-service', 'web-api']);
  });

  test('without --push the render is written into the checkout and nothing is committed', async () => {
    const bare = gitopsRepository();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-'));
    git(dir, 'clone', '--quiet', bare, '.');
    const lines: string[] = [];
    expect(await main(release('dev', COMMIT_1, digest('a'), digest('b'), '--gitops-dir', dir), {}, io({ asked: [] }, lines))).toBe(0);
    expect(fs.existsSync(path.join(dir, 'environments/dev/services/web-api/web-api.k8s.yaml'))).toBe(true);
    expect(git(bare, 'log', '--format=%s', 'main')).toBe('init');
    expect(lines).toEqual([`release: rendered dev into ${path.join(dir, 'environments/dev')}; nothing committed (add --push)`]);
  });

  test('bad arguments are named', () => {
    expect(parseReleaseArgs(['--env'])).toMatch(/^unknown argument "--env"; use --env <name>/);
    expect(parseReleaseArgs(['--service', 'x'])).toMatch(/^--env is required; use/);
    expect(parseReleaseArgs(['--env', 'dev', '--wait'])).toBe('--wait needs --push (the gates watch what was committed)');
    expect(parseReleaseArgs(['--env', 'dev', '--push', '--wait'])).toBe('--wait needs --service (the gates watch one service)');
  });

  test.each([
    [['--env', 'qa'], 'release: --env "qa" is not an environment; use one of dev, staging, prod'],
    [['--env', 'dev', '--service', 'nope'], 'release: --service "nope" is not in the catalog of dev'],
    [
      ['--env', 'dev', '--service', 'worker', '--gitops-dir', os.tmpdir()],
      'release: --service needs --commit <sha> (or --from <env> to promote)',
    ],
    [['--env', 'dev', '--service', 'worker', '--from', 'qa', '--gitops-dir', os.tmpdir()], 'release: --from "qa" is not an environment'],
  ])('%j is refused: %s', async (argv, message) => {
    const lines: string[] = [];
    expect(await main(argv, {}, io({ asked: [] }, lines))).toBe(1);
    expect(lines).toEqual([message]);
  });
});

describe('npm run rollback', () => {
  test('one command puts back the digest the service ran before; --to picks an earlier one', async () => {
    const bare = gitopsRepository();
    const first = { commit: COMMIT_1, image: digest('a'), migrations: digest('b') };
    await main(release('prod', COMMIT_1, first.image, first.migrations, '--push', '--gitops-repo', bare), {}, io({ asked: [] }, []));
    await main(release('prod', COMMIT_2, digest('c'), digest('d'), '--push', '--gitops-repo', bare), {}, io({ asked: [] }, []));
    const lines: string[] = [];
    expect(await rollback(['--env', 'prod', '--service', 'web-api', '--gitops-repo', bare], {}, io({ asked: [] }, lines))).toBe(0);
    expect(releaseAt(bare, 'prod').services['web-api']).toEqual(first);
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^rollback: committed [0-9a-f]{40}: rollback prod web-api to ${first.image} \\(${COMMIT_1}\\)$`)),
    ]);
    // --to: any digest the service ran here, with the migrations image it ran with
    expect(
      await rollback(['--env', 'prod', '--service', 'web-api', '--to', digest('c'), '--gitops-repo', bare], {}, io({ asked: [] }, [])),
    ).toBe(0);
    expect(releaseAt(bare, 'prod').services['web-api']).toEqual({ commit: COMMIT_2, image: digest('c'), migrations: digest('d') });
    const refused: string[] = [];
    expect(
      await rollback(['--env', 'prod', '--service', 'web-api', '--to', digest('e'), '--gitops-repo', bare], {}, io({ asked: [] }, refused)),
    ).toBe(1);
    expect(refused).toEqual([`rollback: web-api never ran ${digest('e')} here; give a digest from the history of release.json`]);
  });

  test('--wait holds the same gates; a service never released cannot be rolled back', async () => {
    const bare = gitopsRepository();
    await main(release('staging', COMMIT_1, digest('a'), digest('b'), '--push', '--gitops-repo', bare), {}, io({ asked: [] }, []));
    await main(release('staging', COMMIT_2, digest('c'), digest('d'), '--push', '--gitops-repo', bare), {}, io({ asked: [] }, []));
    const lines: string[] = [];
    expect(
      await rollback(
        ['--env', 'staging', '--service', 'web-api', '--wait', '--gitops-repo', bare],
        {},
        io({ asked: [], gate: [passed] }, lines),
      ),
    ).toBe(0);
    expect(lines.at(-1)).toBe(`rollback: web-api runs ${digest('a')} in staging`);
    const refused: string[] = [];
    expect(await rollback(['--env', 'staging', '--service', 'worker', '--gitops-repo', bare], {}, io({ asked: [] }, refused))).toBe(1);
    expect(refused).toEqual(['rollback: worker was never released here; nothing to roll back']);
  });
});

describe('render of a deployable environment', () => {
  /** Every service of the environment released (the state after the first full release). */
  const everyService = (env: string): EnvironmentRelease => ({
    services: Object.fromEntries(
      servicesFor(env).map((s, i): [string, ServiceRelease] => [
        s.name,
        { commit: COMMIT_1, image: digest(String(i)), ...(s.database ? { migrations: digest('f') } : {}) },
      ]),
    ),
  });

  test.each(ENVIRONMENTS.map((e) => [e.name, e] as const))(
    '%s: no manifest holds a placeholder or a tag instead of the digest',
    (_n, config) => {
      const files = renderRelease(config, everyService(config.name));
      expect(renderProblems(files, ecrRegistryHost(config.region))).toEqual([]);
      const images = files
        .flatMap((f) => f.documents)
        .flatMap((d) => [...(d.spec?.template?.spec?.containers ?? []), ...(d.spec?.template?.spec?.initContainers ?? [])]);
      expect(images.length).toBeGreaterThan(0);
      for (const { image } of images) expect(DIGEST_PATTERN.test(String(image).split('@')[1])).toBe(true);
    },
  );

  test('a tag, a placeholder or an unresolved token is caught, naming the file and object', () => {
    const registry = ecrRegistryHost(staging.region);
    const doc = (image: string, extra: Record<string, string> = {}) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x', namespace: 'apps', annotations: extra },
      spec: { template: { metadata: {}, spec: { containers: [{ name: 'x', image }] } } },
    });
    expect(
      renderProblems(
        [
          {
            path: 'a.k8s.yaml',
            documents: [doc(`${registry}/web-api:1.0.0`), doc(`${registry}/web-api@${digest('a')}`, { note: '<account-id>' })],
          },
          { path: 'b.k8s.yaml', documents: [doc(`${registry}/web-api@${digest('a')}`, { arn: '${Token[TOKEN.12]}' })] },
        ],
        registry,
      ),
    ).toEqual([
      `a.k8s.yaml Deployment/apps/x: image ${registry}/web-api:1.0.0 is not pinned by digest (${registry}/<repository>@sha256:...)`,
      'a.k8s.yaml Deployment/apps/x: "<account-id>" holds a placeholder',
      'b.k8s.yaml Deployment/apps/x: "${Token[TOKEN.12]}" holds a placeholder',
    ]);
  });

  test('a release file with a bad entry is refused with one line per problem, nothing written', async () => {
    expect(() =>
      renderRelease(staging, {
        services: { 'web-api': { commit: 'abc', image: 'sha256:1', migrations: undefined } as unknown as ServiceRelease },
      }),
    ).toThrow(
      [
        'release.json services.web-api.commit: "abc" is not a commit; use 40 hex digits',
        'release.json services.web-api.image: "sha256:1" is not a digest; use sha256: and 64 hex digits',
        'release.json services.web-api.migrations: undefined is not a digest; web-api uses the database, its migrations image is released with it',
      ].join('\n'),
    );
    expect(() => renderRelease(staging, {} as EnvironmentRelease)).toThrow(
      'release.json: has no "services" object; expected {"services": {"<service>": {"commit", "image", "migrations"?}}}',
    );
  });
});
