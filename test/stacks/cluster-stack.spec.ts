import { Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { accessRoleArn } from '../../lib/config/access-names';
import { CLUSTER_ACCESS } from '../../lib/config/cluster-access';
import { prod } from '../../lib/config/environments';
import { PLATFORM } from '../../lib/config/platform';
import { AccessRole, accessRolesIn, environmentAccess, TEAM } from '../../lib/config/team';
import { ClusterStack } from '../../lib/stacks/cluster-stack';
import { DataStack } from '../../lib/stacks/data-stack';
import { DnsStack } from '../../lib/stacks/dns-stack';
import { NetworkStack } from '../../lib/stacks/network-stack';
import { ObservabilityDataStack } from '../../lib/stacks/observability-data-stack';
import { testApp, withValue } from '../helpers';
import { EKS_ADDON_NAMES, EKS_ADDON_VERSIONS, EKS_ADDONS_REQUIRED_BY_NODES } from '../../lib/config/eks-addons';
import { signedImagesRequired } from '../../lib/config/image-signing';
import { ADDON_IDENTITIES, serviceAccountName, serviceNamespace } from '../../lib/config/naming';
import { needsAwsIdentity } from '../../lib/config/platform-resources';
import { servicesFor } from '../../lib/config/service-catalog';
import { awsLoadBalancerControllerStatements } from '../../lib/constructs/policies/aws-load-balancer-controller';
import { EACH_ENV, synthesizedApp } from '../app-fixture';

describe('ClusterStack', () => {
  const { stage, template } = synthesizedApp();
  const cluster = (name: string) => template(stage(name).cluster);

  test.each(EACH_ENV)('%s: the Kubernetes version from config, logs, encryption with the Data stack key', (name, config) => {
    cluster(name).hasResourceProperties('AWS::EKS::Cluster', {
      Name: `saas-platform-${name}`,
      Version: config.kubernetes.version,
      EncryptionConfig: [Match.objectLike({ Resources: ['secrets'] })],
      AccessConfig: Match.objectLike({ AuthenticationMode: 'API' }),
      ResourcesVpcConfig: Match.objectLike({ EndpointPrivateAccess: true, PublicAccessCidrs: [...config.kubernetes.publicEndpointCidrs] }),
    });
    expect(stage(name).cluster.terminationProtection).toBe(false);
  });

  test.each(EACH_ENV)('%s: every managed add-on at its pinned version for the cluster version', (name, config) => {
    const versions = EKS_ADDON_VERSIONS[config.kubernetes.version];
    for (const addon of EKS_ADDON_NAMES) {
      cluster(name).hasResourceProperties('AWS::EKS::Addon', { AddonName: addon, AddonVersion: versions[addon] });
    }
    cluster(name).hasResourceProperties('AWS::EKS::Addon', { AddonName: 'vpc-cni', ConfigurationValues: '{"enableNetworkPolicy":"true"}' });
  });

  test.each(EACH_ENV)(
    '%s: add-ons in the order a first deploy needs them: node prerequisites, node groups, the rest (finding 15)',
    (name) => {
      const t = cluster(name);
      const addons = Object.entries(t.findResources('AWS::EKS::Addon'));
      const idOf = (addon: string) => addons.find(([, a]) => a.Properties.AddonName === addon)![0];
      const groups = Object.entries(t.findResources('AWS::EKS::Nodegroup'));
      const required = EKS_ADDONS_REQUIRED_BY_NODES.map(idOf);
      for (const [, group] of groups) expect(group.DependsOn).toEqual(expect.arrayContaining(required));
      for (const name of EKS_ADDON_NAMES.filter((n) => !EKS_ADDONS_REQUIRED_BY_NODES.includes(n))) {
        const [, addon] = addons.find(([id]) => id === idOf(name))!;
        expect({ name, dependsOn: addon.DependsOn }).toEqual({ name, dependsOn: expect.arrayContaining(groups.map(([id]) => id)) });
      }
      expect(EKS_ADDONS_REQUIRED_BY_NODES).toEqual(['eks-pod-identity-agent', 'vpc-cni', 'kube-proxy']);
    },
  );

  test.each(EACH_ENV)('%s: node groups from config, spot only where config allows it', (name, config) => {
    const { system, workloads } = config.kubernetes.nodeGroups;
    cluster(name).hasResourceProperties('AWS::EKS::Nodegroup', {
      ScalingConfig: { MinSize: system.minSize, DesiredSize: system.desiredSize, MaxSize: system.maxSize },
      CapacityType: 'ON_DEMAND',
      Labels: { 'platform.example.com/pool': 'system' },
    });
    cluster(name).hasResourceProperties('AWS::EKS::Nodegroup', {
      ScalingConfig: { MinSize: workloads.minSize, DesiredSize: workloads.desiredSize, MaxSize: workloads.maxSize },
      CapacityType: workloads.capacity === 'spot' ? 'SPOT' : 'ON_DEMAND',
      InstanceTypes: [...workloads.instanceTypes],
    });
  });

  test.each(EACH_ENV)(
    '%s: a Pod Identity association per catalog service, named as the manifests name the service account',
    (name, config) => {
      for (const service of servicesFor(name)) {
        cluster(name).hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
          Namespace: serviceNamespace(service),
          ServiceAccount: serviceAccountName(service.name),
        });
      }
      // Kyverno calls AWS only where it verifies signatures.
      const addons = Object.values(ADDON_IDENTITIES).filter((i) => i !== ADDON_IDENTITIES.kyverno || signedImagesRequired(config.tier));
      for (const identity of addons) {
        cluster(name).hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
          Namespace: identity.namespace,
          ServiceAccount: identity.serviceAccount,
        });
      }
    },
  );

  /** Every statement of every inline policy of the roles whose description matches. */
  const statementsOf = (name: string, descriptionPart: string) => {
    const t = cluster(name);
    const roles = Object.entries(t.findResources('AWS::IAM::Role')).filter(([, r]) =>
      String(r.Properties.Description ?? '').includes(descriptionPart),
    );
    expect(roles).toHaveLength(1);
    const roleId = roles[0][0];
    return Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
  };

  test('a service role may use only its own prefix of the uploads bucket and connect as its own database user to the proxy and the replica', () => {
    const statements = statementsOf('prod', 'apps/payment-service');
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
          Resource: 'arn:aws:s3:::saas-platform-prod-uploads-333333333333-eu-west-1/payment-service/*',
        }),
        expect.objectContaining({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['payment-service/*'] } } }),
        expect.objectContaining({ Action: 'rds-db:connect' }),
      ]),
    );
    const connect = statements.find((s: { Action: unknown }) => s.Action === 'rds-db:connect');
    // IAM auth as its own user (payment_service), at this proxy and at this environment's replica only
    const resources = [connect.Resource].flat().map((r: unknown) => JSON.stringify(r));
    expect(resources).toEqual([
      expect.stringMatching(/dbuser:.*DatabaseReadReplica.*DbiResourceId.*\/payment_service"/),
      expect.stringMatching(/dbuser:.*DatabaseProxy.*DBProxyArn.*\/payment_service"/),
    ]);
  });

  test.each(EACH_ENV)('%s: a service gets a Pod Identity association exactly when it calls AWS (needsAwsIdentity)', (name) => {
    const associations = Object.values(cluster(name).findResources('AWS::EKS::PodIdentityAssociation')).map(
      (a) => `${a.Properties.Namespace}/${a.Properties.ServiceAccount}`,
    );
    for (const service of servicesFor(name)) {
      expect(associations.includes(`${serviceNamespace(service)}/${serviceAccountName(service.name)}`)).toBe(needsAwsIdentity(service));
    }
  });

  test('no pod role has a bare * resource except the controllers that AWS requires it for', () => {
    for (const service of servicesFor('prod')) {
      for (const statement of statementsOf('prod', `/${service.name} in`)) expect(statement.Resource).not.toEqual('*');
    }
  });

  test('each controller role holds exactly the statements of its policy module (upstream policy of the pinned version)', () => {
    // The policies' behaviour is simulated in test/contracts/cluster-iam.spec.ts; here: the template carries them all.
    const sids = (part: string) => statementsOf('prod', part).map((st: { Sid: string }) => st.Sid);
    expect(sids('aws-load-balancer-controller/aws-load-balancer-controller')).toEqual(
      awsLoadBalancerControllerStatements({
        clusterName: 'x',
        region: 'r',
        account: 'a',
        vpcId: 'v',
        clusterSecurityGroupTag: { key: 'k', value: 'v' },
      }).map((d) => d.statement.Sid),
    );
    expect(sids('external-dns/external-dns')).toEqual(['ChangeRecordsInOwnZone', 'ReadZoneTags', 'ListZones']);
    expect(sids('external-secrets/external-secrets')).toEqual(['AssumeTheConsumersSecretsRoles', 'ReadEnvironmentParameters']);
    expect(sids('karpenter/karpenter')).toHaveLength(18);
  });

  test.each(EACH_ENV)(
    "%s: access entries: one per environment role of the roster's access there, with its EKS access policies",
    (name, config) => {
      const entries = Object.values(cluster(name).findResources('AWS::EKS::AccessEntry'));
      const people = entries.filter((e) => e.Properties.Type !== 'EC2_LINUX' && !e.Properties.KubernetesGroups);
      const policiesOf = (role: AccessRole) => {
        const entry = people.find((e) => e.Properties.PrincipalArn === accessRoleArn(config, role));
        expect(entry).toBeDefined();
        return entry!.Properties.AccessPolicies.map((p: { AccessScope: unknown; PolicyArn: unknown }) => [
          JSON.stringify(p.PolicyArn).match(/AmazonEKS\w+Policy/)![0],
          p.AccessScope,
        ]);
      };
      // the nodes Karpenter launches (EC2_LINUX, no access policies), the release step's deploy role (a group,
      // no access policy), and one entry per role of the environment
      expect(entries.filter((e) => e.Properties.KubernetesGroups)).toEqual([
        expect.objectContaining({ Properties: expect.objectContaining({ Type: 'STANDARD', KubernetesGroups: ['saas-platform:release'] }) }),
      ]);
      expect(entries.filter((e) => e.Properties.Type === 'EC2_LINUX')).toEqual([
        expect.objectContaining({ Properties: expect.objectContaining({ AccessPolicies: [] }) }),
      ]);
      const roles = accessRolesIn(TEAM, name);
      expect(people).toHaveLength(roles.length);
      for (const role of roles) {
        expect([role, policiesOf(role)]).toEqual([
          role,
          CLUSTER_ACCESS[role].map(({ policy, scope }) => [
            policy,
            scope === 'cluster' ? { Type: 'cluster' } : { Type: 'namespace', Namespaces: [...config.kubernetes.workloadNamespaces] },
          ]),
        ]);
      }
      expect(roles).toContain('breakGlass');
      // production: nobody edits; everyone views (no Secrets, no exec), admins only through break-glass
      if (config.tier === 'production') expect(roles).toEqual(['readOnly', 'breakGlass']);
      else expect(policiesOf('developer')[0]).toEqual(['AmazonEKSEditPolicy', { Type: 'namespace', Namespaces: ['apps'] }]);
    },
  );

  test('the cluster reaches the database only through the proxy port', () => {
    cluster('prod').hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      Description: 'EKS prod pods and nodes to the RDS Proxy',
    });
  });

  describe('Kyverno verifies image signatures', () => {
    const kyvernoRoles = (name: string) =>
      Object.values(template(stage(name).cluster).findResources('AWS::IAM::Role')).filter((r) =>
        String(r.Properties.Description).includes('kyverno/kyverno-admission-controller'),
      );

    test.each(EACH_ENV)('%s: a Pod Identity role for Kyverno exactly where signed images are required', (name, config) => {
      expect(kyvernoRoles(name)).toHaveLength(signedImagesRequired(config.tier) ? 1 : 0);
    });

    test.each([['staging'], ['prod']])(
      "%s: Kyverno may read the catalog repositories' images and the signing key's public half, nothing else",
      (name) => {
        const t = template(stage(name).cluster);
        const roleId = Object.entries(t.findResources('AWS::IAM::Role')).find(([, r]) =>
          String(r.Properties.Description).includes('kyverno/kyverno-admission-controller'),
        )![0];
        const statements = Object.values(t.findResources('AWS::IAM::Policy'))
          .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
          .flatMap((p) => p.Properties.PolicyDocument.Statement);
        const repositories = [...new Set(servicesFor(name).map((s) => s.image.repository))].sort();
        expect(statements).toEqual([
          { Sid: 'RegistryToken', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
          {
            Sid: 'ReadImagesAndSignatures',
            Effect: 'Allow',
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
            Resource: repositories.map((r) => `arn:aws:ecr:eu-west-1:000000000000:repository/${r}`),
          },
          {
            Sid: 'ReadSigningPublicKey',
            Effect: 'Allow',
            Action: ['kms:DescribeKey', 'kms:GetPublicKey'],
            Resource: 'arn:aws:kms:eu-west-1:000000000000:key/*',
            Condition: { StringEquals: { 'kms:RequestAlias': 'alias/saas-platform/image-signing' } },
          },
        ]);
      },
    );
  });
  test.each(EACH_ENV)("%s: the trace collector's Pod Identity role may put X-Ray trace segments and nothing else", (name) => {
    // GIVEN the synthesized Cluster stack
    const t = template(stage(name).cluster);
    const collector = ADDON_IDENTITIES.otelCollector;
    // WHEN the role of the collector's service account is found
    const roleId = Object.entries(t.findResources('AWS::IAM::Role')).find(([, r]) =>
      String(r.Properties.Description).includes(`${collector.namespace}/${collector.serviceAccount} in`),
    )![0];
    const statements = Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    // THEN its one statement is PutTraceSegments (no resource-level scoping exists for it), associated to that service account
    expect(statements).toEqual([{ Sid: 'PutTraceSegments', Effect: 'Allow', Action: 'xray:PutTraceSegments', Resource: '*' }]);
    t.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      Namespace: collector.namespace,
      ServiceAccount: collector.serviceAccount,
      RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
    });
  });

  test.each(EACH_ENV)(
    "%s: Alertmanager's Pod Identity role may publish to the critical and warning topics, their key through SNS only",
    (name, config) => {
      // GIVEN the synthesized Cluster stack
      const t = template(stage(name).cluster);
      const identity = ADDON_IDENTITIES.alertmanager;
      // WHEN the role of Alertmanager's service account is found
      const roleId = Object.entries(t.findResources('AWS::IAM::Role')).find(([, r]) =>
        String(r.Properties.Description).includes(`${identity.namespace}/${identity.serviceAccount} in`),
      )![0];
      const statements = Object.values(t.findResources('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
        .flatMap((p) => p.Properties.PolicyDocument.Statement);
      // THEN it publishes to the topics named from config, and uses the ObservabilityData stack's key for them, through SNS
      const topics = (['critical', 'warning'] as const).map(
        (s) => `arn:aws:sns:${config.region}:${config.account}:saas-platform-${name}-alerts-${s}`,
      );
      expect(statements).toEqual([
        { Sid: 'PublishAlerts', Effect: 'Allow', Action: 'sns:Publish', Resource: topics },
        {
          Sid: 'EncryptAlerts',
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: expect.anything(),
          Condition: {
            StringEquals: { 'kms:ViaService': `sns.${config.region}.amazonaws.com`, 'kms:EncryptionContext:aws:sns:topicArn': topics },
          },
        },
      ]);
      expect(JSON.stringify(statements[1].Resource)).toContain('AlertKey');
      t.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
        Namespace: identity.namespace,
        ServiceAccount: identity.serviceAccount,
        RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
      });
    },
  );
});

