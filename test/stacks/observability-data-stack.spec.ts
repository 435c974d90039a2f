import { Match } from 'aws-cdk-lib/assertions';
import { kmsAliasName } from '../../lib/config/naming';
import {
  alarmNamePrefix,
  alertRouterFunctionName,
  alertTopicName,
  canaryArtifactsBucketName,
  CONTAINER_INSIGHTS_LOG_KINDS,
  containerInsightsLogGroupName,
  pagerDutyApiTokenSecretName,
  pagerDutyRoutingKeySecretName,
  webAclMetricName,
} from '../../lib/config/observability-names';
import { webAclName } from '../../lib/config/edge-names';
import { EACH_ENV, synthesizedApp } from '../app-fixture';

const CLOUDWATCH_MAY_PUBLISH = {
  Sid: 'CloudWatchAlarmsPublish',
  Effect: 'Allow',
  Principal: { Service: 'cloudwatch.amazonaws.com' },
  Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
  Resource: '*',
};

describe('ObservabilityDataStack', () => {
  // GIVEN the whole app, synthesized once
  const { stage, template, dependsOn } = synthesizedApp();
  const data = (name: string) => template(stage(name).observabilityData);

  test.each(EACH_ENV)('%s: stateful: termination protection and retention as config says', (name, config) => {
    expect(stage(name).observabilityData.terminationProtection).toBe(config.stateful.terminationProtection);
    const policy = config.stateful.removal === 'retain' ? 'Retain' : 'Delete';
    const t = data(name);
    for (const type of ['AWS::KMS::Key', 'AWS::SecretsManager::Secret', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup']) {
      for (const [id, r] of Object.entries(t.findResources(type))) expect([id, r.DeletionPolicy]).toEqual([id, policy]);
    }
  });

  test.each(EACH_ENV)("%s: the alert key rotates and lets this account's CloudWatch alarms publish", (name, config) => {
    const t = data(name);
    t.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([{ ...CLOUDWATCH_MAY_PUBLISH, Condition: { StringEquals: { 'aws:SourceAccount': config.account } } }]),
      },
    });
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: kmsAliasName(config.name, 'alerts') });
  });

  test.each(EACH_ENV)(
    '%s: one routing-key secret per PagerDuty tier and the API key, named from config, with a generated placeholder',
    (name, config) => {
      const t = data(name);
      const tiers = (config.observability.pager?.tiers ?? []).filter((tier) => tier.kind === 'pagerduty');
      const expected = [
        ...tiers.map((tier) => pagerDutyRoutingKeySecretName(config.name, tier.name)),
        ...(config.observability.pager ? [pagerDutyApiTokenSecretName(config.name)] : []),
      ];
      const secrets = Object.values(t.findResources('AWS::SecretsManager::Secret'));
      expect(secrets.map((s) => s.Properties.Name).sort()).toEqual(expected.sort());
      for (const s of secrets) {
        // never a literal value: the owner sets it with put-secret-value
        expect(s.Properties.SecretString).toBeUndefined();
        expect(s.Properties.GenerateSecretString).toBeDefined();
      }
    },
  );

  test.each(EACH_ENV)("%s: the add-on's container log groups exist with the configured retention", (name, config) => {
    const t = data(name);
    for (const kind of CONTAINER_INSIGHTS_LOG_KINDS) {
      t.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: containerInsightsLogGroupName(config.name, kind),
        RetentionInDays: config.observability.containerLogRetentionDays,
      });
    }
  });

  test.each(EACH_ENV)('%s: the canary artifacts bucket is named from config and expires runs after the retention', (name, config) => {
    data(name).hasResourceProperties('AWS::S3::Bucket', {
      BucketName: canaryArtifactsBucketName(config.name, config.account, config.region),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Id: 'expire-runs', ExpirationInDays: config.observability.synthetics.artifactRetentionDays }),
        ]),
      },
    });
  });

  test('the add-on writes only after its log groups exist: the Cluster stack depends on ObservabilityData', () => {
    for (const [name] of EACH_ENV) {
      expect(dependsOn(stage(name).cluster)).toContain(stage(name).observabilityData);
    }
  });
});

