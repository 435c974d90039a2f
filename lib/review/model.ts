/**
 * What the review compares: the stacks of a cloud assembly and the Kubernetes objects of each
 * environment, as plain data (`bin/review-inputs.ts` reads them from disk).
 */

/** One resource of a CloudFormation template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly [key: string]: unknown;
}

/** The parts of a CloudFormation template the review reads (the diff library reads all of it). */
export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { readonly Value?: unknown; readonly [key: string]: unknown }>;
  readonly [key: string]: unknown;
}

/** One stack of a cloud assembly (nested stage assemblies flattened). */
export interface StackArtifact {
  /** How CDK names it: `Dev/Data` (stage/stack), or `Registry` for a stack outside any stage. */
  readonly displayName: string;
  /** The CloudFormation stack name, e.g. `Dev-Data`: what a deploy updates and `Fn::GetStackOutput` names. */
  readonly stackName: string;
  /** The target account. */
  readonly account: string;
  /** The target region. */
  readonly region: string;
  /** The synthesized template. */
  readonly template: CfnTemplate;
}

/** One Kubernetes object as synthesized, with the file it came from. */
export interface KubeDocument {
  /** File name inside the environment's folder, e.g. `0001-addons.k8s.yaml`. */
  readonly file: string;
  /** The object. */
  readonly object: Record<string, unknown>;
}

/** The Kubernetes objects of each environment (`dist/<environment>/`), keyed by environment. */
export type ManifestSet = ReadonlyMap<string, readonly KubeDocument[]>;

/** The stage part of a display name: `Dev` for `Dev/Data`, '' for a stack outside any stage. */
export function stageOf(displayName: string): string {
  return displayName.split('/').slice(0, -1).join('/');
}

/** What identifies a deployed stack: account, region and stack name. */
export function stackKey(stack: { readonly account: string; readonly region: string; readonly stackName: string }): string {
  return `${stack.account}/${stack.region}/${stack.stackName}`;
}
