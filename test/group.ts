import * as fs from 'fs';
import * as path from 'path';

/** The `*.spec.ts` files under `dir` (its sub-folders included), sorted. */
export function specFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return specFiles(full);
      return entry.name.endsWith('.spec.ts') ? [full] : [];
    })
    .sort();
}

/**
 * Runs every `*.spec.ts` under the folders as ONE jest test file. jest gives each test file a module
 * registry of its own, so each file loaded aws-cdk-lib, built the app of `synthesizedApp()` and read the
 * shared world again: that loading was most of the suite's CPU (measured: the stack specs took 68 s of
 * CPU as 18 test files, 19 s as one). In one file they load once. Each spec file is a `describe` named
 * after its path. One spec runs alone by its path (jest.config.js then runs it as a test file of
 * its own) or, inside its group, by name:
 *
 *   npx jest test/stacks/registry-stack.spec.ts
 *   npx jest test/stacks/all.test.ts -t stacks/registry-stack
 *
 * A spec file must not replace modules (`jest.mock`), mock SDK clients or change `process.env`: those
 * would leak into the specs after it. Files that do stay `*.test.ts` (test/functions, for example), and
 * so do files with snapshots (a snapshot belongs to the test file that takes it).
 */
export function runSpecs(root: string, dirs: readonly string[]): void {
  const files = dirs.flatMap((dir) => specFiles(path.join(root, dir)));
  if (files.length === 0) throw new Error(`no *.spec.ts under ${dirs.join(', ')}`);
  for (const file of files) {
    describe(path.relative(root, file).replace(/\.spec\.ts$/, ''), () => {
      // A dynamic require is what puts the spec into this file's module registry.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(file);
    });
  }
}
