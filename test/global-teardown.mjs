import { rmSync } from 'fs';
import postgres from './postgres/global-teardown.mjs';

export default async function globalTeardown() {
  // a run shorter than the world's synth (one test file) does not wait for it
  globalThis.__WORLD_BUILDER__?.kill();
  await postgres();
  if (process.env.PLATFORM_TEST_WORLD_DIR) rmSync(process.env.PLATFORM_TEST_WORLD_DIR, { recursive: true, force: true });
}
