import { Testing } from 'cdk8s';
import { ADDONS, KYVERNO_RELEASE, SYSTEM_POOL } from '../../cdk8s/addons';
import { AddonsChart } from '../../cdk8s/charts/addons-chart';
import { CLUSTER_POLICY_LAST_MINOR } from '../../cdk8s/constructs/kyverno';
import { PRIORITY_CLASSES } from '../../cdk8s/conventions';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { imageSigningKey } from '../../lib/config/image-signing';
import { ADDON_IDENTITIES } from '../../lib/config/naming';
import { EnvironmentConfig } from '../../lib/config/types';

const EACH: [string, EnvironmentConfig][] = ENVIRONMENTS.map((c) => [c.name, c]);
const kyverno = ADDONS.find((a) => a.name === 'kyverno')!;

/**
 * Values paths of the Kyverno chart at the pin that the platform sets, transcribed from
 * kyverno/kyverno@v1.18.2:charts/kyverno/values.yaml (chart 3.8.2). A value set under a path that is
 * not here is silently ignored by Helm: add it only after finding it in the chart at the pinned tag.
 */
const CHART_VALUE_PATHS = new Set([
  'admissionController.replicas',
  'admissionController.priorityClassName',
  'admissionController.nodeSelector',
  'admissionController.tolerations',
  'admissionController.rbac.serviceAccount.name',
  'admissionController.container.extraEnvVars',
  'backgroundController.replicas',
  'backgroundController.nodeSelector',
  'backgroundController.tolerations',
  'cleanupController.replicas',
  'cleanupController.nodeSelector',
  'cleanupController.tolerations',
  'reportsController.replicas',
  'reportsController.nodeSelector',
  'reportsController.tolerations',
  'features.registryClient.credentialHelpers',
  'config.webhooks.namespaceSelector.matchExpressions',
]);
/** Maps whose keys are data (label names), not chart settings. */
const FREE_FORM = new Set(['nodeSelector']);

/** The settings paths of a values object: down to a list, a scalar or a free-form map. */
const paths = (value: unknown, prefix = ''): string[] =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !FREE_FORM.has(prefix.split('.').pop()!)
    ? Object.entries(value).flatMap(([k, v]) => paths(v, prefix ? `${prefix}.${k}` : k))
    : [prefix];

const minor = (version: string) => Number(version.replace(/^v/, '').split('.')[1]);

describe('Kyverno add-on', () => {
  test('pinned at the chart that ships Kyverno 1.18.2', () => {
    expect(kyverno.version).toBe(KYVERNO_RELEASE.chartVersion);
    expect(KYVERNO_RELEASE).toMatchObject({ chartVersion: '3.8.2', appVersion: 'v1.18.2' });
  });

  test.each(EACH)("%s: the cluster's Kubernetes version is inside Kyverno's supported range", (_n, config) => {
    const k8s = minor(config.kubernetes.version);
    expect(k8s).toBeGreaterThanOrEqual(minor(KYVERNO_RELEASE.kubernetes.min));
    expect(k8s).toBeLessThanOrEqual(minor(KYVERNO_RELEASE.kubernetes.max));
  });

  test('the pinned Kyverno still serves the kyverno.io/v1 ClusterPolicy our policies are written in', () => {
    expect(minor(KYVERNO_RELEASE.appVersion)).toBeLessThanOrEqual(minor(`${CLUSTER_POLICY_LAST_MINOR}.0`));
  });

  test.each(EACH)('%s: every value set exists in the chart at the pin', (_n, config) => {
    const unknown = paths(kyverno.values(config)).filter((p) => !CHART_VALUE_PATHS.has(p));
    expect(unknown).toEqual([]);
  });

  test.each(EACH)("%s: the admission controller runs as the service account CDK associates, with the key's region", (_n, config) => {
    const values = kyverno.values(config) as Record<string, Record<string, unknown>>;
    expect(kyverno.namespace).toBe(ADDON_IDENTITIES.kyverno.namespace);
    expect(values.admissionController).toMatchObject({
      rbac: { serviceAccount: { name: ADDON_IDENTITIES.kyverno.serviceAccount } },
      container: { extraEnvVars: [{ name: 'AWS_REGION', value: imageSigningKey().region }] },
      priorityClassName: PRIORITY_CLASSES.platform.name,
      ...SYSTEM_POOL,
    });
  });

  test.each(EACH)(
    '%s: the API server sends Kyverno only the workload namespaces (a Kyverno outage never blocks the platform)',
    (_n, config) => {
      const values = kyverno.values(config) as Record<string, Record<string, unknown>>;
      expect(values.config).toEqual({
        webhooks: {
          namespaceSelector: {
            matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...config.kubernetes.workloadNamespaces] }],
          },
        },
      });
    },
  );

  test('the Argo CD Application carries these values', () => {
    const [config] = ENVIRONMENTS;
    const app = Testing.synth(new AddonsChart(Testing.app(), 'addons', { config, addons: ADDONS })).find(
      (d) => d.kind === 'Application' && d.metadata.name === 'kyverno',
    )!;
    expect(app.spec.source).toMatchObject({ targetRevision: '3.8.2', helm: { valuesObject: kyverno.values(config) } });
  });
});
