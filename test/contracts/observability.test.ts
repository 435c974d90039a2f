/**
 * The monitoring as a first deploy meets it, read from both sides: what the AWS Load Balancer
 * Controller creates and tags (from the manifests) against what the alarms look for (from the
 * templates); the names the container logs and Container Insights carry against the metric filter
 * and the alarms; the PagerDuty secrets against what External Secrets may read; the us-east-1
 * topics against the regional router; and no secret of the alerting path in any template.
 */
import { KubeDocument } from '../../cdk8s/policies';
import { webAclName } from '../../lib/config/edge-names';
import { ADDON_IDENTITIES } from '../../lib/config/naming';
import {
  albStackTags,
  albTargetGroupResourceId,
  alertRouterFunctionName,
  alertTopicArn,
  alertTopicName,
  containerInsightsLogGroupName,
  pagerDutyApiTokenSecretName,
  pagerDutyRoutingKeySecretName,
  webAclMetricName,
} from '../../lib/config/observability-names';
import { apiHost } from '../../lib/config/edge-names';
import { servicesFor } from '../../lib/config/service-catalog';
import { roleByDescription, roleMay } from './iam';
import { CfnResource, resourcesOf, stack, world } from './world';

const w = world();
const ENVIRONMENTS = w.environments.map((c) => [c.name, c] as const);

