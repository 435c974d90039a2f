import { Stage, StageProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ZoneDelegation } from '../config/dns-delegation';
import { EnvironmentConfig } from '../config/types';
import { addPlatformGates } from '../policies/platform-gates';
import { databaseUserName } from '../config/naming';
import { secretConsumers } from '../config/secret-consumers';
import { secretReadScope } from '../config/audit-rules';
import { ServiceSpec } from '../config/service-catalog';
import { EnvironmentAccess } from '../config/team';
import { AccessStack } from '../stacks/access-stack';
import { AuditStack } from '../stacks/audit-stack';
import { BackupStack } from '../stacks/backup-stack';
import { BackupVaultStack } from '../stacks/backup-vault-stack';
import { ChaosStack, podDeletionService } from '../stacks/chaos-stack';
import { DisasterRecoveryStack } from '../stacks/disaster-recovery-stack';
import { ClusterStack } from '../stacks/cluster-stack';
import { DataReplicaStack } from '../stacks/data-replica-stack';
import { CatalogSecret, DataStack } from '../stacks/data-stack';
import { DnsStack } from '../stacks/dns-stack';
import { EdgeContentStack } from '../stacks/edge-content-stack';
import { EdgeGlobalLogsStack } from '../stacks/edge-global-logs-stack';
import { EdgeGlobalStack } from '../stacks/edge-global-stack';
import { EdgeProtectionStack } from '../stacks/edge-protection-stack';
import { EdgeStack } from '../stacks/edge-stack';
import { NetworkStack } from '../stacks/network-stack';
import { ObservabilityDataStack } from '../stacks/observability-data-stack';
import { ObservabilityGlobalStack } from '../stacks/observability-global-stack';
import { ObservabilityStack } from '../stacks/observability-stack';
import { WebhookStack } from '../stacks/webhook-stack';

/** Props of `SaasEnvironmentStage`. */
export interface SaasEnvironmentStageProps extends StageProps {
  /** The validated configuration of the environment. */
  readonly config: EnvironmentConfig;
  /** The catalog services deployed to this environment (overrides applied); each gets a pod role. */
  readonly services: readonly ServiceSpec[];
  /**
   * The secrets the services read (catalog key -> spec); the Data stack creates them.
   * @default - none
   */
  readonly applicationSecrets?: Readonly<Record<string, CatalogSecret>>;
  /**
   * The zone's parent environment and child environments (`zoneDelegation()` in lib/config).
   * @default - none: the registrar delegates the zone
   */
  readonly zoneDelegation?: ZoneDelegation;
  /**
   * Any value: re-resolves the dimensions of the ALB the load balancer controller made (after the
   * cluster's bootstrap, or when it was replaced). `bin/app.ts` reads the context value `observability:albRefresh`.
   * @default - resolved when the services or the ingress group change
   */
  readonly albDimensionsRefresh?: string;
  /** People's access to the environment, from the team roster (`environmentAccess()` in lib/config). */
  readonly access: EnvironmentAccess;
}

/**
 * All stacks of one environment and how they connect. Addressed on the command line by its
 * stage name: `cdk diff 'Prod/*'`, `cdk deploy 'Staging/*'`.
 */
export class SaasEnvironmentStage extends Stage {
  /** The environment's network. */
  public readonly network: NetworkStack;
  /** The environment's public hosted zone. */
  public readonly dns: DnsStack;
  /** The environment's EKS cluster. */
  public readonly cluster: ClusterStack;
  /** The environment's keys, database and buckets. */
  public readonly data: DataStack;
  /** The DR copy of the uploads bucket, when config replicates it. */
  public readonly dataReplica?: DataReplicaStack;
  /** CloudFront's certificate and WebACL, in us-east-1. */
  public readonly edgeGlobal: EdgeGlobalStack;
  /** The log group of CloudFront's WebACL, in us-east-1 (stateful). */
  public readonly edgeGlobalLogs: EdgeGlobalLogsStack;
  /** The Angular build's bucket, readable by this environment's distribution only (stateful). */
  public readonly edgeContent: EdgeContentStack;
  /** CloudFront, the regional WebACL and certificate, the DNS records of the app and the API. */
  public readonly edge: EdgeStack;
  /** Shield Advanced protections, when config turns them on. */
  public readonly edgeProtection?: EdgeProtectionStack;
  /** The webhook receiver and the scheduled probe. */
  public readonly webhooks: WebhookStack;
  /** What the monitoring keeps: the alert key, PagerDuty secrets, container log groups, canary artifacts (stateful). */
  public readonly observabilityData: ObservabilityDataStack;
  /** Alert topics and routing, escalation, alarms, dashboard, synthetic flows. */
  public readonly observability: ObservabilityStack;
  /** Alarms on CloudFront and its WebACL, in us-east-1, relayed to the regional topics (stateful: its key). */
  public readonly observabilityGlobal: ObservabilityGlobalStack;

