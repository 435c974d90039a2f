/**
 * `npm run review` without the command line: compare a base and a head (cloud assemblies and,
 * optionally, Kubernetes manifests), and run the guard.
 */
import { AllowEntry } from './allow-list';
import { GuardResult, runGuard } from './guard';
import { KubeEnvironmentChanges, compareManifests } from './kubernetes-changes';
import { ManifestSet, StackArtifact } from './model';
import { RemovedOutputRead, removedOutputReads } from './output-reads';
import { ReplacementRules, ResourceSpecification } from './replacement-rules';
import { AssemblyComparison, compareAssemblies } from './stack-changes';

/** What to compare. */
export interface ReviewInput {
  readonly base: readonly StackArtifact[];
  readonly head: readonly StackArtifact[];
  /** Kubernetes objects per environment; both or neither. @default - no Kubernetes comparison */
  readonly manifests?: { readonly base: ManifestSet; readonly head: ManifestSet };
  /** The reviewed allow-list. @default - empty */
  readonly allowList?: readonly AllowEntry[];
  /** Which property changes replace a resource. @default - the CloudFormation resource specification */
  readonly rules?: ReplacementRules;
}

/** Everything the review found. */
export interface ReviewResult {
  readonly cloudFormation: AssemblyComparison;
  readonly removedOutputReads: readonly RemovedOutputRead[];
  /** Undefined when no manifests were compared. */
  readonly kubernetes?: readonly KubeEnvironmentChanges[];
  readonly guard: GuardResult;
}

let defaultRules: ReplacementRules | undefined;

/** Compare and guard. */
export function review(input: ReviewInput): ReviewResult {
  const rules = input.rules ?? (defaultRules ??= new ResourceSpecification());
  const cloudFormation = compareAssemblies(input.base, input.head, rules);
  const reads = removedOutputReads(cloudFormation.pairs);
  return {
    cloudFormation,
    removedOutputReads: reads,
    kubernetes: input.manifests && compareManifests(input.manifests.base, input.manifests.head),
    guard: runGuard(cloudFormation, reads, input.allowList ?? []),
  };
}
