import * as path from 'path';
import { CustomResource, Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { LogSettingsProps, PlatformFunction } from './platform-function';
import { platformProvider } from './platform-provider';

/** Props of `AlbDimensions`; the log settings are the step's. */
export interface AlbDimensionsProps extends LogSettingsProps {
  /** Value of the controller's `elbv2.k8s.aws/cluster` tag (the cluster name it runs with). */
  readonly clusterTag: string;
  /** Value of the controller's `ingress.k8s.aws/stack` tag (the IngressGroup's name). */
  readonly stackTag: string;
  /** Target groups to resolve: key (e.g. a service name) -> `ingress.k8s.aws/resource` tag value. */
  readonly targets: Readonly<Record<string, string>>;
  /**
   * Any value; a different one re-resolves the dimensions (after the ALB or a target group was
   * created or replaced).
   * @default - resolved when the group or the targets change
   */
  readonly refresh?: string;
}

/**
 * The CloudWatch dimensions of an ALB and its target groups that the AWS Load Balancer Controller
 * created, resolved at deploy time by the controller's tags (`lib/functions/alb-dimensions/`), so
 * that alarms and dashboards can name them without an ARN in code. What does not exist yet gets a
 * placeholder dimension that no metric has.
 */
export class AlbDimensions extends Construct {
  /** The custom resource. */
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: AlbDimensionsProps) {
    super(scope, id);
    const fn = new PlatformFunction(this, 'Handler', {
      entry: path.join(__dirname, '..', 'functions', 'alb-dimensions', 'handler.ts'),
      description: "Resolves the CloudWatch dimensions of the load balancer controller's ALB and target groups by their tags",
      timeout: Duration.seconds(60),
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'FindByTags', actions: ['tag:GetResources'], resources: ['*'] }));
    Validations.of(fn.role.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'tag:GetResources supports no resource-level permissions; X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords) neither. The function only reads tags.',
    });

    const provider = platformProvider(this, fn, props);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::AlbDimensions',
      properties: { ClusterTag: props.clusterTag, StackTag: props.stackTag, Targets: { ...props.targets }, Refresh: props.refresh ?? '' },
    });
  }

  /** The ALB's `LoadBalancer` dimension, `app/<name>/<id>`. */
  public get loadBalancer(): string {
    return this.resource.getAttString('LoadBalancer');
  }

  /** The `TargetGroup` dimension of a target, `targetgroup/<name>/<id>`. */
  public targetGroup(key: string): string {
    return this.resource.getAttString(`TargetGroup.${key}`);
  }
}
