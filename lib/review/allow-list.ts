/**
 * The reviewed allow-list: stateful resources (and stack outputs) a change may remove or replace
 * because someone reviewed it. The file (`review-allow.json` at the repository root) is
 * `{ "allow": [{ "stack", "logicalId", "reason", "approvedBy" }] }`; every problem is reported, one
 * line each, naming the entry and field.
 */

/** One reviewed removal or replacement. */
export interface AllowEntry {
  /** Stage/stack as the review prints it, e.g. `Prod/Data` (a stack outside any stage: its name alone). */
  readonly stack: string;
  /** The resource's logical ID, or the name of the stack output. */
  readonly logicalId: string;
  /** Why losing or replacing it is safe (data migrated, snapshot restored...). */
  readonly reason: string;
  /** Who reviewed and approved it. */
  readonly approvedBy: string;
}

const FIELDS: readonly (keyof AllowEntry)[] = ['stack', 'logicalId', 'reason', 'approvedBy'];

const REQUIRED: Record<keyof AllowEntry, string> = {
  stack: 'give the stage/stack as the review prints it, e.g. "Prod/Data"',
  logicalId: 'give the logical ID (or output name) as the review prints it',
  reason: 'say why removing or replacing it is safe',
  approvedBy: 'name who reviewed and approved it',
};

/** Validate the parsed file; `source` (the file name) starts every problem. */
export function parseAllowList(value: unknown, source: string): { entries: AllowEntry[]; problems: string[] } {
  if (value === undefined) return { entries: [], problems: [] };
  const problems: string[] = [];
  const say = (where: string, message: string) => problems.push(`${source}: ${where}${where ? ': ' : ''}${message}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    say('', 'must be an object {"allow": [...]}');
    return { entries: [], problems };
  }
  for (const key of Object.keys(value).filter((k) => k !== 'allow')) say(key, 'unknown field; the file has one field, "allow"');
  const list = (value as { allow?: unknown }).allow;
  if (!Array.isArray(list)) {
    say('allow', 'must be a list of entries {"stack", "logicalId", "reason", "approvedBy"}');
    return { entries: [], problems };
  }
  const entries: AllowEntry[] = [];
  const positions: number[] = [];
  list.forEach((item: unknown, i) => {
    const at = `allow[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      say(at, 'must be an object {"stack", "logicalId", "reason", "approvedBy"}');
      return;
    }
    const entry = item as Record<string, unknown>;
    let valid = true;
    for (const key of Object.keys(entry).filter((k) => !(FIELDS as string[]).includes(k))) {
      say(`${at}.${key}`, `unknown field; allowed: ${FIELDS.join(', ')}`);
      valid = false;
    }
    for (const field of FIELDS) {
      const v = entry[field];
      if (typeof v !== 'string' || v.trim() === '') {
        say(`${at}.${field}`, `${v === undefined ? 'missing' : `${JSON.stringify(v)} is not a non-empty string`}; ${REQUIRED[field]}`);
        valid = false;
      }
    }
    if (!valid) return;
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*(\/[A-Za-z0-9][A-Za-z0-9-]*)*$/.test(entry.stack as string)) {
      say(`${at}.stack`, `${JSON.stringify(entry.stack)} is not a stage/stack path; ${REQUIRED.stack}`);
      return;
    }
    if (!/^[A-Za-z0-9]+$/.test(entry.logicalId as string)) {
      say(`${at}.logicalId`, `${JSON.stringify(entry.logicalId)} is not a logical ID (letters and digits only); ${REQUIRED.logicalId}`);
      return;
    }
    const duplicate = entries.findIndex((e) => e.stack === entry.stack && e.logicalId === entry.logicalId);
    if (duplicate >= 0) {
      say(at, `duplicates allow[${positions[duplicate]}] (${entry.stack} ${entry.logicalId})`);
      return;
    }
    entries.push(entry as unknown as AllowEntry);
    positions.push(i);
  });
  return { entries, problems };
}
