import { App } from 'cdk8s';
import { ADDONS } from '../../cdk8s/addons';
import { ROOT_APPLICATION, ROOT_PROJECT, argoCdAddon, bootstrapPlan, commandLine } from '../../cdk8s/bootstrap';
import { buildCharts, documentsOf } from '../../cdk8s/main';
import { KubeDocument } from '../../cdk8s/policies';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { clusterName } from '../../lib/config/naming';
import { EnvironmentConfig } from '../../lib/config/types';
import { schemaErrors } from './schemas';
import { yamlDocuments } from '../../bin/yaml-documents';

const ENVS = ENVIRONMENTS.map((c) => [c.name, c] as [string, EnvironmentConfig]);
const load = (content: string): KubeDocument[] => yamlDocuments(content);
const fileOf = (plan: ReturnType<typeof bootstrapPlan>, name: string) => plan.files.find((f) => f.name === name)!.content;

describe('bootstrap plan (finding 8)', () => {
  test.each(ENVS)(
    '%s: kubeconfig, then the namespace, then Argo CD, then the root Application, all in the cluster context',
    (name, config) => {
      const plan = bootstrapPlan(config, 'out');
      const context = clusterName(name);
      expect(plan.steps.map((s) => s.command.slice(0, 3).join(' '))).toEqual([
        'aws eks update-kubeconfig',
        `kubectl --context ${context}`,
        'helm upgrade --install',
        `kubectl --context ${context}`,
      ]);
      expect(plan.steps[0].command).toEqual([
        'aws',
        'eks',
        'update-kubeconfig',
        '--name',
        context,
        '--region',
        config.region,
        '--alias',
        context,
      ]);
      expect(plan.steps[1].command.slice(-2)).toEqual(['-f', 'out/argocd-namespace.k8s.yaml']);
      expect(plan.steps[2].command).toEqual(
        expect.arrayContaining(['--kube-context', context, '--values', 'out/argocd-values.yaml', '--namespace', 'argocd', '--wait']),
      );
      expect(plan.steps[3].command.slice(-2)).toEqual(['-f', 'out/root-application.k8s.yaml']);
    },
  );

  test('every step is idempotent (apply, upgrade --install, update-kubeconfig), and the plan is the same every time', () => {
    for (const config of ENVIRONMENTS) {
      const plan = bootstrapPlan(config, 'out');
      for (const { command } of plan.steps) {
        const line = command.join(' ');
        expect(line).toMatch(/^(aws eks update-kubeconfig|kubectl --context \S+ apply -f|helm upgrade --install) /);
        expect(line).not.toMatch(/ (create|delete|replace) /);
      }
      expect(bootstrapPlan(config, 'out')).toEqual(plan);
    }
  });

  test.each(ENVS)(
    '%s: Argo CD is installed at its pin with exactly the values its own Application manages later (no diff on adoption)',
    (_n, config) => {
      const plan = bootstrapPlan(config, 'out');
      const argocd = argoCdAddon();
      const helm = plan.steps[2].command;
      expect(helm.slice(0, 5)).toEqual(['helm', 'upgrade', '--install', argocd.name, argocd.chart]);
      expect(helm).toEqual(expect.arrayContaining(['--repo', argocd.repoUrl, '--version', argocd.version]));
      const application = documentsOf(buildCharts(new App(), config)).find(
        (d) => d.kind === 'Application' && d.metadata.name === 'argo-cd',
      )!;
      expect(load(fileOf(plan, 'argocd-values.yaml'))[0]).toEqual(application.spec.source.helm.valuesObject);
      expect(application.spec.source.helm.releaseName).toBe(argocd.name);
      expect(application.spec.destination.namespace).toBe(argocd.namespace);
    },
  );

  test.each(ENVS)(
    '%s: the namespace is the platform chart object itself (Pod Security labels), applied before the Helm release',
    (_n, config) => {
      const [ns] = load(fileOf(bootstrapPlan(config, 'out'), 'argocd-namespace.k8s.yaml'));
      const fromPlatform = documentsOf(buildCharts(new App(), config)).find((d) => d.kind === 'Namespace' && d.metadata.name === 'argocd')!;
      const { annotations: _wave, ...metadata } = fromPlatform.metadata;
      expect(ns).toEqual({ ...fromPlatform, metadata });
      expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
    },
  );

  test.each(ENVS)("%s: the root Application follows the environment's GitOps source, in a project limited to it", (_n, config) => {
    const [project, root] = load(fileOf(bootstrapPlan(config, 'out'), 'root-application.k8s.yaml'));
    expect(project).toMatchObject({
      kind: 'AppProject',
      metadata: { name: ROOT_PROJECT, namespace: 'argocd' },
      spec: { sourceRepos: [config.gitops.repoUrl] },
    });
    expect(root).toMatchObject({
      kind: 'Application',
      metadata: { name: ROOT_APPLICATION, namespace: 'argocd' },
      spec: {
        project: ROOT_PROJECT,
        source: {
          repoURL: config.gitops.repoUrl,
          targetRevision: config.gitops.revision,
          path: config.gitops.path,
          directory: { recurse: false, include: '*.k8s.yaml' },
        },
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      },
    });
    // deleting the root Application must not cascade to the whole environment
    expect(root.metadata.finalizers).toBeUndefined();
    expect([project, root].flatMap(schemaErrors)).toEqual([]);
  });

  test('without an argo-cd add-on there is nothing to bootstrap', () => {
    expect(() =>
      bootstrapPlan(
        ENVIRONMENTS[0],
        'out',
        ADDONS.filter((a) => a.name !== 'argo-cd'),
      ),
    ).toThrow('bootstrap: the add-ons have no argo-cd entry; Argo CD manages every other add-on');
  });

  test('commands print as shell lines with arguments quoted where needed', () => {
    expect(commandLine(['kubectl', 'wait', '--for=jsonpath={.status}=Healthy', "it's"])).toBe(
      "kubectl wait '--for=jsonpath={.status}=Healthy' 'it'\\''s'",
    );
  });
});
