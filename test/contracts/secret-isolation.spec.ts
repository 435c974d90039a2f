/**
 * "Service A cannot obtain service B's secret", from both sides, as a first deploy meets them:
 *
 * - AWS: each consumer's secrets role (Cluster stack), the secrets' resource policies and the
 *   application secrets key's policy (Data stack), simulated: a role reads its consumer's secrets
 *   and nothing else; nobody else reads them; External Secrets reads nothing but through the roles.
 * - Kubernetes: the SecretStores, ExternalSecrets and pods of the manifests, admitted by the
 *   `isolate-service-secrets` policy; the same objects pointed at another service are refused.
 *
 * Expectations are derived from the catalog (who reads what), not from today's two secrets.
 */
import { KubeDocument } from '../../cdk8s/policies';
import { secretStoreName, serviceSecretsRoleArn, serviceSecretsRoleName } from '../../lib/config/access-names';
import { webhookSigningSecretName } from '../../lib/config/edge-names';
import { ADDON_IDENTITIES, kmsAliasName, secretsManagerName } from '../../lib/config/naming';
import { needsAwsIdentity } from '../../lib/config/platform-resources';
import { SecretConsumer, secretConsumers } from '../../lib/config/secret-consumers';
import { SECRETS, servicesFor } from '../../lib/config/service-catalog';
import { admit, podsOfWorkloads } from './admission';
import { decide, identityPolicies, PolicyDocument, roleByDescription, trustAllows } from './iam';
import { CfnResource, resolve, resourcesOf, stack, SynthesizedStack, world } from './world';

const w = world();

/**
 * iam-simulate 0.1.173 drops context keys whose variable part follows a colon
 * (`kms:EncryptionContext:<key>`; its listHasVariableKeyMatch knows `/` only), so the encryption
 * context condition is simulated under a global key of the same type and operators, renamed in the
 * policy and in the request alike.
 */
const SIMULATED_CONTEXT_KEY = 'aws:PrincipalTag/kms-encryption-context-secretarn';
const withSimulatableContext = <T>(value: T): T =>
  JSON.parse(JSON.stringify(value).split('kms:EncryptionContext:SecretARN').join(SIMULATED_CONTEXT_KEY));

const ENVIRONMENTS = w.environments.map((c) => [c.name, c] as const);

/** The logical ID of the role with this name in a stack. */
function roleNamed(s: SynthesizedStack, name: string): string {
  const found = resourcesOf(s, 'AWS::IAM::Role').filter(([, r]) => r.Properties?.RoleName === name);
  if (found.length !== 1) throw new Error(`${s.path}: ${found.length} roles named ${name}`);
  return found[0][0];
}

