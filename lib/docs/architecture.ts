/**
 * The architecture diagrams and the CDK <-> cdk8s contract table, generated from the synthesized
 * templates and manifests (never drawn by hand): the stacks of each stage and the order they deploy
 * in, the path of a request (CloudFront -> WAF -> ALB -> services -> RDS Proxy -> RDS), and every name
 * CDK creates that a Kubernetes manifest uses.
 */
import { code, table } from './markdown';
import { DocManifest, DocsInput, DocStack, manifestsOfKind, resourcesOfType, stackIdOf, stageOf, stacksOfStage } from './model';

/** A Mermaid node ID from any text. */
function nodeId(text: string): string {
  return text.replace(/[^A-Za-z0-9]/g, '_');
}

/** Quoted Mermaid label (quotes replaced). */
function label(text: string): string {
  return `"${text.replace(/"/g, "'")}"`;
}

/** The stage names in the assembly's order. */
export function stageNames(input: DocsInput): string[] {
  return [...new Set(input.stacks.map((s) => stageOf(s.path)))];
}

/**
 * The stacks of one stage as a Mermaid flowchart: one box per region, one node per stack
 * (termination-protected stacks marked), an arrow from each stack to the stacks that depend on it
 * (the deploy order `cdk deploy '<Stage>/*'` follows).
 */
export function stackGraph(input: DocsInput, stageName: string): string {
  const stacks = stacksOfStage(input, stageName);
  const regions = [...new Set(stacks.map((s) => s.region))];
  const lines = ['flowchart LR'];
  for (const region of regions) {
    lines.push(`  subgraph ${nodeId(`${stageName}_${region}`)}[${label(region)}]`);
    for (const s of stacks.filter((x) => x.region === region)) {
      lines.push(`    ${nodeId(s.path)}[${label(`${stackIdOf(s.path)}${s.terminationProtection ? ' (protected)' : ''}`)}]`);
    }
    lines.push('  end');
  }
  const known = new Set(stacks.map((s) => s.path));
  for (const s of stacks) {
    for (const dep of s.dependencies.filter((d) => known.has(d))) lines.push(`  ${nodeId(dep)} --> ${nodeId(s.path)}`);
  }
  return lines.join('\n');
}

/** The stack of a stage holding a resource of the type, with the resource. */
function find(stacks: readonly DocStack[], type: string, test: (props: Record<string, unknown>) => boolean = () => true) {
  for (const s of stacks) {
    const hit = resourcesOfType(s, type).find(([, r]) => test(r.Properties ?? {}));
    if (hit) return { stack: s, id: hit[0], resource: hit[1] };
  }
  return undefined;
}

/** Environment variables a workload's containers get, by name, with the secret they come from when they do. */
function workloadEnvironment(docs: readonly DocManifest[], workload: DocManifest): Set<string> {
  const names = new Set<string>();
  const containers = workload.spec?.template?.spec?.containers ?? [];
  for (const c of containers) {
    for (const e of c.env ?? []) names.add(e.name);
    for (const from of c.envFrom ?? []) {
      const secretName = from.secretRef?.name;
      const external = docs.find((d) => d.kind === 'ExternalSecret' && (d.spec?.target?.name ?? d.metadata.name) === secretName);
      for (const item of external?.spec?.data ?? []) names.add(item.secretKey);
    }
  }
  return names;
}

/** The workloads (Deployment or Rollout) of the services of an environment, by service name. */
function serviceWorkloads(input: DocsInput, environmentName: string): Map<string, DocManifest> {
  const docs = input.manifests[environmentName] ?? [];
  const services = new Set(input.catalog.services.map((s) => s.name));
  return new Map(
    docs.filter((d) => (d.kind === 'Deployment' || d.kind === 'Rollout') && services.has(d.metadata.name)).map((d) => [d.metadata.name, d]),
  );
}

/**
 * The path of a request in one environment, from the templates and manifests: CloudFront and its
 * WebACL and origins (Edge stacks), the ALB the Ingresses of the environment's IngressClass make
 * (regional WebACL), the services behind each path, and what the services reach: RDS Proxy and the
 * database (with the read replica), the uploads bucket, the webhook queue.
 */
