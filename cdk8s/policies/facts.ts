/** A manifest document as written to `dist/<env>/*.k8s.yaml` (plain JSON). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubeDocument = Record<string, any>;

/** One broken rule in one document. */
export interface ManifestFinding {
  /** Rule id, e.g. `K8S-PRB1`. */
  readonly rule: string;
  /** `<Kind>/<namespace>/<name>` of the document. */
  readonly path: string;
  /** What is wrong and what to do. */
  readonly message: string;
}

/** The pod template of a workload document. */
export interface PodTemplate {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly metadata: Record<string, any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly spec: Record<string, any>;
}

/** Kinds that run pods through a template at `spec.template`. */
export const WORKLOAD_KINDS: readonly string[] = ['Deployment', 'Rollout', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'];

/** `<Kind>/<namespace>/<name>`, the address every finding uses. */
export function docPath(doc: KubeDocument): string {
  const meta = doc.metadata ?? {};
  return meta.namespace ? `${doc.kind}/${meta.namespace}/${meta.name}` : `${doc.kind}/${meta.name}`;
}

/** The pod template of a workload, a CronJob or a Pod; undefined for anything else. */
export function podTemplateOf(doc: KubeDocument): PodTemplate | undefined {
  if (doc.kind === 'Pod') return { metadata: doc.metadata ?? {}, spec: doc.spec ?? {} };
  const template =
    doc.kind === 'CronJob' ? doc.spec?.jobTemplate?.spec?.template : WORKLOAD_KINDS.includes(doc.kind) ? doc.spec?.template : undefined;
  return template ? { metadata: template.metadata ?? {}, spec: template.spec ?? {} } : undefined;
}

/** Every container of a pod spec (init and ephemeral included), with where it sits. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function containersOf(spec: Record<string, any>): { field: string; container: Record<string, any> }[] {
  return (['initContainers', 'containers', 'ephemeralContainers'] as const).flatMap((field) =>
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    ((spec[field] ?? []) as Record<string, any>[]).map((container) => ({ field, container })),
  );
}

/** A finding of `rule` on `doc`. */
export function finding(rule: string, doc: KubeDocument, message: string): ManifestFinding {
  return { rule, path: docPath(doc), message };
}
