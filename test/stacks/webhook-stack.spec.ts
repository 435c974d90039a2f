import { Match } from 'aws-cdk-lib/assertions';
import {
  apiHost,
  webhookDeadLetterQueueName,
  webhookKeyAliasName,
  webhookQueueArn,
  webhookQueueName,
  webhookSigningSecretName,
} from '../../lib/config/edge-names';
import { webhookRoutePath } from '../../lib/constructs/webhook-api';
import { WEBHOOK_VISIBILITY_TIMEOUT } from '../../lib/stacks/webhook-stack';
import { EACH_ENV, synthesizedApp } from '../app-fixture';

describe('WebhookStack', () => {
  // GIVEN the whole app, synthesized once (every gate passed, or this throws)
  const { stage, template } = synthesizedApp();
  const webhooks = (name: string) => template(stage(name).webhooks);
  const queueNamed = (name: string, queueName: string) =>
    Object.entries(webhooks(name).findResources('AWS::SQS::Queue')).find(([, q]) => q.Properties.QueueName === queueName)!;

  test.each(EACH_ENV)('%s: one POST route per configured sender, each throttled from config under the stage throttle', (name, config) => {
    const t = webhooks(name);
    const routes = Object.values(t.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);
    expect(routes.sort()).toEqual(config.edge.webhookProviders.map((p) => `POST ${webhookRoutePath(p.name)}`).sort());
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: {
        ThrottlingRateLimit: config.edge.webhookThrottle.ratePerSecond,
        ThrottlingBurstLimit: config.edge.webhookThrottle.burst,
      },
      RouteSettings: Object.fromEntries(
        config.edge.webhookProviders.map((p) => [
          `POST ${webhookRoutePath(p.name)}`,
          { ThrottlingRateLimit: p.ratePerSecond, ThrottlingBurstLimit: p.burst },
        ]),
      ),
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  test.each(EACH_ENV)('%s: the signing secret is named from config and outlives the stack outside development', (name, config) => {
    webhooks(name).hasResource('AWS::SecretsManager::Secret', {
      Properties: Match.objectLike({ Name: webhookSigningSecretName(config.name) }),
      DeletionPolicy: config.stateful.removal === 'retain' ? 'Retain' : 'Delete',
    });
    expect(stage(name).webhooks.terminationProtection).toBe(config.stateful.terminationProtection);
  });

  test.each(EACH_ENV)(
    '%s: the events queue is named from config, KMS-encrypted, TLS-only, with a dead-letter queue after N receives',
    (name, config) => {
      // GIVEN the names the worker (cdk8s, its pod role) derives from config
      const [queueId, queue] = queueNamed(name, webhookQueueName(config.name));
      const [dlqId, dlq] = queueNamed(name, webhookDeadLetterQueueName(config.name));
      const keyId = Object.keys(webhooks(name).findResources('AWS::KMS::Key'))[0];
      // THEN both queues use the stack's key (alias from config), and the events queue redrives to the DLQ
      for (const q of [queue, dlq]) {
        expect(q.Properties).toMatchObject({ KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] }, MessageRetentionPeriod: 14 * 24 * 3600 });
      }
      expect(queue.Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        maxReceiveCount: config.edge.webhookMaxReceiveCount,
      });
      expect(queue.Properties.VisibilityTimeout).toBe(WEBHOOK_VISIBILITY_TIMEOUT.toSeconds());
      // ...the DLQ takes messages from the events queue only (named by its config-derived ARN)
      expect(dlq.Properties.RedriveAllowPolicy).toEqual({
        redrivePermission: 'byQueue',
        sourceQueueArns: [webhookQueueArn(config.name, config.account, config.region)],
      });
      webhooks(name).hasResourceProperties('AWS::KMS::Alias', { AliasName: webhookKeyAliasName(config.name) });
      webhooks(name).hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
      });
      expect(queue.DeletionPolicy).toBe(config.stateful.removal === 'retain' ? 'Retain' : 'Delete');
    },
  );

  test.each(EACH_ENV)('%s: delivery IDs expire by TTL, in a table protected outside development', (name, config) => {
    webhooks(name).hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS' }),
        DeletionProtectionEnabled: config.stateful.removal === 'retain',
      }),
      DeletionPolicy: config.stateful.removal === 'retain' ? 'Retain' : 'Delete',
    });
    webhooks(name).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ DELIVERY_ID_TTL_SECONDS: String(config.edge.webhookDeliveryIdRetentionHours * 3600) }),
      },
    });
  });

  test.each(EACH_ENV)('%s: no function reserves concurrency unless config asks (a new account has none to reserve)', (name, config) => {
    expect(config.edge.webhookReservedConcurrency).toBeUndefined();
    for (const fn of Object.values(webhooks(name).findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
  });

  test.each(EACH_ENV)('%s: an hourly probe of the public API health URL', (name, config) => {
    webhooks(name).hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 hour)' });
    webhooks(name).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          PROBE_URL: `https://${apiHost(config)}${config.edge.healthCheckPath}`,
          ENVIRONMENT_NAME: config.name,
        }),
      },
    });
  });

  test('one bundle per handler, shared by every environment (bundled once per synth)', () => {
    const codeOf = (name: string) =>
      Object.values(webhooks(name).findResources('AWS::Lambda::Function'))
        .map((f) => f.Properties.Code.S3Key as string)
        .sort();
    expect(codeOf('dev')).toHaveLength(2);
    expect(codeOf('staging')).toEqual(codeOf('dev'));
    expect(codeOf('prod')).toEqual(codeOf('dev'));
  });
});
