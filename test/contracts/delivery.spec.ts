/**
 * Delivery, read from both sides as a release meets it: the image signer role (Tooling/Delivery)
 * against the signing key's policy (Tooling/Signing), the release role against every environment's
 * deploy role, the deploy role against the gate project it starts, the gate role's access entry
 * against the Kubernetes group the manifests bind, the gate's network path to the private endpoint.
 * IAM questions are answered by @cloud-copilot/iam-simulate over the policies as synthesized.
 */
import {
  DELIVERY,
  RELEASE_KUBERNETES_GROUP,
  deployRoleName,
  imageProjectName,
  releaseProjectName,
  releaseRoleName,
  toolInstallCommands,
} from '../../lib/config/delivery';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { deliveryPipelines } from '../../lib/config/pipeline';
import { SERVICES } from '../../lib/config/service-catalog';
import { imageSignerRoleName } from '../../lib/config/image-signing';
import { clusterName } from '../../lib/config/naming';
import { PLATFORM } from '../../lib/config/platform';
import { GATE_REVISION_VARIABLE, gateBuildCommands, gateProjectName, gateRoleName } from '../../lib/config/release-gate';
import { Request, decide, identityPolicies, roleMay, trustAllows, unknownActions } from './iam';
import { CfnResource, World, resolve, resourcesOf, stack, subnetsOf, world } from './world';

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
    const gateRole = () => roleNamed(w, `${stageName}/Cluster`, gateRoleName(config.name));
    const deployRole = () => roleNamed(w, `${stageName}/Cluster`, deployRoleName(config.name));
    const gateProject = () => {
      const found = resourcesOf(cluster, 'AWS::CodeBuild::Project').filter(([, r]) => r.Properties!.Name === gateProjectName(config.name));
      expect(found).toHaveLength(1);
      return found[0];
    };
    // the ARNs AWS gives them, from their names
    const projectArn = () => `arn:aws:codebuild:${config.region}:${config.account}:project/${gateProjectName(config.name)}`;
    const clusterArn = () => `arn:aws:eks:${config.region}:${config.account}:cluster/${clusterName(config.name)}`;

    test('the access entry names the role the gate project runs as, mapped to the group the manifests bind, with no access policy', () => {
      expect(entries).toHaveLength(1);
      const [, entry] = entries[0];
      expect(entry.Properties!.PrincipalArn).toEqual({ 'Fn::GetAtt': [gateRole(), 'Arn'] });
      expect(gateProject()[1].Properties!.ServiceRole).toEqual({ 'Fn::GetAtt': [gateRole(), 'Arn'] });
      expect(entry.Properties!.AccessPolicies).toBeUndefined();
      const bindings = w.manifests[config.name].filter(
        (d) => d.kind === 'RoleBinding' && d.subjects?.some((s: { name: string }) => s.name === RELEASE_KUBERNETES_GROUP),
      );
      expect(bindings.map((b) => b.metadata.namespace).sort()).toEqual([...config.kubernetes.workloadNamespaces, 'argocd'].sort());
    });

    test('only CodeBuild may assume the gate role, which may describe this cluster and nothing else of EKS', async () => {
      expect((await trustAllows(w, cluster, gateRole(), { principal: 'codebuild.amazonaws.com' })).decision).toBe('Allowed');
      expect((await trustAllows(w, cluster, gateRole(), { principal: 'lambda.amazonaws.com' })).decision).not.toBe('Allowed');
      expect(
        (await trustAllows(w, cluster, gateRole(), { principal: `arn:aws:iam::${delivery.account}:role/${releaseRoleName()}` })).decision,
      ).not.toBe('Allowed');
      expect(await roleMay(w, cluster, gateRole(), { action: 'eks:DescribeCluster', resource: clusterArn() })).toHaveDecision('Allowed');
      expect(await roleMay(w, cluster, gateRole(), { action: 'eks:DescribeCluster', resource: `${clusterArn()}-other` })).toHaveDecision(
        'ImplicitlyDenied',
      );
    });

    test('only the release role may assume the deploy role, which may start and read the gate builds and nothing else', async () => {
      const deploy = deployRole();
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
      // the deploy role: exactly the gate project, and the two calls the release makes
      for (const action of ['codebuild:StartBuild', 'codebuild:BatchGetBuilds']) {
        expect(await roleMay(w, cluster, deploy, { action, resource: projectArn() })).toHaveDecision('Allowed');
        expect(await roleMay(w, cluster, deploy, { action, resource: `${projectArn()}-other` })).toHaveDecision('ImplicitlyDenied');
      }
      for (const action of ['codebuild:UpdateProject', 'codebuild:StopBuild']) {
        expect(await roleMay(w, cluster, deploy, { action, resource: projectArn() })).toHaveDecision('ImplicitlyDenied');
      }
      expect(await roleMay(w, cluster, deploy, { action: 'eks:DescribeCluster', resource: clusterArn() })).toHaveDecision(
        'ImplicitlyDenied',
      );
      const statements = identityPolicies(w, cluster, deploy).flatMap((p) => p.policy.Statement);
      expect(statements.flatMap((s) => [s.Action].flat()).sort()).toEqual(['codebuild:BatchGetBuilds', 'codebuild:StartBuild']);
      // and the deploy role is mapped by no access entry: it never reaches the cluster
      const principals = resourcesOf(cluster, 'AWS::EKS::AccessEntry').map(([, r]) => r.Properties!.PrincipalArn);
      expect(principals).not.toContainEqual({ 'Fn::GetAtt': [deploy, 'Arn'] });
    });

    test("the gate's network path: private subnets with a NAT route, HTTPS out, admitted by the cluster security group on 443 to the private endpoint", () => {
      const [, project] = gateProject();
      const vpcConfig = resolve(w, cluster, project.Properties!.VpcConfig);
      const subnets = subnetsOf(w, stageName);
      const privateIds = subnets.filter((x) => x.tier === 'Private').map((x) => x.id);
      expect(vpcConfig.Subnets.length).toBeGreaterThan(0);
      expect(privateIds).toEqual(expect.arrayContaining(vpcConfig.Subnets));
      // each of those subnets routes 0.0.0.0/0 to a NAT gateway (the tools' downloads, the AWS APIs)
      const network = stack(w, `${stageName}/Network`);
      for (const subnet of vpcConfig.Subnets as string[]) {
        const association = resourcesOf(network, 'AWS::EC2::SubnetRouteTableAssociation').find(
          ([, r]) => resolve(w, network, r.Properties!.SubnetId) === subnet,
        );
        const table = resolve(w, network, association![1].Properties!.RouteTableId);
        const routes = resourcesOf(network, 'AWS::EC2::Route').filter(([, r]) => resolve(w, network, r.Properties!.RouteTableId) === table);
        expect(routes.some(([, r]) => r.Properties!.DestinationCidrBlock === '0.0.0.0/0' && r.Properties!.NatGatewayId)).toBe(true);
      }
      // its security group: HTTPS out only, to anywhere (the private endpoint's addresses, AWS APIs, dl.k8s.io, github.com)
      const [groupRef] = project.Properties!.VpcConfig.SecurityGroupIds;
      const groupId = groupRef['Fn::GetAtt'][0];
      const group = cluster.template.Resources[groupId];
      expect(group.Properties!.SecurityGroupEgress).toEqual([
        expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
      ]);
      // and the cluster security group (EKS's, on the private endpoint's interfaces) admits it on 443
      const [clusterId] = resourcesOf(cluster, 'AWS::EKS::Cluster').map(([id]) => id);
      const ingress = resourcesOf(cluster, 'AWS::EC2::SecurityGroupIngress').filter(
        ([, r]) => r.Properties!.SourceSecurityGroupId?.['Fn::GetAtt']?.[0] === groupId,
      );
      expect(ingress.map(([, r]) => r.Properties)).toEqual([
        expect.objectContaining({
          GroupId: { 'Fn::GetAtt': [clusterId, 'ClusterSecurityGroupId'] },
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
        }),
      ]);
      expect(cluster.template.Resources[clusterId].Properties!.ResourcesVpcConfig.EndpointPrivateAccess).toBe(true);
    });

    test('the gate installs the pinned, checksum-verified tools and runs the gate commands of this cluster', () => {
      const spec = JSON.parse(gateProject()[1].Properties!.Source.BuildSpec);
      expect(spec.phases.install.commands).toEqual([
        ...toolInstallCommands('kubectl', DELIVERY.tools.kubectl),
        ...toolInstallCommands('argoRollouts', DELIVERY.tools.argoRollouts),
      ]);
      expect(spec.phases.build.commands).toEqual(gateBuildCommands({ clusterName: clusterName(config.name), region: config.region }));
      expect(spec.env['exported-variables']).toEqual([GATE_REVISION_VARIABLE]);
    });

    test("the cluster's public endpoint admits people's addresses only: nothing of the tooling account", () => {
      expect(config.kubernetes.publicEndpointCidrs).toEqual(PLATFORM.adminCidrs);
      const [, resource] = resourcesOf(cluster, 'AWS::EKS::Cluster')[0];
      expect(resource.Properties!.ResourcesVpcConfig.PublicAccessCidrs ?? []).toEqual(PLATFORM.adminCidrs);
    });
  });

  test('every action of the delivery policies exists in AWS (the gate and deploy roles of every environment too)', async () => {
    const statements = [signer, roleNamed(w, 'Tooling/Delivery', releaseRoleName())].flatMap((id) =>
      identityPolicies(w, delivery, id).flatMap((p) => p.policy.Statement),
    );
    for (const config of w.environments) {
      const cluster = stack(w, `${config.stageName}/Cluster`);
      for (const name of [gateRoleName(config.name), deployRoleName(config.name)]) {
        statements.push(...identityPolicies(w, cluster, roleNamed(w, cluster.path, name)).flatMap((p) => p.policy.Statement));
      }
    }
    for (const s of statements) expect(await unknownActions(s)).toEqual([]);
  });
});

