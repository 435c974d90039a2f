/**
 * Names of the alerting path and of what the monitoring reads, derived from config. The stacks
 * (ObservabilityData, Observability, ObservabilityGlobal, Cluster) and the Kubernetes side
 * (Alertmanager publishes to the alert topics; the AWS Load Balancer Controller names and tags the
 * ALB) call these functions, so that neither side writes a name down.
 *
 * Pure functions of config; no imports beyond lib/config.
 */
import { clusterName, ingressGroupName, secretsManagerName } from './naming';
import { PLATFORM } from './platform';
import type { Severity } from './types';

/** Where an alert topic lives: the environment's region, or us-east-1 (CloudFront's metrics are only there). */
export type AlertTopicScope = 'regional' | 'global';

/**
 * Name of the SNS topic of one severity, e.g. `saas-platform-prod-alerts-critical`, and
 * `saas-platform-prod-alerts-critical-global` for the us-east-1 topic CloudFront's alarms notify
 * (relayed to the regional topic by the router function).
 */
export function alertTopicName(environmentName: string, severity: Severity, scope: AlertTopicScope = 'regional'): string {
  return `${PLATFORM.application}-${environmentName}-alerts-${severity}${scope === 'global' ? '-global' : ''}`;
}

/**
 * The severities whose topics Alertmanager publishes the cluster's alerts to (`info` is for
 * dashboards only): its receivers (cdk8s) and its Pod Identity role (Cluster stack) read this list.
 */
export const PUBLISHED_ALERT_SEVERITIES = ['critical', 'warning'] as const satisfies readonly Severity[];

/**
 * ARN of an alert topic (its name is fixed, so other stacks and regions, and the cluster's
 * Alertmanager, can name it without a reference).
 */
export function alertTopicArn(
  environmentName: string,
  severity: Severity,
  scope: AlertTopicScope,
  account: string,
  region: string,
): string {
  return `arn:aws:sns:${region}:${account}:${alertTopicName(environmentName, severity, scope)}`;
}

/** Name of the router function every critical alert and every us-east-1 alert goes through, e.g. `saas-platform-prod-alert-router`. */
export function alertRouterFunctionName(environmentName: string): string {
  return `${PLATFORM.application}-${environmentName}-alert-router`;
}

/** Name of the SNS topic that texts the phone numbers of an `sms` escalation tier, e.g. `saas-platform-prod-escalation-duty-manager`. */
export function escalationTierTopicName(environmentName: string, tierName: string): string {
  return `${PLATFORM.application}-${environmentName}-escalation-${tierName}`;
}

/** Prefix of every CloudWatch alarm of an environment, e.g. `saas-platform-prod-`; alarm names are `<prefix><id>[-<instance>]-<severity>`. */
export function alarmNamePrefix(environmentName: string): string {
  return `${PLATFORM.application}-${environmentName}-`;
}

/**
 * Name of the Secrets Manager secret holding the PagerDuty Events v2 routing key (integration key)
 * of one escalation tier, e.g. `saas-platform/prod/alerting/pagerduty-primary-routing-key`. CDK
 * creates it with a generated placeholder; the owner sets the value with
 * `aws secretsmanager put-secret-value`. The router function and the escalation read it by this
 * name; nothing in the cluster does (Alertmanager publishes to the topics instead).
 */
export function pagerDutyRoutingKeySecretName(environmentName: string, tierName: string): string {
  return `${alertingSecretNamePrefix(environmentName)}pagerduty-${tierName}-routing-key`;
}

/**
 * Prefix of the alerting path's secrets (read by the router and the escalation, not by the
 * cluster), e.g. `saas-platform/prod/alerting/`. Catalog secret keys have no `/`, so no
 * application secret starts with it.
 */
export function alertingSecretNamePrefix(environmentName: string): string {
  return secretsManagerName(environmentName, 'alerting/');
}

/**
 * Name of the secret holding a PagerDuty REST API key (read-only is enough), with which the
 * escalation reads whether an incident was acknowledged, e.g. `saas-platform/prod/alerting/pagerduty-api-token`.
 */
export function pagerDutyApiTokenSecretName(environmentName: string): string {
  return `${alertingSecretNamePrefix(environmentName)}pagerduty-api-token`;
}

/** The log groups the CloudWatch observability add-on's Fluent Bit and agent write, by kind. */
export const CONTAINER_INSIGHTS_LOG_KINDS = ['application', 'host', 'dataplane', 'performance'] as const;

/** One of `CONTAINER_INSIGHTS_LOG_KINDS`. */
export type ContainerInsightsLogKind = (typeof CONTAINER_INSIGHTS_LOG_KINDS)[number];

