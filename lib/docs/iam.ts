/**
 * Who may do what, read from the synthesized templates: every IAM role (who may assume it, what its
 * policies allow and deny, its permissions boundary), every IAM Identity Center permission set (its
 * policies and the groups assigned to it) and every EKS access entry (which role gets which access
 * inside the cluster). One page per stage.
 */
import { code, generatedHeader, table } from './markdown';
import { DocResource, DocsInput, DocStack, resourcesOfType, stackIdOf, stacksOfStage } from './model';

/** Folder of the IAM summary pages. */
export const IAM_DIR = 'docs/security/iam';

/** Path of a stage's IAM summary. */
export function iamPagePath(stageName: string): string {
  return `${IAM_DIR}/${stageName}.md`;
}

/** A logical ID without the hash CDK appends: `DatabaseProxyIAMRoleB5B4B6E0` -> `DatabaseProxyIAMRole`. */
export function readableId(logicalId: string): string {
  return logicalId.replace(/[0-9A-F]{8}$/, '');
}

/**
 * A template value as text: literals as they are, `Ref` as `<Id>`, `Fn::GetAtt` as `<Id>.Attr`,
 * `Fn::Join` and `Fn::Sub` rendered, pseudo parameters as `${AWS::Region}`.
 */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(render).join(', ');
  if (value && typeof value === 'object') {
    const [fn, arg] = Object.entries(value as Record<string, unknown>)[0] ?? [];
    if (fn === 'Ref') return String(arg).startsWith('AWS::') ? `\${${arg}}` : `<${readableId(String(arg))}>`;
    if (fn === 'Fn::GetAtt') {
      const [id, attr] = Array.isArray(arg) ? arg : String(arg).split('.');
      return `<${readableId(String(id))}>.${attr}`;
    }
    if (fn === 'Fn::Join') {
      const [sep, parts] = arg as [string, unknown[]];
      return parts.map(render).join(sep);
    }
    if (fn === 'Fn::Sub') return Array.isArray(arg) ? String(arg[0]) : String(arg);
    if (fn === 'Fn::ImportValue') return `<import ${render(arg)}>`;
    if (fn === 'Fn::GetStackOutput') return `<output of ${(arg as { StackName?: string }).StackName}>`;
    return `<${fn}>`;
  }
  return String(value);
}

/** A list as text, the first `max` items and how many more. */
function some(items: readonly string[], max: number): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} (+${items.length - max} more)`;
}

/** An array, or a value made one. */
function list<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...value] : [value as T];
}

/** One policy statement, summarized: effect, actions, resources, condition keys. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function statementSummary(statement: any): string {
  const actions = list<string>(statement.Action).map(render);
  const notActions = list<string>(statement.NotAction).map(render);
  const resources = list<unknown>(statement.Resource).map(render);
  const conditions = Object.entries(statement.Condition ?? {}).flatMap(([op, keys]) =>
    Object.keys(keys as object).map((k) => `${op} ${k}`),
  );
  const what = notActions.length > 0 ? `everything but ${some(notActions, 6)}` : some(actions, 12);
  const on =
    resources.length > 0
      ? ` on ${some(
          resources.map((r) => code(r)),
          4,
        )}`
      : '';
  return `${statement.Effect === 'Deny' ? '**Deny**' : 'Allow'} ${what}${on}${conditions.length > 0 ? ` when ${conditions.join(', ')}` : ''}`;
}

/** Who may assume a role: principals and actions of its trust policy, with condition keys. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function trustSummary(document: any): string {
  return list<Record<string, unknown>>(document?.Statement)
    .map((s) => {
      const principal = (s.Principal ?? {}) as Record<string, unknown>;
      const who = Object.entries(principal).flatMap(([kind, v]) =>
        list(v).map((p) => `${kind === 'Service' ? '' : `${kind} `}${render(p)}`),
      );
      const conditions = Object.entries((s.Condition ?? {}) as Record<string, object>).flatMap(([op, keys]) =>
        Object.keys(keys).map((k) => `${op} ${k}`),
      );
      return `${who.map(code).join(', ')} (${list<string>(s.Action as string).join(', ')})${conditions.length > 0 ? ` when ${conditions.join(', ')}` : ''}`;
    })
    .join('\n');
}

/** Whether a template value references a logical ID (`Ref` or `Fn::GetAtt`). */
function references(value: unknown, logicalId: string): boolean {
  return JSON.stringify(value ?? null).includes(`"${logicalId}"`);
}

/** The statements a role gets from its inline policies, the stack's `AWS::IAM::Policy`/`ManagedPolicy` resources and managed policy ARNs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function roleStatements(s: DocStack, roleId: string, role: DocResource): { statements: any[]; managed: string[] } {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const statements: any[] = [];
  for (const p of role.Properties?.Policies ?? []) statements.push(...list(p.PolicyDocument?.Statement));
  for (const [, p] of resourcesOfType(s, 'AWS::IAM::Policy'))
    if (list(p.Properties?.Roles).some((r) => references(r, roleId))) statements.push(...list(p.Properties?.PolicyDocument?.Statement));
  const managed: string[] = [];
  for (const [id, p] of resourcesOfType(s, 'AWS::IAM::ManagedPolicy')) {
    const attached = list(p.Properties?.Roles).some((r) => references(r, roleId)) || references(role.Properties?.ManagedPolicyArns, id);
    if (attached) statements.push(...list(p.Properties?.PolicyDocument?.Statement));
  }
  for (const arn of list(role.Properties?.ManagedPolicyArns)) {
    const text = render(arn);
    if (!text.startsWith('<'))
      managed.push(text.replace(/^arn:\$\{AWS::Partition\}:iam::aws:policy\//, '').replace(/^arn:aws:iam::aws:policy\//, ''));
  }
  return { statements, managed };
}

/** Name of a role: its `RoleName` when code gives one, else its logical ID without the hash. */
function roleName(id: string, role: DocResource): string {
  return typeof role.Properties?.RoleName === 'string' ? role.Properties.RoleName : readableId(id);
}

/** The roles of one stack as table rows. */
function roleRows(s: DocStack): string[][] {
  return resourcesOfType(s, 'AWS::IAM::Role').map(([id, role]) => {
    const { statements, managed } = roleStatements(s, id, role);
    const may = [
      ...managed.map((m) => `AWS managed policy ${code(m)}`),
      ...statements.filter((x) => x.Effect !== 'Deny').map(statementSummary),
      ...statements.filter((x) => x.Effect === 'Deny').map(statementSummary),
    ];
    const boundary = role.Properties?.PermissionsBoundary ? render(role.Properties.PermissionsBoundary) : '';
    return [
      code(roleName(id, role)),
      trustSummary(role.Properties?.AssumeRolePolicyDocument),
      may.join('\n') || 'nothing',
      boundary ? code(boundary.replace(/^arn:aws:iam::\d+:policy\//, '')) : 'none',
    ];
  });
}

/** Permission sets of a stack, with the groups and accounts they are assigned to. */
function permissionSetRows(s: DocStack): string[][] {
  return resourcesOfType(s, 'AWS::SSO::PermissionSet').map(([id, set]) => {
    const assignments = resourcesOfType(s, 'AWS::SSO::Assignment').filter(([, a]) => references(a.Properties?.PermissionSetArn, id));
    const inline = set.Properties?.InlinePolicy;
    const document = typeof inline === 'string' ? JSON.parse(inline) : inline;
    const may = [
      ...list<unknown>(set.Properties?.ManagedPolicies).map(
        (m) => `AWS managed policy ${code(render(m).replace(/^arn:aws:iam::aws:policy\//, ''))}`,
      ),
      ...list<{ Name: unknown }>(set.Properties?.CustomerManagedPolicyReferences).map(
        (r) => `customer managed policy ${code(render(r.Name))}`,
      ),
      ...list(document?.Statement).map(statementSummary),
    ];
    const targets = assignments.map(
      ([, a]) =>
        `${render(a.Properties?.PrincipalType)} ${code(render(a.Properties?.PrincipalId))} in ${code(render(a.Properties?.TargetId))}`,
    );
    return [
      code(render(set.Properties?.Name)),
      some(targets, 20) || 'nobody',
      may.join('\n') || 'nothing',
      render(set.Properties?.SessionDuration ?? ''),
    ];
  });
}

