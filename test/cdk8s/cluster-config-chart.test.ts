import { Testing } from 'cdk8s';
import { ClusterConfigChart, KYVERNO_NAMESPACE } from '../../cdk8s/charts/cluster-config-chart';
import { kyvernoPolicyProblems } from '../../cdk8s/constructs/kyverno';
import { REQUIRED_POD_LABELS } from '../../cdk8s/conventions';
import { KubeDocument } from '../../cdk8s/policies';
import { dev, ENVIRONMENTS, prod, staging } from '../../lib/config/environments';
import { EnvironmentConfig } from '../../lib/config/types';

const synth = (config: EnvironmentConfig): KubeDocument[] =>
  Testing.synth(new ClusterConfigChart(Testing.app(), 'cluster-config', { config }));
const policy = (docs: KubeDocument[], name: string) => docs.find((d) => d.kind === 'ClusterPolicy' && d.metadata.name === name);
const REGISTRY = '000000000000.dkr.ecr.eu-west-1.amazonaws.com';

describe('ClusterConfigChart', () => {
  test.each(ENVIRONMENTS.map((c) => [c.name, c] as [string, EnvironmentConfig]))(
    '%s: every policy is a well-formed Kyverno ClusterPolicy',
    (_n, config) => {
      const policies = synth(config).filter((d) => d.kind === 'ClusterPolicy');
      expect(policies.length).toBeGreaterThanOrEqual(3);
      expect(policies.flatMap(kyvernoPolicyProblems)).toEqual([]);
    },
  );

  test('images only from the platform ECR registry, in every container list, in workload namespaces only', () => {
    const rule = policy(synth(dev), 'restrict-image-registries')!.spec.rules[0];
    expect(rule.match).toEqual({ any: [{ resources: { kinds: ['Pod'], namespaces: ['apps'] } }] });
    expect(rule.validate).toMatchObject({
      failureAction: 'Enforce',
      pattern: {
        spec: {
          '=(ephemeralContainers)': [{ image: `${REGISTRY}/*` }],
          '=(initContainers)': [{ image: `${REGISTRY}/*` }],
          containers: [{ image: `${REGISTRY}/*` }],
        },
      },
    });
  });

  test('no :latest and a tag or digest required', () => {
    const rules = policy(synth(dev), 'disallow-latest-tag')!.spec.rules;
    expect(rules.map((r: KubeDocument) => r.validate.pattern.spec.containers[0].image)).toEqual(['*:*', '!*:latest']);
  });

  test('the labels every workload carries', () => {
    const labels = policy(synth(dev), 'require-workload-labels')!.spec.rules[0].validate.pattern.metadata.labels;
    expect(Object.keys(labels).sort()).toEqual([...REQUIRED_POD_LABELS].sort());
    expect(Object.values(labels).every((v) => v === '?*')).toBe(true);
  });

  test.each([
    [dev, false],
    [staging, true],
    [prod, true],
  ])('signed images required: %s.tier -> %s', (config, signed) => {
    const docs = synth(config);
    expect(policy(docs, 'verify-image-signatures') !== undefined).toBe(signed);
    expect(docs.some((d) => d.kind === 'ExternalSecret')).toBe(signed);
  });

  test('signatures are checked against the pipeline key, read from Secrets Manager; the digest replaces the tag', () => {
    const docs = synth(prod);
    const verify = policy(docs, 'verify-image-signatures')!.spec.rules[0].verifyImages[0];
    expect(verify).toMatchObject({
      imageReferences: [`${REGISTRY}/*`],
      failureAction: 'Enforce',
      mutateDigest: true,
      verifyDigest: true,
      required: true,
    });
    expect(verify.attestors[0].entries[0].keys.secret).toEqual({ name: 'image-signing-public-key', namespace: KYVERNO_NAMESPACE });
    const key = docs.find((d) => d.kind === 'ExternalSecret')!;
    expect(key.spec.data).toEqual([{ secretKey: 'cosign.pub', remoteRef: { key: 'saas-platform/prod/image-signing-public-key' } }]);
  });

  test('the secret store reads Secrets Manager in the region, for the workload namespaces (and the policy engine where signing is on)', () => {
    const store = (config: EnvironmentConfig) => synth(config).find((d) => d.kind === 'ClusterSecretStore')!.spec;
    expect(store(dev)).toEqual({
      provider: { aws: { service: 'SecretsManager', region: 'eu-west-1' } },
      conditions: [{ namespaces: ['apps'] }],
    });
    expect(store(prod).conditions).toEqual([{ namespaces: ['apps', 'kyverno'] }]);
  });
});

