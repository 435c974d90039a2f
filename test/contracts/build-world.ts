/**
 * The world's builder: started by the jest global setup (test/global-setup.mjs) in a process of its
 * own, it synthesizes the platform once (test/contracts/world.ts) into the run's folder while the
 * first test files run. On failure it writes the reason next to it; test files then synthesize the
 * world themselves, and the failure shows there.
 *
 *   node -r ./bin/register.js test/contracts/build-world.ts <folder>
 */
import * as fs from 'fs';
import * as path from 'path';
import { WORLD_FILES, writeWorld } from './world';

const dir = process.argv[2];
try {
  writeWorld(dir);
} catch (e) {
  fs.writeFileSync(path.join(dir, WORLD_FILES.failed), String((e as Error).stack ?? e));
  process.exitCode = 1;
}
