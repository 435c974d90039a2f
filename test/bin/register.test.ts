import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { crc32 } from 'zlib';

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

  test('is part of the repository: cdk.json, cdk8s.yaml and the npm scripts name it, and git does not ignore it (a clone must have it)', () => {
    const commands = [
      JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).app,
      fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8').match(/^app: (.*)$/m)![1],
      ...Object.values(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>).filter((c) =>
        c.startsWith('node '),
      ),
    ];
    for (const command of commands) expect(command).toMatch(/^node -r \.\/bin\/register\.js bin\/[\w-]+\.ts$/);
    const ignored = spawnSync('git', ['check-ignore', '--no-index', '-q', 'bin/register.js'], { cwd: ROOT });
    expect(ignored.status).toBe(1);
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
  describe("V8's code of the JavaScript under node_modules, kept between runs", () => {
    /** A project whose main.ts loads `dep` from its node_modules; `dep` reports how Node loaded it. */
    const DEP = [
      "const path = require('path');",
      'exports.loaded = [',
      "  typeof require.resolve('./other'), require.resolve.paths('x').length > 0, require.main !== undefined,",
      "  require.cache[__filename] === module, this === module.exports, path.basename(__dirname), require('./other').value,",
      '].join(",");',
      "exports.fail = () => { throw new Error('from dep'); };",
      '',
    ].join('\n');
    const withDep = (dep = DEP) => {
      const dir = project({ 'main.ts': "import * as dep from 'dep';\nconsole.log(dep.loaded);\n" });
      fs.mkdirSync(path.join(dir, 'node_modules', 'dep'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'node_modules', 'dep', 'index.js'), dep);
      fs.writeFileSync(path.join(dir, 'node_modules', 'dep', 'other.js'), 'exports.value = 42;\n');
      return dir;
    };
    const keptCode = (cache: string, dir: string, file = 'index.js') =>
      path.join(
        cache,
        'code',
        `${createHash('sha256')
          .update(path.join(dir, 'node_modules', 'dep', file))
          .digest('hex')}.bin`,
      );
    const stampOf = (text: string) => {
      const stamp = Buffer.alloc(8);
      stamp.writeUInt32BE(crc32(text), 0);
      stamp.writeUInt32BE(Buffer.byteLength(text), 4);
      return stamp;
    };
    const LOADED = 'string,true,true,true,true,dep,42';

    test('kept after the run, stamped with the CRC-32 and length of the file, and used as it is by the next run (not made again)', () => {
      const dir = withDep();
      const cache = tmp();
      // WHEN the project runs twice
      expect(run(dir, cache)).toEqual({ status: 0, stdout: LOADED, stderr: '' });
      const kept = keptCode(cache, dir);
      const first = fs.readFileSync(kept);
      expect(first.subarray(0, 8).equals(stampOf(DEP))).toBe(true);
      expect(first.length).toBeGreaterThan(100);
      fs.utimesSync(kept, new Date(0), new Date(0));
      expect(run(dir, cache)).toEqual({ status: 0, stdout: LOADED, stderr: '' });
      // THEN the second run took it (a refused or missing one is made again, and written)
      expect(fs.statSync(kept).mtimeMs).toBe(0);
      expect(fs.existsSync(keptCode(cache, dir, 'other.js'))).toBe(true);
    });

    test('a changed file is compiled afresh and its kept code replaced', () => {
      const dir = withDep();
      const cache = tmp();
      run(dir, cache);
      const changed = DEP.replace("require('./other').value", "require('./other').value + 1");
      fs.writeFileSync(path.join(dir, 'node_modules', 'dep', 'index.js'), changed);
      expect(run(dir, cache).stdout).toBe(LOADED.replace('42', '43'));
      expect(fs.readFileSync(keptCode(cache, dir)).subarray(0, 8).equals(stampOf(changed))).toBe(true);
    });

    test('code V8 refuses (another Node version, a damaged file) is compiled afresh and replaced', () => {
      const dir = withDep();
      const cache = tmp();
      run(dir, cache);
      const damaged = Buffer.concat([stampOf(DEP), Buffer.from('not code V8 made')]);
      fs.writeFileSync(keptCode(cache, dir), damaged);
      expect(run(dir, cache)).toEqual({ status: 0, stdout: LOADED, stderr: '' });
      expect(fs.readFileSync(keptCode(cache, dir)).length).toBeGreaterThan(damaged.length);
    });

    test("stack traces point at the line and column of the file, as with Node's own loader (on the first line too, after its wrapper)", () => {
      const dir = withDep("exports.fail = () => { throw new Error('from dep'); };\n");
      fs.writeFileSync(path.join(dir, 'main.ts'), "import * as dep from 'dep';\ndep.fail();\n");
      const trace = (cache: string) =>
        run(dir, cache)
          .stderr.split('\n')
          .find((l) => l.includes(' at ') && l.includes('node_modules/dep/index.js'));
      const ours = trace(tmp());
      expect(ours).toMatch(/index\.js:1:30\)$/);
      expect(ours).toBe(trace('off'));
    });

    test("a file that may call import() is left to Node's loader (its dynamic imports work)", () => {
      const dir = withDep("exports.loaded = 'dynamic'; exports.later = () => import('path');\n");
      fs.writeFileSync(
        path.join(dir, 'main.ts'),
        "import * as dep from 'dep';\ndep.later().then((p: { sep: string }) => console.log(dep.loaded, p.sep));\n",
      );
      const cache = tmp();
      expect(run(dir, cache)).toEqual({ status: 0, stdout: 'dynamic /', stderr: '' });
      expect(fs.existsSync(keptCode(cache, dir))).toBe(false);
    });

    test('off: no code kept', () => {
      const dir = withDep();
      expect(run(dir, 'off').stdout).toBe(LOADED);
      expect(fs.existsSync(path.join(dir, 'off'))).toBe(false);
    });

    test('a folder that cannot be written: the project runs, nothing kept', () => {
      const dir = withDep();
      const file = path.join(tmp(), 'a-file');
      fs.writeFileSync(file, '');
      expect(run(dir, path.join(file, 'cache'))).toEqual({ status: 0, stdout: LOADED, stderr: '' });
    });
  });
});
