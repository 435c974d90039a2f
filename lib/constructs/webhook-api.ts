import * as path from 'path';
import { RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { LogSettingsProps, PlatformFunction, PlatformFunctionProps } from './platform-function';

/** Route of the webhook receiver; `{provider}` names the sender, e.g. `/webhooks/stripe`. */
export const WEBHOOK_ROUTE_PATH = '/webhooks/{provider}';

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
}

/**
 * The webhook receiver: an HTTP API with `POST /webhooks/{provider}`, throttled and access-logged,
 * handled by a Lambda function that verifies each delivery's HMAC signature with a secret from
 * Secrets Manager (see `lib/functions/webhook/handler.ts` for the headers). The function may read
 * that one secret and write its own logs; nothing else.
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
        'Every sender is configured with this key out of band; a scheduled rotation would break deliveries. Rotate by hand with the runbook in docs/edge.md.',
    });
    this.secret = secret;

    this.handler = new PlatformFunction(this, 'Handler', {
      entry: path.join(__dirname, '..', 'functions', 'webhook', 'handler.ts'),
      description: 'Verifies webhook signatures and accepts deliveries',
      environment: { SECRET_ID: secret.secretArn, SECRET_TTL_SECONDS: '300' },
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      logRetention: props.logRetention,
      logRemovalPolicy,
    });
    secret.grantRead(this.handler.function);

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
    const [route] = this.api.addRoutes({
      path: WEBHOOK_ROUTE_PATH,
      methods: [apigwv2.HttpMethod.POST],
      integration: new HttpLambdaIntegration('Handler', this.handler.function),
    });
    Validations.of(route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Senders are third parties without AWS or platform identities; every delivery is authenticated by its HMAC signature in the handler (401 otherwise).',
    });
  }

  /** URL of the stage, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com/`. */
  public get url(): string {
    return this.stage.url;
  }
}