describe('ClusterStack with a service that calls no AWS API', () => {
  test('it gets no role and no Pod Identity association; one that does gets both', () => {
    // GIVEN a fixture catalog: one service using nothing in AWS, one using the uploads bucket
    const [base] = servicesFor('prod');
    const idle = { ...base, name: 'static-pages', database: false, aws: [] };
    const uploader = { ...base, name: 'uploader', database: false, aws: ['uploads' as const] };
    const stage = new Stage(testApp(), 'Prod');
    const network = new NetworkStack(stage, 'Network', { config: prod });
    const data = new DataStack(stage, 'Data', { config: prod, vpc: network.vpc });
    const dns = new DnsStack(stage, 'Dns', { config: prod });
    const stack = new ClusterStack(stage, 'Cluster', {
      config: prod,
      vpc: network.vpc,
      hostedZone: dns.hostedZone,
      services: [idle, uploader],
      controlPlaneLogGroup: data.controlPlaneLogGroup,
      releaseGateLogGroup: data.releaseGateLogGroup,
      alertTopicKey: new ObservabilityDataStack(stage, 'ObservabilityData', { config: prod, logsBucket: data.logsBucket }).alertKey,
      data: {
        databaseProxySecurityGroup: data.databaseAccess.proxySecurityGroup,
        databaseProxy: data.databaseProxy,
        storageKey: data.storageKey,
        clusterSecretsKey: data.clusterSecretsKey,
        applicationSecretsKey: data.applicationSecretsKey,
      },
      access: environmentAccess(TEAM, 'prod', PLATFORM.identityCenter.region),
    });
    // WHEN synthesized THEN only the uploader has a role
    expect(Object.keys(stack.serviceRoles)).toEqual(['uploader']);
    const accounts = Object.values(Template.fromStack(stack).findResources('AWS::EKS::PodIdentityAssociation')).map(
      (a) => a.Properties.ServiceAccount,
    );
    expect(accounts).toContain('uploader');
    expect(accounts).not.toContain('static-pages');
  });
});

