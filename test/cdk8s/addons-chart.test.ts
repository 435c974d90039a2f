import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { ADDONS, SYSTEM_POOL, bootstrapCommand } from '../../cdk8s/addons';
import { ADDONS_PROJECT, AddonsChart } from '../../cdk8s/charts/addons-chart';
import { KubeDocument } from '../../cdk8s/policies';
import { dev, ENVIRONMENTS, prod } from '../../lib/config/environments';
import { EnvironmentConfig } from '../../lib/config/types';

const synth = (config: EnvironmentConfig): KubeDocument[] =>
  Testing.synth(new AddonsChart(Testing.app(), 'addons', { config, addons: ADDONS }));
const app = (docs: KubeDocument[], name: string) => docs.find((d) => d.kind === 'Application' && d.metadata.name === name)!;

describe('add-ons', () => {
  test('the add-ons the issue names, each at an exact chart version', () => {
    expect(ADDONS.map((a) => a.name)).toEqual([
      'argo-cd',
      'external-secrets',
      'kyverno',
      'argo-rollouts',
      'aws-load-balancer-controller',
      'external-dns',
    ]);
    for (const addon of ADDONS) expect(addon.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test.each(ENVIRONMENTS.map((c) => [c.name, c] as [string, EnvironmentConfig]))(
    '%s: one Argo CD Application per add-on, pinned, auto-synced, in waves',
    (_n, config) => {
      const docs = synth(config);
      for (const addon of ADDONS) {
        const a = app(docs, addon.name);
        expect(a.metadata.namespace).toBe('argocd');
        expect(a.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe(String(addon.wave));
        expect(a.spec).toMatchObject({
          project: ADDONS_PROJECT,
          source: { repoURL: addon.repoUrl, chart: addon.chart, targetRevision: addon.version, helm: { releaseName: addon.name } },
          destination: { server: 'https://kubernetes.default.svc', namespace: addon.namespace },
          syncPolicy: { automated: { prune: true, selfHeal: true } },
        });
      }
      // CRD-bearing add-ons sync before the controllers that only act on core objects
      expect(ADDONS.filter((a) => a.wave === 1).map((a) => a.name)).toEqual(['external-secrets', 'kyverno', 'argo-rollouts']);
    },
  );

  test('the project may install only the listed charts into the listed namespaces', () => {
    const project = synth(dev).find((d) => d.kind === 'AppProject')!;
    expect(project.spec.sourceRepos).toEqual([...new Set(ADDONS.map((a) => a.repoUrl))]);
    expect(project.spec.destinations.map((d: KubeDocument) => d.namespace)).toEqual(ADDONS.map((a) => a.namespace));
  });

  test('values come from config: cluster, region, zone, and the service accounts the Pod Identity associations expect', () => {
    const docs = synth(prod);
    expect(app(docs, 'aws-load-balancer-controller').spec.source.helm.valuesObject).toMatchObject({
      clusterName: 'saas-platform-prod',
      region: 'eu-west-1',
      serviceAccount: { name: 'aws-load-balancer-controller' },
    });
    expect(app(docs, 'external-dns').spec.source.helm.valuesObject).toMatchObject({
      domainFilters: ['example.com'],
      policy: 'upsert-only',
      txtOwnerId: 'saas-platform-prod',
      serviceAccount: { name: 'external-dns' },
    });
    expect(app(docs, 'external-secrets').spec.source.helm.valuesObject).toMatchObject({ serviceAccount: { name: 'external-secrets' } });
    // nothing deploy-time (ARNs, account IDs) in any value
    expect(JSON.stringify(docs)).not.toMatch(/arn:aws|\d{12}/);
  });

  test('every add-on pod lands on the system node pool and tolerates its taint', () => {
    const values = (name: string) => app(synth(dev), name).spec.source.helm.valuesObject;
    // each chart names the placement keys its own way
    const placements = [
      values('argo-cd').global,
      values('external-secrets'),
      values('external-secrets').webhook,
      values('external-secrets').certController,
      ...['admissionController', 'backgroundController', 'cleanupController', 'reportsController'].map((c) => values('kyverno')[c]),
      values('argo-rollouts').controller,
      values('aws-load-balancer-controller'),
      values('external-dns'),
    ];
    for (const placement of placements) expect(placement).toMatchObject(SYSTEM_POOL);
    expect(SYSTEM_POOL).toEqual({
      nodeSelector: { 'platform.example.com/pool': 'system' },
      tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
    });
  });

  test('controllers are highly available outside development', () => {
    const replicas = (config: EnvironmentConfig) =>
      app(synth(config), 'kyverno').spec.source.helm.valuesObject.admissionController.replicas;
    expect(replicas(dev)).toBe(1);
    expect(replicas(prod)).toBe(3);
  });

  test('docs/workloads.md lists every add-on at its pinned version (update the table with the version)', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'workloads.md'), 'utf8');
    for (const addon of ADDONS) {
      const row = doc.split('\n').find((line) => line.startsWith('|') && line.includes(`| ${addon.namespace} |`));
      expect(row).toContain(`| ${addon.version} |`);
      expect(row).toContain(`| ${addon.podSecurity} | ${addon.wave} |`);
    }
    expect(doc).toContain(bootstrapCommand());
  });

  test('the bootstrap command installs Argo CD at the same pinned version', () => {
    expect(bootstrapCommand()).toBe(
      `helm upgrade --install argo-cd argo-cd --repo https://argoproj.github.io/argo-helm --version ${ADDONS[0].version} --namespace argocd`,
    );
  });
});
