import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

/**
 * A custom resource typed by a kubernetes-models package (Argo Rollouts, External Secrets,
 * prometheus-operator, Argo CD) as a cdk8s ApiObject: `model<IRollout>(this, 'Rollout', {...})`.
 *
 * Only the package's TypeScript interface is used here (compile-time types, excess fields
 * refused); the synth path does not load its JSON-schema validators. The tests run the same
 * package's `validate()` on every document written.
 */
export function model<T extends { readonly apiVersion: string; readonly kind: string }>(
  scope: Construct,
  id: string,
  object: T,
): ApiObject {
  return new ApiObject(scope, id, object as unknown as ConstructorParameters<typeof ApiObject>[2]);
}
