/**
 * The environment pages: the comparison table of every environment (from config), and one page per
 * environment with its settings, the names an operator types, its stacks and their order, the path
 * of a request and the CDK <-> cdk8s contract values (from the synthesized templates and manifests).
 */
import { backupRules } from '../config/backup';
import { apiHost, appHost, webhookDeadLetterQueueName } from '../config/edge-names';
import { clusterName, databaseEndpointParameterName, ingressGroupName, uploadsBucketName } from '../config/naming';
import { alarmNamePrefix, dashboardName } from '../config/observability-names';
import { servicesFor } from '../config/service-catalog';
import { EnvironmentConfig } from '../config/types';
import { contractTable, stackGraph, trafficFlow } from './architecture';
import { code, generatedHeader, relativeLink, table } from './markdown';
import { DocsInput, DocStack, resourcesOfType, stackIdOf, stacksOfStage } from './model';

/** Folder of the environment pages. */
export const ENVIRONMENTS_DIR = 'docs/environments';

/** The comparison page. */
export const ENVIRONMENTS_INDEX = `${ENVIRONMENTS_DIR}/README.md`;

/** Path of an environment's page. */
export function environmentPagePath(environmentName: string): string {
  return `${ENVIRONMENTS_DIR}/${environmentName}.md`;
}

/** The settings compared across environments: a label and the value of one environment. */
const SETTINGS: readonly (readonly [string, (c: EnvironmentConfig) => string])[] = [
  ["stage (`cdk deploy '<stage>/*'`)", (c) => `\`${c.stageName}\``],
  ['tier', (c) => c.tier],
  ['account', (c) => `\`${c.account}\``],
  ['region (DR)', (c) => (c.drRegion ? `${c.region} (${c.drRegion})` : c.region)],
  ['VPC CIDR', (c) => `\`${c.network.vpcCidr}\``],
  ['zones', (c) => c.network.availabilityZones.join(', ')],
  ['NAT gateways', (c) => String(c.network.natGateways)],
  ['interface endpoints', (c) => c.network.interfaceEndpoints.join(', ')],
  ['flow log retention (days)', (c) => String(c.network.flowLogRetentionDays)],
  [
    'database',
    (c) =>
      `${c.database.instanceClass}, ${c.database.allocatedStorageGiB} GiB, Multi-AZ ${c.database.multiAz ? 'yes' : 'no'}, backups ${c.database.backupRetentionDays} d`,
  ],
  [
    'database extras',
    (c) => `read replica ${c.database.readReplica ? 'yes' : 'no'}, rotation ${c.database.credentialRotation.scheduleExpression}`,
  ],
  [
    'uploads bucket',
    (c) =>
      `IA ${c.storage.uploads.infrequentAccessAfterDays} d, Glacier ${c.storage.uploads.glacierAfterDays} d, DR replication ${c.storage.replicateUploadsToDr ? 'yes' : 'no'}`,
  ],
  [
    'Kubernetes',
    (c) =>
      `${c.kubernetes.version}, API endpoint ${c.kubernetes.publicEndpointCidrs.length ? `public from ${c.kubernetes.publicEndpointCidrs.join(', ')} + private` : 'private only'}`,
  ],
  [
    'node groups (min/desired/max)',
    (c) =>
      (['system', 'workloads'] as const)
        .map((g) => {
          const n = c.kubernetes.nodeGroups[g];
          return `${g}: ${n.instanceTypes.join('/')} ${n.minSize}/${n.desiredSize}/${n.maxSize}${n.capacity === 'spot' ? ' spot' : ''}`;
        })
        .join('; '),
  ],
  [
    'Karpenter limits (vCPU / GiB, disruption budget)',
    (c) =>
      (['system', 'workloads'] as const)
        .map((p) => {
          const b = c.kubernetes.autoscaling.pools[p];
          return `${p}: ${b.cpuLimit} / ${b.memoryLimitGiB}, ${b.disruptionBudgetPercent}%`;
        })
        .join('; '),
  ],
  ['GitOps source (Argo CD)', (c) => `\`${c.gitops.path}\` @ ${c.gitops.revision}`],
  [
    'edge',
    (c) =>
      `${c.edge.appSubdomain}./${c.edge.apiSubdomain}., ${c.edge.priceClass}, WAF ${c.edge.wafRateLimitPer5Minutes}/5 min per IP, blue/green ${c.edge.blueGreenWeights.blue}/${c.edge.blueGreenWeights.green}`,
  ],
  ['approval before deploy', (c) => (c.delivery.requireApproval ? 'yes' : 'no')],
  ['stateful resources', (c) => `${c.stateful.removal}, termination protection ${c.stateful.terminationProtection ? 'on' : 'off'}`],
  [
    'backup ([backup and DR](../backup-and-dr.md))',
    (c) => {
      const b = c.backup;
      const kept = backupRules(b).map(
        (r) => `${r.name} ${r.retentionDays} d${r.coldStorageAfterDays ? ` (cold after ${r.coldStorageAfterDays} d)` : ''}`,
      );
      const lock = b.vaultLock ? `, vault lock ${b.vaultLock.mode}` : '';
      return `RPO ${b.objectives.rpoMinutes} min, RTO ${b.objectives.rtoMinutes} min; ${kept.join(', ')}${lock}${b.copyToDr ? ', copies to the DR region' : ''}`;
    },
  ],
  ['zone', (c) => c.domain.zoneName],
  ['tags', (c) => `DataClassification=${c.tags.DataClassification}, Backup=${c.tags.Backup}`],
];

