/**
 * The cluster's templates and the environment's manifests read together, as a first deploy meets
 * them: every name a manifest gives a controller (the VPC to find, the subnets and security group
 * to launch into, the node role, the interruption queue, the service accounts) is what a stack
 * creates or tags under that name.
 */
import { KubeDocument } from '../../cdk8s/policies';
import { ADDON_IDENTITIES, clusterSecurityGroupTag } from '../../lib/config/naming';
import { EACH_ENV } from '../app-fixture';
import { resourcesOf, stack, world } from './world';

type Resource = { Type: string; Properties: Record<string, unknown> };

const w = world();
const resources = (path: string): Resource[] => Object.values(stack(w, path).template.Resources) as Resource[];
const tagsOf = (r: Resource): Record<string, string> =>
  Object.fromEntries(((r.Properties.Tags ?? []) as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value]));
const application = (docs: readonly KubeDocument[], name: string) =>
  docs.find((d) => d.kind === 'Application' && d.metadata.name === name)!;

describe.each(EACH_ENV)('%s: cluster templates and manifests agree', (name, config) => {
  const docs = w.manifests[name];
  const network = resources(`${config.stageName}/Network`);
  const cluster = resources(`${config.stageName}/Cluster`);
  const lbc = application(docs, 'aws-load-balancer-controller').spec.source.helm.valuesObject;
  const karpenter = application(docs, 'karpenter').spec.source.helm.valuesObject;
  const nodeClasses = docs.filter((d) => d.kind === 'EC2NodeClass');

  test("the load balancer controller's VPC tags select exactly the Network stack's VPC (finding 1)", () => {
    const vpcs = network.filter((r) => r.Type === 'AWS::EC2::VPC');
    expect(vpcs).toHaveLength(1);
    const wanted = Object.entries(lbc.vpcTags as Record<string, string>);
    expect(wanted.length).toBeGreaterThan(0);
    for (const [key, value] of wanted) expect(tagsOf(vpcs[0])[key]).toBe(value);
    expect(lbc.clusterName).toBe(cluster.find((r) => r.Type === 'AWS::EKS::Cluster')!.Properties.Name);
  });

  test('Karpenter launches into the private subnets only: the EC2NodeClass subnet selector matches exactly them', () => {
    const subnets = network.filter((r) => r.Type === 'AWS::EC2::Subnet');
    for (const nodeClass of nodeClasses) {
      const selector = nodeClass.spec.subnetSelectorTerms[0].tags as Record<string, string>;
      const matching = subnets.filter((s) => Object.entries(selector).every(([k, v]) => tagsOf(s)[k] === v));
      expect(matching.map((s) => tagsOf(s)['aws-cdk:subnet-type'])).toEqual(config.network.availabilityZones.map(() => 'Private'));
    }
  });

  test('Karpenter nodes get the cluster security group: the one the load balancer controller may open to the ALB', () => {
    const tag = clusterSecurityGroupTag(name);
    for (const nodeClass of nodeClasses) expect(nodeClass.spec.securityGroupSelectorTerms).toEqual([{ tags: { [tag.key]: tag.value } }]);
    const lbcPolicy = JSON.stringify(cluster.filter((r) => r.Type === 'AWS::IAM::Policy').map((p) => p.Properties.PolicyDocument));
    expect(lbcPolicy).toContain(`"aws:ResourceTag/${tag.key}":"${tag.value}"`);
  });

  test('the node role the EC2NodeClasses name exists with an EC2_LINUX access entry; the interruption queue the chart reads exists', () => {
    const roleNames = new Set(nodeClasses.map((c) => c.spec.role));
    expect(roleNames.size).toBe(1);
    const [roleId] = resourcesOf(stack(w, `${config.stageName}/Cluster`), 'AWS::IAM::Role')
      .filter(([, r]) => r.Properties?.RoleName === [...roleNames][0])
      .map(([id]) => id);
    expect(roleId).toBeDefined();
    const entry = cluster.find((r) => r.Type === 'AWS::EKS::AccessEntry' && r.Properties.Type === 'EC2_LINUX');
    expect(entry!.Properties.PrincipalArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    const queues = cluster.filter((r) => r.Type === 'AWS::SQS::Queue').map((q) => q.Properties.QueueName);
    expect(queues).toContain(karpenter.settings.interruptionQueue);
  });

  test('every controller that calls AWS runs under the service account and namespace its Pod Identity association names', () => {
    const associations = cluster
      .filter((r) => r.Type === 'AWS::EKS::PodIdentityAssociation')
      .map((r) => `${String(r.Properties.Namespace)}/${String(r.Properties.ServiceAccount)}`);
    const addonByIdentity = {
      awsLoadBalancerController: 'aws-load-balancer-controller',
      externalDns: 'external-dns',
      externalSecrets: 'external-secrets',
      karpenter: 'karpenter',
    } as const;
    for (const [key, addonName] of Object.entries(addonByIdentity)) {
      const identity = ADDON_IDENTITIES[key as keyof typeof ADDON_IDENTITIES];
      const app = application(docs, addonName);
      expect(app.spec.destination.namespace).toBe(identity.namespace);
      expect(app.spec.source.helm.valuesObject.serviceAccount).toEqual({ create: true, name: identity.serviceAccount });
      expect(associations).toContain(`${identity.namespace}/${identity.serviceAccount}`);
    }
  });

  test("no ExternalSecret searches Secrets Manager (dataFrom.find): External Secrets' role may only read secrets by name", () => {
    const externalSecrets = docs.filter((d) => d.kind === 'ExternalSecret');
    expect(externalSecrets.length).toBeGreaterThan(0);
    for (const es of externalSecrets) expect((es.spec.dataFrom ?? []).filter((d: KubeDocument) => d.find)).toEqual([]);
  });

  test('no document uses an External Secrets API version the pinned operator does not serve', () => {
    const eso = docs.filter((d) => d.apiVersion.startsWith('external-secrets.io/'));
    expect(eso.length).toBeGreaterThan(0);
    expect(new Set(eso.map((d) => d.apiVersion))).toEqual(new Set(['external-secrets.io/v1']));
  });
});
