import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {
  CloudFormationValidatePlugin,
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
  PolicyViolation,
} from 'aws-cdk-lib';
import { writeWhole } from './input-hash';

/** Bump when the stored form changes: every earlier entry is then a miss. */
const CACHE_FORMAT = 1;
/** Entries kept at most; past it, the ones this run did not use are removed. */
const MAX_ENTRIES = 2000;
/** Stands for the template's path in stored results (the assembly folder differs per synth). */
const TEMPLATE = '<template>';

/** What one validation of templates did: hits from the cache, templates the engine validated. */
export interface ValidationCacheStats {
  readonly hits: number;
  readonly validated: number;
}

/**
 * aws-cdk-lib's built-in CloudFormation validator (`CloudFormationValidatePlugin`: the resource
 * schemas and the default rules, in a WebAssembly engine), with each template's result kept by
 * the hash of what decides it: the template's content, the stack's construct path, account and
 * region, and the versions of aws-cdk-lib (rules, ignored ids) and of the engine. A template
 * validated before with the same inputs gets its stored result; only the others reach the engine,
 * which is not even started when none does.
 *
 * Why: in a process of its own the validator is most of a synth (measured on a 2-core machine, 63
 * templates: ~3 s to start the engine with its rules, ~7 s to validate, of a ~16 s `cdk synth`), and
 * most runs change a template or two. Registered under the built-in's name and version, so that the
 * CDK treats its report as the built-in's (acknowledgements by rule id,
 * `@aws-cdk/core:validateAgainstDefaultRules`); the app turns the built-in off when it adds this.
 * In bin/: it reads the synthesized templates (CDK hands validation plugins file paths only) and its
 * kept results.
 */
export class CachedCloudFormationValidation implements IPolicyValidationPlugin {
  public readonly name = CloudFormationValidatePlugin.PLUGIN_NAME;
  private engine?: CloudFormationValidatePlugin;
  private readonly used = new Set<string>();
  /** Per `validate` call, most recent last (for tests and the bench). */
  public readonly stats: ValidationCacheStats[] = [];

  private readonly cdkVersion: string;
  private readonly engineVersion: string;

  /**
   * @param cacheDir where results are kept
   * @param options.cdkVersion the aws-cdk-lib version in the key (default: the installed one)
   * @param options.engineVersion the engine version in the key and the report (default: the installed one)
   * @param options.engine the built-in plugin to validate misses with (default: one made on the first miss)
   */
  constructor(
    private readonly cacheDir: string,
    options: { readonly cdkVersion?: string; readonly engineVersion?: string; readonly engine?: CloudFormationValidatePlugin } = {},
  ) {
    this.cdkVersion = options.cdkVersion ?? awsCdkLibVersion();
    this.engineVersion = options.engineVersion ?? validatorEngineVersion();
    this.engine = options.engine;
  }

  /** The engine's version, read from its package.json: asking the engine loads its WebAssembly module (~65 ms a synth). */
  public get version(): string | undefined {
    return this.engineVersion;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const keyed = context.stackTemplates.map((stack) => ({ stack, key: this.keyOf(stack, fs.readFileSync(stack.templatePath)) }));
    const stored = new Map<string, PolicyViolation[]>();
    for (const { key } of keyed) {
      const file = path.join(this.cacheDir, `${key}.json`);
      if (fs.existsSync(file)) stored.set(key, JSON.parse(fs.readFileSync(file, 'utf8')) as PolicyViolation[]);
    }
    const misses = keyed.filter(({ key }) => !stored.has(key));
    if (misses.length > 0) {
      const report = this.validator().validate({
        ...context,
        templatePaths: misses.map((m) => m.stack.templatePath),
        stackTemplates: misses.map((m) => m.stack),
      });
      fs.mkdirSync(this.cacheDir, { recursive: true });
      for (const { stack, key } of misses) {
        const own = violationsOf(report.violations, stack.templatePath);
        stored.set(key, own);
        writeWhole(path.join(this.cacheDir, `${key}.json`), JSON.stringify(own));
      }
    }
    for (const { key } of keyed) this.used.add(key);
    this.stats.push({ hits: keyed.length - misses.length, validated: misses.length });
    this.prune();
    const violations = merged(keyed.map(({ stack, key }) => ({ templatePath: stack.templatePath, violations: stored.get(key)! })));
    return { success: violations.every((v) => v.severity !== 'error' && v.severity !== 'fatal'), violations };
  }

  /** The hash of everything the engine's verdict on one template depends on. */
  public keyOf(stack: IPolicyValidationContext['stackTemplates'][number], content: Buffer | string): string {
    const hash = createHash('sha256');
    hash.update(
      JSON.stringify({
        format: CACHE_FORMAT,
        cdk: this.cdkVersion,
        engine: this.engineVersion,
        stack: stack.stackConstructPath,
        template: path.basename(stack.templatePath),
        account: stack.accountId,
        region: stack.region,
      }),
    );
    hash.update('\0');
    hash.update(content);
    return hash.digest('hex');
  }

  private validator(): CloudFormationValidatePlugin {
    this.engine ??= new CloudFormationValidatePlugin();
    return this.engine;
  }

  private prune(): void {
    if (!fs.existsSync(this.cacheDir)) return;
    const entries = fs.readdirSync(this.cacheDir);
    if (entries.length <= MAX_ENTRIES) return;
    for (const entry of entries)
      if (!this.used.has(entry.replace(/\.json$/, ''))) fs.rmSync(path.join(this.cacheDir, entry), { force: true });
  }
}

/** The violations of one template, its path replaced by a placeholder (stored form). */
function violationsOf(violations: readonly PolicyViolation[], templatePath: string): PolicyViolation[] {
  return violations.flatMap((v) => {
    const resources = v.violatingResources.filter((r) => r.templatePath === templatePath);
    return resources.length === 0 ? [] : [{ ...v, violatingResources: resources.map((r) => ({ ...r, templatePath: TEMPLATE })) }];
  });
}

/** The templates' violations as the built-in reports them: one per rule, severity and description, its resources in template order. */
function merged(templates: readonly { templatePath: string; violations: readonly PolicyViolation[] }[]): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  for (const { templatePath, violations } of templates) {
    for (const v of violations) {
      const resources = v.violatingResources.map((r) => ({ ...r, templatePath }));
      const existing = out.find((o) => o.ruleName === v.ruleName && o.severity === v.severity && o.description === v.description);
      if (existing) existing.violatingResources.push(...resources);
      else out.push({ ...v, violatingResources: resources });
    }
  }
  return out;
}

/**
 * The version of the validator's engine aws-cdk-lib installed (`@aws/cloudformation-validate`, a
 * dependency of aws-cdk-lib 2.276.0), read from its package.json: the same string the engine
 * reports (a test compares them), without loading it.
 */
export function validatorEngineVersion(): string {
  const fromCdk = { paths: [path.dirname(require.resolve('aws-cdk-lib/package.json'))] };
  const file = require.resolve('@aws/cloudformation-validate/package.json', fromCdk);
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/** The installed aws-cdk-lib version (its rules and ignored rule ids come with it). */
function awsCdkLibVersion(): string {
  return (JSON.parse(fs.readFileSync(require.resolve('aws-cdk-lib/package.json'), 'utf8')) as { version: string }).version;
}
