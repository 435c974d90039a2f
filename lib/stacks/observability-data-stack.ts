import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { AlertKey } from '../constructs/alert-key';
import { kmsAliasName } from '../config/naming';
import {
  canaryArtifactsBucketName,
  CONTAINER_INSIGHTS_LOG_KINDS,
  containerInsightsLogGroupName,
  pagerDutyApiTokenSecretName,
  pagerDutyRoutingKeySecretName,
} from '../config/observability-names';
import { SecureBucket } from '../constructs/secure-bucket';
import { bucketProtection } from './bucket-protection';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/** Props of `ObservabilityDataStack`. */
export interface ObservabilityDataStackProps extends Omit<PlatformStackProps, 'stateful'> {
  /** Where the canary artifacts bucket writes its access logs (the Data stack's logs bucket). */
  readonly logsBucket: s3.IBucket;
}

/** PascalCase of a config name, for construct IDs: `duty-manager` -> `DutyManager`. */
const pascal = (name: string): string => name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

/**
 * What the monitoring keeps (stateful: termination-protected, retained outside development): the
 * key of the alert topics, the PagerDuty secrets (their values are set by the owner, and
 * Alertmanager reads them too), the container log groups the CloudWatch observability add-on
 * writes (created here with a retention before the add-on would create them without one), and the
 * canaries' artifacts bucket. Construct IDs are frozen (test/stacks/stateful-logical-ids.json).
 */
export class ObservabilityDataStack extends PlatformStack {
  /** Key of every alert topic of the region (CloudWatch may use it to publish). */
  public readonly alertKey: kms.IKey;
  /** PagerDuty routing key of each `pagerduty` tier, by tier name. */
  public readonly routingKeys: Readonly<Record<string, secretsmanager.ISecret>>;
  /** PagerDuty REST API key (acknowledgement checks), when the environment pages. */
  public readonly pagerDutyApiToken?: secretsmanager.ISecret;
  /** The canaries' artifacts bucket (named `canaryArtifactsBucketName`). */
  public readonly canaryArtifacts: s3.IBucket;
  /** The container log groups by kind. */
  public readonly containerLogs: Readonly<Record<string, logs.ILogGroup>>;

  constructor(scope: Construct, id: string, props: ObservabilityDataStackProps) {
    super(scope, id, {
      ...props,
      stateful: true,
      description: `${props.config.name}: alert topic key, PagerDuty secrets, container log groups, canary artifacts`,
    });
    const { config } = this;
    const keep = config.stateful.removal === 'retain';
    const removalPolicy = keep ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const { key } = new AlertKey(this, 'AlertKey', {
      aliasName: kmsAliasName(config.name, 'alerts'),
      description: `${config.name} alert topics`,
      removalPolicy,
    });
    this.alertKey = key;

    const routingKeys: Record<string, secretsmanager.ISecret> = {};
    for (const tier of config.observability.pager?.tiers ?? []) {
      if (tier.kind !== 'pagerduty') continue;
      routingKeys[tier.name] = this.ownerSetSecret(
        `PagerDuty${pascal(tier.name)}RoutingKey`,
        pagerDutyRoutingKeySecretName(config.name, tier.name),
        `PagerDuty Events v2 routing key of the ${tier.name} escalation tier (set by the owner)`,
        removalPolicy,
      );
    }
    this.routingKeys = routingKeys;
    if (config.observability.pager) {
      this.pagerDutyApiToken = this.ownerSetSecret(
        'PagerDutyApiToken',
        pagerDutyApiTokenSecretName(config.name),
        'PagerDuty REST API key (read-only): the escalation reads whether an incident was acknowledged (set by the owner)',
        removalPolicy,
      );
    }

    const containerLogs: Record<string, logs.ILogGroup> = {};
    for (const kind of CONTAINER_INSIGHTS_LOG_KINDS) {
      containerLogs[kind] = new logs.LogGroup(this, `ContainerLogs${pascal(kind)}`, {
        logGroupName: containerInsightsLogGroupName(config.name, kind),
        retention: config.observability.containerLogRetentionDays,
        removalPolicy,
      });
    }
    this.containerLogs = containerLogs;

    this.canaryArtifacts = new SecureBucket(this, 'CanaryArtifacts', {
      bucketName: canaryArtifactsBucketName(config.name, this.account, this.region),
      accessLogs: { bucket: props.logsBucket, prefix: 's3/canary-artifacts/' },
      removalPolicy,
      protection: keep ? bucketProtection(config) : undefined,
      lifecycleRules: [
        {
          id: 'expire-runs',
          expiration: Duration.days(config.observability.synthetics.artifactRetentionDays),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
    }).bucket;
  }

  /** A secret created with a generated placeholder; its owner puts the real value (never in code). */
  private ownerSetSecret(id: string, secretName: string, description: string, removalPolicy: RemovalPolicy): secretsmanager.ISecret {
    const secret = new secretsmanager.Secret(this, id, {
      secretName,
      description,
      generateSecretString: { excludePunctuation: true, passwordLength: 32 },
      removalPolicy,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Issued by PagerDuty and set by its owner with put-secret-value; Secrets Manager cannot rotate it.',
    });
    return secret;
  }
}
