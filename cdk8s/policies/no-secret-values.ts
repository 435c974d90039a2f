import { KubeDocument, ManifestFinding, containersOf, finding, podTemplateOf } from './facts';

const SECRET_LIKE = /(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|CREDENTIAL)/i;

/**
 * K8S-SEC1: no secret value in any manifest: no `Secret` objects (External Secrets writes them in
 * the cluster) and no literal environment variable whose name says it is a secret.
 *
 * Manifests are build artifacts, stored and diffed in plain text.
 */
export function noSecretValues(doc: KubeDocument): ManifestFinding[] {
  if (doc.kind === 'Secret') return [finding('K8S-SEC1', doc, 'is a Secret; declare an ExternalSecret backed by Secrets Manager instead')];
  const template = podTemplateOf(doc);
  if (!template) return [];
  return containersOf(template.spec).flatMap(({ container: c }) =>
    ((c.env ?? []) as KubeDocument[])
      .filter((e) => e.value !== undefined && SECRET_LIKE.test(e.name))
      .map((e) => finding('K8S-SEC1', doc, `container ${c.name}: variable ${e.name} has a literal value; read it from a secret`)),
  );
}
