import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DELIVERY } from '../../lib/config/delivery';
import {
  GATE_REVISION_FILE,
  GATE_REVISION_VARIABLE,
  GATE_SETUP_SECONDS,
  GATE_VARIABLES,
  gateBuildCommands,
  gateProjectName,
  gateRoleName,
  gateTimeoutMinutes,
} from '../../lib/config/release-gate';
import { ENVIRONMENTS } from '../../lib/config/environments';

/**
 * The gate's build commands, run for real with bash and jq (what CodeBuild's standard image runs),
 * with kubectl and aws replaced by fakes on PATH that record their arguments: the Application
 * verdict, the waits and the rollout status, as the release relies on them.
 */
const COMMIT = 'c'.repeat(40);
const OLDER = 'a'.repeat(40);
const LATER = 'f'.repeat(40);

interface Run {
  readonly code: number;
  readonly out: string;
  readonly kubectl: string[];
  readonly revision?: string;
  readonly exported?: string;
}

function runGate(application: object | 'error', options: { rolloutStatus?: number; workload?: string; syncTimeout?: number } = {}): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-'));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(dir, 'app.json'), JSON.stringify(application));
  fs.writeFileSync(
    path.join(bin, 'kubectl'),
    [
      '#!/bin/bash',
      `echo "$*" >> ${dir}/kubectl.log`,
      'case "$*" in',
      `  *"get application"*) ${application === 'error' ? 'echo "Forbidden" >&2; exit 1' : `cat ${dir}/app.json`} ;;`,
      `  *status*) exit ${options.rolloutStatus ?? 0} ;;`,
      'esac',
    ].join('\n'),
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(bin, 'aws'), `#!/bin/bash\necho "aws $*" >> ${dir}/kubectl.log\n`, { mode: 0o755 });
  const [script, exportLine] = gateBuildCommands({ clusterName: 'saas-platform-staging', region: 'eu-west-1' });
  const v = GATE_VARIABLES;
  const env = {
    PATH: `${bin}:${process.env.PATH}`,
    [v.service]: 'web-api',
    [v.namespace]: 'apps',
    [v.workload]: options.workload ?? 'rollout',
    [v.commit]: COMMIT,
    [v.before]: `${'b'.repeat(40)} ${OLDER}`,
    [v.syncTimeout]: String(options.syncTimeout ?? 0),
    [v.rolloutTimeout]: '660',
  };
  const r = spawnSync(
    'bash',
    ['-c', `${script}\nstatus=$?\n${exportLine} 2>/dev/null; echo "exported=$${GATE_REVISION_VARIABLE}"; exit $status`],
    {
      cwd: dir,
      env,
      encoding: 'utf8',
    },
  );
  const file = path.join(dir, GATE_REVISION_FILE);
  return {
    code: r.status ?? 1,
    out: r.stdout + r.stderr,
    kubectl: fs.existsSync(`${dir}/kubectl.log`) ? fs.readFileSync(`${dir}/kubectl.log`, 'utf8').trim().split('\n') : [],
    revision: fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined,
    exported: /exported=(.*)/.exec(r.stdout)?.[1],
  };
}

const app = (sync: object, health?: object, operationState?: object) => ({ status: { sync, health, operationState } });
const healthyAt = (revision: string) =>
  app({ status: 'Synced', revision }, { status: 'Healthy' }, { phase: 'Succeeded', syncResult: { revision } });

describe('release gate: names', () => {
  test.each(ENVIRONMENTS.map((e) => [e.name]))('%s: the project and its role are named from the environment', (name) => {
    expect(gateProjectName(name)).toBe(`saas-platform-${name}-release-gate`);
    expect(gateRoleName(name)).toBe(`saas-platform-${name}-release-gate`);
  });

  test("the build's limit covers both waits and the setup, within CodeBuild's 5..2160 minutes", () => {
    expect(gateTimeoutMinutes(DELIVERY.syncTimeoutSeconds, 660)).toBe(
      Math.ceil((DELIVERY.syncTimeoutSeconds + 660 + GATE_SETUP_SECONDS) / 60),
    );
    expect(gateTimeoutMinutes(0, 0)).toBe(10);
    expect(gateTimeoutMinutes(1, 0)).toBe(11);
    expect(gateTimeoutMinutes(200_000, 0)).toBe(2160);
  });
});

