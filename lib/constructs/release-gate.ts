import { CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { admitToClusterEndpoint, CLUSTER_API_PORT } from './cluster-endpoint-ingress';

/** Props of `ReleaseGate`. */
export interface ReleaseGateProps {
  /** The cluster's name (a reference: the access entry waits for the cluster). */
  readonly clusterName: string;
  /** The environment's name, for descriptions (plain text). */
  readonly environmentName: string;
  /** The cluster's ARN (`eks:DescribeCluster` for `aws eks update-kubeconfig`), from its name. */
  readonly clusterArn: string;
  /** The cluster security group (EKS's): it guards the private API endpoint; the gate is admitted on 443. */
  readonly clusterSecurityGroupId: string;
  /** The environment's VPC: the gate runs in its private subnets (egress through its NAT). */
  readonly vpc: ec2.IVpc;
  /** Name of the deploy role the tooling account's release role assumes, e.g. `saas-platform-prod-deploy`. */
  readonly deployRoleName: string;
  /**
   * ARN of the only principal that may assume the deploy role (the tooling account's release role).
   * It need not exist yet: the trust names its account and matches the ARN in a condition.
   */
  readonly trustedRoleArn: string;
  /** Name of the gate project. */
  readonly projectName: string;
  /** Name of the role the gate project runs as. */
  readonly gateRoleName: string;
  /** The Kubernetes group the gate role's access entry maps it to; the manifests bind it to read-only Roles. */
  readonly kubernetesGroup: string;
  /** Install-phase commands (the pinned, checksum-verified kubectl and kubectl-argo-rollouts). */
  readonly installCommands: readonly string[];
  /** Build-phase commands: the gates. */
  readonly buildCommands: readonly string[];
  /** Variables the build exports (read back by the release through `batch-get-builds`). */
  readonly exportedVariables: readonly string[];
  /** Where the gate's build logs go (a stateful stack's log group: it outlives a rebuilt cluster). */
  readonly logGroup: logs.ILogGroup;
}

/**
 * The release step's way into a cluster, from inside the environment (ADR 0004, amendment): a
 * CodeBuild project in the environment's VPC that holds the cluster-side gates, reaching the
 * cluster's PRIVATE API endpoint, so no cluster endpoint needs to admit the tooling account's
 * address. Two roles:
 *
 * - the gate role, which the project runs as: `eks:DescribeCluster`, and an EKS access entry that
 *   maps it to one Kubernetes group with no access policy; what the group may do is the manifests'
 *   RBAC (read Applications, Rollouts, ReplicaSets, Pods, Jobs). Argo CD applies; it never writes.
 *   (EKS access policies cannot name the Argo CRDs: AmazonEKSViewPolicy would grant more.)
 * - the deploy role, which only the tooling release role may assume: it may start this one project
 *   and read its builds, nothing else (`codebuild:StartBuild`, `codebuild:BatchGetBuilds`).
 */
export class ReleaseGate extends Construct {
  /** The role the tooling release assumes (start and read gate builds). */
  public readonly deployRole: iam.Role;
  /** The role the gate project runs as (the access entry's principal). */
  public readonly gateRole: iam.Role;
  /** The gate project. */
  public readonly project: codebuild.Project;
  /** The gate's security group (admitted by the cluster security group on 443). */
  public readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: ReleaseGateProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.gateRole = new iam.Role(this, 'GateRole', {
      roleName: props.gateRoleName,
      description: `The release gate's read-only access to the ${props.environmentName} cluster (group ${props.kubernetesGroup})`,
      // CodeBuild of this account only: a role cannot be passed to another account's project.
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
    });
    this.gateRole.addToPolicy(
      new iam.PolicyStatement({ sid: 'Kubeconfig', actions: ['eks:DescribeCluster'], resources: [props.clusterArn] }),
    );
    new eks.CfnAccessEntry(this, 'AccessEntry', {
      clusterName: props.clusterName,
      principalArn: this.gateRole.roleArn,
      type: 'STANDARD',
      kubernetesGroups: [props.kubernetesGroup],
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      allowAllOutbound: false,
      description: `Release gate of the ${props.environmentName} cluster: HTTPS out (private API endpoint, AWS APIs, tool downloads through the NAT)`,
    });
    this.securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(CLUSTER_API_PORT),
      'HTTPS: the cluster private endpoint, AWS APIs, the pinned tools',
    );
    admitToClusterEndpoint(
      this,
      'ClusterEndpointFromGate',
      props.clusterSecurityGroupId,
      this.securityGroup,
      `Release gate to the ${props.environmentName} cluster private API endpoint`,
    );

    this.project = new codebuild.Project(this, 'Project', {
      projectName: props.projectName,
      description: `Release gate of the ${props.environmentName} cluster: Argo CD Application Synced+Healthy at the commit, rollout complete (started by the release step)`,
      role: this.gateRole,
      vpc: props.vpc,
      subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      timeout: Duration.hours(1),
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.SMALL },
      logging: { cloudWatch: { logGroup: props.logGroup } },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        env: { shell: 'bash', 'exported-variables': [...props.exportedVariables] },
        phases: {
          install: { commands: [...props.installCommands] },
          build: { commands: [...props.buildCommands] },
        },
      }),
    });

    this.deployRole = new iam.Role(this, 'DeployRole', {
      roleName: props.deployRoleName,
      description: `The release step's way to the gate of the ${props.environmentName} cluster: start its builds and read them, nothing else`,
      assumedBy: new iam.AccountPrincipal(props.trustedRoleArn.split(':')[4]).withConditions({
        ArnEquals: { 'aws:PrincipalArn': props.trustedRoleArn },
      }),
    });
    this.deployRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RunTheGate',
        actions: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds'],
        // By name (the release starts it by name): a policy that needs no deploy-time value.
        resources: [stack.formatArn({ service: 'codebuild', resource: 'project', resourceName: props.projectName })],
      }),
    );

    Validations.of(this.project).acknowledge({
      id: 'AwsSolutions-CB4',
      reason: 'The gate has no artifacts and no cache; it only reads the cluster. Its logs go to the log group the Data stack keeps.',
    });
    // CodeBuild's own grants to its role: the network interfaces of a VPC build (conditioned on the
    // VPC's subnets), its default log group and report groups of this project only.
    const policy = this.gateRole.node.findChild('DefaultPolicy');
    const logicalId = stack.getLogicalId(this.project.node.defaultChild as CfnElement);
    for (const resource of [
      'arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*',
      `arn:aws:logs:${stack.region}:${stack.account}:log-group:/aws/codebuild/<${logicalId}>:*`,
      `arn:aws:codebuild:${stack.region}:${stack.account}:report-group/<${logicalId}>-*`,
    ]) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason: `CodeBuild's grant to the role of project ${props.projectName} only (its network interfaces in the VPC's subnets, its log streams, its reports).`,
      });
    }
    Validations.of(this.project.node.tryFindChild('PolicyDocument') ?? this.project).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'CodeBuild in a VPC: ec2:Describe* and the network interface calls support no resource scoping (CodeBuild adds them).',
    });
  }
}
