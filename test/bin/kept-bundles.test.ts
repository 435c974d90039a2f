import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KeptBundle, KeptBundles, keyOf } from '../../bin/kept-bundles';
import { bundleHandler } from '../../lib/constructs/in-process-bundle';

const ENTRY = path.join(__dirname, '..', '..', 'lib', 'functions', 'database-users', 'handler.ts');

describe('kept Lambda bundles (bin/kept-bundles.ts)', () => {
  const options = { entry: ENTRY, target: 'node24', externalModules: ['@aws-sdk/*', '@smithy/*', 'pg-native'] };
  const keptFile = (keepIn: string) => path.join(keepIn, `${keyOf(options)}.json`);
  const read = (keepIn: string): KeptBundle => JSON.parse(fs.readFileSync(keptFile(keepIn), 'utf8'));
  const write = (keepIn: string, bundle: KeptBundle) => fs.writeFileSync(keptFile(keepIn), JSON.stringify(bundle));

  test('a new bundle is kept with the hash of every file esbuild read', () => {
    const keepIn = fs.mkdtempSync(path.join(os.tmpdir(), 'kept-'));
    const bundle = new KeptBundles(keepIn).kept(options, () => bundleHandler(options));
    expect(read(keepIn)).toEqual(bundle);
    expect(bundle.inputs['lib/functions/database-users/handler.ts']).toMatch(/^[0-9a-f]{64}$/);
    // the bundled packages are inputs too: a new version of one is a new bundle
    expect(Object.keys(bundle.inputs).some((f) => f.startsWith('node_modules/pg/'))).toBe(true);
    expect(bundle.files).toEqual(bundleHandler(options).files);
    expect(Object.keys(bundle.inputs).sort()).toEqual([...bundleHandler(options).inputs].sort());
  });

  test('an unchanged bundle is taken as kept, without esbuild', () => {
    const keepIn = fs.mkdtempSync(path.join(os.tmpdir(), 'kept-'));
    const bundle = new KeptBundles(keepIn).kept(options, () => bundleHandler(options));
    // a marker only a kept bundle carries
    write(keepIn, { ...bundle, files: { ...bundle.files, 'index.js': '// kept' } });
    expect(new KeptBundles(keepIn).kept(options, () => bundleHandler(options)).files['index.js']).toBe('// kept');
  });

  test.each([
    ['an input changed', (b: KeptBundle) => ({ ...b, inputs: { ...b.inputs, 'lib/functions/database-users/handler.ts': 'f'.repeat(64) } })],
    ['an input is gone', (b: KeptBundle) => ({ ...b, inputs: { ...b.inputs, 'lib/functions/gone.ts': 'f'.repeat(64) } })],
    ['the kept file is not a bundle', () => ({ files: 'x' }) as unknown as KeptBundle],
  ])('bundled again when %s', (_, edit) => {
    const keepIn = fs.mkdtempSync(path.join(os.tmpdir(), 'kept-'));
    const bundle = new KeptBundles(keepIn).kept(options, () => bundleHandler(options));
    write(keepIn, edit({ ...bundle, files: { ...bundle.files, 'index.js': '// kept' } }));
    expect(new KeptBundles(keepIn).kept(options, () => bundleHandler(options))).toEqual(bundle);
    expect(read(keepIn)).toEqual(bundle);
  });

  test('bundled again when the kept file is not JSON', () => {
    const keepIn = fs.mkdtempSync(path.join(os.tmpdir(), 'kept-'));
    const bundle = new KeptBundles(keepIn).kept(options, () => bundleHandler(options));
    fs.writeFileSync(keptFile(keepIn), '{');
    expect(new KeptBundles(keepIn).kept(options, () => bundleHandler(options))).toEqual(bundle);
  });

  test.each([
    ['entry', { entry: path.join(path.dirname(ENTRY), '..', 'scheduled', 'handler.ts') }],
    ['target', { target: 'node22' }],
    ['left-out modules', { externalModules: ['@aws-sdk/*'] }],
  ])('the key changes with the %s', (_, change) => {
    expect(keyOf({ ...options, ...change })).not.toBe(keyOf(options));
  });
});
