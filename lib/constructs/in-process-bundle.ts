import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { buildSync, version as esbuildVersion } from 'esbuild';

/** What the bundle of one Lambda handler is made of. */
export interface InProcessBundleOptions {
  /** Absolute path of the handler module (TypeScript). */
  readonly entry: string;
  /** esbuild target, e.g. `node24`. */
  readonly target: string;
  /** Modules left out of the bundle (provided by the runtime, or never loaded). */
  readonly externalModules: readonly string[];
  /**
   * A folder where bundles are kept between synths, by the hash of their options and of every file
   * esbuild read. Unset: every synth bundles (tests, CI's clean clone).
   */
  readonly keepIn?: string;
}

/**
 * The context key the app sets to the folder where Lambda bundles are kept (`keepIn`). bin/app.ts
 * sets it for `cdk synth`; `PLATFORM_BUNDLE_CACHE=off` leaves it unset.
 */
export const BUNDLE_CACHE_CONTEXT = 'platform:lambdaBundleCache';

/** The repository root: the folder esbuild resolves modules from (as NodejsFunction's project root). */
const PROJECT_ROOT = path.join(__dirname, '..', '..');

/** A bundle: its files by name, and the files it was made from (relative to the project root) with the hash of each. */
export interface Bundle {
  readonly files: Readonly<Record<string, string>>;
  readonly inputs: Readonly<Record<string, string>>;
}

const sha256 = (data: string | Buffer) => crypto.createHash('sha256').update(data).digest('hex');

/** The hash of a project file, or undefined when it is gone. */
function hashOf(relative: string): string | undefined {
  try {
    return sha256(fs.readFileSync(path.join(PROJECT_ROOT, relative)));
  } catch {
    return undefined;
  }
}

/**
 * Bundle one handler with esbuild's JS API: `index.js` and `index.js.map`, minified. The map names
 * sources relative to the project root (`lib/functions/...`), never to the folder the bundle is
 * written to: the same code gives the same bytes, so the same asset hash, in any checkout and any
 * output folder (a CodeBuild source folder, the review's worktrees, cdk.out).
 */
export function bundleHandler(options: InProcessBundleOptions): Bundle {
  const result = buildSync({
    entryPoints: [options.entry],
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: 'node',
    target: options.target,
    outfile: path.join(PROJECT_ROOT, 'index.js'),
    write: false,
    metafile: true,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external: [...options.externalModules],
    logLevel: 'warning',
  });
  const files = Object.fromEntries(result.outputFiles.map((f) => [path.basename(f.path), f.text]));
  const inputs = Object.fromEntries(Object.keys(result.metafile.inputs).map((f) => [f, hashOf(f) ?? '']));
  return { files, inputs };
}

/**
 * What names a kept bundle besides its inputs: the options, esbuild's version, and the files that
 * change how esbuild resolves and transforms (tsconfig.json, and the lock file for every package).
 */
export function bundleKey(options: InProcessBundleOptions): string {
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

/**
 * The bundle for `options`: the kept one when every file it was made from is unchanged, otherwise a
 * new one, which is then kept (written whole, then renamed: a reader never sees half of it).
 */
export function keptBundle(options: InProcessBundleOptions & { readonly keepIn: string }): Bundle {
  const file = path.join(options.keepIn, `${bundleKey(options)}.json`);
  const kept = readKept(file);
  if (kept && Object.entries(kept.inputs).every(([input, hash]) => hashOf(input) === hash)) return kept;
  const bundle = bundleHandler(options);
  fs.mkdirSync(options.keepIn, { recursive: true });
  fs.writeFileSync(`${file}.${process.pid}`, JSON.stringify(bundle));
  fs.renameSync(`${file}.${process.pid}`, file);
  return bundle;
}

function readKept(file: string): Bundle | undefined {
  try {
    const kept = JSON.parse(fs.readFileSync(file, 'utf8')) as Bundle;
    return typeof kept.files === 'object' && typeof kept.inputs === 'object' ? kept : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A Lambda handler bundled by esbuild's JS API inside the synthesizing process: `index.js` plus its
 * source map, minified, the same output as NodejsFunction's local bundling with these options, but
 * with no `npx esbuild`/bash process per handler (and never Docker). The asset hash is the hash of
 * the output, so an unchanged handler keeps its asset; the same handler with the same options is
 * bundled once per synth (the options are the asset's cache key), and once across synths when
 * `keepIn` is set and none of its files changed.
 */
export function inProcessBundle(options: InProcessBundleOptions): lambda.AssetCode {
  const relativeEntry = path.relative(PROJECT_ROOT, options.entry);
  if (relativeEntry.startsWith('..') || path.isAbsolute(relativeEntry)) {
    throw new Error(`Lambda entry ${options.entry} is outside the project (${PROJECT_ROOT})`);
  }
  const { keepIn } = options;
  return lambda.Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never used: local bundling always succeeds or throws. Docker stays out of every synth.
      image: DockerImage.fromRegistry('in-process-esbuild'),
      // What makes two bundles differ, so that the asset cache tells them apart.
      command: ['esbuild', relativeEntry, `--target=${options.target}`, ...options.externalModules.map((m) => `--external:${m}`)],
      local: {
        tryBundle(outputDir: string): boolean {
          const bundle = keepIn ? keptBundle({ ...options, keepIn }) : bundleHandler(options);
          for (const [name, text] of Object.entries(bundle.files)) fs.writeFileSync(path.join(outputDir, name), text);
          return true;
        },
      },
    },
  });
}
