/**
 * Kyverno's deny rules, evaluated as the admission controller evaluates them, so that a test can
 * say "this object would be refused" without a cluster. The semantics are transcribed from Kyverno
 * at the pinned version (kyverno/kyverno@v1.18.2):
 *
 * - a rule applies when the object's kind and namespace are in `match.any[].resources`;
 * - `{{ expression }}` is a JMESPath expression over `{ request: { object } }`; a string that is one
 *   variable takes the expression's value (a list stays a list), otherwise values are interpolated
 *   (pkg/engine/variables/vars.go);
 * - `deny.conditions.any` refuses when one condition holds, `all` when every one does;
 * - `AnyNotIn` holds when some key (a string, or each element of a list) matches no value; `AnyIn`
 *   when some key matches some value; matching is wildcard matching both ways
 *   (pkg/engine/variables/operator/anyin.go, anynotin.go: `wildcard.Match(val, key) || wildcard.Match(key, val)`);
 *   `Equals`/`NotEquals` compare the values.
 *
 * JMESPath itself is the jmespath package (the reference implementation the specification ships).
 */
import { search } from 'jmespath';
import { KubeDocument } from '../../cdk8s/policies';

type Condition = { key: string; operator: string; value: string | string[] };

const VARIABLE = /\{\{\s*(.+?)\s*\}\}/g;

/** `{{ ... }}` of `text` evaluated against the admission request of `object`. */
export function substitute(text: string, object: KubeDocument): unknown {
  const data = { request: { object } };
  const whole = /^\{\{\s*(.+?)\s*\}\}$/.exec(text);
  if (whole && !whole[1].includes('}}')) return search(data, whole[1]);
  return text.replace(VARIABLE, (_m, expression: string) => {
    const value = search(data, expression);
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

/** Kyverno's wildcard match: `*` any run of characters, `?` one character. */
export function wildcardMatch(pattern: string, name: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return regex.test(name);
}

const matches = (a: string, b: string) => wildcardMatch(a, b) || wildcardMatch(b, a);

/** Whether one condition holds for `object`. */
export function conditionHolds(condition: Condition, object: KubeDocument): boolean {
  const key = substitute(condition.key, object);
  const values = (Array.isArray(condition.value) ? condition.value : [condition.value]).map((v) => String(substitute(v, object)));
  const keys = (Array.isArray(key) ? key : [key]).map(String);
  switch (condition.operator) {
    case 'AnyNotIn':
      return keys.some((k) => !values.some((v) => matches(v, k)));
    case 'AnyIn':
      return keys.some((k) => values.some((v) => matches(v, k)));
    case 'Equals':
      return JSON.stringify(key) === JSON.stringify(substitute(String(condition.value), object));
    case 'NotEquals':
      return JSON.stringify(key) !== JSON.stringify(substitute(String(condition.value), object));
    default:
      throw new Error(`operator ${condition.operator} is not evaluated here`);
  }
}

/** The outcome of admitting an object. */
export interface Admission {
  readonly allowed: boolean;
  /** `<policy>/<rule>: <message>` of each rule that refused it. */
  readonly refusals: readonly string[];
}

/** Admit `object` against the deny rules of `policies` (ClusterPolicy documents); other rule kinds are not evaluated here. */
export function admit(policies: readonly KubeDocument[], object: KubeDocument): Admission {
  const refusals: string[] = [];
  for (const policy of policies) {
    for (const rule of policy.spec.rules) {
      const deny = rule.validate?.deny;
      if (!deny) continue;
      const applies = rule.match.any.some(
        (m: { resources: { kinds: string[]; namespaces: string[] } }) =>
          m.resources.kinds.includes(object.kind) && m.resources.namespaces.includes(object.metadata.namespace),
      );
      if (!applies) continue;
      const any: Condition[] = deny.conditions.any ?? [];
      const all: Condition[] = deny.conditions.all ?? [];
      const refused =
        (any.length > 0 && any.some((c) => conditionHolds(c, object))) || (all.length > 0 && all.every((c) => conditionHolds(c, object)));
      if (refused) refusals.push(`${policy.metadata.name}/${rule.name}: ${rule.validate.message}`);
    }
  }
  return { allowed: refusals.length === 0, refusals };
}

/** The pods a workload makes (Deployment, Rollout, Job...): its pod template as a Pod of its namespace. */
export function podsOfWorkloads(docs: readonly KubeDocument[]): KubeDocument[] {
  return docs
    .filter((d) => d.spec?.template?.spec?.containers)
    .map((d) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { ...d.spec.template.metadata, name: `${d.metadata.name}-pod`, namespace: d.metadata.namespace },
      spec: d.spec.template.spec,
    }));
}