export function trafficFlow(input: DocsInput, environmentName: string): string {
  const config = input.environments.find((e) => e.name === environmentName);
  if (!config) throw new Error(`no environment ${environmentName}`);
  const stacks = stacksOfStage(input, config.stageName);
  const docs = input.manifests[environmentName] ?? [];
  const where = (s: DocStack) => `${stackIdOf(s.path)} stack, ${s.region}`;
  const lines = ['flowchart LR', '  users(["Users: web, iOS, Android"])'];

  const distribution = find(stacks, 'AWS::CloudFront::Distribution');
  const globalAcl = find(stacks, 'AWS::WAFv2::WebACL', (p) => p.Scope === 'CLOUDFRONT');
  const regionalAcl = find(stacks, 'AWS::WAFv2::WebACL', (p) => p.Scope === 'REGIONAL');
  const ingressClass = manifestsOfKind(input, environmentName, 'IngressClass')[0];
  const ingresses = manifestsOfKind(input, environmentName, 'Ingress');
  const hosts = new Set(ingresses.flatMap((i) => (i.spec?.rules ?? []).map((r: { host: string }) => r.host)));

  if (distribution) {
    lines.push(`  cf[${label(`CloudFront distribution<br>${where(distribution.stack)}`)}]`);
    if (globalAcl) {
      lines.push(`  wafcf{{${label(`WAF ${globalAcl.resource.Properties?.Name}<br>${where(globalAcl.stack)}`)}}}`);
      lines.push('  users --> wafcf --> cf');
    } else lines.push('  users --> cf');
    for (const origin of distribution.resource.Properties?.DistributionConfig?.Origins ?? []) {
      const domain = String(origin.DomainName);
      if (/\.s3\.[a-z0-9-]+\.amazonaws\.com$/.test(domain)) {
        lines.push(`  ${nodeId(domain)}[(${label(`S3 ${domain.split('.s3.')[0]}: the Angular app`)})]`);
        lines.push(`  cf -- static files --> ${nodeId(domain)}`);
      } else if (hosts.has(domain)) {
        lines.push(`  cf -- ${label(`API, https://${domain}`)} --> alb`);
      } else {
        lines.push(`  ${nodeId(domain)}[${label(domain)}]`, `  cf --> ${nodeId(domain)}`);
      }
    }
  }
  if (ingressClass) {
    lines.push(`  alb[${label(`ALB of IngressClass ${ingressClass.metadata.name} (AWS Load Balancer Controller)`)}]`);
    if (regionalAcl)
      lines.push(
        `  wafalb{{${label(`WAF ${regionalAcl.resource.Properties?.Name}<br>${where(regionalAcl.stack)}`)}}}`,
        '  wafalb -. guards .-> alb',
      );
  }
  const workloads = serviceWorkloads(input, environmentName);
  const proxy = find(stacks, 'AWS::RDS::DBProxy');
  const primary = find(stacks, 'AWS::RDS::DBInstance', (p) => p.SourceDBInstanceIdentifier === undefined);
  const replica = find(stacks, 'AWS::RDS::DBInstance', (p) => p.SourceDBInstanceIdentifier !== undefined);
  const api = find(stacks, 'AWS::ApiGatewayV2::Api');
  const queue = find(stacks, 'AWS::SQS::Queue', (p) => typeof p.QueueName === 'string' && p.QueueName.endsWith('webhook-events'));
  if (proxy) lines.push(`  proxy[${label(`RDS Proxy, IAM auth<br>${where(proxy.stack)}`)}]`);
  if (primary) lines.push(`  db[(${label(`PostgreSQL ${config.database.multiAz ? 'Multi-AZ ' : ''}(${where(primary.stack)})`)})]`);
  if (proxy && primary) lines.push('  proxy --> db');
  if (replica) lines.push(`  replica[(${label('read replica')})]`, '  db -. replication .-> replica');
  if (api) {
    lines.push(
      `  api[${label(`API Gateway ${api.resource.Properties?.Name} + Lambda<br>${where(api.stack)}`)}]`,
      '  partners(["Webhook senders"])',
      '  partners --> api',
    );
    if (queue) lines.push(`  queue[${label(`SQS ${queue.resource.Properties?.QueueName}`)}]`, '  api --> queue');
  }
  const uploadsUsers: string[] = [];
  for (const ingress of ingresses) {
    for (const rule of ingress.spec?.rules?.slice(0, 1) ?? []) {
      for (const p of rule.http?.paths ?? []) lines.push(`  alb -- ${label(p.path)} --> ${nodeId(`svc_${p.backend.service.name}`)}`);
    }
  }
  for (const [name, workload] of workloads) {
    lines.push(`  ${nodeId(`svc_${name}`)}[${label(`${workload.kind} ${name}`)}]`);
    const env = workloadEnvironment(docs, workload);
    if (proxy && env.has('DATABASE_HOST')) lines.push(`  ${nodeId(`svc_${name}`)} --> proxy`);
    if (replica && env.has('DATABASE_READ_HOST')) lines.push(`  ${nodeId(`svc_${name}`)} -. reads .-> replica`);
    if (env.has('UPLOADS_BUCKET')) uploadsUsers.push(name);
    if (queue && env.has('WEBHOOK_QUEUE_URL')) lines.push(`  queue --> ${nodeId(`svc_${name}`)}`);
  }
  if (uploadsUsers.length > 0) {
    lines.push(`  uploads[(${label('S3 uploads bucket')})]`);
    for (const name of uploadsUsers) lines.push(`  ${nodeId(`svc_${name}`)} --> uploads`);
  }
  // every node before the first edge: a renderer labels a node where it first sees it
  const isEdge = (line: string) => /\s(--|-\.)/.test(line);
  return [lines[0], ...lines.slice(1).filter((l) => !isEdge(l)), ...lines.slice(1).filter(isEdge)].join('\n');
}

/** A name CDK gives a resource, by the property that carries it. */
const NAMED_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::EKS::Cluster': 'Name',
  'AWS::SSM::Parameter': 'Name',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::EC2::SecurityGroup': 'GroupName',
  'AWS::WAFv2::WebACL': 'Name',
  'AWS::IAM::Role': 'RoleName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SNS::Topic': 'TopicName',
};

