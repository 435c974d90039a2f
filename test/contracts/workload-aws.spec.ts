/**
 * What a service's pods need from AWS, read from both sides as a first deploy meets them: the
 * manifests (service accounts, NetworkPolicies, variables, ExternalSecrets) and the templates
 * (Pod Identity associations, roles, subnets, the proxy, the replica, parameters, secrets).
 */
import { PARAMETER_STORE_NAME } from '../../cdk8s/conventions';
import { secretStoreName } from '../../lib/config/access-names';
import { ADDON_IDENTITIES, NON_SERVICE_DATABASE_USERS } from '../../lib/config/naming';
import { subnetCidrs } from '../../lib/config/network-layout';
import { DATABASE_VARIABLES, POD_IDENTITY_AGENT, UPLOADS_VARIABLES, WEBHOOK_EVENTS_VARIABLES } from '../../lib/config/platform-resources';
import { webhookKeyAliasName } from '../../lib/config/edge-names';
import { resourcePolicy, roleByDescription, roleMay } from './iam';
import { allowed, podsOf } from './network-policy';
import { addressIn, resolve, resourcesOf, stack, stageResources, standIn, subnetsOf, world } from './world';

const w = world();
const ENVIRONMENTS = w.environments.map((c) => [c.name, c] as const);
const agentIp = POD_IDENTITY_AGENT.cidr.split('/')[0];

