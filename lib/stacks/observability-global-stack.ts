import { RemovalPolicy } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AlertKey } from '../constructs/alert-key';
import { kmsAliasName } from '../config/naming';
import { AlarmId, runbookAnchor } from '../config/observability';
import { alarmNamePrefix, alertRouterFunctionName, alertTopicName } from '../config/observability-names';
import { AlarmFacade } from '../constructs/alarm-facade';
import { AlertTopics } from '../constructs/alert-topics';
import { CLOUDFRONT_REGION } from './edge-global-stack';
import { addCatalogAlarm, cloudFront5xxRate, wafBlocked } from './observability-stack';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/** Props of `ObservabilityGlobalStack`. */
export interface ObservabilityGlobalStackProps extends Omit<PlatformStackProps, 'stateful'> {
  /** ID of the environment's CloudFront distribution (Edge stack, read across regions). */
  readonly distributionId: string;
}

/**
 * The alarms on CloudFront's metrics and on the CLOUDFRONT-scope WebACL, which exist only in
 * us-east-1, where an alarm can only notify a topic of its own region: one KMS-encrypted topic
 * per severity here, whose critical and warning messages the regional alert router relays to the
 * environment's topics of the same severity (the router's function, in the environment's region,
 * is subscribed by its config-derived ARN). Stateful because of its key (termination-protected,
 * retained outside development).
 */
export class ObservabilityGlobalStack extends PlatformStack {
  /** The alarms. */
  public readonly facade: AlarmFacade;
  /** The topics by severity. */
  public readonly topics: AlertTopics;

  constructor(scope: Construct, id: string, props: ObservabilityGlobalStackProps) {
    super(scope, id, {
      ...props,
      stateful: true,
      env: { account: props.config.account, region: CLOUDFRONT_REGION },
      crossRegionReferences: true,
      description: `${props.config.name}: alarms on CloudFront and its WebACL, relayed to the regional alert topics (${CLOUDFRONT_REGION})`,
    });
    const { config } = this;
    const { key } = new AlertKey(this, 'AlertKey', {
      aliasName: kmsAliasName(config.name, 'alerts'),
      description: `${config.name} alert topics (${CLOUDFRONT_REGION})`,
      removalPolicy: config.stateful.removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.topics = new AlertTopics(this, 'Topics', {
      topicNames: {
        critical: alertTopicName(config.name, 'critical', 'global'),
        warning: alertTopicName(config.name, 'warning', 'global'),
        info: alertTopicName(config.name, 'info', 'global'),
      },
      key,
    });
    // The router in the environment's region (its invoke permission for these topics is there).
    const router = `arn:aws:lambda:${config.region}:${this.account}:function:${alertRouterFunctionName(config.name)}`;
    for (const severity of ['critical', 'warning'] as const) {
      new sns.Subscription(this, `Relay-${severity}`, {
        topic: this.topics.topics[severity],
        protocol: sns.SubscriptionProtocol.LAMBDA,
        endpoint: router,
      });
    }

    this.facade = new AlarmFacade(this, 'Alarms', {
      alarmNamePrefix: alarmNamePrefix(config.name),
      topics: this.topics.topics,
      runbook: (alarmId) => runbookAnchor(alarmId as AlarmId),
    });
    const thresholds = config.observability.thresholds;
    addCatalogAlarm(this.facade, thresholds, 'cloudfront-5xx-rate', {
      metric: cloudFront5xxRate(props.distributionId, CLOUDFRONT_REGION),
      format: (v) => `${v}%`,
    });
    addCatalogAlarm(this.facade, thresholds, 'waf-blocked-spike', {
      instance: 'cloudfront',
      metric: wafBlocked(config.name, 'CLOUDFRONT', CLOUDFRONT_REGION),
      evaluationPeriods: 1,
    });
  }
}
