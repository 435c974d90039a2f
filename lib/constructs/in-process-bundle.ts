import * as fs from 'fs';
import * as path from 'path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { buildSync } from 'esbuild';

/** What the bundle of one Lambda handler is made of. */
export interface InProcessBundleOptions {
  /** Absolute path of the handler module (TypeScript). */
  readonly entry: string;
  /** esbuild target, e.g. `node24`. */
  readonly target: string;
  /** Modules left out of the bundle (provided by the runtime, or never loaded). */
  readonly externalModules: readonly string[];
}

/** The repository root: the folder esbuild resolves modules from (as NodejsFunction's project root). */
export const PROJECT_ROOT = path.join(__dirname, '..', '..');

/** A bundle: its files by name, and the files it was made from (relative to the project root). */
export interface Bundle {
  readonly files: Readonly<Record<string, string>>;
  readonly inputs: readonly string[];
}

/**
 * Keeps bundles between synths (bin/kept-bundles.ts): gives the kept files for `options`, or those
 * of `make()`, which it then keeps.
 */
export interface BundleKeeper {
  bundle(options: InProcessBundleOptions, make: () => Bundle): Readonly<Record<string, string>>;
}

const keepers = new WeakMap<object, BundleKeeper>();

/**
 * Where the platform's Lambda functions keep their bundles, set once per app by the caller that
 * builds it (bin/app.ts, as `Validations.of(app)` takes plugins): none, every synth bundles.
 */
export class LambdaBundles {
  public static of(scope: IConstruct): LambdaBundles {
    return new LambdaBundles(scope.node.root);
  }

  private constructor(private readonly root: IConstruct) {}

  /** Keep this app's bundles with `keeper`. */
  public keepWith(keeper: BundleKeeper): void {
    keepers.set(this.root, keeper);
  }

  /** The app's keeper, if it has one. */
  public get keeper(): BundleKeeper | undefined {
    return keepers.get(this.root);
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
  return { files, inputs: Object.keys(result.metafile.inputs) };
}

/**
 * A Lambda handler bundled by esbuild's JS API inside the synthesizing process: `index.js` plus its
 * source map, minified, the same output as NodejsFunction's local bundling with these options, but
 * with no `npx esbuild`/bash process per handler (and never Docker). The asset hash is the hash of
 * the output, so an unchanged handler keeps its asset; the same handler with the same options is
 * bundled once per synth (the options are the asset's cache key), and once across synths when a
 * `keeper` has it and none of its files changed.
 */
export function inProcessBundle(options: InProcessBundleOptions, keeper?: BundleKeeper): lambda.AssetCode {
  const relativeEntry = path.relative(PROJECT_ROOT, options.entry);
  if (relativeEntry.startsWith('..') || path.isAbsolute(relativeEntry)) {
    throw new Error(`Lambda entry ${options.entry} is outside the project (${PROJECT_ROOT})`);
  }
  return lambda.Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never used: local bundling always succeeds or throws. Docker stays out of every synth.
      image: DockerImage.fromRegistry('in-process-esbuild'),
      // What makes two bundles differ, so that the asset cache tells them apart.
      command: ['esbuild', relativeEntry, `--target=${options.target}`, ...options.externalModules.map((m) => `--external:${m}`)],
      local: {
        tryBundle(outputDir: string): boolean {
          const files = keeper ? keeper.bundle(options, () => bundleHandler(options)) : bundleHandler(options).files;
          for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(outputDir, name), text);
          return true;
        },
      },
    },
  });
}