  /** People's environment roles, the permissions boundaries, IAM Access Analyzer. */
  public readonly access: AccessStack;
  /** The audit trail and its alarms. */
  public readonly audit: AuditStack;
  /** The environment's backup vault (stateful; locked in production). */
  public readonly backupVault: BackupVaultStack;
  /** The backup plan and selection, the restore tests and their alarm. */
  public readonly backup: BackupStack;
  /** The DR region's pilot light (network, the vault receiving copies), when config has `dr`. */
  public readonly disasterRecovery?: DisasterRecoveryStack;
  /** AWS FIS experiment templates. */
  public readonly chaos: ChaosStack;

  constructor(scope: Construct, id: string, props: SaasEnvironmentStageProps) {
    const { config, services, applicationSecrets, zoneDelegation, albDimensionsRefresh, access, ...stageProps } = props;
    super(scope, id, { env: { account: config.account, region: config.region }, ...stageProps });

    addPlatformGates(this, config.tags, {
      requireTerminationProtection: config.stateful.terminationProtection,
      requireRetention: config.stateful.removal === 'retain',
    });

    this.network = new NetworkStack(this, 'Network', { config });
    this.access = new AccessStack(this, 'Access', { config, access });
    const consumers = secretConsumers(services);
    if (config.storage.replicateUploadsToDr) {
      this.dataReplica = new DataReplicaStack(this, 'DataReplica', { config });
    }
    const replica = this.dataReplica;
    this.data = new DataStack(this, 'Data', {
      config,
      applicationSecrets,
      vpc: this.network.vpc,
      databaseUsers: services.filter((s) => s.database).map((s) => databaseUserName(s.name)),
      secretConsumers: consumers,
      uploadsReplica: replica && {
        bucketName: replica.bucketName,
        region: replica.region,
        keyAliasName: replica.keyAliasName,
        keyAliasArn: replica.keyAliasArn,
      },
    });
    if (replica) this.data.addStackDependency(replica, 'the replication destination must exist first');
    this.audit = new AuditStack(this, 'Audit', {
      config,
      logsBucket: this.data.logsBucket,
      breakGlassPermissionSetName: access.permissionSetNames.breakGlass,
      // One pattern for every secret and consumer: reader roles by their name prefixes (access-names.ts).
      secretReads: Object.keys(applicationSecrets ?? {}).length > 0 ? secretReadScope(config.name, config.account) : undefined,
    });
    this.dns = new DnsStack(this, 'Dns', { config, zoneDelegation });
    const hostedZone = this.dns.hostedZone;
    this.edgeGlobalLogs = new EdgeGlobalLogsStack(this, 'EdgeGlobalLogs', { config });
    this.edgeGlobal = new EdgeGlobalStack(this, 'EdgeGlobal', {
      config,
      hostedZone,
      webAclLogGroupName: this.edgeGlobalLogs.webAclLogGroupName,
    });
    this.edgeGlobal.addStackDependency(this.edgeGlobalLogs, 'the WebACL logs to its log group, named from config');
    this.edge = new EdgeStack(this, 'Edge', {
      config,
      hostedZone,
      certificate: this.edgeGlobal.certificate,
      cloudFrontWebAclArn: this.edgeGlobal.webAclArn,
      logsBucket: this.data.logsBucket,
      vpc: this.network.vpc,
      services,
      originVerifySecret: this.data.originVerifySecret,
      regionalWebAclLogGroupName: this.data.regionalWebAclLogGroupName,
    });
    this.edge.addStackDependency(this.data, 'the REGIONAL WebACL logs to its log group, named from config');
    this.edgeContent = new EdgeContentStack(this, 'EdgeContent', {
      config,
      distribution: this.edge.distribution,
      logsBucket: this.data.logsBucket,
    });
    if (config.edge.shieldAdvanced) {
      this.edgeProtection = new EdgeProtectionStack(this, 'EdgeProtection', {
        config,
        distribution: this.edge.distribution,
        hostedZone,
        healthCheck: this.edge.apiOrigin.primaryHealthCheck,
      });
    }
    this.webhooks = new WebhookStack(this, 'Webhooks', { config });
    this.observabilityData = new ObservabilityDataStack(this, 'ObservabilityData', { config, logsBucket: this.data.logsBucket });
    this.cluster = new ClusterStack(this, 'Cluster', {
      config,
      vpc: this.network.vpc,
      hostedZone: this.dns.hostedZone,
      services,
      access,
      controlPlaneLogGroup: this.data.controlPlaneLogGroup,
      releaseGateLogGroup: this.data.releaseGateLogGroup,
      alertTopicKey: this.observabilityData.alertKey,
      data: {
        databaseProxySecurityGroup: this.data.databaseAccess.proxySecurityGroup,
        databaseProxy: this.data.databaseProxy,
        databaseReplica:
          this.data.databaseReplica && this.data.databaseAccess.replicaSecurityGroup
            ? { instance: this.data.databaseReplica, securityGroup: this.data.databaseAccess.replicaSecurityGroup }
            : undefined,
        storageKey: this.data.storageKey,
        clusterSecretsKey: this.data.clusterSecretsKey,
        applicationSecretsKey: this.data.applicationSecretsKey,
      },
    });

    // The add-on's log groups must exist, with their retention, before its agents write.
    this.cluster.addStackDependency(
      this.observabilityData,
      'the container log groups are created with a retention before the add-on writes',
    );
    const functions: Record<string, lambda.IFunction> = {
      'webhook-handler': this.webhooks.webhooks.handler.function,
      'api-probe': this.webhooks.probe.handler.function,
      'origin-verify-rotation': this.edge.originVerifyRotation.handler.function,
    };
    const databaseUsers = this.data.databaseAccess.users;
    if (databaseUsers) functions['database-users'] = databaseUsers.handler.function;
    this.observability = new ObservabilityStack(this, 'Observability', {
      config,
      services,
      alertKey: this.observabilityData.alertKey,
      routingKeys: this.observabilityData.routingKeys,
      pagerDutyApiToken: this.observabilityData.pagerDutyApiToken,
      database: { instance: this.data.database, proxy: this.data.databaseProxy, replica: this.data.databaseReplica },
      webhookQueues: { queue: this.webhooks.queue, deadLetterQueue: this.webhooks.deadLetterQueue },
      distributionId: this.edge.distribution.distributionId,
      functions,
      albDimensionsRefresh,
      auditMetrics: this.audit.metrics.metrics,
    });
    this.observabilityGlobal = new ObservabilityGlobalStack(this, 'ObservabilityGlobal', {
      config,
      distributionId: this.edge.distribution.distributionId,
    });
    // The us-east-1 topics subscribe the regional router function by name: it must exist first.
    this.observabilityGlobal.addStackDependency(this.observability, 'the relayed topics subscribe the alert router function');

    // Backup and disaster recovery (docs/backup-and-dr.md, ADR 0008).
    const breakGlass = { permissionSetName: access.permissionSetNames.breakGlass, identityCenterRegion: access.identityCenterRegion };
    this.backupVault = new BackupVaultStack(this, 'BackupVault', { config, breakGlass });
    if (config.dr) this.disasterRecovery = new DisasterRecoveryStack(this, 'DisasterRecovery', { config, breakGlass });
    this.backup = new BackupStack(this, 'Backup', {
      config,
      vault: this.backupVault.vault,
      vpc: this.network.vpc,
      database: { instance: this.data.database, subnetGroup: this.data.databaseAccess.subnetGroup },
      uploads: { bucket: this.data.uploadsBucket, key: this.data.storageKey },
      alertTopics: this.observability.topics.topics,
    });
    if (this.disasterRecovery) this.backup.addStackDependency(this.disasterRecovery, 'the copy rules name the DR vault');
    this.chaos = new ChaosStack(this, 'Chaos', {
      config,
      database: this.data.database,
      vpc: this.network.vpc,
      workloadsNodegroup: this.cluster.platformCluster.nodeGroups.workloads,
      // The alarms that page: any of them stops a running experiment.
      criticalAlarms: this.observability.facade.alarms.filter((a) => a.severity === 'critical' && a.notifies).map((a) => a.alarm),
      alertTopics: this.observability.topics.topics,
      cluster: {
        name: this.cluster.cluster.clusterName,
        endpoint: this.cluster.cluster.clusterEndpoint,
        certificateAuthorityData: this.cluster.cluster.clusterCertificateAuthorityData,
        securityGroupId: this.cluster.cluster.clusterSecurityGroupId,
      },
      podDeletionService: podDeletionService(services, config.chaos.podDeletion.service),
    });

    // An access entry's principal must exist when EKS creates the entry.
    this.cluster.addStackDependency(this.access, "the access entries name the Access stack's roles");
  }
}