describe('release gate: the build commands', () => {
  test('Synced and Healthy at the commit: the rollout status is awaited with the timeout, and the revision is exported', () => {
    const run = runGate(healthyAt(COMMIT));
    expect(run.code).toBe(0);
    expect(run.kubectl).toEqual([
      'aws eks update-kubeconfig --name saas-platform-staging --region eu-west-1 --alias gate',
      '--context gate --namespace argocd get application web-api --output json',
      '--context gate --namespace apps argo rollouts status web-api --timeout 660s',
    ]);
    expect(run.out).toContain(`gate: Argo CD Application web-api: Synced and Healthy at ${COMMIT}`);
    expect(run.out).toContain('gate: rollout of web-api complete');
    expect([run.revision, run.exported]).toEqual([COMMIT, COMMIT]);
  });

  test('a later revision (another release landed after ours) counts; a Deployment is awaited by kubectl rollout status', () => {
    const run = runGate(healthyAt(LATER), { workload: 'deployment' });
    expect(run.code).toBe(0);
    expect(run.kubectl.at(-1)).toBe('--context gate --namespace apps rollout status deployment/web-api --timeout 660s');
    expect(run.exported).toBe(LATER);
  });

  test.each([
    ['an older revision', healthyAt(OLDER), `synced at ${OLDER}`],
    ['no revision yet', app({ status: 'Unknown' }), 'synced at nothing yet'],
    [
      'the commit, still progressing',
      app({ status: 'Synced', revision: COMMIT }, { status: 'Progressing' }),
      `Synced and Progressing at ${COMMIT}`,
    ],
  ])('%s: the gate waits, and fails after the sync timeout naming what it last saw', (_name, application, last) => {
    const run = runGate(application);
    expect(run.code).toBe(1);
    expect(run.out).toContain(`gate failed: Argo CD Application web-api not Synced and Healthy after 0s (${last})`);
    expect(run.kubectl.some((c) => c.includes('rollouts status'))).toBe(false);
    expect(run.revision).toBeUndefined();
  });

  test('a failed sync of the commit (a PreSync migration) fails at once', () => {
    const failed = app({ status: 'OutOfSync', revision: OLDER }, undefined, {
      phase: 'Failed',
      message: 'one or more synchronization tasks completed unsuccessfully',
      syncResult: { revision: COMMIT },
    });
    const run = runGate(failed, { syncTimeout: 900 });
    expect(run.code).toBe(1);
    expect(run.out).toContain(
      `gate failed: Argo CD Application web-api: sync of ${COMMIT} failed: one or more synchronization tasks completed unsuccessfully`,
    );
  });

  test('a failed sync of an OLDER revision is not ours: the gate keeps waiting', () => {
    const failed = app({ status: 'OutOfSync', revision: OLDER }, undefined, { phase: 'Error', syncResult: { revision: OLDER } });
    expect(runGate(failed).out).toContain(`not Synced and Healthy after 0s (synced at ${OLDER})`);
  });

  test('Degraded at the commit fails at once', () => {
    const run = runGate(app({ status: 'Synced', revision: COMMIT }, { status: 'Degraded', message: 'Rollout aborted' }), {
      syncTimeout: 900,
    });
    expect(run.code).toBe(1);
    expect(run.out).toContain(`gate failed: Argo CD Application web-api: Degraded at ${COMMIT}: Rollout aborted`);
  });

  test('a failed rollout fails the gate; no revision is exported', () => {
    const run = runGate(healthyAt(COMMIT), { rolloutStatus: 1 });
    expect(run.code).toBe(1);
    expect(run.out).toContain('gate failed: rollout of web-api');
    expect(run.revision).toBeUndefined();
  });

  test('an unreadable Application (RBAC, endpoint) is reported as what kubectl said', () => {
    const run = runGate('error');
    expect(run.code).toBe(1);
    expect(run.out).toContain('not Synced and Healthy after 0s (Forbidden)');
  });
});
