import { App, ApiObject, Chart } from 'cdk8s';
import { buildCharts, documentsOf } from '../../cdk8s/main';
import { ADDONS } from '../../cdk8s/addons';
import { SYNC_OPTIONS_ANNOTATION, SYNC_WAVE_ANNOTATION, SYNC_WAVES, inSyncWave, isBuiltInApi } from '../../cdk8s/conventions';
import { KubeDocument } from '../../cdk8s/policies';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { EnvironmentConfig } from '../../lib/config/types';

const ENVS = ENVIRONMENTS.map((c) => [c.name, c] as [string, EnvironmentConfig]);
const wave = (d: KubeDocument) => Number(d.metadata.annotations?.[SYNC_WAVE_ANNOTATION]);
const skipsDryRun = (d: KubeDocument) => d.metadata.annotations?.[SYNC_OPTIONS_ANNOTATION] === 'SkipDryRunOnMissingResource=true';

describe('sync waves of the root Application (finding 8)', () => {
  test.each(ENVS)(
    '%s: every object has a wave, and the charts come in order: platform, add-ons, their custom resources, services',
    (_n, config) => {
      const [platform, addons, clusterConfig, monitoring, servicesChart, ...services] = buildCharts(new App(), config);
      const waves = (chart: Chart) => new Set(chart.toJson().map(wave));
      for (const d of documentsOf([platform, addons, clusterConfig, monitoring, servicesChart, ...services]))
        expect(Number.isInteger(wave(d))).toBe(true);
      expect(waves(platform)).toEqual(new Set([SYNC_WAVES.platform]));
      expect(waves(clusterConfig)).toEqual(new Set([SYNC_WAVES.clusterConfig]));
      // the monitoring stack after the secret stores it reads through, before the services whose analyses query it
      expect(waves(monitoring)).toEqual(new Set([SYNC_WAVES.monitoring]));
      expect(SYNC_WAVES.clusterConfig).toBeLessThan(SYNC_WAVES.monitoring);
      expect(SYNC_WAVES.monitoring).toBeLessThan(SYNC_WAVES.services);
      for (const s of services) expect(waves(s)).toEqual(new Set([SYNC_WAVES.services]));
      // the add-on Applications: after the platform (their project, namespaces), before the custom resources they bring the CRDs of
      const applications = addons.toJson().filter((d) => d.kind === 'Application');
      expect(Math.min(...applications.map(wave))).toBeGreaterThan(SYNC_WAVES.platform);
      expect(Math.max(...applications.map(wave))).toBeLessThan(SYNC_WAVES.clusterConfig);
      expect(SYNC_WAVES.clusterConfig).toBeLessThan(SYNC_WAVES.serviceSettings);
      expect(SYNC_WAVES.serviceSettings).toBeLessThan(SYNC_WAVES.services);
      expect(Math.max(...ADDONS.map((a) => SYNC_WAVES.addons + a.wave))).toBeLessThan(SYNC_WAVES.clusterConfig);
      // the services chart: the project and the release role's RBAC with the platform, each service's identity and
      // settings in the wave before the services' Applications (its PreSync migration runs with them)
      const byKind = (kind: string) =>
        new Set(
          servicesChart
            .toJson()
            .filter((d) => d.kind === kind)
            .map(wave),
        );
      expect(byKind('AppProject')).toEqual(new Set([SYNC_WAVES.platform]));
      expect(byKind('RoleBinding')).toEqual(new Set([SYNC_WAVES.platform]));
      for (const kind of ['ServiceAccount', 'ExternalSecret', 'NetworkPolicy'])
        expect(byKind(kind)).toEqual(new Set([SYNC_WAVES.serviceSettings]));
      expect(byKind('Application')).toEqual(new Set([SYNC_WAVES.services]));
    },
  );

  test.each(ENVS)('%s: custom resources skip the dry run their CRD is not there for yet; built-in kinds keep it', (_n, config) => {
    const [, , clusterConfig, monitoring, servicesChart, ...services] = buildCharts(new App(), config);
    // Argo CD's own kinds exist before any sync (the bootstrap installs Argo CD).
    const argoCd = (d: KubeDocument) => ['Application', 'AppProject'].includes(d.kind) && d.apiVersion.startsWith('argoproj.io/');
    const docs = documentsOf([clusterConfig, monitoring, servicesChart, ...services]).filter((d) => !argoCd(d));
    const custom = docs.filter((d) => !isBuiltInApi(d.apiVersion));
    expect(custom.map((d) => d.kind)).toEqual(
      expect.arrayContaining([
        'ClusterSecretStore',
        'ClusterPolicy',
        'NodePool',
        'EC2NodeClass',
        'ExternalSecret',
        'Rollout',
        'Prometheus',
        'Alertmanager',
        'AlertmanagerConfig',
        'PrometheusRule',
        'PodMonitor',
        'Password',
      ]),
    );
    for (const d of custom) expect({ kind: d.kind, skips: skipsDryRun(d) }).toEqual({ kind: d.kind, skips: true });
    for (const d of docs.filter((x) => isBuiltInApi(x.apiVersion)))
      expect({ kind: d.kind, skips: skipsDryRun(d) }).toEqual({ kind: d.kind, skips: false });
  });

  test.each(ENVS)('%s: every add-on is installed into a namespace the platform wave creates', (_n, config) => {
    const [platform, addons] = buildCharts(new App(), config);
    const namespaces = platform
      .toJson()
      .filter((d) => d.kind === 'Namespace')
      .map((d) => d.metadata.name);
    for (const app of addons.toJson().filter((d) => d.kind === 'Application')) expect(namespaces).toContain(app.spec.destination.namespace);
  });

  /** Which add-on brings the CRD of each custom resource kind the manifests use. */
  const CRD_OWNERS: Record<string, string> = {
    'argoproj.io/AppProject': 'argo-cd',
    'argoproj.io/Application': 'argo-cd',
    'argoproj.io/Rollout': 'argo-rollouts',
    'argoproj.io/AnalysisTemplate': 'argo-rollouts',
    'external-secrets.io/ExternalSecret': 'external-secrets',
    'external-secrets.io/ClusterSecretStore': 'external-secrets',
    'external-secrets.io/SecretStore': 'external-secrets',
    'kyverno.io/ClusterPolicy': 'kyverno',
    'karpenter.sh/NodePool': 'karpenter',
    'karpenter.k8s.aws/EC2NodeClass': 'karpenter',
    'elbv2.k8s.aws/IngressClassParams': 'aws-load-balancer-controller',
    'generators.external-secrets.io/Password': 'external-secrets',
    'monitoring.coreos.com/PodMonitor': 'kube-prometheus-stack',
    'monitoring.coreos.com/ServiceMonitor': 'kube-prometheus-stack',
    'monitoring.coreos.com/PrometheusRule': 'kube-prometheus-stack',
    'monitoring.coreos.com/Prometheus': 'kube-prometheus-stack',
    'monitoring.coreos.com/Alertmanager': 'kube-prometheus-stack',
    'monitoring.coreos.com/AlertmanagerConfig': 'kube-prometheus-stack',
  };

  test.each(ENVS)('%s: every custom resource comes in a later wave than the add-on that brings its CRD', (_n, config) => {
    const charts = buildCharts(new App(), config);
    const docs = documentsOf(charts).filter((d) => !isBuiltInApi(d.apiVersion));
    const problems: string[] = [];
    for (const d of docs) {
      const key = `${d.apiVersion.split('/')[0]}/${d.kind}`;
      // Argo CD's own kinds exist before any sync (the bootstrap installs Argo CD)
      if (CRD_OWNERS[key] === 'argo-cd') continue;
      const owner = ADDONS.find((a) => a.name === CRD_OWNERS[key]);
      if (!owner) problems.push(`${key}: no add-on brings its CRD`);
      else if (SYNC_WAVES.addons + owner.wave >= wave(d))
        problems.push(`${key} ${d.metadata.name}: wave ${wave(d)} is not after ${owner.name}`);
    }
    expect(problems).toEqual([]);
  });

  test('built-in API groups are told from CRD groups', () => {
    expect(['v1', 'apps/v1', 'policy/v1', 'networking.k8s.io/v1', 'scheduling.k8s.io/v1'].every(isBuiltInApi)).toBe(true);
    expect(['argoproj.io/v1alpha1', 'karpenter.sh/v1', 'external-secrets.io/v1', 'kyverno.io/v1'].some(isBuiltInApi)).toBe(false);
  });

  test('a wave an object already carries is kept', () => {
    const chart = new Chart(new App(), 'c');
    const early = new ApiObject(chart, 'early', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', annotations: { [SYNC_WAVE_ANNOTATION]: '-1' } },
    });
    const plain = new ApiObject(chart, 'plain', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } });
    inSyncWave(chart, 5);
    expect([early, plain].map((o) => o.toJson().metadata.annotations[SYNC_WAVE_ANNOTATION])).toEqual(['-1', '5']);
  });
});
