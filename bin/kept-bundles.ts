import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { version as esbuildVersion } from 'esbuild';
import { Bundle, BundleKeeper, InProcessBundleOptions, PROJECT_ROOT } from '../lib/constructs/in-process-bundle';
import { writeWhole } from './input-hash';

/** A kept bundle: its files, and each file it was made from with the hash of its content. */
export interface KeptBundle {
  readonly files: Readonly<Record<string, string>>;
  readonly inputs: Readonly<Record<string, string>>;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** The hash of a project file, or undefined when it is gone. */
function hashOf(relative: string): string | undefined {
  try {
    return sha256(fs.readFileSync(path.join(PROJECT_ROOT, relative)));
  } catch {
    return undefined;
  }
}

/**
 * Lambda bundles kept between synths in `dir` (the app's `LambdaBundles`): one file per bundle,
 * named by `keyOf(options)`, holding the bundle and the hash of every file esbuild read (the handler,
 * what it imports, the bundled packages). A bundle is taken as kept when every one of those files is
 * unchanged; otherwise it is made again and kept (written whole, then renamed).
 */
export class KeptBundles implements BundleKeeper {
  constructor(private readonly dir: string) {}

  public bundle(options: InProcessBundleOptions, make: () => Bundle): Readonly<Record<string, string>> {
    return this.kept(options, make).files;
  }

  /** The kept bundle for `options` (made by `make` when none is kept or one of its files changed). */
  public kept(options: InProcessBundleOptions, make: () => Bundle): KeptBundle {
    const file = path.join(this.dir, `${keyOf(options)}.json`);
    const kept = readKept(file);
    if (kept && Object.entries(kept.inputs).every(([input, hash]) => hashOf(input) === hash)) return kept;
    const made = make();
    const bundle: KeptBundle = { files: made.files, inputs: Object.fromEntries(made.inputs.map((f) => [f, hashOf(f) ?? ''])) };
    fs.mkdirSync(this.dir, { recursive: true });
    writeWhole(file, JSON.stringify(bundle));
    return bundle;
  }
}

/**
 * What names a kept bundle besides its inputs: the options, esbuild's version, and the files that
 * change how esbuild resolves and transforms (tsconfig.json, and the lock file for every package).
 */
export function keyOf(options: InProcessBundleOptions): string {
  return sha256(
    JSON.stringify({
      format: 1,
      esbuild: esbuildVersion,
      entry: path.relative(PROJECT_ROOT, options.entry),
      target: options.target,
      externalModules: options.externalModules,
      tsconfig: hashOf('tsconfig.json') ?? '',
      lock: hashOf('package-lock.json') ?? '',
    }),
  );
}

function readKept(file: string): KeptBundle | undefined {
  try {
    const kept = JSON.parse(fs.readFileSync(file, 'utf8')) as KeptBundle;
    return typeof kept.files === 'object' && typeof kept.inputs === 'object' ? kept : undefined;
  } catch {
    return undefined;
  }
}
