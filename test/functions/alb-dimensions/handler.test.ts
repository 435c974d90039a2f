import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { dimensionOf, handler, PHYSICAL_ID, placeholder, resolveDimensions, TAGS } from '../../../lib/functions/alb-dimensions/handler';
import { ALB_CONTROLLER_TAGS } from '../../../lib/config/observability-names';

const tagging = mockClient(ResourceGroupsTaggingAPIClient);
const ALB = 'arn:aws:elasticloadbalancing:eu-west-1:333333333333:loadbalancer/app/saas-platform-prod/50dc6c495c0c9188';
const TG_WEB = 'arn:aws:elasticloadbalancing:eu-west-1:333333333333:targetgroup/k8s-apps-webapi-0123456789/943f017f100becff';
const TG_AUTH = 'arn:aws:elasticloadbalancing:eu-west-1:333333333333:targetgroup/k8s-apps-authserv-abcdef0123/0123456789abcdef';
const tagged = (arn: string, resource: string) => ({
  ResourceARN: arn,
  Tags: [
    { Key: TAGS.cluster, Value: 'saas-platform-prod' },
    { Key: TAGS.stack, Value: 'saas-platform-prod' },
    { Key: TAGS.resource, Value: resource },
  ],
});
const TARGETS = { 'web-api': 'apps/web-api-web-api:8080', 'auth-service': 'apps/auth-service-auth-service:8080' };

describe('ALB dimensions', () => {
  beforeEach(() => tagging.reset());

  test('the tag keys are the ones lib/config names (functions do not import config)', () => {
    expect(TAGS).toEqual({
      cluster: ALB_CONTROLLER_TAGS.cluster,
      stack: ALB_CONTROLLER_TAGS.stack,
      resource: ALB_CONTROLLER_TAGS.resource,
    });
  });

  test('dimensions are the ARNs after their resource type', () => {
    expect(dimensionOf(ALB)).toBe('app/saas-platform-prod/50dc6c495c0c9188');
    expect(dimensionOf(TG_WEB)).toBe('targetgroup/k8s-apps-webapi-0123456789/943f017f100becff');
  });

  test('finds the ALB and each target group by the controller tags, over every page', async () => {
    // GIVEN the controller's resources of the group, on two pages
    tagging
      .on(GetResourcesCommand)
      .resolvesOnce({ ResourceTagMappingList: [tagged(ALB, 'LoadBalancer'), tagged(TG_WEB, TARGETS['web-api'])], PaginationToken: 'next' })
      .resolvesOnce({ ResourceTagMappingList: [tagged(TG_AUTH, TARGETS['auth-service'])], PaginationToken: '' });
    // WHEN they are resolved
    const data = await resolveDimensions(new ResourceGroupsTaggingAPIClient({}), 'saas-platform-prod', 'saas-platform-prod', TARGETS);
    // THEN the query filters on the cluster and the group, load balancers and target groups only
    const input = tagging.commandCalls(GetResourcesCommand)[0].args[0].input;
    expect(input).toEqual({
      TagFilters: [
        { Key: 'elbv2.k8s.aws/cluster', Values: ['saas-platform-prod'] },
        { Key: 'ingress.k8s.aws/stack', Values: ['saas-platform-prod'] },
      ],
      ResourceTypeFilters: ['elasticloadbalancing:loadbalancer', 'elasticloadbalancing:targetgroup'],
      PaginationToken: undefined,
    });
    expect(tagging.commandCalls(GetResourcesCommand)[1].args[0].input.PaginationToken).toBe('next');
    expect(data).toEqual({
      LoadBalancer: 'app/saas-platform-prod/50dc6c495c0c9188',
      Resolved: 'true',
      'TargetGroup.web-api': 'targetgroup/k8s-apps-webapi-0123456789/943f017f100becff',
      'TargetGroup.auth-service': 'targetgroup/k8s-apps-authserv-abcdef0123/0123456789abcdef',
    });
  });

  test('before the cluster is bootstrapped nothing is found: placeholders no metric has, and Resolved false', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
    const data = await resolveDimensions(new ResourceGroupsTaggingAPIClient({}), 'c', 'saas-platform-prod', TARGETS);
    expect(data).toEqual({
      LoadBalancer: placeholder('app', 'saas-platform-prod', 'alb'),
      Resolved: 'false',
      'TargetGroup.web-api': 'targetgroup/unresolved-saas-platform-prod/web-api',
      'TargetGroup.auth-service': 'targetgroup/unresolved-saas-platform-prod/auth-service',
    });
  });

  test('a target group not there yet is not resolved, the others are', async () => {
    tagging
      .on(GetResourcesCommand)
      .resolves({ ResourceTagMappingList: [tagged(ALB, 'LoadBalancer'), tagged(TG_WEB, TARGETS['web-api']), { ResourceARN: 'x' }] });
    const data = await resolveDimensions(new ResourceGroupsTaggingAPIClient({}), 'c', 's', TARGETS);
    expect(data.Resolved).toBe('false');
    expect(data['TargetGroup.web-api']).toBe(dimensionOf(TG_WEB));
    expect(data['TargetGroup.auth-service']).toBe('targetgroup/unresolved-s/auth-service');
  });

  const event = (type: 'Create' | 'Update' | 'Delete') =>
    ({
      RequestType: type,
      ResourceProperties: { ServiceToken: 't', ClusterTag: 'c', StackTag: 's', Targets: { 'web-api': TARGETS['web-api'] } },
    }) as unknown as CloudFormationCustomResourceEvent;

  test.each(['Create', 'Update'] as const)('%s answers the dimensions under a stable physical ID', async (type) => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [tagged(ALB, 'LoadBalancer'), tagged(TG_WEB, TARGETS['web-api'])] });
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(await handler(event(type), new ResourceGroupsTaggingAPIClient({}))).toEqual({
      PhysicalResourceId: PHYSICAL_ID,
      Data: { LoadBalancer: dimensionOf(ALB), Resolved: 'true', 'TargetGroup.web-api': dimensionOf(TG_WEB) },
    });
  });

  test('Delete does nothing (the controller owns the ALB)', async () => {
    expect(await handler(event('Delete'))).toEqual({ PhysicalResourceId: PHYSICAL_ID });
    expect(tagging.commandCalls(GetResourcesCommand)).toHaveLength(0);
  });

  test('no targets resolves the ALB alone', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [tagged(ALB, 'LoadBalancer')] });
    const e = {
      RequestType: 'Create',
      ResourceProperties: { ClusterTag: 'c', StackTag: 's' },
    } as unknown as CloudFormationCustomResourceEvent;
    expect((await handler(e)).Data).toEqual({ LoadBalancer: dimensionOf(ALB), Resolved: 'true' });
  });
});
