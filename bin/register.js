// @ts-check
/**
 * Runs the repository's TypeScript in Node: `node -r ./bin/register.js bin/app.ts` (cdk.json's app,
 * cdk8s.yaml's app, the npm scripts). Each `.ts` file is transpiled by swc (@swc/core, the
 * transpiler ts-node used here before) with the options ts-node derived from tsconfig.json, with no
 * type-checking (`npm test` type-checks), and the output is kept in node_modules/.cache/ts-register,
 * one file per source, named by the hash of its path and stamped with the hash of everything the
 * output depends on (the source, the options, swc's version). An unchanged file is not transpiled
 * again; stack traces point into the TypeScript through inline source maps and Node's own support.
 *
 * Why not ts-node: on the synth path it loaded the TypeScript compiler to read tsconfig.json
 * (~0.15 s), transpiled every file on every run, and mapped stack traces in JavaScript; measured
 * on a 2-core machine, this file makes `cdk synth` ~0.35 s of CPU cheaper (README, "Benchmarks").
 * Plain JavaScript: it is what loads the TypeScript.
 *
 * It also keeps V8's compiled code of the JavaScript under node_modules (aws-cdk-lib, constructs,
 * cdk-nag, ...: ~1,100 files, 30 MB, that every synth compiles again): Node 20 has no compile cache
 * (Node 22's `module.enableCompileCache()` is used where it exists), so each such file is compiled
 * with the code V8 made for it in an earlier run, taken after that run (so that it holds the
 * functions the synth ran, not only the top level), in `<folder>/code`, stamped with the CRC-32 and
 * the length of the file's content; V8 itself refuses data of another V8 version or flags. Measured on a 2-core
 * machine: ~0.4 s less per synth (README, "Benchmarks"). Node's own loader still compiles the
 * TypeScript (its source maps) and any file that may call `import()`.
 *
 * PLATFORM_TS_CACHE: another folder for what is kept, or `off` (transpile and compile every file).
 */
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const vm = require('vm');
const zlib = require('zlib');

const ROOT = path.join(__dirname, '..');
const SETTING = process.env.PLATFORM_TS_CACHE;
const CACHE = SETTING === 'off' ? undefined : SETTING || path.join(ROOT, 'node_modules', '.cache', 'ts-register');

/**
 * tsconfig.json's compiler options as swc options, as ts-node 10.9.2 maps them
 * (ts-node/dist/transpilers/swc.js, createSwcOptions): target ES2022, CommonJS with interop
 * (esModuleInterop), "use strict" (alwaysStrict), legacy decorators (experimentalDecorators),
 * class fields defined (TypeScript's default for ES2022), class names kept. A test compares them
 * with tsconfig.json.
 */
const OPTIONS = {
  swcrc: false,
  sourceMaps: 'inline',
  module: { type: 'commonjs', noInterop: false, strictMode: true, ignoreDynamic: false },
  jsc: {
    parser: { syntax: 'typescript', tsx: false, decorators: true, dynamicImport: true },
    target: 'es2022',
    transform: { legacyDecorator: true, decoratorMetadata: false, useDefineForClassFields: true },
    keepClassNames: true,
  },
};

/** @type {typeof import('@swc/core') | undefined} */
let swc;
const transpiler = () => (swc ??= require('@swc/core'));
const sha256 = (/** @type {string} */ text) => crypto.createHash('sha256').update(text).digest('hex');
/** What the output of one file depends on besides its source. */
const STAMP_BASE = JSON.stringify({ format: 1, swc: require('@swc/core/package.json').version, options: OPTIONS });

/**
 * The JavaScript for one TypeScript file: kept, or transpiled and kept.
 * @param {string} source
 * @param {string} filename
 * @returns {string}
 */
function compiled(source, filename) {
  if (!CACHE) return transpile(source, filename);
  const stamp = `//${sha256(`${STAMP_BASE}\0${filename}\0${source}`)}\n`;
  const file = path.join(CACHE, `${sha256(filename)}.js`);
  try {
    const kept = fs.readFileSync(file, 'utf8');
    if (kept.startsWith(stamp)) return kept.slice(stamp.length);
  } catch {
    // not kept yet
  }
  const code = transpile(source, filename);
  try {
    fs.mkdirSync(CACHE, { recursive: true });
    fs.writeFileSync(`${file}.${process.pid}`, stamp + code);
    fs.renameSync(`${file}.${process.pid}`, file);
  } catch {
    // a read-only checkout runs without keeping
  }
  return code;
}

