/**
 * Kyverno `ClusterPolicy` (kyverno.io/v1), typed. This file declares the subset of the CRD the
 * platform uses, and `kyvernoPolicyProblems` checks a document's structure against it (the tests
 * run it on every policy written). Field names and allowed values are transcribed from the CRD
 * at the pinned Kyverno version (source: kyverno/kyverno@v1.18.2:config/crds/kyverno/kyverno.io_clusterpolicies.yaml,
 * api/kyverno/v1/{spec_types,common_types,image_verification_types}.go).
 *
 * Why not `@kubernetes-models/kyverno`: its last Node-20 release (0.3.4) carries the schema of an
 * older Kyverno (no per-rule `failureAction`, no `webhookConfiguration`) and does not reject
 * unknown fields, so it would pass documents the pinned Kyverno refuses and check nothing we use.
 *
 * Kyverno 1.18 marks `ClusterPolicy` deprecated in favour of the CEL policy types
 * (`ValidatingPolicy`, `ImageValidatingPolicy`, policies.kyverno.io/v1): "critical fixes only" in
 * 1.18 and 1.19, removal planned for 1.20 (source: kyverno/website@7c0814a:src/content/docs/docs/policy-types/overview.md).
 * It is still served and supported at the pin; `CLUSTER_POLICY_LAST_MINOR` makes the move a
 * tested precondition of any Kyverno upgrade past 1.19.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

/** What a rule applies to: always named namespaces (a rule without namespaces would also gate kube-system and Kyverno's own). */
export interface KyvernoMatch {
  readonly any: readonly { readonly resources: { readonly kinds: readonly string[]; readonly namespaces: readonly string[] } }[];
}

/** Admission outcome of a failed rule. */
export type KyvernoFailureAction = 'Enforce' | 'Audit';

/** What the API server does when Kyverno errs or does not answer in time. */
export type KyvernoFailurePolicy = 'Fail' | 'Ignore';

/** The condition operators the platform's deny rules use (api/kyverno/v1/common_types.go, ConditionOperator). */
export type KyvernoConditionOperator = 'AnyNotIn' | 'AnyIn' | 'Equals' | 'NotEquals';

/**
 * One condition of a deny rule: `key` and `value` may hold JMESPath variables (`{{ ... }}`) over
 * the admission request, e.g. `{{ request.object.metadata.name }}`.
 */
export interface KyvernoCondition {
  readonly key: string;
  readonly operator: KyvernoConditionOperator;
  readonly value: string | readonly string[];
  /** Why the resource is refused when this condition holds. */
  readonly message?: string;
}

/** A validate rule: the resource must match `pattern`, or is refused when the `deny` conditions hold. */
export interface KyvernoValidate {
  readonly failureAction: KyvernoFailureAction;
  /** Shown to whoever applied the refused resource. */
  readonly message: string;
  /** Kyverno pattern (`?*` any non-empty value, `!` negation, `=()` optional field). */
  readonly pattern?: Record<string, unknown>;
  /** Refuse the resource when any (or all) of the conditions hold (api/kyverno/v1/common_types.go, Deny). */
  readonly deny?: { readonly conditions: { readonly any?: readonly KyvernoCondition[]; readonly all?: readonly KyvernoCondition[] } };
}

/** A cosign public key held in a KMS (`awskms:///<alias ARN>`): the verifier reads it with its own credentials. */
export interface KyvernoKeyAttestor {
  readonly keys: {
    /** KMS URI of the key (sigstore's `awskms://` scheme). */
    readonly kms: string;
    /** Private signatures are not uploaded to the public transparency log. */
    readonly rekor: { readonly ignoreTlog: boolean };
    readonly ctlog: { readonly ignoreSCT: boolean };
  };
}

/** Registry credentials Kyverno uses for the images and their signatures. */
export interface KyvernoImageRegistryCredentials {
  /** Credential helpers (`default`, `amazon`, `azure`, `google`, `github`). */
  readonly providers: readonly ('default' | 'amazon' | 'azure' | 'google' | 'github')[];
}

/** A verifyImages rule: images matching `imageReferences` must carry a valid signature. */
export interface KyvernoVerifyImages {
  readonly imageReferences: readonly string[];
  readonly failureAction: KyvernoFailureAction;
  /** Replace the tag by the verified digest, so what runs is what was verified. */
  readonly mutateDigest: boolean;
  readonly verifyDigest: boolean;
  /** An image that matches `imageReferences` and has no valid signature is refused. */
  readonly required: boolean;
  readonly imageRegistryCredentials: KyvernoImageRegistryCredentials;
  readonly attestors: readonly { readonly count?: number; readonly entries: readonly KyvernoKeyAttestor[] }[];
}

