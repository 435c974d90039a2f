import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
const jestConfig = require(path.join(ROOT, 'jest.config.js')); // eslint-disable-line @typescript-eslint/no-require-imports

/** Test files below `dir`, relative to the repository root. */
function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === '__snapshots__' ? [] : testFiles(full);
    return e.name.endsWith('.test.ts') ? [path.relative(ROOT, full)] : [];
  });
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
    for (const file of withSnapshots) expect(scripts['test:update']).toContain(file);
    expect(scripts['test:update']).toMatch(/^UPDATE_STATEFUL_IDS=1 jest --ci=false --updateSnapshot /);
    expect(scripts['test:update']).toContain('test/stacks/stateful-logical-ids.test.ts');
  });
});
