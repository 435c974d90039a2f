import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { IConstruct } from 'constructs';

/** One statement of a synthesized policy, with its resources flattened the way cdk-nag names them (`<LogicalId.Arn>/*`). */
export interface FlatStatement {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly condition?: Readonly<Record<string, unknown>>;
}

/**
 * A kind of wildcard statement that a library generates (CDK Pipelines' grants), and why it is
 * as wide as it is. The reason becomes the cdk-nag acknowledgement of every wildcard of every
 * statement the rule matches.
 */
export interface GeneratedWildcardRule {
  /** Short name, shown first in the acknowledgement. */
  readonly name: string;
  /** Whether the statement is of this kind (all its actions and resources, not just one). */
  readonly matches: (statement: FlatStatement) => boolean;
  /** Why the statement needs its wildcards. */
  readonly why: string;
}

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]).map((x) => flattenCfnReference(x));

/** The Allow statements of a policy construct, flattened. */
export function flatStatements(policy: iam.Policy): FlatStatement[] {
  const document = Stack.of(policy).resolve(policy.document) as { Statement?: Record<string, unknown>[] } | undefined;
  return (document?.Statement ?? [])
    .filter((s) => s.Effect === 'Allow')
    .map((s) => ({
      actions: list(s.Action),
      resources: list(s.Resource),
      condition: s.Condition as Record<string, unknown> | undefined,
    }));
}

/** The AwsSolutions-IAM5 finding IDs of one statement (`Action::s3:List*`, `Resource::<Bucket.Arn>/*`). */
export function wildcardFindings(statement: FlatStatement): string[] {
  return [
    ...statement.actions.filter((a) => a.includes('*')).map((a) => `Action::${a}`),
    ...statement.resources.filter((r) => r.includes('*')).map((r) => `Resource::${r}`),
  ];
}

/**
 * Acknowledge, on each policy below `scope`, the wildcards of the statements a rule recognizes,
 * each with that rule's reason. A wildcard no rule recognizes is left alone, so cdk-nag still
 * reports it: a new kind of grant needs a rule (and a reason) before it passes. Returns the
 * findings left unacknowledged, by policy path (for tests).
 */
export function acknowledgeGeneratedWildcards(scope: IConstruct, rules: readonly GeneratedWildcardRule[]): Map<string, string[]> {
  const left = new Map<string, string[]>();
  const policies = scope.node.findAll().filter((c): c is iam.Policy => c instanceof iam.Policy);
  for (const policy of policies) {
    const reasons = new Map<string, string[]>();
    for (const statement of flatStatements(policy)) {
      const findings = wildcardFindings(statement);
      if (findings.length === 0) continue;
      const rule = rules.find((r) => r.matches(statement));
      if (!rule) {
        left.set(policy.node.path, [...(left.get(policy.node.path) ?? []), ...findings]);
        continue;
      }
      for (const finding of findings) reasons.set(finding, [...(reasons.get(finding) ?? []), `${rule.name}: ${rule.why}`]);
    }
    for (const [finding, whys] of reasons) {
      Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: [...new Set(whys)].join(' ') });
    }
  }
  return left;
}
