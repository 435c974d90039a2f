import { CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { apiHost, webhookSigningSecretName } from '../config/edge-names';
import { ScheduledProbe } from '../constructs/scheduled-probe';
import { WebhookApi } from '../constructs/webhook-api';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/** Props of `WebhookStack`. */
export type WebhookStackProps = Omit<PlatformStackProps, 'stateful'>;

/**
 * Assumed upper bound of one webhook invocation (cached secret, one HMAC, one log line). With it,
 * the stage's steady rate fixes the concurrency the handler needs: rate x duration.
 */
const WEBHOOK_INVOCATION_MILLIS = 100;

/** Concurrent executions the webhook handler reserves: enough for the stage's throttle rate, at least 2. */
export function webhookConcurrency(ratePerSecond: number): number {
  return Math.max(2, Math.ceil((ratePerSecond * WEBHOOK_INVOCATION_MILLIS) / 1000));
}

/**
 * The serverless endpoints: the webhook receiver (HTTP API + Lambda, HMAC-verified) and the
 * scheduled probe of the public API. Stateful (termination-protected, retained outside
 * development) because it holds the signing secret every webhook sender is configured with.
 */
export class WebhookStack extends PlatformStack {
  /** The webhook receiver. */
  public readonly webhooks: WebhookApi;
  /** The scheduled probe. */
  public readonly probe: ScheduledProbe;

  constructor(scope: Construct, id: string, props: WebhookStackProps) {
    super(scope, id, { ...props, stateful: true, description: `${props.config.name}: webhook receiver and scheduled tasks` });
    const { config } = this;
    const removalPolicy = config.stateful.removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = config.edge.wafLogRetentionDays;

    this.webhooks = new WebhookApi(this, 'Webhooks', {
      apiName: `${config.tags.Application}-${config.name}-webhooks`,
      secretName: webhookSigningSecretName(config.name),
      secretRemovalPolicy: removalPolicy,
      throttleRatePerSecond: config.edge.webhookThrottle.ratePerSecond,
      throttleBurst: config.edge.webhookThrottle.burst,
      reservedConcurrentExecutions: webhookConcurrency(config.edge.webhookThrottle.ratePerSecond),
      logRetention,
      logRemovalPolicy: removalPolicy,
    });
    new CfnOutput(this, 'WebhookUrl', {
      value: `${this.webhooks.url}webhooks/{provider}`,
      description: 'Where webhook senders deliver; sign with the secret named in WebhookSecretName',
    });
    new CfnOutput(this, 'WebhookSecretName', { value: webhookSigningSecretName(config.name) });

    this.probe = new ScheduledProbe(this, 'ApiProbe', {
      url: `https://${apiHost(config)}${config.edge.healthCheckPath}`,
      metricNamespace: config.tags.Application,
      environmentName: config.name,
      logRetention,
      logRemovalPolicy: removalPolicy,
    });
  }
}
