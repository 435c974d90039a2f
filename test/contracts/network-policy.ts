/**
 * Kubernetes NetworkPolicy semantics (networking.k8s.io/v1), for asking of a set of manifests the
 * question a packet asks of a cluster: may this pod open a connection to that address and port?
 *
 * - A pod is isolated for egress (ingress) when some policy in its namespace selects it and lists
 *   Egress (Ingress) in policyTypes; a pod no policy isolates may connect anywhere.
 * - An isolated pod may connect when some rule of some policy that selects it admits the peer
 *   (no `to`/`from` admits every peer) and the port (no `ports` admits every port).
 * - An ipBlock admits an address inside `cidr` and outside every `except`; selectors match labels
 *   with matchLabels and matchExpressions; a namespace carries `kubernetes.io/metadata.name`.
 *
 * It is deliberately small: what the platform's policies use, and an error on anything else, so a
 * new feature in a manifest cannot be silently ignored by the contract tests.
 */
import { KubeDocument } from '../../cdk8s/policies';
import { podTemplateOf } from '../../cdk8s/policies/facts';

/** A pod as the policies see it. */
export interface PodRef {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Named container ports, for rules that name a port. */
  readonly namedPorts?: Readonly<Record<string, number>>;
}

/** The other end of a connection: an address, or a pod of the cluster. */
export type Peer = { readonly ip: string } | { readonly pod: PodRef };

/** A TCP or UDP port. */
export interface PortRef {
  readonly port: number;
  readonly protocol?: 'TCP' | 'UDP';
}

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Whether a label selector matches labels (an empty selector matches everything). */
export function selects(selector: Selector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const inValues = has && (e.values ?? []).includes(labels[e.key]);
    const ok = { In: inValues, NotIn: !inValues, Exists: has, DoesNotExist: !has }[e.operator];
    if (ok === undefined) throw new Error(`selector operator ${e.operator} is not understood`);
    if (!ok) return false;
  }
  return true;
}

const toNumber = (ip: string): number => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);

/** Whether an IPv4 address lies in a CIDR block. */
export function inCidr(ip: string, cidr: string): boolean {
  const [base, prefixText] = cidr.split('/');
  const prefix = Number(prefixText);
  const size = 2 ** (32 - prefix);
  const start = Math.floor(toNumber(base) / size) * size;
  const n = toNumber(ip);
  return n >= start && n < start + size;
}

/** Labels of every namespace the manifests create, plus the automatic name label. */
export function namespaceLabels(docs: readonly KubeDocument[], namespace: string): Record<string, string> {
  const doc = docs.find((d) => d.kind === 'Namespace' && d.metadata.name === namespace);
  return { ...(doc?.metadata.labels ?? {}), 'kubernetes.io/metadata.name': namespace };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rule = { to?: any[]; from?: any[]; ports?: { port?: number | string; protocol?: string; endPort?: number }[] };

function peerMatches(docs: readonly KubeDocument[], policyNamespace: string, entry: KubeDocument, peer: Peer): boolean {
  const known = ['ipBlock', 'namespaceSelector', 'podSelector'];
  for (const key of Object.keys(entry)) if (!known.includes(key)) throw new Error(`NetworkPolicy peer field ${key} is not understood`);
  if (entry.ipBlock) {
    if (!('ip' in peer)) return false;
    return inCidr(peer.ip, entry.ipBlock.cidr) && !(entry.ipBlock.except ?? []).some((c: string) => inCidr(peer.ip, c));
  }
  if (!('pod' in peer)) return false;
  const nsOk = entry.namespaceSelector
    ? selects(entry.namespaceSelector, namespaceLabels(docs, peer.pod.namespace))
    : peer.pod.namespace === policyNamespace;
  return nsOk && selects(entry.podSelector, peer.pod.labels);
}

function portMatches(rulePorts: Rule['ports'], port: PortRef, target?: PodRef): boolean {
  if (!rulePorts || rulePorts.length === 0) return true;
  return rulePorts.some((p) => {
    if ((p.protocol ?? 'TCP') !== (port.protocol ?? 'TCP')) return false;
    if (p.port === undefined) return true;
    const number = typeof p.port === 'number' ? p.port : target?.namedPorts?.[p.port];
    if (number === undefined) return false;
    return p.endPort ? port.port >= number && port.port <= p.endPort : port.port === number;
  });
}

/**
 * May `pod` connect to `peer` on `port`? `direction` egress asks the pod's own policies; ingress asks
 * the policies of `pod` as the destination, with `peer` the source (then named ports resolve on `pod`).
 */
export function allowed(docs: readonly KubeDocument[], direction: 'egress' | 'ingress', pod: PodRef, peer: Peer, port: PortRef): boolean {
  const type = direction === 'egress' ? 'Egress' : 'Ingress';
  const policies = docs.filter(
    (d) =>
      d.kind === 'NetworkPolicy' &&
      d.metadata.namespace === pod.namespace &&
      selects(d.spec.podSelector, pod.labels) &&
      (d.spec.policyTypes ?? ['Ingress']).includes(type),
  );
  if (policies.length === 0) return true;
  return policies.some((policy) =>
    ((policy.spec[direction] ?? []) as Rule[]).some((rule) => {
      const peers = direction === 'egress' ? rule.to : rule.from;
      const peerOk = !peers || peers.length === 0 || peers.some((e) => peerMatches(docs, policy.metadata.namespace, e, peer));
      const target = direction === 'ingress' ? pod : 'pod' in peer ? peer.pod : undefined;
      return peerOk && portMatches(rule.ports, port, target);
    }),
  );
}

/** The pods the workloads of the manifests run (one per workload), as the policies see them. */
export function podsOf(
  docs: readonly KubeDocument[],
): (PodRef & { readonly workload: string; readonly serviceAccount: string; readonly env: Record<string, string> })[] {
  return docs.flatMap((doc) => {
    const template = podTemplateOf(doc);
    if (!template) return [];
    const containers = template.spec.containers ?? [];
    const namedPorts: Record<string, number> = {};
    const env: Record<string, string> = {};
    for (const c of containers) {
      for (const p of c.ports ?? []) if (p.name) namedPorts[p.name] = p.containerPort;
      for (const e of c.env ?? []) env[e.name] = e.value;
    }
    return [
      {
        workload: `${doc.kind}/${doc.metadata.namespace}/${doc.metadata.name}`,
        namespace: doc.metadata.namespace,
        labels: template.metadata.labels ?? {},
        namedPorts,
        serviceAccount: template.spec.serviceAccountName ?? 'default',
        env,
      },
    ];
  });
}