/**
 * Name of a Container Insights log group, `/aws/containerinsights/<cluster>/<kind>`: the names are
 * fixed by the add-on (CloudWatch user guide, "Set up Fluent Bit as a DaemonSet to send logs to
 * CloudWatch Logs": application, host, dataplane; "Container Insights performance log events":
 * performance). The ObservabilityData stack creates them with a retention before the add-on writes.
 */
export function containerInsightsLogGroupName(environmentName: string, kind: ContainerInsightsLogKind): string {
  return `/aws/containerinsights/${clusterName(environmentName)}/${kind}`;
}

/** CloudWatch namespace of the platform's own metrics (metric filters, the probe), e.g. `saas-platform`. */
export function platformMetricNamespace(): string {
  return PLATFORM.application;
}

/** Name of a canary of a synthetic flow, e.g. `prod-api-health` (Synthetics: lower case, digits, `-`, `_`). */
export function canaryName(environmentName: string, flowName: string): string {
  return `${environmentName}-${flowName}`;
}

/** Longest canary name this platform allows: the canary's function is `cwsyn-<name>-<id>`, within Lambda's 64. */
export const MAX_CANARY_NAME_LENGTH = 21;

/**
 * Name of the bucket of the canaries' run artifacts, e.g. `saas-platform-prod-canaries-333333333333-eu-west-1`:
 * the ObservabilityData stack creates it, the canaries (Observability stack) write to it by name.
 */
export function canaryArtifactsBucketName(environmentName: string, account: string, region: string): string {
  return `${PLATFORM.application}-${environmentName}-canaries-${account}-${region}`;
}

/** Name of the environment's CloudWatch dashboard, e.g. `saas-platform-prod`. */
export function dashboardName(environmentName: string): string {
  return `${PLATFORM.application}-${environmentName}`;
}

/**
 * Tags the AWS Load Balancer Controller puts on what it creates for an IngressGroup
 * (kubernetes-sigs/aws-load-balancer-controller v3.5.0, pkg/deploy/tracking/provider.go):
 * `elbv2.k8s.aws/cluster` (the `clusterName` it runs with), `ingress.k8s.aws/stack` (the explicit
 * group's name) and `ingress.k8s.aws/resource` (`LoadBalancer`, or
 * `<namespace>/<ingress>-<service>:<port>` for a target group).
 */
export const ALB_CONTROLLER_TAGS = {
  cluster: 'elbv2.k8s.aws/cluster',
  stack: 'ingress.k8s.aws/stack',
  resource: 'ingress.k8s.aws/resource',
  loadBalancerResource: 'LoadBalancer',
} as const;

/** The tags that find the environment's ALB and its target groups (the controller writes them; the monitoring reads them). */
export function albStackTags(environmentName: string): { readonly cluster: string; readonly stack: string } {
  return { cluster: clusterName(environmentName), stack: ingressGroupName(environmentName) };
}

/**
 * The `ingress.k8s.aws/resource` tag of the target group the controller makes for one Ingress
 * backend: `<namespace>/<ingress>-<service>:<port>` (v3.5.0, pkg/ingress/model_build_target_group.go,
 * `buildTargetGroupResourceID`), e.g. `apps/web-api-web-api:8080`.
 */
export function albTargetGroupResourceId(namespace: string, ingressName: string, serviceName: string, port: number | string): string {
  return `${namespace}/${ingressName}-${serviceName}:${port}`;
}

/**
 * Proposed name of the environment's ALB, e.g. `saas-platform-prod`: the IngressClassParams field
 * `loadBalancerName` (v3.5.0, apis/elbv2/v1beta1/ingressclassparams_types.go) makes the controller
 * use it instead of `k8s-<group>-<hash>`; at most 32 characters (model_build_load_balancer.go).
 * CloudWatch still needs the ALB's generated suffix (`app/<name>/<id>`), which the monitoring
 * resolves by the tags above at deploy time.
 */
export function albName(environmentName: string): string {
  return `${PLATFORM.application}-${environmentName}`;
}

/**
 * The CloudWatch `WebACL` dimension of a WebACL's own metrics: the `metricName` of its visibility
 * configuration, `<WebACL name>-all` (`PlatformWebAcl`, lib/constructs/web-acl.ts); a contract test
 * reads it from the templates.
 */
export function webAclMetricName(webAclName: string): string {
  return `${webAclName}-all`;
}

/** Longest ALB name the controller accepts. */
export const MAX_ALB_NAME_LENGTH = 32;
