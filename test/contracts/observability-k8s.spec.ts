/**
 * The monitoring and tracing paths as a first deploy meets them, from both sides: Prometheus may
 * scrape every service on the port its PodMonitor names (the service's NetworkPolicy admits it),
 * the Argo Rollouts controller may query Prometheus (and a workload may not), Prometheus may reach
 * Alertmanager, Alertmanager may reach the Pod Identity agent and the SNS API and nothing else
 * outside, every service may send spans to the collector (its egress and the collector's ingress),
 * and the collector's Pod Identity role may put trace segments in X-Ray and nothing else.
 */
import {
  ALERTMANAGER_POD_LABELS,
  ALERTMANAGER_PORTS,
  ARGO_ROLLOUTS_NAMESPACE,
  PROMETHEUS_POD_LABELS,
} from '../../cdk8s/charts/monitoring-chart';
import { OBSERVABILITY_NAMESPACE, PROMETHEUS_PORT } from '../../cdk8s/conventions';
import { ADDON_IDENTITIES } from '../../lib/config/naming';
import { OTEL_COLLECTOR, otlpEndpoint } from '../../lib/config/observability';
import { POD_IDENTITY_AGENT, TELEMETRY_VARIABLES } from '../../lib/config/platform-resources';
import { roleByDescription, roleMay } from './iam';
import { PodRef, allowed, podsOf } from './network-policy';
import { addressIn, resolve, resourcesOf, stack, subnetsOf, world } from './world';

const w = world();
const ENVIRONMENTS = w.environments.map((c) => [c.name, c] as const);

const prometheus: PodRef = {
  namespace: OBSERVABILITY_NAMESPACE,
  labels: { ...PROMETHEUS_POD_LABELS },
  namedPorts: { web: PROMETHEUS_PORT },
};
const alertmanager: PodRef = {
  namespace: OBSERVABILITY_NAMESPACE,
  labels: { ...ALERTMANAGER_POD_LABELS },
  namedPorts: { web: ALERTMANAGER_PORTS.web },
};
const collector: PodRef = { namespace: OTEL_COLLECTOR.namespace, labels: { ...OTEL_COLLECTOR.podLabels } };
const rolloutsController: PodRef = { namespace: ARGO_ROLLOUTS_NAMESPACE, labels: { 'app.kubernetes.io/name': 'argo-rollouts' } };

