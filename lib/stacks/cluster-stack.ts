import { Fn, Tags, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { EKS_ADDON_VERSIONS, EKS_ADDONS_REQUIRED_BY_NODES, EksAddonName } from '../config/eks-addons';
import { accessRoleArn, secretArnPattern, serviceSecretsRoleArn, serviceSecretsRoleName } from '../config/access-names';
import { chaosTargetTag } from '../config/chaos';
import { CLUSTER_ACCESS } from '../config/cluster-access';
import { webhookKeyAliasName, webhookQueueArn } from '../config/edge-names';
import { imageSigningKey, signedImagesRequired } from '../config/image-signing';
import { manifestCompatibilityProblem } from '../config/kubernetes-compat';
import {
  ADDON_IDENTITIES,
  clusterName,
  databaseUserName,
  parameterPrefix,
  ecrRepositoryArn,
  clusterSecurityGroupTag,
  karpenterInterruptionQueueName,
  karpenterNodeRoleName,
  NODE_POOL_LABEL,
  NODE_POOLS,
  serviceAccountName,
  serviceNamespace,
  secretsManagerName,
  SYSTEM_POOL_TAINT,
  uploadsBucketName,
} from '../config/naming';
import { DATABASE_PORT, needsAwsIdentity } from '../config/platform-resources';
import { alertTopicArn, PUBLISHED_ALERT_SEVERITIES } from '../config/observability-names';
import { SecretConsumer, secretConsumers } from '../config/secret-consumers';
import { ServiceSpec } from '../config/service-catalog';
import { EnvironmentAccess } from '../config/team';
import { RELEASE_KUBERNETES_GROUP, deployRoleName, releaseRoleArn } from '../config/delivery';
import { AddonSpec, PlatformCluster } from '../constructs/eks-cluster';
import { ReleaseAccess } from '../constructs/release-access';
import { NodeAutoscaling } from '../constructs/node-autoscaling';
import { awsLoadBalancerControllerStatements, LBC_POLICY_SOURCE } from '../constructs/policies/aws-load-balancer-controller';
import { EXTERNAL_DNS_POLICY_SOURCE, externalDnsStatements } from '../constructs/policies/external-dns';
import {
  ASSUME_STORE_ROLE_ACTIONS,
  EXTERNAL_SECRETS_POLICY_SOURCE,
  externalSecretsStatements,
  SECRET_READ_ACTIONS,
} from '../constructs/policies/external-secrets';
import { OTEL_COLLECTOR_POLICY_SOURCE, otelCollectorStatements } from '../constructs/policies/otel-collector';
import { ALERTMANAGER_POLICY_SOURCE, alertmanagerStatements } from '../constructs/policies/alertmanager';
import { acknowledgeWildcards, ControllerStatement, toPolicyStatements } from '../constructs/policies/policy-json';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/**
 * The platform controllers whose Pod Identity role every cluster has and `addControllerRoles` makes
 * (Kyverno's exists only where images are verified; the trace collector's is `traceCollectorRole`,
 * Alertmanager's `alertmanagerRole`).
 */
type AlwaysOnController = Exclude<keyof typeof ADDON_IDENTITIES, 'kyverno' | 'otelCollector' | 'alertmanager'>;

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
  /** Key of the application secrets (each consumer's secrets role decrypts its own secrets through Secrets Manager). */
  readonly applicationSecretsKey: kms.IKey;
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
  /** People's access to the environment: an access entry for each environment role (the Access stack creates them). */
  readonly access: EnvironmentAccess;
  /**
   * Platform components that read secrets (besides the services), each with its own secrets role.
   * @default - `PLATFORM_SECRET_CONSUMERS`
   */
  readonly platformSecretConsumers?: readonly SecretConsumer[];
  /**
   * The control-plane log group, `/aws/eks/<cluster>/cluster`, owned by a stateful stack (it
   * outlives a rebuilt cluster outside development).
   */
  readonly controlPlaneLogGroup: logs.ILogGroup;
  /** Key of the alert topics (ObservabilityData stack): Alertmanager publishes to the encrypted topics. */
  readonly alertTopicKey: kms.IKey;
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
  /** Pod Identity role of each platform controller that calls AWS, by `ADDON_IDENTITIES` key. */
  public readonly controllerRoles: Readonly<Record<AlwaysOnController, iam.IRole>> & { readonly kyverno?: iam.IRole };
  /** Karpenter's AWS side: node role, interruption queue, controller role. */
  public readonly nodeAutoscaling: NodeAutoscaling;
  /** The role External Secrets assumes for each secret consumer (a service, or a platform component), by consumer name. */
  public readonly secretsRoles: Readonly<Record<string, iam.IRole>>;
  /** The release step's deploy role and its access entry (read-only group). */
  public readonly releaseAccess: ReleaseAccess;
  /** Pod Identity role of the OpenTelemetry collector: uploads trace segments to X-Ray. */
  public readonly traceCollectorRole: iam.IRole;
  /** Pod Identity role of Alertmanager: publishes to the critical and warning alert topics. */
  public readonly alertmanagerRole: iam.IRole;

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

    const addon = (name: EksAddonName, extra: Omit<AddonSpec, 'name' | 'version' | 'requiredByNodes'> = {}): AddonSpec => ({
      name,
      version: versions[name],
      requiredByNodes: EKS_ADDONS_REQUIRED_BY_NODES.includes(name),
      ...extra,
    });
    this.platformCluster = new PlatformCluster(this, 'Cluster', {
      clusterName: clusterName(config.name),
      version: k8s.version,
      vpc: props.vpc,
      publicEndpointCidrs: k8s.publicEndpointCidrs,
      secretsKey: props.data.clusterSecretsKey,
      controlPlaneLogGroup: props.controlPlaneLogGroup,
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
          // The CNI's own role: the node role carries no CNI permissions.
          identity: { namespace: 'kube-system', serviceAccount: 'aws-node', managedPolicies: ['AmazonEKS_CNI_Policy'] },
        }),
        addon('coredns'),
        addon('kube-proxy'),
        addon('aws-ebs-csi-driver', {
          identity: {
            namespace: 'kube-system',
            serviceAccount: 'ebs-csi-controller-sa',
            managedPolicies: ['service-role/AmazonEBSCSIDriverPolicy'],
          },
        }),
        addon('metrics-server'),
        addon('amazon-cloudwatch-observability', {
          identity: {
            namespace: 'amazon-cloudwatch',
            serviceAccount: 'cloudwatch-agent',
            managedPolicies: ['CloudWatchAgentServerPolicy', 'AWSXrayWriteOnlyAccess'],
          },
        }),
      ],
    });
    this.cluster = this.platformCluster.cluster;
    this.markChaosTargets();

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

    this.nodeAutoscaling = new NodeAutoscaling(this, 'NodeAutoscaling', {
      cluster: this.platformCluster,
      clusterName: clusterName(config.name),
      nodeRoleName: karpenterNodeRoleName(config.name),
      interruptionQueueName: karpenterInterruptionQueueName(config.name),
      controller: ADDON_IDENTITIES.karpenter,
    });
    const consumers = secretConsumers(props.services, props.platformSecretConsumers);
    this.controllerRoles = {
      ...this.addControllerRoles(props.vpc, props.hostedZone, consumers),
      kyverno: signedImagesRequired(config.tier) ? this.addKyvernoRole(props.services) : undefined,
    };
    this.traceCollectorRole = this.addTraceCollectorRole();
    this.alertmanagerRole = this.addAlertmanagerRole(props.alertTopicKey);
    this.serviceRoles = Object.fromEntries(
      props.services.filter(needsAwsIdentity).map((service) => [service.name, this.addServiceRole(service, props.data)]),
    );
    this.secretsRoles = Object.fromEntries(
      consumers.map((consumer) => [consumer.name, this.addSecretsRole(consumer, this.controllerRoles.externalSecrets, props.data)]),
    );
    this.addAccessEntries(props.access);
    // The release step (tooling account) watches rollouts through this role; Argo CD does the applying.
    this.releaseAccess = new ReleaseAccess(this, 'ReleaseAccess', {
      clusterName: this.cluster.clusterName,
      clusterArn: this.cluster.clusterArn,
      roleName: deployRoleName(config.name),
      trustedRoleArn: releaseRoleArn(),
      kubernetesGroup: RELEASE_KUBERNETES_GROUP,
    });
  }

  /**
   * The platform's own controllers that call AWS, each with a Pod Identity role holding the
   * upstream policy of its pinned version (lib/constructs/policies/), scoped to what it manages.
   * Karpenter's role is made by `NodeAutoscaling`.
   */

  /**
   * What the chaos experiments may target (lib/config/chaos.ts, docs/chaos.md): the workloads node
   * group and, through its launch template, its instances; never the system pool. The stress
   * experiment runs AWS-owned SSM documents on those instances, so the nodes register with Systems
   * Manager (pods cannot use the node role: IMDSv2 hop limit 1).
   */
  private markChaosTargets(): void {
    const target = chaosTargetTag('workloads-nodes');
    const workloads = this.platformCluster.nodeGroups.workloads;
    for (const scope of [workloads, this.platformCluster.node.findChild('WorkloadsLaunchTemplate')])
      Tags.of(scope).add(target.key, target.value);
    this.platformCluster.nodeRole.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'));
    Validations.of(this.platformCluster.nodeRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      reason:
        'The AWS-maintained policy that registers nodes with Systems Manager, which the FIS stress experiment runs its documents through.',
    });
  }
  private addControllerRoles(
    vpc: ec2.IVpc,
    zone: route53.IHostedZone,
    consumers: readonly SecretConsumer[],
  ): Record<AlwaysOnController, iam.IRole> {
    const { config } = this;
    const controllers: Record<
      Exclude<AlwaysOnController, 'karpenter'>,
      { id: string; source: string; statements: ControllerStatement[] }
    > = {
      awsLoadBalancerController: {
        id: 'AwsLoadBalancerController',
        source: LBC_POLICY_SOURCE,
        statements: awsLoadBalancerControllerStatements({
          clusterName: clusterName(config.name),
          region: this.region,
          account: this.account,
          vpcId: vpc.vpcId,
          clusterSecurityGroupTag: clusterSecurityGroupTag(config.name),
        }),
      },
      externalDns: { id: 'ExternalDns', source: EXTERNAL_DNS_POLICY_SOURCE, statements: externalDnsStatements(zone.hostedZoneArn) },
      externalSecrets: {
        id: 'ExternalSecrets',
        source: EXTERNAL_SECRETS_POLICY_SOURCE,
        statements: externalSecretsStatements(
          consumers.map((c) => serviceSecretsRoleArn(config.name, this.account, c.name)),
          `arn:aws:ssm:${this.region}:${this.account}:parameter${parameterPrefix(config.name)}/*`,
        ),
      },
    };
    const roles: Record<string, iam.IRole> = Object.fromEntries(
      Object.entries(controllers).map(([key, controller]) => {
        const identity = ADDON_IDENTITIES[key as keyof typeof controllers];
        const role = this.platformCluster.addPodRole(controller.id, identity.namespace, identity.serviceAccount);
        for (const statement of toPolicyStatements(controller.statements)) role.addToPolicy(statement);
        acknowledgeWildcards(role.node.findChild('DefaultPolicy'), `${controller.id} (${controller.source})`, controller.statements);
        return [key, role];
      }),
    );
    return { ...(roles as Record<keyof typeof controllers, iam.IRole>), karpenter: this.nodeAutoscaling.controllerRole };
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
  private addKyvernoRole(services: readonly ServiceSpec[]): iam.IRole {
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
    return role;
  }

  /**
   * The OpenTelemetry collector's role: the awsxray exporter uploads the services' spans as X-Ray
   * segments (xray:PutTraceSegments, which has no resource-level scoping), and nothing else.
   */
  private addTraceCollectorRole(): iam.IRole {
    const identity = ADDON_IDENTITIES.otelCollector;
    const statements = otelCollectorStatements();
    const role = this.platformCluster.addPodRole('OtelCollector', identity.namespace, identity.serviceAccount);
    for (const statement of toPolicyStatements(statements)) role.addToPolicy(statement);
    acknowledgeWildcards(role.node.findChild('DefaultPolicy'), `OtelCollector (${OTEL_COLLECTOR_POLICY_SOURCE})`, statements);
    return role;
  }

  /**
   * Alertmanager's role: every in-cluster alert takes the AWS side's path (the severity's topic, then
   * chat, e-mail, the pager router and the escalation), so it may publish to the critical and warning
   * topics (named from config: the Observability stack creates them under these names) and use their
   * key through SNS for those topics only.
   */
  private addAlertmanagerRole(topicKey: kms.IKey): iam.IRole {
    const identity = ADDON_IDENTITIES.alertmanager;
    const statements = alertmanagerStatements({
      topicArns: PUBLISHED_ALERT_SEVERITIES.map((s) => alertTopicArn(this.config.name, s, 'regional', this.account, this.region)),
      keyArn: topicKey.keyArn,
      region: this.region,
    });
    const role = this.platformCluster.addPodRole('Alertmanager', identity.namespace, identity.serviceAccount);
    for (const statement of toPolicyStatements(statements)) role.addToPolicy(statement);
    acknowledgeWildcards(role.node.findChild('DefaultPolicy'), `Alertmanager (${ALERTMANAGER_POLICY_SOURCE})`, statements);
    return role;
  }

  /**
   * A role per service that calls AWS, with exactly the grants of what it uses: its own prefix of the
   * uploads bucket (`aws: ['uploads']`), the webhook events queue (`aws: ['webhook-events']`), IAM
   * authentication as its own database user at the proxy and the read replica (`database: true`).
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
      // What SSE-KMS asks of the caller: a data key to write, decryption to read (and to complete a
      // multipart upload); through S3 only. (grantEncryptDecrypt would add kms:Encrypt and kms:ReEncrypt*.)
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'UseTheUploadsKeyThroughS3',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [data.storageKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${this.region}.amazonaws.com` } },
        }),
      );
      findings[`Resource::${prefix}`] = "The service's own prefix of the uploads bucket.";
    }
    if ((service.aws ?? []).includes('webhook-events')) {
      const { name } = this.config;
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ConsumeWebhookEvents',
          actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
          resources: [webhookQueueArn(name, this.account, this.region)],
        }),
      );
      // The queue is encrypted with the Webhooks stack's key: readable through SQS only, found by its alias.
      const keys = `arn:aws:kms:${this.region}:${this.account}:key/*`;
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'DecryptWebhookEvents',
          actions: ['kms:Decrypt'],
          resources: [keys],
          conditions: {
            'ForAnyValue:StringEquals': { 'kms:ResourceAliases': webhookKeyAliasName(name) },
            StringEquals: { 'kms:ViaService': `sqs.${this.region}.amazonaws.com` },
          },
        }),
      );
      findings[`Resource::${keys}`] =
        `Narrowed to the webhook events key by its alias (kms:ResourceAliases ${webhookKeyAliasName(name)}), through SQS only; its ID is generated in the Webhooks stack.`;
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

  /**
   * The role External Secrets assumes for one consumer's SecretStore (named from config: the store
   * names it): it trusts External Secrets' own role only, and reads that consumer's secrets only
   * (the upstream reading actions, `secretArnPattern` per secret), decrypting them with the
   * application secrets key through Secrets Manager and for those secrets only.
   */
  private addSecretsRole(consumer: SecretConsumer, externalSecrets: iam.IRole, data: ClusterDataAccess): iam.IRole {
    const { config } = this;
    const role = new iam.Role(this, `SecretsRole-${consumer.name}`, {
      roleName: serviceSecretsRoleName(config.name, consumer.name),
      description: `External Secrets reads ${consumer.name}'s secrets (${consumer.secrets.join(', ')}) in ${config.name}, and nothing else`,
      assumedBy: new iam.ArnPrincipal(externalSecrets.roleArn),
    });
    // STS needs sts:TagSession on the role too when the caller passes session tags (External Secrets always does).
    (role.assumeRolePolicy as iam.PolicyDocument).addStatements(
      new iam.PolicyStatement({ actions: [ASSUME_STORE_ROLE_ACTIONS[1]], principals: [new iam.ArnPrincipal(externalSecrets.roleArn)] }),
    );
    const secrets = consumer.secrets.map((key) => secretArnPattern(this.region, this.account, secretsManagerName(config.name, key)));
    role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadOwnSecrets', actions: [...SECRET_READ_ACTIONS], resources: secrets }));
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DecryptOwnSecrets',
        actions: ['kms:Decrypt'],
        resources: [data.applicationSecretsKey.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${this.region}.amazonaws.com` },
          StringLike: { 'kms:EncryptionContext:SecretARN': secrets },
        },
      }),
    );
    return role;
  }

  /**
   * People: an access entry for each environment role the roster gives here (created by the
   * Access stack, assumable only by the sessions of one permission set, ADR 0007), with the EKS
   * access policies of `CLUSTER_ACCESS`. Production has no developer role: its people view.
   */
  private addAccessEntries(access: EnvironmentAccess): void {
    const { config } = this;
    const cluster = this.platformCluster.cluster;
    for (const role of access.roles) {
      cluster.grantAccess(
        `People-${role}`,
        accessRoleArn(config, role),
        CLUSTER_ACCESS[role].map(({ policy, scope }) =>
          eks.AccessPolicy.fromAccessPolicyName(
            policy,
            scope === 'cluster'
              ? { accessScopeType: eks.AccessScopeType.CLUSTER }
              : { accessScopeType: eks.AccessScopeType.NAMESPACE, namespaces: [...config.kubernetes.workloadNamespaces] },
          ),
        ),
      );
    }
  }

  /** `arn:aws:rds:region:account:db-proxy:prx-123` -> `prx-123` (the resource ID IAM auth uses). */
  private splitProxyId(proxy: rds.IDatabaseProxy): string {
    return Fn.select(6, Fn.split(':', proxy.dbProxyArn));
  }
}
