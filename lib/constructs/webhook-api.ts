import * as path from 'path';
import { Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LogSettingsProps, PlatformFunction, PlatformFunctionProps } from './platform-function';

/** Path of a sender's route, e.g. `/webhooks/stripe`. */
export function webhookRoutePath(provider: string): string {
  return `/webhooks/${provider}`;
}

/** One sender: its route and its throttle. */
export interface WebhookProvider {
  /** Lower-case DNS label, e.g. `stripe`: `POST /webhooks/stripe`. */
  readonly name: string;
  /** Steady-state requests per second of this sender (at most the stage's). */
  readonly ratePerSecond: number;
  /** Burst of this sender (at least its rate, at most the stage's burst). */
  readonly burst: number;
}

/** One JSON line per request: who, what, outcome, timings (no headers, no body). */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    sourceIp: '$context.identity.sourceIp',
    requestTime: '$context.requestTime',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    latencyMillis: '$context.responseLatency',
    integrationLatencyMillis: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    userAgent: '$context.identity.userAgent',
  }),
);

/** Props of `WebhookApi`; the log settings cover the handler's logs and the stage's access logs. */
export interface WebhookApiProps extends LogSettingsProps, Pick<PlatformFunctionProps, 'reservedConcurrentExecutions'> {
  /** Name of the HTTP API, e.g. `saas-platform-prod-webhooks`. */
  readonly apiName: string;
  /** Name of the Secrets Manager secret senders sign with (created here, with a generated value). */
  readonly secretName: string;
  /**
   * What happens to the secret when it leaves the template; every sender is configured with it.
   * @default RemovalPolicy.RETAIN
   */
  readonly secretRemovalPolicy?: RemovalPolicy;
  /** Steady-state requests per second the stage accepts (1 or more). */
  readonly throttleRatePerSecond: number;
  /** Requests the stage accepts in a burst (at least the rate). */
  readonly throttleBurst: number;
  /** The senders; each gets its own route and throttle (a sender out of control cannot starve the others). */
  readonly providers: readonly WebhookProvider[];
  /** Where accepted events go (the worker consumes it), encrypted with `encryptionKey`. */
  readonly queue: sqs.IQueue;
  /** Table of claimed delivery IDs: partition key `pk` (string), TTL attribute `expiresAt`; encrypted with `encryptionKey`. */
  readonly deliveryIds: dynamodb.ITable;
  /** The key of the queue and the table. */
  readonly encryptionKey: kms.IKey;
  /** How long a delivery ID is remembered (a redelivery within it is not queued twice). */
  readonly deliveryIdRetention: Duration;
}

/**
 * The webhook receiver: an HTTP API with one `POST /webhooks/<provider>` route per sender, each
 * with its own throttle under the stage's, access-logged, handled by a Lambda function that
 * verifies each delivery's HMAC signature with a secret from Secrets Manager, claims its delivery
 * ID in DynamoDB and puts the event on the SQS queue before it answers 202 (see
 * `lib/functions/webhook/handler.ts`). The function may read that one secret, write that one
 * queue and table, use their key and write its own logs; nothing else.
 */
export class WebhookApi extends Construct {
  /** The HTTP API. */
  public readonly api: apigwv2.HttpApi;
  /** The stage (`$default`) with throttling and access logs. */
  public readonly stage: apigwv2.HttpStage;
  /** The signing secret. */
  public readonly secret: secretsmanager.ISecret;
  /** The handler. */
  public readonly handler: PlatformFunction;

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);
    const { throttleRatePerSecond: rate, throttleBurst: burst } = props;
    if (!Token.isUnresolved(rate) && (!Number.isInteger(rate) || rate < 1)) {
      throw new Error(`${this.node.path}: throttleRatePerSecond ${rate} is not allowed; use a whole number of 1 or more`);
    }
    if (!Token.isUnresolved(burst) && !Token.isUnresolved(rate) && (!Number.isInteger(burst) || burst < rate)) {
      throw new Error(`${this.node.path}: throttleBurst ${burst} is not allowed; use a whole number of at least the rate (${rate})`);
    }
    if (props.providers.length === 0) throw new Error(`${this.node.path}: providers is empty; give at least one sender`);
    for (const p of props.providers) {
      if (p.ratePerSecond < 1 || p.ratePerSecond > rate || p.burst < p.ratePerSecond || p.burst > burst) {
        throw new Error(
          `${this.node.path}: provider ${p.name} throttle ${p.ratePerSecond}/s burst ${p.burst} is not allowed; use 1..${rate}/s and a burst of rate..${burst}`,
        );
      }
    }
    const logRemovalPolicy = props.logRemovalPolicy ?? RemovalPolicy.RETAIN;

    const secret = new secretsmanager.Secret(this, 'SigningSecret', {
      secretName: props.secretName,
      description: 'HMAC-SHA256 key webhook senders sign deliveries with',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: props.secretRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Every sender is configured with this key out of band; a scheduled rotation would break deliveries. Rotate by hand with the runbook in docs/architecture/edge.md.',
    });
    this.secret = secret;

    this.handler = new PlatformFunction(this, 'Handler', {
      entry: path.join(__dirname, '..', 'functions', 'webhook', 'handler.ts'),
      description: 'Verifies webhook signatures and queues each delivery once',
      environment: {
        SECRET_ID: secret.secretArn,
        SECRET_TTL_SECONDS: '300',
        PROVIDERS: props.providers.map((p) => p.name).join(','),
        QUEUE_URL: props.queue.queueUrl,
        TABLE_NAME: props.deliveryIds.tableName,
        DELIVERY_ID_TTL_SECONDS: String(props.deliveryIdRetention.toSeconds()),
      },
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      logRetention: props.logRetention,
      logRemovalPolicy,
    });
    secret.grantRead(this.handler.function);
    // Exactly the calls the handler makes (the L2 grants would add kms:ReEncrypt* and more).
    const role = this.handler.role;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'QueueEvents', actions: ['sqs:SendMessage'], resources: [props.queue.queueArn] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ClaimDeliveryIds',
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [props.deliveryIds.tableArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptEventsAndIds',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.encryptionKey.keyArn],
      }),
    );

    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: props.apiName,
      description: 'Webhook receiver',
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention, removalPolicy: logRemovalPolicy });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: rate, burstLimit: burst },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: ACCESS_LOG_FORMAT,
      },
    });
    const integration = new HttpLambdaIntegration('Handler', this.handler.function);
    // A JSON property: CloudFormation's own (PascalCase) keys.
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const provider of props.providers) {
      const routePath = webhookRoutePath(provider.name);
      const [route] = this.api.addRoutes({ path: routePath, methods: [apigwv2.HttpMethod.POST], integration });
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Senders are third parties without AWS or platform identities; every delivery is authenticated by its HMAC signature in the handler (401 otherwise).',
      });
      routeSettings[`POST ${routePath}`] = { ThrottlingRateLimit: provider.ratePerSecond, ThrottlingBurstLimit: provider.burst };
    }
    // Per-route throttles (the L2 stage knows only the default route settings).
    (this.stage.node.defaultChild as apigwv2.CfnStage).routeSettings = routeSettings;
  }

  /** URL of the stage, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com/`. */
  public get url(): string {
    return this.stage.url;
  }
}
