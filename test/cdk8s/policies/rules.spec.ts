import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { buildCharts, documentsOf } from '../../../cdk8s/main';
import { checkManifests, KubeDocument, MANIFEST_RULES } from '../../../cdk8s/policies';
import { containerProbes } from '../../../cdk8s/policies/container-probes';
import { containerResources } from '../../../cdk8s/policies/container-resources';
import { podTemplateOf } from '../../../cdk8s/policies/facts';
import { imageSource } from '../../../cdk8s/policies/image-source';
import { noSecretValues } from '../../../cdk8s/policies/no-secret-values';
import { podSecurityRestricted } from '../../../cdk8s/policies/pod-security-restricted';
import { requiredLabels } from '../../../cdk8s/policies/required-labels';
import { workloadAvailability } from '../../../cdk8s/policies/workload-availability';
import { zeroUnavailable } from '../../../cdk8s/policies/zero-unavailable';
import { REQUIRED_POD_LABELS } from '../../../cdk8s/conventions';
import { staging } from '../../../lib/config/environments';

const REGISTRY = '000000000000.dkr.ecr.eu-west-1.amazonaws.com';
// The real documents of staging, built once: the compliant half of every pair.
const DOCS: KubeDocument[] = documentsOf(buildCharts(new App(), staging));
const copy = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const find = (kind: string, name: string) => copy(DOCS.find((d) => d.kind === kind && d.metadata.name === name)!);
const deployment = () => find('Deployment', 'worker');
const rollout = () => find('Rollout', 'web-api');
const pod = (doc: KubeDocument) => podTemplateOf(doc)!.spec;
const c0 = (doc: KubeDocument) => pod(doc).containers[0];
const messages = (findings: { message: string }[]) => findings.map((f) => f.message);

describe('every rule over the shipped manifests', () => {
  test('staging is compliant with every rule', () => {
    expect(checkManifests(DOCS, { registry: REGISTRY, requiredLabels: REQUIRED_POD_LABELS })).toEqual([]);
  });
  test('docs/k8s/deployment-standards.md lists every rule', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'k8s', 'deployment-standards.md'), 'utf8');
    for (const id of Object.keys(MANIFEST_RULES)) expect(doc).toContain(`| ${id} |`);
  });
  test('each rule has an explanation', () => {
    expect(Object.keys(MANIFEST_RULES)).toEqual([
      'K8S-PRB1',
      'K8S-RES1',
      'K8S-PSS1',
      'K8S-AVL1',
      'K8S-ROL1',
      'K8S-LBL1',
      'K8S-IMG1',
      'K8S-SEC1',
    ]);
  });
});

describe('K8S-PRB1 containerProbes', () => {
  test('compliant: startup, readiness and liveness', () => {
    expect(containerProbes(rollout())).toEqual([]);
  });
  test('non-compliant: missing probes are named, with the document path', () => {
    const d = deployment();
    delete c0(d).readinessProbe;
    delete c0(d).startupProbe;
    expect(containerProbes(d)).toEqual([
      {
        rule: 'K8S-PRB1',
        path: 'Deployment/apps/worker',
        message: 'container worker has no startupProbe, readinessProbe; every service container is probed',
      },
    ]);
  });
  test('jobs and non-workloads are not probed', () => {
    expect(
      containerProbes({ kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { containers: [{ name: 'x' }] } } } }),
    ).toEqual([]);
    expect(containerProbes(find('Service', 'web-api'))).toEqual([]);
  });
});

describe('K8S-RES1 containerResources', () => {
  test('compliant: requests and limits for cpu and memory', () => {
    expect(containerResources(deployment())).toEqual([]);
  });
  test('non-compliant: the missing ones are listed', () => {
    const d = deployment();
    delete c0(d).resources.limits.cpu;
    delete c0(d).resources.requests;
    expect(messages(containerResources(d))).toEqual([
      'container worker has no requests.cpu, requests.memory, limits.cpu; set requests and limits for cpu and memory',
    ]);
  });
  test('a CronJob pod is checked too', () => {
    const cron = {
      kind: 'CronJob',
      metadata: { name: 'c', namespace: 'apps' },
      spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'x' }] } } } } },
    };
    expect(containerResources(cron)).toHaveLength(1);
  });
});

describe('K8S-PSS1 podSecurityRestricted', () => {
  test('compliant: the Microservice pods', () => {
    expect(podSecurityRestricted(rollout())).toEqual([]);
    expect(podSecurityRestricted(deployment())).toEqual([]);
  });
  test('non-compliant: every violation of "restricted" is named', () => {
    const d = deployment();
    Object.assign(pod(d), {
      hostNetwork: true,
      automountServiceAccountToken: undefined,
      volumes: [{ name: 'host', hostPath: { path: '/' } }],
    });
    delete pod(d).securityContext;
    c0(d).securityContext = { runAsUser: 0, privileged: true, capabilities: { add: ['SYS_ADMIN', 'NET_BIND_SERVICE'] } };
    c0(d).ports = [{ containerPort: 8080, hostPort: 8080 }];
    expect(messages(podSecurityRestricted(d))).toEqual([
      'hostNetwork is true',
      'volume host is a hostPath',
      'automountServiceAccountToken is not set; set false unless the pod calls the Kubernetes API',
      'container worker: runAsNonRoot is not true',
      'container worker: runAsUser is 0',
      'container worker: allowPrivilegeEscalation is not false',
      'container worker: privileged is true',
      'container worker: capabilities.drop does not include ALL',
      'container worker: capabilities.add has SYS_ADMIN',
      'container worker: seccompProfile is not set; use RuntimeDefault',
      'container worker: readOnlyRootFilesystem is not true; mount an emptyDir where it writes',
      'container worker: uses a hostPort',
    ]);
  });
  test('pod-level runAsNonRoot and seccomp count for every container', () => {
    const d = deployment();
    delete c0(d).securityContext.runAsNonRoot;
    delete c0(d).securityContext.seccompProfile;
    expect(podSecurityRestricted(d)).toEqual([]);
  });
});

