import { Fn, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { EKS_ADDON_VERSIONS, EksAddonName } from '../config/eks-addons';
import { imageSigningKey, signedImagesRequired } from '../config/image-signing';
import { manifestCompatibilityProblem } from '../config/kubernetes-compat';
import {
  ADDON_IDENTITIES,
  clusterName,
  databaseUserName,
  parameterPrefix,
  ecrRepositoryArn,
  NODE_POOL_LABEL,
  NODE_POOLS,
  serviceAccountName,
  serviceNamespace,
  secretsManagerName,
  SYSTEM_POOL_TAINT,
  uploadsBucketName,
} from '../config/naming';
import { DATABASE_PORT, needsAwsIdentity } from '../config/platform-resources';
import { ServiceSpec } from '../config/service-catalog';
import { AddonSpec, PlatformCluster } from '../constructs/eks-cluster';
import { awsLoadBalancerControllerStatements } from '../constructs/policies/aws-load-balancer-controller';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/** What the cluster's workloads may reach in the Data stack. */
export interface ClusterDataAccess {
  /** Security group of the RDS Proxy: the cluster is admitted there (and only there). */
  readonly databaseProxySecurityGroup: ec2.ISecurityGroup;
  /** The proxy, for `rds-db:connect` with IAM authentication. */
  readonly databaseProxy: rds.IDatabaseProxy;
  /**
   * The read replica and its security group: readers connect to it directly, with IAM authentication.
   * @default - no replica
   */
  readonly databaseReplica?: { readonly instance: rds.IDatabaseInstance; readonly securityGroup: ec2.ISecurityGroup };
  /** Key of the uploads bucket. */
  readonly storageKey: kms.IKey;
  /** Key for envelope encryption of Kubernetes secrets. */
  readonly clusterSecretsKey: kms.IKey;
}

/** Props of `ClusterStack`. */
export interface ClusterStackProps extends Omit<PlatformStackProps, 'stateful'> {
  /** The environment's VPC. */
  readonly vpc: ec2.IVpc;
  /** The environment's public zone; ExternalDNS may change records in it and nowhere else. */
  readonly hostedZone: route53.IHostedZone;
  /** Database and storage the services use. */
  readonly data: ClusterDataAccess;
  /** The services of the catalog deployed to this environment; each gets a Pod Identity role. */
  readonly services: readonly ServiceSpec[];
}

/**
 * The environment's EKS cluster (stateless: rebuilt from code), its node groups and add-ons, and
 * the IAM side of everything that runs in it: Pod Identity roles for the platform controllers and
 * for every service of the catalog, associated to the namespace/service account names that the
 * cdk8s manifests use (both sides call `lib/config/naming.ts`), and access entries for people.
 */
export class ClusterStack extends PlatformStack {
  /** The cluster construct (cluster, node groups, add-ons). */
  public readonly platformCluster: PlatformCluster;
  /** The cluster. */
  public readonly cluster: eks.ICluster;
  /** Pod Identity role of each catalog service that calls AWS (`needsAwsIdentity`), by service name. */
  public readonly serviceRoles: Readonly<Record<string, iam.IRole>>;

  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id, {
      ...props,
      stateful: false,
      description: `${props.config.name}: EKS cluster, node groups, add-ons, pod IAM, access entries`,
    });
    const { config } = this;
    const k8s = config.kubernetes;
    const incompatible = manifestCompatibilityProblem(k8s.version);
    if (incompatible) throw new Error(`${this.node.path}: ${config.name}.kubernetes.version: ${incompatible}`);
    const versions = EKS_ADDON_VERSIONS[k8s.version];
    if (!versions) {
      throw new Error(
        `${this.node.path}: no pinned EKS add-on versions for Kubernetes ${k8s.version}; add a row to lib/config/eks-addons.ts`,
      );
    }

    const addon = (name: EksAddonName, extra: Omit<AddonSpec, 'name' | 'version'> = {}): AddonSpec => ({
      name,
      version: versions[name],
      ...extra,
    });
    this.platformCluster = new PlatformCluster(this, 'Cluster', {
      clusterName: clusterName(config.name),
      version: k8s.version,
      vpc: props.vpc,
      publicEndpointCidrs: k8s.publicEndpointCidrs,
      secretsKey: props.data.clusterSecretsKey,
      controlPlaneLogRetention: k8s.controlPlaneLogRetentionDays,
      nodeGroups: {
        // Placement names are shared with the manifests (lib/config/naming.ts): add-ons tolerate the
        // system taint and select the system pool; services select the workloads pool.
        system: { ...k8s.nodeGroups.system, labels: { [NODE_POOL_LABEL]: NODE_POOLS.system }, taints: [SYSTEM_POOL_TAINT] },
        workloads: { ...k8s.nodeGroups.workloads, labels: { [NODE_POOL_LABEL]: NODE_POOLS.workloads } },
      },
      addons: [
        addon('eks-pod-identity-agent'),
        addon('vpc-cni', {
          configuration: { enableNetworkPolicy: 'true' },
          identity: { serviceAccount: 'aws-node', managedPolicies: ['AmazonEKS_CNI_Policy'] },
        }),
        addon('coredns'),
        addon('kube-proxy'),
        addon('aws-ebs-csi-driver', {
          identity: { serviceAccount: 'ebs-csi-controller-sa', managedPolicies: ['service-role/AmazonEBSCSIDriverPolicy'] },
        }),
        addon('metrics-server'),
        addon('amazon-cloudwatch-observability', {
          identity: { serviceAccount: 'cloudwatch-agent', managedPolicies: ['CloudWatchAgentServerPolicy', 'AWSXrayWriteOnlyAccess'] },
        }),
      ],
    });
    this.cluster = this.platformCluster.cluster;

    // Workloads reach the database only through the proxy, on its port. The rule lives in this stack:
    // in the Data stack it would make the stateful stack depend on the cluster.
    new ec2.CfnSecurityGroupIngress(this, 'DatabaseProxyFromCluster', {
      groupId: props.data.databaseProxySecurityGroup.securityGroupId,
      sourceSecurityGroupId: this.platformCluster.cluster.clusterSecurityGroupId,
      ipProtocol: 'tcp',
      fromPort: DATABASE_PORT,
      toPort: DATABASE_PORT,
      description: `EKS ${config.name} pods and nodes to the RDS Proxy`,
    });
    if (props.data.databaseReplica) {
      new ec2.CfnSecurityGroupIngress(this, 'DatabaseReplicaFromCluster', {
        groupId: props.data.databaseReplica.securityGroup.securityGroupId,
        sourceSecurityGroupId: this.platformCluster.cluster.clusterSecurityGroupId,
        ipProtocol: 'tcp',
        fromPort: DATABASE_PORT,
        toPort: DATABASE_PORT,
        description: `EKS ${config.name} pods to the read replica`,
      });
    }

    this.addControllerRoles(props.hostedZone);
    if (signedImagesRequired(config.tier)) this.addKyvernoRole(props.services);
    this.serviceRoles = Object.fromEntries(
      props.services.filter(needsAwsIdentity).map((service) => [service.name, this.addServiceRole(service, props.data)]),
    );
    this.addAccessEntries();
  }

  /** The platform's own controllers that call AWS: each with a role scoped to what it manages. */
  private addControllerRoles(zone: route53.IHostedZone): void {
    const pc = this.platformCluster;
    const { config } = this;

    const lbc = ADDON_IDENTITIES.awsLoadBalancerController;
    const lbcRole = pc.addPodRole('AwsLoadBalancerController', lbc.namespace, lbc.serviceAccount);
    for (const statement of awsLoadBalancerControllerStatements(clusterName(config.name))) lbcRole.addToPolicy(statement);
    const lbcReasons: Record<string, string> = {
      'Resource::*':
        'Describe*/Get* calls support no resource scoping; every create/modify/delete is conditioned on the elbv2.k8s.aws/cluster tag of this cluster.',
      'Action::elasticloadbalancing:Describe*': 'Read-only discovery of load balancers, listeners and target groups.',
      'Resource::arn:aws:ec2:*:*:security-group/*': 'Tagging at creation only (ec2:CreateAction CreateSecurityGroup with the cluster tag).',
      'Resource::arn:aws:elasticloadbalancing:*:*:targetgroup/*/*':
        'Target groups the controller creates are named by it; tag changes need the cluster tag.',
      'Resource::arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*':
        'Load balancers the controller creates; tag changes need the cluster tag.',
      'Resource::arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*':
        'Load balancers the controller creates; tag changes need the cluster tag.',
    };
    for (const [finding, reason] of Object.entries(lbcReasons)) {
      Validations.of(lbcRole.node.findChild('DefaultPolicy')).acknowledge({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason: `AWS Load Balancer Controller: ${reason}`,
      });
    }

    const dns = ADDON_IDENTITIES.externalDns;
    const dnsRole = pc.addPodRole('ExternalDns', dns.namespace, dns.serviceAccount);
    dnsRole.addToPolicy(new iam.PolicyStatement({ actions: ['route53:ChangeResourceRecordSets'], resources: [zone.hostedZoneArn] }));
    dnsRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['route53:ListHostedZones', 'route53:ListResourceRecordSets', 'route53:ListTagsForResources'],
        resources: ['*'],
      }),
    );
    Validations.of(dnsRole.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ExternalDNS lists zones and records (List* supports no resource scoping); it may change records only in this environment zone.',
    });

    const eso = ADDON_IDENTITIES.externalSecrets;
    const esoRole = pc.addPodRole('ExternalSecrets', eso.namespace, eso.serviceAccount);
    const secretsPrefix = `arn:aws:secretsmanager:${this.region}:${this.account}:secret:${secretsManagerName(config.name, '*')}`;
    esoRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'],
        resources: [secretsPrefix],
      }),
    );
    // Deploy-time values the stacks publish for the pods (database endpoints...), under the environment's prefix.
    const parameters = `arn:aws:ssm:${this.region}:${this.account}:parameter${parameterPrefix(config.name)}/*`;
    esoRole.addToPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [parameters] }));
    Validations.of(esoRole.node.findChild('DefaultPolicy')).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${secretsPrefix}]`,
      reason: "Scoped to this environment's secrets by name prefix (the platform's naming contract); no other secret is readable.",
    });
    Validations.of(esoRole.node.findChild('DefaultPolicy')).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${parameters}]`,
      reason: "Scoped to this environment's parameters by name prefix (the platform's naming contract); read only.",
    });
  }

  /**
   * Kyverno's admission controller verifies image signatures (cosign, `awskms://`): it reads the
   * signature artifacts from the tooling account's registry and the signing key's public half.
   * Only where the environment requires signed images. What it calls, at Kyverno 1.18.2
   * (kyverno/kyverno@v1.18.2:go.mod): the amazon ECR credential helper
   * (amazon-ecr-credential-helper v0.12.0: ecr:GetAuthorizationToken), the registry API
   * (ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability), and sigstore's
   * AWS KMS verifier (sigstore/sigstore@v1.10.6:pkg/signature/kms/aws/client.go: kms:GetPublicKey and
   * kms:DescribeKey, with the KeyId as given in the URI: the alias ARN).
   */
  private addKyvernoRole(services: readonly ServiceSpec[]): void {
    const { config } = this;
    const kyverno = ADDON_IDENTITIES.kyverno;
    const role = this.platformCluster.addPodRole('Kyverno', kyverno.namespace, kyverno.serviceAccount);
    const key = imageSigningKey();
    const repositories = [...new Set(services.map((s) => s.image.repository))].sort().map((r) => ecrRepositoryArn(config.region, r));
    role.addToPolicy(new iam.PolicyStatement({ sid: 'RegistryToken', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    if (repositories.length > 0) {
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ReadImagesAndSignatures',
          actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          resources: repositories,
        }),
      );
    }
    // The key ID is generated in the tooling account; the request names the key by its alias ARN,
    // and kms:RequestAlias (the alias name of that request) pins the statement to the signing key.
    const keys = `arn:aws:kms:${key.region}:${key.account}:key/*`;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadSigningPublicKey',
        actions: ['kms:DescribeKey', 'kms:GetPublicKey'],
        resources: [keys],
        conditions: { StringEquals: { 'kms:RequestAlias': key.aliasName } },
      }),
    );
    const policy = role.node.findChild('DefaultPolicy');
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken supports no resource scoping; pulls are limited to the catalog repositories of the tooling registry.',
    });
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${keys}]`,
      reason: `The signing key's ID is generated in the tooling account; kms:RequestAlias limits the statement to ${key.aliasName}, read-only.`,
    });
  }

  /**
   * A role per service that calls AWS, with exactly the grants of what it uses: its own prefix of the
   * uploads bucket (`aws: ['uploads']`), IAM authentication as its own database user at the proxy and
   * the read replica (`database: true`).
   */
  private addServiceRole(service: ServiceSpec, data: ClusterDataAccess): iam.IRole {
    const role = this.platformCluster.addPodRole(`Service-${service.name}`, serviceNamespace(service), serviceAccountName(service.name));
    const findings: Record<string, string> = {};
    if ((service.aws ?? []).includes('uploads')) {
      const bucketArn = `arn:aws:s3:::${uploadsBucketName(this.config.name, this.account, this.region)}`;
      const prefix = `${bucketArn}/${service.name}/*`;
      role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resources: [prefix] }));
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${service.name}/*`] } },
        }),
      );
      data.storageKey.grantEncryptDecrypt(role);
      findings[`Resource::${prefix}`] = "The service's own prefix of the uploads bucket.";
      findings['Action::kms:GenerateDataKey*'] = 'Granted by grantEncryptDecrypt on the uploads key only; S3 needs data keys for SSE-KMS.';
      findings['Action::kms:ReEncrypt*'] = 'Granted by grantEncryptDecrypt on the uploads key only.';
    }
    if (service.database) {
      const user = databaseUserName(service.name);
      const dbUser = (resourceId: string) => `arn:aws:rds-db:${this.region}:${this.account}:dbuser:${resourceId}/${user}`;
      const resources = [dbUser(this.splitProxyId(data.databaseProxy))];
      if (data.databaseReplica) resources.push(dbUser(data.databaseReplica.instance.instanceResourceId!));
      role.addToPolicy(new iam.PolicyStatement({ actions: ['rds-db:connect'], resources }));
    }
    for (const [id, reason] of Object.entries(findings)) {
      Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({ id: `AwsSolutions-IAM5[${id}]`, reason });
    }
    return role;
  }

  /** People: admins cluster-wide, developers edit the workload namespaces only, read-only roles view. */
  private addAccessEntries(): void {
    const { access, kubernetes } = this.config;
    const cluster = this.platformCluster.cluster;
    const roleArn = (name: string) => `arn:aws:iam::${this.account}:role/${name}`;
    const clusterScope = { accessScopeType: eks.AccessScopeType.CLUSTER };
    access.clusterAdminRoleNames.forEach((name) => {
      cluster.grantAccess(`Admin-${name}`, roleArn(name), [
        eks.AccessPolicy.fromAccessPolicyName('AmazonEKSClusterAdminPolicy', clusterScope),
      ]);
    });
    access.developerRoleNames.forEach((name) => {
      cluster.grantAccess(`Developer-${name}`, roleArn(name), [
        eks.AccessPolicy.fromAccessPolicyName('AmazonEKSEditPolicy', {
          accessScopeType: eks.AccessScopeType.NAMESPACE,
          namespaces: [...kubernetes.workloadNamespaces],
        }),
        eks.AccessPolicy.fromAccessPolicyName('AmazonEKSViewPolicy', clusterScope),
      ]);
    });
    access.readOnlyRoleNames.forEach((name) => {
      cluster.grantAccess(`ReadOnly-${name}`, roleArn(name), [eks.AccessPolicy.fromAccessPolicyName('AmazonEKSViewPolicy', clusterScope)]);
    });
  }

  /** `arn:aws:rds:region:account:db-proxy:prx-123` -> `prx-123` (the resource ID IAM auth uses). */
  private splitProxyId(proxy: rds.IDatabaseProxy): string {
    return Fn.select(6, Fn.split(':', proxy.dbProxyArn));
  }
}
