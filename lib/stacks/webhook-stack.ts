import { CfnOutput, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  apiHost,
  webhookDeadLetterQueueName,
  webhookKeyAliasName,
  webhookQueueArn,
  webhookQueueName,
  webhookSigningSecretName,
} from '../config/edge-names';
import { ScheduledProbe } from '../constructs/scheduled-probe';
import { WebhookApi } from '../constructs/webhook-api';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/** Props of `WebhookStack`. */
export type WebhookStackProps = Omit<PlatformStackProps, 'stateful'>;

/**
 * How long the worker has to process one event before SQS hands it to another receive. The
 * worker's longest job is its termination grace period (the catalog's `drain` of the worker).
 */
export const WEBHOOK_VISIBILITY_TIMEOUT = Duration.minutes(5);

/**
 * The serverless endpoints: the webhook receiver (HTTP API + Lambda, HMAC-verified, one throttled
 * route per sender), the queue accepted events wait in for the `worker` service (KMS-encrypted,
 * with a dead-letter queue), the table of delivery IDs that keeps a redelivery from being queued
 * twice, and the scheduled probe of the public API. Stateful (termination-protected, retained
 * outside development): it holds the signing secret every sender is configured with, and events
 * not yet processed.
 */
export class WebhookStack extends PlatformStack {
  /** The webhook receiver. */
  public readonly webhooks: WebhookApi;
  /** The scheduled probe. */
  public readonly probe: ScheduledProbe;
  /** Where accepted events wait for the worker (named `webhookQueueName`). */
  public readonly queue: sqs.IQueue;
  /** Events the worker failed `edge.webhookMaxReceiveCount` times. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The key of the queues and the table (alias `webhookKeyAliasName`). */
  public readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: WebhookStackProps) {
    super(scope, id, { ...props, stateful: true, description: `${props.config.name}: webhook receiver, its event queue, scheduled tasks` });
    const { config } = this;
    const keep = config.stateful.removal === 'retain';
    const removalPolicy = keep ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = config.edge.wafLogRetentionDays;

    this.key = new kms.Key(this, 'EventsKey', {
      description: `${config.name} webhook events: queues and delivery IDs`,
      alias: webhookKeyAliasName(config.name),
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(30),
    });
    const queueDefaults = {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      // Reuse a data key for 5 minutes: fewer KMS calls (and costs) per message.
      dataKeyReuse: Duration.minutes(5),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    };
    const dlq = new sqs.Queue(this, 'EventsDeadLetterQueue', {
      ...queueDefaults,
      queueName: webhookDeadLetterQueueName(config.name),
      // Only the events queue may send here (by its config-derived ARN: a reference would be circular).
      redriveAllowPolicy: {
        redrivePermission: sqs.RedrivePermission.BY_QUEUE,
        sourceQueues: [sqs.Queue.fromQueueArn(this, 'EventsQueueByArn', webhookQueueArn(config.name, this.account, this.region))],
      },
    });
    Validations.of(dlq).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This is the dead-letter queue of the webhook events queue.' });
    this.deadLetterQueue = dlq;
    this.queue = new sqs.Queue(this, 'EventsQueue', {
      ...queueDefaults,
      queueName: webhookQueueName(config.name),
      visibilityTimeout: WEBHOOK_VISIBILITY_TIMEOUT,
      deadLetterQueue: { queue: dlq, maxReceiveCount: config.edge.webhookMaxReceiveCount },
    });

    const deliveryIds = new dynamodb.Table(this, 'DeliveryIds', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: keep,
      removalPolicy,
    });

    this.webhooks = new WebhookApi(this, 'Webhooks', {
      apiName: `${config.tags.Application}-${config.name}-webhooks`,
      secretName: webhookSigningSecretName(config.name),
      secretRemovalPolicy: removalPolicy,
      throttleRatePerSecond: config.edge.webhookThrottle.ratePerSecond,
      throttleBurst: config.edge.webhookThrottle.burst,
      providers: config.edge.webhookProviders,
      queue: this.queue,
      deliveryIds,
      encryptionKey: this.key,
      deliveryIdRetention: Duration.hours(config.edge.webhookDeliveryIdRetentionHours),
      reservedConcurrentExecutions: config.edge.webhookReservedConcurrency,
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