describe('K8S-AVL1 workloadAvailability', () => {
  test('compliant: every workload has an HPA and a PDB', () => {
    expect(workloadAvailability(DOCS)).toEqual([]);
  });
  test('non-compliant: no HPA, no PDB', () => {
    const docs = DOCS.filter((d) => !(d.metadata.name === 'worker' && ['HorizontalPodAutoscaler', 'PodDisruptionBudget'].includes(d.kind)));
    expect(messages(workloadAvailability(docs))).toEqual([
      'no HorizontalPodAutoscaler targets Deployment worker',
      'no PodDisruptionBudget selects its pods',
    ]);
  });
  test('non-compliant: a fixed replica count next to an HPA', () => {
    const docs = DOCS.map((d) => (d.kind === 'Rollout' && d.metadata.name === 'web-api' ? { ...d, spec: { ...d.spec, replicas: 3 } } : d));
    expect(workloadAvailability(docs)).toEqual([
      { rule: 'K8S-AVL1', path: 'Rollout/apps/web-api', message: 'sets replicas while an HPA manages it; leave replicas out' },
    ]);
  });
  test('a PDB in another namespace or with an empty selector does not count', () => {
    const pdb = find('PodDisruptionBudget', 'worker');
    const others = DOCS.filter((d) => !(d.kind === 'PodDisruptionBudget' && d.metadata.name === 'worker'));
    const elsewhere = { ...pdb, metadata: { ...pdb.metadata, namespace: 'other' } };
    const empty = { ...pdb, spec: { selector: { matchLabels: {} } } };
    expect(workloadAvailability([...others, elsewhere, empty]).map((f) => f.path)).toEqual(['Deployment/apps/worker']);
  });
});

describe('K8S-ROL1 zeroUnavailable', () => {
  test('compliant: Deployment and Rollouts with maxUnavailable 0', () => {
    expect(DOCS.flatMap(zeroUnavailable)).toEqual([]);
  });
  test.each<[string, () => KubeDocument, string]>([
    [
      'Deployment default',
      () => ({ ...deployment(), spec: { ...deployment().spec, strategy: undefined } }),
      'maxUnavailable is not set (25% by default); use 0',
    ],
    [
      'Deployment 1',
      () => ({
        ...deployment(),
        spec: { ...deployment().spec, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } },
      }),
      'maxUnavailable is 1; use 0',
    ],
    [
      'Recreate',
      () => ({ ...deployment(), spec: { ...deployment().spec, strategy: { type: 'Recreate' } } }),
      'uses the Recreate strategy; use RollingUpdate with maxUnavailable 0',
    ],
    [
      'canary 10%',
      () => ({ ...rollout(), spec: { ...rollout().spec, strategy: { canary: { maxUnavailable: '10%' } } } }),
      'maxUnavailable is "10%"; use 0',
    ],
  ])('non-compliant: %s', (_label, doc, message) => {
    expect(messages(zeroUnavailable(doc()))).toEqual([message]);
  });
});

describe('K8S-LBL1 requiredLabels', () => {
  test('compliant: the Microservice pod labels', () => {
    expect(requiredLabels(rollout(), REQUIRED_POD_LABELS)).toEqual([]);
  });
  test('non-compliant: a missing and an empty label', () => {
    const d = rollout();
    delete podTemplateOf(d)!.metadata.labels['platform.example.com/team'];
    podTemplateOf(d)!.metadata.labels['app.kubernetes.io/version'] = '';
    expect(messages(requiredLabels(d, REQUIRED_POD_LABELS))).toEqual([
      'pod template lacks the label(s) app.kubernetes.io/version, platform.example.com/team',
    ]);
  });
});

describe('K8S-IMG1 imageSource', () => {
  test('compliant: our registry with a release tag, or a digest', () => {
    expect(imageSource(rollout(), REGISTRY)).toEqual([]);
    const d = rollout();
    c0(d).image = `${REGISTRY}/web-api@sha256:${'a'.repeat(64)}`;
    expect(imageSource(d, REGISTRY)).toEqual([]);
  });
  test.each([
    [
      'docker.io/library/nginx:1.27',
      'container web-api: image docker.io/library/nginx:1.27 is not from 000000000000.dkr.ecr.eu-west-1.amazonaws.com',
    ],
    [`${REGISTRY}/web-api:latest`, `container web-api: image ${REGISTRY}/web-api:latest has no immutable tag; use a release tag or digest`],
    [`${REGISTRY}/web-api`, `container web-api: image ${REGISTRY}/web-api has no immutable tag; use a release tag or digest`],
  ])('non-compliant: %s', (image, message) => {
    const d = rollout();
    c0(d).image = image;
    expect(messages(imageSource(d, REGISTRY))).toEqual([message]);
  });
});

describe('K8S-SEC1 noSecretValues', () => {
  test('compliant: secrets come through envFrom of the ExternalSecret target', () => {
    expect(DOCS.flatMap(noSecretValues)).toEqual([]);
  });
  test('non-compliant: a Secret object, a literal password', () => {
    expect(messages(noSecretValues({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'apps' } }))).toEqual([
      'is a Secret; declare an ExternalSecret backed by Secrets Manager instead',
    ]);
    const d = rollout();
    c0(d).env.push({ name: 'DB_PASSWORD', value: 'hunter2' }, { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'x', key: 'y' } } });
    expect(messages(noSecretValues(d))).toEqual(['container web-api: variable DB_PASSWORD has a literal value; read it from a secret']);
  });
});
