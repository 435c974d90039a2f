import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudFormationValidatePlugin, IPolicyValidationContext } from 'aws-cdk-lib';
import { queueAssembly, sharedBuiltIn } from './validation-fixture';
import { CachedCloudFormationValidation, validatorEngineVersion } from '../../bin/cached-cfn-validation';
import { TemplateValidator } from '../../bin/validator-thread';

/**
 * The built-in validator with its results kept per template: the same report as the built-in, from
 * the cache when nothing that decides a template's verdict changed. One engine serves the whole
 * file (starting it takes seconds), and the validator-thread spec (test/bin/all.test.ts).
 */
describe('the CloudFormation validator, its results kept per template', () => {
  const builtIn = sharedBuiltIn();
  /** The built-in, counting the calls that reach it (a wrapper: the built-in is shared with other specs). */
  let engineCalls = 0;
  const engine: TemplateValidator = {
    version: builtIn.version,
    validate: (context) => {
      engineCalls++;
      return builtIn.validate(context);
    },
  };
  const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

  const assembly = queueAssembly;

  test('reports what the built-in reports, under its name and version, and keeps one result per template', () => {
    // GIVEN the templates and the built-in's own report of them
    const context = assembly();
    const expected = engine.validate(context);
    expect(expected.violations.length).toBeGreaterThan(0);
    expect(expected.violations[0].violatingResources.map((r) => r.templatePath)).toHaveLength(2);
    // WHEN the cached validator validates them with an empty cache
    const dir = tmp('cfn-cache-');
    const cached = new CachedCloudFormationValidation(dir, { engine });
    // THEN the same report, and a result kept for each template
    expect(cached.validate(context)).toEqual(expected);
    expect(cached.name).toBe(CloudFormationValidatePlugin.PLUGIN_NAME);
    expect(cached.version).toBe(engine.version);
    expect(fs.readdirSync(dir).filter((f) => f !== 'resource-types.json')).toHaveLength(3);
    expect(cached.stats.at(-1)).toEqual({ hits: 0, validated: 3 });
  });

  test('a second synth of the same templates (another assembly folder) never reaches the engine, and reports the same', () => {
    const dir = tmp('cfn-cache-');
    const first = assembly();
    const expected = engine.validate(first);
    new CachedCloudFormationValidation(dir, { engine }).validate(first);
    // WHEN a new process (a new plugin) validates the same templates, written to another folder
    const again = assembly();
    const before = engineCalls;
    const cached = new CachedCloudFormationValidation(dir, { engine });
    const report = cached.validate(again);
    // THEN from the cache alone, with the paths of this assembly
    expect(engineCalls).toBe(before);
    expect(cached.stats.at(-1)).toEqual({ hits: 3, validated: 0 });
    const pathsOf = (r: typeof report) => r.violations.flatMap((v) => v.violatingResources.map((x) => x.templatePath));
    expect(pathsOf(report)).toEqual(pathsOf(engine.validate(again)));
    expect({ ...report, violations: report.violations.map((v) => ({ ...v, violatingResources: [] })) }).toEqual({
      ...expected,
      violations: expected.violations.map((v) => ({ ...v, violatingResources: [] })),
    });
    expect(report.success).toBe(expected.success);
  });

  test('a clean template stays clean from the cache; a changed one is validated again, alone', () => {
    const dir = tmp('cfn-cache-');
    new CachedCloudFormationValidation(dir, { engine }).validate(assembly());
    // WHEN the two failing templates change (another unknown property) and the clean one does not
    const changed = assembly('AnotherUnknownProperty');
    const cached = new CachedCloudFormationValidation(dir, { engine });
    const report = cached.validate(changed);
    // THEN only they reach the engine, and the report names the new property
    expect(cached.stats.at(-1)).toEqual({ hits: 1, validated: 2 });
    expect(report.violations.map((v) => v.description).join('\n')).toContain('AnotherUnknownProperty');
    expect(report).toEqual(engine.validate(changed));
  });

  test.each([
    ['the template', (c: CachedCloudFormationValidation, s: Stack0) => c.keyOf(s, '{"Resources":{}} ')],
    ['the region', (c: CachedCloudFormationValidation, s: Stack0) => c.keyOf({ ...s, region: 'us-east-1' }, TEMPLATE)],
    ['the account', (c: CachedCloudFormationValidation, s: Stack0) => c.keyOf({ ...s, accountId: '222222222222' }, TEMPLATE)],
    ['the stack', (c: CachedCloudFormationValidation, s: Stack0) => c.keyOf({ ...s, stackConstructPath: 'Prod/Other' }, TEMPLATE)],
    [
      'the template file',
      (c: CachedCloudFormationValidation, s: Stack0) => c.keyOf({ ...s, templatePath: '/x/ProdOther.template.json' }, TEMPLATE),
    ],
    [
      'the aws-cdk-lib version',
      (_c: CachedCloudFormationValidation, s: Stack0) =>
        new CachedCloudFormationValidation('/unused', { engine, cdkVersion: '0.0.0' }).keyOf(s, TEMPLATE),
    ],
    [
      'the engine version',
      (_c: CachedCloudFormationValidation, s: Stack0) =>
        new CachedCloudFormationValidation('/unused', { engine, engineVersion: '0.0.0' }).keyOf(s, TEMPLATE),
    ],
  ])('a change of %s is a new key (a result is reused only for the same verdict inputs)', (_what, keyWith) => {
    const cached = new CachedCloudFormationValidation('/unused', { engine });
    const base = cached.keyOf(STACK, TEMPLATE);
    expect(cached.keyOf({ ...STACK, templatePath: '/elsewhere/ProdData.template.json' }, TEMPLATE)).toBe(base);
    expect(keyWith(cached, STACK)).not.toBe(base);
  });
});

describe('validatorEngineVersion', () => {
  test("is the version the engine reports, read from its package.json (without loading the engine's WebAssembly)", () => {
    expect(validatorEngineVersion()).toBe(new CloudFormationValidatePlugin().version);
    expect(new CachedCloudFormationValidation('/unused').version).toBe(validatorEngineVersion());
  });
});

type Stack0 = IPolicyValidationContext['stackTemplates'][number];
const STACK: Stack0 = {
  stackConstructPath: 'Prod/Data',
  templatePath: '/a/ProdData.template.json',
  accountId: '111111111111',
  region: 'eu-west-1',
};
const TEMPLATE = '{"Resources":{}}';
