import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

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
   * The service account that calls AWS and the AWS-managed policies its role needs.
   * @default - the add-on does not call AWS
   */
  readonly identity?: { readonly serviceAccount: string; readonly managedPolicies: readonly string[] };
}

/** Props of `PlatformCluster`. */
export interface PlatformClusterProps {
  /** Cluster name (also names the control-plane log group). */
  readonly clusterName: string;
  /** Kubernetes minor version, e.g. `1.35`. */
  readonly version: string;
  /** The VPC; nodes and the private endpoint use its private subnets. */
  readonly vpc: ec2.IVpc;
  /** CIDRs allowed to reach the public endpoint; empty makes the endpoint private only. */
  readonly publicEndpointCidrs: readonly string[];
  /** Key for envelope encryption of Kubernetes secrets. */
  readonly secretsKey: kms.IKey;
  /** Retention of the control-plane logs. */
  readonly controlPlaneLogRetention: logs.RetentionDays;
  /** The `system` group (on-demand, for platform add-ons) and the `workloads` group. */
  readonly nodeGroups: { readonly system: NodeGroupSpec; readonly workloads: NodeGroupSpec };
  /** Managed add-ons with pinned versions. */
  readonly addons: readonly AddonSpec[];
}

/**
 * An EKS cluster on native CloudFormation (`aws-eks-v2`: no kubectl Lambda): all control-plane
 * logs, envelope encryption of secrets, access entries only (authentication mode API), endpoint
 * private (public only from listed CIDRs), managed node groups across the private subnets of every
 * zone with launch templates that require IMDSv2 (hop limit 1: pods cannot borrow the node role) and
 * encrypted gp3 volumes, pinned managed add-ons, and Pod Identity roles for whatever calls AWS.
 */
export class PlatformCluster extends Construct {
  /** The cluster. */
  public readonly cluster: eks.Cluster;
  /** The node groups by name. */
  public readonly nodeGroups: Readonly<Record<'system' | 'workloads', eks.Nodegroup>>;
  /** The add-ons by name. */
  public readonly addons: Readonly<Record<string, eks.Addon>>;
  private readonly clusterName: string;

  constructor(scope: Construct, id: string, props: PlatformClusterProps) {
    super(scope, id);
    this.clusterName = props.clusterName;
    const logGroup = new logs.LogGroup(this, 'ControlPlaneLogs', {
      // EKS writes here; creating it first lets us set the retention (and delete it with the cluster).
      logGroupName: `/aws/eks/${props.clusterName}/cluster`,
      retention: props.controlPlaneLogRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

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
    this.cluster.node.addDependency(logGroup);
    Validations.of(this.cluster.node.defaultChild!).acknowledge({
      id: 'CloudFormation-Validate::W9009',
      reason:
        "aws-eks-v2 renders EncryptionConfig.Resources: ['secrets'], the only value EKS accepts; the schema marks the property deprecated, the API still requires it.",
    });
    this.acknowledgeClusterRole();

    this.nodeGroups = {
      system: this.addNodeGroup('System', props.nodeGroups.system),
      workloads: this.addNodeGroup('Workloads', props.nodeGroups.workloads),
    };

    const addons: Record<string, eks.Addon> = {};
    for (const spec of props.addons) addons[spec.name] = this.addAddon(spec);
    this.addons = addons;
  }

  /**
   * An IAM role for the pods of one service account, through EKS Pod Identity. The role trusts
   * only the Pod Identity service, and only this cluster's association can hand it out.
   */
  public addPodRole(id: string, namespace: string, serviceAccount: string): iam.Role {
    const role = new iam.Role(this, `${id}PodRole`, {
      assumedBy: new iam.SessionTagsPrincipal(new iam.ServicePrincipal('pods.eks.amazonaws.com')),
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
    const group = this.cluster.addNodegroupCapacity(id, {
      instanceTypes: spec.instanceTypes.map((t) => new ec2.InstanceType(t)),
      minSize: spec.minSize,
      desiredSize: spec.desiredSize,
      maxSize: spec.maxSize,
      capacityType: spec.capacity === 'spot' ? eks.CapacityType.SPOT : eks.CapacityType.ON_DEMAND,
      amiType: arch === 'arm64' ? eks.NodegroupAmiType.AL2023_ARM_64_STANDARD : eks.NodegroupAmiType.AL2023_X86_64_STANDARD,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplateSpec: { id: launchTemplate.launchTemplateId!, version: launchTemplate.latestVersionNumber },
      maxUnavailablePercentage: 33,
      enableNodeAutoRepair: true,
      labels: spec.labels ? { ...spec.labels } : undefined,
      taints: spec.taints?.map((t) => ({ key: t.key, value: t.value, effect: TAINT_EFFECTS[t.effect] })),
    });
    Validations.of(group.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSWorkerNodePolicy]',
      reason: 'The AWS-maintained node policy EKS requires for kubelet; pods cannot use it (IMDSv2 hop limit 1, Pod Identity for pods).',
    });
    Validations.of(group.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly]',
      reason: 'Nodes pull images from ECR; the AWS-maintained read-only policy.',
    });
    Validations.of(group.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKS_CNI_Policy]',
      reason: 'Attached by the node group construct; the VPC CNI itself uses its own Pod Identity role.',
    });
    return group;
  }

  private addAddon(spec: AddonSpec): eks.Addon {
    const addon = new eks.Addon(this, `Addon-${spec.name}`, {
      cluster: this.cluster,
      addonName: spec.name,
      addonVersion: spec.version,
      configurationValues: spec.configuration,
      preserveOnDelete: false,
    });
    if (spec.identity) {
      const role = new iam.Role(this, `Addon-${spec.name}-Role`, {
        assumedBy: new iam.SessionTagsPrincipal(new iam.ServicePrincipal('pods.eks.amazonaws.com')),
        description: `Pod Identity: EKS add-on ${spec.name}`,
        managedPolicies: spec.identity.managedPolicies.map((p) => iam.ManagedPolicy.fromAwsManagedPolicyName(p)),
      });
      for (const policy of spec.identity.managedPolicies) {
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policy}]`,
          reason: `The AWS-maintained policy for the ${spec.name} add-on, versioned with it by AWS.`,
        });
      }
      (addon.node.defaultChild as eks.CfnAddon).podIdentityAssociations = [
        { serviceAccount: spec.identity.serviceAccount, roleArn: role.roleArn },
      ];
      // Associations are served by the agent add-on.
      const agent = this.addonsSoFar().find((a) => a.node.id === 'Addon-eks-pod-identity-agent');
      if (agent) addon.node.addDependency(agent);
    }
    return addon;
  }

  private addonsSoFar(): eks.Addon[] {
    return this.node.children.filter((c): c is eks.Addon => c instanceof eks.Addon);
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
export function architectureOf(instanceTypes: readonly string[], where: string): 'arm64' | 'x86_64' {
  const archs = new Set(instanceTypes.map((t) => (/^[a-z]+\d+g[a-z]*\./.test(t) ? 'arm64' : 'x86_64')));
  if (archs.size !== 1) {
    throw new Error(
      `${where}: instanceTypes ${JSON.stringify(instanceTypes)} mix CPU architectures; one node group runs one AMI, so use one architecture per group`,
    );
  }
  return [...archs][0] as 'arm64' | 'x86_64';
}