/** A row of raw Markdown cells (values above are already Markdown). */
function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** The comparison table, one column per environment, and a link to each environment's page. */
export function environmentsPage(environments: readonly EnvironmentConfig[]): string {
  return [
    generatedHeader(['lib/config/environments.ts', 'the synthesized stages']),
    '',
    '# Environments',
    '',
    'Every environment is one `EnvironmentConfig` in `lib/config/environments.ts` (account IDs, region, DR region and',
    'domain come from `lib/config/platform.ts`); differences are data in that object. One page per environment:',
    '',
    ...environments.map(
      (c) => `- [${c.name}](${relativeLink(ENVIRONMENTS_INDEX, environmentPagePath(c.name))}): ${c.tier}, \`${c.stageName}\` stage`,
    ),
    '',
    '## Comparison',
    '',
    row(['', ...environments.map((c) => `**${c.name}**`)]),
    `|---|${environments.map(() => '---').join('|')}|`,
    ...SETTINGS.map(([name, value]) => row([name, ...environments.map(value)])),
    '',
  ].join('\n');
}

/** Physical ID of a resource a deploy names, as a shell command substitution that asks CloudFormation. */
function lookup(s: DocStack, logicalId: string): string {
  return `$(aws cloudformation describe-stack-resource --region ${s.region} --stack-name ${s.stackName} --logical-resource-id ${logicalId} --query StackResourceDetail.PhysicalResourceId --output text)`;
}

/** A shell variable the runbooks use, its value in one environment and what it is. */
export interface RunbookVariable {
  readonly name: string;
  readonly value: string;
  readonly what: string;
}

/**
 * The names the runbooks' commands use, for one environment: from config and naming functions, and,
 * for what a deploy names (the database instance), the CloudFormation lookup of its logical ID.
 */
export function runbookVariables(input: DocsInput, config: EnvironmentConfig): RunbookVariable[] {
  const stacks = stacksOfStage(input, config.stageName);
  const data = stacks.find((s) => stackIdOf(s.path) === 'Data');
  const db = data && resourcesOfType(data, 'AWS::RDS::DBInstance').find(([, r]) => r.Properties?.SourceDBInstanceIdentifier === undefined);
  const proxy = data && resourcesOfType(data, 'AWS::RDS::DBProxy')[0];
  return [
    { name: 'ENV', value: config.name, what: 'environment name' },
    { name: 'STAGE', value: config.stageName, what: 'CDK stage: `cdk deploy "$STAGE/*"`' },
    { name: 'AWS_REGION', value: config.region, what: 'primary region' },
    ...(config.drRegion ? [{ name: 'DR_REGION', value: config.drRegion, what: 'disaster-recovery region' }] : []),
    { name: 'ACCOUNT', value: config.account, what: 'AWS account' },
    { name: 'CLUSTER', value: clusterName(config.name), what: 'EKS cluster' },
    { name: 'INGRESS_GROUP', value: ingressGroupName(config.name), what: 'ALB IngressGroup (one ALB)' },
    { name: 'DASHBOARD', value: dashboardName(config.name), what: 'CloudWatch dashboard' },
    { name: 'ALARM_PREFIX', value: alarmNamePrefix(config.name), what: 'prefix of every alarm name' },
    { name: 'UPLOADS_BUCKET', value: uploadsBucketName(config.name, config.account, config.region), what: 'uploads bucket' },
    { name: 'WEBHOOK_DLQ', value: webhookDeadLetterQueueName(config.name), what: 'dead-letter queue of the webhook events' },
    {
      name: 'PROXY_ENDPOINT_PARAM',
      value: databaseEndpointParameterName(config.name, 'proxy'),
      what: 'SSM parameter with the RDS Proxy endpoint',
    },
    ...(proxy && typeof proxy[1].Properties?.DBProxyName === 'string'
      ? [{ name: 'DB_PROXY', value: proxy[1].Properties.DBProxyName, what: 'RDS Proxy' }]
      : []),
    ...(data && db
      ? [{ name: 'DB_INSTANCE', value: lookup(data, db[0]), what: 'database instance identifier (named by the deploy)' }]
      : []),
    { name: 'API_HOST', value: apiHost(config), what: 'public API host' },
    { name: 'APP_HOST', value: appHost(config), what: 'public web app host' },
  ];
}

