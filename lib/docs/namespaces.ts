/**
 * docs/k8s/namespaces.md: every namespace of the cluster, from the synthesized manifests of every
 * environment: its Pod Security level, what deploys into it (Argo CD Applications: add-on charts
 * and services), and the guard rails the platform chart puts there (quota, limit range, network
 * policies).
 */
import { generatedHeader, relativeLink, table } from './markdown';
import { DocManifest, DocsInput } from './model';

/** Path of the page. */
export const NAMESPACES_PAGE = 'docs/k8s/namespaces.md';

/** A value per environment, written once when every environment has the same one. */
function perEnvironment(input: DocsInput, value: (name: string) => string): string {
  const values = input.environments.map((e) => [e.name, value(e.name)] as const);
  return new Set(values.map(([, v]) => v)).size === 1 ? values[0][1] : values.map(([e, v]) => `${e}: ${v}`).join('; ');
}

/** The documents of one environment in one namespace. */
function inNamespace(input: DocsInput, environmentName: string, namespace: string): DocManifest[] {
  return (input.manifests[environmentName] ?? []).filter((d) => d.metadata.namespace === namespace);
}

/** The ResourceQuota's hard limits, e.g. `requests.cpu 16, limits.memory 64Gi`. */
function quotaOf(docs: readonly DocManifest[]): string {
  const quotas = docs.filter((d) => d.kind === 'ResourceQuota');
  if (quotas.length === 0) return 'none';
  return quotas
    .map((q) =>
      Object.entries((q.spec?.hard ?? {}) as Record<string, string>)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    )
    .join('; ');
}

/** The page. */
export function namespacesPage(input: DocsInput): string {
  const names = [
    ...new Set(
      input.environments.flatMap((e) => (input.manifests[e.name] ?? []).filter((d) => d.kind === 'Namespace').map((d) => d.metadata.name)),
    ),
  ];
  const applications = (env: string, ns: string) =>
    (input.manifests[env] ?? [])
      .filter((d) => d.kind === 'Application' && d.spec?.destination?.namespace === ns)
      .map((d) => d.metadata.name)
      .sort()
      .join(', ') || 'none (objects of the platform charts only)';
  const psa = (env: string, ns: string) => {
    const doc = (input.manifests[env] ?? []).find((d) => d.kind === 'Namespace' && d.metadata.name === ns);
    return doc ? (doc.metadata.labels?.['pod-security.kubernetes.io/enforce'] ?? 'not set') : 'absent';
  };
  const count = (env: string, ns: string, kind: string) => String(inNamespace(input, env, ns).filter((d) => d.kind === kind).length);
  return [
    generatedHeader(['the synthesized manifests of every environment (cdk8s/main.ts)']),
    '',
    '# Namespaces',
    '',
    'Every namespace the platform chart creates (sync wave 0, before anything that lives in it), in every environment. Each add-on',
    'gets its own namespace; every service runs in `apps`. The Pod Security Standard is enforced per namespace (`pod-security.kubernetes.io/enforce`;',
    'audit and warn are `restricted` everywhere): only the add-ons that need host access or privileges get less than `restricted`.',
    'How workloads in `apps` are built: [deployment standards](deployment-standards.md); the admission policies that hold them to it:',
    `[policies](policies.md); the apply order: [manifests](manifests.md); the values by environment: [environments](${relativeLink(NAMESPACES_PAGE, 'docs/environments/README.md')}).`,
    '',
    table(
      ['namespace', 'Pod Security (enforce)', 'deployed into it by Argo CD', 'network policies', 'resource quota', 'limit range'],
      names.map((ns) => [
        `\`${ns}\``,
        perEnvironment(input, (env) => psa(env, ns)),
        perEnvironment(input, (env) => applications(env, ns)),
        perEnvironment(input, (env) => count(env, ns, 'NetworkPolicy')),
        perEnvironment(input, (env) => quotaOf(inNamespace(input, env, ns))),
        perEnvironment(input, (env) => (Number(count(env, ns, 'LimitRange')) > 0 ? 'yes' : 'no')),
      ]),
    ),
    '',
  ].join('\n');
}
