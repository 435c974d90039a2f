/**
 * DNS as a first deploy meets it: every Route 53 record that points at a name (CNAME, alias) and
 * every health check targets something the platform creates: a record some stack makes, a name the
 * environment's ExternalDNS publishes (an Ingress's `external-dns.alpha.kubernetes.io/hostname`), or
 * a resource of the same template (an alias to a CloudFront distribution or a load balancer). A
 * health check of a name nothing creates is permanently unhealthy, and a failover to it sends
 * users nowhere.
 */
import { KubeDocument } from '../../cdk8s/policies';
import { EACH_ENV } from '../app-fixture';
import { CfnResource, resolve, stageResources, SynthesizedStack, world } from './world';

const HOSTNAME_ANNOTATION = 'external-dns.alpha.kubernetes.io/hostname';
/** Record types whose data is a name that must exist. */
const NAME_TARGETS = new Set(['CNAME']);
const bare = (name: string) => name.replace(/\.$/, '').toLowerCase();

describe('DNS targets contract: templates and manifests together', () => {
  // GIVEN every stage synthesized and every environment's manifests
  const w = world();
  const stageOf = (name: string) => w.environments.find((c) => c.name === name)!.stageName;
  const records = (name: string) => stageResources(w, stageOf(name), 'AWS::Route53::RecordSet');

  /** Every name the environment creates: its records (any type), and its ExternalDNS hostnames. */
  const createdNames = (name: string): Set<string> => {
    const names = new Set<string>();
    for (const { stack, resource } of records(name)) names.add(bare(String(resolve(w, stack, resource.Properties!.Name))));
    const published = (w.manifests[name] as KubeDocument[])
      .map((d) => d.metadata?.annotations?.[HOSTNAME_ANNOTATION] as string | undefined)
      .filter((h): h is string => typeof h === 'string')
      .flatMap((h) => h.split(','));
    for (const host of published) names.add(bare(host.trim()));
    return names;
  };

  /** An alias target is a resource of the same stack (Fn::GetAtt) when it is not a literal name. */
  const aliasTargetsAResource = (stack: SynthesizedStack, target: unknown): boolean => {
    const getAtt = (target as { 'Fn::GetAtt'?: [string, string] })?.['Fn::GetAtt'];
    return Array.isArray(getAtt) && stack.template.Resources[getAtt[0]] !== undefined;
  };

  test.each(EACH_ENV)('%s: every CNAME points at a name some stack or the cluster creates', (name) => {
    const created = createdNames(name);
    const cnames = records(name).filter(({ resource }) => NAME_TARGETS.has(resource.Properties!.Type));
    expect(cnames.length).toBeGreaterThan(0);
    for (const { stack, resource } of cnames) {
      for (const target of resource.Properties!.ResourceRecords as unknown[]) {
        const host = bare(String(resolve(w, stack, target)));
        expect({ record: bare(String(resolve(w, stack, resource.Properties!.Name))), target: host, created: created.has(host) }).toEqual(
          expect.objectContaining({ created: true }),
        );
      }
    }
  });

  test.each(EACH_ENV)('%s: every alias targets a resource the same template creates', (name) => {
    const aliases = records(name).filter(({ resource }) => resource.Properties!.AliasTarget);
    expect(aliases.length).toBeGreaterThan(0);
    for (const { stack, id, resource } of aliases) {
      expect({ id, targetsResource: aliasTargetsAResource(stack, resource.Properties!.AliasTarget.DNSName) }).toEqual({
        id,
        targetsResource: true,
      });
    }
  });

  test.each(EACH_ENV)('%s: every health check calls a name some stack or the cluster creates, or combines such checks', (name) => {
    const created = createdNames(name);
    const checks = stageResources(w, stageOf(name), 'AWS::Route53::HealthCheck') as {
      stack: SynthesizedStack;
      id: string;
      resource: CfnResource;
    }[];
    const endpoints = checks.filter(({ resource }) => resource.Properties!.HealthCheckConfig.Type !== 'CALCULATED');
    expect(endpoints.length).toBeGreaterThan(0);
    for (const { stack, resource } of endpoints) {
      const host = bare(String(resolve(w, stack, resource.Properties!.HealthCheckConfig.FullyQualifiedDomainName)));
      expect({ host, created: created.has(host) }).toEqual({ host, created: true });
    }
    // A calculated check combines checks of the same template, each of which calls a created name (above)
    for (const { stack, id, resource } of checks.filter(({ resource }) => resource.Properties!.HealthCheckConfig.Type === 'CALCULATED')) {
      const children = resource.Properties!.HealthCheckConfig.ChildHealthChecks as { Ref: string }[];
      expect(children.length).toBeGreaterThan(0);
      for (const child of children)
        expect({ id, child: stack.template.Resources[child.Ref]?.Type }).toEqual({ id, child: 'AWS::Route53::HealthCheck' });
    }
  });

  test.each(EACH_ENV)('%s: no failover record (the DR region is a pilot light without an API origin, ADR 0008)', (name) => {
    expect(records(name).filter(({ resource }) => resource.Properties!.Failover)).toEqual([]);
  });
});
