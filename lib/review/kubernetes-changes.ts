/**
 * Changed Kubernetes objects per environment: added, changed (with the fields that differ) and
 * removed, by kind, namespace and name.
 */
import { KubeDocument, ManifestSet } from './model';
import { formatPath } from './references';
import { changedPaths } from './value-diff';

/** One changed object. */
export interface KubeChange {
  readonly change: 'added' | 'changed' | 'removed';
  readonly kind: string;
  /** `apps/v1`, to tell apart two kinds of one name in different groups. */
  readonly apiVersion: string;
  readonly namespace?: string;
  readonly name: string;
  /** The manifest file (head, else base). */
  readonly file: string;
  /** For `changed`: the differing fields, e.g. `spec.template.spec.containers[0].image`. */
  readonly fields: readonly string[];
}

/** The changes of one environment. */
export interface KubeEnvironmentChanges {
  readonly environment: string;
  readonly changes: readonly KubeChange[];
}

interface Identified {
  readonly key: string;
  readonly doc: KubeDocument;
  readonly kind: string;
  readonly apiVersion: string;
  readonly namespace?: string;
  readonly name: string;
}

function identify(doc: KubeDocument, index: number): Identified {
  const object = doc.object as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };
  const apiVersion = object.apiVersion ?? '';
  const kind = object.kind ?? '(no kind)';
  const name = object.metadata?.name ?? `(unnamed #${index} in ${doc.file})`;
  const namespace = object.metadata?.namespace;
  // The group, not the version: a version bump of the same object is a change, not a remove + add.
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return { key: `${group}|${kind}|${namespace ?? ''}|${name}`, doc, kind, apiVersion, namespace, name };
}

const index = (docs: readonly KubeDocument[]) => new Map(docs.map((d, i) => identify(d, i)).map((o) => [o.key, o]));

/** Compare the objects of every environment either side has. */
export function compareManifests(base: ManifestSet, head: ManifestSet): KubeEnvironmentChanges[] {
  const environments = [...new Set([...base.keys(), ...head.keys()])].sort();
  return environments.map((environment) => {
    const before = index(base.get(environment) ?? []);
    const after = index(head.get(environment) ?? []);
    const changes: KubeChange[] = [];
    const describe = (o: Identified) => ({
      kind: o.kind,
      apiVersion: o.apiVersion,
      ...(o.namespace ? { namespace: o.namespace } : {}),
      name: o.name,
      file: o.doc.file,
    });
    for (const [key, o] of after) {
      const old = before.get(key);
      if (!old) {
        changes.push({ change: 'added', ...describe(o), fields: [] });
        continue;
      }
      const fields = changedPaths(old.doc.object, o.doc.object).map(formatPath);
      if (fields.length > 0) changes.push({ change: 'changed', ...describe(o), fields });
    }
    for (const [key, o] of before) if (!after.has(key)) changes.push({ change: 'removed', ...describe(o), fields: [] });
    const order = { removed: 0, changed: 1, added: 2 };
    changes.sort(
      (a, b) =>
        order[a.change] - order[b.change] || `${a.kind}/${a.namespace}/${a.name}`.localeCompare(`${b.kind}/${b.namespace}/${b.name}`),
    );
    return { environment, changes };
  });
}
