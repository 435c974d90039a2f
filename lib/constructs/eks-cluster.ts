import { Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { commonArchitecture, CpuArchitecture } from '../config/instance-types';

/** Sizing of one managed node group. */
export interface NodeGroupSpec {
  /** Instance types (all of one CPU architecture). */
  readonly instanceTypes: readonly string[];
  /** Fewest nodes. */
  readonly minSize: number;
  /** Nodes at creation. */
  readonly desiredSize: number;
  /** Most nodes. */
  readonly maxSize: number;
  /** `spot` or `onDemand`. */
  readonly capacity: 'onDemand' | 'spot';
  /** Encrypted gp3 root volume size in GiB. */
  readonly diskSizeGiB: number;
  /**
   * Kubernetes labels of the nodes (what workloads select).
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Taints of the nodes (only pods that tolerate them are scheduled there).
   * @default - none
   */
  readonly taints?: readonly {
    readonly key: string;
    readonly value: string;
    readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  }[];
}

/** An EKS managed add-on and, when it calls AWS, the policies of its own Pod Identity role. */
export interface AddonSpec {
  /** Add-on name, e.g. `vpc-cni`. */
  readonly name: string;
  /** Pinned version, e.g. `v1.20.4-eksbuild.1`. */
  readonly version: string;
  /**
   * Add-on configuration (the schema of `aws eks describe-addon-configuration`).
   * @default - the add-on's defaults
   */
  readonly configuration?: Record<string, unknown>;
  /**
   * Nodes need this add-on to become Ready (a DaemonSet such as the CNI, kube-proxy or the Pod
   * Identity agent): it is created before the node groups, which wait for it. Any other add-on
   * runs pods that need a node, so it is created after the node groups (a Deployment with no node
   * to run on never becomes ACTIVE, and the stack would fail).
   * @default false
   */
  readonly requiredByNodes?: boolean;
  /**
   * The namespace and service account that call AWS, and the AWS-managed policies their role needs.
   * @default - the add-on does not call AWS
   */
  readonly identity?: { readonly namespace: string; readonly serviceAccount: string; readonly managedPolicies: readonly string[] };
}

/** Props of `PlatformCluster`. */
export interface PlatformClusterProps {
  /** Cluster name. */
  readonly clusterName: string;
  /** Kubernetes minor version, e.g. `1.35`. */
  readonly version: string;
  /** The VPC; nodes and the private endpoint use its private subnets. */
  readonly vpc: ec2.IVpc;
  /** CIDRs allowed to reach the public endpoint; empty makes the endpoint private only. */
  readonly publicEndpointCidrs: readonly string[];
  /** Key for envelope encryption of Kubernetes secrets. */
  readonly secretsKey: kms.IKey;
  /**
   * The log group EKS writes the control-plane logs to, `/aws/eks/<clusterName>/cluster`. EKS
   * picks that name; it is passed in (made by a stateful stack) so that rebuilding the cluster
   * neither deletes the audit trail nor collides with a retained group of the same name. The
   * cluster is created after it, so EKS never creates it (with no retention) itself.
   */
  readonly controlPlaneLogGroup: logs.ILogGroup;
  /** The `system` group (on-demand, for platform add-ons) and the `workloads` group. */
  readonly nodeGroups: { readonly system: NodeGroupSpec; readonly workloads: NodeGroupSpec };
  /** Managed add-ons with pinned versions. */
  readonly addons: readonly AddonSpec[];
}

/** Managed policies of the node role: kubelet (with the Pod Identity agent's `eks-auth:AssumeRoleForPodIdentity`) and image pulls. */
export const NODE_ROLE_MANAGED_POLICIES: readonly string[] = ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryPullOnly'];

/**
 * An EKS cluster on native CloudFormation (`aws-eks-v2`: no kubectl Lambda): all control-plane
 * logs, envelope encryption of secrets, access entries only (authentication mode API), endpoint
 * private (public only from listed CIDRs), managed node groups across the private subnets of every
 * zone with launch templates that require IMDSv2 (hop limit 1: pods cannot borrow the node role) and
 * encrypted gp3 volumes, pinned managed add-ons created in the order nodes need them, and Pod
 * Identity roles, each trusted only by its own cluster, namespace and service account.
 */
export class PlatformCluster extends Construct {
  /** The cluster. */
  public readonly cluster: eks.Cluster;
  /** The node groups by name. */
  public readonly nodeGroups: Readonly<Record<'system' | 'workloads', eks.Nodegroup>>;
  /** The role of the managed node groups' nodes. */
  public readonly nodeRole: iam.IRole;
  /** The add-ons by name. */
  public readonly addons: Readonly<Record<string, eks.Addon>>;
  /** ARN of the cluster as a literal (what EKS Pod Identity puts in the `eks-cluster-arn` session tag). */
  public readonly clusterArnLiteral: string;
  private readonly clusterName: string;

  constructor(scope: Construct, id: string, props: PlatformClusterProps) {
    super(scope, id);
    this.clusterName = props.clusterName;
    const stack = Stack.of(this);
    this.clusterArnLiteral = `arn:aws:eks:${stack.region}:${stack.account}:cluster/${props.clusterName}`;

    this.cluster = new eks.Cluster(this, 'Resource', {
      clusterName: props.clusterName,
      version: eks.KubernetesVersion.of(props.version),
      vpc: props.vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
      endpointAccess:
        props.publicEndpointCidrs.length > 0
          ? eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...props.publicEndpointCidrs)
          : eks.EndpointAccess.PRIVATE,
      clusterLogging: [
        eks.ClusterLoggingTypes.API,
        eks.ClusterLoggingTypes.AUDIT,
        eks.ClusterLoggingTypes.AUTHENTICATOR,
        eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
        eks.ClusterLoggingTypes.SCHEDULER,
      ],
      secretsEncryptionKey: props.secretsKey,
      defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
      defaultCapacity: 0,
      // The networking add-ons are installed below as pinned managed add-ons instead.
      bootstrapSelfManagedAddons: false,
      // Who administers the cluster is config (access entries), not whoever ran the first deploy.
      bootstrapClusterCreatorAdminPermissions: false,
      outputConfigCommand: false,
    });
    this.cluster.node.addDependency(props.controlPlaneLogGroup);
    Validations.of(this.cluster.node.defaultChild!).acknowledge({
      id: 'CloudFormation-Validate::W9009',
      reason:
        "aws-eks-v2 renders EncryptionConfig.Resources: ['secrets'], the only value EKS accepts; the schema marks the property deprecated, the API still requires it.",
    });
    this.acknowledgeClusterRole();

    // Nodes need the CNI, kube-proxy and the Pod Identity agent to become Ready: those come first.
    const addons: Record<string, eks.Addon> = {};
    const agent = props.addons.find((a) => a.name === 'eks-pod-identity-agent');
    const ordered = [...(agent ? [agent] : []), ...props.addons.filter((a) => a !== agent)];
    for (const spec of ordered.filter((a) => a.requiredByNodes)) addons[spec.name] = this.addAddon(spec, addons);

    this.nodeRole = this.addNodeRole();
    this.nodeGroups = {
      system: this.addNodeGroup('System', props.nodeGroups.system),
      workloads: this.addNodeGroup('Workloads', props.nodeGroups.workloads),
    };
    for (const group of Object.values(this.nodeGroups)) {
      for (const addon of Object.values(addons)) group.node.addDependency(addon);
    }

    // Everything else runs Deployments: created once there are nodes to run them.
    for (const spec of ordered.filter((a) => !a.requiredByNodes)) {
      const addon = this.addAddon(spec, addons);
      for (const group of Object.values(this.nodeGroups)) addon.node.addDependency(group);
      addons[spec.name] = addon;
    }
    this.addons = addons;
  }

  /**
   * An IAM role for the pods of one service account, through EKS Pod Identity. The role trusts
   * the Pod Identity service only for this cluster, namespace and service account: EKS Pod
   * Identity puts those in the session tags of every AssumeRole, for trust policies to condition on
   * (awsdocs/amazon-eks-user-guide@4d52b4d:latest/ug/manage-access/aws-access/service-accounts.adoc,
   * "Create a Pod Identity association" and "List of session tags added by EKS Pod Identity"), so
   * an association made in another cluster or for another service account cannot hand the role out.
   */
  public addPodRole(id: string, namespace: string, serviceAccount: string): iam.Role {
    const role = new iam.Role(this, `${id}PodRole`, {
      assumedBy: this.podIdentityPrincipal(namespace, serviceAccount),
      description: `Pod Identity: ${namespace}/${serviceAccount} in ${this.clusterName}`,
    });
    new eks.CfnPodIdentityAssociation(this, `${id}PodIdentity`, {
      clusterName: this.cluster.clusterName,
      namespace,
      serviceAccount,
      roleArn: role.roleArn,
    });
    return role;
  }

  /** The Pod Identity service, for one namespace/service account of this cluster only. */
  private podIdentityPrincipal(namespace: string, serviceAccount: string): iam.IPrincipal {
    return new iam.PrincipalWithConditions(new iam.SessionTagsPrincipal(new iam.ServicePrincipal('pods.eks.amazonaws.com')), {
      StringEquals: {
        'aws:RequestTag/eks-cluster-arn': this.clusterArnLiteral,
        'aws:RequestTag/kubernetes-namespace': namespace,
        'aws:RequestTag/kubernetes-service-account': serviceAccount,
      },
    });
  }

  /**
   * The node role: kubelet and image pulls, nothing for the VPC CNI. The CNI gets its permissions
   * from its own Pod Identity role: the CNI policy on the node role is needed only "if you don't use
   * IRSA or EKS Pod Identity to give permissions to the VPC CNI pods"
   * (awsdocs/amazon-eks-user-guide@4d52b4d:latest/ug/security/iam-reference/create-node-role.adoc).
   * The agent runs on the host network (same guide, service-accounts.adoc, "EKS Pod Identity
   * considerations"), so it serves aws-node on a new node without needing the CNI itself.
   */
  private addNodeRole(): iam.Role {
    const role = new iam.Role(this, 'NodeRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Nodes of ${this.clusterName}: kubelet and image pulls (the VPC CNI has its own Pod Identity role)`,
      managedPolicies: NODE_ROLE_MANAGED_POLICIES.map((p) => iam.ManagedPolicy.fromAwsManagedPolicyName(p)),
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSWorkerNodePolicy]',
      reason: 'The AWS-maintained node policy EKS requires for kubelet; pods cannot use it (IMDSv2 hop limit 1, Pod Identity for pods).',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly]',
      reason: 'Nodes pull images from ECR; the AWS-maintained pull-only policy.',
    });
    return role;
  }

  private addNodeGroup(id: string, spec: NodeGroupSpec): eks.Nodegroup {
    const arch = architectureOf(spec.instanceTypes, `${this.node.path}/${id}`);
    const launchTemplate = new ec2.LaunchTemplate(this, `${id}LaunchTemplate`, {
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(spec.diskSizeGiB, {
            encrypted: true,
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
    });
    return this.cluster.addNodegroupCapacity(id, {
      instanceTypes: spec.instanceTypes.map((t) => new ec2.InstanceType(t)),
      minSize: spec.minSize,
      desiredSize: spec.desiredSize,
      maxSize: spec.maxSize,
      capacityType: spec.capacity === 'spot' ? eks.CapacityType.SPOT : eks.CapacityType.ON_DEMAND,
      amiType: arch === 'arm64' ? eks.NodegroupAmiType.AL2023_ARM_64_STANDARD : eks.NodegroupAmiType.AL2023_X86_64_STANDARD,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplateSpec: { id: launchTemplate.launchTemplateId!, version: launchTemplate.latestVersionNumber },
      nodeRole: this.nodeRole,
      maxUnavailablePercentage: 33,
      enableNodeAutoRepair: true,
      labels: spec.labels ? { ...spec.labels } : undefined,
      taints: spec.taints?.map((t) => ({ key: t.key, value: t.value, effect: TAINT_EFFECTS[t.effect] })),
    });
  }

  private addAddon(spec: AddonSpec, existing: Readonly<Record<string, eks.Addon>>): eks.Addon {
    const addon = new eks.Addon(this, `Addon-${spec.name}`, {
      cluster: this.cluster,
      addonName: spec.name,
      addonVersion: spec.version,
      configurationValues: spec.configuration,
      preserveOnDelete: false,
    });
    if (spec.identity) {
      const { namespace, serviceAccount, managedPolicies } = spec.identity;
      const role = new iam.Role(this, `Addon-${spec.name}-Role`, {
        assumedBy: this.podIdentityPrincipal(namespace, serviceAccount),
        description: `Pod Identity: EKS add-on ${spec.name} (${namespace}/${serviceAccount})`,
        managedPolicies: managedPolicies.map((p) => iam.ManagedPolicy.fromAwsManagedPolicyName(p)),
      });
      for (const policy of managedPolicies) {
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policy}]`,
          reason: `The AWS-maintained policy for the ${spec.name} add-on, versioned with it by AWS.`,
        });
      }
      (addon.node.defaultChild as eks.CfnAddon).podIdentityAssociations = [{ serviceAccount, roleArn: role.roleArn }];
      // Associations are served by the agent add-on.
      const agent = existing['eks-pod-identity-agent'];
      if (agent) addon.node.addDependency(agent);
    }
    return addon;
  }

  private acknowledgeClusterRole(): void {
    const role = this.cluster.node.tryFindChild('Role');
    if (!role) return;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSClusterPolicy]',
      reason: 'The AWS-maintained service role policy the EKS control plane requires.',
    });
  }
}

const TAINT_EFFECTS = {
  NoSchedule: eks.TaintEffect.NO_SCHEDULE,
  PreferNoSchedule: eks.TaintEffect.PREFER_NO_SCHEDULE,
  NoExecute: eks.TaintEffect.NO_EXECUTE,
} as const;

/** `arm64` for Graviton families (`m7g`, `t4g`...), `x86_64` otherwise; all types of a group must agree. */
export function architectureOf(instanceTypes: readonly string[], where: string): CpuArchitecture {
  const arch = commonArchitecture(instanceTypes);
  if (!arch) {
    throw new Error(
      `${where}: instanceTypes ${JSON.stringify(instanceTypes)} mix CPU architectures; one node group runs one AMI, so use one architecture per group`,
    );
  }
  return arch;
}
