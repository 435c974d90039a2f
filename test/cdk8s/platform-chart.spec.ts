import { Testing } from 'cdk8s';
import { ADDONS } from '../../cdk8s/addons';
import { CONTAINER_DEFAULTS, PLATFORM_NAMESPACES, PlatformChart, namespaceQuota, peakPods } from '../../cdk8s/charts/platform-chart';
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
    '%s: every namespace enforces Pod Security at the cluster version, restricted unless an add-on needs baseline (or the host)',
    (_name, config) => {
      const namespaces = byKind(synth(config), 'Namespace');
      // an add-on in a platform namespace (the observability stack) does not create it twice
      const addonNamespaces = [...new Set(ADDONS.map((a) => a.namespace))].filter((n) => !PLATFORM_NAMESPACES.includes(n));
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
      // node-exporter needs the host network, PID namespace and paths: only its own namespace is privileged
      expect(
        namespaces.filter((d) => d.metadata.labels['pod-security.kubernetes.io/enforce'] === 'privileged').map((d) => d.metadata.name),
      ).toEqual(['node-exporter']);
      expect(namespaces.find((d) => d.metadata.name === 'observability')!.metadata.labels['pod-security.kubernetes.io/enforce']).toBe(
        'restricted',
      );
    },
  );

  test('an add-on that asks a platform namespace for less than "restricted" is refused', () => {
    // GIVEN node-exporter's privileged level put in the observability namespace
    const wrong = ADDONS.map((a) => (a.name === 'prometheus-node-exporter' ? { ...a, namespace: 'observability' } : a));
    // THEN the chart refuses it instead of weakening the namespace
    expect(() => new PlatformChart(Testing.app(), 'p', { config: ENVIRONMENTS[0], addons: wrong })).toThrow(
      'add-on prometheus-node-exporter: namespace observability is a platform namespace (restricted); privileged needs its own namespace',
    );
  });

  test.each(ENVIRONMENTS.map((c) => [c.name, c] as [string, EnvironmentConfig]))(
    '%s: the default StorageClass is EBS gp3, encrypted, bound in the pod zone; volumes are kept where stateful resources are',
    (_name, config) => {
      const [storageClass] = byKind(synth(config), 'StorageClass');
      expect(storageClass).toMatchObject({
        metadata: { name: 'gp3', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
        provisioner: 'ebs.csi.aws.com',
        parameters: { type: 'gp3', encrypted: 'true' },
        volumeBindingMode: 'WaitForFirstConsumer',
        allowVolumeExpansion: true,
        reclaimPolicy: config.stateful.removal === 'retain' ? 'Retain' : 'Delete',
      });
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

  // A fixture catalog: a rolling service and a canary, so the arithmetic below is visible.
  const [, , , WORKER] = SERVICES;
  const [WEB_API] = SERVICES;
  const rolling = withValue(
    withValue(withValue(withValue(WORKER, 'name', 'rolling'), 'scaling.maxReplicas', 4), 'rollout.maxSurgePercent', 25),
    'resources',
    { cpuMillis: 100, memoryMiB: 128 },
  );
  const canary = withValue(withValue(withValue(WEB_API, 'name', 'canary'), 'scaling.maxReplicas', 3), 'resources', {
    cpuMillis: 200,
    memoryMiB: 256,
  });

  test('a rolling update at full scale counts its surge twice: new pods starting while as many old ones terminate', () => {
    // 4 + 2 x ceil(25% of 4)
    expect(namespaceQuota([rolling]).pods).toBe(4 + 2 * 1);
    // a surge rounds up: 25% of 3 = 0.75 -> 1
    expect(namespaceQuota([withValue(rolling, 'scaling.maxReplicas', 3)]).pods).toBe(3 + 2 * 1);
  });

  test('canary and blue/green count a full second set (new at full size while the old one still runs, then terminates)', () => {
    expect(namespaceQuota([canary]).pods).toBe(2 * 3);
  });

  test('the headroom is added on top of the sum, rounded up, for every quantity', () => {
    expect(namespaceQuota([rolling, canary], 20)).toEqual({
      pods: Math.ceil((6 + 6) * 1.2), // 15
      requestsCpuMillis: Math.ceil((6 * 100 + 6 * 200) * 1.2),
      requestsMemoryMiB: Math.ceil((6 * 128 + 6 * 256) * 1.2),
      limitsCpuMillis: Math.ceil((6 * 200 + 6 * 400) * 1.2),
      limitsMemoryMiB: Math.ceil((6 * 128 + 6 * 256) * 1.2),
    });
  });

  test.each(ENVIRONMENTS.map((c) => [c.name, c] as [string, EnvironmentConfig]))(
    '%s: the worst moment of a rollout at full scale, plus a debug pod, fits in the quota',
    (name, config) => {
      const services = servicesFor(name);
      const quota = byKind(synth(config), 'ResourceQuota').find((d) => d.metadata.namespace === 'apps')!.spec.hard;
      // every service at maxReplicas, one of them mid-rollout (the one with the largest peak), one debug pod with the LimitRange defaults
      const atMax = (s: (typeof services)[number]) => s.scaling.maxReplicas;
      const extra = Math.max(...services.map((s) => peakPods(s) - atMax(s)));
      const rollingOne = services.find((s) => peakPods(s) - atMax(s) === extra)!;
      const pods = services.reduce((n, s) => n + atMax(s), 0) + extra + 1;
      const cpu = services.reduce((n, s) => n + atMax(s) * s.resources.cpuMillis, 0) + extra * rollingOne.resources.cpuMillis + 100;
      expect(Number(quota.pods)).toBeGreaterThanOrEqual(pods);
      expect(Number(quota['requests.cpu'].replace('m', ''))).toBeGreaterThanOrEqual(cpu);
    },
  );

  test('a namespace without services admits no pod', () => {
    // GIVEN dev with a second, empty workload namespace
    const docs = synth(withValue(dev, 'kubernetes.workloadNamespaces', ['apps', 'empty']));
    const quota = byKind(docs, 'ResourceQuota').find((d) => d.metadata.namespace === 'empty')!.spec.hard;
    expect(quota).toEqual({ pods: '0', 'requests.cpu': '0m', 'requests.memory': '0Mi', 'limits.cpu': '0m', 'limits.memory': '0Mi' });
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
