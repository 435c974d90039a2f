/**
 * Who may open a connection to the environment's ALB, and the security groups that say so.
 *
 * The ALB is CloudFront's API origin, so only CloudFront's origin-facing servers and the Route 53
 * health checkers (which call each color's ALB directly, see docs/architecture/edge.md) may reach it. Both are
 * AWS-managed prefix lists. A security group rule that references a prefix list counts the list's
 * maximum entries (its "weight") against the rules quota of the group, so the two sources live in
 * two groups: 55 + 25 would exceed the default quota of 60 in one.
 *
 * CDK (Edge stack) creates the groups and tags them `Name=<albSecurityGroupName>`; the Ingresses
 * name them in `alb.ingress.kubernetes.io/security-groups`, which the AWS Load Balancer Controller
 * resolves by the `Name` tag inside the cluster's VPC (kubernetes-sigs/aws-load-balancer-controller
 * v3.5.0, pkg/networking/security_group_resolver.go, `resolveViaGroupName`: filters `tag:Name` and
 * `vpc-id`). A name must therefore never start with `sg-` (the resolver would take it for an ID).
 */
import { PLATFORM } from './platform';

/** Port of the ALB's only listener (HTTPS; CloudFront connects over TLS only). */
export const ALB_LISTENER_PORT = 443;

/**
 * Default quota "Inbound or outbound rules per security group" of Amazon VPC.
 * source: https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html (Security groups)
 */
export const SECURITY_GROUP_RULES_QUOTA = 60;

/** One source of connections to the ALB: an AWS-managed prefix list. */
export interface AlbIngressSource {
  /** Short key, the suffix of the security group's name. */
  readonly key: string;
  /** What the source is, for the rule's description. */
  readonly description: string;
  /** Name of the AWS-managed prefix list in `region` (its ID differs per region and is looked up at deploy time). */
  readonly prefixListName: (region: string) => string;
  /** Maximum entries of the list: what one rule referencing it counts against `SECURITY_GROUP_RULES_QUOTA`. */
  readonly weight: number;
}

/**
 * The sources, one security group each.
 * source (names and weights): https://docs.aws.amazon.com/vpc/latest/userguide/working-with-aws-managed-prefix-lists.html
 * ("Available AWS-managed prefix lists": CloudFront origin-facing 55, Route 53 health checks 25);
 * the Route 53 list to use is the one of the checked resource's Region:
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-router-firewall-rules.html
 * IPv4 only: the ALB is IPv4, and health checks that name a host (no IP address) use IPv4.
 */
export const ALB_INGRESS_SOURCES: readonly AlbIngressSource[] = [
  {
    key: 'cloudfront',
    description: 'CloudFront origin-facing servers (HTTPS)',
    prefixListName: () => 'com.amazonaws.global.cloudfront.origin-facing',
    weight: 55,
  },
  {
    key: 'healthchecks',
    description: 'Route 53 health checkers (HTTPS)',
    prefixListName: (region) => `com.amazonaws.${region}.route53-healthchecks`,
    weight: 25,
  },
];

/** Name (tag `Name`) of the security group admitting one source to the ALB, e.g. `saas-platform-prod-alb-cloudfront`. */
export function albSecurityGroupName(environmentName: string, source: Pick<AlbIngressSource, 'key'>): string {
  return `${PLATFORM.application}-${environmentName}-alb-${source.key}`;
}

/** Every security group of the ALB, in `ALB_INGRESS_SOURCES` order (the Ingress annotation lists them all). */
export function albSecurityGroupNames(environmentName: string): string[] {
  return ALB_INGRESS_SOURCES.map((source) => albSecurityGroupName(environmentName, source));
}
