/**
 * A small IAM simulation helper for the edge's roles (until the shared harness lands): resolves a
 * synthesized policy document to plain ARNs and asks @cloud-copilot/iam-simulate (AWS's own action
 * and resource data) whether one call is allowed.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';

type Json = unknown;

/**
 * Replace `AWS::Partition`/`AWS::URLSuffix`, the given `Ref`s and `Fn::GetAtt`s (by logical ID) and
 * flatten `Fn::Join` of literals; anything else unresolved is an error.
 */
export function plainPolicy(
  doc: Json,
  refs: Record<string, string> = {},
  getAtt: (id: string, attribute: string) => string = noGetAtt,
): Json {
  const walk = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const o = v as Record<string, Json>;
      if ('Ref' in o) {
        const name = o.Ref as string;
        if (name === 'AWS::Partition') return 'aws';
        if (name === 'AWS::URLSuffix') return 'amazonaws.com';
        if (refs[name] !== undefined) return refs[name];
        throw new Error(`unresolved Ref ${name}`);
      }
      if ('Fn::GetAtt' in o) {
        const [id, attribute] = o['Fn::GetAtt'] as [string, string];
        return getAtt(id, attribute);
      }
      if ('Fn::Join' in o) {
        const [sep, parts] = o['Fn::Join'] as [string, Json[]];
        return parts.map(walk).join(sep);
      }
      if (Object.keys(o).some((k) => k.startsWith('Fn::'))) throw new Error(`unresolved ${JSON.stringify(o)}`);
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return walk(doc);
}

function noGetAtt(id: string, attribute: string): string {
  throw new Error(`unresolved Fn::GetAtt ${id}.${attribute}`);
}

/**
 * Whether a principal with `policy` (identity policy) may make one call on one resource; with the
 * resource's own policy where the service requires one (a KMS key policy).
 */
export async function isAllowed(
  policy: Json,
  action: string,
  resource: string,
  account = '111111111111',
  resourcePolicy?: Json,
): Promise<boolean> {
  const result = await runSimulation(
    {
      identityPolicies: [{ name: 'policy', policy: policy as never }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy: resourcePolicy as never } : {}),
      request: {
        action,
        principal: `arn:aws:iam::${account}:role/simulated`,
        resource: { accountId: account, resource },
        contextVariables: {},
      },
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`simulation of ${action} on ${resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult === 'Allowed';
}
