import { KubeDocument, ManifestFinding, containersOf, finding, podTemplateOf } from './facts';

/**
 * K8S-RES1: every container requests and limits CPU and memory.
 *
 * Requests drive scheduling and the HPA's utilization; limits keep a leaking or spinning pod from
 * starving its neighbours, and the namespace quota counts both.
 */
export function containerResources(doc: KubeDocument): ManifestFinding[] {
  const template = podTemplateOf(doc);
  if (!template) return [];
  return containersOf(template.spec)
    .filter(({ field }) => field !== 'ephemeralContainers')
    .flatMap(({ container: c }) => {
      const missing = ['requests', 'limits'].flatMap((kind) =>
        ['cpu', 'memory'].filter((r) => c.resources?.[kind]?.[r] === undefined).map((r) => `${kind}.${r}`),
      );
      return missing.length > 0
        ? [finding('K8S-RES1', doc, `container ${c.name} has no ${missing.join(', ')}; set requests and limits for cpu and memory`)]
        : [];
    });
}
