/**
 * The guard: a change fails review when it removes or replaces a stateful resource, or removes a
 * stack output another stack reads, unless the reviewed allow-list names it.
 */
import { AllowEntry } from './allow-list';
import { RemovedOutputRead } from './output-reads';
import { AssemblyComparison, ResourceChange, StackChange } from './stack-changes';
import { guardedReason } from './stateful-types';

/** One thing the guard reports. */
export interface GuardFinding {
  /** Stage/stack (the producer, for an output). */
  readonly stack: string;
  /** Logical ID, or the output's name. */
  readonly logicalId: string;
  /** CloudFormation type, or `Output`. */
  readonly type: string;
  readonly constructPath?: string;
  readonly change: 'removed' | 'replaced' | 'may be replaced' | 'output removed';
  /** What makes it happen, one line per cause. */
  readonly why: readonly string[];
  /** What is lost (the stateful type's reason, or the consumers' breakage). */
  readonly loses: string;
  /** The allow-list entry that lets it pass. */
  readonly allowedBy?: AllowEntry;
}

/** The guard's verdict. */
export interface GuardResult {
  readonly passed: boolean;
  /** Removals and replacements no entry allows: they fail the review. */
  readonly blocked: readonly GuardFinding[];
  /** Removals and replacements the allow-list lets through, with its reason. */
  readonly allowed: readonly GuardFinding[];
  /** Stateful resources CloudFormation may replace for some values (shown, not failing). */
  readonly warnings: readonly GuardFinding[];
  /** Allow-list entries nothing matched: delete them once their change is deployed. */
  readonly unusedEntries: readonly AllowEntry[];
}

const RETAINED: Record<'removed' | 'replaced', string> = {
  removed: 'its DeletionPolicy keeps the old one (or a final snapshot), but the stack no longer manages it',
  replaced: 'its UpdateReplacePolicy keeps the old one (or a snapshot), but the stack moves to a new one',
};

/** How many trailing construct-path segments (below the stack) two paths share. */
function sharedTail(a: string | undefined, b: string | undefined): number {
  const x = (a ?? '').split('/').slice(2).reverse();
  const y = (b ?? '').split('/').slice(2).reverse();
  let n = 0;
  while (n < x.length && n < y.length && x[n] === y[n]) n++;
  return n;
}

/**
 * The added resource that most likely is `removed` under a new construct ID: same type, the most
 * path segments in common at the end (`Database/Credentials/Resource` and
 * `PrimaryDatabase/Credentials/Resource` share two), the same stack first.
 */
function successorOf(stack: StackChange, removed: ResourceChange, all: readonly StackChange[]) {
  return all
    .flatMap((s) => s.resources.filter((r) => r.kind === 'added' && r.type === removed.type).map((r) => ({ s, r })))
    .map((c) => ({ ...c, score: sharedTail(c.r.constructPath, removed.constructPath) * 2 + Number(c.s === stack) }))
    .sort((a, b) => b.score - a.score)[0];
}

function whyOfResource(stack: StackChange, change: ResourceChange, all: readonly StackChange[]): string[] {
  if (change.kind !== 'removed') return [...change.reasons, ...(change.retained ? [RETAINED.replaced] : [])];
  const why = [
    stack.status === 'removed'
      ? 'its stack is no longer in the app: a deploy leaves the stack behind unmanaged, and deleting it deletes this'
      : `it is no longer in the template: the deploy ${change.retained ? 'removes it from the stack' : 'deletes it'}`,
  ];
  // A construct ID that changes moves the logical ID: a "new" resource of the same type appears.
  const successor = successorOf(stack, change, all);
  if (successor) {
    const where = successor.s === stack ? '' : ` in ${successor.s.stack}`;
    why.push(
      `an added ${change.type}${where}, ${successor.r.logicalId} at ${successor.r.constructPath ?? '(no path)'}, looks like it under a new construct ID` +
        `${change.constructPath ? ` (was ${change.constructPath})` : ''}: it starts empty`,
    );
  }
  if (change.retained) why.push(RETAINED.removed);
  return why;
}

/** Run the guard over a comparison and the removed output reads, with the reviewed allow-list. */
export function runGuard(
  comparison: AssemblyComparison,
  outputReads: readonly RemovedOutputRead[],
  allowList: readonly AllowEntry[],
): GuardResult {
  const findings: GuardFinding[] = [];
  const warnings: GuardFinding[] = [];
  for (const stack of comparison.stacks) {
    for (const change of stack.resources) {
      const loses = guardedReason(change.type);
      if (!loses) continue;
      const finding = { stack: stack.stack, logicalId: change.logicalId, type: change.type, constructPath: change.constructPath, loses };
      if (change.kind === 'removed' || change.kind === 'replaced') {
        findings.push({ ...finding, change: change.kind, why: whyOfResource(stack, change, comparison.stacks) });
      } else if (change.mayBeReplaced) {
        warnings.push({ ...finding, change: 'may be replaced', why: change.reasons });
      }
    }
  }
  const byOutput = new Map<string, RemovedOutputRead[]>();
  for (const read of outputReads)
    byOutput.set(`${read.producer}|${read.output}`, [...(byOutput.get(`${read.producer}|${read.output}`) ?? []), read]);
  for (const reads of byOutput.values()) {
    const { producer, output } = reads[0];
    findings.push({
      stack: producer,
      logicalId: output,
      type: 'Output',
      change: 'output removed',
      why: reads.map((r) =>
        r.readBy === 'head'
          ? `${r.consumer} still reads it in this change: its deploy fails, as Fn::GetStackOutput finds no such output`
          : `${r.consumer}, as deployed now, reads it: a deploy of ${producer} first leaves ${r.consumer} reading a missing output ` +
            `until it is deployed too (a rollback of ${r.consumer} then fails); keep the output one more release, or deploy ${r.consumer} first`,
      ),
      loses: 'weak references (Fn::GetStackOutput) do not stop a producer from dropping an output its consumers read',
    });
  }
  const allowOf = (f: GuardFinding) => allowList.find((e) => e.stack === f.stack && e.logicalId === f.logicalId);
  const used = new Set<AllowEntry>();
  const mark = (f: GuardFinding): GuardFinding => {
    const entry = allowOf(f);
    if (entry) used.add(entry);
    return entry ? { ...f, allowedBy: entry } : f;
  };
  const marked = findings.map(mark);
  const markedWarnings = warnings.map(mark);
  const blocked = marked.filter((f) => !f.allowedBy);
  return {
    passed: blocked.length === 0,
    blocked,
    allowed: [...marked, ...markedWarnings].filter((f) => f.allowedBy),
    warnings: markedWarnings.filter((f) => !f.allowedBy),
    unusedEntries: allowList.filter((e) => !used.has(e)),
  };
}
