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
 * PLATFORM_TS_CACHE: another folder for the kept output, or `off` (transpile every file).
 */
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

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
  module._compile(compiled(fs.readFileSync(filename, 'utf8'), filename), filename);
}

if (!require.extensions['.ts']) {
  require.extensions['.ts'] = loadTypeScript;
  process.setSourceMapsEnabled(true);
}

module.exports = { OPTIONS, compiled };
