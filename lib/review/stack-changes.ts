/**
 * Per stack, what a deploy of the head over the base does to each resource, from the template diff
 * of `@aws-cdk/cloudformation-diff` (the library `cdk diff` uses), completed with the replacements
 * it cannot see (see `replacements.ts`).
 */
import { ResourceDifference, ResourceImpact, TemplateDiff, fullDiff } from '@aws-cdk/cloudformation-diff';
import { CfnResource, StackArtifact, stackKey, stageOf } from './model';
import { ReplacementAnalysis, StackPair, analyzeReplacements } from './replacements';
import { ReplacementRules } from './replacement-rules';

/** What happens to one resource. */
export type ChangeKind = 'added' | 'modified' | 'replaced' | 'removed';

/** One changed resource. */
export interface ResourceChange {
  readonly logicalId: string;
  readonly type: string;
  readonly kind: ChangeKind;
  /** Construct path from the `aws:cdk:path` metadata (head, else base); undefined when the template has none. */
  readonly constructPath?: string;
  /** Changed top-level properties and resource attributes (`DeletionPolicy`, `DependsOn`...). */
  readonly changed: readonly string[];
  /** Why it is replaced (kind `replaced`) or may be (kind `modified`, `mayBeReplaced`). */
  readonly reasons: readonly string[];
  /** A modification that CloudFormation may turn into a replacement for some values. */
  readonly mayBeReplaced: boolean;
  /** The old physical resource is kept (DeletionPolicy / UpdateReplacePolicy Retain or Snapshot). */
  readonly retained: boolean;
}

/** The changes of one stack. */
export interface StackChange {
  /** `Dev/Data`. */
  readonly stack: string;
  /** `Dev`; '' outside any stage. */
  readonly stage: string;
  /** The key that identifies the deployed stack (account/region/name). */
  readonly key: string;
  /** `added`/`removed`: the whole stack is new, or no longer in the app. */
  readonly status: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly resources: readonly ResourceChange[];
  readonly outputs: { readonly added: readonly string[]; readonly removed: readonly string[]; readonly changed: readonly string[] };
}

/** Both assemblies, stack by stack. */
export interface AssemblyComparison {
  readonly stacks: readonly StackChange[];
  readonly pairs: readonly StackPair[];
  readonly analysis: ReplacementAnalysis;
}

/** The construct path a resource's metadata records. */
export function constructPathOf(resource: CfnResource | undefined): string | undefined {
  const value = resource?.Metadata?.['aws:cdk:path'];
  return typeof value === 'string' ? value : undefined;
}

const KEEPS = ['Retain', 'RetainExceptOnCreate', 'Snapshot'];

/** Pair the stacks of both assemblies by deployed identity (account, region, stack name), in head order. */
export function pairStacks(base: readonly StackArtifact[], head: readonly StackArtifact[]): StackPair[] {
  const pairs = new Map<string, StackPair>();
  for (const [side, stacks] of [
    ['head', head],
    ['base', base],
  ] as const) {
    for (const stack of stacks) {
      const key = stackKey(stack);
      const existing = pairs.get(key);
      pairs.set(key, {
        key,
        displayName: existing?.displayName ?? stack.displayName,
        stackName: stack.stackName,
        account: stack.account,
        region: stack.region,
        ...(existing ?? {}),
        [side]: stack.template,
      });
    }
  }
  return [...pairs.values()];
}

function kindOf(difference: ResourceDifference): ChangeKind {
  switch (difference.changeImpact) {
    case ResourceImpact.WILL_CREATE:
      return 'added';
    case ResourceImpact.WILL_DESTROY:
    case ResourceImpact.WILL_ORPHAN:
      return 'removed';
    case ResourceImpact.WILL_REPLACE:
      return 'replaced';
    default:
      return 'modified';
  }
}

function resourceChanges(pair: StackPair, diff: TemplateDiff, analysis: ReplacementAnalysis): ResourceChange[] {
  const verdicts = analysis.resources.get(pair.key) ?? new Map();
  const changes: ResourceChange[] = [];
  const ids = new Set<string>();
  diff.resources.forEachDifference((logicalId, difference) => {
    ids.add(logicalId);
    const before = pair.base?.Resources?.[logicalId];
    const after = pair.head?.Resources?.[logicalId];
    const verdict = verdicts.get(logicalId);
    let kind = kindOf(difference);
    if (kind === 'modified' && verdict?.impact === 'yes') kind = 'replaced';
    const changed: string[] = [];
    difference.forEachDifference((_, name) => changed.push(name));
    // What the library alone saw replaced (a propagated Ref it rewrote) still gets a reason.
    const libraryReasons = Object.entries(difference.propertyUpdates)
      .filter(([, d]) => d.changeImpact === ResourceImpact.WILL_REPLACE || d.changeImpact === ResourceImpact.MAY_REPLACE)
      .map(([name]) => `${name} changes, and the resource specification says that ${kind === 'replaced' ? 'replaces' : 'may replace'} it`);
    const mayBeReplaced = kind === 'modified' && (verdict?.impact === 'maybe' || difference.changeImpact === ResourceImpact.MAY_REPLACE);
    changes.push({
      logicalId,
      type: (after ?? before)!.Type,
      kind,
      constructPath: constructPathOf(after) ?? constructPathOf(before),
      changed,
      reasons: kind === 'replaced' || mayBeReplaced ? (verdict?.reasons ?? libraryReasons) : [],
      mayBeReplaced,
      retained:
        (kind === 'removed' && KEEPS.includes(before?.DeletionPolicy ?? '')) ||
        (kind === 'replaced' && KEEPS.includes(before?.UpdateReplacePolicy ?? '')),
    });
  });
  // Resources whose template did not change but whose references resolve to new values.
  for (const [logicalId, verdict] of verdicts) {
    if (ids.has(logicalId)) continue;
    const resource = pair.head!.Resources![logicalId];
    changes.push({
      logicalId,
      type: resource.Type,
      kind: verdict.impact === 'yes' ? 'replaced' : 'modified',
      constructPath: constructPathOf(resource),
      changed: [],
      reasons: verdict.reasons,
      mayBeReplaced: verdict.impact === 'maybe',
      retained: verdict.impact === 'yes' && KEEPS.includes(resource.UpdateReplacePolicy ?? ''),
    });
  }
  return changes.sort((a, b) => a.logicalId.localeCompare(b.logicalId));
}

function outputChanges(diff: TemplateDiff): StackChange['outputs'] {
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  diff.outputs.forEachDifference((name, difference) => {
    if (difference.isAddition) added.push(name);
    else if (difference.isRemoval) removed.push(name);
    else changed.push(name);
  });
  return { added, removed, changed };
}

/** Compare two assemblies: every stack of either, with what a deploy does to its resources and outputs. */
export function compareAssemblies(
  base: readonly StackArtifact[],
  head: readonly StackArtifact[],
  rules: ReplacementRules,
): AssemblyComparison {
  const pairs = pairStacks(base, head);
  const analysis = analyzeReplacements(pairs, rules);
  const stacks = pairs.map((pair): StackChange => {
    const diff = fullDiff(pair.base ?? {}, pair.head ?? {});
    const resources = resourceChanges(pair, diff, analysis);
    const outputs = outputChanges(diff);
    const touched = resources.length + outputs.added.length + outputs.removed.length + outputs.changed.length > 0;
    return {
      stack: pair.displayName,
      stage: stageOf(pair.displayName),
      key: pair.key,
      status: !pair.base ? 'added' : !pair.head ? 'removed' : touched ? 'changed' : 'unchanged',
      resources,
      outputs,
    };
  });
  return { stacks, pairs, analysis };
}
