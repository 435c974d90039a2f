import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { ADDONS, APPLICATION_HEALTH_KEY, APPLICATION_HEALTH_LUA, Addon, SYSTEM_POOL } from '../../cdk8s/addons';
import { ADDONS_PROJECT, AddonsChart } from '../../cdk8s/charts/addons-chart';
import { SYNC_WAVES } from '../../cdk8s/conventions';
import { KubeDocument } from '../../cdk8s/policies';
import { CHART_PINS } from '../../lib/config/addon-pins';
import { dev, ENVIRONMENTS, prod } from '../../lib/config/environments';
import { clusterName, karpenterInterruptionQueueName, vpcName } from '../../lib/config/naming';
import { EnvironmentConfig } from '../../lib/config/types';

const ENVS = ENVIRONMENTS.map((c) => [c.name, c] as [string, EnvironmentConfig]);
const synth = (config: EnvironmentConfig): KubeDocument[] =>
  Testing.synth(new AddonsChart(Testing.app(), 'addons', { config, addons: ADDONS }));
const app = (docs: KubeDocument[], name: string) => docs.find((d) => d.kind === 'Application' && d.metadata.name === name)!;
const addon = (name: string): Addon => ADDONS.find((a) => a.name === name)!;
const values = (config: EnvironmentConfig, name: string) => app(synth(config), name).spec.source.helm.valuesObject;

/** Value at a dotted path of the values. */
const at = (obj: unknown, dotted: string): unknown =>
  dotted.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);

/** Dotted paths of the leaves of the values (arrays are leaves). */
const leaves = (obj: Record<string, unknown>, prefix = ''): string[] =>
  Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0
      ? leaves(v as Record<string, unknown>, `${prefix}${k}.`)
      : [`${prefix}${k}`],
  );

