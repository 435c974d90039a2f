/**
 * Kyverno `ClusterPolicy` (kyverno.io/v1), typed. No typed model of Kyverno is published on npm,
 * so this file declares the subset of the CRD the platform uses, and `kyvernoPolicyProblems`
 * checks a document's structure against it (the tests run it on every policy written).
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

/** What a rule applies to. */
export interface KyvernoMatch {
  readonly any: readonly { readonly resources: { readonly kinds: readonly string[]; readonly namespaces?: readonly string[] } }[];
}

/** Admission outcome of a failed rule. */
export type KyvernoFailureAction = 'Enforce' | 'Audit';

/** A validate rule: the resource must match `pattern`. */
export interface KyvernoValidate {
  readonly failureAction: KyvernoFailureAction;
  /** Shown to whoever applied the refused resource. */
  readonly message: string;
  /** Kyverno pattern (`?*` any non-empty value, `!` negation, `=()` optional field). */
  readonly pattern: Record<string, unknown>;
}

/** A cosign public key kept in a Kubernetes Secret (key `cosign.pub`). */
export interface KyvernoKeyAttestor {
  readonly keys: {
    readonly secret: { readonly name: string; readonly namespace: string };
    /** Private signatures are not uploaded to the public transparency log. */
    readonly rekor: { readonly ignoreTlog: boolean };
    readonly ctlog: { readonly ignoreSCT: boolean };
  };
}

/** A verifyImages rule: images matching `imageReferences` must carry a valid signature. */
export interface KyvernoVerifyImages {
  readonly imageReferences: readonly string[];
  readonly failureAction: KyvernoFailureAction;
  /** Replace the tag by the verified digest, so what runs is what was verified. */
  readonly mutateDigest: boolean;
  readonly verifyDigest: boolean;
  readonly required: boolean;
  readonly attestors: readonly { readonly count?: number; readonly entries: readonly KyvernoKeyAttestor[] }[];
}

/** One rule: either validate or verifyImages. */
export interface KyvernoRule {
  readonly name: string;
  readonly match: KyvernoMatch;
  readonly validate?: KyvernoValidate;
  readonly verifyImages?: readonly KyvernoVerifyImages[];
}

/** The `spec` of a ClusterPolicy. */
export interface KyvernoClusterPolicySpec {
  /** Also report existing resources that break the rules. */
  readonly background: boolean;
  /** Seconds the API server waits for Kyverno's answer. @default 10 */
  readonly webhookTimeoutSeconds?: number;
  readonly rules: readonly KyvernoRule[];
}

/** Props of `KyvernoClusterPolicy`. */
export interface KyvernoClusterPolicyProps {
  /** Policy name. */
  readonly name: string;
  /** One sentence on what it enforces (annotation `policies.kyverno.io/description`). */
  readonly description: string;
  readonly spec: KyvernoClusterPolicySpec;
}

/** API version and kind of a ClusterPolicy. */
export const KYVERNO_CLUSTER_POLICY = { apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy' } as const;

/** A Kyverno ClusterPolicy as a cdk8s ApiObject. */
export class KyvernoClusterPolicy extends ApiObject {
  constructor(scope: Construct, id: string, props: KyvernoClusterPolicyProps) {
    super(scope, id, {
      ...KYVERNO_CLUSTER_POLICY,
      metadata: { name: props.name, annotations: { 'policies.kyverno.io/description': props.description } },
      spec: props.spec,
    });
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const ACTIONS = ['Enforce', 'Audit'];
const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Structural problems of a ClusterPolicy document against the subset above (empty when well formed). */
export function kyvernoPolicyProblems(doc: unknown): string[] {
  if (!isObj(doc) || doc.apiVersion !== KYVERNO_CLUSTER_POLICY.apiVersion || doc.kind !== KYVERNO_CLUSTER_POLICY.kind) {
    return ['not a kyverno.io/v1 ClusterPolicy'];
  }
  const name = isObj(doc.metadata) ? doc.metadata.name : undefined;
  const at = `ClusterPolicy ${String(name)}`;
  const problems: string[] = [];
  if (typeof name !== 'string' || !NAME.test(name)) problems.push(`${at}: metadata.name is not a DNS label`);
  const spec = isObj(doc.spec) ? doc.spec : {};
  if (typeof spec.background !== 'boolean') problems.push(`${at}: spec.background is not a boolean`);
  if (!Array.isArray(spec.rules) || spec.rules.length === 0) return [...problems, `${at}: spec.rules is not a non-empty list`];
  spec.rules.forEach((rule: unknown, i: number) => {
    const where = `${at}: spec.rules[${i}]`;
    if (!isObj(rule)) return problems.push(`${where} is not an object`);
    if (typeof rule.name !== 'string' || !NAME.test(rule.name)) problems.push(`${where}.name is not a DNS label`);
    const any = isObj(rule.match) && Array.isArray(rule.match.any) ? rule.match.any : [];
    if (
      any.length === 0 ||
      !any.every((m) => isObj(m) && isObj(m.resources) && Array.isArray(m.resources.kinds) && m.resources.kinds.length > 0)
    ) {
      problems.push(`${where}.match.any does not list resource kinds`);
    }
    if ((rule.validate === undefined) === (rule.verifyImages === undefined))
      problems.push(`${where} needs exactly one of validate, verifyImages`);
    if (isObj(rule.validate)) {
      const v = rule.validate;
      if (!ACTIONS.includes(v.failureAction as string)) problems.push(`${where}.validate.failureAction is not Enforce or Audit`);
      if (typeof v.message !== 'string' || v.message === '') problems.push(`${where}.validate.message is empty`);
      if (!isObj(v.pattern)) problems.push(`${where}.validate.pattern is not an object`);
    }
    if (rule.verifyImages !== undefined) {
      const list = Array.isArray(rule.verifyImages) ? rule.verifyImages : [];
      if (list.length === 0) problems.push(`${where}.verifyImages is not a non-empty list`);
      list.forEach((v: unknown, j: number) => {
        const w = `${where}.verifyImages[${j}]`;
        if (!isObj(v)) return problems.push(`${w} is not an object`);
        if (!Array.isArray(v.imageReferences) || v.imageReferences.length === 0) problems.push(`${w}.imageReferences is empty`);
        if (!ACTIONS.includes(v.failureAction as string)) problems.push(`${w}.failureAction is not Enforce or Audit`);
        const entries = Array.isArray(v.attestors)
          ? v.attestors.flatMap((a: unknown) => (isObj(a) && Array.isArray(a.entries) ? a.entries : []))
          : [];
        const keyed = entries.filter((e: unknown) => isObj(e) && isObj(e.keys) && isObj(e.keys.secret));
        if (keyed.length === 0) problems.push(`${w}.attestors has no key entry`);
        return undefined;
      });
    }
    return undefined;
  });
  return problems;
}
