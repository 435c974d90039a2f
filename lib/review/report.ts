/**
 * The review as text (terminal, CI log) and as Markdown (the pull-request comment).
 */
import { GuardFinding } from './guard';
import { KubeChange } from './kubernetes-changes';
import { ReviewResult } from './review';
import { ChangeKind, ResourceChange, StackChange } from './stack-changes';

/** What the report says about where base and head came from. */
export interface ReportContext {
  /** e.g. `origin/main (3f2a1bc)` or a cdk.out path. */
  readonly base: string;
  /** e.g. `working tree` or a cdk.out path. */
  readonly head: string;
  /** The allow-list file, as the user should edit it. */
  readonly allowListFile: string;
}

/** GitHub rejects comments over 65536 characters; the details are cut to stay below. */
export const MARKDOWN_LIMIT = 60_000;

const KIND_ORDER: ChangeKind[] = ['added', 'modified', 'replaced', 'removed'];
const MARK: Record<ChangeKind, string> = { added: '[+]', modified: '[~]', replaced: '[!]', removed: '[-]' };
const KUBE_MARK: Record<KubeChange['change'], string> = { added: '[+]', changed: '[~]', removed: '[-]' };

/** `2 modified, 1 REPLACED`: the counts of one stack (or `no resource changes`). */
export function countsOf(resources: readonly ResourceChange[]): string {
  const parts = KIND_ORDER.map((kind) => [kind, resources.filter((r) => r.kind === kind).length] as const)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind === 'replaced' ? 'REPLACED' : kind}`);
  return parts.length > 0 ? parts.join(', ') : 'no resource changes';
}

const stagesOf = (stacks: readonly StackChange[]) => [...new Set(stacks.map((s) => s.stage))];
const stageLabel = (stage: string) => stage || '(no stage)';
const objectName = (c: KubeChange) => `${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}`;
const MAX_FIELDS = 5;
const fieldsOf = (c: KubeChange) =>
  c.fields.length > MAX_FIELDS
    ? `${c.fields.slice(0, MAX_FIELDS).join(', ')} and ${c.fields.length - MAX_FIELDS} more`
    : c.fields.join(', ');

function stackStatus(stack: StackChange): string {
  const outputs = stack.outputs;
  const extra = [
    outputs.added.length ? `${outputs.added.length} output(s) added` : '',
    outputs.changed.length ? `${outputs.changed.length} output(s) changed` : '',
    outputs.removed.length ? `${outputs.removed.length} output(s) removed` : '',
  ].filter(Boolean);
  const status = stack.status === 'added' ? 'NEW STACK: ' : stack.status === 'removed' ? 'STACK NO LONGER IN THE APP: ' : '';
  return `${status}${[countsOf(stack.resources), ...extra].join(', ')}`;
}

function resourceLine(r: ResourceChange): string {
  const detail =
    r.kind === 'replaced'
      ? 'REPLACED'
      : r.mayBeReplaced
        ? `may be replaced (${r.changed.join(', ')})`
        : r.kind === 'modified'
          ? r.changed.join(', ')
          : '';
  return [MARK[r.kind], r.type, r.logicalId, r.constructPath ?? '', detail].filter(Boolean).join('  ');
}

function findingLines(f: GuardFinding, allowListFile: string): string[] {
  const lines = [`${f.stack} ${f.logicalId} (${f.type}) ${f.change}${f.constructPath ? ` at ${f.constructPath}` : ''}`];
  for (const why of f.why) lines.push(`    why: ${why}`);
  lines.push(`    loses: ${f.loses}`);
  if (f.allowedBy) lines.push(`    allowed by ${allowListFile}: ${f.allowedBy.reason} (approved by ${f.allowedBy.approvedBy})`);
  return lines;
}

/** The allow-list entry that would let `f` through, for the reviewer to complete. */
export function allowEntryFor(f: GuardFinding): string {
  return JSON.stringify({ stack: f.stack, logicalId: f.logicalId, reason: '<why this is safe>', approvedBy: '<who reviewed it>' });
}

/** The guard's headline. */
export function guardHeadline(result: ReviewResult): string {
  const { guard } = result;
  if (guard.passed) {
    return guard.allowed.length > 0
      ? `Guard: passed; ${guard.allowed.length} reviewed removal(s) or replacement(s) allowed by the allow-list`
      : 'Guard: passed; no stateful resource is removed or replaced, no output another stack reads is removed';
  }
  const n = (change: GuardFinding['change']) => guard.blocked.filter((f) => f.change === change).length;
  const parts = [
    n('replaced') ? `${n('replaced')} stateful resource(s) replaced` : '',
    n('removed') ? `${n('removed')} stateful resource(s) removed` : '',
    n('output removed') ? `${n('output removed')} output(s) other stacks read removed` : '',
  ].filter(Boolean);
  return `Guard: FAILED; ${parts.join(', ')}`;
}

/** The review as plain text. */
export function textReport(result: ReviewResult, context: ReportContext): string {
  const lines: string[] = [`Review: base ${context.base} -> head ${context.head}`, '', 'CloudFormation'];
  const stacks = result.cloudFormation.stacks;
  for (const stage of stagesOf(stacks)) {
    const ofStage = stacks.filter((s) => s.stage === stage);
    const changed = ofStage.filter((s) => s.status !== 'unchanged');
    if (changed.length === 0) {
      lines.push(`  ${stageLabel(stage)}: no changes (${ofStage.length} stack(s))`);
      continue;
    }
    lines.push(`  ${stageLabel(stage)}`);
    for (const stack of changed) {
      lines.push(`    ${stack.stack}: ${stackStatus(stack)}`);
      for (const r of stack.resources) {
        lines.push(`      ${resourceLine(r)}`);
        if (r.kind === 'replaced' || r.mayBeReplaced) for (const reason of r.reasons) lines.push(`          ${reason}`);
      }
      for (const name of stack.outputs.removed) lines.push(`      [-] Output  ${name}`);
    }
    if (changed.length < ofStage.length) lines.push(`    ${ofStage.length - changed.length} stack(s) unchanged`);
  }
  if (result.kubernetes) {
    lines.push('', 'Kubernetes');
    for (const env of result.kubernetes) {
      if (env.changes.length === 0) {
        lines.push(`  ${env.environment}: no changes`);
        continue;
      }
      const count = (c: KubeChange['change']) => env.changes.filter((x) => x.change === c).length;
      lines.push(`  ${env.environment}: ${count('added')} added, ${count('changed')} changed, ${count('removed')} removed`);
      for (const c of env.changes) lines.push(`    ${KUBE_MARK[c.change]} ${objectName(c)}${c.fields.length ? `  ${fieldsOf(c)}` : ''}`);
    }
  }
  const { guard } = result;
  lines.push('', guardHeadline(result));
  for (const f of guard.blocked)
    lines.push(...findingLines(f, context.allowListFile).map((l, i) => (i === 0 ? `  BLOCKED ${l}` : `  ${l}`)));
  for (const f of guard.allowed)
    lines.push(...findingLines(f, context.allowListFile).map((l, i) => (i === 0 ? `  ALLOWED ${l}` : `  ${l}`)));
  for (const f of guard.warnings)
    lines.push(...findingLines(f, context.allowListFile).map((l, i) => (i === 0 ? `  WARNING ${l}` : `  ${l}`)));
  for (const e of guard.unusedEntries) {
    lines.push(
      `  UNUSED ${context.allowListFile} entry ${e.stack} ${e.logicalId}: matches nothing in this change; delete it once its change is deployed`,
    );
  }
  if (guard.blocked.length > 0) {
    lines.push('', `After review, let a removal or replacement through with an entry in ${context.allowListFile} ("allow" list):`);
    for (const f of guard.blocked) lines.push(`  ${allowEntryFor(f)}`);
  }
  return `${lines.join('\n')}\n`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (text: string) => (text ? `\`${text.replace(/`/g, "'")}\`` : '');