/** One rule: either validate or verifyImages. */
export interface KyvernoRule {
  readonly name: string;
  readonly match: KyvernoMatch;
  readonly validate?: KyvernoValidate;
  readonly verifyImages?: readonly KyvernoVerifyImages[];
}

/** How the API server calls Kyverno for this policy (replaces the deprecated `webhookTimeoutSeconds`/`failurePolicy`). */
export interface KyvernoWebhookConfiguration {
  readonly failurePolicy: KyvernoFailurePolicy;
  /** Seconds the API server waits for Kyverno's answer (1..30). */
  readonly timeoutSeconds: number;
}

/** The `spec` of a ClusterPolicy. */
export interface KyvernoClusterPolicySpec {
  /** Also report existing resources that break the rules. */
  readonly background: boolean;
  readonly webhookConfiguration: KyvernoWebhookConfiguration;
  readonly rules: readonly KyvernoRule[];
}

/** Props of `KyvernoClusterPolicy`. */
export interface KyvernoClusterPolicyProps {
  /** Policy name. */
  readonly name: string;
  /** One sentence on what it enforces (annotation `policies.kyverno.io/description`). */
  readonly description: string;
  /**
   * Controllers Kyverno also writes the rules for (annotation `pod-policies.kyverno.io/autogen-controllers`), e.g. `none`.
   * @default - Kyverno's default: Pod rules also apply to the pod templates of Deployments, Jobs...
   */
  readonly autogenControllers?: string;
  readonly spec: KyvernoClusterPolicySpec;
}

/** API version and kind of a ClusterPolicy. */
export const KYVERNO_CLUSTER_POLICY = { apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy' } as const;

/** The last Kyverno minor version that serves `ClusterPolicy` (removal planned for 1.20; source above). */
export const CLUSTER_POLICY_LAST_MINOR = '1.19';

/** A Kyverno ClusterPolicy as a cdk8s ApiObject. */
export class KyvernoClusterPolicy extends ApiObject {
  constructor(scope: Construct, id: string, props: KyvernoClusterPolicyProps) {
    super(scope, id, {
      ...KYVERNO_CLUSTER_POLICY,
      metadata: {
        name: props.name,
        annotations: {
          'policies.kyverno.io/description': props.description,
          ...(props.autogenControllers ? { 'pod-policies.kyverno.io/autogen-controllers': props.autogenControllers } : {}),
        },
      },
      spec: props.spec,
    });
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const ACTIONS = ['Enforce', 'Audit'];
const OPERATORS = ['AnyNotIn', 'AnyIn', 'Equals', 'NotEquals'];
const FAILURE_POLICIES = ['Fail', 'Ignore'];
const PROVIDERS = ['default', 'amazon', 'azure', 'google', 'github'];
const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** sigstore's awskms reference forms, without endpoint (sigstore/sigstore@v1.10.6:pkg/signature/kms/aws/client.go). */
const AWS_KMS_URI = /^awskms:\/\/\/(arn:(aws|aws-us-gov|aws-cn):kms:[a-z0-9-]+:\d{12}:(alias\/.+|key\/[A-Fa-f0-9-]{36})|alias\/.+)$/;
/** Spec fields deprecated since Kyverno 1.13, with their replacement (api/kyverno/v1/spec_types.go at v1.18.2). */
const DEPRECATED_SPEC_FIELDS: Record<string, string> = {
  webhookTimeoutSeconds: 'spec.webhookConfiguration.timeoutSeconds',
  failurePolicy: 'spec.webhookConfiguration.failurePolicy',
  validationFailureAction: 'failureAction in each rule',
};

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
  for (const [field, replacement] of Object.entries(DEPRECATED_SPEC_FIELDS)) {
    if (spec[field] !== undefined) problems.push(`${at}: spec.${field} is deprecated; use ${replacement}`);
  }
  const webhook = isObj(spec.webhookConfiguration) ? spec.webhookConfiguration : undefined;
  if (!webhook) problems.push(`${at}: spec.webhookConfiguration is missing; set failurePolicy and timeoutSeconds deliberately`);
  else {
    if (!FAILURE_POLICIES.includes(webhook.failurePolicy as string))
      problems.push(`${at}: spec.webhookConfiguration.failurePolicy is not Fail or Ignore`);
    const timeout = webhook.timeoutSeconds;
    if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1 || timeout > 30)
      problems.push(`${at}: spec.webhookConfiguration.timeoutSeconds is not a whole number of seconds in 1..30`);
  }
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
    } else if (!any.every((m) => Array.isArray(m.resources.namespaces) && m.resources.namespaces.length > 0)) {
      problems.push(
        `${where}.match.any does not name namespaces; a rule for every namespace also gates kube-system and the policy engine itself`,
      );
    }
    if ((rule.validate === undefined) === (rule.verifyImages === undefined))
      problems.push(`${where} needs exactly one of validate, verifyImages`);
    if (isObj(rule.validate)) {
      const v = rule.validate;
      if (!ACTIONS.includes(v.failureAction as string)) problems.push(`${where}.validate.failureAction is not Enforce or Audit`);
      if (typeof v.message !== 'string' || v.message === '') problems.push(`${where}.validate.message is empty`);
      if ((v.pattern === undefined) === (v.deny === undefined)) problems.push(`${where}.validate needs exactly one of pattern, deny`);
      if (v.pattern !== undefined && !isObj(v.pattern)) problems.push(`${where}.validate.pattern is not an object`);
      if (v.deny !== undefined) problems.push(...denyProblems(v.deny, `${where}.validate.deny`));
    }
    if (rule.verifyImages !== undefined) {
      const list = Array.isArray(rule.verifyImages) ? rule.verifyImages : [];
      if (list.length === 0) problems.push(`${where}.verifyImages is not a non-empty list`);
      list.forEach((v: unknown, j: number) => problems.push(...verifyImagesProblems(v, `${where}.verifyImages[${j}]`)));
    }
    return undefined;
  });
  return problems;
}

