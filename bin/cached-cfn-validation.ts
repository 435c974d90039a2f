import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {
  CloudFormationValidatePlugin,
  DefaultStackSynthesizer,
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
  PolicyViolation,
  IBoundStackSynthesizer,
  ISynthesisSession,
  Stack,
} from 'aws-cdk-lib';
import { writeWhole } from './input-hash';
import { TemplateValidator, ValidatorThread } from './validator-thread';

/** Bump when the stored form changes: every earlier entry is then a miss. */
const CACHE_FORMAT = 1;
/** Entries kept at most; past it, the ones this run did not use are removed. */
const MAX_ENTRIES = 2000;
/** Stands for the template's path in stored results (the assembly folder differs per synth). */
const TEMPLATE = '<template>';
/** The resource types of the templates last validated: what the next run's engine is started for. */
const RESOURCE_TYPES = 'resource-types.json';

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
 * whose rules are not even loaded when none does.
 *
 * Why: in a process of its own the validator is most of a synth (measured on a 2-core machine, 63
 * templates: ~3 s to start the engine with its rules, ~7 s to validate, of a ~16 s `cdk synth`), and
 * most runs change a template or two. Registered under the built-in's name and version, so that the
 * CDK treats its report as the built-in's (acknowledgements by rule id,
 * `@aws-cdk/core:validateAgainstDefaultRules`); the app turns the built-in off when it adds this.
 * In bin/: it reads the synthesized templates (CDK hands validation plugins file paths only) and its
 * kept results.
 *
 * The engine runs in a worker thread (bin/validator-thread.ts), started at the first template
 * written that is not kept, when the app's stacks are synthesized through `synthesizer()`: it
 * loads the engine (~1.4 s here: its WebAssembly module, then its default rules for the resource
 * types of the templates last validated) while the other stacks are written (~0.9 s of 63
 * templates here), rather than after them; otherwise at the first template validated. It is ended
 * once the templates are validated; when every template is kept, it never starts. Starting it with
 * the app was measured and dropped: when nothing changed, it cost such a synth 0.6-0.8 s on 2
 * cores (the worker's CPU is taken from the app).
 */
export class CachedCloudFormationValidation implements IPolicyValidationPlugin {
  public readonly name = CloudFormationValidatePlugin.PLUGIN_NAME;
  private readonly engine?: TemplateValidator;
  private thread?: ValidatorThread;
  /** The resource types the worker's engine is started for (those of the templates last validated; none kept: undefined). */
  public readonly expectedResourceTypes?: string[];
  private readonly used = new Set<string>();
  /** Templates written by `synthesizer()`, by path, with their key (validate reads them once). */
  private readonly written = new Map<string, { stack: string; content: Buffer; key: string }>();
  private warming = false;
  /** The stack whose template started the engine while templates were written, if one did (tests, bench). */
  public earlyStart?: string;
  /** Worker threads this validator started (tests, bench). */
  public workersStarted = 0;
  /** Per `validate` call, most recent last (for tests and the bench). */
  public readonly stats: ValidationCacheStats[] = [];

  private readonly cdkVersion: string;
  private readonly engineVersion: string;

  /**
   * @param cacheDir where results are kept
   * @param options.cdkVersion the aws-cdk-lib version in the key (default: the installed one)
   * @param options.engineVersion the engine version in the key and the report (default: the installed one)
   * @param options.engine the built-in plugin to validate misses with (default: the built-in in a
   *   worker thread, started at the first miss)
   */
  constructor(
    private readonly cacheDir: string,
    options: { readonly cdkVersion?: string; readonly engineVersion?: string; readonly engine?: TemplateValidator } = {},
  ) {
    this.cdkVersion = options.cdkVersion ?? awsCdkLibVersion();
    this.engineVersion = options.engineVersion ?? validatorEngineVersion();
    this.engine = options.engine;
    if (!this.engine) this.expectedResourceTypes = keptResourceTypes(path.join(cacheDir, RESOURCE_TYPES));
  }

  /**
   * The app's stack synthesizer (aws-cdk-lib's default one), telling this validator each template
   * it writes: the first one not kept starts the engine.
   */
  public synthesizer(): DefaultStackSynthesizer {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const validator = this;
    return new (class Watching extends DefaultStackSynthesizer {
      /**
       * A synthesizer of its own for each stack, as a stack without one gets: the built-in
       * `reusableBind` copies this one, and its copies would share one asset manifest.
       */
      public reusableBind(stack: Stack): IBoundStackSynthesizer {
        const own = new Watching();
        own.bind(stack);
        return own;
      }

      public synthesize(session: ISynthesisSession): void {
        super.synthesize(session);
        const stack = this.boundStack;
        validator.templateWritten({
          stackConstructPath: stack.node.path,
          templatePath: path.join(session.outdir, stack.templateFile),
          accountId: stack.account,
          region: stack.region,
        });
      }
    })();
  }

  /** A template was written: when it is not kept, the engine starts now (for it and the types last validated). */
  public templateWritten(stack: StackTemplate): void {
    const content = fs.readFileSync(stack.templatePath);
    const key = this.keyOf(stack, content);
    this.written.set(stack.templatePath, { stack: stackId(stack), content, key });
    if (this.warming || this.engine || fs.existsSync(path.join(this.cacheDir, `${key}.json`))) return;
    this.warming = true;
    this.earlyStart = stack.stackConstructPath;
    const types = new Set([...(this.expectedResourceTypes ?? []), ...resourceTypes([content])]);
    this.workerThread().warm([...types].sort());
  }

  /** The engine's version, read from its package.json: asking the engine loads its WebAssembly module (~65 ms a synth). */
  public get version(): string | undefined {
    return this.engineVersion;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const keyed = context.stackTemplates.map((stack) => {
      const written = this.written.get(stack.templatePath);
      if (written?.stack === stackId(stack)) return { stack, content: written.content, key: written.key };
      const content = fs.readFileSync(stack.templatePath);
      return { stack, content, key: this.keyOf(stack, content) };
    });
    this.written.clear();
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
      writeWhole(path.join(this.cacheDir, RESOURCE_TYPES), JSON.stringify(resourceTypes(keyed.map((k) => k.content))));
    }
    this.stopThread();
    for (const { key } of keyed) this.used.add(key);
    this.stats.push({ hits: keyed.length - misses.length, validated: misses.length });
    this.prune();
    const violations = merged(keyed.map(({ stack, key }) => ({ templatePath: stack.templatePath, violations: stored.get(key)! })));
    return { success: violations.every((v) => v.severity !== 'error' && v.severity !== 'fatal'), violations };
  }

  /** The hash of everything the engine's verdict on one template depends on. */
  public keyOf(stack: StackTemplate, content: Buffer | string): string {
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

  private validator(): TemplateValidator {
    return this.engine ?? this.workerThread();
  }

  private workerThread(): ValidatorThread {
    if (!this.thread) {
      this.thread = new ValidatorThread();
      this.workersStarted++;
    }
    return this.thread;
  }

  /** The engine: injected, started in its worker, or none (not needed yet, or ended once its templates were validated). */
  public get engineState(): 'injected' | 'started' | 'none' {
    return this.engine ? 'injected' : this.thread ? 'started' : 'none';
  }

  /** The worker's engine is needed no more (until another miss). */
  private stopThread(): void {
    this.thread?.stop();
    this.thread = undefined;
    this.warming = false;
  }

  private prune(): void {
    if (!fs.existsSync(this.cacheDir)) return;
    const entries = fs.readdirSync(this.cacheDir);
    if (entries.length <= MAX_ENTRIES) return;
    for (const entry of entries)
      if (entry !== RESOURCE_TYPES && !this.used.has(entry.replace(/\.json$/, '')))
        fs.rmSync(path.join(this.cacheDir, entry), { force: true });
  }
}

type StackTemplate = IPolicyValidationContext['stackTemplates'][number];

/** What, besides the template, a template's key depends on. */
function stackId(stack: StackTemplate): string {
  return JSON.stringify([stack.stackConstructPath, stack.accountId, stack.region]);
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

/** The resource types kept by the last run that validated templates (none kept, or unreadable: undefined). */
function keptResourceTypes(file: string): string[] | undefined {
  try {
    const types: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return Array.isArray(types) && types.every((t) => typeof t === 'string') ? types : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The resource types named in templates (a superset is harmless: the engine loads the default rules
 * of more types; a missing one only makes the engine start again for it).
 */
function resourceTypes(templates: readonly Buffer[]): string[] {
  const types = new Set<string>();
  for (const template of templates)
    for (const [, type] of template.toString('utf8').matchAll(/"Type":\s*"([A-Za-z0-9]+::[A-Za-z0-9:]+)"/g)) types.add(type);
  return [...types].sort();
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
