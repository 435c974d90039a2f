import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';

/** What `synthesizeInProcess` synthesizes: `buildApp`'s arguments (JSON), on top of TEST_APP_PROPS. */
export interface AppInput {
  readonly environments: unknown;
  readonly catalog: unknown;
  readonly pipeline: unknown;
  readonly team: unknown;
  /** Context on top of TEST_APP_PROPS's. */
  readonly context?: Record<string, unknown>;
  /** Also synthesize the environments' Kubernetes manifests (`synthManifests`) with this catalog, into `<outdir>/manifests`. */
  readonly manifestsCatalog?: unknown;
}

const ROOT = path.join(__dirname, '..');

/**
 * The app synthesized in a process of its own (`node -r ./bin/register.js test/synthesize-app.ts`,
 * as `cdk synth` runs it, with V8's kept code), read back from `outdir`. Inside a jest worker the
 * same whole-app synth took about twice as long (profiled: 4.7 s against 2.8 s for the synth, 2.2 s
 * against 0.6 s for the construct tree with its module loading): a test that synthesizes a whole
 * app from config alone does it here.
 */
export function synthesizeInProcess(input: AppInput, outdir: string): CloudAssembly {
  const inputFile = path.join(outdir, 'app-input.json');
  fs.mkdirSync(outdir, { recursive: true });
  fs.writeFileSync(inputFile, JSON.stringify(input));
  const run = spawnSync(process.execPath, ['-r', './bin/register.js', 'test/synthesize-app.ts', inputFile, outdir], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`the app's synth process failed (${run.signal ?? `exit code ${run.status}`}):\n${run.stderr}`);
  return new CloudAssembly(outdir);
}
