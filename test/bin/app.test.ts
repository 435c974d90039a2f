import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudFormationValidatePlugin, Stack } from 'aws-cdk-lib';
import { appContext, buildApp, bundleCacheOf, keptValidation, main, PlatformAppProps, VALIDATION_CACHE_DIR } from '../../bin/app';
import { LambdaBundles } from '../../lib/constructs/in-process-bundle';
import { TemplateFiles } from '../../lib/policies/template-files';
import { KeptBundles } from '../../bin/kept-bundles';
import { APP_CONTEXT, BUNDLE_CACHE_DIR, readTemplate } from '../../bin/app-context';
import { loadEnvironments } from '../../bin/config-input';
import { dev, ENVIRONMENTS } from '../../lib/config/environments';
import { ConfigValidationError } from '../../lib/config/validate';
import { world } from '../contracts/world';
import { CDK_CONTEXT, withValue } from '../helpers';

const ROOT = path.join(__dirname, '..', '..');
/** dev on its own: with no parent environment in the file, its zone is delegated at the registrar. */
const devAlone = withValue(dev, 'domain.delegatedFrom', undefined);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'app-'));
const writeJson = (value: unknown) => {
  const file = path.join(tmp(), 'config.json');
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
};

describe('the CDK app', () => {
  test('every template of every stage passes the built-in CloudFormation validator, cdk-nag and the platform checks', () => {
    // The one synth of the suite with the built-in validator on is the shared platform's
    // (test/contracts/world.ts; in a working tree, templates validated before with the same inputs
    // come from the validator's kept results). Its findings do not stop that synth: they fail here.
    const { validation, missingContext, stacks: synthesized } = world();
    // zero unacknowledged findings, warnings included, from every plugin
    expect(validation!.flatMap((r) => r.violations)).toEqual([]);
    // offline: no stage asks for a context lookup (it would need credentials)
    expect(missingContext).toEqual([]);
    // the validator ran (its report is there), once, under the built-in's name and version
    expect(validation!.filter((r) => r.pluginName === CloudFormationValidatePlugin.PLUGIN_NAME)).toEqual([
      expect.objectContaining({ pluginVersion: new CloudFormationValidatePlugin().version, conclusion: 'success' }),
    ]);
    const stacks = synthesized.map((s) => s.path);
    const perStage = [
      'Access',
      'Audit',
      'Backup',
      'BackupVault',
      'Chaos',
      'Cluster',
      'Data',
      'Dns',
      'Edge',
      'EdgeContent',
      'EdgeGlobal',
      'EdgeGlobalLogs',
      'Network',
      'Observability',
      'ObservabilityData',
      'ObservabilityGlobal',
      'Webhooks',
    ];
    expect(stacks.sort()).toEqual(
      [
        ...['Dev', 'Staging', 'Prod'].flatMap((stage) => perStage.map((s) => `${stage}/${s}`)),
        'Prod/DataReplica',
        'Prod/DisasterRecovery',
        'Management/Access',
        'Tooling/Delivery',
        'Tooling/Registry',
        'Tooling/Signing',
        'Tooling/PullRequestReview',
        'Tooling/Pipeline',
        'Tooling/PipelineDev',
        // CodePipeline's artifact replicas, per pipeline, in each other region its stages deploy to
        'Tooling/cross-region-stack-Tooling-Pipeline:us-east-1',
        'Tooling/cross-region-stack-Tooling-Pipeline:eu-central-1',
        'Tooling/cross-region-stack-Tooling-PipelineDev:us-east-1',
      ].sort(),
    );
  });

  test.each<[string, PlatformAppProps, string | undefined, string | undefined]>([
    ['the default: kept in node_modules/.cache', {}, undefined, VALIDATION_CACHE_DIR],
    ['a folder of its own', { validationCache: '/tmp/kept' }, undefined, '/tmp/kept'],
    ['--no-validation (CDK_VALIDATION=false): no validator', {}, 'false', undefined],
    ['builtinCloudFormationValidation: false: no validator', { builtinCloudFormationValidation: false }, undefined, undefined],
    ['validationCache: false: the built-in itself, nothing kept', { validationCache: false }, undefined, undefined],
    ['CDK_VALIDATION=true: kept', {}, 'true', VALIDATION_CACHE_DIR],
  ])('%s', (_what, props, cdkValidation, kept) => {
    expect(keptValidation(props, cdkValidation)).toBe(kept);
  });

  const cdkJson = () => ({ '@aws-cdk/core:flag': true });
  test.each([
    ["run directly: cdk.json's context", {}, { '@aws-cdk/core:flag': true }],
    ['run by the CLI: its CDK_CONTEXT_JSON carries cdk.json', { CDK_CONTEXT_JSON: '{}' }, {}],
  ])('the app context, %s (after the keys the app sets itself)', (_, env, context) => {
    expect(appContext(env, cdkJson)).toEqual({ ...APP_CONTEXT, ...context });
  });

  test.each([
    ['unset: kept in node_modules/.cache', {}, BUNDLE_CACHE_DIR],
    ['PLATFORM_BUNDLE_CACHE names the folder', { PLATFORM_BUNDLE_CACHE: '/kept' }, '/kept'],
    ['PLATFORM_BUNDLE_CACHE=off: every synth bundles', { PLATFORM_BUNDLE_CACHE: 'off' }, undefined],
  ])('where Lambda bundles are kept, %s', (_, env, folder) => {
    expect(bundleCacheOf(env)).toBe(folder);
  });

  test("the app's functions keep their bundles where the prop says, and only then", () => {
    const keeperOf = (props: PlatformAppProps) =>
      LambdaBundles.of(buildApp([devAlone], { ...props, builtinCloudFormationValidation: false })).keeper;
    expect(keeperOf({ bundleCache: '/kept' })).toEqual(new KeptBundles('/kept'));
    expect(keeperOf({})).toBeUndefined();
  });

  test("the app reads its written templates for the platform checks with bin/'s reader (lib/ reads no files)", () => {
    const app = buildApp([devAlone], { context: CDK_CONTEXT, builtinCloudFormationValidation: false });
    expect(TemplateFiles.of(app).reader).toBe(readTemplate);
  });

  test('the app records no creation stack traces (each costs a captured and source-mapped stack; `cdk synth --debug` records them)', () => {
    expect(appContext({})).toMatchObject({ 'aws:cdk:disable-creation-stack-traces': true });
    expect(appContext({ CDK_CONTEXT_JSON: '{}' })).toMatchObject({ 'aws:cdk:disable-creation-stack-traces': true });
    const app = buildApp([devAlone], { context: appContext({ PLATFORM_BUNDLE_CACHE: 'off' }), builtinCloudFormationValidation: false });
    const resources = app.node.findAll().filter((c) => c.node.metadata.some((m) => m.type === 'aws:cdk:logicalId'));
    expect(resources.length).toBeGreaterThan(100);
    expect(resources.filter((c) => c.node.metadata.some((m) => m.type === 'aws:cdk:creationStack'))).toEqual([]);
  });

  test("cdk.json turns off CDK's additional metadata collection (each L2 construct's props and method calls, recorded for AWS's usage analytics: a third of the metadata the CLI reads)", () => {
    const context = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context;
    expect(context['@aws-cdk/core:enableAdditionalMetadataCollection']).toBe(false);
    const app = buildApp([devAlone], {
      context: appContext({ PLATFORM_BUNDLE_CACHE: 'off' }, () => context),
      builtinCloudFormationValidation: false,
    });
    const collected = new Set(['aws:cdk:analytics:construct', 'aws:cdk:analytics:method']);
    const recorded = app.node.findAll().filter((c) => c.node.metadata.some((m) => collected.has(m.type)));
    expect(recorded.map((c) => c.node.path)).toEqual([]);
  });

  test('cdk.json holds no key the CDK CLI reserves (`aws:`: it warns on every synth)', () => {
    const context = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context;
    expect(Object.keys(context).filter((k) => k.startsWith('aws:'))).toEqual([]);
  });

  test.each<[string, () => PlatformAppProps, string]>([
    [
      'kept: written through the kept-results validator (its first changed template starts the engine)',
      () => ({ validationCache: tmp() }),
      'Watching',
    ],
    ['validationCache: false: the default synthesizer', () => ({ validationCache: false }), 'DefaultStackSynthesizer'],
    ['no validation: the default synthesizer', () => ({ builtinCloudFormationValidation: false }), 'DefaultStackSynthesizer'],
  ])('stacks, validator results %s', (_what, props, synthesizer) => {
    const app = buildApp([devAlone], { ...props(), context: CDK_CONTEXT });
    const stacks = app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
    expect(stacks.length).toBeGreaterThan(0);
    expect(new Set(stacks.map((s) => s.synthesizer.constructor.name))).toEqual(new Set([synthesizer]));
  });

  test('-c observability:albRefresh re-resolves the ALB dimensions (a new value of the custom resource)', () => {
    const app = buildApp([devAlone], {
      context: { ...CDK_CONTEXT, 'observability:albRefresh': 1733000000 },
      builtinCloudFormationValidation: false,
    });
    const assembly = app.synth().nestedAssemblies.find((a) => a.nestedAssembly.stacks.some((st) => st.stackName === 'Dev-Observability'))!;
    const template = assembly.nestedAssembly.getStackByName('Dev-Observability').template;
    const [resolver] = Object.values(template.Resources as Record<string, { Type: string; Properties: { Refresh: string } }>).filter(
      (r) => r.Type === 'Custom::AlbDimensions',
    );
    expect(resolver.Properties.Refresh).toBe('1733000000');
  });

  test('a malformed config throws one error listing every problem, before any construct exists', () => {
    const broken = withValue(withValue(dev, 'network.vpcCidr', '10.0.0.0/40'), 'account', 'x');
    expect(() => buildApp([broken])).toThrow(ConfigValidationError);
  });
});