describe.each(ENVIRONMENTS)('%s: monitoring contracts', (name, config) => {
  const stage = config.stageName;
  const docs = w.manifests[name];
  const kind = (k: string): KubeDocument[] => docs.filter((d) => d.kind === k);
  const observability = stack(w, `${stage}/Observability`);
  const observabilityData = stack(w, `${stage}/ObservabilityData`);
  const observabilityGlobal = stack(w, `${stage}/ObservabilityGlobal`);
  const albDimensions = resourcesOf(observability, 'Custom::AlbDimensions')[0][1].Properties!;
  const alarmDimensions = (s: typeof observability, namePart: string) =>
    resourcesOf(s, 'AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties!)
      .filter((a) => a.AlarmName.includes(namePart))
      .map((a) => a.Dimensions ?? a.Metrics.find((m: CfnResource['Properties']) => m!.MetricStat)?.MetricStat.Metric.Dimensions);

  test("the ALB is looked up by the tags the controller writes: its clusterName and the IngressGroup's name", () => {
    const controller = kind('Application').find((a) => a.spec.source?.chart === 'aws-load-balancer-controller')!;
    expect(albDimensions.ClusterTag).toBe(controller.spec.source.helm.valuesObject.clusterName);
    const [params] = kind('IngressClassParams');
    expect(albDimensions.StackTag).toBe(params.spec.group.name);
    expect({ ClusterTag: albDimensions.ClusterTag, StackTag: albDimensions.StackTag }).toEqual({
      ClusterTag: albStackTags(name).cluster,
      StackTag: albStackTags(name).stack,
    });
  });

  test('each target group the controller will make for an Ingress backend is one the alarms look up, and no other', () => {
    // The controller tags a target group `<namespace>/<ingress>-<service>:<port>`; a canary's backend
    // is the action Argo Rollouts writes, forwarding to the root (stable) service on its servicePort.
    const rollouts = new Map(kind('Rollout').map((r) => [`${r.metadata.namespace}/${r.metadata.name}`, r]));
    const expected: Record<string, string> = {};
    for (const ingress of kind('Ingress')) {
      for (const rule of ingress.spec.rules.slice(0, 1)) {
        for (const path of rule.http.paths) {
          const backend = path.backend.service;
          let service = backend.name;
          let port = backend.port.number;
          if (backend.port.name === 'use-annotation') {
            const alb = rollouts.get(`${ingress.metadata.namespace}/${ingress.metadata.name}`)!.spec.strategy.canary.trafficRouting.alb;
            service = alb.rootService;
            port = alb.servicePort;
          }
          expected[service] = albTargetGroupResourceId(ingress.metadata.namespace, ingress.metadata.name, service, port);
        }
      }
    }
    expect(Object.keys(expected).length).toBeGreaterThan(0);
    expect(albDimensions.Targets).toEqual(expected);
  });

  test("the WebACL dimension the alarms use is each WebACL's own metric name", () => {
    const regional = resourcesOf(stack(w, `${stage}/Edge`), 'AWS::WAFv2::WebACL').map(([, a]) => a.Properties!.VisibilityConfig.MetricName);
    const cloudfront = resourcesOf(stack(w, `${stage}/EdgeGlobal`), 'AWS::WAFv2::WebACL').map(
      ([, a]) => a.Properties!.VisibilityConfig.MetricName,
    );
    expect(regional).toEqual([webAclMetricName(webAclName(name, 'REGIONAL'))]);
    expect(cloudfront).toEqual([webAclMetricName(webAclName(name, 'CLOUDFRONT'))]);
    for (const dims of alarmDimensions(observability, 'waf-blocked-spike-regional')) {
      expect(dims).toContainEqual({ Name: 'WebACL', Value: regional[0] });
    }
    for (const dims of alarmDimensions(observabilityGlobal, 'waf-blocked-spike-cloudfront')) {
      expect(dims).toContainEqual({ Name: 'WebACL', Value: cloudfront[0] });
    }
  });

  test("a service's pods are its workload and its container by name: what Container Insights (PodName) and the log filter (container_name) report", () => {
    for (const s of servicesFor(name)) {
      const workload = docs.find((d) => ['Deployment', 'Rollout'].includes(d.kind) && d.metadata.name === s.name);
      expect([s.name, workload?.metadata.namespace]).toEqual([s.name, s.namespace ?? 'apps']);
      expect(workload!.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual([s.name]);
    }
    const [, filter] = resourcesOf(observability, 'AWS::Logs::MetricFilter')[0];
    expect(filter.Properties!.MetricTransformations[0].Dimensions).toEqual([{ Key: 'Service', Value: '$.kubernetes.container_name' }]);
    // ...on the log group the ObservabilityData stack creates with its retention
    const groups = resourcesOf(observabilityData, 'AWS::Logs::LogGroup').map(([, g]) => g.Properties!.LogGroupName);
    expect(groups).toContain(filter.Properties!.LogGroupName);
    expect(filter.Properties!.LogGroupName).toBe(containerInsightsLogGroupName(name, 'application'));
  });

  test('the canaries call the host CloudFront serves', () => {
    const aliases = resourcesOf(stack(w, `${stage}/Edge`), 'AWS::CloudFront::Distribution')[0][1].Properties!.DistributionConfig.Aliases;
    expect(aliases).toContain(apiHost(config));
    for (const [, canary] of resourcesOf(observability, 'AWS::Synthetics::Canary')) {
      expect(canary.Properties!.Code.Script).toContain(`const HOST = ${JSON.stringify(apiHost(config))};`);
    }
  });

  // PENDING (branch p2-obs-bridge): External Secrets' own role reads no secret since per-consumer
  // stores (docs/security/iam-policies.md); Alertmanager is moving to the severity topics and reads no PagerDuty key.
  (config.observability.pager ? test.failing : test)(
    'External Secrets may read the PagerDuty secrets (Alertmanager reads the same ones), and they exist under those names',
    async () => {
      const pager = config.observability.pager;
      const names = resourcesOf(observabilityData, 'AWS::SecretsManager::Secret').map(([, s]) => s.Properties!.Name);
      const expected = pager
        ? [
            ...pager.tiers.filter((t) => t.kind === 'pagerduty').map((t) => pagerDutyRoutingKeySecretName(name, t.name)),
            pagerDutyApiTokenSecretName(name),
          ]
        : [];
      expect(names.sort()).toEqual(expected.sort());
      const cluster = stack(w, `${stage}/Cluster`);
      const eso = ADDON_IDENTITIES.externalSecrets;
      const esoRole = roleByDescription(cluster, `${eso.namespace}/${eso.serviceAccount} in`);
      for (const secretName of expected) {
        const arn = `arn:aws:secretsmanager:${config.region}:${config.account}:secret:${secretName}-AbCdEf`;
        expect([
          secretName,
          (await roleMay(w, cluster, esoRole, { action: 'secretsmanager:GetSecretValue', resource: arn })).decision,
        ]).toEqual([secretName, 'Allowed']);
      }
    },
  );

  test('the us-east-1 topics reach the regional router: its name, and its permission for exactly those topics', () => {
    const router = resourcesOf(observability, 'AWS::Lambda::Function').find(
      ([, f]) => f.Properties!.FunctionName === alertRouterFunctionName(name),
    )!;
    expect(router).toBeDefined();
    const globalTopics = resourcesOf(observabilityGlobal, 'AWS::SNS::Topic').map(([id, t]) => [id, t.Properties!.TopicName]);
    const subscribed = resourcesOf(observabilityGlobal, 'AWS::SNS::Subscription').map(([, s]) => {
      const topic = globalTopics.find(([id]) => id === s.Properties!.TopicArn.Ref)![1];
      return [topic, s.Properties!.Endpoint];
    });
    const routerArn = `arn:aws:lambda:${config.region}:${config.account}:function:${alertRouterFunctionName(name)}`;
    expect(subscribed).toEqual([
      [alertTopicName(name, 'critical', 'global'), routerArn],
      [alertTopicName(name, 'warning', 'global'), routerArn],
    ]);
    const allowed = resourcesOf(observability, 'AWS::Lambda::Permission')
      .map(([, p]) => p.Properties!)
      .filter((p) => p.Principal === 'sns.amazonaws.com' && typeof p.SourceArn === 'string')
      .map((p) => p.SourceArn);
    expect(allowed).toEqual((['critical', 'warning'] as const).map((s) => alertTopicArn(name, s, 'global', config.account, 'us-east-1')));
  });
});

describe('no secret of the alerting path in any template', () => {
  const templates = w.stacks.map((s) => [s.path, JSON.stringify(s.template)] as const);

  test.each([
    ['a Slack incoming-webhook URL', /hooks\.slack\.com\/services\//],
    ['a Teams incoming-webhook URL', /webhook\.office\.com|outlook\.office\.com\/webhook/],
    ['a PagerDuty routing key in an event body', /routing_key/],
    ['a PagerDuty API token header', /Token token=/],
    ['a 32-character key (the shape of PagerDuty integration keys)', /(?<![0-9a-zA-Z])[0-9a-z]{32}(?![0-9a-zA-Z])/],
    ['an Authorization header with credentials', /Authorization\\?"?\s*:\s*\\?"?(Bearer|Basic|Token)/],
  ])('no template holds %s', (_, pattern) => {
    for (const [path, text] of templates) expect([path, pattern.test(text)]).toEqual([path, false]);
  });

  test('no secret is created with a literal value (generated placeholders only, the owner puts the value)', () => {
    for (const s of w.stacks) {
      for (const [id, secret] of resourcesOf(s, 'AWS::SecretsManager::Secret')) {
        expect([s.path, id, secret.Properties!.SecretString]).toEqual([s.path, id, undefined]);
      }
    }
  });

  test('a function setting named like a secret holds a reference to Secrets Manager, never a value', () => {
    for (const s of w.stacks) {
      for (const [id, fn] of resourcesOf(s, 'AWS::Lambda::Function')) {
        for (const [key, value] of Object.entries(fn.Properties!.Environment?.Variables ?? {})) {
          if (!/KEY|TOKEN|PASSWORD|SECRET/.test(key)) continue;
          const text = JSON.stringify(value);
          // a reference (intrinsic), an ARN, an empty list, or a number (a TTL, a length) is not a secret value
          const reference = typeof value !== 'string' || text === '"[]"' || text.includes('arn:aws:secretsmanager:') || /^\d+$/.test(value);
          expect([s.path, id, key, reference]).toEqual([s.path, id, key, true]);
        }
      }
    }
  });
});