describe.each(ENVIRONMENTS)('%s: monitoring and tracing paths', (name, config) => {
  const docs = w.manifests[name];
  // the services' pods (a database service's PreSync migration Job is a batch step: not scraped, not traced)
  const pods = podsOf(docs).filter((p) => config.kubernetes.workloadNamespaces.includes(p.namespace) && !p.workload.startsWith('Job/'));
  const podMonitor = (workload: string) =>
    docs.find((d) => d.kind === 'PodMonitor' && `${d.metadata.namespace}/${d.metadata.name}` === workload.split('/').slice(1).join('/'))!;

  test('Prometheus may scrape every service pod on the port its PodMonitor names (default-deny namespaces)', () => {
    expect(pods.length).toBeGreaterThan(0);
    for (const pod of pods) {
      const portName = podMonitor(pod.workload).spec.podMetricsEndpoints[0].port;
      const port = pod.namedPorts![portName];
      expect([pod.workload, portName, port !== undefined]).toEqual([pod.workload, portName, true]);
      // its own egress (the observability namespace does not isolate egress) and the service's ingress
      expect(allowed(docs, 'egress', prometheus, { pod }, { port })).toBe(true);
      expect([pod.workload, allowed(docs, 'ingress', pod, { pod: prometheus }, { port })]).toEqual([pod.workload, true]);
      // and nobody else gets in on that port from another namespace
      expect(allowed(docs, 'ingress', pod, { pod: rolloutsController }, { port })).toBe(false);
    }
  });

  test('the Argo Rollouts controller may query Prometheus; a workload pod may not', () => {
    expect(allowed(docs, 'ingress', prometheus, { pod: rolloutsController }, { port: PROMETHEUS_PORT })).toBe(true);
    expect(allowed(docs, 'ingress', prometheus, { pod: pods[0] }, { port: PROMETHEUS_PORT })).toBe(false);
    // Grafana and the other replica, in the same namespace
    expect(
      allowed(
        docs,
        'ingress',
        prometheus,
        { pod: { namespace: OBSERVABILITY_NAMESPACE, labels: { 'app.kubernetes.io/name': 'grafana' } } },
        { port: PROMETHEUS_PORT },
      ),
    ).toBe(true);
  });

  test('Prometheus may reach Alertmanager, and the replicas each other (gossip, TCP and UDP); workloads may not', () => {
    expect(allowed(docs, 'ingress', alertmanager, { pod: prometheus }, { port: ALERTMANAGER_PORTS.web })).toBe(true);
    expect(allowed(docs, 'ingress', alertmanager, { pod: alertmanager }, { port: ALERTMANAGER_PORTS.cluster })).toBe(true);
    expect(allowed(docs, 'ingress', alertmanager, { pod: alertmanager }, { port: ALERTMANAGER_PORTS.cluster, protocol: 'UDP' })).toBe(true);
    expect(allowed(docs, 'ingress', alertmanager, { pod: pods[0] }, { port: ALERTMANAGER_PORTS.web })).toBe(false);
  });

  test('every service is told the collector endpoint and may send it spans (its egress, the collector ingress); others may not', () => {
    for (const pod of pods) {
      expect(pod.env[TELEMETRY_VARIABLES.endpoint]).toBe(otlpEndpoint());
      for (const port of [OTEL_COLLECTOR.otlpHttpPort, OTEL_COLLECTOR.otlpGrpcPort]) {
        expect([pod.workload, port, allowed(docs, 'egress', pod, { pod: collector }, { port })]).toEqual([pod.workload, port, true]);
        expect([pod.workload, port, allowed(docs, 'ingress', collector, { pod }, { port })]).toEqual([pod.workload, port, true]);
      }
      // the egress rule is the collector's, not a wildcard: another pod of that namespace is refused
      expect(allowed(docs, 'egress', pod, { pod: prometheus }, { port: OTEL_COLLECTOR.otlpHttpPort })).toBe(false);
    }
    expect(allowed(docs, 'ingress', collector, { pod: rolloutsController }, { port: OTEL_COLLECTOR.otlpHttpPort })).toBe(false);
    expect(allowed(docs, 'ingress', collector, { pod: prometheus }, { port: OTEL_COLLECTOR.metricsPort })).toBe(true);
  });

  test('Alertmanager may reach what publishing to SNS needs, and nothing else outside its namespace: DNS, its peers, the agent, the SNS API', () => {
    // GIVEN the pods the operator makes for the Alertmanager resource: its namespace, its podMetadata labels
    const resource = docs.find((d) => d.kind === 'Alertmanager')!;
    expect([resource.metadata.namespace, resource.spec.podMetadata.labels]).toEqual([alertmanager.namespace, alertmanager.labels]);
    const agent = POD_IDENTITY_AGENT.cidr.split('/')[0];
    expect([agent, POD_IDENTITY_AGENT.port]).toEqual(['169.254.170.23', 80]);
    const coreDns: PodRef = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
    // the Pod Identity agent (credentials of its role) and DNS
    expect(allowed(docs, 'egress', alertmanager, { ip: agent }, { port: POD_IDENTITY_AGENT.port })).toBe(true);
    expect(allowed(docs, 'egress', alertmanager, { pod: coreDns }, { port: 53, protocol: 'UDP' })).toBe(true);
    // its replicas' gossip, both ways (its ingress admits its namespace on the cluster port)
    for (const protocol of ['TCP', 'UDP'] as const) {
      expect(allowed(docs, 'egress', alertmanager, { pod: alertmanager }, { port: ALERTMANAGER_PORTS.cluster, protocol })).toBe(true);
      expect(allowed(docs, 'ingress', alertmanager, { pod: alertmanager }, { port: ALERTMANAGER_PORTS.cluster, protocol })).toBe(true);
    }
    // the SNS API, HTTPS: the interface endpoint in the private subnets where the environment has one, the NAT otherwise
    const network = stack(w, `${config.stageName}/Network`);
    const endpoint = resourcesOf(network, 'AWS::EC2::VPCEndpoint').find(([, e]) =>
      JSON.stringify(resolve(w, network, e.Properties!.ServiceName)).includes('.sns'),
    );
    const privateSubnets = subnetsOf(w, config.stageName).filter((sn) => sn.tier === 'Private');
    if (config.network.interfaceEndpoints.includes('sns')) {
      expect(endpoint).toBeDefined();
      expect(endpoint![1].Properties!.PrivateDnsEnabled).toBe(true);
      for (const subnet of privateSubnets)
        expect(allowed(docs, 'egress', alertmanager, { ip: addressIn(subnet.cidr) }, { port: 443 })).toBe(true);
      // the endpoint's security group admits HTTPS from the VPC, where the pods' addresses are
      const [groupId] = resolve(w, network, endpoint![1].Properties!.SecurityGroupIds) as string[];
      const group = resourcesOf(network, 'AWS::EC2::SecurityGroup').find(([id]) => groupId === `sg-${id}`)!;
      expect(group[1].Properties!.SecurityGroupIngress).toContainEqual(
        expect.objectContaining({ CidrIp: config.network.vpcCidr, FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
      );
      // and only the endpoint: a public address is refused
      expect(allowed(docs, 'egress', alertmanager, { ip: '52.94.0.10' }, { port: 443 })).toBe(false);
    } else {
      expect(endpoint).toBeUndefined();
      expect(allowed(docs, 'egress', alertmanager, { ip: '52.94.0.10' }, { port: 443 })).toBe(true);
    }
    // never instance metadata, another port of the internet, a workload, or Prometheus (it only answers it)
    expect(allowed(docs, 'egress', alertmanager, { ip: '169.254.169.254' }, { port: 80 })).toBe(false);
    expect(allowed(docs, 'egress', alertmanager, { ip: '52.94.0.10' }, { port: 80 })).toBe(false);
    expect(allowed(docs, 'egress', alertmanager, { pod: pods[0] }, { port: 8080 })).toBe(false);
    expect(allowed(docs, 'egress', alertmanager, { pod: prometheus }, { port: PROMETHEUS_PORT })).toBe(false);
  });

  test("the collector's service account has a Pod Identity role that may put trace segments, and nothing else", async () => {
    const cluster = stack(w, `${config.stageName}/Cluster`);
    const identity = ADDON_IDENTITIES.otelCollector;
    const associations = resourcesOf(cluster, 'AWS::EKS::PodIdentityAssociation').map(([, a]) => a.Properties!);
    expect(associations.some((a) => a.Namespace === identity.namespace && a.ServiceAccount === identity.serviceAccount)).toBe(true);
    expect([identity.namespace, identity.serviceAccount]).toEqual([OTEL_COLLECTOR.namespace, OTEL_COLLECTOR.serviceAccount]);
    const application = docs.find((d) => d.kind === 'Application' && d.metadata.name === OTEL_COLLECTOR.release)!;
    expect(application.spec.destination.namespace).toBe(identity.namespace);
    expect(application.spec.source.helm.valuesObject.serviceAccount).toEqual({ create: true, name: identity.serviceAccount });

    const role = roleByDescription(cluster, `${identity.namespace}/${identity.serviceAccount} in`);
    expect(await roleMay(w, cluster, role, { action: 'xray:PutTraceSegments', resource: '*' })).toHaveDecision('Allowed');
    for (const action of ['xray:PutTelemetryRecords', 'xray:BatchGetTraces', 'xray:GetSamplingRules', 'logs:PutLogEvents']) {
      expect([action, (await roleMay(w, cluster, role, { action, resource: '*' })).decision]).toEqual([action, 'ImplicitlyDenied']);
    }
  });
});
