import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { synthesizeInProcess } from './app-process';

const ROOT = path.join(__dirname, '..');
const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
const jestConfig = require(path.join(ROOT, 'jest.config.js')); // eslint-disable-line @typescript-eslint/no-require-imports

/** Test and spec files below `dir`, relative to the repository root. */
function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === '__snapshots__' ? [] : testFiles(full);
    return /\.(test|spec)\.ts$/.test(e.name) ? [path.relative(ROOT, full)] : [];
  });
}

/** The test file that runs a file: itself, or for a spec the group file (test/group.ts) whose folders hold it. */
function runBy(file: string): string {
  if (file.endsWith('.test.ts')) return file;
  const groups = testFiles(path.join(ROOT, 'test')).filter((f) => f.endsWith('/all.test.ts'));
  const folder = file.split('/')[1];
  const group = groups.find((g) => {
    const dirs = /runSpecs\(.*, \[([^\]]*)\]\);/.exec(fs.readFileSync(path.join(ROOT, g), 'utf8'))?.[1] ?? '';
    return dirs.split(',').some((d) => d.trim().replace(/'/g, '') === folder);
  });
  if (!group) throw new Error(`no all.test.ts runs ${file}`);
  return group;
}

describe('test tooling', () => {
  test('a test run never writes a new snapshot: jest runs with --ci (config and npm test)', () => {
    expect(jestConfig.ci).toBe(true);
    expect(scripts.test).toMatch(/jest --ci\b/);
  });

  test('`npm run test:update` rewrites every snapshot file and the pinned stateful IDs in one step', () => {
    // GIVEN every test file that takes snapshots
    const withSnapshots = testFiles(path.join(ROOT, 'test')).filter((f) =>
      /toMatch(Inline)?Snapshot\(/.test(fs.readFileSync(path.join(ROOT, f), 'utf8')),
    );
    // THEN test:update runs each of them with -u, and the stateful-ID pins with UPDATE_STATEFUL_IDS
    expect(withSnapshots.length).toBeGreaterThan(0);
    for (const file of withSnapshots) expect(scripts['test:update']).toContain(runBy(file));
    expect(scripts['test:update']).toMatch(/^UPDATE_STATEFUL_IDS=1 jest --ci=false --updateSnapshot /);
    expect(scripts['test:update']).toContain(runBy('test/stacks/stateful-logical-ids.spec.ts'));
  });

  test('every spec file is run by a group file (a spec no group names would never run)', () => {
    const specs = testFiles(path.join(ROOT, 'test')).filter((f) => f.endsWith('.spec.ts'));
    expect(specs.length).toBeGreaterThan(0);
    for (const spec of specs) expect(runBy(spec)).toMatch(/\/all\.test\.ts$/);
  });

  test('a spec file shares its module registry safely: no module or SDK mocks, no process.env writes, no snapshots', () => {
    // GIVEN the rules of test/group.ts: a spec runs after others in one registry
    const leaks: [RegExp, string][] = [
      [/\bjest\.(mock|doMock|unstable_mockModule)\(/, 'replaces a module'],
      [/\bmockClient\(/, 'mocks an SDK client'],
      [/\bjest\.(spyOn|replaceProperty|useFakeTimers)\(/, 'patches a shared object or the clock'],
      [/process\.env(\.\w+|\[[^\]]+\])\s*=[^=]|delete process\.env|Object\.assign\(process\.env/, 'writes process.env'],
      [/toMatch(Inline)?Snapshot\(/, 'takes a snapshot'],
    ];
    const specs = testFiles(path.join(ROOT, 'test')).filter((f) => f.endsWith('.spec.ts'));
    // THEN none does any of it (such a file stays a *.test.ts of its own)
    const found = specs.flatMap((f) => {
      const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
      return leaks.filter(([pattern]) => pattern.test(text)).map(([, what]) => `${f} ${what}`);
    });
    expect(found).toEqual([]);
  });

  test.each([
    [true, true, true, 0],
    [false, true, true, 1],
    [true, false, true, 1],
    [true, true, false, 1],
  ])(
    'npm test (lint %s, type-check %s, jest %s) exits %i: lint and the type check run beside jest and still fail the run',
    (lint, types, jest, code) => {
      // GIVEN the test script with each step replaced by one that passes or fails
      const script = scripts.test
        .replace('npm run --silent lint', String(lint))
        .replace('npm run --silent typecheck', String(types))
        .replace('jest --ci', String(jest));
      expect(script).not.toMatch(/npm|jest/);
      // WHEN the shell npm uses runs it THEN its exit code is the worst of the steps
      expect(spawnSync('sh', ['-c', script]).status).toBe(code);
    },
  );
});

describe('a whole-app synth in a process of its own (test/app-process.ts)', () => {
  test("fails with an Error that carries the process's stderr (a config the app refuses, here)", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-process-'));
    expect(() => synthesizeInProcess({ environments: 'not a list', catalog: {}, pipeline: {}, team: {} }, outdir)).toThrow(
      /^the app's synth process failed \(exit code 1\):\n[\s\S]*ConfigValidationError/,
    );
  });
});
