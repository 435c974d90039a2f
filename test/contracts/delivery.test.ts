/**
 * Delivery, read from both sides as a release meets it: the image signer role (Tooling/Delivery)
 * against the signing key's policy (Tooling/Signing), the release role against every environment's
 * deploy role, the deploy role's access entry against the Kubernetes group the manifests bind.
 * IAM questions are answered by @cloud-copilot/iam-simulate over the policies as synthesized.
 */
import { RELEASE_KUBERNETES_GROUP, deployRoleName, releaseRoleName } from '../../lib/config/delivery';
import { imageSignerRoleName } from '../../lib/config/image-signing';
import { Request, decide, identityPolicies, roleMay, unknownActions } from './iam';
import { CfnResource, World, resolve, resourcesOf, stack, world } from './world';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
/** The decision alone (the explanation is for failure messages of `toHaveDecision`). */
const may = async (w: World, s: Parameters<typeof roleMay>[1], role: string, request: Request) =>
  (await roleMay(w, s, role, request)).decision;
const roleNamed = (w: World, path: string, name: string): string => {
  const found = resourcesOf(stack(w, path), 'AWS::IAM::Role').find(([, r]) => r.Properties?.RoleName === name);
  if (!found) throw new Error(`${path} creates no role ${name}`);
  return found[0];
};