describe('ObservabilityGlobalStack', () => {
  const { stage, template, dependsOn } = synthesizedApp();
  const global = (name: string) => template(stage(name).observabilityGlobal);

  test.each(EACH_ENV)('%s: in us-east-1, stateful (its key), one encrypted topic per severity named from config', (name, config) => {
    const s = stage(name).observabilityGlobal;
    expect(s.region).toBe('us-east-1');
    expect(s.terminationProtection).toBe(config.stateful.terminationProtection);
    const t = global(name);
    for (const severity of ['critical', 'warning', 'info'] as const) {
      t.hasResourceProperties('AWS::SNS::Topic', {
        TopicName: alertTopicName(config.name, severity, 'global'),
        KmsMasterKeyId: Match.anyValue(),
      });
    }
    t.hasResourceProperties('AWS::KMS::Key', { KeyPolicy: { Statement: Match.arrayWith([Match.objectLike(CLOUDWATCH_MAY_PUBLISH)]) } });
  });

  test.each(EACH_ENV)('%s: critical and warning are relayed to the regional router function, by its config-derived ARN', (name, config) => {
    const t = global(name);
    const subscriptions = Object.values(t.findResources('AWS::SNS::Subscription'));
    expect(subscriptions).toHaveLength(2);
    for (const s of subscriptions) {
      expect(s.Properties).toMatchObject({
        Protocol: 'lambda',
        Endpoint: `arn:aws:lambda:${config.region}:${config.account}:function:${alertRouterFunctionName(config.name)}`,
      });
      expect(s.Properties.Region).toBeUndefined();
    }
    expect(dependsOn(stage(name).observabilityGlobal)).toContain(stage(name).observability);
  });

  test.each(EACH_ENV)(
    "%s: CloudFront's 5xx rate and its WebACL's blocked requests, thresholds from config, on the us-east-1 topics",
    (name, config) => {
      const t = global(name);
      const topic = (severity: string) => ({
        Ref: Object.entries(t.findResources('AWS::SNS::Topic')).find(
          ([, r]) => r.Properties.TopicName === alertTopicName(config.name, severity as never, 'global'),
        )![0],
      });
      for (const [severity, threshold] of Object.entries(config.observability.thresholds['cloudfront-5xx-rate'])) {
        t.hasResourceProperties('AWS::CloudWatch::Alarm', {
          AlarmName: `${alarmNamePrefix(config.name)}cloudfront-5xx-rate-${severity}`,
          Threshold: threshold,
          AlarmActions: [topic(severity)],
          Metrics: [
            Match.objectLike({
              MetricStat: Match.objectLike({
                Metric: {
                  Namespace: 'AWS/CloudFront',
                  MetricName: '5xxErrorRate',
                  Dimensions: [
                    { Name: 'DistributionId', Value: Match.anyValue() },
                    { Name: 'Region', Value: 'Global' },
                  ],
                },
                Stat: 'Average',
              }),
            }),
          ],
        });
      }
      for (const [severity, threshold] of Object.entries(config.observability.thresholds['waf-blocked-spike'])) {
        t.hasResourceProperties('AWS::CloudWatch::Alarm', {
          AlarmName: `${alarmNamePrefix(config.name)}waf-blocked-spike-cloudfront-${severity}`,
          Threshold: threshold,
          AlarmActions: [topic(severity)],
          Metrics: [
            Match.objectLike({
              MetricStat: Match.objectLike({
                Metric: {
                  Namespace: 'AWS/WAFV2',
                  MetricName: 'BlockedRequests',
                  Dimensions: [
                    { Name: 'Rule', Value: 'ALL' },
                    { Name: 'WebACL', Value: webAclMetricName(webAclName(config.name, 'CLOUDFRONT')) },
                  ],
                },
              }),
            }),
          ],
        });
      }
    },
  );

  test.each(EACH_ENV)('%s: the distribution is read from the Edge stack across regions (no pasted ID)', (name, config) => {
    const alarm = Object.values(global(name).findResources('AWS::CloudWatch::Alarm')).find((a) =>
      a.Properties.AlarmName.includes('cloudfront-5xx'),
    )!;
    expect(alarm.Properties.Metrics[0].MetricStat.Metric.Dimensions[0].Value).toEqual({
      'Fn::GetStackOutput': expect.objectContaining({ StackName: `${config.stageName}-Edge`, Region: config.region }),
    });
  });
});
