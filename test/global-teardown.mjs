import { rmSync } from 'fs';
import postgres from './postgres/global-teardown.mjs';

export default async function globalTeardown() {
  await postgres();
  if (process.env.PLATFORM_TEST_WORLD_DIR) rmSync(process.env.PLATFORM_TEST_WORLD_DIR, { recursive: true, force: true });
}