describe.each(ENVIRONMENTS)('%s: services and AWS', (name, config) => {
  const stage = config.stageName;
  const docs = w.manifests[name];
  const pods = podsOf(docs).filter((p) => config.kubernetes.workloadNamespaces.includes(p.namespace));
  const cluster = stack(w, `${stage}/Cluster`);
  const data = stack(w, `${stage}/Data`);
  const associations = resourcesOf(cluster, 'AWS::EKS::PodIdentityAssociation').map(([, a]) => a.Properties!);
  const association = (namespace: string, serviceAccount: string) =>
    associations.find((a) => a.Namespace === namespace && a.ServiceAccount === serviceAccount);
  const roleOf = (namespace: string, serviceAccount: string) => roleByDescription(cluster, `${namespace}/${serviceAccount} in`);

  test('the address plan the manifests use is the one the Network stack builds', () => {
    const plan = subnetCidrs(config.network);
    const subnets = subnetsOf(w, stage);
    for (const [tier, label] of [
      ['public', 'Public'],
      ['private', 'Private'],
      ['isolated', 'Isolated'],
    ] as const) {
      expect(subnets.filter((s) => s.tier === label).map((s) => [s.zone, s.cidr])).toEqual(
        config.network.availabilityZones.map((zone, i) => [zone, plan[tier][i]]),
      );
    }
  });

  test('a pod that calls AWS has a Pod Identity association for its service account and may reach the agent; no association is unused', () => {
    expect(pods.length).toBeGreaterThan(0);
    for (const pod of pods) {
      const callsAws = pod.env.AWS_REGION !== undefined;
      const reachesAgent = allowed(docs, 'egress', pod, { ip: agentIp }, { port: POD_IDENTITY_AGENT.port });
      expect([pod.workload, callsAws && association(pod.namespace, pod.serviceAccount) !== undefined]).toEqual([pod.workload, callsAws]);
      expect([pod.workload, reachesAgent]).toEqual([pod.workload, callsAws]);
      if (callsAws) expect(pod.env.AWS_REGION).toBe(config.region);
    }
    const addonAccounts = Object.values(ADDON_IDENTITIES).map((a) => `${a.namespace}/${a.serviceAccount}`);
    for (const a of associations) {
      const key = `${a.Namespace}/${a.ServiceAccount}`;
      const used = pods.some((p) => `${p.namespace}/${p.serviceAccount}` === key) || addonAccounts.includes(key);
      expect([key, used]).toEqual([key, true]);
    }
  });

  describe('database users', () => {
    const users = pods.filter((p) => p.env[DATABASE_VARIABLES.user] !== undefined);
    const [proxyId, proxy] = resourcesOf(data, 'AWS::RDS::DBProxy')[0];
    const [usersId, usersStep] = resourcesOf(data, 'Custom::DatabaseUsers')[0];
    const subnetCidr = (subnetRef: string) => subnetsOf(w, stage).find((s) => s.id === subnetRef)!.cidr;

    test('every database user of the manifests is made by the Data stack, in the database the pods are told', () => {
      expect(users.length).toBeGreaterThan(0);
      const made = resolve(w, data, usersStep.Properties!.Users) as string[];
      // (a service's pods and its migration Job's pods connect as the same user)
      expect([...new Set(users.map((p) => p.env[DATABASE_VARIABLES.user]))].sort()).toEqual([...made].sort());
      for (const pod of users) expect(pod.env[DATABASE_VARIABLES.name]).toBe(usersStep.Properties!.Database);
      expect(usersId).toBeDefined();
    });

    test('each may reach the proxy in every subnet it lives in, on its port; the cluster is admitted by the proxy security group', () => {
      const proxySubnets = (resolve(w, data, proxy.Properties!.VpcSubnetIds) as string[]).map(subnetCidr);
      for (const pod of users) {
        for (const cidr of proxySubnets) {
          expect([
            pod.workload,
            cidr,
            allowed(docs, 'egress', pod, { ip: addressIn(cidr) }, { port: Number(pod.env[DATABASE_VARIABLES.port]) }),
          ]).toEqual([pod.workload, cidr, true]);
        }
      }
      const proxyGroups = resolve(w, data, proxy.Properties!.VpcSecurityGroupIds) as string[];
      const rule = resourcesOf(cluster, 'AWS::EC2::SecurityGroupIngress')
        .map(([, r]) => resolve(w, cluster, r.Properties))
        .find((r) => proxyGroups.includes(r.GroupId) && String(r.SourceSecurityGroupId).startsWith('sg-cluster-'));
      expect(rule).toMatchObject({ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432 });
    });

    test('each may connect as its own user at the proxy (IAM), and not as another service', async () => {
      const proxyArn = resolve(w, data, { 'Fn::GetAtt': [proxyId, 'DBProxyArn'] }) as string;
      const dbUser = (user: string) => `arn:aws:rds-db:${config.region}:${config.account}:dbuser:${proxyArn.split(':')[6]}/${user}`;
      for (const pod of users) {
        const role = roleOf(pod.namespace, pod.serviceAccount);
        const own = pod.env[DATABASE_VARIABLES.user];
        const other = users.find((p) => p.env[DATABASE_VARIABLES.user] !== own)!.env[DATABASE_VARIABLES.user];
        expect(await roleMay(w, cluster, role, { action: 'rds-db:connect', resource: dbUser(own) })).toHaveDecision('Allowed');
        expect(await roleMay(w, cluster, role, { action: 'rds-db:connect', resource: dbUser(other) })).toHaveDecision('ImplicitlyDenied');
      }
    });

    test('the proxy may log in to the database as every service user (end-to-end IAM), never as the master user or rdsadmin, nor to another database', async () => {
      const [instanceId] = resourcesOf(data, 'AWS::RDS::DBInstance').find(([, r]) => !r.Properties!.SourceDBInstanceIdentifier)!;
      const resourceId = resolve(w, data, { 'Fn::GetAtt': [instanceId, 'DbiResourceId'] });
      const proxyRole = String(proxy.Properties!.RoleArn['Fn::GetAtt'][0]);
      const dbUser = (id: unknown, user: string) => `arn:aws:rds-db:${config.region}:${config.account}:dbuser:${id}/${user}`;
      for (const pod of users) {
        const resource = dbUser(resourceId, pod.env[DATABASE_VARIABLES.user]);
        expect(await roleMay(w, data, proxyRole, { action: 'rds-db:connect', resource })).toHaveDecision('Allowed');
      }
      // a user the catalog does not have yet (the grant does not list users: it does not grow with the catalog)
      expect(await roleMay(w, data, proxyRole, { action: 'rds-db:connect', resource: dbUser(resourceId, 'next_service') })).toHaveDecision(
        'Allowed',
      );
      for (const user of NON_SERVICE_DATABASE_USERS) {
        expect(await roleMay(w, data, proxyRole, { action: 'rds-db:connect', resource: dbUser(resourceId, user) })).toHaveDecision(
          'ExplicitlyDenied',
        );
      }
      expect(
        await roleMay(w, data, proxyRole, {
          action: 'rds-db:connect',
          resource: dbUser('db-OTHERDATABASE', users[0].env[DATABASE_VARIABLES.user]),
        }),
      ).toHaveDecision('ImplicitlyDenied');
    });

    test('with a read replica, each may reach it (isolated subnets, port, security group) and connect to it as its own user', async () => {
      const replica = resourcesOf(data, 'AWS::RDS::DBInstance').find(([, r]) => r.Properties!.SourceDBInstanceIdentifier);
      expect(replica !== undefined).toBe(config.database.readReplica);
      if (!replica) return;
      const [replicaId, replicaResource] = replica;
      const groups = resolve(w, data, replicaResource.Properties!.VPCSecurityGroups) as string[];
      const admitted = resourcesOf(cluster, 'AWS::EC2::SecurityGroupIngress')
        .map(([, r]) => resolve(w, cluster, r.Properties))
        .some((r) => groups.includes(r.GroupId) && String(r.SourceSecurityGroupId).startsWith('sg-cluster-') && r.FromPort === 5432);
      expect(admitted).toBe(true);
      const isolated = subnetsOf(w, stage).filter((s) => s.tier === 'Isolated');
      const resourceId = resolve(w, data, { 'Fn::GetAtt': [replicaId, 'DbiResourceId'] });
      for (const pod of users) {
        for (const subnet of isolated) expect(allowed(docs, 'egress', pod, { ip: addressIn(subnet.cidr) }, { port: 5432 })).toBe(true);
        const resource = `arn:aws:rds-db:${config.region}:${config.account}:dbuser:${resourceId}/${pod.env[DATABASE_VARIABLES.user]}`;
        expect(await roleMay(w, cluster, roleOf(pod.namespace, pod.serviceAccount), { action: 'rds-db:connect', resource })).toHaveDecision(
          'Allowed',
        );
      }
    });
  });

  test('every value an ExternalSecret reads is created by a stack of the stage, and External Secrets may read it (and nothing of another environment)', async () => {
    // Secrets Manager reads go through each service's own store and role: test/contracts/secret-isolation.spec.ts
    const eso = ADDON_IDENTITIES.externalSecrets;
    const esoRole = roleOf(eso.namespace, eso.serviceAccount);
    const secrets = stageResources(w, stage, 'AWS::SecretsManager::Secret').map((r) => r.resource.Properties!.Name as string);
    const parameters = stageResources(w, stage, 'AWS::SSM::Parameter').map((r) => r.resource.Properties!.Name as string);
    // (an ExternalSecret fed by a generator, such as Grafana's generated admin password, reads no store)
    const reads = docs
      .filter((d) => d.kind === 'ExternalSecret')
      .flatMap((d) =>
        (d.spec.data ?? []).map((entry: { remoteRef: { key: string } }) => ({
          kind: d.spec.secretStoreRef.kind,
          store: d.spec.secretStoreRef.name,
          service: d.metadata.labels['app.kubernetes.io/name'],
          key: entry.remoteRef.key,
        })),
      );
    expect(reads.some((r) => r.store === PARAMETER_STORE_NAME)).toBe(true);
    expect(reads.some((r) => r.kind === 'SecretStore')).toBe(true);
    for (const { kind, store, service, key } of reads) {
      if (kind === 'SecretStore') {
        expect([key, store, secrets.includes(key)]).toEqual([key, secretStoreName(service), true]);
        // External Secrets' own role reads no secret: only through the store's role
        const arn = `arn:aws:secretsmanager:${config.region}:${config.account}:secret:${key}-AbCdEf`;
        expect(await roleMay(w, cluster, esoRole, { action: 'secretsmanager:GetSecretValue', resource: arn })).toHaveDecision(
          'ImplicitlyDenied',
        );
      } else {
        expect([kind, store]).toEqual(['ClusterSecretStore', PARAMETER_STORE_NAME]);
        expect([key, parameters.includes(key)]).toEqual([key, true]);
        const arn = `arn:aws:ssm:${config.region}:${config.account}:parameter${key}`;
        expect(await roleMay(w, cluster, esoRole, { action: 'ssm:GetParameter', resource: arn })).toHaveDecision('Allowed');
        const other = arn.replace(`/${name}/`, '/another-env/');
        expect(await roleMay(w, cluster, esoRole, { action: 'ssm:GetParameter', resource: other })).toHaveDecision('ImplicitlyDenied');
      }
    }
  });

  test('the uploads bucket a pod is told is the bucket the Data stack makes; the pod may use its own prefix only, and reach S3', async () => {
    const uploaders = pods.filter((p) => p.env[UPLOADS_VARIABLES.bucket] !== undefined);
    expect(uploaders.length).toBeGreaterThan(0);
    const buckets = resourcesOf(data, 'AWS::S3::Bucket').map(([, b]) => b.Properties!.BucketName);
    for (const pod of uploaders) {
      const bucket = pod.env[UPLOADS_VARIABLES.bucket];
      expect(buckets).toContain(bucket);
      const role = roleOf(pod.namespace, pod.serviceAccount);
      const own = `arn:aws:s3:::${bucket}/${pod.env[UPLOADS_VARIABLES.prefix]}file.pdf`;
      const other = `arn:aws:s3:::${bucket}/someone-else/file.pdf`;
      expect(await roleMay(w, cluster, role, { action: 's3:PutObject', resource: own })).toHaveDecision('Allowed');
      expect(await roleMay(w, cluster, role, { action: 's3:GetObject', resource: other })).toHaveDecision('ImplicitlyDenied');
      // S3 through the gateway endpoint: a public S3 address on 443; never instance metadata
      expect(allowed(docs, 'egress', pod, { ip: '52.218.0.10' }, { port: 443 })).toBe(true);
      expect(allowed(docs, 'egress', pod, { ip: '169.254.169.254' }, { port: 80 })).toBe(false);
    }
  });

  test("the queue a pod consumes is the Webhooks stack's; it may receive and delete (not send), decrypt through SQS, and reach SQS", async () => {
    const consumers = pods.filter((p) => p.env[WEBHOOK_EVENTS_VARIABLES.queueUrl] !== undefined);
    expect(consumers.length).toBeGreaterThan(0);
    const webhooks = stack(w, `${stage}/Webhooks`);
    const queues = resourcesOf(webhooks, 'AWS::SQS::Queue').map(([, q]) => q.Properties!.QueueName as string);
    for (const pod of consumers) {
      const url = pod.env[WEBHOOK_EVENTS_VARIABLES.queueUrl];
      const [, , host, account, queueName] = url.split('/');
      expect([host, account]).toEqual([`sqs.${config.region}.amazonaws.com`, config.account]);
      expect(queues).toContain(queueName);
      const arn = `arn:aws:sqs:${config.region}:${config.account}:${queueName}`;
      const role = roleOf(pod.namespace, pod.serviceAccount);
      for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']) {
        expect(await roleMay(w, cluster, role, { action, resource: arn })).toHaveDecision('Allowed');
      }
      expect(await roleMay(w, cluster, role, { action: 'sqs:SendMessage', resource: arn })).toHaveDecision('ImplicitlyDenied');
      // KMS also asks the key policy: the Webhooks stack's events key, as synthesized
      const [keyId] = resourcesOf(webhooks, 'AWS::KMS::Key')[0];
      const key = standIn(webhooks, keyId, 'Arn');
      const keyPolicy = resourcePolicy(w, webhooks, keyId);
      const viaSqs = { 'kms:ViaService': `sqs.${config.region}.amazonaws.com` };
      const decrypt = (aliases: string[], context: Record<string, string> = viaSqs) =>
        roleMay(w, cluster, role, {
          action: 'kms:Decrypt',
          resource: key,
          context: { ...context, 'kms:ResourceAliases': aliases },
          resourcePolicy: keyPolicy,
        });
      expect(await decrypt([webhookKeyAliasName(name)])).toHaveDecision('Allowed');
      expect(await decrypt(['alias/saas-platform/other/key'])).toHaveDecision('ImplicitlyDenied');
      expect(await decrypt([webhookKeyAliasName(name)], {})).toHaveDecision('ImplicitlyDenied');
      // the SQS API: the interface endpoint's private subnets where the environment has one, public ranges otherwise
      const target = config.network.interfaceEndpoints.includes('sqs')
        ? addressIn(subnetsOf(w, stage).find((sn) => sn.tier === 'Private')!.cidr)
        : '52.94.0.10';
      expect(allowed(docs, 'egress', pod, { ip: target }, { port: 443 })).toBe(true);
    }
  });
});
