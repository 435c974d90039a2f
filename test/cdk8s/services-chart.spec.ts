import { App, Chart } from 'cdk8s';
import { buildCharts, documentsOf, manifestFiles } from '../../cdk8s/main';
import { HOOK_ANNOTATION, HOOK_DELETE_POLICY_ANNOTATION, MIGRATION_RESOURCES } from '../../cdk8s/constructs/migration-job';
import { KubeDocument, checkManifests } from '../../cdk8s/policies';
import { REQUIRED_POD_LABELS } from '../../cdk8s/conventions';
import { RELEASE_KUBERNETES_GROUP, ServiceRelease, serviceGitOpsPath, servicesProjectName } from '../../lib/config/delivery';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { databaseUserName, ecrRegistryHost, serviceAccountName } from '../../lib/config/naming';
import { servicesFor } from '../../lib/config/service-catalog';
import { EnvironmentConfig } from '../../lib/config/types';
import { schemaErrors } from './schemas';
import { isServiceChart } from '../../cdk8s/charts/service-chart';

/** The environment's services file (0004-services), found by its construct id, not its position. */
const servicesChartOf = (charts: Chart[]): Chart => charts.find((c) => c.node.id === 'services')!;

const ENVS = ENVIRONMENTS.map((c) => [c.name, c] as [string, EnvironmentConfig]);
const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const COMMIT = 'c'.repeat(40);
/** A release of every service of the environment (images and migrations pinned by digest). */
const releaseOf = (config: EnvironmentConfig): Record<string, ServiceRelease> =>
  Object.fromEntries(
    servicesFor(config.name).map((s, i) => [
      s.name,
      { commit: COMMIT, image: digest(i + 1), ...(s.database ? { migrations: digest(i + 5) } : {}) },
    ]),
  );

describe("services chart: one AppProject per environment, one Application per service (the root Application's 0004-services)", () => {
  test.each(ENVS)('%s: every service has an Application reading its own directory, in the environment project', (_n, config) => {
    const charts = buildCharts(new App(), config);
    const docs = servicesChartOf(charts).toJson() as KubeDocument[];
    const apps = docs.filter((d) => d.kind === 'Application');
    expect(apps.map((a) => a.metadata.name)).toEqual(servicesFor(config.name).map((s) => s.name));
    for (const app of apps) {
      expect(app.spec).toMatchObject({
        project: servicesProjectName(config.name),
        source: {
          repoURL: config.gitops.repoUrl,
          targetRevision: config.gitops.revision,
          path: serviceGitOpsPath(config.gitops, app.metadata.name),
          directory: { recurse: false, include: '*.k8s.yaml' },
        },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'apps' },
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      });
    }
    // and the path it reads is the directory the files are written to
    expect(manifestFiles(charts).map((f) => f.path)).toEqual(
      expect.arrayContaining(apps.map((a) => `${a.spec.source.path.slice(config.gitops.path.length + 1)}/${a.metadata.name}.k8s.yaml`)),
    );
    expect(docs.flatMap(schemaErrors)).toEqual([]);
  });

  test.each(ENVS)(
    '%s: the project admits the GitOps repository into the workload namespaces, no cluster object, only the kinds services hold',
    (_n, config) => {
      const charts = buildCharts(new App(), config);
      const project = (servicesChartOf(charts).toJson() as KubeDocument[]).find((d) => d.kind === 'AppProject')!;
      const serviceKinds = new Set(documentsOf(charts.filter(isServiceChart)).map((d) => d.kind));
      expect(project.metadata.name).toBe(servicesProjectName(config.name));
      expect(project.spec.sourceRepos).toEqual([config.gitops.repoUrl]);
      expect(project.spec.destinations).toEqual(
        config.kubernetes.workloadNamespaces.map((namespace) => ({ server: 'https://kubernetes.default.svc', namespace })),
      );
      expect(project.spec.clusterResourceWhitelist).toEqual([]);
      expect(new Set(project.spec.namespaceResourceWhitelist.map((k: { kind: string }) => k.kind))).toEqual(serviceKinds);
      // no platform object sneaks in through a service
      for (const kind of ['ResourceQuota', 'LimitRange', 'Namespace', 'Role', 'RoleBinding', 'ClusterPolicy'])
        expect(serviceKinds.has(kind)).toBe(false);
    },
  );

  test.each(ENVS)(
    "%s: the release role's group may read Applications and what rollouts status watches; it may write nothing",
    (_n, config) => {
      const docs = servicesChartOf(buildCharts(new App(), config)).toJson() as KubeDocument[];
      const bindings = docs.filter((d) => d.kind === 'RoleBinding');
      expect(bindings.map((b) => b.metadata.namespace).sort()).toEqual([...config.kubernetes.workloadNamespaces, 'argocd'].sort());
      for (const b of bindings)
        expect(b.subjects).toEqual([{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: RELEASE_KUBERNETES_GROUP }]);
      const roles = docs.filter((d) => d.kind === 'Role');
      const verbs = new Set(roles.flatMap((r) => r.rules.flatMap((rule: { verbs: string[] }) => rule.verbs)));
      expect(verbs).toEqual(new Set(['get', 'list', 'watch']));
      const resources = (ns: string) =>
        roles.find((r) => r.metadata.namespace === ns)!.rules.flatMap((rule: { resources: string[] }) => rule.resources);
      expect(resources('argocd')).toEqual(['applications']);
      expect(resources('apps')).toEqual(
        expect.arrayContaining(['rollouts', 'analysisruns', 'experiments', 'replicasets', 'pods', 'deployments']),
      );
      expect(resources('apps')).not.toContain('secrets');
      expect(docs.filter((d) => d.kind === 'ClusterRoleBinding')).toEqual([]);
    },
  );
});

