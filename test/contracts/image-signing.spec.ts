/**
 * Image signing, read from both sides as a first deploy meets them: the key the Tooling stage
 * creates, the key Kyverno's policy verifies with, the role the Cluster stack gives Kyverno, the
 * repositories the Registry stack creates, the values the Kyverno chart gets. The IAM questions
 * are answered by @cloud-copilot/iam-simulate over the policies as synthesized.
 */
import { KubeDocument } from '../../cdk8s/policies';
import { imageSignerRoleName, imageSigningKey, signedImagesRequired } from '../../lib/config/image-signing';
import { ADDON_IDENTITIES } from '../../lib/config/naming';
import { servicesFor } from '../../lib/config/service-catalog';
import { EnvironmentConfig } from '../../lib/config/types';
import { Request, decide, resourcePolicy, roleByDescription, roleMay } from './iam';
import { resourcesOf, stack, standIn, templateOf, world } from './world';

const w = world();
const SIGNED: [string, EnvironmentConfig][] = w.environments.filter((e) => signedImagesRequired(e.tier)).map((e) => [e.name, e]);
const UNRELATED_ACCOUNT = '999999999999';

describe('image signing contract (tooling key <-> Kyverno policy <-> Kyverno role)', () => {
  const signing = stack(w, 'Tooling/Signing');
  const registry = stack(w, 'Tooling/Registry');
  const clusterOf = (config: EnvironmentConfig) => stack(w, `${config.stageName}/Cluster`);

  /** What the Signing stack creates: alias name, key ARN (with a deploy-time ID), key policy. */
  const key = (() => {
    const aliases = resourcesOf(signing, 'AWS::KMS::Alias');
    expect(aliases).toHaveLength(1);
    const { account, region } = signing;
    const aliasName = aliases[0][1].Properties!.AliasName as string;
    const [keyId, keyResource] = resourcesOf(signing, 'AWS::KMS::Key')[0];
    return {
      account,
      region,
      aliasName,
      aliasArn: `arn:aws:kms:${region}:${account}:${aliasName}`,
      arn: standIn(signing, keyId, 'Arn'),
      resource: keyResource,
      policy: resourcePolicy(w, signing, keyId),
    };
  })();

  const manifests = (config: EnvironmentConfig): readonly KubeDocument[] => w.manifests[config.name];
  const verifyRule = (config: EnvironmentConfig) =>
    manifests(config).find((d) => d.kind === 'ClusterPolicy' && d.metadata.name === 'verify-image-signatures')?.spec.rules[0]
      .verifyImages[0];
  const kyvernoValues = (config: EnvironmentConfig) =>
    manifests(config).find((d) => d.kind === 'Application' && d.metadata.name === 'kyverno')!.spec.source.helm.valuesObject;

  /** A request by Kyverno's pod role (a session of it) in the environment's Cluster stack. */
  const kyvernoMay = (config: EnvironmentConfig, request: Request) =>
    roleMay(
      w,
      clusterOf(config),
      roleByDescription(clusterOf(config), `${ADDON_IDENTITIES.kyverno.namespace}/${ADDON_IDENTITIES.kyverno.serviceAccount} in`),
      request,
    );

  test('the key is what cosign and Kyverno need: asymmetric P-256, sign/verify, retained', () => {
    expect(key.resource.Properties).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    expect(key.resource.DeletionPolicy).toBe('Retain');
    expect(signing.terminationProtection).toBe(true);
    // the reference every consumer derives from config is the alias the stack creates
    expect(imageSigningKey().aliasArn).toBe(key.aliasArn);
  });

  test.each(SIGNED)('%s: the policy verifies with the alias ARN of the key the Tooling stage creates', (_name, config) => {
    // GIVEN the alias the Signing stack creates, in its account and region
    // WHEN the environment's verify rule names its key THEN it is that alias, as cosign addresses a cross-account key
    expect(verifyRule(config).attestors[0].entries[0].keys.kms).toBe(`awskms:///${key.aliasArn}`);
    // and the KMS client in the Kyverno pod talks to the key's region (pods cannot read instance metadata)
    expect(kyvernoValues(config).admissionController.container.extraEnvVars).toEqual([{ name: 'AWS_REGION', value: key.region }]);
  });

  test.each(SIGNED)("%s: Kyverno's pod identity is for the service account the chart runs the admission controller as", (_name, config) => {
    templateOf(clusterOf(config)).hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      Namespace: ADDON_IDENTITIES.kyverno.namespace,
      ServiceAccount: ADDON_IDENTITIES.kyverno.serviceAccount,
    });
    expect(kyvernoValues(config).admissionController.rbac.serviceAccount.name).toBe(ADDON_IDENTITIES.kyverno.serviceAccount);
    expect(manifests(config).find((d) => d.kind === 'Application' && d.metadata.name === 'kyverno')!.spec.destination.namespace).toBe(
      ADDON_IDENTITIES.kyverno.namespace,
    );
  });

  test.each(SIGNED)(
    '%s: Kyverno may read the public key and metadata of the signing key (identity policy and key policy)',
    async (_name, config) => {
      for (const action of ['kms:GetPublicKey', 'kms:DescribeKey']) {
        // GIVEN cosign's verifier calls with KeyId = the alias ARN (kms:RequestAlias is then the alias name)
        expect(
          await kyvernoMay(config, {
            action,
            resource: key.arn,
            resourceAccount: key.account,
            resourcePolicy: key.policy,
            context: { 'kms:RequestAlias': key.aliasName },
          }),
        ).toHaveDecision('Allowed');
      }
    },
  );

  test.each(SIGNED)('%s: Kyverno may not sign, and may read no other key', async (_name, config) => {
    const base = { resource: key.arn, resourceAccount: key.account, resourcePolicy: key.policy };
    expect(await kyvernoMay(config, { ...base, action: 'kms:Sign', context: { 'kms:RequestAlias': key.aliasName } })).not.toHaveDecision(
      'Allowed',
    );
    expect(
      await kyvernoMay(config, { ...base, action: 'kms:GetPublicKey', context: { 'kms:RequestAlias': 'alias/other' } }),
    ).not.toHaveDecision('Allowed');
  });

  test.each(SIGNED)(
    "%s: Kyverno may pull images and signatures from every repository the environment's services use",
    async (name, config) => {
      const { account, region } = registry;
      const repositories = resourcesOf(registry, 'AWS::ECR::Repository');
      const used = new Set(servicesFor(name).map((s) => s.image.repository));
      const usedRepositories = repositories.filter(([, r]) => used.has(r.Properties!.RepositoryName));
      expect(usedRepositories).toHaveLength(used.size);
      // the token is an account-level call, answered in the caller's account
      expect(await kyvernoMay(config, { action: 'ecr:GetAuthorizationToken', resource: '*' })).toHaveDecision('Allowed');
      for (const [id, repository] of usedRepositories) {
        const arn = `arn:aws:ecr:${region}:${account}:repository/${repository.Properties!.RepositoryName}`;
        const pull = { resource: arn, resourceAccount: account, resourcePolicy: resourcePolicy(w, registry, id) };
        for (const action of ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability']) {
          expect(await kyvernoMay(config, { ...pull, action })).toHaveDecision('Allowed');
        }
        // reading is all: pushing a forged signature is not
        expect(await kyvernoMay(config, { ...pull, action: 'ecr:PutImage' })).not.toHaveDecision('Allowed');
      }
    },
  );

  describe('the key policy on its own', () => {
    /** A principal whose own IAM policy allows everything on KMS: only the key policy can stop it. */
    const admin = [{ name: 'admin', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] } }];
    const ask = (principal: string, action: string) =>
      decide({ principal, action, resource: key.arn, resourceAccount: key.account, identity: admin, resourcePolicy: key.policy });

    test.each(SIGNED)('%s account: may verify (GetPublicKey, DescribeKey), nothing more', async (_name, config) => {
      const principal = `arn:aws:iam::${config.account}:role/anything`;
      expect(await ask(principal, 'kms:GetPublicKey')).toHaveDecision('Allowed');
      expect(await ask(principal, 'kms:DescribeKey')).toHaveDecision('Allowed');
      for (const action of ['kms:Sign', 'kms:Verify', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion']) {
        expect(await ask(principal, action)).not.toHaveDecision('Allowed');
      }
    });

    test('an account that is no environment may not even read the public key', async () => {
      expect(await ask(`arn:aws:iam::${UNRELATED_ACCOUNT}:role/anything`, 'kms:GetPublicKey')).toHaveDecision('ImplicitlyDenied');
    });

    test('in the tooling account only the signer role signs (the pipeline creates it under imageSignerRoleName())', async () => {
      const signer = `arn:aws:iam::${key.account}:role/${imageSignerRoleName()}`;
      expect(await ask(signer, 'kms:Sign')).toHaveDecision('Allowed');
      // an administrator of the tooling account keeps administering the key, but cannot sign
      const administrator = `arn:aws:iam::${key.account}:role/PlatformAdmin`;
      expect(await ask(administrator, 'kms:Sign')).toHaveDecision('ExplicitlyDenied');
      expect(await ask(administrator, 'kms:PutKeyPolicy')).toHaveDecision('Allowed');
    });
  });

  test('the key policy names no principal that must exist before the key (the signer role is a condition, not a principal)', () => {
    const statements = (key.policy.Statement as { Principal?: { AWS?: unknown } }[]).map((s) => JSON.stringify(s.Principal));
    expect(statements.join()).not.toContain(imageSignerRoleName());
  });

  test('the signing key outputs the reference the pipeline signs with', () => {
    templateOf(signing).hasOutput('ImageSigningKeyUri', { Value: `awskms:///${key.aliasArn}` });
  });

  test.each(SIGNED)(
    '%s: nothing in the manifests cuts Kyverno off from the Pod Identity agent, ECR and KMS (no NetworkPolicy in its namespace)',
    (_name, config) => {
      // If one is ever added, it must allow egress to 169.254.170.23:80 (credentials) and :443 (ECR, KMS).
      const policies = manifests(config).filter(
        (d) => d.kind === 'NetworkPolicy' && d.metadata.namespace === ADDON_IDENTITIES.kyverno.namespace,
      );
      expect(policies).toEqual([]);
    },
  );

  test.each(SIGNED)('%s: Kyverno reads ECR through the amazon credential helper only', (_name, config) => {
    expect(verifyRule(config).imageRegistryCredentials).toEqual({ providers: ['amazon'] });
    expect(kyvernoValues(config).features.registryClient.credentialHelpers).toEqual(['amazon']);
  });

  test('no signing secret is created anywhere (the key is addressed through KMS, no key material in Secrets Manager)', () => {
    // across every stack of every stage, not only Data: a key copy could be made anywhere
    const names = w.stacks.flatMap((s) => resourcesOf(s, 'AWS::SecretsManager::Secret').map(([, r]) => String(r.Properties!.Name)));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => n.includes('signing-public-key'))).toEqual([]);
    for (const config of w.environments) {
      expect(
        manifests(config).filter((d) => d.kind === 'ExternalSecret' && d.metadata.namespace === ADDON_IDENTITIES.kyverno.namespace),
      ).toEqual([]);
    }
  });
});
