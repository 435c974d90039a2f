// The CloudFormation validator's engine in a worker thread (started by bin/validator-thread.ts).
//
// Plain JavaScript: the same file runs under `node -r ./bin/register.js bin/app.ts` (cdk.json) and
// under jest, and a worker needs no TypeScript runner (and does not pay for one) to run it.
//
// It loads aws-cdk-lib's own `CloudFormationValidatePlugin` (aws-cdk-lib 2.276.0:
// core/lib/validation/cloudformation-validate-plugin.js) and validates with it unchanged: its
// `validate(context)` reads each template, keeps an engine (`CompositeEngine` of
// @aws/cloudformation-validate, a WebAssembly module) made by `initializeEngine(resourceTypes)`
// with the default rules for the templates' resource types, and reuses that engine for later
// templates whose resource types are a subset of those. Warming (a {warm: types} request) calls that
// same `initializeEngine` with the resource types the main thread expects, so that a later
// `validate` of the changed templates reuses the engine.
//
// Protocol (workerData: `signal`, a SharedArrayBuffer of one Int32; `port`, a MessagePort): every
// message posted on `port` is followed by an increment of the counter and an Atomics.notify, so
// that the main thread can wait for it synchronously. Posted: {kind:'version', version} at start
// ({kind:'failed', message} when the plugin cannot be loaded); per {warm} request {kind:'warmed',
// types} or {kind:'warm-failed', message}; per {id, context} request {kind:'report', id, report}
// or {kind:'error', id, message}.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { workerData } from 'node:worker_threads';

const { signal, port } = workerData;
const posted = new Int32Array(signal);

function post(message) {
  port.postMessage(message);
  Atomics.add(posted, 0, 1);
  Atomics.notify(posted, 0);
}

const describe = (e) => (e instanceof Error ? (e.stack ?? e.message) : String(e));

let plugin;
try {
  const require = createRequire(import.meta.url);
  // Not among aws-cdk-lib's exported paths: required by its file, as the library itself loads it.
  const lib = path.dirname(require.resolve('aws-cdk-lib/package.json'));
  const { CloudFormationValidatePlugin } = require(path.join(lib, 'core', 'lib', 'validation', 'cloudformation-validate-plugin.js'));
  plugin = new CloudFormationValidatePlugin();
  // compiles the WebAssembly module
  post({ kind: 'version', version: plugin.version });
} catch (e) {
  post({ kind: 'failed', message: describe(e) });
}

if (plugin) {
  port.on('message', (request) => {
    if (request.warm) {
      try {
        plugin.initializeEngine(new Set(request.warm));
        post({ kind: 'warmed', types: request.warm.length });
      } catch (e) {
        // validate() starts the engine itself: warming only saves time
        post({ kind: 'warm-failed', message: describe(e) });
      }
      return;
    }
    const { id, context } = request;
    try {
      post({ kind: 'report', id, report: plugin.validate(context) });
    } catch (e) {
      post({ kind: 'error', id, message: describe(e) });
    }
  });
}
