/**
 * Which resources a change replaces, beyond what a template diff shows. A diff sees the property
 * values written in a template; a deploy sees the values they resolve to. When a resource is
 * replaced, every `Ref`/`Fn::GetAtt`/`Fn::Sub` to it resolves to a new value, and so does every
 * stack output built from it and every `Fn::GetStackOutput` that reads that output in another
 * stack. Where such a value feeds a property that replaces its resource (per the resource
 * specification, nested properties included), that resource is replaced too. This module follows
 * those chains across the stacks of an assembly until nothing new is found.
 */
import { CfnResource, CfnTemplate, stackKey } from './model';
import { PropertyPath, Reference, findReferences, formatPath } from './references';
import { ReplacementImpact, ReplacementRules, milderImpact, worseImpact } from './replacement-rules';
import { changedPaths } from './value-diff';

/** One stack of the base and of the head (either may be missing: an added or removed stack). */
export interface StackPair {
  readonly key: string;
  readonly displayName: string;
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly base?: CfnTemplate;
  readonly head?: CfnTemplate;
}

/** Why a resource (or an output value) is replaced. */
export interface Verdict {
  readonly impact: Exclude<ReplacementImpact, 'no'>;
  /** One line per cause, the first one found first. */
  readonly reasons: readonly string[];
  /** Where the chain of causes starts (stack, resource and what changes), for a reader of a far-away effect. */
  readonly root: string;
  /** The chain starts here: a change of this resource's (or output's) own template. */
  readonly rootIsSelf: boolean;
}

/** Verdicts by stack key, then logical ID. */
export type Verdicts = Map<string, Map<string, Verdict>>;

/** The result: replaced resources, and outputs whose value changes at deploy time. */
export interface ReplacementAnalysis {
  readonly resources: Verdicts;
  readonly outputs: Verdicts;
}

/** Record a cause; returns whether anything new was learnt. */
function record(
  map: Verdicts,
  key: string,
  id: string,
  impact: Verdict['impact'],
  reason: string,
  root: string,
  rootIsSelf = false,
): boolean {
  if (!map.has(key)) map.set(key, new Map());
  const stack = map.get(key)!;
  const current = stack.get(id);
  if (current && current.reasons.includes(reason) && worseImpact(current.impact, impact) === current.impact) return false;
  stack.set(id, {
    impact: current ? (worseImpact(current.impact, impact) as Verdict['impact']) : impact,
    reasons: current ? (current.reasons.includes(reason) ? current.reasons : [...current.reasons, reason]) : [reason],
    root: current?.root ?? root,
    rootIsSelf: current?.rootIsSelf ?? rootIsSelf,
  });
  return true;
}

/** Resources present on both sides with the same type: the only ones a deploy can update or replace. */
function kept(pair: StackPair): [string, CfnResource, CfnResource][] {
  const before = pair.base?.Resources ?? {};
  const after = pair.head?.Resources ?? {};
  return Object.entries(after)
    .filter(([id, resource]) => before[id] !== undefined && before[id].Type === resource.Type)
    .map(([id, resource]) => [id, before[id], resource]);
}

/** Replacements caused by a property's own change (nested properties included), and by a changed type. */
function directReplacements(pairs: readonly StackPair[], rules: ReplacementRules, into: Verdicts): void {
  for (const pair of pairs) {
    const before = pair.base?.Resources ?? {};
    for (const [id, resource] of Object.entries(pair.head?.Resources ?? {})) {
      if (before[id] && before[id].Type !== resource.Type) {
        const reason = `its type changes from ${before[id].Type} to ${resource.Type}`;
        record(into, pair.key, id, 'yes', reason, `${pair.displayName} ${id}: ${reason}`, true);
      }
    }
    for (const [id, old, current] of kept(pair)) {
      for (const path of changedPaths(old.Properties ?? {}, current.Properties ?? {})) {
        const impact = rules.impactAt(current.Type, path);
        if (impact === 'no') continue;
        const reason = `${formatPath(path)} changes (${impact === 'yes' ? 'a change of it replaces' : 'for some values, a change of it replaces'} an ${current.Type})`;
        record(into, pair.key, id, impact, reason, `${pair.displayName} ${id}: ${reason}`, true);
      }
    }
  }
}

