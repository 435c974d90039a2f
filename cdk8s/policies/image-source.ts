import { KubeDocument, ManifestFinding, containersOf, finding, podTemplateOf } from './facts';

/**
 * K8S-IMG1: images come from the platform's ECR registry and name an immutable tag or digest,
 * never `latest` (the same rules Kyverno enforces at admission).
 *
 * An image from elsewhere was not scanned or signed by the pipeline; `latest` makes a rollback
 * pull the wrong thing.
 */
export function imageSource(doc: KubeDocument, registry: string): ManifestFinding[] {
  const template = podTemplateOf(doc);
  if (!template) return [];
  return containersOf(template.spec).flatMap(({ container: c }) => {
    const image = String(c.image ?? '');
    const at = `container ${c.name}`;
    if (!image.startsWith(`${registry}/`)) return [finding('K8S-IMG1', doc, `${at}: image ${image} is not from ${registry}`)];
    const name = image.slice(registry.length + 1);
    if (name.includes('@sha256:')) return [];
    const tag = name.includes(':') ? name.slice(name.lastIndexOf(':') + 1) : undefined;
    if (tag === undefined || tag === 'latest')
      return [finding('K8S-IMG1', doc, `${at}: image ${image} has no immutable tag; use a release tag or digest`)];
    return [];
  });
}
