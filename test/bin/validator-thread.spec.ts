import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, IPolicyValidationContext, Stack, Validations } from 'aws-cdk-lib';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { queueAssembly, sharedBuiltIn } from './validation-fixture';
import { CachedCloudFormationValidation } from '../../bin/cached-cfn-validation';
import { ValidatorThread } from '../../bin/validator-thread';

/**
 * aws-cdk-lib's CloudFormation validator in a worker thread (bin/validator-worker.mjs), waited for
 * synchronously: the built-in's version and report, its engine started early for the resource types
 * expected, ended when not needed, and every failure a clear Error rather than a hang.
 */
/** The built-in, on this thread, that the reports are compared with: one for the validator specs (its engine start costs seconds). */
const builtIn = sharedBuiltIn();

describe('the CloudFormation validator in a worker thread', () => {
  const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const threads: ValidatorThread[] = [];
  const thread = (options: ConstructorParameters<typeof ValidatorThread>[0] = {}) => {
    const made = new ValidatorThread(options);
    threads.push(made);
    return made;
  };
  afterAll(() => threads.forEach((t) => t.stop()));
  /** A worker never told to warm, shared by the tests that need no other (each engine start costs ~1.5 s). */
  let plainWorker: ValidatorThread | undefined;
  const plain = () => (plainWorker ??= thread());

  const assembly = queueAssembly;

  /** A worker script of the same protocol that misbehaves (`body` runs with `post` in scope). */
  function fakeWorker(body: string): string {
    const file = path.join(tmp('cfn-thread-worker-'), 'worker.mjs');
    fs.writeFileSync(
      file,
      [
        "import { workerData } from 'node:worker_threads';",
        'const { signal, port } = workerData;',
        'const posted = new Int32Array(signal);',
        'const post = (m) => { port.postMessage(m); Atomics.add(posted, 0, 1); Atomics.notify(posted, 0); };',
        body,
      ].join('\n'),
    );
    return file;
  }

  test('answers with the built-in version and report, its engine started early for the expected resource types', () => {
    // GIVEN a worker told to start its engine for queues
    const worker = thread();
    worker.warm(['AWS::SQS::Queue']);
    const context = assembly();
    // WHEN it validates
    const report = worker.validate(context);
    // THEN exactly the built-in's report and version, from an engine started before the templates came
    expect(report).toEqual(builtIn.validate(context));
    expect(report.violations.length).toBeGreaterThan(0);
    expect(worker.version).toBe(builtIn.version);
    expect(worker.warmed).toBe(true);
  });

  test('validates again with the same engine, and without warming when no types are expected', () => {
    const worker = plain();
    const first = assembly();
    const second = assembly('AnotherUnknownProperty');
    expect(worker.validate(first)).toEqual(builtIn.validate(first));
    expect(worker.validate(second)).toEqual(builtIn.validate(second));
    expect(worker.warmed).toBeUndefined();
  });

  test('a template the built-in cannot read fails the call with its error, naming the worker', () => {
    const worker = plain();
    const context = assembly();
    const missing = { ...context.stackTemplates[0], templatePath: '/nonexistent/Gone.template.json' };
    expect(() => worker.validate({ ...context, templatePaths: [missing.templatePath], stackTemplates: [missing] })).toThrow(
      /^the CloudFormation validator's worker failed to validate 1 template\(s\): Error: ENOENT: no such file or directory, open '\/nonexistent\/Gone.template.json'/,
    );
    // and the worker still answers
    expect(worker.validate(context)).toEqual(builtIn.validate(context));
  });

  test('a worker that cannot load the built-in fails every call with its reason', () => {
    const worker = thread({ workerFile: fakeWorker("post({ kind: 'failed', message: 'Error: Cannot find module aws-cdk-lib' });") });
    const expected =
      "the CloudFormation validator's worker could not load aws-cdk-lib's CloudFormationValidatePlugin: Error: Cannot find module aws-cdk-lib";
    expect(() => worker.version).toThrow(expected);
    expect(() => worker.validate(assembly())).toThrow(expected);
  });

  test('a worker that gives no answer fails the call when the time is up (a synth never hangs on it)', () => {
    const worker = thread({ workerFile: fakeWorker('port.on("message", () => undefined);'), timeoutMs: 300 });
    expect(() => worker.validate(assembly())).toThrow("the CloudFormation validator's worker gave no answer (its report) within 0.3 s");
    expect(() => worker.version).toThrow(/gave no answer/);
  });

  test('a worker that dies before it can answer fails the calls after with its error (once this thread sees it)', async () => {
    const worker = thread({ workerFile: fakeWorker("throw new Error('boom');"), timeoutMs: 50 });
    // the error event reaches this thread only between calls
    let message = '';
    for (let i = 0; i < 200 && !message.includes('boom'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      try {
        void worker.version;
      } catch (e) {
        message = (e as Error).message;
      }
    }
    expect(message).toMatch(/^the CloudFormation validator's worker failed: Error: boom/);
    expect(() => worker.validate(assembly())).toThrow(message);
  });

  test('a worker that failed to warm its engine still validates (warming only saves time)', () => {
    // (the shared plain worker, warmed here for the first time: after the tests that require it unwarmed)
    const worker = plain();
    worker.warm(42 as unknown as string[]);
    const context = assembly();
    expect(worker.validate(context)).toEqual(builtIn.validate(context));
    expect(worker.warmed).toBe(false);
  });

  test('a stopped worker is not waited for', () => {
    const worker = thread({ workerFile: fakeWorker('') });
    worker.stop();
    expect(() => worker.version).toThrow("the CloudFormation validator's worker was stopped before it answered (its version)");
  });

  test('a process whose worker is still starting the engine exits at once (the worker keeps nothing alive)', () => {
    // GIVEN a process that starts a worker, warming, and ends without stopping it
    const script =
      "const { ValidatorThread } = require('./bin/validator-thread'); const t = new ValidatorThread(); t.warm(['AWS::SQS::Queue']); console.log('done');";
    // WHEN it runs THEN it exits by itself, normally (a hang would be killed by the timeout)
    const run = spawnSync(process.execPath, ['-r', './bin/register.js', '-e', script], {
      cwd: path.join(__dirname, '..', '..'),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: run.status, signal: run.signal, stdout: run.stdout }).toEqual({ status: 0, signal: null, stdout: 'done\n' });
  });
});

describe('the kept-results validator with its worker', () => {
  const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

  /** An app of three stacks (two topics with an unknown property, one queue), written through `synthesizer` when given. */
  function app(synthesizer?: CachedCloudFormationValidation, property = 'NotATopicProperty'): App {
    const made = new App({
      outdir: tmp('cfn-kept-out-'),
      builtinCloudFormationValidation: false,
      defaultStackSynthesizer: synthesizer?.synthesizer(),
    });
    for (const id of ['One', 'Two', 'Queue']) {
      const stack = new Stack(made, id, { env: { account: '111111111111', region: 'eu-west-1' } });
      if (id === 'Queue') new CfnResource(stack, 'Queue', { type: 'AWS::SQS::Queue' });
      else new CfnResource(stack, 'Topic', { type: 'AWS::SNS::Topic', properties: { [property]: 'x' } });
      new Asset(stack, 'Code', { path: __filename });
    }
    if (synthesizer) Validations.of(made).addPlugins(synthesizer);
    return made;
  }

  function contextOf(assembly: CloudAssembly): IPolicyValidationContext {
    const stackTemplates = assembly.stacks.map((s) => ({
      stackConstructPath: s.hierarchicalId,
      templatePath: path.join(assembly.directory, s.templateFile),
      accountId: s.environment.account,
      region: s.environment.region,
    }));
    return { templatePaths: stackTemplates.map((t) => t.templatePath), stackTemplates } as unknown as IPolicyValidationContext;
  }

  /** What a report found, where (without the stack traces of the place a construct was made). */
  const findings = (report: {
    pluginReports: {
      pluginName: string;
      violations: { ruleName: string; description: string; violatingConstructs: { constructPath: string }[] }[];
    }[];
  }) =>
    report.pluginReports.map((r) => ({
      plugin: r.pluginName,
      violations: r.violations.map((v) => [v.ruleName, v.description, v.violatingConstructs.map((c) => c.constructPath)]),
    }));

  /** The validation report the app wrote, its template paths relative. */
  const reportOf = (assembly: CloudAssembly) =>
    JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));

  test('writes the same templates and asset manifests as the default synthesizer (one manifest per stack)', () => {
    const plain = app().synth();
    // (validated on this thread by the shared built-in: what is written does not depend on where it is validated)
    const watched = app(new CachedCloudFormationValidation(tmp('cfn-kept-'), { engine: builtIn })).synth();
    for (const stack of plain.stacks) {
      const files = [stack.templateFile, `${stack.id}.assets.json`];
      for (const file of files)
        expect(fs.readFileSync(path.join(watched.directory, file), 'utf8')).toBe(fs.readFileSync(path.join(plain.directory, file), 'utf8'));
    }
    // its template and its one asset, no other stack's
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(watched.directory, 'One.assets.json'), 'utf8')).files)).toHaveLength(2);
  });

  test('the first template written that is not kept starts the engine; the report is the built-in one; the next run, with nothing changed, starts no worker', () => {
    // GIVEN no kept results
    const dir = tmp('cfn-kept-');
    const first = new CachedCloudFormationValidation(dir);
    expect(first.engineState).toBe('none');
    // WHEN the app is synthesized
    const assembly = app(first).synth();
    // THEN the engine started at the first template written, the built-in's report, the resource types kept
    expect(first.earlyStart).toBe('One');
    expect(first.workersStarted).toBe(1);
    expect(first.stats).toEqual([{ hits: 0, validated: 3 }]);
    const expected = builtIn.validate(contextOf(assembly));
    expect(expected.violations.length).toBeGreaterThan(0);
    expect(reportOf(assembly).pluginReports.find((r: { pluginName: string }) => r.pluginName === builtIn.name)).toMatchObject({
      pluginVersion: builtIn.version,
      violations: expected.violations.map((v) => expect.objectContaining({ ruleName: v.ruleName, description: v.description })),
    });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'resource-types.json'), 'utf8'))).toEqual(
      expect.arrayContaining(['AWS::SNS::Topic', 'AWS::SQS::Queue']),
    );
    expect(first.engineState).toBe('none');
    // WHEN a new run writes the same templates
    const second = new CachedCloudFormationValidation(dir);
    expect(second.expectedResourceTypes).toEqual(JSON.parse(fs.readFileSync(path.join(dir, 'resource-types.json'), 'utf8')));
    const again = app(second).synth();
    // THEN no worker started, the same report
    expect(second.earlyStart).toBeUndefined();
    expect(second.workersStarted).toBe(0);
    expect(second.stats).toEqual([{ hits: 3, validated: 0 }]);
    expect(second.engineState).toBe('none');
    expect(findings(reportOf(again))).toEqual(findings(reportOf(assembly)));
  });

  test('a changed template starts the engine when it is written, and only it is validated', () => {
    const dir = tmp('cfn-kept-');
    // results kept by a first run (validated on this thread: only the second run's worker is under test)
    app(new CachedCloudFormationValidation(dir, { engine: builtIn })).synth();
    // WHEN the topics change
    const cached = new CachedCloudFormationValidation(dir);
    const assembly = app(cached, 'AnotherTopicProperty').synth();
    // THEN the first of them started the engine, and the report names the new property
    expect(cached.earlyStart).toBe('One');
    expect(cached.stats).toEqual([{ hits: 1, validated: 2 }]);
    expect(JSON.stringify(reportOf(assembly))).toContain('AnotherTopicProperty');
  });

  test('pruning old results keeps the resource types the next engine starts for', () => {
    // GIVEN more kept results than are kept at most, none of them used by this run
    const dir = tmp('cfn-kept-');
    const context = contextOf(app().synth());
    new CachedCloudFormationValidation(dir, { engine: builtIn }).validate(context);
    for (let i = 0; i < 2001; i++) fs.writeFileSync(path.join(dir, `old-${i}.json`), '[]');
    // WHEN a run prunes them
    new CachedCloudFormationValidation(dir, { engine: builtIn }).validate(context);
    // THEN its own results and the resource types stay
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('old-'))).toEqual([]);
    expect(fs.readdirSync(dir)).toContain('resource-types.json');
    expect(fs.readdirSync(dir)).toHaveLength(4);
  });
});
