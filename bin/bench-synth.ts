/**
 * Where CDK synth time goes, in-process: per stack (constructing it, the gates: cdk-nag and
 * PlatformChecks, the built-in CloudFormation validator) and per added service (the whole app
 * synthesized with N more catalog entries). Used by `npm run bench`; never by tests' assertions.
 *
 * Attribution: construct time between two construct creations goes to the stack the earlier one
 * belongs to (bundling a handler included); each validation plugin is run once per template (the
 * same rules, one template at a time) and timed.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CloudFormationValidatePlugin, IPolicyValidationContext, PolicyValidationPluginReport, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct, Node } from 'constructs';
import { ENVIRONMENTS } from '../lib/config/environments';
import { PlatformChecks } from '../lib/policies/platform-checks';
import { buildApp, cdkJsonContext } from './app';
import { catalogWithExtraServices } from './bench-catalog';

/** Cost of one stack, in ms. */
export interface StackCost {
  readonly stack: string;
  readonly constructMillis: number;
  readonly gatesMillis: number;
  readonly validationMillis: number;
}

/** One in-process synth of the whole app, split per stack. */
export interface SynthProfile {
  readonly totalMillis: number;
  /** Constructing the app (every stage), bundling included. */
  readonly constructMillis: number;
  /** `app.synth()`: templates, gates, validator, assembly files. */
  readonly synthMillis: number;
  readonly stacks: readonly StackCost[];
  /** Unacknowledged findings of the gates and the validator (a real synth fails on any). */
  readonly findings: readonly string[];
}

type Validate = (context: IPolicyValidationContext) => PolicyValidationPluginReport;
type Visit = (node: IConstruct) => void;

interface Engine {
  validateTemplate: (...args: unknown[]) => unknown;
}

/** The row of the validator's fixed start-up (its WebAssembly engine), once per validation run. */
export const VALIDATOR_START = '(CloudFormation validator start-up)';

const STAGE_LEVEL = (stage: string) => `${stage} (stage-wide: PlatformChecks)`;

function addTo(spent: Map<string, StackCost>, stack: string, kind: 'gatesMillis' | 'validationMillis' | 'constructMillis', ms: number) {
  const row = spent.get(stack) ?? { stack, constructMillis: 0, gatesMillis: 0, validationMillis: 0 };
  spent.set(stack, { ...row, [kind]: row[kind] + ms });
}

/**
 * CPU time of this process in ms (user + system). Synth is single-threaded, so on an idle machine
 * it is the wall time; on a shared machine it is what the synth itself costs, without the wait.
 */
export const cpuMillis = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const since = (start: number) => cpuMillis() - start;

/**
 * Time the gates and the validator per stack while `run` synthesizes: cdk-nag per resource it
 * visits (attributed to the resource's stack), PlatformChecks per stage (it checks the stage's
 * construct tree as a whole), the CloudFormation validator template by template.
 */
function timePlugins<T>(spent: Map<string, StackCost>, run: () => T): T {
  const nag = AwsSolutionsChecks.prototype as unknown as { checkResource: Visit };
  const platform = PlatformChecks.prototype as unknown as { validate: Validate; scope: IConstruct };
  const cfn = CloudFormationValidatePlugin.prototype as unknown as { validate: Validate; initializeEngine: (types: unknown) => Engine };
  const originals = { visit: nag.checkResource, platform: platform.validate, cfn: cfn.validate, engine: cfn.initializeEngine };
  let templates: string[] = [];
  nag.checkResource = function (this: unknown, node: IConstruct) {
    const start = cpuMillis();
    originals.visit.call(this, node);
    const stack = node.node.scopes.find((s) => Stack.isStack(s));
    addTo(spent, stack ? stack.node.path : '(app)', 'gatesMillis', since(start));
  };
  platform.validate = function (this: { scope: IConstruct }, context: IPolicyValidationContext) {
    const start = cpuMillis();
    const report = originals.platform.call(this, context);
    addTo(spent, STAGE_LEVEL(this.scope.node.path), 'gatesMillis', since(start));
    return report;
  };
  cfn.validate = function (this: unknown, context: IPolicyValidationContext) {
    templates = context.stackTemplates.map((t) => t.stackConstructPath);
    return originals.cfn.call(this, context);
  };
  // the engine validates the templates in the context's order; its start-up is a fixed cost
  cfn.initializeEngine = function (this: unknown, types: unknown) {
    const start = cpuMillis();
    const engine = originals.engine.call(this, types);
    addTo(spent, VALIDATOR_START, 'validationMillis', since(start));
    let next = 0;
    const validateTemplate = engine.validateTemplate.bind(engine);
    engine.validateTemplate = (...args: unknown[]) => {
      const begin = cpuMillis();
      const report = validateTemplate(...args);
      addTo(spent, templates[next++] ?? '(unknown template)', 'validationMillis', since(begin));
      return report;
    };
    return engine;
  };
  try {
    return run();
  } finally {
    nag.checkResource = originals.visit;
    cfn.initializeEngine = originals.engine;
    platform.validate = originals.platform;
    cfn.validate = originals.cfn;
  }
}