describe.each(ENVIRONMENTS)('%s: secret isolation in AWS', (name, config) => {
  const stage = config.stageName;
  const cluster = stack(w, `${stage}/Cluster`);
  const data = stack(w, `${stage}/Data`);
  const consumers = secretConsumers(servicesFor(name));
  const secretArn = (key: string) =>
    `arn:aws:secretsmanager:${config.region}:${config.account}:secret:${secretsManagerName(name, key)}-AbCdEf`;
  const secretLogicalId = (key: string) => {
    const [id] = resourcesOf(data, 'AWS::SecretsManager::Secret').find(([, r]) => r.Properties?.Name === secretsManagerName(name, key))!;
    return id;
  };
  /** The secret's resource policy (Secrets Manager evaluates it with the caller's identity policies). */
  const resourcePolicyOf = (key: string): PolicyDocument => {
    const id = secretLogicalId(key);
    const [, policy] = resourcesOf(data, 'AWS::SecretsManager::ResourcePolicy').find(([, r]) => r.Properties?.SecretId?.Ref === id)!;
    return resolve(w, data, policy.Properties!.ResourcePolicy);
  };
  const [keyId, key] = resourcesOf(data, 'AWS::KMS::Key').find(([id]) =>
    resourcesOf(data, 'AWS::KMS::Alias').some(
      ([, a]) =>
        a.Properties?.AliasName === kmsAliasName(name, 'application-secrets') &&
        JSON.stringify(a.Properties?.TargetKeyId).includes(`"${id}"`),
    ),
  ) as [string, CfnResource];
  const keyArn = `arn:aws:kms:${config.region}:${config.account}:key/${keyId}`;
  const keyPolicy = resolve(w, data, key.Properties!.KeyPolicy) as PolicyDocument;

  /** What a consumer's secrets role (as External Secrets' session of it) may do. */
  const asConsumer = async (consumer: SecretConsumer, action: string, resource: string, resourcePolicy?: PolicyDocument, context = {}) => {
    const roleName = serviceSecretsRoleName(name, consumer.name);
    const verdict = await decide({
      identity: withSimulatableContext(identityPolicies(w, cluster, roleNamed(cluster, roleName))),
      action,
      resource,
      resourceAccount: config.account,
      principal: `arn:aws:sts::${config.account}:assumed-role/${roleName}/external-secrets-provider-aws`,
      context: withSimulatableContext(context),
      resourcePolicy,
    });
    return verdict.decision;
  };

  test('every secret is encrypted with the customer-managed application secrets key', () => {
    for (const k of Object.keys(SECRETS)) {
      const [, secret] = resourcesOf(data, 'AWS::SecretsManager::Secret').find(([id]) => id === secretLogicalId(k))!;
      expect([k, secret.Properties!.KmsKeyId]).toEqual([k, { 'Fn::GetAtt': [keyId, 'Arn'] }]);
    }
  });

  test("a consumer's role reads its own secrets and no other consumer's, nor any platform secret", async () => {
    expect(consumers.length).toBeGreaterThanOrEqual(2); // A and B
    const platformSecrets = [
      `arn:aws:secretsmanager:${config.region}:${config.account}:secret:${webhookSigningSecretName(name)}-AbCdEf`,
      `arn:aws:secretsmanager:${config.region}:${config.account}:secret:OriginVerifySecret-AbCdEf`,
      `arn:aws:secretsmanager:${config.region}:${config.account}:secret:DatabaseCredentials-AbCdEf`,
    ];
    const wrong: string[] = [];
    for (const consumer of consumers) {
      for (const k of Object.keys(SECRETS)) {
        const expected = consumer.secrets.includes(k) ? 'Allowed' : 'ImplicitlyDenied';
        const got = await asConsumer(consumer, 'secretsmanager:GetSecretValue', secretArn(k), resourcePolicyOf(k));
        if (got !== expected && !(expected === 'ImplicitlyDenied' && got === 'ExplicitlyDenied'))
          wrong.push(`${consumer.name} reads ${k}: ${got}, expected ${expected}`);
      }
      for (const arn of platformSecrets) {
        const got = await asConsumer(consumer, 'secretsmanager:GetSecretValue', arn);
        if (got === 'Allowed') wrong.push(`${consumer.name} reads ${arn}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test('the application secrets key decrypts a secret only for its consumers, and only through Secrets Manager', async () => {
    const via = { 'kms:ViaService': `secretsmanager.${config.region}.amazonaws.com` };
    for (const consumer of consumers) {
      const [own] = consumer.secrets;
      const other = Object.keys(SECRETS).find((k) => !consumer.secrets.includes(k))!;
      const decrypt = (k: string, context: Record<string, string>) =>
        asConsumer(consumer, 'kms:Decrypt', keyArn, keyPolicy, { 'kms:EncryptionContext:SecretARN': secretArn(k), ...context });
      expect([consumer.name, await decrypt(own, via)]).toEqual([consumer.name, 'Allowed']);
      expect([consumer.name, await decrypt(other, via)]).toEqual([consumer.name, 'ImplicitlyDenied']);
      expect([consumer.name, await decrypt(own, {})]).toEqual([consumer.name, 'ImplicitlyDenied']);
    }
  });

  test("a secret's resource policy refuses every reader but its consumers, its rotation and break-glass, whatever their own policies allow", async () => {
    const admin = [{ name: 'admin', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }];
    for (const k of Object.keys(SECRETS)) {
      const read = async (principalArn: string) =>
        (
          await decide({
            identity: admin,
            action: 'secretsmanager:GetSecretValue',
            resource: secretArn(k),
            resourceAccount: config.account,
            principal: principalArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + '/session',
            resourcePolicy: resourcePolicyOf(k),
          })
        ).decision;
      for (const other of consumers.filter((c) => !c.secrets.includes(k))) {
        expect([k, other.name, await read(serviceSecretsRoleArn(name, config.account, other.name))]).toEqual([
          k,
          other.name,
          'ExplicitlyDenied',
        ]);
      }
      expect(await read(`arn:aws:iam::${config.account}:role/${config.stateful.breakGlassRoleName}`)).toBe('Allowed');
      expect(await read(`arn:aws:iam::${config.account}:role/some-administrator`)).toBe('ExplicitlyDenied');
    }
  });

  test("External Secrets may assume each consumer's role, and only External Secrets may: no service's pod role can", async () => {
    const eso = ADDON_IDENTITIES.externalSecrets;
    const esoRoleId = roleByDescription(cluster, `${eso.namespace}/${eso.serviceAccount} in`);
    const esoRoleArn = `arn:aws:iam::${config.account}:role/${esoRoleId}`;
    const podRoles = servicesFor(name)
      .filter(needsAwsIdentity)
      .map((s) => `arn:aws:iam::${config.account}:role/${roleByDescription(cluster, `/${s.name} in`)}`);
    for (const consumer of consumers) {
      const id = roleNamed(cluster, serviceSecretsRoleName(name, consumer.name));
      const assume = async (principal: string, action = 'sts:AssumeRole') =>
        (await trustAllows(w, cluster, id, { principal, action })).decision;
      expect(await assume(esoRoleArn)).toBe('Allowed');
      expect(await assume(esoRoleArn, 'sts:TagSession')).toBe('Allowed');
      for (const pod of podRoles) expect([consumer.name, pod, await assume(pod)]).toEqual([consumer.name, pod, 'ImplicitlyDenied']);
    }
  });
});

describe.each(ENVIRONMENTS)('%s: secret isolation in the cluster (admission)', (name, config) => {
  const docs = w.manifests[name];
  const policies = docs.filter((d) => d.kind === 'ClusterPolicy' && d.metadata.name === 'isolate-service-secrets');
  const workloads = docs.filter((d) => config.kubernetes.workloadNamespaces.includes(d.metadata?.namespace));
  const consumers = secretConsumers(servicesFor(name)).filter((c) => c.service);
  const copy = (d: KubeDocument): KubeDocument => JSON.parse(JSON.stringify(d));
  const externalSecretOf = (service: string) =>
    workloads.find(
      (d) =>
        d.kind === 'ExternalSecret' &&
        d.metadata.labels['app.kubernetes.io/name'] === service &&
        d.spec.secretStoreRef.kind === 'SecretStore',
    )!;
  const podOf = (service: string) =>
    podsOfWorkloads(workloads).find(
      (p) => p.metadata.labels['app.kubernetes.io/name'] === service && p.spec.serviceAccountName === service,
    )!;
  const storeOf = (service: string) => workloads.find((d) => d.kind === 'SecretStore' && d.metadata.name === secretStoreName(service))!;

  test('the policy exists, and every SecretStore, ExternalSecret and pod of the manifests is admitted', () => {
    expect(policies).toHaveLength(1);
    const checked = [...workloads.filter((d) => ['SecretStore', 'ExternalSecret'].includes(d.kind)), ...podsOfWorkloads(workloads)];
    expect(checked.length).toBeGreaterThan(consumers.length * 2);
    const refused = checked.map((d) => [d.kind, d.metadata.name, admit(policies, d).refusals]).filter(([, , r]) => r.length > 0);
    expect(refused).toEqual([]);
  });

  test("A's ExternalSecret cannot read through B's store, write B's Secret, or override its store per item", () => {
    expect(consumers.length).toBeGreaterThanOrEqual(2);
    for (const a of consumers) {
      for (const b of consumers.filter((c) => c.name !== a.name)) {
        const through = copy(externalSecretOf(a.name));
        through.spec.secretStoreRef.name = secretStoreName(b.name);
        expect(admit(policies, through).allowed).toBe(false);

        const target = copy(externalSecretOf(a.name));
        target.spec.target.name = `${b.name}-secrets`;
        expect(admit(policies, target).allowed).toBe(false);

        const perItem = copy(externalSecretOf(a.name));
        perItem.spec.data[0].sourceRef = { storeRef: { name: secretStoreName(b.name), kind: 'SecretStore' } };
        expect(admit(policies, perItem).allowed).toBe(false);

        // the Parameter Store store is not a way round either: it reads no secret (External Secrets' role reads parameters only)
        const cluster = copy(externalSecretOf(a.name));
        cluster.spec.secretStoreRef = { kind: 'ClusterSecretStore', name: 'aws-secrets-manager' };
        expect(admit(policies, cluster).allowed).toBe(false);
      }
    }
  });

  test("A's SecretStore cannot borrow B's role, and no extra store may appear", () => {
    for (const a of consumers) {
      for (const b of consumers.filter((c) => c.name !== a.name)) {
        const borrowed = copy(storeOf(a.name));
        borrowed.spec.provider.aws.role = serviceSecretsRoleArn(name, config.account, b.name);
        expect(admit(policies, borrowed).allowed).toBe(false);
      }
      const extra = copy(storeOf(a.name));
      extra.metadata.name = 'shared-store';
      expect(admit(policies, extra).allowed).toBe(false);
    }
  });

  test("A's pods cannot mount or reference B's Secrets, in any container or volume, whatever their labels", () => {
    for (const a of consumers) {
      for (const b of consumers.filter((c) => c.name !== a.name)) {
        const envFrom = copy(podOf(a.name));
        envFrom.spec.containers[0].envFrom.push({ secretRef: { name: `${b.name}-secrets` } });
        expect(admit(policies, envFrom).allowed).toBe(false);

        const env = copy(podOf(a.name));
        env.spec.containers[0].env = [
          ...(env.spec.containers[0].env ?? []),
          { name: 'X', valueFrom: { secretKeyRef: { name: `${b.name}-secrets`, key: 'K' } } },
        ];
        expect(admit(policies, env).allowed).toBe(false);

        const volume = copy(podOf(a.name));
        volume.spec.volumes = [...(volume.spec.volumes ?? []), { name: 'v', secret: { secretName: `${b.name}-secrets` } }];
        expect(admit(policies, volume).allowed).toBe(false);

        const projected = copy(podOf(a.name));
        projected.spec.volumes = [
          ...(projected.spec.volumes ?? []),
          { name: 'p', projected: { sources: [{ secret: { name: `${b.name}-secrets` } }] } },
        ];
        expect(admit(policies, projected).allowed).toBe(false);

        const init = copy(podOf(a.name));
        init.spec.initContainers = [{ name: 'i', image: 'x', envFrom: [{ secretRef: { name: `${b.name}-secrets` } }] }];
        expect(admit(policies, init).allowed).toBe(false);

        // labels do not change who a pod is: relabelled as B, A's pod still may not use B's Secret
        const disguised = copy(podOf(a.name));
        disguised.metadata.labels['app.kubernetes.io/name'] = b.name;
        disguised.spec.containers[0].envFrom = [{ secretRef: { name: `${b.name}-secrets` } }];
        expect(admit(policies, disguised).allowed).toBe(false);
      }
    }
  });
});

describe('no secret value anywhere in what is synthesized', () => {
  test('no secret of any stack has a literal value; no template or manifest holds key material', () => {
    const literal = w.stacks.flatMap((s) =>
      resourcesOf(s, 'AWS::SecretsManager::Secret')
        .filter(([, r]) => r.Properties?.SecretString !== undefined)
        .map(([id]) => `${s.path}/${id}`),
    );
    expect(literal).toEqual([]);
    const texts = [
      ...w.stacks.map((s) => [s.path, JSON.stringify(s.template)]),
      ...Object.entries(w.manifests).map(([env, docs]) => [env, JSON.stringify(docs)]),
    ];
    for (const [where, text] of texts) {
      expect([where, /PRIVATE KEY|"privateKey"|"d":"[A-Za-z0-9_-]{20,}"/.test(text)]).toEqual([where, false]);
    }
  });
});
