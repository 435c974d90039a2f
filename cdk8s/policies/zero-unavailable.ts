import { KubeDocument, ManifestFinding, finding } from './facts';

/**
 * K8S-ROL1: updates never take a serving pod away before its replacement is ready
 * (`maxUnavailable: 0`; surge adds pods instead).
 *
 * Applies to Deployments (RollingUpdate; Recreate is refused) and Argo Rollouts (canary and
 * blue/green).
 */
export function zeroUnavailable(doc: KubeDocument): ManifestFinding[] {
  let value: unknown;
  if (doc.kind === 'Deployment') {
    if (doc.spec?.strategy?.type === 'Recreate')
      return [finding('K8S-ROL1', doc, 'uses the Recreate strategy; use RollingUpdate with maxUnavailable 0')];
    value = doc.spec?.strategy?.rollingUpdate?.maxUnavailable;
  } else if (doc.kind === 'Rollout') {
    const strategy = doc.spec?.strategy ?? {};
    value = (strategy.canary ?? strategy.blueGreen)?.maxUnavailable;
  } else {
    return [];
  }
  return value === 0 || value === '0%'
    ? []
    : [finding('K8S-ROL1', doc, `maxUnavailable is ${JSON.stringify(value) ?? 'not set (25% by default)'}; use 0`)];
}
