/**
 * The edge as a first deploy meets it: the synthesized CloudFormation templates and the cdk8s
 * manifests of each environment, read together. Every path an Ingress serves must be routed to the
 * ALB by CloudFront; every AWS thing a manifest names (security group, WebACL, bucket) must be
 * created under that name by a stack, where the controller looks for it.
 */
import { KubeDocument } from '../../cdk8s/policies';
import { apiPathPrefixes, matchesIngressPrefix, matchesPathPattern } from '../../lib/config/edge-routes';
import { servicesFor } from '../../lib/config/service-catalog';
import { apiOriginColorHost, liveApiOriginColors, webhookQueueName } from '../../lib/config/edge-names';
import { apiOriginHost, ingressGroupName } from '../../lib/config/naming';
import { EnvironmentConfig } from '../../lib/config/types';
import { EACH_ENV } from '../app-fixture';
import { resourcePolicy } from './iam';
import { CfnResource, SynthesizedStack, resourcesOf, stack, world } from './world';

type Behavior = { PathPattern?: string; TargetOriginId: string };

describe('edge contract: templates and manifests together', () => {
  // GIVEN every stage synthesized (every gate passed) and every environment's manifests
  const w = world();
  const stackOf = (name: string, stackName: string): SynthesizedStack =>
    stack(w, `${w.environments.find((c) => c.name === name)!.stageName}/${stackName}`);
  /** The resources of one type in a stack of an environment's stage. */
  const found = (name: string, stackName: string, type: string): CfnResource[] =>
    resourcesOf(stackOf(name, stackName), type).map(([, r]) => r);
  const docs = (name: string, kind: string): KubeDocument[] => w.manifests[name].filter((d) => d.kind === kind);
  const distribution = (name: string) => found(name, 'Edge', 'AWS::CloudFront::Distribution')[0].Properties!.DistributionConfig;

  /** The behavior CloudFront picks for a path: the first pattern that matches, else the default. */
  const behaviorFor = (name: string, path: string): Behavior => {
    const c = distribution(name);
    return (c.CacheBehaviors as Behavior[]).find((b) => matchesPathPattern(b.PathPattern!, path)) ?? c.DefaultCacheBehavior;
  };
  const apiOriginId = (name: string, config: EnvironmentConfig): string =>
    distribution(name).Origins.find((o: { DomainName: string }) => o.DomainName === apiOriginHost(config.domain.zoneName)).Id;
  /** Every `Prefix` path the Ingresses of an environment serve. */
  const ingressPrefixes = (name: string): string[] =>
    docs(name, 'Ingress').flatMap((i) =>
      i.spec.rules.flatMap((r: KubeDocument) =>
        r.http.paths.map((p: { path: string; pathType: string }) => {
          expect(p.pathType).toBe('Prefix');
          return p.path;
        }),
      ),
    );

  test.each(EACH_ENV)('%s: every path an Ingress serves reaches the ALB through CloudFront; no app behavior shadows it', (name, config) => {
    const prefixes = [...new Set(ingressPrefixes(name))];
    expect(prefixes.sort()).toEqual(apiPathPrefixes(servicesFor(name)).sort());
    for (const prefix of prefixes) {
      // the prefix itself, its directory, and a path deep below it: what a Prefix path serves
      for (const path of [prefix, `${prefix}/`, `${prefix}/v1/items/42`]) {
        expect(matchesIngressPrefix(prefix, path)).toBe(true);
        expect([path, behaviorFor(name, path).TargetOriginId]).toEqual([path, apiOriginId(name, config)]);
      }
    }
  });

  test.each(EACH_ENV)('%s: every behavior to the ALB serves a path some Ingress serves (no route to nowhere)', (name, config) => {
    const api = (distribution(name).CacheBehaviors as Behavior[]).filter((b) => b.TargetOriginId === apiOriginId(name, config));
    expect(api.length).toBeGreaterThan(0);
    for (const behavior of api) {
      const example = behavior.PathPattern!.replace(/\*/g, 'x').replace(/\?/g, 'y');
      expect([behavior.PathPattern, ingressPrefixes(name).some((prefix) => matchesIngressPrefix(prefix, example))]).toEqual([
        behavior.PathPattern,
        true,
      ]);
    }
  });

  test.each(EACH_ENV)('%s: the app keeps the paths no Ingress serves', (name, config) => {
    for (const path of ['/', '/index.html', '/authors', '/apidocs/x', '/assets/main.js']) {
      expect(behaviorFor(name, path).TargetOriginId).not.toBe(apiOriginId(name, config));
    }
  });

  test.each(EACH_ENV)(
    '%s: the health-check path is served by an Ingress on every color host, through CloudFront too, and WAF lets Route 53 (no header) reach it',
    (name, config) => {
      const path = config.edge.healthCheckPath;
      // Route 53 calls each color's ALB directly
      const checks = found(name, 'Edge', 'AWS::Route53::HealthCheck')
        .map((h) => h.Properties!.HealthCheckConfig)
        .filter((c) => c.Type === 'HTTPS');
      // The colors that receive traffic: only they have a record and a health check (a color out of rotation has no cluster)
      for (const color of liveApiOriginColors(config.edge.blueGreenWeights)) {
        const check = checks.find((c) => c.FullyQualifiedDomainName === apiOriginColorHost(config.domain.zoneName, color))!;
        expect(check).toMatchObject({ ResourcePath: path, Port: 443, EnableSNI: true });
        const served = docs(name, 'Ingress').some((i) =>
          i.spec.rules.some(
            (r: KubeDocument) =>
              r.host === check.FullyQualifiedDomainName && r.http.paths.some((p: { path: string }) => matchesIngressPrefix(p.path, path)),
          ),
        );
        expect(served).toBe(true);
      }
      // the probe goes through CloudFront
      expect(behaviorFor(name, path).TargetOriginId).toBe(apiOriginId(name, config));
      // the REGIONAL WebACL exempts exactly this path (GET) from the origin header Route 53 cannot send
      const rule = found(name, 'Edge', 'AWS::WAFv2::WebACL')[0].Properties!.Rules[0];
      expect(
        rule.Statement.AndStatement.Statements[1].NotStatement.Statement.AndStatement.Statements[0].ByteMatchStatement.SearchString,
      ).toBe(path);
    },
  );

  test.each(EACH_ENV)('%s: every host an Ingress answers for is on the origin certificate the controller discovers by host', (name) => {
    const cert = found(name, 'Edge', 'AWS::CertificateManager::Certificate')[0].Properties!;
    const covered = [cert.DomainName, ...cert.SubjectAlternativeNames];
    for (const ingress of docs(name, 'Ingress')) {
      for (const host of [
        ...ingress.spec.tls.flatMap((t: { hosts: string[] }) => t.hosts),
        ...ingress.spec.rules.map((r: KubeDocument) => r.host),
      ]) {
        expect(covered).toContain(host);
      }
    }
  });

  test.each(EACH_ENV)('%s: the security groups every Ingress names exist under those Name tags, in the cluster VPC', (name) => {
    const annotations = docs(name, 'Ingress').map((i) => i.metadata.annotations['alb.ingress.kubernetes.io/security-groups']);
    // identical on every Ingress (the controller refuses a group that disagrees)
    expect(new Set(annotations).size).toBe(1);
    const named = annotations[0].split(',').map((s: string) => s.trim());
    const groups = found(name, 'Edge', 'AWS::EC2::SecurityGroup');
    for (const sgName of named) {
      const group = groups.find((g) =>
        g.Properties!.Tags.some((t: { Key: string; Value: string }) => t.Key === 'Name' && t.Value === sgName),
      );
      expect([sgName, group !== undefined]).toEqual([sgName, true]);
      expect(JSON.stringify(group!.Properties!.VpcId)).toContain(stackOf(name, 'Network').stackName);
    }
    for (const ingress of docs(name, 'Ingress')) {
      expect(ingress.metadata.annotations['alb.ingress.kubernetes.io/manage-backend-security-group-rules']).toBe('true');
    }
  });

  test.each(EACH_ENV)(
    '%s: every Ingress names the IngressClass, whose params name the group, the WebACL and the bucket a stack creates',
    (name, config) => {
      const [ingressClass] = docs(name, 'IngressClass');
      const [params] = docs(name, 'IngressClassParams');
      for (const ingress of docs(name, 'Ingress')) expect(ingress.spec.ingressClassName).toBe(ingressClass.metadata.name);
      // one owner of the class: the cluster-config chart, never also the controller's chart
      const lbc = docs(name, 'Application').find((a) => a.metadata.name === 'aws-load-balancer-controller')!;
      expect(lbc.spec.source.helm.valuesObject.createIngressClassResource).toBe(false);
      expect(ingressClass.spec.parameters.name).toBe(params.metadata.name);
      expect(params.spec.group.name).toBe(ingressGroupName(config.name));
      // the WebACL, by name, REGIONAL, in the cluster's region
      const acl = found(name, 'Edge', 'AWS::WAFv2::WebACL')[0].Properties!;
      expect([acl.Name, acl.Scope, stackOf(name, 'Edge').region]).toEqual([params.spec.wafv2AclName, 'REGIONAL', config.region]);
      // the access-log bucket, by name, and ELB may write under the prefix the params give
      const attr = Object.fromEntries(params.spec.loadBalancerAttributes.map((a: { key: string; value: string }) => [a.key, a.value]));
      const data = stackOf(name, 'Data');
      const [bucketId] = resourcesOf(data, 'AWS::S3::Bucket').find(([, b]) => b.Properties!.BucketName === attr['access_logs.s3.bucket'])!;
      const statements = resourcePolicy(w, data, bucketId).Statement;
      const delivery = statements.find((s: { Sid?: string }) => s.Sid === 'AllowAlbAccessLogDelivery');
      expect(JSON.stringify(delivery.Resource)).toContain(`/${attr['access_logs.s3.prefix']}/AWSLogs/${config.account}/*`);
      expect(attr['deletion_protection.enabled']).toBe(String(config.tier !== 'development'));
    },
  );

  test.each(EACH_ENV)('%s: the queue the worker is told to consume is the one the Webhooks stack creates', (name, config) => {
    const queues = found(name, 'Webhooks', 'AWS::SQS::Queue').map((q) => q.Properties!.QueueName);
    expect(queues).toContain(webhookQueueName(config.name));
  });
});
