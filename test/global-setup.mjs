// jest's global setup, run once per jest run in the parent process; the variables it sets reach every
// worker. Plain ESM (see postgres/global-setup.mjs).
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import postgres from './postgres/global-setup.mjs';

export default async function globalSetup() {
  await postgres();
  // test/contracts/world.ts: the first test file that synthesizes the platform leaves it here for the
  // others of this run (a fresh folder every run, removed by the teardown: never a stale platform).
  process.env.PLATFORM_TEST_WORLD_DIR = mkdtempSync(join(tmpdir(), 'platform-world-'));
}