/** The stack a `Fn::GetStackOutput` reads, by key. */
function producerKey(consumer: StackPair, reference: Extract<Reference, { kind: 'output' }>): string {
  return stackKey({
    account: reference.account ?? consumer.account,
    region: reference.region ?? consumer.region,
    stackName: reference.stackName,
  });
}

/** Outputs whose written value changes (a different reference), before any propagation. */
function changedOutputExpressions(pairs: readonly StackPair[], into: Verdicts): void {
  for (const pair of pairs) {
    const before = pair.base?.Outputs ?? {};
    for (const [name, output] of Object.entries(pair.head?.Outputs ?? {})) {
      if (before[name] !== undefined && changedPaths(before[name].Value, output.Value).length > 0) {
        const reason = `its value changes from ${JSON.stringify(before[name].Value)} to ${JSON.stringify(output.Value)}`;
        record(into, pair.key, name, 'yes', reason, `${pair.displayName} output ${name}: ${reason}`, true);
      }
    }
  }
}

/**
 * Every resource of the head that a deploy replaces, directly or through what it refers to, and
 * every output whose value a deploy changes.
 */
export function analyzeReplacements(pairs: readonly StackPair[], rules: ReplacementRules): ReplacementAnalysis {
  const resources: Verdicts = new Map();
  const outputs: Verdicts = new Map();
  directReplacements(pairs, rules, resources);
  changedOutputExpressions(pairs, outputs);
  const typeOf = (key: string, id: string) => pairs.find((p) => p.key === key)?.head?.Resources?.[id]?.Type ?? 'resource';
  const displayOf = (key: string) => pairs.find((p) => p.key === key)?.displayName ?? key;

  // A reference's target: the verdict on it and how to say what happens to it. A resource the chain
  // starts at is listed with its own reason; an output is not listed anywhere, so its cause is always said.
  const cause = (v: Verdict) => (v.rootIsSelf ? '' : ` (first cause: ${v.root})`);
  const target = (pair: StackPair, reference: Reference): { verdict?: Verdict; says: (v: Verdict) => string } => {
    if (reference.kind === 'resource') {
      const name = `${reference.logicalId} (${typeOf(pair.key, reference.logicalId)})`;
      return {
        verdict: resources.get(pair.key)?.get(reference.logicalId),
        says: (v) => `refers to ${name}, which ${v.impact === 'yes' ? 'is' : 'may be'} replaced${cause(v)}`,
      };
    }
    const key = producerKey(pair, reference);
    return {
      verdict: outputs.get(key)?.get(reference.outputName),
      says: (v) =>
        `reads output ${reference.outputName} of ${displayOf(key)}, whose value ${v.impact === 'yes' ? 'changes' : 'may change'} (first cause: ${v.root})`,
    };
  };

  let learnt = true;
  while (learnt) {
    learnt = false;
    for (const pair of pairs) {
      for (const [id, , current] of kept(pair)) {
        for (const { path, reference } of findReferences(current.Properties ?? {})) {
          const { verdict, says } = target(pair, reference);
          if (!verdict) continue;
          const impact = milderImpact(rules.impactAt(current.Type, path), verdict.impact);
          if (impact === 'no') continue;
          const reason = `${formatPath(path as PropertyPath)} ${says(verdict)}`;
          learnt = record(resources, pair.key, id, impact, reason, verdict.root) || learnt;
        }
      }
      for (const [name, output] of Object.entries(pair.head?.Outputs ?? {})) {
        if (pair.base?.Outputs?.[name] === undefined) continue;
        for (const { reference } of findReferences(output.Value)) {
          const { verdict, says } = target(pair, reference);
          if (!verdict) continue;
          learnt = record(outputs, pair.key, name, verdict.impact, `it ${says(verdict)}`, verdict.root) || learnt;
        }
      }
    }
  }
  return { resources, outputs };
}
