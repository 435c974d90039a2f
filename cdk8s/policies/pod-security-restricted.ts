import { KubeDocument, ManifestFinding, containersOf, finding, podTemplateOf } from './facts';

const HOST_FIELDS = ['hostNetwork', 'hostPID', 'hostIPC'];
const SECCOMP = ['RuntimeDefault', 'Localhost'];

/**
 * K8S-PSS1: pods meet Pod Security "restricted", plus a read-only root filesystem and no
 * service-account token unless the pod says it needs one.
 *
 * The namespaces enforce "restricted" in the cluster; checking at synth names the field before a
 * deploy is refused. Checked: no host namespaces, ports or hostPath volumes; non-root; no
 * privilege escalation; not privileged; all capabilities dropped (only NET_BIND_SERVICE may be
 * added back); seccomp RuntimeDefault or Localhost; read-only root filesystem;
 * automountServiceAccountToken set explicitly.
 */
export function podSecurityRestricted(doc: KubeDocument): ManifestFinding[] {
  const template = podTemplateOf(doc);
  if (!template) return [];
  const pod = template.spec;
  const out: string[] = [];
  for (const field of HOST_FIELDS) if (pod[field] === true) out.push(`${field} is true`);
  for (const v of (pod.volumes ?? []) as KubeDocument[]) if (v.hostPath) out.push(`volume ${v.name} is a hostPath`);
  if (typeof pod.automountServiceAccountToken !== 'boolean')
    out.push('automountServiceAccountToken is not set; set false unless the pod calls the Kubernetes API');
  for (const { container: c } of containersOf(pod)) {
    const sc = c.securityContext ?? {};
    const at = `container ${c.name}`;
    if ((sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) !== true) out.push(`${at}: runAsNonRoot is not true`);
    if ((sc.runAsUser ?? pod.securityContext?.runAsUser) === 0) out.push(`${at}: runAsUser is 0`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${at}: allowPrivilegeEscalation is not false`);
    if (sc.privileged === true) out.push(`${at}: privileged is true`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${at}: capabilities.drop does not include ALL`);
    const added = ((sc.capabilities?.add ?? []) as string[]).filter((cap) => cap !== 'NET_BIND_SERVICE');
    if (added.length > 0) out.push(`${at}: capabilities.add has ${added.join(', ')}`);
    const seccomp = sc.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type;
    if (!SECCOMP.includes(seccomp)) out.push(`${at}: seccompProfile is ${seccomp ?? 'not set'}; use RuntimeDefault`);
    if (sc.readOnlyRootFilesystem !== true) out.push(`${at}: readOnlyRootFilesystem is not true; mount an emptyDir where it writes`);
    if (((c.ports ?? []) as KubeDocument[]).some((p) => p.hostPort !== undefined)) out.push(`${at}: uses a hostPort`);
  }
  return out.map((message) => finding('K8S-PSS1', doc, message));
}
