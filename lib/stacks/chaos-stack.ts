import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as fis from 'aws-cdk-lib/aws-fis';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ChaosExperiment, chaosLogGroupName, chaosTargetTag, FIS_STRESS_DOCUMENTS } from '../config/chaos';
import { POD_KILLER_DOCUMENT_PARAMETERS, podKillerDocumentName } from '../config/pod-killer';
import { PodKiller } from '../constructs/pod-killer';
import { karpenterDiscoveryTag, serviceNamespace } from '../config/naming';
import { AlarmId, runbookAnchor } from '../config/observability';
import { alarmNamePrefix } from '../config/observability-names';
import { Severity } from '../config/types';
import { AlarmFacade } from '../constructs/alarm-facade';
import { PlatformStack, PlatformStackProps } from './platform-stack';

/** Props of `ChaosStack`. */
export interface ChaosStackProps extends Omit<PlatformStackProps, 'stateful'> {
  /** The primary database instance (Data stack): the reboot experiment's only target. */
  readonly database: rds.IDatabaseInstance;
  /** The environment's VPC: the network experiment may change network ACLs of its subnets only. */
  readonly vpc: ec2.IVpc;
  /** The workloads node group (Cluster stack), tagged `chaosTargetTag('workloads-nodes')` with its instances. */
  readonly workloadsNodegroup: eks.Nodegroup;
  /** The environment's critical alarms (Observability stack): any of them stops every experiment. */
  readonly criticalAlarms: readonly cw.IAlarm[];
  /** The alert topics by severity: the stop-condition composite notifies `info`. */
  readonly alertTopics: Readonly<Record<Severity, sns.ITopic>>;
  /** The cluster (Cluster stack) the pod-deletion experiment reaches through its private endpoint. */
  readonly cluster: {
    readonly name: string;
    readonly endpoint: string;
    readonly certificateAuthorityData: string;
    readonly securityGroupId: string;
  };
  /** The service `chaos.podDeletion.service` names, with its namespace (`podDeletionService`). */
  readonly podDeletionService: { readonly name: string; readonly namespace: string };
}

/** Tag FIS puts on the network ACLs it creates for the network experiment (AWS FIS actions reference, aws:network:disrupt-connectivity). */
export const FIS_MANAGED_TAG = 'managedByFIS';

/**
 * AWS FIS experiment templates of an environment (stateless; docs/chaos.md): terminate a share of
 * the workloads node group's instances, reboot the primary database with failover, cut one zone's
 * private subnets off the network, stress CPU and memory of a share of the workloads nodes. Every
 * template selects its targets by the tag the owning stack puts on them (never "all" resources of a
 * type), stops when any critical alarm of the environment fires (one composite, the `chaos-stop`
 * alarm), logs to its log group, and runs as one role that may do exactly these actions on exactly
 * those targets. Experiments are started by people (`aws fis start-experiment`), never on a schedule.
 */
export class ChaosStack extends PlatformStack {
  /** The experiment templates, by name. */
  public readonly templates: Readonly<Record<ChaosExperiment, fis.CfnExperimentTemplate>>;
  /** The role every experiment runs as. */
  public readonly role: iam.Role;
  /** The stop condition: any critical alarm. */
  public readonly stopCondition: cw.IAlarm;
  /** The experiments' log group. */
  public readonly logGroup: logs.LogGroup;
  /** The pod-deletion experiment's function, Automation document and roles. */
  public readonly podKiller: PodKiller;