/** Attribute construction time to stacks; restore with the returned function. */
function timeConstructsPerStack(spent: Map<string, number>) {
  const proto = Node.prototype as unknown as { addChild(child: unknown, name: string): void };
  const original = proto.addChild;
  let current = '(app and stages)';
  let last = cpuMillis();
  proto.addChild = function (this: Node, child: unknown, name: string) {
    const now = cpuMillis();
    spent.set(current, (spent.get(current) ?? 0) + (now - last));
    last = now;
    const stack = [...this.scopes].reverse().find((s) => Stack.isStack(s));
    current = stack ? stack.node.path : '(app and stages)';
    original.call(this, child, name);
  };
  return () => {
    spent.set(current, (spent.get(current) ?? 0) + (cpuMillis() - last));
    proto.addChild = original;
  };
}

interface ValidationReport {
  pluginReports: { pluginName: string; violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
}

/** `plugin rule: construct path` of each unacknowledged finding in a validation report. */
function reportedFindings(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  const report: ValidationReport = JSON.parse(fs.readFileSync(file, 'utf8'));
  return report.pluginReports.flatMap((p) =>
    p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${p.pluginName} ${v.ruleName}: ${c.constructPath}`)),
  );
}

/** Synthesize `build()`'s app once (gates and validator on, as `cdk synth`), split per stack. */
export function profileSynth(build: (outdir: string) => App): SynthProfile {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cdk-'));
  const constructs = new Map<string, number>();
  const spent = new Map<string, StackCost>();
  const start = cpuMillis();
  const stopConstructs = timeConstructsPerStack(constructs);
  let app: App;
  try {
    app = build(outdir);
  } finally {
    stopConstructs();
  }
  const constructMillis = since(start);
  const built = cpuMillis();
  timePlugins(spent, () => app.synth());
  const synthMillis = since(built);
  for (const [stack, ms] of constructs) addTo(spent, stack, 'constructMillis', ms);
  const findings = reportedFindings(path.join(outdir, 'validation-report.json'));
  fs.rmSync(outdir, { recursive: true, force: true });
  return {
    totalMillis: since(start),
    constructMillis,
    synthMillis,
    stacks: [...spent.values()].sort((a, b) => a.stack.localeCompare(b.stack)),
    findings,
  };
}

/** Full in-process synth of every environment with the real catalog plus N services. */
export function appWithServices(extra: number, outdir: string): App {
  // Findings are reported in the result instead of stopping the measurement.
  const context = { ...cdkJsonContext(), '@aws-cdk/core:failSynthOnValidationErrors': false };
  // validationCache: false: the engine validates every template (kept results would hide its cost)
  return buildApp(ENVIRONMENTS, { context, outdir, validationCache: false }, catalogWithExtraServices(extra));
}

/** CDK synth cost as the catalog grows. */
export interface ServiceScaling {
  /** One row per count of added services: CPU ms of a full synth (gates and validator on). */
  readonly rows: readonly {
    readonly addedServices: number;
    readonly cpuMillis: number;
    readonly findings: readonly string[];
    /** Why the synth stopped, when it did (e.g. a CloudFormation limit); then cpuMillis is NaN. */
    readonly error?: string;
  }[];
  /** Synths per count (each row is their median). */
  readonly runs: number;
  /** Cost of one more service: slope between the smallest and the largest count, CPU ms. */
  readonly perServiceMillis: number;
  /** Per stack, CPU ms per added service between the real catalog and the largest count that synthesized. */
  readonly growth: { readonly addedServices: number; readonly stacks: readonly StackGrowth[] };
}

/**
 * Profile the real app and the app with each count of added services (the median of `runs`
 * synths per count), after warm-up synths in the same process at +0 and at the largest count:
 * module loading, JIT, the validator's one-time engine start-up, and the code V8 compiles (tiers
 * up) only once templates are large, are not in the rows; a fresh `cdk synth` pays them once.
 * Measured before this warm-up at the largest count, the first +50 synth spent about 2 s more CPU
 * in the validator than every later one (8.4 s against 6.1 and 6.3 s), a one-time cost the slope
 * counted as 45 ms per service.
 */
export function benchSynth(counts: readonly number[] = [5, 20, 50], runs = 1): { profile: SynthProfile; scaling: ServiceScaling } {
  const sorted = [...counts].sort((a, b) => a - b);
  profileSynth((outdir) => appWithServices(0, outdir)); // warm-up: module loading, JIT
  try {
    profileSynth((outdir) => appWithServices(sorted[sorted.length - 1], outdir)); // warm-up: what only large templates exercise
  } catch {
    // reported below, by the row of that count
  }
  const profile = profileSynth((outdir) => appWithServices(0, outdir));
  const rows = sorted.map((addedServices) => {
    try {
      const profiles = Array.from({ length: Math.max(1, runs) }, () => profileSynth((o) => appWithServices(addedServices, o))).sort(
        (a, b) => a.totalMillis - b.totalMillis,
      );
      const p = profiles[Math.floor((profiles.length - 1) / 2)];
      return { addedServices, cpuMillis: p.totalMillis, findings: p.findings, profile: p };
    } catch (e) {
      return {
        addedServices,
        cpuMillis: NaN,
        findings: [],
        error: (e as Error).message.split('\n').find((line) => line.trim() !== '') ?? 'synth failed',
      };
    }
  });
  // the slope between the smallest and the largest count that synthesized
  const done = rows.filter((r) => !r.error);
  const first = done[0] ?? rows[0];
  const last = done[done.length - 1] ?? rows[0];
  const perServiceMillis =
    last.addedServices > first.addedServices ? (last.cpuMillis - first.cpuMillis) / (last.addedServices - first.addedServices) : 0;
  // where one more service goes: the real catalog against the largest count that synthesized
  const largest = done[done.length - 1];
  const growth = largest?.profile && largest.addedServices > 0 ? stackGrowth(profile, largest.profile, largest.addedServices) : [];
  return {
    profile,
    scaling: {
      rows: rows.map(({ addedServices, cpuMillis, findings, error }) => ({
        addedServices,
        cpuMillis,
        findings,
        ...(error ? { error } : {}),
      })),
      runs: Math.max(1, runs),
      perServiceMillis,
      growth: { addedServices: largest?.addedServices ?? 0, stacks: growth },
    },
  };
}

/** How one stack's cost grows with the catalog: CPU ms per added service. */
export interface StackGrowth {
  readonly stack: string;
  readonly constructPerService: number;
  readonly gatesPerService: number;
  readonly validationPerService: number;
  /** Not split per stack (only the rest-of-synth row has it). */
  readonly otherPerService: number;
}

/** What a synth spends outside the per-stack rows: rendering templates, resolving tokens, writing the assembly. */
export const REST_OF_SYNTH = '(rest of synth: templates, tokens, assembly)';

const unsplitMillis = (p: SynthProfile): number => p.synthMillis - p.stacks.reduce((t, s) => t + s.gatesMillis + s.validationMillis, 0);

/**
 * Per-stack growth between two profiles of `extra` services apart: which stacks grow with the
 * catalog, and whether constructing, the gates or the validator dominates. Largest first; the
 * rest of synth (not split per stack) is a row of its own.
 */
export function stackGrowth(base: SynthProfile, grown: SynthProfile, extra: number): StackGrowth[] {
  const before = new Map(base.stacks.map((s) => [s.stack, s]));
  const zero = { constructMillis: 0, gatesMillis: 0, validationMillis: 0 };
  const rows: StackGrowth[] = grown.stacks.map((s) => {
    const b = before.get(s.stack) ?? zero;
    return {
      stack: s.stack,
      constructPerService: (s.constructMillis - b.constructMillis) / extra,
      gatesPerService: (s.gatesMillis - b.gatesMillis) / extra,
      validationPerService: (s.validationMillis - b.validationMillis) / extra,
      otherPerService: 0,
    };
  });
  rows.push({
    stack: REST_OF_SYNTH,
    constructPerService: 0,
    gatesPerService: 0,
    validationPerService: 0,
    otherPerService: (unsplitMillis(grown) - unsplitMillis(base)) / extra,
  });
  const total = (r: StackGrowth) => r.constructPerService + r.gatesPerService + r.validationPerService + r.otherPerService;
  return rows.sort((a, b) => total(b) - total(a));
}