describe('kyvernoPolicyProblems', () => {
  const good = () => JSON.parse(JSON.stringify(policy(synth(prod), 'verify-image-signatures')));

  test('compliant: the generated policies', () => {
    expect(kyvernoPolicyProblems(good())).toEqual([]);
  });

  test.each<[string, (p: KubeDocument) => void, string[]]>([
    ['wrong kind', (p) => (p.kind = 'Policy'), ['not a kyverno.io/v1 ClusterPolicy']],
    ['bad name', (p) => (p.metadata.name = 'Verify'), ['ClusterPolicy Verify: metadata.name is not a DNS label']],
    ['no background', (p) => delete p.spec.background, ['ClusterPolicy verify-image-signatures: spec.background is not a boolean']],
    ['no rules', (p) => (p.spec.rules = []), ['ClusterPolicy verify-image-signatures: spec.rules is not a non-empty list']],
    [
      'a rule that is not an object',
      (p) => (p.spec.rules = [1]),
      ['ClusterPolicy verify-image-signatures: spec.rules[0] is not an object'],
    ],
    [
      'rule without kinds or action',
      (p) => (p.spec.rules = [{ name: 'r', match: { any: [{ resources: {} }] } }]),
      [
        'ClusterPolicy verify-image-signatures: spec.rules[0].match.any does not list resource kinds',
        'ClusterPolicy verify-image-signatures: spec.rules[0] needs exactly one of validate, verifyImages',
      ],
    ],
    [
      'bad validate',
      (p) =>
        (p.spec.rules = [
          { name: 'R', match: { any: [{ resources: { kinds: ['Pod'] } }] }, validate: { failureAction: 'Deny', message: '', pattern: 1 } },
        ]),
      [
        'ClusterPolicy verify-image-signatures: spec.rules[0].name is not a DNS label',
        'ClusterPolicy verify-image-signatures: spec.rules[0].validate.failureAction is not Enforce or Audit',
        'ClusterPolicy verify-image-signatures: spec.rules[0].validate.message is empty',
        'ClusterPolicy verify-image-signatures: spec.rules[0].validate.pattern is not an object',
      ],
    ],
    [
      'verifyImages without references, action or key',
      (p) => (p.spec.rules[0].verifyImages = [{ imageReferences: [], attestors: [{ entries: [{ keys: { publicKeys: 'x' } }] }] }, 3]),
      [
        'ClusterPolicy verify-image-signatures: spec.rules[0].verifyImages[0].imageReferences is empty',
        'ClusterPolicy verify-image-signatures: spec.rules[0].verifyImages[0].failureAction is not Enforce or Audit',
        'ClusterPolicy verify-image-signatures: spec.rules[0].verifyImages[0].attestors has no key entry',
        'ClusterPolicy verify-image-signatures: spec.rules[0].verifyImages[1] is not an object',
      ],
    ],
    [
      'empty verifyImages',
      (p) => (p.spec.rules[0].verifyImages = []),
      ['ClusterPolicy verify-image-signatures: spec.rules[0].verifyImages is not a non-empty list'],
    ],
  ])('non-compliant: %s', (_label, breakIt, problems) => {
    const p = good();
    breakIt(p);
    expect(kyvernoPolicyProblems(p)).toEqual(problems);
  });
});