describe('ClusterStack version guard', () => {
  test('a cluster version the manifests are not verified for fails synth with a clear message', () => {
    // GIVEN production config with a cluster upgrade the manifests were not reviewed for (validation bypassed)
    const config = withValue(prod, 'kubernetes.version', '1.36');
    const stage = new Stage(testApp(), 'Prod');
    const network = new NetworkStack(stage, 'Network', { config });
    const data = new DataStack(stage, 'Data', { config, vpc: network.vpc });
    const dns = new DnsStack(stage, 'Dns', { config });
    // WHEN the cluster stack is built THEN it refuses, naming the field and what to do
    expect(
      () =>
        new ClusterStack(stage, 'Cluster', {
          config,
          vpc: network.vpc,
          hostedZone: dns.hostedZone,
          services: [],
          controlPlaneLogGroup: data.controlPlaneLogGroup,
          releaseGateLogGroup: data.releaseGateLogGroup,
          alertTopicKey: new ObservabilityDataStack(stage, 'ObservabilityData', { config, logsBucket: data.logsBucket }).alertKey,
          data: {
            databaseProxySecurityGroup: data.databaseAccess.proxySecurityGroup,
            databaseProxy: data.databaseProxy,
            storageKey: data.storageKey,
            clusterSecretsKey: data.clusterSecretsKey,
            applicationSecretsKey: data.applicationSecretsKey,
          },
          access: environmentAccess(TEAM, 'prod', PLATFORM.identityCenter.region),
        }),
    ).toThrow(
      'Prod/Cluster: prod.kubernetes.version: cluster Kubernetes 1.36 is newer than the manifests are verified for (1.33 schemas, APIs reviewed through 1.35)',
    );
  });
});
