/**
 * The monitoring as a first deploy meets it, read from both sides: what the AWS Load Balancer
 * Controller creates and tags (from the manifests) against what the alarms look for (from the
 * templates); the names the container logs and Container Insights carry against the metric filter
 * and the alarms; the PagerDuty secrets (read by the AWS side only); the us-east-1 topics against the
 * regional router; and no secret of the alerting path in any template.
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
import { PUBLISHED_ALERT_SEVERITIES } from '../../lib/config/observability-names';
import { SEVERITIES } from '../../lib/config/observability';
import { decide, identityPolicies, resourcePolicy, roleArn, roleByDescription, roleMay } from './iam';
import { CfnResource, resourcesOf, stack, standIn, world } from './world';

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

  test('the PagerDuty secrets exist under their config names, and the AWS side alone reads them: no manifest, no role of the cluster', async () => {
    // GIVEN the secrets the ObservabilityData stack creates (only where the environment has a pager)
    const pager = config.observability.pager;
    const names = resourcesOf(observabilityData, 'AWS::SecretsManager::Secret').map(([, s]) => s.Properties!.Name);
    const expected = pager
      ? [
          ...pager.tiers.filter((t) => t.kind === 'pagerduty').map((t) => pagerDutyRoutingKeySecretName(name, t.name)),
          pagerDutyApiTokenSecretName(name),
        ]
      : [];
    expect(names.sort()).toEqual(expected.sort());
    // THEN no ExternalSecret reads one (Alertmanager publishes to SNS; the router pages), and the observability
    // namespace has no SecretStore and no ExternalSecret that reads a store (Grafana's login comes from a generator)
    const read = kind('ExternalSecret').flatMap((d) => (d.spec.data ?? []).map((e: { remoteRef: { key: string } }) => e.remoteRef.key));
    expect(read.filter((key: string) => expected.includes(key) || key.includes('/alerting/'))).toEqual([]);
    const inObservability = (d: KubeDocument) => d.metadata.namespace === ADDON_IDENTITIES.alertmanager.namespace;
    expect(kind('SecretStore').filter(inObservability)).toEqual([]);
    for (const es of kind('ExternalSecret').filter(inObservability)) {
      expect([es.metadata.name, es.spec.secretStoreRef, es.spec.data]).toEqual([es.metadata.name, undefined, undefined]);
      expect(es.spec.dataFrom.every((f: { sourceRef?: { generatorRef?: unknown } }) => f.sourceRef?.generatorRef)).toBe(true);
    }
    // and neither External Secrets' role nor Alertmanager's may read them
    const cluster = stack(w, `${stage}/Cluster`);
    for (const identity of [ADDON_IDENTITIES.externalSecrets, ADDON_IDENTITIES.alertmanager]) {
      const role = roleByDescription(cluster, `${identity.namespace}/${identity.serviceAccount} in`);
      for (const secretName of expected) {
        const arn = `arn:aws:secretsmanager:${config.region}:${config.account}:secret:${secretName}-AbCdEf`;
        expect([
          identity.serviceAccount,
          secretName,
          (await roleMay(w, cluster, role, { action: 'secretsmanager:GetSecretValue', resource: arn })).decision,
        ]).toEqual([identity.serviceAccount, secretName, 'ImplicitlyDenied']);
      }
    }
  });

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

describe.each(ENVIRONMENTS)("%s: the cluster's alerts take the AWS side's path", (name, config) => {
  const stage = config.stageName;
  const docs = w.manifests[name];
  const observability = stack(w, `${stage}/Observability`);
  const observabilityData = stack(w, `${stage}/ObservabilityData`);
  const cluster = stack(w, `${stage}/Cluster`);
  const identity = ADDON_IDENTITIES.alertmanager;
  const role = roleByDescription(cluster, `${identity.namespace}/${identity.serviceAccount} in`);
  const receivers = docs.find((d) => d.kind === 'AlertmanagerConfig')!.spec.receivers as {
    name: string;
    snsConfigs?: { topicARN: string }[];
  }[];
  const published = Object.fromEntries(receivers.filter((r) => r.snsConfigs).map((r) => [r.name, r.snsConfigs!.map((c) => c.topicARN)]));
  const topics = resourcesOf(observability, 'AWS::SNS::Topic').filter(([, t]) =>
    SEVERITIES.some((s) => t.Properties!.TopicName === alertTopicName(name, s)),
  );
  const [keyId] = resourcesOf(observabilityData, 'AWS::KMS::Key')[0];
  const keyArn = standIn(observabilityData, keyId, 'Arn');
  const keyPolicy = resourcePolicy(w, observabilityData, keyId);
  const topicArnOf = (severity: string) => published[severity][0];

  test('each severity Alertmanager publishes names the topic the Observability stack creates for it, encrypted with the alert key', () => {
    expect(Object.keys(published).sort()).toEqual([...PUBLISHED_ALERT_SEVERITIES].sort());
    for (const severity of PUBLISHED_ALERT_SEVERITIES) {
      const [arn] = published[severity];
      const [, , service, region, account, topicName] = arn.split(':');
      expect([service, region, account]).toEqual(['sns', observability.region, observability.account]);
      const topic = topics.find(([, t]) => t.Properties!.TopicName === topicName);
      expect([severity, topicName, topic !== undefined]).toEqual([severity, alertTopicName(name, severity), true]);
      // its key is the ObservabilityData stack's alert key (a cross-stack reference)
      expect(JSON.stringify(topic![1].Properties!.KmsMasterKeyId)).toContain('ObservabilityData');
    }
  });

  test("Alertmanager's service account has a Pod Identity role in the cluster", () => {
    const associations = resourcesOf(cluster, 'AWS::EKS::PodIdentityAssociation').map(([, a]) => a.Properties!);
    expect(associations.filter((a) => a.Namespace === identity.namespace && a.ServiceAccount === identity.serviceAccount)).toHaveLength(1);
    const alertmanager = docs.find((d) => d.kind === 'Alertmanager')!;
    expect([alertmanager.metadata.namespace, alertmanager.spec.serviceAccountName]).toEqual([identity.namespace, identity.serviceAccount]);
  });

  test('the role may publish to the critical and warning topics, not to info, another environment or anything else of SNS', async () => {
    for (const severity of PUBLISHED_ALERT_SEVERITIES) {
      // the topic policy takes part too: it must not deny the role (it allows CloudWatch, denies plain HTTP)
      const topicId = topics.find(([, t]) => t.Properties!.TopicName === alertTopicName(name, severity))![0];
      const verdict = await roleMay(w, cluster, role, {
        action: 'sns:Publish',
        resource: topicArnOf(severity),
        context: { 'aws:SecureTransport': 'true' },
        resourcePolicy: resourcePolicy(w, observability, topicId),
      });
      expect(verdict).toHaveDecision('Allowed');
    }
    const info = alertTopicArn(name, 'info', 'regional', config.account, config.region);
    const otherEnvironment = topicArnOf('critical').replace(`-${name}-`, '-another-');
    for (const [action, resource] of [
      ['sns:Publish', info],
      ['sns:Publish', otherEnvironment],
      ['sns:Subscribe', topicArnOf('critical')],
      ['sns:SetTopicAttributes', topicArnOf('warning')],
      ['sns:Publish', `arn:aws:sns:${config.region}:${config.account}:saas-platform-${name}-escalation-primary`],
    ]) {
      expect([action, resource, (await roleMay(w, cluster, role, { action, resource })).decision]).toEqual([
        action,
        resource,
        'ImplicitlyDenied',
      ]);
    }
  });

  test("the role may use the topics' key only through SNS, and only for those two topics; the key policy admits it", async () => {
    // The encryption-context condition is read here: the simulator expands only '/'-separated variable keys
    // (aws:RequestTag/<key>), not kms:EncryptionContext:<key>, and would report the key as not applying.
    const context = 'kms:EncryptionContext:aws:sns:topicArn';
    const policies = identityPolicies(w, cluster, role);
    const encrypt = policies.flatMap((p) => p.policy.Statement).find((st) => st.Sid === 'EncryptAlerts');
    expect(encrypt.Condition.StringEquals[context].sort()).toEqual(PUBLISHED_ALERT_SEVERITIES.map((sv) => topicArnOf(sv)).sort());
    expect(encrypt.Condition.StringEquals[context]).not.toContain(alertTopicArn(name, 'info', 'regional', config.account, config.region));
    // ...and the rest is simulated, with the key policy of the ObservabilityData stack
    const withoutContext = policies.map((p) => ({
      ...p,
      policy: {
        ...p.policy,
        Statement: p.policy.Statement.map((st) =>
          st.Sid === 'EncryptAlerts'
            ? { ...st, Condition: { StringEquals: { 'kms:ViaService': st.Condition.StringEquals['kms:ViaService'] } } }
            : st,
        ),
      },
    }));
    const principal = `arn:aws:sts::${cluster.account}:assumed-role/${roleArn(w, cluster, role).split('/').pop()}/session`;
    const kms = (action: string, via?: string) =>
      decide({
        principal,
        identity: withoutContext,
        action,
        resource: keyArn,
        resourceAccount: observabilityData.account,
        context: via ? { 'kms:ViaService': via } : {},
        resourcePolicy: keyPolicy,
      });
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      expect([action, (await kms(action, `sns.${config.region}.amazonaws.com`)).decision]).toEqual([action, 'Allowed']);
      expect([action, (await kms(action, `s3.${config.region}.amazonaws.com`)).decision]).toEqual([action, 'ImplicitlyDenied']);
      expect([action, (await kms(action)).decision]).toEqual([action, 'ImplicitlyDenied']);
    }
    for (const action of ['kms:Encrypt', 'kms:ReEncryptFrom', 'kms:CreateGrant', 'kms:DescribeKey']) {
      expect([action, (await kms(action, `sns.${config.region}.amazonaws.com`)).decision]).toEqual([action, 'ImplicitlyDenied']);
    }
  });

  test('nothing else is granted: two statements, sns:Publish and the two data-key calls', () => {
    const statements = identityPolicies(w, cluster, role).flatMap((p) => p.policy.Statement);
    expect(statements.map((st) => [st.Sid, [st.Action].flat().sort()])).toEqual([
      ['PublishAlerts', ['sns:Publish']],
      ['EncryptAlerts', ['kms:Decrypt', 'kms:GenerateDataKey']],
    ]);
    expect([statements[0].Resource].flat().sort()).toEqual(PUBLISHED_ALERT_SEVERITIES.map((s) => topicArnOf(s)).sort());
    expect([statements[1].Resource].flat()).toEqual([keyArn]);
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
