/**
 * CloudFormation custom resource (through the CDK provider framework): the CloudWatch dimensions of
 * the environment's ALB and of its services' target groups, which the AWS Load Balancer Controller
 * creates with generated names, so that alarms can name them.
 *
 * It finds them by the tags the controller puts on what it creates (kubernetes-sigs/
 * aws-load-balancer-controller v3.5.0, pkg/deploy/tracking/provider.go): `elbv2.k8s.aws/cluster`
 * and `ingress.k8s.aws/stack` select the IngressGroup's resources; `ingress.k8s.aws/resource` is
 * `LoadBalancer` on the ALB and `<namespace>/<ingress>-<service>:<port>` on a target group.
 *
 * Properties: `ClusterTag`, `StackTag`, `Targets` (key -> target group resource id), `Refresh`
 * (any value; changing it re-resolves). Data: `LoadBalancer` (`app/<name>/<id>`), `Resolved`
 * (`true`/`false`), and `TargetGroup.<key>` (`targetgroup/<name>/<id>`) per target. What is not
 * found yet (the first deploy, before the cluster's bootstrap) gets a placeholder that no metric
 * has: the alarms on it see no data, and `alb-requests-missing` says so.
 */
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient, ResourceTagMapping } from '@aws-sdk/client-resource-groups-tagging-api';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

/** Physical ID of the one resource: stable, so an update never replaces it. */
export const PHYSICAL_ID = 'alb-dimensions';

/** The controller's tag keys (the same as `ALB_CONTROLLER_TAGS` in lib/config, which functions do not import). */
export const TAGS = { cluster: 'elbv2.k8s.aws/cluster', stack: 'ingress.k8s.aws/stack', resource: 'ingress.k8s.aws/resource' } as const;

/** Dimension value of what is not found. */
export function placeholder(kind: 'app' | 'targetgroup', stack: string, key: string): string {
  return `${kind}/unresolved-${stack.replace(/[^A-Za-z0-9-]/g, '-')}/${key}`;
}

/** What the handler answers the provider framework. */
export interface HandlerResult {
  readonly PhysicalResourceId: string;
  readonly Data?: Readonly<Record<string, string>>;
}

/** The resources of the group, with their tags (every page). */
async function taggedResources(client: ResourceGroupsTaggingAPIClient, cluster: string, stack: string): Promise<ResourceTagMapping[]> {
  const out: ResourceTagMapping[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new GetResourcesCommand({
        TagFilters: [
          { Key: TAGS.cluster, Values: [cluster] },
          { Key: TAGS.stack, Values: [stack] },
        ],
        ResourceTypeFilters: ['elasticloadbalancing:loadbalancer', 'elasticloadbalancing:targetgroup'],
        PaginationToken: token,
      }),
    );
    out.push(...(page.ResourceTagMappingList ?? []));
    token = page.PaginationToken || undefined;
  } while (token);
  return out;
}

/** `app/<name>/<id>` or `targetgroup/<name>/<id>`: the part of the ARN after its resource type prefix. */
export function dimensionOf(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  return resource.startsWith('loadbalancer/') ? resource.slice('loadbalancer/'.length) : resource;
}

/** The dimensions of the ALB and of each target. */
export async function resolveDimensions(
  client: ResourceGroupsTaggingAPIClient,
  cluster: string,
  stack: string,
  targets: Readonly<Record<string, string>>,
): Promise<Record<string, string>> {
  const resources = await taggedResources(client, cluster, stack);
  const byResourceTag = new Map<string, string>();
  for (const r of resources) {
    const tag = r.Tags?.find((t) => t.Key === TAGS.resource)?.Value;
    if (tag && r.ResourceARN) byResourceTag.set(tag, r.ResourceARN);
  }
  const alb = byResourceTag.get('LoadBalancer');
  const data: Record<string, string> = {
    LoadBalancer: alb ? dimensionOf(alb) : placeholder('app', stack, 'alb'),
    Resolved: String(alb !== undefined && Object.values(targets).every((id) => byResourceTag.has(id))),
  };
  for (const [key, resourceId] of Object.entries(targets)) {
    const arn = byResourceTag.get(resourceId);
    data[`TargetGroup.${key}`] = arn ? dimensionOf(arn) : placeholder('targetgroup', stack, key);
  }
  return data;
}

let client: ResourceGroupsTaggingAPIClient | undefined;

/** The provider framework's onEvent handler. */
export async function handler(event: CloudFormationCustomResourceEvent, tagging?: ResourceGroupsTaggingAPIClient): Promise<HandlerResult> {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: PHYSICAL_ID };
  const props = event.ResourceProperties as unknown as { ClusterTag: string; StackTag: string; Targets?: Record<string, string> };
  const api = tagging ?? (client ??= new ResourceGroupsTaggingAPIClient({}));
  const data = await resolveDimensions(api, props.ClusterTag, props.StackTag, props.Targets ?? {});
  console.log(JSON.stringify({ level: 'info', message: 'resolved ALB dimensions', data }));
  return { PhysicalResourceId: PHYSICAL_ID, Data: data };
}