describe('loadEnvironments', () => {
  test('defaults to lib/config', () => {
    expect(loadEnvironments({})).toBe(ENVIRONMENTS);
  });
  test('reads a JSON file named by PLATFORM_CONFIG_FILE', () => {
    const file = writeJson([dev]);
    expect(loadEnvironments({ PLATFORM_CONFIG_FILE: file })).toEqual([JSON.parse(JSON.stringify(dev))]);
  });
  test('a missing file is a config problem', () => {
    expect(() => loadEnvironments({ PLATFORM_CONFIG_FILE: '/nope/config.json' })).toThrow(
      'PLATFORM_CONFIG_FILE: "/nope/config.json" cannot be read; give the path of a JSON file',
    );
  });
  test('invalid JSON is a config problem naming the file', () => {
    const file = writeJson('{ "name": ');
    expect(() => loadEnvironments({ PLATFORM_CONFIG_FILE: file })).toThrow(`${file}: is not valid JSON (`);
  });
});

describe('main', () => {
  const run = (config: unknown) => {
    const lines: string[] = [];
    const outdir = tmp();
    const previous = process.env.CDK_OUTDIR;
    process.env.CDK_OUTDIR = outdir;
    try {
      const code = main({ PLATFORM_CONFIG_FILE: writeJson(config) }, (l) => lines.push(l));
      return { code, output: lines.join('\n'), written: fs.readdirSync(outdir) };
    } finally {
      if (previous === undefined) delete process.env.CDK_OUTDIR;
      else process.env.CDK_OUTDIR = previous;
    }
  };

  test('bad config: every problem printed, exit code 1, nothing written', () => {
    const broken = withValue(withValue(devAlone, 'network.vpcCidr', '10.0.0.0/40'), 'region', 'moon-1');
    const { code, output, written } = run([broken]);
    expect(code).toBe(1);
    expect(output.split('\n')).toEqual([
      'Configuration has 2 problem(s); nothing was synthesized:',
      expect.stringMatching(/^dev\.region: "moon-1" is not allowed; use one of us-east-1, /),
      'dev.network.vpcCidr: "10.0.0.0/40" has a prefix above /32',
    ]);
    expect(written).toEqual([]);
  });

  test('an unreadable config file is one line, not a stack trace', () => {
    const lines: string[] = [];
    const code = main({ PLATFORM_CONFIG_FILE: '/nope.json' }, (l) => lines.push(l));
    expect(code).toBe(1);
    expect(lines).toEqual([
      'Configuration has 1 problem(s); nothing was synthesized:\nPLATFORM_CONFIG_FILE: "/nope.json" cannot be read; give the path of a JSON file',
    ]);
  });

  test('as a process: exit code 1 and the message on stderr, without a stack trace', () => {
    const file = writeJson([withValue(devAlone, 'account', '12')]);
    const out = tmp();
    const result = spawnSync(process.execPath, ['-r', './bin/register.js', 'bin/app.ts'], {
      cwd: ROOT,
      env: { ...process.env, PLATFORM_CONFIG_FILE: file, CDK_OUTDIR: out },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'Configuration has 1 problem(s); nothing was synthesized:\ndev.account: "12" is not valid; use a 12-digit AWS account ID',
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(out)).toEqual([]);
  });
});
