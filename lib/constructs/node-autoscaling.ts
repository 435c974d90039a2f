import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { NODE_ROLE_MANAGED_POLICIES, PlatformCluster } from './eks-cluster';
import { KARPENTER_POLICY_SOURCE, karpenterControllerStatements } from './policies/karpenter';
import { acknowledgeWildcards, toPolicyStatements } from './policies/policy-json';

/**
 * The EC2 events Karpenter handles ahead of time (the upstream template's rules, see
 * `KARPENTER_POLICY_SOURCE`): it drains a node before a spot interruption, a rebalance
 * recommendation, a scheduled maintenance or a capacity reservation interruption takes it away, and
 * notices instances that stopped or terminated.
 */
export const INTERRUPTION_EVENTS: Readonly<Record<string, { readonly source: string; readonly detailType: string }>> = {
  ScheduledChange: { source: 'aws.health', detailType: 'AWS Health Event' },
  SpotInterruption: { source: 'aws.ec2', detailType: 'EC2 Spot Instance Interruption Warning' },
  Rebalance: { source: 'aws.ec2', detailType: 'EC2 Instance Rebalance Recommendation' },
  InstanceStateChange: { source: 'aws.ec2', detailType: 'EC2 Instance State-change Notification' },
  CapacityReservationInterruption: { source: 'aws.ec2', detailType: 'EC2 Capacity Reservation Instance Interruption Warning' },
};

/** Props of `NodeAutoscaling`. */
export interface NodeAutoscalingProps {
  /** The cluster Karpenter adds nodes to. */
  readonly cluster: PlatformCluster;
  /** Name of the cluster (the value of the tags Karpenter puts on what it launches). */
  readonly clusterName: string;
  /** Name of the nodes' IAM role; the EC2NodeClasses name it. */
  readonly nodeRoleName: string;
  /** Name of the interruption queue; the Karpenter chart names it. */
  readonly interruptionQueueName: string;
  /** Namespace and service account of the Karpenter controller (its Pod Identity association). */
  readonly controller: { readonly namespace: string; readonly serviceAccount: string };
}

/**
 * The AWS side of Karpenter (self-managed, installed by Argo CD; see ADR 0002): the role of the
 * nodes it launches and their EC2_LINUX access entry, the encrypted interruption queue and the
 * EventBridge rules that feed it, and the controller's Pod Identity role with the upstream
 * controller policy of the pinned version.
 */
export class NodeAutoscaling extends Construct {
  /** Role of the nodes Karpenter launches. */
  public readonly nodeRole: iam.Role;
  /** The interruption queue. */
  public readonly interruptionQueue: sqs.Queue;
  /** The controller's Pod Identity role. */
  public readonly controllerRole: iam.Role;

  constructor(scope: Construct, id: string, props: NodeAutoscalingProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // Named: the EC2NodeClasses refer to it by name (lib/config/naming.ts).
    this.nodeRole = new iam.Role(this, 'NodeRole', {
      roleName: props.nodeRoleName,
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Nodes Karpenter launches in ${props.clusterName}: kubelet and image pulls (the VPC CNI has its own Pod Identity role)`,
      managedPolicies: NODE_ROLE_MANAGED_POLICIES.map((p) => iam.ManagedPolicy.fromAwsManagedPolicyName(p)),
    });
    for (const policy of NODE_ROLE_MANAGED_POLICIES) {
      Validations.of(this.nodeRole).acknowledge({
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policy}]`,
        reason: 'The AWS-maintained node policies (kubelet, image pulls), the same as the managed node groups.',
      });
    }
    // Nodes join the cluster through an access entry of type EC2_LINUX (no policies: EKS gives it the node permissions).
    new eks.AccessEntry(this, 'NodeAccess', {
      cluster: props.cluster.cluster,
      principal: this.nodeRole.roleArn,
      accessEntryType: eks.AccessEntryType.EC2_LINUX,
      accessPolicies: [],
    });

    this.interruptionQueue = new sqs.Queue(this, 'InterruptionQueue', {
      queueName: props.interruptionQueueName,
      retentionPeriod: Duration.minutes(5),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.interruptionQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'Interruption notices are only useful for minutes (retention 5 minutes, as upstream); Karpenter reconciles missed ones from the instances themselves, so a dead-letter queue would hold nothing worth replaying.',
    });
    for (const [name, event] of Object.entries(INTERRUPTION_EVENTS)) {
      new events.Rule(this, `${name}Rule`, {
        description: `Karpenter (${props.clusterName}): ${event.detailType}`,
        eventPattern: { source: [event.source], detailType: [event.detailType] },
        targets: [new targets.SqsQueue(this.interruptionQueue)],
      });
    }

    const { namespace, serviceAccount } = props.controller;
    this.controllerRole = props.cluster.addPodRole('Karpenter', namespace, serviceAccount);
    const statements = karpenterControllerStatements({
      clusterName: props.clusterName,
      region: stack.region,
      account: stack.account,
      nodeRoleArn: `arn:aws:iam::${stack.account}:role/${props.nodeRoleName}`,
      interruptionQueueArn: `arn:aws:sqs:${stack.region}:${stack.account}:${props.interruptionQueueName}`,
    });
    for (const statement of toPolicyStatements(statements)) this.controllerRole.addToPolicy(statement);
    acknowledgeWildcards(this.controllerRole.node.findChild('DefaultPolicy'), `Karpenter (${KARPENTER_POLICY_SOURCE})`, statements);
  }
}
