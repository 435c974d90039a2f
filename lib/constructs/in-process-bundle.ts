import * as path from 'path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
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
const PROJECT_ROOT = path.join(__dirname, '..', '..');

/**
 * A Lambda handler bundled by esbuild's JS API inside the synthesizing process: `index.js` plus its
 * source map, minified, the same output as NodejsFunction's local bundling with these options, but
 * with no `npx esbuild`/bash process per handler (and never Docker). The asset hash is the hash of
 * the output, so an unchanged handler keeps its asset; the same handler with the same options is
 * bundled once per synth (the options are the asset's cache key).
 */
export function inProcessBundle(options: InProcessBundleOptions): lambda.AssetCode {
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
          buildSync({
            entryPoints: [options.entry],
            absWorkingDir: PROJECT_ROOT,
            bundle: true,
            platform: 'node',
            target: options.target,
            outfile: path.join(outputDir, 'index.js'),
            minify: true,
            sourcemap: true,
            sourcesContent: false,
            external: [...options.externalModules],
            logLevel: 'warning',
          });
          return true;
        },
      },
    },
  });
}