describe('add-ons', () => {
  test('the add-ons of the platform, each at an exact chart version; every pinned one at its pin', () => {
    expect(ADDONS.map((a) => a.name)).toEqual([
      'argo-cd',
      'karpenter',
      'external-secrets',
      'kyverno',
      'argo-rollouts',
      'kube-prometheus-stack',
      'prometheus-node-exporter',
      'opentelemetry-collector',
      'aws-load-balancer-controller',
      'external-dns',
    ]);
    for (const a of ADDONS) expect(a.version).toMatch(/^\d+\.\d+\.\d+$/);
    for (const [name, pin] of Object.entries(CHART_PINS)) {
      expect(addon(name)).toMatchObject({ repoUrl: pin.repoUrl, chart: pin.chart, version: pin.chartVersion });
    }
  });

  test.each(ENVS)('%s: one Argo CD Application per add-on, pinned, auto-synced, in the root Application waves', (_n, config) => {
    const docs = synth(config);
    for (const a of ADDONS) {
      const application = app(docs, a.name);
      expect(application.metadata.namespace).toBe('argocd');
      expect(application.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe(String(SYNC_WAVES.addons + a.wave));
      expect(application.spec).toMatchObject({
        project: ADDONS_PROJECT,
        source: { repoURL: a.repoUrl, chart: a.chart, targetRevision: a.version, helm: { releaseName: a.name } },
        destination: { server: 'https://kubernetes.default.svc', namespace: a.namespace },
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      });
    }
    // Argo CD first; CRD-bearing add-ons (and Karpenter, whose NodePools come later) before the controllers of core objects
    expect(ADDONS.filter((a) => a.wave === 0).map((a) => a.name)).toEqual(['argo-cd']);
    expect(ADDONS.filter((a) => a.wave === 1).map((a) => a.name)).toEqual([
      'karpenter',
      'external-secrets',
      'kyverno',
      'argo-rollouts',
      'kube-prometheus-stack',
      'prometheus-node-exporter',
    ]);
  });

  test('the project exists before its Applications and may install only the listed charts into the listed namespaces', () => {
    const project = synth(dev).find((d) => d.kind === 'AppProject')!;
    expect(project.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe(String(SYNC_WAVES.platform));
    expect(project.spec.sourceRepos).toEqual([...new Set(ADDONS.map((a) => a.repoUrl))]);
    expect(project.spec.sourceRepos).toContain(CHART_PINS.karpenter.repoUrl);
    expect(project.spec.destinations.map((d: KubeDocument) => d.namespace)).toEqual(ADDONS.map((a) => a.namespace));
  });

  test.each(ENVS)(
    '%s: no controller depends on instance metadata: cluster, region and VPC come from values (finding 1)',
    (name, config) => {
      // GIVEN nodes with IMDSv2 hop limit 1 THEN each controller that calls AWS is told what it would read from IMDS
      expect(values(config, 'aws-load-balancer-controller')).toMatchObject({
        clusterName: clusterName(name),
        region: config.region,
        // the VPC by the Name tag the Network stack puts on it (test/contracts checks the template side)
        vpcTags: { Name: vpcName(name) },
      });
      expect(values(config, 'aws-load-balancer-controller').vpcId).toBeUndefined();
      // Argo Rollouts calls no AWS API (target group verification stays off), so it needs neither region nor identity
      expect(values(config, 'argo-rollouts').controller.awsVerifyTargetGroup).toBeUndefined();
      expect(values(config, 'external-dns').env).toEqual([{ name: 'AWS_DEFAULT_REGION', value: config.region }]);
      expect(values(config, 'karpenter')).toMatchObject({
        settings: { clusterName: clusterName(name), interruptionQueue: karpenterInterruptionQueueName(name) },
        controller: { env: [{ name: 'AWS_REGION', value: config.region }] },
      });
    },
  );

  test('values come from config: zone, owner id, and the service accounts the Pod Identity associations expect', () => {
    const docs = synth(prod);
    expect(app(docs, 'external-dns').spec.source.helm.valuesObject).toMatchObject({
      domainFilters: ['example.com'],
      policy: 'upsert-only',
      txtOwnerId: 'saas-platform-prod',
      serviceAccount: { name: 'external-dns' },
    });
    expect(app(docs, 'external-secrets').spec.source.helm.valuesObject).toMatchObject({ serviceAccount: { name: 'external-secrets' } });
    expect(app(docs, 'karpenter').spec.source.helm.valuesObject).toMatchObject({ serviceAccount: { name: 'karpenter' } });
    // nothing deploy-time (ARNs, account IDs) in any value
    expect(JSON.stringify(docs)).not.toMatch(/arn:aws|\d{12}/);
  });

  test('every add-on pod lands on the system node pool and tolerates its taint', () => {
    const v = (name: string) => values(dev, name);
    // each chart names the placement keys its own way
    const placements = [
      v('argo-cd').global,
      v('karpenter'),
      v('external-secrets'),
      v('external-secrets').webhook,
      v('external-secrets').certController,
      ...['admissionController', 'backgroundController', 'cleanupController', 'reportsController'].map((c) => v('kyverno')[c]),
      v('argo-rollouts').controller,
      v('kube-prometheus-stack').prometheusOperator,
      v('kube-prometheus-stack')['kube-state-metrics'],
      v('kube-prometheus-stack').grafana,
      v('opentelemetry-collector'),
      v('aws-load-balancer-controller'),
      v('external-dns'),
    ];
    for (const placement of placements) expect(placement).toMatchObject(SYSTEM_POOL);
    expect(SYSTEM_POOL).toEqual({
      nodeSelector: { 'platform.example.com/pool': 'system' },
      tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
    });
  });

  test("Karpenter keeps the chart's affinity, which keeps it off the nodes it launches itself (it runs on the managed system group)", () => {
    // karpenter chart values.yaml (pin's valuesSource): affinity requires karpenter.sh/nodepool DoesNotExist
    for (const config of ENVIRONMENTS) expect(values(config, 'karpenter').affinity).toBeUndefined();
  });

  test('controllers are highly available outside development', () => {
    expect(values(dev, 'kyverno').admissionController.replicas).toBe(1);
    expect(values(prod, 'kyverno').admissionController.replicas).toBe(3);
    expect(values(prod, 'external-secrets').replicaCount).toBe(2);
  });

  test.each(ENVS)('%s: every component that runs more than one replica elects a leader (finding 10)', (_n, config) => {
    const missing: string[] = [];
    for (const a of ADDONS) {
      const v = a.values(config);
      const replicated = leaves(v).filter((p) => /(^|\.)(replicas|replicaCount)$/.test(p) && Number(at(v, p)) > 1);
      for (const replicasKey of replicated) {
        const declared = a.replicated?.find((r) => r.replicasKey === replicasKey);
        if (!declared) missing.push(`${a.name}: ${replicasKey} > 1 without a leader-election declaration`);
        else if ('valuesKey' in declared.leaderElection && at(v, declared.leaderElection.valuesKey) !== true) {
          missing.push(`${a.name}: ${replicasKey} > 1 but ${declared.leaderElection.valuesKey} is not true`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  test('External Secrets runs two replicas with leader election on outside development (its chart defaults it off)', () => {
    expect(values(prod, 'external-secrets')).toMatchObject({ replicaCount: 2, leaderElect: true, certController: { replicaCount: 2 } });
  });

  test('ExternalDNS has no leader election, so it stays at one replica (its chart has no replica count to raise)', () => {
    for (const config of ENVIRONMENTS) expect(leaves(values(config, 'external-dns')).filter((p) => /replica/i.test(p))).toEqual([]);
  });

  test.each(ENVS)("%s: the values set only keys recorded for the add-on (checked in the pinned chart's values.yaml)", (_n, config) => {
    for (const [name] of Object.entries(CHART_PINS)) {
      const recorded = addon(name).valuesKeys ?? [];
      const unrecorded = leaves(addon(name).values(config)).filter((p) => !recorded.some((k) => p === k || p.startsWith(`${k}.`)));
      expect({ name, unrecorded }).toEqual({ name, unrecorded: [] });
    }
  });

  test('every recorded values key is used in some environment (no stale record)', () => {
    for (const [name] of Object.entries(CHART_PINS)) {
      const used = ENVIRONMENTS.flatMap((c) => leaves(addon(name).values(c)));
      const stale = (addon(name).valuesKeys ?? []).filter((k) => !used.some((p) => p === k || p.startsWith(`${k}.`)));
      expect({ name, stale }).toEqual({ name, stale: [] });
    }
  });

  test("Argo CD's own values restore the Application health check (waves wait for add-ons) and declare Karpenter's OCI repository", () => {
    const cm = values(dev, 'argo-cd').configs;
    expect(cm.cm[APPLICATION_HEALTH_KEY]).toBe(APPLICATION_HEALTH_LUA);
    expect(APPLICATION_HEALTH_LUA).toContain('hs.status = obj.status.health.status');
    expect(cm.repositories.karpenter).toEqual({ name: 'karpenter', url: CHART_PINS.karpenter.repoUrl, type: 'helm', enableOCI: 'true' });
  });

  test('the load balancer controller webhook certificate is left to the controller (ignored, and respected on sync)', () => {
    const lbc = app(synth(dev), 'aws-load-balancer-controller');
    expect(lbc.spec.ignoreDifferences.map((d: KubeDocument) => d.kind)).toEqual([
      'Secret',
      'MutatingWebhookConfiguration',
      'ValidatingWebhookConfiguration',
    ]);
    expect(lbc.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
    expect(app(synth(dev), 'external-dns').spec.syncPolicy.syncOptions).not.toContain('RespectIgnoreDifferences=true');
  });

  test('docs/k8s/deployment-standards.md lists every add-on at its pinned version (update the table with the version)', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'k8s', 'deployment-standards.md'), 'utf8');
    for (const a of ADDONS) {
      const row = doc.split('\n').find((line) => line.startsWith('|') && line.includes(`| ${a.namespace} |`) && line.includes(a.chart));
      expect(row).toContain(`| ${a.version} |`);
      expect(row).toContain(`| ${a.podSecurity} | ${SYNC_WAVES.addons + a.wave} |`);
    }
  });
});