  constructor(scope: Construct, id: string, props: ChaosStackProps) {
    super(scope, id, { ...props, stateful: false, description: `${props.config.name}: AWS FIS chaos experiment templates` });
    const { config } = this;
    const chaos = config.chaos;
    if (props.criticalAlarms.length === 0) throw new Error(`${config.name}: chaos experiments need at least one critical alarm to stop on`);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: chaosLogGroupName(config.name),
      retention: chaos.logRetentionDays,
      removalPolicy: config.stateful.removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    const facade = new AlarmFacade(this, 'Alarms', {
      alarmNamePrefix: alarmNamePrefix(config.name),
      topics: props.alertTopics,
      runbook: (alarmId) => runbookAnchor(alarmId as AlarmId),
    });
    const stop = facade.addComposite({
      id: 'chaos-stop',
      title: 'A critical alarm of the environment fired: the stop condition of every chaos experiment',
      severity: 'info',
      anyOf: props.criticalAlarms,
    })!;
    this.stopCondition = stop;

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('fis.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: `AWS FIS experiments of ${config.name}: only the tagged targets, only the experiments' actions`,
    });
    const podDeletion = chaos.podDeletion;
    this.podKiller = new PodKiller(this, 'PodKiller', {
      environmentName: config.name,
      cluster: props.cluster,
      vpc: props.vpc,
      service: props.podDeletionService,
      documentName: podKillerDocumentName(config.name),
      timeout: Duration.minutes(podDeletion.maxDurationMinutes),
      logRetention: chaos.logRetentionDays,
      logRemovalPolicy: config.stateful.removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.grant(props);

    const nodes = chaosTargetTag('workloads-nodes');
    const database = chaosTargetTag('database-primary');
    const subnets = karpenterDiscoveryTag(config.name);
    const minutes = (m: number) => `PT${m}M`;
    const template = (
      name: ChaosExperiment,
      description: string,
      targets: Record<string, fis.CfnExperimentTemplate.ExperimentTemplateTargetProperty>,
      actions: Record<string, fis.CfnExperimentTemplate.ExperimentTemplateActionProperty>,
    ) =>
      new fis.CfnExperimentTemplate(this, name, {
        description: `${config.name}: ${description}`,
        roleArn: this.role.roleArn,
        stopConditions: [{ source: 'aws:cloudwatch:alarm', value: stop.alarmArn }],
        targets,
        actions,
        logConfiguration: { cloudWatchLogsConfiguration: { LogGroupArn: this.logGroup.logGroupArn }, logSchemaVersion: 2 },
        // A target that resolves to nothing fails the experiment instead of doing nothing silently.
        experimentOptions: { accountTargeting: 'single-account', emptyTargetResolutionMode: 'fail' },
        tags: { Name: `${config.name}-${name}` },
      });

    this.templates = {
      'node-termination': template(
        'node-termination',
        `terminate ${chaos.nodeTerminationPercent}% of the workloads node group's instances`,
        { nodegroup: { resourceType: 'aws:eks:nodegroup', resourceTags: { [nodes.key]: nodes.value }, selectionMode: 'COUNT(1)' } },
        {
          terminate: {
            actionId: 'aws:eks:terminate-nodegroup-instances',
            parameters: { instanceTerminationPercentage: String(chaos.nodeTerminationPercent) },
            targets: { Nodegroups: 'nodegroup' },
          },
        },
      ),
      'database-reboot': template(
        'database-reboot',
        config.database.multiAz
          ? 'reboot the primary database with failover to its standby'
          : 'reboot the primary database (single-AZ: no standby to fail over to)',
        { database: { resourceType: 'aws:rds:db', resourceTags: { [database.key]: database.value }, selectionMode: 'COUNT(1)' } },
        {
          reboot: {
            actionId: 'aws:rds:reboot-db-instances',
            parameters: { forceFailover: String(config.database.multiAz) },
            targets: { DBInstances: 'database' },
          },
        },
      ),
      'az-network-disruption': template(
        'az-network-disruption',
        `cut the private subnets of ${chaos.networkDisruption.availabilityZone} off the network for ${chaos.networkDisruption.durationMinutes} min`,
        {
          subnets: {
            resourceType: 'aws:ec2:subnet',
            resourceTags: { [subnets.key]: subnets.value },
            filters: [{ path: 'AvailabilityZone', values: [chaos.networkDisruption.availabilityZone] }],
            selectionMode: 'ALL',
          },
        },
        {
          disrupt: {
            actionId: 'aws:network:disrupt-connectivity',
            parameters: { duration: minutes(chaos.networkDisruption.durationMinutes), scope: 'all' },
            targets: { Subnets: 'subnets' },
          },
        },
      ),
      'node-stress': template(
        'node-stress',
        `stress CPU (${chaos.nodeStress.cpuLoadPercent}%) and memory (${chaos.nodeStress.memoryPercent}%) of ${chaos.nodeStress.instancePercent}% of the workloads nodes for ${chaos.nodeStress.durationMinutes} min`,
        {
          nodes: {
            resourceType: 'aws:ec2:instance',
            resourceTags: { [nodes.key]: nodes.value },
            filters: [{ path: 'State.Name', values: ['running'] }],
            selectionMode: `PERCENT(${chaos.nodeStress.instancePercent})`,
          },
        },
        {
          cpu: this.stressAction('cpu', {
            DurationSeconds: String(chaos.nodeStress.durationMinutes * 60),
            LoadPercent: String(chaos.nodeStress.cpuLoadPercent),
          }),
          memory: this.stressAction('memory', {
            DurationSeconds: String(chaos.nodeStress.durationMinutes * 60),
            Percent: String(chaos.nodeStress.memoryPercent),
          }),
        },
      ),
      'pod-deletion': template(
        'pod-deletion',
        `delete ${podDeletion.sharePercent}% of the pods of ${podDeletion.service} (never all) through the pod killer`,
        // The action has no target (FIS actions reference, aws:ssm:start-automation-execution): the
        // document's allowed values and the function's configuration name the one service.
        {},
        {
          deletePods: {
            actionId: 'aws:ssm:start-automation-execution',
            parameters: {
              documentArn: this.podKiller.documentArn,
              documentParameters: this.toJsonString({
                AutomationAssumeRole: this.podKiller.automationRole.roleArn,
                [POD_KILLER_DOCUMENT_PARAMETERS.service]: podDeletion.service,
                [POD_KILLER_DOCUMENT_PARAMETERS.sharePercent]: String(podDeletion.sharePercent),
              }),
              maxDuration: minutes(podDeletion.maxDurationMinutes),
            },
          },
        },
      ),
    };
  }

  /** One SSM stress document run on the `nodes` target for the configured duration. */
  private stressAction(
    kind: keyof typeof FIS_STRESS_DOCUMENTS,
    documentParameters: Record<string, string>,
  ): fis.CfnExperimentTemplate.ExperimentTemplateActionProperty {
    return {
      actionId: 'aws:ssm:send-command',
      parameters: {
        documentArn: this.stressDocumentArn(kind),
        documentParameters: JSON.stringify(documentParameters),
        duration: `PT${this.config.chaos.nodeStress.durationMinutes}M`,
      },
      targets: { Instances: 'nodes' },
    };
  }

  private stressDocumentArn(kind: keyof typeof FIS_STRESS_DOCUMENTS): string {
    return `arn:${this.partition}:ssm:${this.region}::document/${FIS_STRESS_DOCUMENTS[kind]}`;
  }

  /**
   * The role's permissions, action by action (AWS FIS user guide, "Actions reference": the
   * permissions each action needs; "Experiment logging": the log delivery permissions).
   */
  private grant(props: ChaosStackProps): void {
    const nodes = chaosTargetTag('workloads-nodes');
    const tagged = { StringEquals: { [`aws:ResourceTag/${nodes.key}`]: nodes.value } };
    const instances = `arn:${this.partition}:ec2:${this.region}:${this.account}:instance/*`;
    const acls = `arn:${this.partition}:ec2:${this.region}:${this.account}:network-acl/*`;
    const subnetArns = `arn:${this.partition}:ec2:${this.region}:${this.account}:subnet/*`;
    const inVpc = { StringEquals: { 'ec2:Vpc': `arn:${this.partition}:ec2:${this.region}:${this.account}:vpc/${props.vpc.vpcId}` } };
    const prefixLists = `arn:${this.partition}:ec2:${this.region}:aws:prefix-list/*`;
    const fisAcl = { StringEquals: { [`aws:ResourceTag/${FIS_MANAGED_TAG}`]: 'true' } };
    const automationExecutions = `arn:${this.partition}:ssm:${this.region}:${this.account}:automation-execution/*`;
    const statements = [
      new iam.PolicyStatement({
        sid: 'ResolveTargetsByTag',
        actions: [
          'tag:GetResources',
          'ec2:DescribeInstances',
          'ec2:DescribeSubnets',
          'ec2:DescribeVpcs',
          'ec2:DescribeNetworkAcls',
          'ec2:DescribeManagedPrefixLists',
          'rds:DescribeDBInstances',
        ],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'DescribeTheNodegroup',
        actions: ['eks:DescribeNodegroup'],
        resources: [props.workloadsNodegroup.nodegroupArn],
      }),
      new iam.PolicyStatement({
        sid: 'TerminateTaggedNodes',
        actions: ['ec2:TerminateInstances'],
        resources: [instances],
        conditions: tagged,
      }),
      new iam.PolicyStatement({
        sid: 'RebootThePrimaryDatabase',
        actions: ['rds:RebootDBInstance'],
        resources: [props.database.instanceArn],
      }),
      new iam.PolicyStatement({
        sid: 'StressTaggedNodes',
        actions: ['ssm:SendCommand'],
        resources: [instances],
        conditions: tagged,
      }),
      new iam.PolicyStatement({
        sid: 'RunTheStressDocuments',
        actions: ['ssm:SendCommand'],
        resources: [this.stressDocumentArn('cpu'), this.stressDocumentArn('memory')],
      }),
      new iam.PolicyStatement({ sid: 'FollowAndCancelCommands', actions: ['ssm:ListCommands', 'ssm:CancelCommand'], resources: ['*'] }),
      new iam.PolicyStatement({
        sid: 'CreateTheDisruptionAcl',
        actions: ['ec2:CreateNetworkAcl'],
        resources: [acls],
        conditions: { StringEquals: { [`aws:RequestTag/${FIS_MANAGED_TAG}`]: 'true' } },
      }),
      new iam.PolicyStatement({
        sid: 'CreateTheDisruptionAclInTheVpc',
        actions: ['ec2:CreateNetworkAcl'],
        resources: [`arn:${this.partition}:ec2:${this.region}:${this.account}:vpc/${props.vpc.vpcId}`],
      }),
      new iam.PolicyStatement({
        sid: 'TagTheDisruptionAcl',
        actions: ['ec2:CreateTags'],
        resources: [acls],
        conditions: { StringEquals: { 'ec2:CreateAction': 'CreateNetworkAcl' } },
      }),
      new iam.PolicyStatement({
        sid: 'ChangeOnlyFisAcls',
        actions: ['ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAcl'],
        resources: [acls],
        conditions: fisAcl,
      }),
      new iam.PolicyStatement({
        sid: 'SwapAclsOfTheVpcSubnets',
        actions: ['ec2:ReplaceNetworkAclAssociation'],
        resources: [subnetArns, acls],
        conditions: inVpc,
      }),
      new iam.PolicyStatement({ sid: 'ReadPrefixLists', actions: ['ec2:GetManagedPrefixListEntries'], resources: [prefixLists] }),
      new iam.PolicyStatement({
        sid: 'StartThePodDeletionDocument',
        actions: ['ssm:StartAutomationExecution'],
        resources: [this.podKiller.documentArn, automationExecutions],
      }),
      new iam.PolicyStatement({
        sid: 'FollowAndStopAutomations',
        actions: ['ssm:GetAutomationExecution', 'ssm:StopAutomationExecution'],
        resources: [automationExecutions],
      }),
      new iam.PolicyStatement({
        sid: 'PassTheAutomationRole',
        actions: ['iam:PassRole'],
        resources: [this.podKiller.automationRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
      }),
      new iam.PolicyStatement({
        sid: 'DeliverExperimentLogs',
        actions: ['logs:CreateLogDelivery', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'],
        resources: ['*'],
      }),
    ];
    for (const statement of statements) this.role.addToPrincipalPolicy(statement);
    const policy = this.role.node.findChild('DefaultPolicy');
    const reasons: Record<string, string> = {
      'Resource::*':
        'tag:GetResources and the Describe/List calls FIS resolves targets with, ssm:ListCommands/CancelCommand and the log delivery calls support no resource-level permissions.',
      [`Resource::${instances}`]:
        'Instances are created by the node group; the statements allow only those carrying the chaos target tag (aws:ResourceTag condition).',
      [`Resource::${acls}`]:
        'FIS creates the disruption ACL during the experiment; create/tag/change/delete are limited to ACLs tagged managedByFIS=true, association swaps to this VPC.',
      [`Resource::${subnetArns}`]: 'Association swaps are limited to the subnets of this VPC (ec2:Vpc condition).',
      [`Resource::${prefixLists}`]: 'AWS-managed prefix lists FIS reads to keep AWS service traffic rules; read-only.',
      [`Resource::${automationExecutions}`]:
        'Automation execution IDs exist only once FIS starts the pod-deletion document; the start is limited to that one document.',
    };
    for (const [finding, reason] of Object.entries(reasons))
      Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  }
}

/** The catalog service `chaos.podDeletion.service` names, with its namespace; throws when the environment does not deploy it. */
export function podDeletionService(
  services: readonly { readonly name: string; readonly namespace?: string }[],
  name: string,
): { readonly name: string; readonly namespace: string } {
  const service = services.find((s) => s.name === name);
  if (!service)
    throw new Error(`chaos.podDeletion.service ${name} is not deployed here; use one of ${services.map((s) => s.name).join(', ')}`);
  return { name: service.name, namespace: serviceNamespace(service) };
}