describe.each(deliveryPipelines(ENVIRONMENTS).map((spec) => [spec.stackId] as const))(
  'Tooling/%s: the actions that start the delivery projects (pipeline action role <-> Delivery projects)',
  (stackId) => {
    const w = world();
    const pipeline = stack(w, `Tooling/${stackId}`);
    const delivery = stack(w, 'Tooling/Delivery');
    const projectArn = (name: string) => `arn:aws:codebuild:${delivery.region}:${delivery.account}:project/${name}`;
    const [, resource] = resourcesOf(pipeline, 'AWS::CodePipeline::Pipeline')[0];
    const actions: { Configuration?: { ProjectName?: string }; RoleArn?: { 'Fn::GetAtt': [string, string] } }[] =
      resource.Properties!.Stages.flatMap((s: { Actions: unknown[] }) => s.Actions);
    const imageNames = SERVICES.map((s) => imageProjectName(s.name));
    const releaseNames = w.environments.map((e) => releaseProjectName(e.name));
    /** The logical IDs of the action roles of the actions that start one of `names`. */
    const rolesStarting = (names: readonly string[]) => {
      const starting = actions.filter((a) => names.includes(a.Configuration?.ProjectName ?? ''));
      return { count: starting.length, roles: [...new Set(starting.map((a) => a.RoleArn?.['Fn::GetAtt'][0]))] };
    };
    const pipelineRole = resolve(w, pipeline, { 'Fn::GetAtt': [resourcePipelineRole(), 'Arn'] }) as string;
    function resourcePipelineRole(): string {
      return (resource.Properties!.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    }

    test('every image build is started by one shared action role, which may start and watch the image projects and nothing else', async () => {
      // GIVEN the actions of the catalog's image builds (one per service)
      const { count, roles } = rolesStarting(imageNames);
      expect(count).toBe(SERVICES.length);
      // THEN one role starts them all (adding a service adds an action, not a role and a policy)
      expect(roles).toHaveLength(1);
      const [role] = roles as string[];
      for (const name of imageNames) {
        for (const action of ['codebuild:StartBuild', 'codebuild:BatchGetBuilds', 'codebuild:StopBuild']) {
          expect(await roleMay(w, pipeline, role, { action, resource: projectArn(name) })).toHaveDecision('Allowed');
        }
      }
      for (const other of [...releaseNames, 'other']) {
        expect(await roleMay(w, pipeline, role, { action: 'codebuild:StartBuild', resource: projectArn(other) })).toHaveDecision(
          'ImplicitlyDenied',
        );
      }
      // and only the pipeline's own role may assume it
      expect(await trustAllows(w, pipeline, role, { principal: pipelineRole })).toHaveDecision('Allowed');
      expect(await trustAllows(w, pipeline, role, { principal: `arn:aws:iam::${pipeline.account}:role/other` })).not.toHaveDecision(
        'Allowed',
      );
    });

    test('the releases, when this pipeline runs them, share another action role, which may start the release projects only', async () => {
      const { count, roles } = rolesStarting(releaseNames);
      if (count === 0) return;
      expect(roles).toHaveLength(1);
      expect(roles).not.toEqual(rolesStarting(imageNames).roles);
      const [role] = roles as string[];
      const started = [...new Set(actions.map((a) => a.Configuration?.ProjectName).filter((n) => releaseNames.includes(n ?? '')))];
      for (const name of started) {
        expect(await roleMay(w, pipeline, role, { action: 'codebuild:StartBuild', resource: projectArn(name!) })).toHaveDecision('Allowed');
      }
      expect(await roleMay(w, pipeline, role, { action: 'codebuild:StartBuild', resource: projectArn(imageNames[0]) })).toHaveDecision(
        'ImplicitlyDenied',
      );
    });

    test("the projects' roles (the image signer, the release role) each get one grant to read the pipeline's artifacts", () => {
      for (const name of [imageSignerRoleName(), releaseRoleName()]) {
        const grants = resourcesOf(pipeline, 'AWS::IAM::Policy').filter(
          ([, p]) => JSON.stringify(p.Properties!.Roles) === JSON.stringify([name]),
        );
        const expected = rolesStarting(name === imageSignerRoleName() ? imageNames : releaseNames).count > 0 ? 1 : 0;
        expect([name, grants.length]).toEqual([name, expected]);
      }
    });
  },
);
