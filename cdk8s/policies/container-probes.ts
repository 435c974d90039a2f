import { KubeDocument, ManifestFinding, finding, podTemplateOf } from './facts';

/**
 * K8S-PRB1: every long-running container has startup, readiness and liveness probes.
 *
 * Without readiness the Service sends traffic to a pod that cannot serve it; without liveness a
 * hung process is never restarted; without startup a slow start is killed by liveness.
 */
export function containerProbes(doc: KubeDocument): ManifestFinding[] {
  const template = podTemplateOf(doc);
  if (!template || doc.kind === 'Job' || doc.kind === 'CronJob') return [];
  return ((template.spec.containers ?? []) as KubeDocument[]).flatMap((c) => {
    const missing = ['startupProbe', 'readinessProbe', 'livenessProbe'].filter((p) => c[p] === undefined);
    return missing.length > 0
      ? [finding('K8S-PRB1', doc, `container ${c.name} has no ${missing.join(', ')}; every service container is probed`)]
      : [];
  });
}
