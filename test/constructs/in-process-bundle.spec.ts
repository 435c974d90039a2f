import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { bundleHandler, inProcessBundle } from '../../lib/constructs/in-process-bundle';
import { testApp } from '../helpers';

const ENTRY = path.join(__dirname, '..', '..', 'lib', 'functions', 'database-users', 'handler.ts');

describe('inProcessBundle', () => {
  test('bundles the handler in the synthesizing process: index.js with a source map, the runtime SDK and given modules left out', () => {
    // GIVEN a function whose code is bundled in-process
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'in-process-bundle-'));
    const app = testApp({ outdir });
    const stack = new Stack(app, 'Test');
    new lambda.Function(stack, 'Fn', {
      code: inProcessBundle({ entry: ENTRY, target: 'node24', externalModules: ['@aws-sdk/*', '@smithy/*', 'pg-native'] }),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
    });
    // WHEN the app is synthesized
    const dir = app.synth().directory;
    // THEN the asset holds the bundle and its map (no sources inside), with the SDK left to the runtime
    const assets = fs.readdirSync(dir).filter((f) => f.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    const files = fs.readdirSync(path.join(dir, assets[0])).sort();
    expect(files).toEqual(['index.js', 'index.js.map']);
    const code = fs.readFileSync(path.join(dir, assets[0], 'index.js'), 'utf8');
    expect(code).toMatch(/require\("@aws-sdk\/client-secrets-manager"\)/);
    expect(JSON.parse(fs.readFileSync(path.join(dir, assets[0], 'index.js.map'), 'utf8')).sourcesContent).toBeUndefined();
    expect(code).toContain('sourceMappingURL=index.js.map');
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  test('the same code gives the same asset in any output folder: the map names sources from the project root', () => {
    // GIVEN two output folders at different depths (cdk.out, a CodeBuild source folder, the review's worktrees)
    const shallow = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-a-'));
    const deep = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-b-')), 'x', 'y', 'cdk.out');
    const assetOf = (outdir: string) => {
      const app = testApp({ outdir });
      new lambda.Function(new Stack(app, 'Test'), 'Fn', {
        code: inProcessBundle({ entry: ENTRY, target: 'node24', externalModules: ['@aws-sdk/*'] }),
        handler: 'index.handler',
        runtime: lambda.Runtime.NODEJS_24_X,
      });
      const dir = app.synth().directory;
      return fs.readdirSync(dir).find((f) => f.startsWith('asset.'))!;
    };
    // WHEN each is synthesized THEN the asset (named by the hash of its bytes) is the same
    expect(assetOf(shallow)).toBe(assetOf(deep));
    // AND the map's sources are project paths
    const { files } = bundleHandler({ entry: ENTRY, target: 'node24', externalModules: ['@aws-sdk/*'] });
    expect(JSON.parse(files['index.js.map']).sources).toContain('lib/functions/database-users/handler.ts');
  });

  test('refuses an entry outside the project (esbuild resolves modules from the project root)', () => {
    expect(() => inProcessBundle({ entry: '/elsewhere/handler.ts', target: 'node24', externalModules: [] })).toThrow(
      'Lambda entry /elsewhere/handler.ts is outside the project',
    );
  });
});
