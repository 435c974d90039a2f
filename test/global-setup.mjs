// jest's global setup, run once per jest run in the parent process; the variables it sets reach every
// worker. Plain ESM (see postgres/global-setup.mjs).
import { spawn } from 'child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { fileURLToPath } from 'url';
import postgres from './postgres/global-setup.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

export default async function globalSetup() {
  // test/contracts/world.ts: the platform, synthesized once per run by a builder process of its own
  // while the first test files run (a fresh folder every run, removed by the teardown: never a stale
  // platform). Started first: it runs while PostgreSQL starts.
  const dir = mkdtempSync(join(tmpdir(), 'platform-world-'));
  process.env.PLATFORM_TEST_WORLD_DIR = dir;
  globalThis.__WORLD_BUILDER__ = startWorldBuilder(dir);
  await postgres();
}

/**
 * The builder process (`args`: node's arguments, the builder by default); when it ends without a
 * world, the reason is written for the test files waiting for it (test/test-tooling.test.ts).
 */
export function startWorldBuilder(dir, args = ['-r', './bin/register.js', 'test/contracts/build-world.ts', dir]) {
  const builder = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  builder.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const failed = (why) => {
    if (existsSync(dir) && !existsSync(join(dir, 'world.json')) && !existsSync(join(dir, 'world.failed')))
      writeFileSync(join(dir, 'world.failed'), why);
  };
  builder.on('error', (e) => failed(`the world's builder did not start: ${e.message}`));
  builder.on('exit', (code, signal) => failed(`the world's builder ended (${signal ?? `exit code ${code}`}) without a world:\n${stderr}`));
  return builder;
}
