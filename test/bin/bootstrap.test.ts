import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../bin/bootstrap';
import { dev } from '../../lib/config/environments';
import { withValue } from '../helpers';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'bootstrap-'));

/** Runs main with captured output and a fake runner (no command ever runs in a test). */
function run(argv: string[], options: { env?: NodeJS.ProcessEnv; exitCodes?: number[] } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const ran: string[][] = [];
  const codes = [...(options.exitCodes ?? [])];
  const code = main(
    argv,
    options.env ?? {},
    (l) => out.push(l),
    (l) => err.push(l),
    (command) => {
      ran.push([...command]);
      return codes.shift() ?? 0;
    },
  );
  return { code, out: out.join('\n'), err: err.join('\n'), ran };
}

describe('npm run bootstrap', () => {
  test('prints the plan and writes its files, running nothing without --execute', () => {
    const outdir = tmp();
    const { code, out, ran } = run(['--env', 'dev', '--outdir', outdir]);
    expect(code).toBe(0);
    expect(ran).toEqual([]);
    expect(fs.readdirSync(path.join(outdir, 'dev')).sort()).toEqual([
      'argocd-namespace.k8s.yaml',
      'argocd-values.yaml',
      'root-application.k8s.yaml',
    ]);
    expect(out).toContain('1. kubectl context "saas-platform-dev" for the cluster');
    expect(out).toContain('helm upgrade --install argo-cd argo-cd');
    expect(out).toContain('Nothing was run; add --execute to run these commands in order.');
  });

  test('--execute runs the steps in order and is safe to run twice', () => {
    const outdir = tmp();
    const first = run(['--env', 'staging', '--outdir', outdir, '--execute']);
    const second = run(['--env', 'staging', '--outdir', outdir, '--execute']);
    expect(first.code).toBe(0);
    expect(first.ran.map((c) => c[0])).toEqual(['aws', 'kubectl', 'helm', 'kubectl']);
    expect(second.ran).toEqual(first.ran);
  });

  test('a failing step stops the run with its exit code and says which step', () => {
    const { code, err, ran } = run(['--env', 'dev', '--outdir', tmp(), '--execute'], { exitCodes: [0, 0, 3] });
    expect(code).toBe(3);
    expect(ran).toHaveLength(3);
    expect(err).toBe(
      'bootstrap: step 3 (Argo CD 10.1.1 with the values its own Application manages) failed with exit code 3; fix it and run the bootstrap again',
    );
  });

  test.each([
    [['--env', 'qa'], 'bootstrap: --env "qa" is not an environment; use one of dev, staging, prod'],
    [[], 'bootstrap: --env "" is not an environment; use one of dev, staging, prod'],
    [['--env'], 'bootstrap: unknown argument "--env"; use --env <name> [--execute] [--outdir <dir>]'],
    [['--force'], 'bootstrap: unknown argument "--force"; use --env <name> [--execute] [--outdir <dir>]'],
  ])('%j is refused: %s', (argv, message) => {
    const { code, err } = run(argv);
    expect(code).toBe(1);
    expect(err).toBe(message);
  });

  test('a bad configuration is reported and nothing is written', () => {
    const outdir = tmp();
    const file = path.join(tmp(), 'config.json');
    // dev alone: its zone is delegated by the registrar here, not by prod
    fs.writeFileSync(file, JSON.stringify([withValue(withValue(dev, 'gitops.path', '/abs'), 'domain.delegatedFrom', undefined)]));
    const { code, err } = run(['--env', 'dev', '--outdir', outdir], { env: { PLATFORM_CONFIG_FILE: file } });
    expect(code).toBe(1);
    expect(err).toBe(
      'Configuration has 1 problem(s); nothing was bootstrapped:\ndev.gitops.path: "/abs" is not valid; use a relative directory such as environments/prod (no leading /, no ..)',
    );
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  test('an unexpected failure is one line, not a stack trace', () => {
    const blocked = path.join(tmp(), 'file');
    fs.writeFileSync(blocked, '');
    const { code, err } = run(['--env', 'dev', '--outdir', blocked]);
    expect(code).toBe(1);
    expect(err).toMatch(/^bootstrap failed: /);
  });
});