/** Problems of a deny block: conditions under `any` or `all`, each a key, a known operator and a value. */
function denyProblems(deny: unknown, w: string): string[] {
  const conditions = isObj(deny) && isObj(deny.conditions) ? deny.conditions : undefined;
  if (!conditions) return [`${w}.conditions is not an object with any or all`];
  const lists = (['any', 'all'] as const).filter((k) => conditions[k] !== undefined);
  if (lists.length === 0) return [`${w}.conditions has neither any nor all`];
  const problems: string[] = [];
  for (const k of lists) {
    const list = conditions[k];
    if (!Array.isArray(list) || list.length === 0) {
      problems.push(`${w}.conditions.${k} is not a non-empty list`);
      continue;
    }
    list.forEach((c: unknown, i: number) => {
      const at = `${w}.conditions.${k}[${i}]`;
      if (!isObj(c) || typeof c.key !== 'string' || c.key === '') problems.push(`${at}.key is not a non-empty string`);
      else if (!OPERATORS.includes(c.operator as string)) problems.push(`${at}.operator is not one of ${OPERATORS.join(', ')}`);
      else if (c.value === undefined) problems.push(`${at}.value is missing`);
    });
  }
  return problems;
}

/** Problems of one verifyImages entry. */
function verifyImagesProblems(v: unknown, w: string): string[] {
  if (!isObj(v)) return [`${w} is not an object`];
  const problems: string[] = [];
  if (!Array.isArray(v.imageReferences) || v.imageReferences.length === 0) problems.push(`${w}.imageReferences is empty`);
  if (!ACTIONS.includes(v.failureAction as string)) problems.push(`${w}.failureAction is not Enforce or Audit`);
  for (const flag of ['mutateDigest', 'verifyDigest', 'required'] as const) {
    if (typeof v[flag] !== 'boolean') problems.push(`${w}.${flag} is not a boolean`);
  }
  const providers = isObj(v.imageRegistryCredentials) ? v.imageRegistryCredentials.providers : undefined;
  if (!Array.isArray(providers) || providers.length === 0 || !providers.every((p) => PROVIDERS.includes(p as string))) {
    problems.push(`${w}.imageRegistryCredentials.providers is not a non-empty list of ${PROVIDERS.join(', ')}`);
  }
  const entries = Array.isArray(v.attestors)
    ? v.attestors.flatMap((a: unknown) => (isObj(a) && Array.isArray(a.entries) ? a.entries : []))
    : [];
  const kmsKeys = entries.map((e: unknown) => (isObj(e) && isObj(e.keys) ? e.keys.kms : undefined));
  if (kmsKeys.length === 0 || !kmsKeys.every((k) => typeof k === 'string' && AWS_KMS_URI.test(k))) {
    problems.push(`${w}.attestors has an entry without an awskms:/// key reference`);
  }
  return problems;
}
