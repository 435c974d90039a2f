/**
 * Image signing, read from both sides as a first deploy meets them: the key the Tooling stage
 * creates, the key Kyverno's policy verifies with, the role the Cluster stack gives Kyverno, the
 * repositories the Registry stack creates, the values the Kyverno chart gets. The IAM questions
 * are answered by @cloud-copilot/iam-simulate over the policies as synthesized.
 */
import { App } from 'cdk8s';
import { Stack } from 'aws-cdk-lib';
import { buildCharts, documentsOf } from '../../cdk8s/main';
import { KubeDocument } from '../../cdk8s/policies';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { imageSignerRoleName, signedImagesRequired } from '../../lib/config/image-signing';
import { ADDON_IDENTITIES } from '../../lib/config/naming';
import { servicesFor } from '../../lib/config/service-catalog';
import { EnvironmentConfig } from '../../lib/config/types';
import { ToolingStage } from '../../lib/stages/tooling-stage';
import { synthesizedApp } from '../app-fixture';
import { evaluate, resolve, roleStatements } from './iam-template';

const SIGNED: [string, EnvironmentConfig][] = ENVIRONMENTS.filter((e) => signedImagesRequired(e.tier)).map((e) => [e.name, e]);
/** A key ID as KMS generates it at deploy time (the environments never see it). */
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const UNRELATED_ACCOUNT = '999999999999';

