import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { waitForWorld, WORLD_FILES } from './world';

const ROOT = path.join(__dirname, '..', '..');

describe("the world's builder (test/global-setup.mjs, test/contracts/world.ts)", () => {
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'world-test-'));
  const WORLD = { stacks: [{ path: 'Dev/Data' }], manifests: {}, validation: [], missingContext: [] };

  test('a test file reads the world the builder wrote', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, WORLD_FILES.world), JSON.stringify(WORLD));
    expect(waitForWorld(dir, 1000)).toEqual(WORLD);
  });

  test('a test file that comes first waits for the world the builder is still synthesizing', () => {
    // GIVEN a builder that writes the world 300 ms from now (another process: this thread is waiting)
    const dir = tmp();
    const file = path.join(dir, WORLD_FILES.world);
    const writer = spawn(process.execPath, [
      '-e',
      `setTimeout(() => require('fs').writeFileSync(${JSON.stringify(file)}, ${JSON.stringify(JSON.stringify(WORLD))}), 300)`,
    ]);
    try {
      // THEN the wait returns it
      expect(waitForWorld(dir, 30_000)).toEqual(WORLD);
    } finally {
      writer.kill();
    }
  });

  test('no world when the builder failed, the folder is gone, or the time is up (the test file then synthesizes it)', () => {
    const failed = tmp();
    fs.writeFileSync(path.join(failed, WORLD_FILES.failed), 'Error: boom');
    expect(waitForWorld(failed, 30_000)).toBeUndefined();
    expect(waitForWorld(path.join(tmp(), 'gone'), 30_000)).toBeUndefined();
    const started = Date.now();
    expect(waitForWorld(tmp(), 200)).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  test('a builder that ends without a world leaves the reason, with its last output, for the test files waiting', () => {
    // GIVEN the global setup's builder start, with a builder that fails
    const dir = tmp();
    const script = [
      `import { startWorldBuilder } from ${JSON.stringify(path.join(ROOT, 'test', 'global-setup.mjs'))};`,
      `startWorldBuilder(${JSON.stringify(dir)}, ['-e', 'console.error("no platform today"); process.exit(3)']);`,
    ].join('\n');
    // WHEN it ends
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(0);
    // THEN the reason is there, and no world
    expect(fs.readFileSync(path.join(dir, WORLD_FILES.failed), 'utf8')).toBe(
      "the world's builder ended (exit code 3) without a world:\nno platform today\n",
    );
    expect(fs.existsSync(path.join(dir, WORLD_FILES.world))).toBe(false);
  });
});
