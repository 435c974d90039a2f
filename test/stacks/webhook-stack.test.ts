import { Match } from 'aws-cdk-lib/assertions';
import { apiHost, webhookSigningSecretName } from '../../lib/config/edge-names';
import { WEBHOOK_ROUTE_PATH } from '../../lib/constructs/webhook-api';
import { webhookConcurrency } from '../../lib/stacks/webhook-stack';
import { EACH_ENV, synthesizedApp } from '../app-fixture';

describe('WebhookStack', () => {
  // GIVEN the whole app, synthesized once (every gate passed, or this throws)
  const { stage, template } = synthesizedApp();
  const webhooks = (name: string) => template(stage(name).webhooks);

  test.each(EACH_ENV)('%s: POST /webhooks/{provider}, throttled from config', (name, config) => {
    const t = webhooks(name);
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `POST ${WEBHOOK_ROUTE_PATH}` });
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: {
        ThrottlingRateLimit: config.edge.webhookThrottle.ratePerSecond,
        ThrottlingBurstLimit: config.edge.webhookThrottle.burst,
      },
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

  test.each(EACH_ENV)('%s: the handler reserves the concurrency its throttle rate needs', (name, config) => {
    webhooks(name).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SECRET_ID: Match.anyValue() }) },
      ReservedConcurrentExecutions: webhookConcurrency(config.edge.webhookThrottle.ratePerSecond),
    });
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

  test.each([
    [1, 2],
    [50, 5],
    [200, 20],
    [10_000, 1000],
  ])('a rate of %d/s reserves %d executions (100 ms each, at least 2)', (rate, reserved) => {
    expect(webhookConcurrency(rate)).toBe(reserved);
  });
});