/**
 * @param {string} source
 * @param {string} filename
 */
function transpile(source, filename) {
  return transpiler().transformSync(source, { ...OPTIONS, filename }).code;
}

/**
 * @param {any} module the module being loaded (Node's type does not declare `_compile`)
 * @param {string} filename
 */
function loadTypeScript(module, filename) {
  nodeCompile.call(module, compiled(fs.readFileSync(filename, 'utf8'), filename), filename);
}

const NODE_MODULES = `${path.sep}node_modules${path.sep}`;
/** What Node's loader compiles with (the TypeScript, and what is not kept): captured before it is replaced below. */
const nodeCompile = Module.prototype._compile;
/** What kept code is for: the CRC-32 and the length of the file's content (as Node 22's own compile cache checks it). */
const stampOf = (/** @type {string} */ content) => {
  const stamp = Buffer.alloc(8);
  stamp.writeUInt32BE(zlib.crc32(content), 0);
  stamp.writeUInt32BE(Buffer.byteLength(content), 4);
  return stamp;
};
/** Scripts compiled without kept code in this run: their code is kept when the process exits. */
const toKeep = [];

/**
 * Module.prototype._compile for JavaScript under node_modules: compiled with the code kept for its
 * content, as Node 20's loader would compile it (its wrapper, positions in stack traces unchanged).
 * @this {any} the module being loaded
 * @param {string} content
 * @param {string} filename
 */
function compileWithKeptCode(content, filename) {
  if (!filename.includes(NODE_MODULES) || /\bimport\s*\(/.test(content)) return nodeCompile.call(this, content, filename);
  const file = path.join(/** @type {string} */ (CACHE), 'code', `${sha256(filename)}.bin`);
  const stamp = stampOf(content);
  /** @type {Buffer | undefined} */
  let cachedData;
  try {
    const kept = fs.readFileSync(file);
    if (kept.subarray(0, stamp.length).equals(stamp)) cachedData = kept.subarray(stamp.length);
  } catch {
    // not kept yet
  }
  const script = new vm.Script(Module.wrap(content), { filename, cachedData, columnOffset: -Module.wrapper[0].length });
  if (cachedData === undefined || script.cachedDataRejected) toKeep.push({ script, file, stamp });
  const module = this;
  const require = (/** @type {string} */ id) => module.require(id);
  require.resolve = (/** @type {string} */ request, /** @type {any} */ options) => Module._resolveFilename(request, module, false, options);
  require.resolve.paths = (/** @type {string} */ request) => Module._resolveLookupPaths(request, module);
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  const wrapper = script.runInThisContext({ displayErrors: true });
  return wrapper.call(module.exports, module.exports, require, module, filename, path.dirname(filename));
}

/** Keep the code of the scripts compiled without it (a folder that cannot be written keeps nothing). */
function keepCode() {
  for (const { script, file, stamp } of toKeep.splice(0)) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(`${file}.${process.pid}`, Buffer.concat([stamp, script.createCachedData()]));
      fs.renameSync(`${file}.${process.pid}`, file);
    } catch {
      return;
    }
  }
}

if (!require.extensions['.ts']) {
  require.extensions['.ts'] = loadTypeScript;
  process.setSourceMapsEnabled(true);
  if (CACHE && typeof (/** @type {any} */ (Module).enableCompileCache) === 'function') {
    /** @type {any} */ (Module).enableCompileCache(path.join(CACHE, 'node'));
  } else if (CACHE && typeof zlib.crc32 === 'function') {
    // (an older Node than `engines` allows has no zlib.crc32: it runs without, to the app's clear message)
    Module.prototype._compile = compileWithKeptCode;
    process.on('exit', keepCode);
  }
}

module.exports = { OPTIONS, compiled };
