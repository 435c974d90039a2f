/**
 * The platform's own rules over Kubernetes manifests, run on every document of every environment
 * before anything is written (`synthManifests`) and in the tests. One pure function per rule.
 */
import { containerProbes } from './container-probes';
import { containerResources } from './container-resources';
import { KubeDocument, ManifestFinding } from './facts';
import { imageSource } from './image-source';
import { noSecretValues } from './no-secret-values';
import { podSecurityRestricted } from './pod-security-restricted';
import { requiredLabels } from './required-labels';
import { workloadAvailability } from './workload-availability';
import { zeroUnavailable } from './zero-unavailable';

export type { KubeDocument, ManifestFinding } from './facts';

/** Rule ids with their explanation; docs/k8s/deployment-standards.md mirrors this table. */
export const MANIFEST_RULES = {
  'K8S-PRB1': 'Every service container has startup, readiness and liveness probes.',
  'K8S-RES1': 'Every container requests and limits CPU and memory.',
  'K8S-PSS1': 'Pods meet Pod Security "restricted", with a read-only root filesystem and an explicit service-account token choice.',
  'K8S-AVL1': 'Every workload has an HPA and a PodDisruptionBudget, and no fixed replica count.',
  'K8S-ROL1': 'Updates use maxUnavailable 0.',
  'K8S-LBL1': 'Workload pods carry the required labels.',
  'K8S-IMG1': "Images come from the platform's ECR registry with an immutable tag or digest.",
  'K8S-SEC1': 'No Secret objects and no literal secret-looking variables in manifests.',
} as const;

/** What the rules need to know about the environment. */
export interface ManifestRuleOptions {
  /** The only registry images may come from. */
  readonly registry: string;
  /** Labels every workload's pods carry. */
  readonly requiredLabels: readonly string[];
}

/** Every finding of every rule over one environment's documents (empty when compliant). */
export function checkManifests(docs: readonly KubeDocument[], options: ManifestRuleOptions): ManifestFinding[] {
  return [
    ...docs.flatMap((doc) => [
      ...containerProbes(doc),
      ...containerResources(doc),
      ...podSecurityRestricted(doc),
      ...zeroUnavailable(doc),
      ...requiredLabels(doc, options.requiredLabels),
      ...imageSource(doc, options.registry),
      ...noSecretValues(doc),
    ]),
    ...workloadAvailability(docs),
  ];
}
