import { Testing } from 'cdk8s';
import { ClusterConfigChart } from '../../cdk8s/charts/cluster-config-chart';
import { ALB_CONTROLLER, ALB_SSL_POLICY, albIngressAnnotations } from '../../cdk8s/constructs/alb-ingress-class';
import { KubeDocument } from '../../cdk8s/policies';
import { albSecurityGroupNames } from '../../lib/config/alb-origin';
import { albAccessLogsBucketName, albAccessLogsPrefix, albIngressClassName, webAclName } from '../../lib/config/edge-names';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { ingressGroupName } from '../../lib/config/naming';
import { EnvironmentConfig } from '../../lib/config/types';
import { withValue } from '../helpers';

const EACH = ENVIRONMENTS.map((c) => [c.name, c] as [string, EnvironmentConfig]);
const synth = (config: EnvironmentConfig): KubeDocument[] =>
  Testing.synth(new ClusterConfigChart(Testing.app(), 'cluster-config', { config }));
const attributes = (params: KubeDocument) =>
  Object.fromEntries(params.spec.loadBalancerAttributes.map((a: { key: string; value: string }) => [a.key, a.value]));

describe('the ALB IngressClass and IngressClassParams', () => {
  test.each(EACH)('%s: one IngressClass of the AWS Load Balancer Controller, named from config, pointing at its params', (_n, config) => {
    const docs = synth(config);
    const classes = docs.filter((d) => d.kind === 'IngressClass');
    expect(classes).toHaveLength(1);
    expect(classes[0].metadata.name).toBe(albIngressClassName(config.name));
    expect(classes[0].spec).toEqual({
      controller: ALB_CONTROLLER,
      parameters: { apiGroup: 'elbv2.k8s.aws', kind: 'IngressClassParams', name: albIngressClassName(config.name) },
    });
    // the params come first in the file (applied before the class that names them)
    const kinds = docs.map((d) => d.kind);
    expect(kinds.indexOf('IngressClassParams')).toBeLessThan(kinds.indexOf('IngressClass'));
  });

  test.each(EACH)(
    '%s: the ALB-level settings once: group, internet-facing (CloudFront), IP targets, TLS 1.2+, the WebACL by name',
    (_n, config) => {
      const params = synth(config).find((d) => d.kind === 'IngressClassParams')!;
      expect(params.metadata.name).toBe(albIngressClassName(config.name));
      expect(params.spec).toMatchObject({
        group: { name: ingressGroupName(config.name) },
        scheme: 'internet-facing',
        targetType: 'ip',
        sslPolicy: ALB_SSL_POLICY,
        wafv2AclName: webAclName(config.name, 'REGIONAL'),
      });
      expect(params.spec.namespaceSelector).toEqual({
        matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: config.kubernetes.workloadNamespaces }],
      });
    },
  );

  test.each(EACH)(
    '%s: access logs to the config-named bucket and prefix; deletion protection from config; invalid headers dropped',
    (_n, config) => {
      const params = synth(config).find((d) => d.kind === 'IngressClassParams')!;
      expect(attributes(params)).toEqual({
        'access_logs.s3.enabled': 'true',
        'access_logs.s3.bucket': albAccessLogsBucketName(config.name, config.account, config.region),
        'access_logs.s3.prefix': albAccessLogsPrefix(config.name),
        'deletion_protection.enabled': String(config.edge.albDeletionProtection),
        'routing.http.drop_invalid_header_fields.enabled': 'true',
      });
      expect(config.edge.albDeletionProtection).toBe(config.tier !== 'development');
    },
  );

  test.each(EACH)('%s: the ALB carries the required tags of the tagging policy', (_n, config) => {
    const params = synth(config).find((d) => d.kind === 'IngressClassParams')!;
    expect(params.spec.tags).toEqual([
      { key: 'Environment', value: config.tags.Environment },
      { key: 'Application', value: config.tags.Application },
      { key: 'Owner', value: config.tags.Owner },
      { key: 'CostCenter', value: config.tags.CostCenter },
    ]);
  });

  test.each(EACH)('%s: no ARN or ID anywhere: every AWS thing is named from config', (_n, config) => {
    const text = JSON.stringify(synth(config).filter((d) => ['IngressClass', 'IngressClassParams'].includes(d.kind)));
    expect(text).not.toMatch(/arn:|sg-[0-9a-f]|pl-[0-9a-f]|subnet-/);
  });

  test.each(EACH)(
    '%s: every Ingress names our security groups (by Name tag) and lets the controller add the backend rule',
    (_n, config) => {
      expect(albIngressAnnotations(config)).toEqual({
        'alb.ingress.kubernetes.io/security-groups': albSecurityGroupNames(config.name).join(', '),
        'alb.ingress.kubernetes.io/manage-backend-security-group-rules': 'true',
        'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS":443}]',
      });
    },
  );

  test('with Shield Advanced, every Ingress asks the controller to protect the ALB', () => {
    const shielded = withValue(ENVIRONMENTS[2], 'edge.shieldAdvanced', true);
    expect(albIngressAnnotations(shielded)['alb.ingress.kubernetes.io/shield-advanced-protection']).toBe('true');
  });
});
