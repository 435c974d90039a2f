import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Testing } from 'cdk8s';
import { configProblems, main } from '../../bin/manifests';
import * as manifests from '../../cdk8s/main';
import { buildCharts, documentsOf, ManifestPolicyError, synthManifests } from '../../cdk8s/main';
import { KubeDocument } from '../../cdk8s/policies';
import { albIngressClassName, apiOriginCertificateHosts, apiOriginColorHost } from '../../lib/config/edge-names';
import { dev, ENVIRONMENTS } from '../../lib/config/environments';
import { SERVICE_CATALOG, ServiceCatalog, ServiceSpec, servicesFor } from '../../lib/config/service-catalog';
import { SUPPORTED_KUBERNETES_VERSIONS } from '../../lib/config/regions';
import { EnvironmentConfig } from '../../lib/config/types';
import { withValue } from '../helpers';
import { detectSchemaVersion, SCHEMA_KUBERNETES_VERSION, schemaErrors, STABLE_CORE_APIS } from './schemas';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-'));
const ENVS = ENVIRONMENTS.map((c) => [c.name, c] as [string, EnvironmentConfig]);
// Every environment built once for the whole file.
const BUILT = new Map(ENVIRONMENTS.map((c) => [c.name, buildCharts(new App(), c)]));
const docsOf = (env: string): KubeDocument[] => documentsOf(BUILT.get(env)!);
/** The root Application's files, in apply order. */
const CHART_FILES = ['0000-platform', '0001-addons', '0002-cluster-config', '0003-monitoring', '0004-services'];
/** One directory per service: the source of its own Application. */
const SERVICE_FILES = SERVICE_CATALOG.services.map((s) => `services/${s.name}/${s.name}.k8s.yaml`);
const filesUnder = (dir: string): string[] =>
  fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();

