import * as path from 'path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { admitToClusterEndpoint, CLUSTER_API_PORT } from './cluster-endpoint-ingress';
import { POD_KILLER_DOCUMENT_PARAMETERS, POD_KILLER_ENV, POD_KILLER_KUBERNETES_GROUP, serviceSelectorLabels } from '../config/pod-killer';
import { PlatformFunction } from './platform-function';

/** Props of `PodKiller`. */
export interface PodKillerProps {
  /** The environment's name, for descriptions. */
  readonly environmentName: string;
  /** The cluster: its name (a reference: the access entry waits for it), private endpoint, CA and security group. */
  readonly cluster: {
    readonly name: string;
    readonly endpoint: string;
    readonly certificateAuthorityData: string;
    readonly securityGroupId: string;
  };
  /** The environment's VPC: the function runs in its private subnets. */
  readonly vpc: ec2.IVpc;
  /** The one service whose pods the function may delete, and its namespace. */
  readonly service: { readonly name: string; readonly namespace: string };
  /** Name of the SSM Automation document (`podKillerDocumentName`). */
  readonly documentName: string;
  /** How long the document's step may run. */
  readonly timeout: Duration;
  /** Retention of the function's log group. */
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** The API server's port: the only egress of the function, admitted by the cluster security group. */

/**
 * Deletes a share of one service's pods, for the pod-deletion chaos experiment (docs/chaos.md): a
 * Lambda function in the VPC's private subnets that calls the cluster's PRIVATE endpoint with an
 * EKS bearer token of its own role (mapped by an access entry to `POD_KILLER_KUBERNETES_GROUP`,
 * bound by the cluster-config chart to get/list/delete pods in the workload namespaces, nothing
 * else), and the SSM Automation document (schema 0.3, one `aws:invokeLambdaFunction` step) that FIS
 * runs with `aws:ssm:start-automation-execution`, under an automation role that may invoke only
 * this function.
 */
export class PodKiller extends Construct {
  /** The function. */
  public readonly function: PlatformFunction;
  /** The Automation document. */
  public readonly document: ssm.CfnDocument;
  /** The role Automation runs the document as (FIS passes it). */
  public readonly automationRole: iam.Role;
  /** ARN of the document (what the FIS action names). */
  public readonly documentArn: string;
  /** The function's security group (admitted by the cluster security group on 443). */
  public readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: PodKillerProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      allowAllOutbound: false,
      description: `Chaos pod killer of ${props.environmentName}: HTTPS to the cluster private API endpoint only`,
    });
    // The token is presigned locally: no STS call, so the API server is the only peer.
    this.securityGroup.addEgressRule(
      ec2.Peer.securityGroupId(props.cluster.securityGroupId),
      ec2.Port.tcp(CLUSTER_API_PORT),
      'The cluster private API endpoint',
    );
    admitToClusterEndpoint(
      this,
      'ClusterEndpointFromPodKiller',
      props.cluster.securityGroupId,
      this.securityGroup,
      `Chaos pod killer to the ${props.environmentName} cluster private API endpoint`,
    );

    this.function = new PlatformFunction(this, 'Function', {
      entry: path.join(__dirname, '..', 'functions', 'pod-killer', 'handler.ts'),
      description: `Chaos: deletes a share of the pods of ${props.service.name} in ${props.environmentName} (never all of them)`,
      environment: {
        [POD_KILLER_ENV.clusterName]: props.cluster.name,
        [POD_KILLER_ENV.endpoint]: props.cluster.endpoint,
        [POD_KILLER_ENV.certificateAuthority]: props.cluster.certificateAuthorityData,
        [POD_KILLER_ENV.services]: JSON.stringify({
          [props.service.name]: { namespace: props.service.namespace, labels: serviceSelectorLabels(props.service.name) },
        }),
      },
      timeout: Duration.seconds(60),
      vpc: { vpc: props.vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, securityGroups: [this.securityGroup] },
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    new eks.CfnAccessEntry(this, 'AccessEntry', {
      clusterName: props.cluster.name,
      principalArn: this.function.role.roleArn,
      type: 'STANDARD',
      kubernetesGroups: [POD_KILLER_KUBERNETES_GROUP],
    });
    Validations.of(this.function.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      reason: 'A function in a VPC needs the AWS-maintained policy that lets Lambda manage its network interfaces.',
    });

    this.automationRole = new iam.Role(this, 'AutomationRole', {
      assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `Chaos pod deletion of ${props.environmentName}: the Automation document invokes the pod killer, nothing else`,
    });
    // The unqualified function only (grantInvoke would add every version and alias, `:*`).
    this.automationRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeThePodKiller',
        actions: ['lambda:InvokeFunction'],
        resources: [this.function.function.functionArn],
      }),
    );

    const { service, sharePercent } = POD_KILLER_DOCUMENT_PARAMETERS;
    this.document = new ssm.CfnDocument(this, 'Document', {
      name: props.documentName,
      documentType: 'Automation',
      documentFormat: 'JSON',
      updateMethod: 'NewVersion',
      content: {
        schemaVersion: '0.3',
        description: `Deletes a share of the pods of one service of ${props.environmentName} (chaos; docs/chaos.md)`,
        assumeRole: '{{ AutomationAssumeRole }}',
        parameters: {
          AutomationAssumeRole: { type: 'String', description: 'The role Automation runs as (FIS passes it).' },
          [service]: { type: 'String', description: 'The service whose pods are deleted.', allowedValues: [props.service.name] },
          [sharePercent]: {
            type: 'String',
            description: 'Share of its pods to delete, 1..100 (never all).',
            allowedPattern: '^([1-9][0-9]?|100)$',
          },
        },
        mainSteps: [
          {
            name: 'DeletePods',
            action: 'aws:invokeLambdaFunction',
            timeoutSeconds: props.timeout.toSeconds(),
            onFailure: 'Abort',
            inputs: {
              FunctionName: this.function.function.functionArn,
              InvocationType: 'RequestResponse',
              Payload: `{"service":"{{ ${service} }}","sharePercent":"{{ ${sharePercent} }}"}`,
            },
          },
        ],
      },
    });
    this.documentArn = stack.formatArn({ service: 'ssm', resource: 'document', resourceName: props.documentName });
  }
}
