import { Testing } from 'cdk8s';
import { ADDONS } from '../../cdk8s/addons';
import { CONTAINER_DEFAULTS, PLATFORM_NAMESPACES, PlatformChart, namespaceQuota } from '../../cdk8s/charts/platform-chart';
import { PRIORITY_CLASSES } from '../../cdk8s/conventions';
import { KubeDocument } from '../../cdk8s/policies';
import { dev, ENVIRONMENTS } from '../../lib/config/environments';
import { SERVICES, servicesFor } from '../../lib/config/service-catalog';
import { EnvironmentConfig } from '../../lib/config/types';
import { withValue } from '../helpers';

const synth = (config: EnvironmentConfig, withAll = true): KubeDocument[] =>
  Testing.synth(
    new PlatformChart(Testing.app(), 'platform', withAll ? { config, services: servicesFor(config.name), addons: ADDONS } : { config }),
  );
const byKind = (docs: KubeDocument[], kind: string) => docs.filter((d) => d.kind === kind);

describe('PlatformChart', () => {
  test.each(ENVIRONMENTS.map((c) => [c.name, c] as [string, EnvironmentConfig]))(
    '%s: every namespace enforces Pod Security at the cluster version, restricted unless an add-on needs baseline',
    (_name, config) => {
      const namespaces = byKind(synth(config), 'Namespace');
      const addonNamespaces = [...new Set(ADDONS.map((a) => a.namespace))];
      expect(namespaces.map((d) => d.metadata.name)).toEqual([
        ...PLATFORM_NAMESPACES,
        ...addonNamespaces,
        ...config.kubernetes.workloadNamespaces,
      ]);
      for (const doc of namespaces) {
        const addon = ADDONS.find((a) => a.namespace === doc.metadata.name);
        expect(doc.metadata.labels).toMatchObject({
          'pod-security.kubernetes.io/enforce': addon?.podSecurity ?? 'restricted',
          'pod-security.kubernetes.io/enforce-version': `v${config.kubernetes.version}`,
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
          'platform.example.com/environment': config.name,
          'app.kubernetes.io/part-of': 'saas-platform',
        });
      }
      // Only the two add-ons whose charts are not known to meet "restricted" are relaxed.
      expect(
        namespaces.filter((d) => d.metadata.labels['pod-security.kubernetes.io/enforce'] === 'baseline').map((d) => d.metadata.name),
      ).toEqual(['argocd', 'aws-load-balancer-controller']);
    },
  );

  test('workload namespaces come from config, deny all traffic by default and inject ALB readiness gates', () => {
    const docs = synth(withValue(dev, 'kubernetes.workloadNamespaces', ['apps', 'identity']));
    for (const name of ['apps', 'identity']) {
      const ns = byKind(docs, 'Namespace').find((d) => d.metadata.name === name)!;
      expect(ns.metadata.labels['elbv2.k8s.aws/pod-readiness-gate-inject']).toBe('enabled');
      expect(byKind(docs, 'NetworkPolicy').find((d) => d.metadata.namespace === name)?.spec).toEqual({
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
      });
      expect(byKind(docs, 'LimitRange').find((d) => d.metadata.namespace === name)?.spec.limits[0]).toEqual({
        type: 'Container',
        ...CONTAINER_DEFAULTS,
      });
    }
    // no default deny in platform or add-on namespaces: controllers talk to the API server and AWS
    expect(byKind(docs, 'NetworkPolicy').map((d) => d.metadata.namespace)).toEqual(['apps', 'identity']);
  });

  test('quotas are sized from the catalog at full scale, rollouts included; a namespace without services admits no pod', () => {
    // GIVEN dev, whose services all live in "apps", and a second, empty workload namespace
    const docs = synth(withValue(dev, 'kubernetes.workloadNamespaces', ['apps', 'empty']));
    const quota = (ns: string) => byKind(docs, 'ResourceQuota').find((d) => d.metadata.namespace === ns)!.spec.hard;
    // dev: web-api canary 3 max (x2), auth blueGreen 2 (x2), payments canary 2 (x2), worker rolling 2 + 50% surge
    expect(quota('apps').pods).toBe(String(6 + 4 + 4 + 3));
    expect(quota('apps')['requests.cpu']).toBe(`${6 * 100 + 4 * 200 + 4 * 250 + 3 * 500}m`);
    expect(quota('apps')['limits.memory']).toBe(`${6 * 256 + 4 * 384 + 4 * 768 + 3 * 1024}Mi`);
    expect(quota('empty')).toEqual({
      pods: '0',
      'requests.cpu': '0m',
      'requests.memory': '0Mi',
      'limits.cpu': '0m',
      'limits.memory': '0Mi',
    });
  });

  test('namespaceQuota: a rolling surge rounds up', () => {
    const worker = withValue(withValue(SERVICES[3], 'scaling.maxReplicas', 3), 'rollout.maxSurgePercent', undefined);
    expect(namespaceQuota([worker]).pods).toBe(3 + 1); // 25% of 3 = 0.75 -> 1
  });

  test('priority classes for add-ons and each service priority; background never preempts', () => {
    const classes = byKind(synth(dev), 'PriorityClass');
    expect(classes.map((c) => [c.metadata.name, c.value, c.preemptionPolicy])).toEqual([
      [PRIORITY_CLASSES.platform.name, 1_000_000, 'PreemptLowerPriority'],
      [PRIORITY_CLASSES.critical.name, 100_000, 'PreemptLowerPriority'],
      [PRIORITY_CLASSES.standard.name, 10_000, 'PreemptLowerPriority'],
      [PRIORITY_CLASSES.background.name, 1_000, 'Never'],
    ]);
    expect(classes.every((c) => c.globalDefault === false)).toBe(true);
  });

  test('without services or add-ons: the platform and workload namespaces only', () => {
    const docs = synth(dev, false);
    expect(byKind(docs, 'Namespace').map((d) => d.metadata.name)).toEqual([...PLATFORM_NAMESPACES, 'apps']);
  });
});