/** The variables as a shell block to paste. */
export function variablesBlock(input: DocsInput, config: EnvironmentConfig): string {
  return [
    '```bash',
    ...runbookVariables(input, config).map((v) => `export ${v.name}=${v.value.includes('$(') ? `"${v.value}"` : v.value}`),
    '```',
  ].join('\n');
}

/** One environment's page. */
export function environmentPage(input: DocsInput, config: EnvironmentConfig): string {
  const page = environmentPagePath(config.name);
  const stacks = stacksOfStage(input, config.stageName);
  const services = servicesFor(config.name, input.catalog);
  return [
    generatedHeader(['lib/config', 'the synthesized templates and manifests']),
    '',
    `# ${config.name}`,
    '',
    `The \`${config.stageName}\` stage: ${config.tier} tier, account \`${config.account}\`, ${config.region}${config.drRegion ? ` (DR: ${config.drRegion})` : ''}, zone \`${config.domain.zoneName}\`.`,
    `All environments side by side: [comparison](${relativeLink(page, ENVIRONMENTS_INDEX)}). Who may do what here: [IAM summary](${relativeLink(page, `docs/security/iam/${config.stageName}.md`)}).`,
    '',
    '## Settings',
    '',
    table(
      ['setting', 'value'],
      SETTINGS.map(([name, value]) => [name, value(config)]),
    ),
    '',
    '## Names you will type',
    '',
    `The [runbooks](${relativeLink(page, 'docs/runbooks.md')}) use these shell variables; paste the block before their commands.`,
    '',
    variablesBlock(input, config),
    '',
    table(
      ['variable', 'what'],
      runbookVariables(input, config).map((v) => [code(v.name), v.what]),
    ),
    '',
    '## Stacks',
    '',
    `Deploy with \`npx cdk deploy '${config.stageName}/*'\`; CloudFormation deploys them in this order (an arrow points to the stack that needs the other first; protected stacks have termination protection).`,
    '',
    '```mermaid',
    stackGraph(input, config.stageName),
    '```',
    '',
    table(
      ['stack', 'CloudFormation name', 'region', 'resources', 'termination protection', 'after'],
      stacks.map((s) => [
        stackIdOf(s.path),
        code(s.stackName),
        s.region,
        String(Object.keys(s.template.Resources).length),
        s.terminationProtection ? 'on' : 'off',
        s.dependencies.map(stackIdOf).join(', '),
      ]),
    ),
    '',
    '## A request, end to end',
    '',
    '```mermaid',
    trafficFlow(input, config.name),
    '```',
    '',
    '## Services',
    '',
    `From the [service catalogue](${relativeLink(page, 'docs/services.md')}), with this environment's overrides.`,
    '',
    table(
      ['service', 'image tag', 'replicas (min..max)', 'CPU / memory request', 'rollout'],
      services.map((s) => [
        code(s.name),
        s.image.tag,
        `${s.scaling.minReplicas}..${s.scaling.maxReplicas}`,
        `${s.resources.cpuMillis}m / ${s.resources.memoryMiB} MiB`,
        s.rollout.strategy,
      ]),
    ),
    '',
    '## CDK and cdk8s contract',
    '',
    "Names CDK gives a resource that this environment's manifests use, and where. Each is derived from config by one",
    `function in \`lib/config/\` that both sides call, and tested from both sides in \`test/contracts/\` ([architecture](${relativeLink(page, 'docs/architecture.md', 'the-cdk-and-cdk8s-contract')})).`,
    '',
    contractTable(input, config.name),
    '',
  ].join('\n');
}
