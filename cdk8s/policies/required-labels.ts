import { KubeDocument, ManifestFinding, finding, podTemplateOf } from './facts';

/**
 * K8S-LBL1: every workload's pods carry the required labels, non-empty (the same list Kyverno
 * enforces at admission).
 *
 * Dashboards, cost reports and alert routing group by them.
 */
export function requiredLabels(doc: KubeDocument, required: readonly string[]): ManifestFinding[] {
  const template = podTemplateOf(doc);
  if (!template) return [];
  const labels: Record<string, string> = template.metadata.labels ?? {};
  const missing = required.filter((key) => !labels[key]);
  return missing.length > 0 ? [finding('K8S-LBL1', doc, `pod template lacks the label(s) ${missing.join(', ')}`)] : [];
}