describe('delivery contract (signer <-> signing key, release role <-> deploy roles <-> cluster RBAC)', () => {
  const w = world();
  const delivery = stack(w, 'Tooling/Delivery');
  const signing = stack(w, 'Tooling/Signing');
  const keyResource = resourcesOf(signing, 'AWS::KMS::Key')[0][1] as CfnResource;
  const keyPolicy = resolve(w, signing, keyResource.Properties!.KeyPolicy);
  const aliasName = resourcesOf(signing, 'AWS::KMS::Alias')[0][1].Properties!.AliasName as string;
  const keyArn = `arn:aws:kms:${signing.region}:${signing.account}:key/${KEY_ID}`;
  const signer = roleNamed(w, 'Tooling/Delivery', imageSignerRoleName());
  const signerPrincipal = `arn:aws:iam::${delivery.account}:role/${imageSignerRoleName()}`;

  test('the signer role is the one the key policy lets sign, and it may sign with that key through its alias', async () => {
    for (const action of ['kms:Sign', 'kms:GetPublicKey', 'kms:DescribeKey']) {
      const result = await may(w, delivery, signer, {
        action,
        resource: keyArn,
        principal: signerPrincipal,
        resourcePolicy: keyPolicy,
        context: { 'kms:RequestAlias': aliasName, 'aws:PrincipalArn': signerPrincipal },
      });
      expect([action, result]).toEqual([action, 'Allowed']);
    }
  });

  test('the signer role can sign with no other key, nor with that key named another way', async () => {
    const other = `arn:aws:kms:${signing.region}:${signing.account}:key/other`;
    expect(
      await may(w, delivery, signer, {
        action: 'kms:Sign',
        resource: other,
        principal: signerPrincipal,
        context: { 'kms:RequestAlias': 'alias/other' },
      }),
    ).toBe('ImplicitlyDenied');
    expect(
      await may(w, delivery, signer, { action: 'kms:Sign', resource: keyArn, principal: signerPrincipal, resourcePolicy: keyPolicy }),
    ).not.toBe('Allowed');
    // and nothing but sign and the two reads cosign makes first
    // (kms:RequestAlias exists only for the cryptographic operations and the two reads; the others are asked without it)
    for (const [action, context] of [
      ['kms:Decrypt', { 'kms:RequestAlias': aliasName }],
      ['kms:Verify', { 'kms:RequestAlias': aliasName }],
      ['kms:PutKeyPolicy', {}],
      ['kms:ScheduleKeyDeletion', {}],
    ] as const) {
      expect([
        action,
        await may(w, delivery, signer, { action, resource: keyArn, principal: signerPrincipal, resourcePolicy: keyPolicy, context }),
      ]).toEqual([action, expect.stringMatching(/Denied$/)]);
    }
  });

  test('the signer role pushes to the catalog repositories of the registry the Registry stack creates', async () => {
    const registry = stack(w, 'Tooling/Registry');
    const repositories = resourcesOf(registry, 'AWS::ECR::Repository').map(([, r]) => r.Properties!.RepositoryName as string);
    expect(repositories.length).toBeGreaterThan(0);
    for (const name of repositories) {
      const arn = `arn:aws:ecr:${registry.region}:${registry.account}:repository/${name}`;
      for (const action of ['ecr:PutImage', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:InitiateLayerUpload']) {
        expect([name, action, await may(w, delivery, signer, { action, resource: arn })]).toEqual([name, action, 'Allowed']);
      }
    }
    expect(
      await may(w, delivery, signer, {
        action: 'ecr:PutImage',
        resource: `arn:aws:ecr:${registry.region}:${registry.account}:repository/other`,
      }),
    ).toBe('ImplicitlyDenied');
  });

  describe.each(['Dev', 'Staging', 'Prod'])('%s', (stageName) => {
    const cluster = stack(w, `${stageName}/Cluster`);
    const config = w.environments.find((e) => e.stageName === stageName)!;
    const entries = resourcesOf(cluster, 'AWS::EKS::AccessEntry').filter(([, r]) =>
      (r.Properties!.KubernetesGroups ?? []).includes(RELEASE_KUBERNETES_GROUP),
    );

    test('the access entry names the deploy role the Cluster stack creates, mapped to the group the manifests bind, with no access policy', () => {
      expect(entries).toHaveLength(1);
      const [, entry] = entries[0];
      const deploy = roleNamed(w, `${stageName}/Cluster`, deployRoleName(config.name));
      expect(entry.Properties!.PrincipalArn).toEqual({ 'Fn::GetAtt': [deploy, 'Arn'] });
      expect(entry.Properties!.AccessPolicies).toBeUndefined();
      const bindings = w.manifests[config.name].filter(
        (d) => d.kind === 'RoleBinding' && d.subjects?.some((s: { name: string }) => s.name === RELEASE_KUBERNETES_GROUP),
      );
      expect(bindings.map((b) => b.metadata.namespace).sort()).toEqual([...config.kubernetes.workloadNamespaces, 'argocd'].sort());
    });

    test('only the release role may assume the deploy role, which may describe the cluster and nothing else', async () => {
      const deploy = roleNamed(w, `${stageName}/Cluster`, deployRoleName(config.name));
      const trust = resolve(w, cluster, cluster.template.Resources[deploy].Properties!.AssumeRolePolicyDocument);
      const deployArn = `arn:aws:iam::${config.account}:role/${deployRoleName(config.name)}`;
      // the release role's own policy allows it, and the deploy role's trust admits it (cross-account: both must)
      const releaseRole = roleNamed(w, 'Tooling/Delivery', releaseRoleName());
      const release = `arn:aws:iam::${delivery.account}:role/${releaseRoleName()}`;
      const assume = (role: string, principal: string) =>
        may(w, delivery, role, {
          action: 'sts:AssumeRole',
          resource: deployArn,
          resourceAccount: config.account,
          principal,
          resourcePolicy: trust,
          context: { 'aws:PrincipalArn': principal },
        });
      expect(await assume(releaseRole, release)).toBe('Allowed');
      // another role of the tooling account, even one whose own policy allowed it, is not admitted by the trust
      const other = `arn:aws:iam::${delivery.account}:role/someone`;
      const anyAssume = [{ name: 'any', policy: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] } }];
      expect(
        (
          await decide({
            identity: anyAssume,
            action: 'sts:AssumeRole',
            resource: deployArn,
            resourceAccount: config.account,
            principal: other,
            resourcePolicy: trust,
          })
        ).decision,
      ).not.toBe('Allowed');
      const statements = identityPolicies(w, cluster, deploy).flatMap((p) => p.policy.Statement);
      expect(statements.flatMap((s) => [s.Action].flat())).toEqual(['eks:DescribeCluster']);
    });

    test("the clusters' public endpoint admits the release step's address", () => {
      expect(config.kubernetes.publicEndpointCidrs).toEqual(expect.arrayContaining(['198.51.100.10/32']));
    });
  });

  test('every action of the delivery policies exists in AWS', async () => {
    const statements = [signer, roleNamed(w, 'Tooling/Delivery', releaseRoleName())].flatMap((id) =>
      identityPolicies(w, delivery, id).flatMap((p) => p.policy.Statement),
    );
    for (const s of statements) expect(await unknownActions(s)).toEqual([]);
  });
});
