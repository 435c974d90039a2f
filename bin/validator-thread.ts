import * as path from 'path';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { IPolicyValidationContext, PolicyValidationPluginReport } from 'aws-cdk-lib';

/** What validates templates: aws-cdk-lib's `CloudFormationValidatePlugin`, or the same in a worker thread. */
export interface TemplateValidator {
  readonly version: string | undefined;
  validate(context: IPolicyValidationContext): PolicyValidationPluginReport;
}

/** What the worker posts (bin/validator-worker.mjs). */
type Posted =
  | { kind: 'version'; version: string }
  | { kind: 'warmed'; types: number }
  | { kind: 'warm-failed'; message: string }
  | { kind: 'failed'; message: string }
  | { kind: 'report'; id: number; report: PolicyValidationPluginReport }
  | { kind: 'error'; id: number; message: string };

/** The worker's file (plain JavaScript: it runs under bin/register.js and jest alike, without a TypeScript runner). */
export const VALIDATOR_WORKER = path.join(__dirname, 'validator-worker.mjs');
/** How long a synth waits for one answer of the worker before it fails (a dead worker never answers). */
const DEFAULT_TIMEOUT_MS = 300_000;

/**
 * aws-cdk-lib's CloudFormation validator in a worker thread, started when this is made: it loads
 * the plugin and compiles its WebAssembly module (~0.1-0.2 s) on another core, and starts the
 * engine with its rules (~1-1.4 s) when `warm` is called (or with the first templates), instead of
 * on the main thread at the end of synth. The CDK asks validation plugins synchronously, so
 * `version` and `validate` wait for the worker's answer: Atomics.wait on a counter the worker bumps
 * after each message, then receiveMessageOnPort (a dozen lines, written here rather than taking
 * synckit: its worker cannot be ended by the caller, a worker that dies before answering is waited
 * for until its timeout either way, and it would add a TypeScript runner to a plain JS worker).
 * The worker never keeps the process alive (unref) and `stop()` ends it; a failure inside it, or no
 * answer within the timeout, is an Error naming it.
 */
export class ValidatorThread implements TemplateValidator {
  private worker?: Worker;
  private readonly port: MessagePort;
  private readonly posted: Int32Array;
  private knownVersion?: string;
  private failure?: string;
  private requests = 0;
  /** Whether the engine was warmed with the expected resource types (undefined: not yet known). */
  public warmed?: boolean;

  /**
   * @param options.workerFile the worker's script (tests)
   * @param options.timeoutMs how long to wait for one answer
   */
  constructor(private readonly options: { readonly workerFile?: string; readonly timeoutMs?: number } = {}) {
    const signal = new SharedArrayBuffer(4);
    this.posted = new Int32Array(signal);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(options.workerFile ?? VALIDATOR_WORKER, {
      workerData: { signal, port: port2 },
      transferList: [port2],
      // the app's `-r ./bin/register.js` (or jest's flags) would only slow the worker down
      execArgv: [],
      stdout: false,
      stderr: false,
    });
    // seen only when this thread is not waiting (the worker posts the failures it can catch); the
    // cause, it replaces an earlier "no answer"
    this.worker.on('error', (e) => (this.failure = `the CloudFormation validator's worker failed: ${e.stack ?? e.message}`));
    this.worker.unref();
    this.port.unref();
  }

  public get version(): string | undefined {
    while (this.knownVersion === undefined) this.handle(this.next('its version'));
    return this.knownVersion;
  }

  /** Starts the engine now for these resource types (without waiting), so that templates of those types are validated without starting it. */
  public warm(resourceTypes: readonly string[]): void {
    this.port.postMessage({ warm: resourceTypes });
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const id = ++this.requests;
    // the construct tree stays here: the built-in reads only the templates
    const { templatePaths, stackTemplates, accountId, region } = context;
    this.port.postMessage({ id, context: { templatePaths, stackTemplates, accountId, region } });
    for (;;) {
      const message = this.next('its report');
      if (message.kind === 'report' && message.id === id) return message.report;
      if (message.kind === 'error' && message.id === id)
        throw new Error(`the CloudFormation validator's worker failed to validate ${templatePaths.length} template(s): ${message.message}`);
      this.handle(message);
    }
  }

  /** Ends the worker (its engine is not needed any more, or was never needed). */
  public stop(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private handle(message: Posted): void {
    if (message.kind === 'version') this.knownVersion = message.version;
    else if (message.kind === 'warmed') this.warmed = true;
    else if (message.kind === 'warm-failed') this.warmed = false;
  }

  /** The worker's next message, waiting for it; throws when the worker failed or gave no answer in time. */
  private next(waitingFor: string): Posted {
    if (this.failure !== undefined) throw new Error(this.failure);
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // read the counter before the port: a message posted after this read wakes the wait below
      const seen = Atomics.load(this.posted, 0);
      const received = receiveMessageOnPort(this.port);
      if (received) {
        const message = received.message as Posted;
        if (message.kind === 'failed') {
          this.failure = `the CloudFormation validator's worker could not load aws-cdk-lib's CloudFormationValidatePlugin: ${message.message}`;
          throw new Error(this.failure);
        }
        return message;
      }
      if (this.worker === undefined)
        throw new Error(`the CloudFormation validator's worker was stopped before it answered (${waitingFor})`);
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.posted, 0, seen, left) === 'timed-out') {
        this.failure = `the CloudFormation validator's worker gave no answer (${waitingFor}) within ${timeoutMs / 1000} s`;
        throw new Error(this.failure);
      }
    }
  }
}
