import { Testing } from 'cdk8s';
import { ADDONS } from '../../cdk8s/addons';
import { ClusterConfigChart, PATTERN_POLICY_WEBHOOK, VERIFY_IMAGES_WEBHOOK } from '../../cdk8s/charts/cluster-config-chart';
import { kyvernoPolicyProblems } from '../../cdk8s/constructs/kyverno';
import { PLATFORM_NAMESPACES, REQUIRED_POD_LABELS } from '../../cdk8s/conventions';
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
    // the key is read from KMS by Kyverno itself: no secret is synced into the cluster for it
    expect(docs.some((d) => d.kind === 'ExternalSecret')).toBe(false);
  });

  test.each([
    ['staging', staging],
    ['prod', prod],
  ])(
    '%s: an unsigned image from our registry is refused: every registry image must carry the pipeline signature (required, Enforce)',
    (_n, config) => {
      const rule = policy(synth(config), 'verify-image-signatures')!.spec.rules[0];
      expect(rule.match).toEqual({ any: [{ resources: { kinds: ['Pod'], namespaces: [...config.kubernetes.workloadNamespaces] } }] });
      expect(rule.verifyImages).toEqual([
        {
          imageReferences: [`${REGISTRY}/*`],
          failureAction: 'Enforce',
          required: true,
          mutateDigest: true,
          verifyDigest: true,
          imageRegistryCredentials: { providers: ['amazon'] },
          attestors: [
            {
              count: 1,
              entries: [
                {
                  keys: {
                    kms: 'awskms:///arn:aws:kms:eu-west-1:000000000000:alias/saas-platform/image-signing',
                    rekor: { ignoreTlog: true },
                    ctlog: { ignoreSCT: true },
                  },
                },
              ],
            },
          ],
        },
      ]);
    },
  );

  test.each([
    ['staging', staging],
    ['prod', prod],
  ])('%s: no image escapes both rules: what the registry rule admits, the signature rule verifies', (_n, config) => {
    const docs = synth(config);
    const registryRule = policy(docs, 'restrict-image-registries')!.spec.rules[0];
    const verifyRule = policy(docs, 'verify-image-signatures')!.spec.rules[0];
    // GIVEN the same pods WHEN an image is admitted by the registry rule THEN the signature rule covers it
    expect(verifyRule.match).toEqual(registryRule.match);
    for (const list of ['containers', '=(initContainers)', '=(ephemeralContainers)']) {
      expect(registryRule.validate.pattern.spec[list]).toEqual([{ image: verifyRule.verifyImages[0].imageReferences[0] }]);
    }
  });

  test('signature checks do not rewrite pod templates (no GitOps drift): pods only', () => {
    const verify = policy(synth(prod), 'verify-image-signatures')!;
    expect(verify.metadata.annotations['pod-policies.kyverno.io/autogen-controllers']).toBe('none');
    expect(verify.spec.background).toBe(false);
  });

  test.each(ENVIRONMENTS.map((c) => [c.name, c] as [string, EnvironmentConfig]))(
    '%s: no policy can lock out the platform: every rule names workload namespaces only',
    (_n, config) => {
      const platformNamespaces = [
        'kube-system',
        'kube-public',
        'kube-node-lease',
        ...PLATFORM_NAMESPACES,
        ...ADDONS.map((a) => a.namespace),
      ];
      const matched = synth(config)
        .filter((d) => d.kind === 'ClusterPolicy')
        .flatMap((p) => p.spec.rules.flatMap((r: KubeDocument) => r.match.any.map((m: KubeDocument) => m.resources.namespaces)));
      expect(matched.length).toBeGreaterThanOrEqual(4);
      for (const namespaces of matched) {
        expect(namespaces).toEqual([...config.kubernetes.workloadNamespaces]);
        expect(namespaces.filter((n: string) => platformNamespaces.includes(n))).toEqual([]);
      }
    },
  );

  test('webhook failure policy and timeout are deliberate: Fail everywhere, 10 s for patterns, 30 s (the maximum) for signatures', () => {
    const docs = synth(prod).filter((d) => d.kind === 'ClusterPolicy');
    for (const p of docs) {
      expect(p.spec.webhookConfiguration).toEqual(
        p.metadata.name === 'verify-image-signatures' ? VERIFY_IMAGES_WEBHOOK : PATTERN_POLICY_WEBHOOK,
      );
    }
    expect(PATTERN_POLICY_WEBHOOK).toEqual({ failurePolicy: 'Fail', timeoutSeconds: 10 });
    expect(VERIFY_IMAGES_WEBHOOK).toEqual({ failurePolicy: 'Fail', timeoutSeconds: 30 });
  });

  test('Secrets Manager has no cluster-wide store: the only ClusterSecretStore reads Parameter Store, for the workload namespaces', () => {
    const stores = synth(dev).filter((d) => d.kind === 'ClusterSecretStore' || d.kind === 'SecretStore');
    expect(stores.map((d) => [d.kind, d.metadata.name, d.spec])).toEqual([
      [
        'ClusterSecretStore',
        'aws-parameter-store',
        { provider: { aws: { service: 'ParameterStore', region: 'eu-west-1' } }, conditions: [{ namespaces: ['apps'] }] },
      ],
    ]);
  });

  test('a platform component that reads secrets gets its own SecretStore in its namespace, with its own secrets role', () => {
    // GIVEN a fixture platform consumer (none exists today)
    const docs = Testing.synth(
      new ClusterConfigChart(Testing.app(), 'cluster-config', {
        config: prod,
        platformSecretConsumers: [{ name: 'report-exporter', namespace: 'reporting', secrets: ['reporting-api-key'], service: false }],
      }),
    );
    // THEN its store names its role, in its namespace
    expect(docs.filter((d) => d.kind === 'SecretStore').map((d) => [d.metadata, d.spec])).toEqual([
      [
        { name: 'report-exporter-aws-secrets', namespace: 'reporting', labels: expect.any(Object) },
        {
          provider: {
            aws: {
              service: 'SecretsManager',
              region: 'eu-west-1',
              role: 'arn:aws:iam::333333333333:role/saas-platform-prod-secrets-report-exporter',
            },
          },
        },
      ],
    ]);
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
          {
            name: 'R',
            match: { any: [{ resources: { kinds: ['Pod'], namespaces: ['apps'] } }] },
            validate: { failureAction: 'Deny', message: '', pattern: 1 },
          },
        ]),
      [
        'ClusterPolicy verify-image-signatures: spec.rules[0].name is not a DNS label',
        'ClusterPolicy verify-image-signatures: spec.rules[0].validate.failureAction is not Enforce or Audit',
        'ClusterPolicy verify-image-signatures: spec.rules[0].validate.message is empty',
        'ClusterPolicy verify-image-signatures: spec.rules[0].validate.pattern is not an object',
      ],
    ],
    [
      'verifyImages without references, action, flags, credentials or KMS key',
      (p) => (p.spec.rules[0].verifyImages = [{ imageReferences: [], attestors: [{ entries: [{ keys: { publicKeys: 'x' } }] }] }, 3]),
      [
        'ClusterPolicy verify-image-signatures: spec.rules[0].verifyImages[0].imageReferences is empty',
        'ClusterPolicy verify-image-signatures: spec.rules[0].verifyImages[0].failureAction is not Enforce or Audit',
        'ClusterPolicy verify-image-signatures: spec.rules[0].verifyImages[0].mutateDigest is not a boolean',
        'ClusterPolicy verify-image-signatures: spec.rules[0].verifyImages[0].verifyDigest is not a boolean',
        'ClusterPolicy verify-image-signatures: spec.rules[0].verifyImages[0].required is not a boolean',
        'ClusterPolicy verify-image-signatures: spec.rules[0].verifyImages[0].imageRegistryCredentials.providers is not a non-empty list of default, amazon, azure, google, github',
        'ClusterPolicy verify-image-signatures: spec.rules[0].verifyImages[0].attestors has an entry without an awskms:/// key reference',
        'ClusterPolicy verify-image-signatures: spec.rules[0].verifyImages[1] is not an object',
      ],
    ],
    [
      'a KMS key that is not an awskms reference',
      (p) => (p.spec.rules[0].verifyImages[0].attestors[0].entries[0].keys.kms = 'gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k'),
      ['ClusterPolicy verify-image-signatures: spec.rules[0].verifyImages[0].attestors has an entry without an awskms:/// key reference'],
    ],
    [
      'a rule without namespaces (it would gate kube-system and Kyverno itself)',
      (p) => delete p.spec.rules[0].match.any[0].resources.namespaces,
      [
        'ClusterPolicy verify-image-signatures: spec.rules[0].match.any does not name namespaces; a rule for every namespace also gates kube-system and the policy engine itself',
      ],
    ],
    [
      'no webhook configuration',
      (p) => delete p.spec.webhookConfiguration,
      ['ClusterPolicy verify-image-signatures: spec.webhookConfiguration is missing; set failurePolicy and timeoutSeconds deliberately'],
    ],
    [
      'a webhook configuration Kubernetes refuses',
      (p) => (p.spec.webhookConfiguration = { failurePolicy: 'Retry', timeoutSeconds: 31 }),
      [
        'ClusterPolicy verify-image-signatures: spec.webhookConfiguration.failurePolicy is not Fail or Ignore',
        'ClusterPolicy verify-image-signatures: spec.webhookConfiguration.timeoutSeconds is not a whole number of seconds in 1..30',
      ],
    ],
    [
      'deprecated spec fields',
      (p) => Object.assign(p.spec, { webhookTimeoutSeconds: 30, failurePolicy: 'Fail', validationFailureAction: 'Enforce' }),
      [
        'ClusterPolicy verify-image-signatures: spec.webhookTimeoutSeconds is deprecated; use spec.webhookConfiguration.timeoutSeconds',
        'ClusterPolicy verify-image-signatures: spec.failurePolicy is deprecated; use spec.webhookConfiguration.failurePolicy',
        'ClusterPolicy verify-image-signatures: spec.validationFailureAction is deprecated; use failureAction in each rule',
      ],
    ],
    [
      'a validate with both pattern and deny, and a deny without conditions',
      (p) =>
        (p.spec.rules = [
          {
            name: 'r',
            match: { any: [{ resources: { kinds: ['Pod'], namespaces: ['apps'] } }] },
            validate: { failureAction: 'Enforce', message: 'm', pattern: {}, deny: {} },
          },
        ]),
      [
        'ClusterPolicy verify-image-signatures: spec.rules[0].validate needs exactly one of pattern, deny',
        'ClusterPolicy verify-image-signatures: spec.rules[0].validate.deny.conditions is not an object with any or all',
      ],
    ],
    [
      'deny conditions Kyverno refuses',
      (p) =>
        (p.spec.rules = [
          {
            name: 'r',
            match: { any: [{ resources: { kinds: ['Pod'], namespaces: ['apps'] } }] },
            validate: {
              failureAction: 'Enforce',
              message: 'm',
              deny: {
                conditions: {
                  any: [
                    { key: '', operator: 'AnyNotIn', value: [] },
                    { key: 'k', operator: 'Like', value: 'x' },
                    { key: 'k', operator: 'In' },
                  ],
                  all: [],
                },
              },
            },
          },
        ]),
      [
        'ClusterPolicy verify-image-signatures: spec.rules[0].validate.deny.conditions.any[0].key is not a non-empty string',
        'ClusterPolicy verify-image-signatures: spec.rules[0].validate.deny.conditions.any[1].operator is not one of AnyNotIn, AnyIn, Equals, NotEquals',
        'ClusterPolicy verify-image-signatures: spec.rules[0].validate.deny.conditions.any[2].operator is not one of AnyNotIn, AnyIn, Equals, NotEquals',
        'ClusterPolicy verify-image-signatures: spec.rules[0].validate.deny.conditions.all is not a non-empty list',
      ],
    ],
    [
      'a deny with neither any nor all',
      (p) =>
        (p.spec.rules = [
          {
            name: 'r',
            match: { any: [{ resources: { kinds: ['Pod'], namespaces: ['apps'] } }] },
            validate: { failureAction: 'Enforce', message: 'm', deny: { conditions: {} } },
          },
        ]),
      ['ClusterPolicy verify-image-signatures: spec.rules[0].validate.deny.conditions has neither any nor all'],
    ],
    [
      'a condition without a value',
      (p) =>
        (p.spec.rules = [
          {
            name: 'r',
            match: { any: [{ resources: { kinds: ['Pod'], namespaces: ['apps'] } }] },
            validate: { failureAction: 'Enforce', message: 'm', deny: { conditions: { all: [{ key: 'k', operator: 'Equals' }] } } },
          },
        ]),
      ['ClusterPolicy verify-image-signatures: spec.rules[0].validate.deny.conditions.all[0].value is missing'],
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