/** Every string leaf of a value, with its path. */
function leaves(value: unknown, at: string, out: { path: string; value: string }[] = []): { path: string; value: string }[] {
  if (typeof value === 'string') out.push({ path: at, value });
  else if (Array.isArray(value)) value.forEach((v, i) => leaves(v, `${at}[${i}]`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) leaves(v, at ? `${at}.${k}` : k, out);
  return out;
}

/** One row of the contract: a value both sides use. */
export interface ContractValue {
  readonly value: string;
  /** `Stack: resource type (property)`. */
  readonly aws: string;
  /** `Kind namespace/name: field`, each place that uses it. */
  readonly kubernetes: readonly string[];
}

/**
 * The names CDK creates (cluster, parameters, secrets, security groups, roles, buckets, queues,
 * WebACLs, Pod Identity associations, CloudFront's API origin host) that the environment's
 * manifests use, and where each side has it. A contract test proves each; this table shows them.
 */
export function contractValues(input: DocsInput, environmentName: string): ContractValue[] {
  const config = input.environments.find((e) => e.name === environmentName);
  if (!config) throw new Error(`no environment ${environmentName}`);
  const docs = input.manifests[environmentName] ?? [];
  const uses = new Map<string, string[]>();
  for (const d of docs) {
    const where = `${d.kind} ${d.metadata.namespace ? `${d.metadata.namespace}/` : ''}${d.metadata.name}`;
    for (const leaf of leaves({ metadata: { annotations: d.metadata.annotations ?? {} }, spec: d.spec, data: d.data }, '')) {
      for (const part of leaf.value.split(/,\s*/)) {
        const list = uses.get(part) ?? [];
        list.push(`${where}: ${leaf.path}`);
        uses.set(part, list);
      }
    }
    if (d.kind === 'ServiceAccount') {
      const key = `${d.metadata.namespace}/${d.metadata.name}`;
      uses.set(key, [...(uses.get(key) ?? []), `${where}`]);
    }
  }
  const rows: ContractValue[] = [];
  const add = (value: unknown, aws: string) => {
    if (typeof value !== 'string' || !uses.has(value)) return;
    rows.push({ value, aws, kubernetes: [...new Set(uses.get(value))].sort() });
  };
  for (const s of stacksOfStage(input, config.stageName)) {
    for (const [, r] of Object.entries(s.template.Resources)) {
      const prop = NAMED_PROPERTIES[r.Type];
      if (prop) add(r.Properties?.[prop], `${stackIdOf(s.path)}: ${r.Type} (${prop})`);
      if (r.Type === 'AWS::EKS::PodIdentityAssociation')
        add(`${r.Properties?.Namespace}/${r.Properties?.ServiceAccount}`, `${stackIdOf(s.path)}: ${r.Type} (Namespace/ServiceAccount)`);
      if (r.Type === 'AWS::CloudFront::Distribution')
        for (const o of r.Properties?.DistributionConfig?.Origins ?? [])
          add(o.DomainName, `${stackIdOf(s.path)}: ${r.Type} (origin DomainName)`);
    }
  }
  return rows.sort((a, b) => a.aws.localeCompare(b.aws) || a.value.localeCompare(b.value));
}

/** The contract values of an environment as a table. */
export function contractTable(input: DocsInput, environmentName: string): string {
  return table(
    ['value', 'made by (CDK)', 'used by (cdk8s manifests)'],
    contractValues(input, environmentName).map((r) => [code(r.value), r.aws, r.kubernetes.map(code).join('\n')]),
  );
}
