/**
 * The environment's ALB, as the AWS Load Balancer Controller builds it: its ALB-level settings live
 * once in an IngressClass and its IngressClassParams (cluster-scoped), and every service's Ingress
 * names the class. What IngressClassParams cannot hold (the security groups, and whether the
 * controller manages the backend rules) is in `albIngressAnnotations`, identical on every Ingress
 * of the group (the controller refuses a group whose Ingresses disagree on such an annotation).
 *
 * Every value is a name derived from config, the same function CDK creates the thing with: the
 * REGIONAL WebACL by name (`wafv2AclName`), the access-log bucket by name, the security groups by
 * their `Name` tag. Never an ARN or an ID.
 *
 * source: kubernetes-sigs/aws-load-balancer-controller v3.5.0 (the pinned controller; its
 * installation guide: "v2.5.0+ requires Kubernetes 1.22+"), apis/elbv2/v1beta1/ingressclassparams_types.go
 * (the fields below), docs/guide/ingress/ingress_class.md, docs/guide/ingress/annotations.md
 * (`security-groups`: "Name matches a `Name` tag"; `manage-backend-security-group-rules`),
 * pkg/ingress/class_loader.go (the controller name `ingress.k8s.aws/alb`).
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { albSecurityGroupNames } from '../../lib/config/alb-origin';
import { albAccessLogsBucketName, albAccessLogsPrefix, albIngressClassName, webAclName } from '../../lib/config/edge-names';
import { ingressGroupName } from '../../lib/config/naming';
import { REQUIRED_TAGS } from '../../lib/config/tag-policy';
import { EnvironmentConfig } from '../../lib/config/types';

/** The controller an IngressClass names to be the AWS Load Balancer Controller's (pkg/ingress/class_loader.go). */
export const ALB_CONTROLLER = 'ingress.k8s.aws/alb';

/** TLS policy of the HTTPS listener: TLS 1.3 and 1.2 only. */
export const ALB_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/** An ELB attribute of the IngressClassParams. */
export interface AlbAttribute {
  readonly key: string;
  readonly value: string;
}

/**
 * The spec fields of IngressClassParams this platform writes (a subset of
 * `IngressClassParamsSpec`, v3.5.0; the JSON names are the CRD's).
 */
export interface IngressClassParamsSpec {
  readonly namespaceSelector?: {
    readonly matchExpressions: readonly { readonly key: string; readonly operator: 'In'; readonly values: readonly string[] }[];
  };
  readonly group?: { readonly name: string };
  readonly scheme?: 'internal' | 'internet-facing';
  readonly targetType?: 'instance' | 'ip';
  readonly sslPolicy?: string;
  readonly wafv2AclName?: string;
  readonly loadBalancerAttributes?: readonly AlbAttribute[];
  readonly tags?: readonly AlbAttribute[];
}

/** The ALB's attributes: access logs to the config-named bucket, deletion protection from config, invalid headers dropped. */
export function albAttributes(config: EnvironmentConfig): AlbAttribute[] {
  return [
    { key: 'access_logs.s3.enabled', value: 'true' },
    { key: 'access_logs.s3.bucket', value: albAccessLogsBucketName(config.name, config.account, config.region) },
    { key: 'access_logs.s3.prefix', value: albAccessLogsPrefix(config.name) },
    { key: 'deletion_protection.enabled', value: String(config.edge.albDeletionProtection) },
    { key: 'routing.http.drop_invalid_header_fields.enabled', value: 'true' },
  ];
}

/** The IngressClassParams spec of an environment. */
export function ingressClassParamsSpec(config: EnvironmentConfig): IngressClassParamsSpec {
  return {
    // Only the workload namespaces may put routes on this ALB (the controller refuses others).
    namespaceSelector: {
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...config.kubernetes.workloadNamespaces] }],
    },
    group: { name: ingressGroupName(config.name) },
    // CloudFront reaches it over the internet; the security groups admit only CloudFront and Route 53.
    scheme: 'internet-facing',
    targetType: 'ip',
    sslPolicy: ALB_SSL_POLICY,
    wafv2AclName: webAclName(config.name, 'REGIONAL'),
    loadBalancerAttributes: albAttributes(config),
    tags: REQUIRED_TAGS.map((tag) => ({ key: tag.key, value: config.tags[tag.key as keyof EnvironmentConfig['tags']] })),
  };
}

/**
 * Annotations every Ingress of the environment's group carries, identically: what the
 * IngressClassParams of the pinned controller cannot hold.
 */
export function albIngressAnnotations(config: EnvironmentConfig): Record<string, string> {
  return {
    // Our groups (CDK, Edge stack) instead of one the controller would open to 0.0.0.0/0.
    'alb.ingress.kubernetes.io/security-groups': albSecurityGroupNames(config.name).join(', '),
    // ...and the controller still adds the rule that lets the ALB reach the pods (its backend group).
    'alb.ingress.kubernetes.io/manage-backend-security-group-rules': 'true',
    'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS":443}]',
    ...(config.edge.shieldAdvanced ? { 'alb.ingress.kubernetes.io/shield-advanced-protection': 'true' } : {}),
  };
}

/** Props of `AlbIngressClass`. */
export interface AlbIngressClassProps {
  /** The environment. */
  readonly config: EnvironmentConfig;
}

/**
 * The IngressClass every service's Ingress names (`albIngressClassName`) and its IngressClassParams.
 * The controller's Helm chart must not create its own (`createIngressClassResource: false`).
 */
export class AlbIngressClass extends Construct {
  /** Name of the IngressClass (and of its IngressClassParams). */
  public readonly className: string;

  constructor(scope: Construct, id: string, props: AlbIngressClassProps) {
    super(scope, id);
    const { config } = props;
    this.className = albIngressClassName(config.name);
    const params = new ApiObject(this, 'Params', {
      apiVersion: 'elbv2.k8s.aws/v1beta1',
      kind: 'IngressClassParams',
      metadata: { name: this.className },
      spec: ingressClassParamsSpec(config),
    });
    const ingressClass = new ApiObject(this, 'Class', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: this.className },
      spec: {
        controller: ALB_CONTROLLER,
        parameters: { apiGroup: 'elbv2.k8s.aws', kind: 'IngressClassParams', name: this.className },
      },
    });
    // Params first (a class naming missing params is refused by the controller's webhook).
    ingressClass.addDependency(params);
  }
}