describe('image signing contract (tooling key <-> Kyverno policy <-> Kyverno role)', () => {
  const { app, stage, template } = synthesizedApp();
  const tooling = app.node.findChild('Tooling') as ToolingStage;
  const signing = template(tooling.signing);
  const registry = template(tooling.registry);
  const at = (stack: Stack) => ({ account: stack.account, region: stack.region });

  /** What the Signing stack creates: alias name, key ARN (with a deploy-time ID), key policy. */
  const key = (() => {
    const aliases = Object.values(signing.findResources('AWS::KMS::Alias'));
    expect(aliases).toHaveLength(1);
    const { account, region } = at(tooling.signing);
    const aliasName = aliases[0].Properties.AliasName as string;
    const keyResource = Object.values(signing.findResources('AWS::KMS::Key'))[0];
    return {
      account,
      region,
      aliasName,
      aliasArn: `arn:aws:kms:${region}:${account}:${aliasName}`,
      arn: `arn:aws:kms:${region}:${account}:key/${KEY_ID}`,
      spec: keyResource.Properties,
      policy: resolve(keyResource.Properties.KeyPolicy, { account, region }) as Record<string, unknown>,
    };
  })();

  const manifests = (config: EnvironmentConfig): KubeDocument[] => documentsOf(buildCharts(new App(), config));
  const verifyRule = (config: EnvironmentConfig) =>
    manifests(config).find((d) => d.kind === 'ClusterPolicy' && d.metadata.name === 'verify-image-signatures')?.spec.rules[0]
      .verifyImages[0];
  const kyvernoValues = (config: EnvironmentConfig) =>
    manifests(config).find((d) => d.kind === 'Application' && d.metadata.name === 'kyverno')!.spec.source.helm.valuesObject;

  const kyvernoRole = (name: string) => {
    const cluster = stage(name).cluster;
    const { account, region } = at(cluster);
    const role = roleStatements(template(cluster), { account, region }, (_id, p) =>
      String(p.Description ?? '').includes(`${ADDON_IDENTITIES.kyverno.namespace}/${ADDON_IDENTITIES.kyverno.serviceAccount} in`),
    );
    return { ...role, principal: `arn:aws:iam::${account}:role/${role.logicalId}` };
  };

  test('the key is what cosign and Kyverno need: asymmetric P-256, sign/verify, retained', () => {
    expect(key.spec).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    expect(Object.values(signing.findResources('AWS::KMS::Key'))[0].DeletionPolicy).toBe('Retain');
    expect(tooling.signing.terminationProtection).toBe(true);
    // the stack exposes the reference it created the alias from
    expect(tooling.signing.keyRef.aliasArn).toBe(key.aliasArn);
  });

  test.each(SIGNED)('%s: the policy verifies with the alias ARN of the key the Tooling stage creates', (_name, config) => {
    // GIVEN the alias the Signing stack creates, in its account and region
    // WHEN the environment's verify rule names its key THEN it is that alias, as cosign addresses a cross-account key
    expect(verifyRule(config).attestors[0].entries[0].keys.kms).toBe(`awskms:///${key.aliasArn}`);
    // and the KMS client in the Kyverno pod talks to the key's region (pods cannot read instance metadata)
    expect(kyvernoValues(config).admissionController.container.extraEnvVars).toEqual([{ name: 'AWS_REGION', value: key.region }]);
  });

  test.each(SIGNED)("%s: Kyverno's pod identity is for the service account the chart runs the admission controller as", (name, config) => {
    template(stage(name).cluster).hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
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
    async (name) => {
      const role = kyvernoRole(name);
      for (const action of ['kms:GetPublicKey', 'kms:DescribeKey']) {
        // GIVEN cosign's verifier calls with KeyId = the alias ARN (kms:RequestAlias is then the alias name)
        const result = await evaluate({
          principal: role.principal,
          action,
          resource: key.arn,
          resourceAccount: key.account,
          identity: role.statements,
          resourcePolicy: key.policy,
          context: { 'kms:RequestAlias': key.aliasName },
        });
        expect([action, result]).toEqual([action, 'Allowed']);
      }
    },
  );

  test.each(SIGNED)('%s: Kyverno may not sign, and may read no other key', async (name) => {
    const role = kyvernoRole(name);
    const base = { principal: role.principal, resource: key.arn, resourceAccount: key.account, identity: role.statements };
    expect(
      await evaluate({ ...base, action: 'kms:Sign', resourcePolicy: key.policy, context: { 'kms:RequestAlias': key.aliasName } }),
    ).not.toBe('Allowed');
    expect(
      await evaluate({ ...base, action: 'kms:GetPublicKey', resourcePolicy: key.policy, context: { 'kms:RequestAlias': 'alias/other' } }),
    ).not.toBe('Allowed');
  });

  test.each(SIGNED)("%s: Kyverno may pull images and signatures from every repository the environment's services use", async (name) => {
    const role = kyvernoRole(name);
    const { account, region } = at(tooling.registry);
    const repositories = Object.values(registry.findResources('AWS::ECR::Repository'));
    const used = new Set(servicesFor(name).map((s) => s.image.repository));
    expect(repositories.filter((r) => used.has(r.Properties.RepositoryName))).toHaveLength(used.size);
    // the token is an account-level call, answered in the caller's account
    expect(
      await evaluate({
        principal: role.principal,
        action: 'ecr:GetAuthorizationToken',
        resource: '*',
        resourceAccount: stage(name).cluster.account,
        identity: role.statements,
      }),
    ).toBe('Allowed');
    for (const repository of repositories.filter((r) => used.has(r.Properties.RepositoryName))) {
      const arn = `arn:aws:ecr:${region}:${account}:repository/${repository.Properties.RepositoryName}`;
      const resourcePolicy = resolve(repository.Properties.RepositoryPolicyText, { account, region }) as Record<string, unknown>;
      for (const action of ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability']) {
        const result = await evaluate({
          principal: role.principal,
          action,
          resource: arn,
          resourceAccount: account,
          identity: role.statements,
          resourcePolicy,
        });
        expect([arn, action, result]).toEqual([arn, action, 'Allowed']);
      }
      // reading is all: pushing a forged signature is not
      expect(
        await evaluate({
          principal: role.principal,
          action: 'ecr:PutImage',
          resource: arn,
          resourceAccount: account,
          identity: role.statements,
          resourcePolicy,
        }),
      ).not.toBe('Allowed');
    }
  });

  describe('the key policy on its own', () => {
    /** A principal whose own IAM policy allows everything on KMS: only the key policy can stop it. */
    const admin = [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }];
    const ask = (principal: string, action: string) =>
      evaluate({ principal, action, resource: key.arn, resourceAccount: key.account, identity: admin, resourcePolicy: key.policy });

    test.each(SIGNED)('%s account: may verify (GetPublicKey, DescribeKey), nothing more', async (_name, config) => {
      const principal = `arn:aws:iam::${config.account}:role/anything`;
      expect(await ask(principal, 'kms:GetPublicKey')).toBe('Allowed');
      expect(await ask(principal, 'kms:DescribeKey')).toBe('Allowed');
      for (const action of ['kms:Sign', 'kms:Verify', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion']) {
        expect([action, await ask(principal, action)]).toEqual([action, expect.stringMatching(/Denied$/)]);
      }
    });

    test('an account that is no environment may not even read the public key', async () => {
      expect(await ask(`arn:aws:iam::${UNRELATED_ACCOUNT}:role/anything`, 'kms:GetPublicKey')).toBe('ImplicitlyDenied');
    });

    test('in the tooling account only the signer role signs (the pipeline creates it under imageSignerRoleName())', async () => {
      const signer = `arn:aws:iam::${key.account}:role/${imageSignerRoleName()}`;
      expect(await ask(signer, 'kms:Sign')).toBe('Allowed');
      // an administrator of the tooling account keeps administering the key, but cannot sign
      const administrator = `arn:aws:iam::${key.account}:role/PlatformAdmin`;
      expect(await ask(administrator, 'kms:Sign')).toBe('ExplicitlyDenied');
      expect(await ask(administrator, 'kms:PutKeyPolicy')).toBe('Allowed');
    });
  });

  test('the key policy names no principal that must exist before the key (the signer role is a condition, not a principal)', () => {
    const statements = (key.policy.Statement as { Principal?: { AWS?: unknown } }[]).map((s) => JSON.stringify(s.Principal));
    expect(statements.join()).not.toContain(imageSignerRoleName());
  });

  test('the signing key outputs the reference the pipeline signs with', () => {
    signing.hasOutput('ImageSigningKeyUri', { Value: `awskms:///${key.aliasArn}` });
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
    for (const config of ENVIRONMENTS) {
      const names = Object.values(template(stage(config.name).data).findResources('AWS::SecretsManager::Secret')).map((s) =>
        String(s.Properties.Name),
      );
      expect(names.filter((n) => n.includes('signing-public-key'))).toEqual([]);
      expect(
        manifests(config).filter((d) => d.kind === 'ExternalSecret' && d.metadata.namespace === ADDON_IDENTITIES.kyverno.namespace),
      ).toEqual([]);
    }
  });
});