describe('migration Job: a PreSync hook per service that uses the database', () => {
  test.each(ENVS)(
    '%s: one Job per database service, as its own service account and database user, with the production pod defaults',
    (_n, config) => {
      const charts = buildCharts(new App(), config);
      for (const service of servicesFor(config.name)) {
        const chart = charts.find((c) => c.node.id === service.name)!;
        const jobs = (chart.toJson() as KubeDocument[]).filter((d) => d.kind === 'Job');
        if (!service.database) {
          expect(jobs).toEqual([]);
          continue;
        }
        expect(jobs).toHaveLength(1);
        const [job] = jobs;
        expect(job.metadata.annotations).toMatchObject({
          [HOOK_ANNOTATION]: 'PreSync',
          [HOOK_DELETE_POLICY_ANNOTATION]: 'BeforeHookCreation',
        });
        const pod = job.spec.template.spec;
        expect(pod).toMatchObject({
          serviceAccountName: serviceAccountName(service.name),
          restartPolicy: 'Never',
          securityContext: { runAsNonRoot: true },
        });
        const [container] = pod.containers;
        expect(container.securityContext).toEqual({
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          privileged: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(container.resources).toEqual({
          requests: { cpu: `${MIGRATION_RESOURCES.cpuMillis}m`, memory: `${MIGRATION_RESOURCES.memoryMiB}Mi` },
          limits: { cpu: `${MIGRATION_RESOURCES.cpuLimitMillis}m`, memory: `${MIGRATION_RESOURCES.memoryLimitMiB}Mi` },
        });
        const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
        expect(env).toEqual({
          AWS_REGION: config.region,
          DATABASE_NAME: 'app',
          DATABASE_PORT: '5432',
          DATABASE_USER: databaseUserName(service.name),
          MIGRATIONS_DIR: '/migrations',
        });
        // DATABASE_HOST: the service's own deploy-time values
        expect(container.envFrom).toEqual([{ secretRef: { name: `${service.name}-runtime` } }]);
        expect(container.image).toBe(`${ecrRegistryHost(config.region)}/${service.image.repository}:${service.image.tag}-migrations`);
        // the Job's pods are not the service's: the Service never routes to them
        expect(job.spec.template.metadata.labels['app.kubernetes.io/name']).toBe(`${service.name}-migrations`);
        expect(Object.keys(job.spec.template.metadata.labels)).toEqual(expect.arrayContaining([...REQUIRED_POD_LABELS]));
      }
    },
  );

  test.each(ENVS)(
    "%s: the Job's NetworkPolicy exists before the first sync (root Application) and reaches DNS, the agent and the proxy only",
    (_n, config) => {
      const servicesChart = servicesChartOf(buildCharts(new App(), config));
      for (const service of servicesFor(config.name).filter((s) => s.database)) {
        const policy = (servicesChart.toJson() as KubeDocument[]).find(
          (d) => d.kind === 'NetworkPolicy' && d.metadata.name === `${service.name}-migrations`,
        )!;
        expect(policy.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': `${service.name}-migrations` } });
        expect(policy.spec.ingress).toEqual([]);
        const ports = policy.spec.egress.flatMap((rule: { ports: { port: number }[] }) => rule.ports.map((p) => p.port));
        expect(new Set(ports)).toEqual(new Set([53, 80, 5432]));
      }
    },
  );

  test.each(ENVS)(
    '%s: released, every image (service and migrations) is pinned by the released digest and passes the platform rules',
    (_n, config) => {
      const release = releaseOf(config);
      const released = buildCharts(new App(), config, { release: { services: release } });
      const images = documentsOf(released)
        .flatMap((d) => (d.spec?.template?.spec?.containers ?? []) as { image: string }[])
        .map((c) => c.image);
      const registry = ecrRegistryHost(config.region);
      const expected = Object.entries(release).flatMap(([name, r]) => {
        const repo = servicesFor(config.name).find((s) => s.name === name)!.image.repository;
        return [`${registry}/${repo}@${r.image}`, ...(r.migrations ? [`${registry}/${repo}@${r.migrations}`] : [])];
      });
      expect(images.sort()).toEqual(expected.sort());
      expect(checkManifests(documentsOf(released), { registry, requiredLabels: REQUIRED_POD_LABELS })).toEqual([]);
      // the version label is the commit the images were built from
      const versions = documentsOf(released.slice(4)).flatMap((d) =>
        d.kind === 'Job' || d.kind === 'Rollout' || d.kind === 'Deployment'
          ? [d.spec.template.metadata.labels['app.kubernetes.io/version']]
          : [],
      );
      expect(new Set(versions)).toEqual(new Set([COMMIT]));
    },
  );

  test('only released services are rendered, and a database service released without its migrations image is refused', () => {
    const [config] = ENVIRONMENTS;
    const [first] = servicesFor(config.name);
    const charts = buildCharts(new App(), config, { release: { services: { [first.name]: releaseOf(config)[first.name] } } });
    expect(
      manifestFiles(charts)
        .filter((f) => f.path.startsWith('services/'))
        .map((f) => f.path),
    ).toEqual([`services/${first.name}/${first.name}.k8s.yaml`]);
    expect(
      (servicesChartOf(charts).toJson() as KubeDocument[]).filter((d) => d.kind === 'Application').map((d) => d.metadata.name),
    ).toEqual([first.name]);
    expect(() => buildCharts(new App(), config, { release: { services: { [first.name]: { commit: COMMIT, image: digest(1) } } } })).toThrow(
      `${config.name}: the release of ${first.name} has no migrations image digest; the service uses the database`,
    );
  });
});