function findingTable(findings: readonly GuardFinding[], allowed: boolean): string[] {
  const rows = findings.map((f) =>
    allowed
      ? `| ${cell(f.stack)} | ${code(f.logicalId)} | ${f.type} | ${f.change} | ${cell(f.allowedBy!.reason)} | ${cell(f.allowedBy!.approvedBy)} |`
      : `| ${cell(f.stack)} | ${code(f.logicalId)} | ${f.type} | ${code(f.constructPath ?? '')} | ${f.change} | ${cell([...f.why, `loses: ${f.loses}`].join('; '))} |`,
  );
  return allowed
    ? ['| stack | logical ID | type | change | reason | approved by |', '|---|---|---|---|---|---|', ...rows]
    : ['| stack | logical ID | type | construct path | change | why |', '|---|---|---|---|---|---|', ...rows];
}

/** The review as Markdown for a pull-request comment (at most `MARKDOWN_LIMIT` characters). */
export function markdownReport(result: ReviewResult, context: ReportContext): string {
  const { guard } = result;
  const head: string[] = [
    `## Infrastructure review: ${guard.passed ? 'passed' : '**blocked**'}`,
    '',
    `Base ${code(context.base)}, head ${code(context.head)}. ${guardHeadline(result).replace(/^Guard: /, 'Guard ')}.`,
  ];
  if (guard.blocked.length > 0) {
    head.push('', '### Blocked: data would be lost', '', ...findingTable(guard.blocked, false));
    head.push(
      '',
      `After review, add an entry per line to the \`allow\` list of \`${context.allowListFile}\` in this pull request:`,
      '',
      '```json',
    );
    head.push(...guard.blocked.map(allowEntryFor), '```');
  }
  if (guard.allowed.length > 0) head.push('', '### Allowed after review', '', ...findingTable(guard.allowed, true));
  if (guard.warnings.length > 0) {
    head.push('', '### May be replaced (CloudFormation decides by the values; check)', '', ...findingTable(guard.warnings, false));
  }
  if (guard.unusedEntries.length > 0) {
    head.push(
      '',
      `Unused entries in \`${context.allowListFile}\` (delete them once their change is deployed): ${guard.unusedEntries.map((e) => code(`${e.stack} ${e.logicalId}`)).join(', ')}`,
    );
  }

  const body: string[] = [
    '',
    '### CloudFormation',
    '',
    '| stage | stack | added | modified | replaced | removed | outputs |',
    '|---|---|---|---|---|---|---|',
  ];
  const stacks = result.cloudFormation.stacks;
  const changed = stacks.filter((s) => s.status !== 'unchanged');
  for (const s of changed) {
    const n = (kind: ChangeKind) => s.resources.filter((r) => r.kind === kind).length || '';
    const o = s.outputs;
    const outputs = [
      o.added.length && `+${o.added.length}`,
      o.changed.length && `~${o.changed.length}`,
      o.removed.length && `-${o.removed.length}`,
    ]
      .filter(Boolean)
      .join(' ');
    const name = s.status === 'added' ? `${s.stack} (new)` : s.status === 'removed' ? `${s.stack} (no longer in the app)` : s.stack;
    body.push(
      `| ${stageLabel(s.stage)} | ${name} | ${n('added')} | ${n('modified')} | ${n('replaced') ? `**${n('replaced')}**` : ''} | ${n('removed')} | ${outputs} |`,
    );
  }
  body.push('', `${stacks.length - changed.length} of ${stacks.length} stacks unchanged.`);
  for (const s of changed.filter((x) => x.resources.length > 0)) {
    body.push(
      '',
      `<details><summary>${s.stack}: ${countsOf(s.resources)}</summary>`,
      '',
      '| | type | logical ID | construct path | what |',
      '|---|---|---|---|---|',
    );
    for (const r of s.resources) {
      const what =
        r.kind === 'replaced' || r.mayBeReplaced
          ? [r.mayBeReplaced ? 'may be replaced' : '**replaced**', ...r.reasons].join('; ')
          : r.changed.join(', ');
      body.push(`| ${MARK[r.kind]} | ${r.type} | ${code(r.logicalId)} | ${code(r.constructPath ?? '')} | ${cell(what)} |`);
    }
    body.push('', '</details>');
  }
  if (result.kubernetes) {
    body.push('', '### Kubernetes', '', '| environment | added | changed | removed |', '|---|---|---|---|');
    for (const env of result.kubernetes) {
      const count = (c: KubeChange['change']) => env.changes.filter((x) => x.change === c).length;
      body.push(`| ${env.environment} | ${count('added')} | ${count('changed')} | ${count('removed')} |`);
    }
    for (const env of result.kubernetes.filter((e) => e.changes.length > 0)) {
      body.push(
        '',
        `<details><summary>${env.environment}: ${env.changes.length} object(s)</summary>`,
        '',
        '| | object | file | fields |',
        '|---|---|---|---|',
      );
      for (const c of env.changes)
        body.push(`| ${KUBE_MARK[c.change]} | ${code(objectName(c))} | ${code(c.file)} | ${cell(fieldsOf(c))} |`);
      body.push('', '</details>');
    }
  }
  const top = head.join('\n');
  let details = body.join('\n');
  const note = '\n\n_The details are cut here to fit a comment; run `npm run review` for all of them._';
  const close = '\n\n</details>';
  if (top.length + details.length > MARKDOWN_LIMIT) {
    details = details.slice(0, Math.max(0, MARKDOWN_LIMIT - top.length - note.length - close.length));
    details = details.slice(0, details.lastIndexOf('\n'));
    const open = details.split('<details>').length - details.split('</details>').length;
    details += (open > 0 ? close : '') + note;
  }
  return `${top}${details}\n`;
}
