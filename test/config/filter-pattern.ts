/**
 * An evaluator of the subset of CloudWatch Logs JSON filter patterns the audit rules use, to test
 * what a pattern matches rather than how it is spelled: `{ expr }` with `&&`, `||`, parentheses,
 * `$.a.b = "value"` / `!= "value"` (string values, `*` a wildcard for any run of characters),
 * `$.a NOT EXISTS` and `$.a EXISTS` (Amazon CloudWatch Logs User Guide, "Using filter patterns to
 * match terms in JSON log events"). Anything else throws, so a pattern outside the subset is noticed.
 *
 * How `!=` treats a field the event does not have is not spelled out there; `missing` picks one
 * reading, and tests run under both so that a pattern's meaning never hangs on it.
 */

/** What `$.x != "v"` is when the event has no `x`: no match, or a match. */
export type MissingField = 'neverMatches' | 'notEqual';

type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'compare'; path: string[]; op: '=' | '!='; value: string }
  | { kind: 'exists'; path: string[]; exists: boolean };

const TOKEN = /\s*(\(|\)|&&|\|\||!=|=|NOT EXISTS|EXISTS|"(?:[^"\\]|\\.)*"|\$(?:\.[A-Za-z0-9_]+)+)/y;

function tokenize(body: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < body.length) {
    if (/^\s*$/.test(body.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(body);
    if (!m) throw new Error(`filter pattern: cannot read ${JSON.stringify(body.slice(at, at + 30))}`);
    tokens.push(m[1]);
  }
  return tokens;
}

/** Parse a JSON filter pattern of the subset. */
export function parseFilterPattern(pattern: string): Node {
  const body = /^\s*\{(.*)\}\s*$/s.exec(pattern);
  if (!body) throw new Error(`filter pattern: not a JSON pattern: ${pattern}`);
  const tokens = tokenize(body[1]);
  let i = 0;
  const expect = (t: string) => {
    if (tokens[i] !== t) throw new Error(`filter pattern: expected ${t} at token ${i}, got ${tokens[i]}`);
    i++;
  };
  const primary = (): Node => {
    if (tokens[i] === '(') {
      i++;
      const inner = or();
      expect(')');
      return inner;
    }
    const selector = tokens[i++];
    if (!selector?.startsWith('$.')) throw new Error(`filter pattern: expected a selector at token ${i - 1}, got ${selector}`);
    const path = selector.slice(2).split('.');
    const op = tokens[i++];
    if (op === 'EXISTS' || op === 'NOT EXISTS') return { kind: 'exists', path, exists: op === 'EXISTS' };
    if (op !== '=' && op !== '!=') throw new Error(`filter pattern: unsupported operator ${op}`);
    const value = tokens[i++];
    if (!value?.startsWith('"')) throw new Error(`filter pattern: only quoted string values are supported, got ${value}`);
    return { kind: 'compare', path, op, value: JSON.parse(value) as string };
  };
  const and = (): Node => {
    let left = primary();
    while (tokens[i] === '&&') {
      i++;
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };
  function or(): Node {
    let left = and();
    while (tokens[i] === '||') {
      i++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  }
  const tree = or();
  if (i !== tokens.length) throw new Error(`filter pattern: unexpected ${tokens[i]} at token ${i}`);
  return tree;
}

/** `*` matches any run of characters (none included); everything else literally. */
export function wildcardMatches(value: string, pattern: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );
  return re.test(value);
}

function lookup(event: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), event);
}

function evaluate(node: Node, event: unknown, missing: MissingField): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, event, missing) && evaluate(node.right, event, missing);
    case 'or':
      return evaluate(node.left, event, missing) || evaluate(node.right, event, missing);
    case 'exists':
      return (lookup(event, node.path) !== undefined) === node.exists;
    case 'compare': {
      const v = lookup(event, node.path);
      if (v === undefined || v === null) return node.op === '!=' && missing === 'notEqual';
      const equal = wildcardMatches(String(v), node.value);
      return node.op === '=' ? equal : !equal;
    }
  }
}

/** Whether a JSON filter pattern (of the subset) matches an event. */
export function filterMatches(pattern: string, event: unknown, missing: MissingField = 'neverMatches'): boolean {
  return evaluate(parseFilterPattern(pattern), event, missing);
}

/** Both readings of a missing field, for `test.each`. */
export const MISSING_FIELD: readonly MissingField[] = ['neverMatches', 'notEqual'];

/** CloudTrail's `userIdentity` of a role's session (its issuer: the role), e.g. a pod's or a function's. */
export function roleIdentity(roleArn: string): object {
  const [, account] = /^arn:aws:iam::(\d{12}):role\//.exec(roleArn) ?? [];
  return {
    type: 'AssumedRole',
    arn: `arn:aws:sts::${account}:assumed-role/${roleArn.split('/').pop()}/session`,
    accountId: account,
    sessionContext: { sessionIssuer: { type: 'Role', arn: roleArn, accountId: account, userName: roleArn.split('/').pop() } },
  };
}

/** A CloudTrail event of a `GetSecretValue` call; with `errorCode` when it was refused or failed. */
export function secretRead(secretId: string, userIdentity: object, errorCode?: string): object {
  return {
    eventSource: 'secretsmanager.amazonaws.com',
    eventName: 'GetSecretValue',
    userIdentity,
    requestParameters: { secretId },
    ...(errorCode ? { errorCode, errorMessage: 'refused' } : { responseElements: null }),
  };
}
