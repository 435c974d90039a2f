/**
 * What the docs generators read: the synthesized platform (every stack's template, its region and
 * dependencies; every environment's Kubernetes documents) and the configuration it came from.
 * `bin/docs.ts` synthesizes it in process; the tests hand in the world they already synthesized.
 */
import type { ServiceCatalog } from '../config/service-catalog';
import type { EnvironmentConfig } from '../config/types';

/** One resource of a CloudFormation template. */
export interface DocResource {
  readonly Type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly Properties?: Record<string, any>;
  readonly DependsOn?: string | string[];
  readonly DeletionPolicy?: string;
}

/** One synthesized stack. */
export interface DocStack {
  /** `Prod/Data`. */
  readonly path: string;
  /** `Prod-Data`. */
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly terminationProtection: boolean;
  /** Paths of the stacks deployed before this one (the assembly's dependencies). */
  readonly dependencies: readonly string[];
  readonly template: { readonly Resources: Readonly<Record<string, DocResource>> };
}

/** One Kubernetes document. */
export interface DocManifest {
  readonly apiVersion: string;
  readonly kind: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; [key: string]: any };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly [key: string]: any;
}

/** Everything the generators read. */
export interface DocsInput {
  readonly stacks: readonly DocStack[];
  /** Kubernetes documents per environment name. */
  readonly manifests: Readonly<Record<string, readonly DocManifest[]>>;
  readonly environments: readonly EnvironmentConfig[];
  readonly catalog: ServiceCatalog;
}

/** One generated page: its path relative to the repository root and its content. */
export interface GeneratedPage {
  readonly path: string;
  readonly content: string;
}

/** The stage name a stack path starts with: `Prod/Data` -> `Prod`. */
export function stageOf(stackPath: string): string {
  return stackPath.split('/')[0];
}

/** The stack name inside its stage: `Prod/Data` -> `Data`. */
export function stackIdOf(stackPath: string): string {
  return stackPath.slice(stackPath.indexOf('/') + 1);
}

/** Stacks of one stage, in the order the assembly lists them. */
export function stacksOfStage(input: DocsInput, stageName: string): DocStack[] {
  return input.stacks.filter((s) => stageOf(s.path) === stageName);
}

/** Resources of a type in a stack, by logical ID. */
export function resourcesOfType(s: DocStack, type: string): [string, DocResource][] {
  return Object.entries(s.template.Resources).filter(([, r]) => r.Type === type);
}

/** Documents of one kind in an environment's manifests. */
export function manifestsOfKind(input: DocsInput, environmentName: string, kind: string): DocManifest[] {
  return (input.manifests[environmentName] ?? []).filter((d) => d.kind === kind);
}