/** EKS access entries of a stack: which principal gets which Kubernetes access. */
function accessEntryRows(s: DocStack): string[][] {
  return resourcesOfType(s, 'AWS::EKS::AccessEntry').map(([, e]) => [
    code(render(e.Properties?.PrincipalArn)),
    list<{ PolicyArn: unknown; AccessScope?: { Type?: string; Namespaces?: string[] } }>(e.Properties?.AccessPolicies)
      .map((p) => {
        const scope = p.AccessScope?.Type === 'namespace' ? `namespaces ${(p.AccessScope.Namespaces ?? []).join(', ')}` : 'cluster';
        return `${code(render(p.PolicyArn).replace(/^arn:aws:eks::aws:cluster-access-policy\//, ''))} (${scope})`;
      })
      .join('\n') || 'none',
    list<string>(e.Properties?.KubernetesGroups).join(', ') || 'none',
    render(e.Properties?.Type ?? 'STANDARD'),
  ]);
}

/** The IAM summary of one stage. */
export function iamPage(input: DocsInput, stageName: string): string {
  const stacks = stacksOfStage(input, stageName);
  const sections: string[] = [];
  for (const s of stacks) {
    const roles = roleRows(s);
    const sets = permissionSetRows(s);
    const entries = accessEntryRows(s);
    if (roles.length + sets.length + entries.length === 0) continue;
    sections.push(`## ${stackIdOf(s.path)}`, '', `Stack \`${s.stackName}\`, account \`${s.account}\`, ${s.region}.`, '');
    if (sets.length > 0)
      sections.push('### Permission sets (people)', '', table(['permission set', 'assigned to', 'may', 'session'], sets), '');
    if (roles.length > 0) sections.push('### Roles', '', table(['role', 'assumed by', 'may', 'permissions boundary'], roles), '');
    if (entries.length > 0)
      sections.push(
        '### Cluster access entries',
        '',
        table(['principal', 'access policies (scope)', 'Kubernetes groups', 'type'], entries),
        '',
      );
  }
  return [
    generatedHeader(['the synthesized templates (`npx cdk synth`)']),
    '',
    `# IAM summary: ${stageName}`,
    '',
    'Who may do what, read from the templates: each role with the principals that may assume it and a summary of every',
    'statement its policies give it (`<Name>` is a resource of the same stack by its logical ID, `${AWS::...}` a pseudo',
    'parameter); each permission set with the groups it is assigned to; each cluster access entry. How access is',
    'designed: [IAM policies](../iam-policies.md).',
    '',
    ...sections,
  ].join('\n');
}
