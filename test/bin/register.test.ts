import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * bin/register.js: how the app, the cdk8s app and the npm scripts run TypeScript. Each case runs a
 * real `node -r bin/register.js` on TypeScript written to a temporary folder.
 */
const ROOT = path.join(__dirname, '..', '..');
const REGISTER = path.join(ROOT, 'bin', 'register.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { OPTIONS } = require(REGISTER) as { OPTIONS: SwcOptions };

/** The parts of the swc options the test reads. */
interface SwcOptions {
  readonly module: { readonly type: string; readonly noInterop: boolean; readonly strictMode: boolean };
  readonly jsc: {
    readonly target: string;
    readonly parser: { readonly decorators: boolean };
    readonly transform: {
      readonly legacyDecorator: boolean;
      readonly decoratorMetadata: boolean;
      readonly useDefineForClassFields: boolean;
    };
  };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'register-'));
function project(files: Record<string, string>): string {
  const dir = tmp();
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}
function run(dir: string, cache: string, entry = 'main.ts') {
  const result = spawnSync(process.execPath, ['-r', REGISTER, path.join(dir, entry)], {
    env: { ...process.env, PLATFORM_TS_CACHE: cache },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
}

const MAIN = [
  "import path from 'path';",
  "import { Shape, area } from './shape';",
  "import type { Unused } from './shape';",
  'class Box {',
  '  readonly kind: string = "box";',
  '  constructor(public readonly side: number) {}',
  '}',
  'const u: Unused | undefined = undefined;',
  "console.log([Shape.Square, area(new Box(3).side), new Box(1).kind, Box.name, path.basename('/a/b.ts'), u].join(' '));",
  '',
].join('\n');
const SHAPE = [
  'export enum Shape { Square = "square", Circle = "circle" }',
  'export interface Unused { readonly x: number }',
  'export function area(side: number): number { return side * side; }',
  '',
].join('\n');

describe('bin/register.js', () => {
  test('runs TypeScript as the app is written: enums, parameter properties, class fields, default imports of CommonJS modules, type-only imports', () => {
    const dir = project({ 'main.ts': MAIN, 'shape.ts': SHAPE });
    expect(run(dir, 'off')).toEqual({ status: 0, stdout: 'square 9 box Box b.ts', stderr: '' });
  });

  test("transpiles with tsconfig.json's options, as ts-node mapped them to swc", () => {
    const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8'));
    expect(OPTIONS.jsc.target).toBe(compilerOptions.target.toLowerCase());
    expect(OPTIONS.module.type).toBe(compilerOptions.module.toLowerCase());
    expect(OPTIONS.module.noInterop).toBe(!compilerOptions.esModuleInterop);
    expect(OPTIONS.module.strictMode).toBe(compilerOptions.alwaysStrict || compilerOptions.strict);
    expect(OPTIONS.jsc.parser.decorators).toBe(compilerOptions.experimentalDecorators);
    expect(OPTIONS.jsc.transform.legacyDecorator).toBe(compilerOptions.experimentalDecorators);
    expect(OPTIONS.jsc.transform.decoratorMetadata).toBe(Boolean(compilerOptions.emitDecoratorMetadata));
    // TypeScript defines class fields for ES2022 and later unless tsconfig says otherwise
    expect(compilerOptions.useDefineForClassFields).toBeUndefined();
    expect(OPTIONS.jsc.transform.useDefineForClassFields).toBe(true);
  });

  test('stack traces point into the TypeScript (inline source maps)', () => {
    const dir = project({
      'main.ts': ['type T = { a: number };', 'const t: T = { a: 1 };', '', 'throw new Error(`boom ${t.a}`);', ''].join('\n'),
    });
    const { status, stderr } = run(dir, 'off');
    expect(status).toBe(1);
    expect(stderr).toContain('Error: boom 1');
    expect(stderr).toContain(`${path.join(dir, 'main.ts')}:4:7`);
  });

  describe('kept output', () => {
    const keptFiles = (cache: string) => fs.readdirSync(cache).filter((f) => f.endsWith('.js'));
    /** Replace the kept body of every file, leaving its stamp: a run that prints the marker used the kept output. */
    const mark = (cache: string) => {
      for (const f of keptFiles(cache)) {
        const kept = fs.readFileSync(path.join(cache, f), 'utf8');
        const stamp = kept.slice(0, kept.indexOf('\n') + 1);
        const body = kept.includes('function area')
          ? 'exports.Shape = { Square: "kept" }; exports.area = () => 0;'
          : kept.slice(stamp.length);
        fs.writeFileSync(path.join(cache, f), stamp + body);
      }
    };

    test('one file per source; an unchanged source is not transpiled again', () => {
      const dir = project({ 'main.ts': MAIN, 'shape.ts': SHAPE });
      const cache = tmp();
      expect(run(dir, cache).stdout).toBe('square 9 box Box b.ts');
      expect(keptFiles(cache)).toHaveLength(2);
      mark(cache);
      expect(run(dir, cache).stdout).toBe('kept 0 box Box b.ts');
      expect(keptFiles(cache)).toHaveLength(2);
    });

    test('a changed source is transpiled again and replaces its kept output', () => {
      const dir = project({ 'main.ts': MAIN, 'shape.ts': SHAPE });
      const cache = tmp();
      run(dir, cache);
      mark(cache);
      fs.writeFileSync(path.join(dir, 'shape.ts'), SHAPE.replace('side * side', 'side * 2'));
      expect(run(dir, cache).stdout).toBe('square 6 box Box b.ts');
      expect(keptFiles(cache)).toHaveLength(2);
    });

    test('off: nothing is kept, not even in the default folder', () => {
      const dir = project({ 'main.ts': MAIN, 'shape.ts': SHAPE });
      expect(run(dir, 'off').status).toBe(0);
      const defaultFolder = path.join(ROOT, 'node_modules', '.cache', 'ts-register');
      for (const source of ['main.ts', 'shape.ts']) {
        const name = `${createHash('sha256').update(path.join(dir, source)).digest('hex')}.js`;
        expect(fs.existsSync(path.join(defaultFolder, name))).toBe(false);
      }
    });

    test('unset: kept in node_modules/.cache/ts-register, one file named by the hash of the source path', () => {
      const dir = project({ 'main.ts': 'console.log("default");\n' });
      const result = spawnSync(process.execPath, ['-r', REGISTER, path.join(dir, 'main.ts')], {
        env: { ...process.env, PLATFORM_TS_CACHE: '' },
        encoding: 'utf8',
      });
      expect(result.stdout.trim()).toBe('default');
      const kept = path.join(
        ROOT,
        'node_modules',
        '.cache',
        'ts-register',
        `${createHash('sha256').update(path.join(dir, 'main.ts')).digest('hex')}.js`,
      );
      expect(fs.readFileSync(kept, 'utf8')).toMatch(/^\/\/[0-9a-f]{64}\n/);
      fs.rmSync(kept);
    });

    test('a folder that cannot be written: the file is transpiled and runs, nothing kept', () => {
      const dir = project({ 'main.ts': MAIN, 'shape.ts': SHAPE });
      const file = path.join(tmp(), 'a-file');
      fs.writeFileSync(file, '');
      expect(run(dir, path.join(file, 'cache'))).toEqual({ status: 0, stdout: 'square 9 box Box b.ts', stderr: '' });
    });
  });
});
