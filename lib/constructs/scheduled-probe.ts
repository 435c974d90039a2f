import * as path from 'path';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { LogSettingsProps, PlatformFunction } from './platform-function';

/** Props of `ScheduledProbe`; the log settings are the probe function's. */
export interface ScheduledProbeProps extends LogSettingsProps {
  /** URL requested on every run, e.g. `https://api.example.com/api/healthz`. */
  readonly url: string;
  /** CloudWatch namespace of the `ApiHealthy` and `ApiLatency` metrics. */
  readonly metricNamespace: string;
  /** Value of the metrics' `Environment` dimension. */
  readonly environmentName: string;
  /**
   * When the probe runs.
   * @default scheduler.ScheduleExpression.rate(Duration.hours(1))
   */
  readonly schedule?: scheduler.ScheduleExpression;
}

/**
 * A scheduled task: EventBridge Scheduler invokes a Lambda function that requests the API's
 * public health URL and records `ApiHealthy`/`ApiLatency` as metrics (Embedded Metric Format),
 * the outside-in view that Route 53's origin health checks do not give (CloudFront, WAF, DNS).
 */
export class ScheduledProbe extends Construct {
  /** The probe function. */
  public readonly handler: PlatformFunction;
  /** The schedule. */
  public readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: ScheduledProbeProps) {
    super(scope, id);
    this.handler = new PlatformFunction(this, 'Handler', {
      entry: path.join(__dirname, '..', 'functions', 'scheduled', 'handler.ts'),
      description: 'Probes the public API health endpoint and records metrics',
      environment: { PROBE_URL: props.url, METRIC_NAMESPACE: props.metricNamespace, ENVIRONMENT_NAME: props.environmentName },
      timeout: Duration.seconds(15),
      // No reserved concurrency: a new account has none to reserve, and an hourly run of at most
      // 15 seconds cannot pile up behind the next one.
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    const stack = Stack.of(this);
    // Its own role (not the stack-wide one the target would create), trusted only by this account's schedules.
    const role = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'EventBridge Scheduler invokes the API probe',
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `Probe ${props.url}`,
      schedule: props.schedule ?? scheduler.ScheduleExpression.rate(Duration.hours(1)),
      // A missed probe is superseded by the next one: no retries, no backlog.
      target: new targets.LambdaInvoke(this.handler.function, { role, retryAttempts: 0, maxEventAge: Duration.minutes(5) }),
    });
    const functionId = stack.resolve(stack.getLogicalId(this.handler.function.node.defaultChild as lambda.CfnFunction));
    Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
      reason: "Lambda's grantInvoke also covers the versions and aliases of this one function (its ARN followed by :*).",
    });
  }
}