describe('schema validation of every document', () => {
  test('kubernetes-models carries the 1.33 schemas; the clusters run a newer minor, on APIs stable across both', () => {
    // The mapping, stated once: schemas of SCHEMA_KUBERNETES_VERSION validate manifests for clusters of kubernetes.version.
    expect(detectSchemaVersion()).toBe(SCHEMA_KUBERNETES_VERSION);
    const minor = (v: string) => Number(v.split('.')[1]);
    for (const config of ENVIRONMENTS) {
      expect(minor(config.kubernetes.version)).toBeGreaterThanOrEqual(minor(SCHEMA_KUBERNETES_VERSION));
    }
  });

  test.each(ENVS)('%s: every document validates against its Kubernetes or CRD schema', (name) => {
    const docs = docsOf(name);
    expect(docs.length).toBeGreaterThan(50);
    expect(docs.flatMap(schemaErrors)).toEqual([]);
  });

  test.each(ENVS)('%s: core objects use only APIs that are GA at the schema version and still served by the cluster', (name) => {
    const core = new Set(
      docsOf(name)
        .map((d) => d.apiVersion)
        .filter(
          (v: string) =>
            !v.includes('.') ||
            v.includes('k8s.io/') ||
            v.split('/').length === 1 ||
            ['apps/v1', 'autoscaling/v2', 'policy/v1'].includes(v),
        ),
    );
    for (const api of core) expect(STABLE_CORE_APIS).toContain(api);
  });

  test('IngressClassParams validation is not vacuous: an unknown field, a wrong enum, a malformed attribute are caught', () => {
    const params = JSON.parse(JSON.stringify(docsOf('dev').find((d) => d.kind === 'IngressClassParams')));
    expect(schemaErrors(params)).toEqual([]);
    params.spec.securityGroups = ['x'];
    params.spec.scheme = 'public';
    params.spec.loadBalancerAttributes[0] = { key: 'a', val: 'b' };
    delete params.spec.group.name;
    expect(schemaErrors(params)[0].split('\n')).toEqual([
      expect.stringMatching(
        /^elbv2.k8s.aws\/v1beta1\/IngressClassParams saas-platform-dev: spec.loadBalancerAttributes: .* is not "attributes"$/,
      ),
      'spec.scheme: "public" is not ["internal","internet-facing"]',
      'spec.securityGroups: ["x"] is not a field of IngressClassParams',
      'spec.group.name is required',
    ]);
  });

  test('validation is not vacuous: a wrong type or a missing required field is caught', () => {
    const rollout = JSON.parse(JSON.stringify(docsOf('dev').find((d) => d.kind === 'Rollout')));
    rollout.spec.strategy.canary.steps[0].setWeight = 'ten';
    expect(schemaErrors(rollout)[0]).toMatch(/^argoproj.io\/v1alpha1\/Rollout web-api: .*setWeight/);
    const hpa = JSON.parse(JSON.stringify(docsOf('dev').find((d) => d.kind === 'HorizontalPodAutoscaler')));
    delete hpa.spec.maxReplicas;
    expect(schemaErrors(hpa)[0]).toMatch(/maxReplicas/);
    expect(schemaErrors({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([
      'example.com/v1/Widget: no schema to validate against; add its model to test/cdk8s/schemas.ts',
    ]);
  });
});

describe('rollouts per service and environment', () => {
  const cases = ENVIRONMENTS.flatMap((config) =>
    servicesFor(config.name).map((s) => [config.name, s.name, s] as [string, string, ServiceSpec]),
  );
  const find = (env: string, kind: string, name: string) => docsOf(env).find((d) => d.kind === kind && d.metadata.name === name);

  test.each(cases)('%s/%s: the workload kind, steps, analysis queries and rollback settings follow the catalog', (env, name, spec) => {
    const workload = find(env, spec.rollout.strategy === 'rolling' ? 'Deployment' : 'Rollout', name)!;
    expect(workload).toBeDefined();
    expect(find(env, 'HorizontalPodAutoscaler', name)!.spec).toMatchObject({
      minReplicas: spec.scaling.minReplicas,
      maxReplicas: spec.scaling.maxReplicas,
    });
    if (spec.rollout.strategy === 'rolling') {
      expect(workload.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
      return;
    }
    expect(workload.spec).toMatchObject({ progressDeadlineAbort: true });
    const thresholds = [Number((spec.slo.availabilityPercent / 100).toFixed(6)), Number((spec.slo.latencyP95Millis / 1000).toFixed(3))];
    const slo = find(env, 'AnalysisTemplate', `${name}-slo`)!;
    expect(slo.spec.metrics.map((m: KubeDocument) => m.successCondition)).toEqual([
      `len(result) > 0 && !isNaN(result[0]) && result[0] >= ${thresholds[0]}`,
      `len(result) > 0 && !isNaN(result[0]) && result[0] <= ${thresholds[1]}`,
    ]);
    for (const m of slo.spec.metrics) {
      expect(m.provider.prometheus.query).toContain(`app_kubernetes_io_name="${name}"`);
      expect(m.failureLimit).toBe(spec.rollout.analysis?.failureLimit ?? 1);
    }
    if (spec.rollout.strategy === 'canary') {
      const canary = workload.spec.strategy.canary;
      const weights = canary.steps.filter((s: KubeDocument) => s.setWeight !== undefined).map((s: KubeDocument) => s.setWeight);
      expect(weights).toEqual(spec.rollout.steps.map((s) => s.weightPercent));
      expect(weights.at(-1)).toBe(100);
      const analysisSteps = canary.steps.filter((s: KubeDocument) => s.analysis).length;
      expect(analysisSteps).toBe(spec.rollout.steps.filter((s) => s.analysis).length);
      expect(canary).toMatchObject({
        maxUnavailable: 0,
        abortScaleDownDelaySeconds: 30,
        analysis: { startingStep: 1 },
        trafficRouting: { alb: { servicePort: spec.port } },
      });
    } else {
      expect(workload.spec.strategy.blueGreen).toMatchObject({
        maxUnavailable: 0,
        previewService: `${name}-preview`,
        postPromotionAnalysis: { templates: [{ templateName: `${name}-slo` }] },
      });
    }
  });
});

describe('edge contract', () => {
  test.each(ENVS)("%s: every Ingress answers for the origin hosts of the edge and publishes only this cluster's name", (name, config) => {
    const ingresses = docsOf(name).filter((d) => d.kind === 'Ingress');
    expect(ingresses.map((i) => i.metadata.name)).toEqual(
      servicesFor(name)
        .filter((s) => s.ingress)
        .map((s) => s.name),
    );
    for (const ingress of ingresses) {
      expect(ingress.spec.rules.map((r: KubeDocument) => r.host)).toEqual(apiOriginCertificateHosts(config.domain.zoneName));
      expect(ingress.metadata.annotations['external-dns.alpha.kubernetes.io/hostname']).toBe(
        apiOriginColorHost(config.domain.zoneName, 'blue'),
      );
      expect(ingress.spec.ingressClassName).toBe(albIngressClassName(name));
      // ExternalDNS must never publish the rule hosts: api-origin.<zone> is CDK's failover/weighted record.
      expect(ingress.metadata.annotations['external-dns.alpha.kubernetes.io/ingress-hostname-source']).toBe('annotation-only');
    }
  });
});

describe('tripwire snapshots: one per chart per environment', () => {
  test.each(ENVIRONMENTS.flatMap((c) => BUILT.get(c.name)!.map((chart) => [c.name, chart.node.id] as [string, string])))(
    '%s/%s',
    (env, id) => {
      const chart = BUILT.get(env)!.find((c) => c.node.id === id)!;
      expect(Testing.synth(chart)).toMatchSnapshot();
    },
  );
});

describe('synthManifests', () => {
  test('writes dist/<env>/ with one file per chart, numbered in apply order, and removes stale files', () => {
    const out = tmp();
    fs.mkdirSync(path.join(out, 'dev'));
    fs.writeFileSync(path.join(out, 'dev', 'removed-service.k8s.yaml'), 'stale');
    fs.mkdirSync(path.join(out, 'dev', 'services', 'removed-service'), { recursive: true });
    fs.writeFileSync(path.join(out, 'dev', 'services', 'removed-service', 'removed-service.k8s.yaml'), 'stale');
    fs.writeFileSync(path.join(out, 'dev', 'notes.txt'), 'kept');
    const dirs = synthManifests(ENVIRONMENTS, out);
    expect(dirs).toEqual(ENVIRONMENTS.map((c) => path.join(out, c.name)));
    const expected = [...CHART_FILES.map((f) => `${f}.k8s.yaml`), ...SERVICE_FILES];
    expect(filesUnder(path.join(out, 'prod'))).toEqual([...expected].sort());
    expect(filesUnder(path.join(out, 'dev'))).toEqual([...expected, 'notes.txt'].sort());
    expect(fs.readFileSync(path.join(out, 'prod', '0000-platform.k8s.yaml'), 'utf8')).toContain(
      'pod-security.kubernetes.io/enforce: restricted',
    );
  });

  test('adding a service is one catalog entry: its chart appears with every object', () => {
    // GIVEN the catalog plus one entry
    const entry: ServiceSpec = {
      name: 'search-api',
      team: 'core-api',
      image: { repository: 'search-api', tag: '0.3.0' },
      port: 8080,
      health: { readinessPath: '/ready', livenessPath: '/live' },
      resources: { cpuMillis: 200, memoryMiB: 256 },
      scaling: { minReplicas: 2, maxReplicas: 6 },
      rollout: { strategy: 'canary', steps: [{ weightPercent: 20, analysis: true }, { weightPercent: 100 }] },
      slo: { availabilityPercent: 99.9, latencyP95Millis: 250 },
      ingress: { pathPrefix: '/search' },
    };
    const catalog: ServiceCatalog = { ...SERVICE_CATALOG, services: [...SERVICE_CATALOG.services, entry] };
    expect(configProblems(ENVIRONMENTS, catalog)).toEqual([]);
    // WHEN synthesized
    const out = tmp();
    synthManifests([dev], out, { catalog });
    // THEN a new file holds the service's objects, and they pass every rule (synthManifests checks) and schema
    expect(filesUnder(path.join(out, 'dev'))).toContain('services/search-api/search-api.k8s.yaml');
    const docs = documentsOf(buildCharts(new App(), dev, { catalog })).filter((d) => d.metadata?.name?.startsWith('search-api'));
    expect(docs.map((d) => d.kind).sort()).toEqual(
      [
        'AnalysisTemplate',
        'AnalysisTemplate',
        // its Argo CD Application, in the root Application's services file
        'Application',
        'HorizontalPodAutoscaler',
        'Ingress',
        'NetworkPolicy',
        'PodDisruptionBudget',
        'PodMonitor',
        // its alerts: burn rate on its SLO, latency, 5xx
        'PrometheusRule',
        'Rollout',
        'Service',
        'Service',
        'ServiceAccount',
      ].sort(),
    );
    expect(docs.flatMap(schemaErrors)).toEqual([]);
  });

  test('a document that breaks a platform rule: every finding listed, nothing written', () => {
    // GIVEN a catalog that skipped validation and asks for :latest
    const catalog = withValue(SERVICE_CATALOG, 'services.3.image.tag', 'latest');
    const out = tmp();
    // THEN the synth-time rules refuse it before any file exists
    expect(() => synthManifests(ENVIRONMENTS, out, { catalog })).toThrow(ManifestPolicyError);
    try {
      synthManifests(ENVIRONMENTS, out, { catalog });
    } catch (e) {
      expect((e as ManifestPolicyError).findings.map((f) => `${f.environment}/${f.path} ${f.rule}`)).toEqual([
        'dev/Deployment/apps/worker K8S-IMG1',
        'staging/Deployment/apps/worker K8S-IMG1',
        'prod/Deployment/apps/worker K8S-IMG1',
      ]);
    }
    expect(fs.readdirSync(out)).toEqual([]);
  });
});

describe('bin/manifests main', () => {
  const run = (env: NodeJS.ProcessEnv, catalog?: unknown) => {
    const lines: string[] = [];
    const code = catalog === undefined ? main(env, (l) => lines.push(l)) : main(env, (l) => lines.push(l), catalog);
    return { code, lines };
  };

  test('good config: exit code 0 and files in CDK8S_OUTDIR', () => {
    const out = tmp();
    expect(run({ CDK8S_OUTDIR: out }).code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['dev', 'prod', 'staging']);
  });

  test('bad service spec: one line per problem naming service and field, exit code 1, nothing written', () => {
    const out = path.join(tmp(), 'dist');
    let catalog = withValue(SERVICE_CATALOG, 'services.2.scaling.minReplicas', 30);
    catalog = withValue(catalog, 'services.0.secrets', ['vault-token']);
    const { code, lines } = run({ CDK8S_OUTDIR: out }, catalog);
    expect(code).toBe(1);
    expect(lines).toEqual([
      'Configuration has 2 problem(s); no manifests were written:\n' +
        `services.web-api.secrets[0]: "vault-token" is not a known secret; use one of ${Object.keys(SERVICE_CATALOG.secrets).join(', ')}, or declare it here as { name, description }\n` +
        'services.payment-service.scaling.minReplicas: 30 is more than maxReplicas 12; minReplicas must not exceed maxReplicas',
    ]);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('bad environment and bad catalog are reported together', () => {
    const out = tmp();
    const file = path.join(out, 'config.json');
    // dev on its own (its parent prod is not in the file, so the registrar delegates its zone)
    const devAlone = withValue(dev, 'domain.delegatedFrom', undefined);
    fs.writeFileSync(file, JSON.stringify([withValue(devAlone, 'kubernetes.version', '1.20')]));
    const catalog = withValue(SERVICE_CATALOG, 'services.0.slo.availabilityPercent', 100);
    const { code, lines } = run({ PLATFORM_CONFIG_FILE: file, CDK8S_OUTDIR: path.join(out, 'dist') }, catalog);
    expect(code).toBe(1);
    expect(lines).toEqual([
      'Configuration has 2 problem(s); no manifests were written:\n' +
        `dev.kubernetes.version: "1.20" is not allowed; use one of ${SUPPORTED_KUBERNETES_VERSIONS.join(', ')}\n` +
        'services.web-api.slo.availabilityPercent: 100 is outside (0, 100); use a percentage such as 99.9 (100 leaves no error budget)',
    ]);
    expect(fs.existsSync(path.join(out, 'dist'))).toBe(false);
  });

  test('an environment list that is not a list is reported, the catalog still checked', () => {
    expect(configProblems({ name: 'dev' }, SERVICE_CATALOG)).toEqual([
      { path: 'environments', message: '{"name":"dev"} is not a non-empty list of environments' },
    ]);
  });

  test('a platform rule finding: one line each, exit code 1', () => {
    const finding = {
      environment: 'dev',
      rule: 'K8S-IMG1',
      path: 'Deployment/apps/worker',
      message: 'container worker: image x is not from y',
    };
    const spy = jest.spyOn(manifests, 'synthManifests').mockImplementation(() => {
      throw new ManifestPolicyError([finding]);
    });
    try {
      expect(run({ CDK8S_OUTDIR: tmp() }).lines).toEqual([
        'Manifests break 1 platform rule(s); no manifests were written:\ndev/Deployment/apps/worker: [K8S-IMG1] container worker: image x is not from y',
      ]);
    } finally {
      spy.mockRestore();
    }
  });

  test('any other failure is one line, never a stack trace', () => {
    const file = path.join(tmp(), 'not-a-dir');
    fs.writeFileSync(file, '');
    const { code, lines } = run({ CDK8S_OUTDIR: file });
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Manifest synthesis failed: /);
    expect(lines[0]).not.toContain('\n    at ');
  });
});
