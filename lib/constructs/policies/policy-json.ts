import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/** A condition block of an IAM statement: operator -> key -> value(s). */
export type ConditionJson = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

/** One IAM policy statement as JSON (the shape upstream projects publish their policies in). */
export interface StatementJson {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: ConditionJson;
}

/**
 * A statement of a controller's policy and why it is as wide as it is: the reason is what the
 * cdk-nag acknowledgement of its wildcards says, so every acknowledgement carries the statement's own reason.
 */
export interface ControllerStatement {
  readonly statement: StatementJson;
  /** Why the statement needs its wildcards (shown in the cdk-nag acknowledgement). */
  readonly why: string;
}

const list = (v: string | readonly string[]): readonly string[] => (typeof v === 'string' ? [v] : v);

/** The statements as CDK policy statements. */
export function toPolicyStatements(statements: readonly ControllerStatement[]): iam.PolicyStatement[] {
  return statements.map(({ statement }) =>
    iam.PolicyStatement.fromJson({
      ...statement,
      Action: [...list(statement.Action)],
      Resource: [...list(statement.Resource)],
    }),
  );
}

/**
 * Acknowledge the AwsSolutions-IAM5 findings (wildcard actions and resources) of these statements
 * on `policy` (the role's DefaultPolicy), each with the reason of the statement(s) that carry it.
 */
export function acknowledgeWildcards(policy: IConstruct, controller: string, statements: readonly ControllerStatement[]): void {
  const reasons = new Map<string, string[]>();
  const add = (finding: string, why: string) => reasons.set(finding, [...(reasons.get(finding) ?? []), why]);
  for (const { statement, why } of statements) {
    for (const resource of list(statement.Resource)) if (resource.includes('*')) add(`Resource::${resource}`, why);
    for (const action of list(statement.Action)) if (action.includes('*')) add(`Action::${action}`, why);
  }
  for (const [finding, whys] of reasons) {
    Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: `${controller}: ${[...new Set(whys)].join(' ')}` });
  }
}
