import { KubeDocument, ManifestFinding, finding, podTemplateOf } from './facts';

const SCALED_KINDS = ['Deployment', 'Rollout', 'StatefulSet'];

const selects = (selector: KubeDocument | undefined, labels: Record<string, string>): boolean => {
  const match = selector?.matchLabels as Record<string, string> | undefined;
  return !!match && Object.keys(match).length > 0 && Object.entries(match).every(([k, v]) => labels[k] === v);
};

/**
 * K8S-AVL1: every workload has an HPA and a PodDisruptionBudget, and no fixed replica count.
 *
 * Without an HPA a load spike is an outage; without a PDB a node drain can stop every pod at once;
 * a `replicas` field next to an HPA resets the count on every apply.
 */
export function workloadAvailability(docs: readonly KubeDocument[]): ManifestFinding[] {
  const ns = (d: KubeDocument) => d.metadata?.namespace;
  const hpas = docs.filter((d) => d.kind === 'HorizontalPodAutoscaler');
  const pdbs = docs.filter((d) => d.kind === 'PodDisruptionBudget');
  return docs
    .filter((d) => SCALED_KINDS.includes(d.kind))
    .flatMap((w) => {
      const out: ManifestFinding[] = [];
      const labels = podTemplateOf(w)?.metadata.labels ?? {};
      const hpa = hpas.find(
        (h) => ns(h) === ns(w) && h.spec?.scaleTargetRef?.kind === w.kind && h.spec?.scaleTargetRef?.name === w.metadata?.name,
      );
      if (!hpa) out.push(finding('K8S-AVL1', w, `no HorizontalPodAutoscaler targets ${w.kind} ${w.metadata?.name}`));
      else if (w.spec?.replicas !== undefined)
        out.push(finding('K8S-AVL1', w, 'sets replicas while an HPA manages it; leave replicas out'));
      if (!pdbs.some((p) => ns(p) === ns(w) && selects(p.spec?.selector, labels))) {
        out.push(finding('K8S-AVL1', w, 'no PodDisruptionBudget selects its pods'));
      }
      return out;
    });
}
