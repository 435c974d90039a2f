/**
 * The platform as a first deploy meets it: every CloudFormation template of every stage and every
 * Kubernetes manifest of every environment, synthesized once per jest run, side by side. Contract
 * tests read values on both sides of a boundary from here.
 *
 * Templates hold deploy-time values (Ref, Fn::GetAtt, cross-stack outputs); `resolve` evaluates the
 * intrinsics with stand-in values for what only a deploy knows, so that an ARN in a policy and the
 * ARN a caller uses can be compared (and simulated) as strings.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { App } from 'cdk8s';
import { buildApp } from '../../bin/app';
import { writeWhole } from '../../bin/input-hash';
import { buildCharts, documentsOf } from '../../cdk8s/main';
import { KubeDocument } from '../../cdk8s/policies';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { EnvironmentConfig } from '../../lib/config/types';
import { TEST_APP_PROPS } from '../helpers';

/** A CloudFormation template as JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CfnTemplate = { Resources: Record<string, CfnResource>; Outputs?: Record<string, any>; Parameters?: Record<string, any> };
/** One resource of a template. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CfnResource = { Type: string; Properties?: Record<string, any>; DependsOn?: string | string[]; DeletionPolicy?: string };

/** One synthesized stack. */
export interface SynthesizedStack {
  /** `Prod/Data`. */
  readonly path: string;
  /** CloudFormation stack name, `Prod-Data`. */
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  /** Whether CloudFormation refuses to delete the stack. */
  readonly terminationProtection: boolean;
  /** Paths of the stacks deployed before this one (the assembly's dependencies; the docs draw them). */
  readonly dependencies: readonly string[];
  readonly template: CfnTemplate;
}

/** Everything the platform synthesizes. */
export interface World {
  readonly stacks: readonly SynthesizedStack[];
  /** Kubernetes documents per environment name. */
  readonly manifests: Readonly<Record<string, readonly KubeDocument[]>>;
  readonly environments: readonly EnvironmentConfig[];
  /**
   * What the synth's validation found: one report per plugin (cdk-nag, PlatformChecks, the built-in
   * CloudFormation validator) with its unacknowledged violations. Only `world()` sets it;
   * test/bin/app.test.ts requires every report to be empty.
   */
  readonly validation?: readonly ValidationReport[];
  /** Context lookups any stage asked for (a synth offline must ask for none). Only `world()` sets it. */
  readonly missingContext?: readonly unknown[];
}

/** One plugin's part of the validation report, its acknowledged findings left out. */
export interface ValidationReport {
  readonly pluginName: string;
  readonly pluginVersion?: string;
  readonly conclusion: string;
  readonly violations: readonly unknown[];
}

let cached: World | undefined;

/** The files of a shared world in `PLATFORM_TEST_WORLD_DIR`: the world, and the builder's failure. */
export const WORLD_FILES = { world: 'world.json', failed: 'world.failed' } as const;

/** How long a test file waits for the world the global setup's builder is synthesizing. */
const BUILDER_WAIT_MS = 180_000;

/**
 * The whole platform, synthesized with every gate: cdk-nag, the platform checks and the built-in
 * CloudFormation validator (its results kept per template, bin/cached-cfn-validation.ts:
 * in a working tree it validates only templates that changed). Findings do not stop the synth: they
 * are in `validation`, which test/bin/app.test.ts requires to be empty (one failing test names
 * them, instead of every test that reads the world failing).
 *
 * Once per jest run: the global setup starts a builder process (test/contracts/build-world.ts)
 * that writes it into `PLATFORM_TEST_WORLD_DIR` (fresh every run) while the first test files run;
 * a test file that needs it before it is written waits for it. Without that folder (a test file run
 * another way), or when the builder failed, the test file synthesizes it itself, so that a failure
 * shows here with its stack trace.
 */
export function world(): World {
  if (cached) return cached;
  const dir = process.env.PLATFORM_TEST_WORLD_DIR;
  const shared = dir ? waitForWorld(dir) : undefined;
  cached = shared ? { ...shared, environments: ENVIRONMENTS } : synthesizeWorld();
  return cached;
}

/** The world the builder wrote into `dir`, waiting for it; undefined when the builder failed, the folder is gone, or the time is up. */
export function waitForWorld(dir: string, timeoutMs = BUILDER_WAIT_MS): Omit<World, 'environments'> | undefined {
  const file = path.join(dir, WORLD_FILES.world);
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; Atomics.wait(sleeper, 0, 0, 50)) {
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
    if (fs.existsSync(path.join(dir, WORLD_FILES.failed)) || !fs.existsSync(dir)) return undefined;
  }
  return undefined;
}

/** Synthesize the world (no caching); `writeWorld` writes it for the test files of a run. */
export function synthesizeWorld(): World {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-world-out-'));
  try {
    const assembly: CloudAssembly = buildApp(ENVIRONMENTS, {
      ...TEST_APP_PROPS,
      context: { ...TEST_APP_PROPS.context, '@aws-cdk/core:failSynthOnValidationErrors': false },
      builtinCloudFormationValidation: true,
      outdir,
    }).synth();
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: ValidationReport[];
    };
    const validation = report.pluginReports.map(({ pluginName, pluginVersion, conclusion, violations }) => ({
      pluginName,
      pluginVersion,
      conclusion,
      violations,
    }));
    const missingContext = assembly.nestedAssemblies.flatMap((a) => a.nestedAssembly.manifest.missing ?? []);
    const stacks = assembly.nestedAssemblies.flatMap((nested) =>
      nested.nestedAssembly.stacks.map((s) => ({
        path: s.hierarchicalId,
        stackName: s.stackName,
        account: s.environment.account,
        region: s.environment.region,
        terminationProtection: s.terminationProtection ?? false,
        dependencies: s.dependencies.flatMap((d) => (d instanceof CloudFormationStackArtifact ? [d.hierarchicalId] : [])),
        template: s.template as CfnTemplate,
      })),
    );
    const manifests = Object.fromEntries(
      ENVIRONMENTS.map((config) => [config.name, documentsOf(buildCharts(new App({ outdir: '/tmp/unused' }), config))]),
    );
    return { stacks, manifests, environments: ENVIRONMENTS, validation, missingContext };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Synthesize the world and write it into `dir` whole (a test file never reads half of it). */
export function writeWorld(dir: string): void {
  const { environments: _, ...written } = synthesizeWorld();
  writeWhole(path.join(dir, WORLD_FILES.world), JSON.stringify(written));
}

/**
 * A world of a few stacks a test builds itself (a construct test's own app): the same resolver and
 * simulator as the platform's, with no manifests. Every stack needs a concrete account and region.
 */
export function worldOf(...stacks: Stack[]): World {
  return {
    stacks: stacks.map((s) => {
      if (Token.isUnresolved(s.account) || Token.isUnresolved(s.region))
        throw new Error(`${s.node.path}: give the stack an account and region`);
      return {
        path: s.node.path,
        stackName: s.stackName,
        account: s.account,
        region: s.region,
        terminationProtection: s.terminationProtection ?? false,
        dependencies: s.dependencies.map((d) => d.node.path),
        template: Template.fromStack(s).toJSON() as CfnTemplate,
      };
    }),
    manifests: {},
    environments: [],
  };
}

const templates = new WeakMap<CfnTemplate, Template>();

/** The assertions API (`hasResourceProperties`, `findResources`, `hasOutput`...) over a synthesized stack. */
export function templateOf(s: SynthesizedStack): Template {
  if (!templates.has(s.template)) templates.set(s.template, Template.fromJSON(s.template));
  return templates.get(s.template)!;
}

/** The stack at `Stage/Stack`, e.g. `Prod/Data`. */
export function stack(w: World, path: string): SynthesizedStack {
  const found = w.stacks.find((s) => s.path === path);
  if (!found) throw new Error(`no stack ${path}; have ${w.stacks.map((s) => s.path).join(', ')}`);
  return found;
}

/** Resources of one type in a stack, by logical ID. */
export function resourcesOf(s: SynthesizedStack, type: string): [string, CfnResource][] {
  return Object.entries(s.template.Resources).filter(([, r]) => r.Type === type);
}

/** Resources of one type in every stack of a stage. */
export function stageResources(
  w: World,
  stageName: string,
  type: string,
): { stack: SynthesizedStack; id: string; resource: CfnResource }[] {
  return w.stacks
    .filter((s) => s.path.startsWith(`${stageName}/`))
    .flatMap((s) => resourcesOf(s, type).map(([id, resource]) => ({ stack: s, id, resource })));
}

/** A property that is a plain string in the template (a name given in code), or undefined (generated, or an intrinsic). */
function literal(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Stand-in for an attribute only a deploy knows, deterministic and recognisable in a failure message.
 * The shapes follow the real ones where a policy takes them apart (a proxy ARN is split on `:`) or an
 * ARN is matched (a role ARN carries its name, a queue ARN its name).
 */
export function standIn(s: SynthesizedStack, logicalId: string, attribute: string): string {
  const resource = s.template.Resources[logicalId];
  const type = resource?.Type ?? 'Unknown';
  const p = resource?.Properties ?? {};
  const base = `${s.account}:${logicalId.toLowerCase()}`;
  const at = `${s.region}:${s.account}`;
  switch (`${type}.${attribute}`) {
    case 'AWS::RDS::DBProxy.DBProxyArn':
      return `arn:aws:rds:${at}:db-proxy:prx-${logicalId.toLowerCase()}`;
    case 'AWS::RDS::DBProxy.Endpoint':
      return `${logicalId.toLowerCase()}.proxy-xyz.${s.region}.rds.amazonaws.com`;
    case 'AWS::RDS::DBInstance.DbiResourceId':
      return `db-${logicalId.toUpperCase()}`;
    case 'AWS::RDS::DBInstance.Endpoint.Address':
      return `${logicalId.toLowerCase()}.xyz.${s.region}.rds.amazonaws.com`;
    case 'AWS::IAM::Role.Arn':
      return `arn:aws:iam::${s.account}:role/${literal(p.RoleName) ?? logicalId}`;
    case 'AWS::KMS::Key.Arn':
      return `arn:aws:kms:${at}:key/${logicalId}`;
    case 'AWS::S3::Bucket.Arn':
      return `arn:aws:s3:::${literal(p.BucketName) ?? logicalId.toLowerCase()}`;
    case 'AWS::SQS::Queue.Arn':
      return `arn:aws:sqs:${at}:${literal(p.QueueName) ?? logicalId}`;
    case 'AWS::DynamoDB::Table.Arn':
      return `arn:aws:dynamodb:${at}:table/${literal(p.TableName) ?? logicalId}`;
    case 'AWS::Logs::LogGroup.Arn':
      return `arn:aws:logs:${at}:log-group:${literal(p.LogGroupName) ?? logicalId}:*`;
    case 'AWS::Lambda::Function.Arn':
      return `arn:aws:lambda:${at}:function:${literal(p.FunctionName) ?? logicalId}`;
    case 'AWS::ECR::Repository.Arn':
      return `arn:aws:ecr:${at}:repository/${literal(p.RepositoryName) ?? logicalId.toLowerCase()}`;
    case 'AWS::EKS::Cluster.ClusterSecurityGroupId':
      return `sg-cluster-${logicalId}`;
    case 'AWS::EC2::SecurityGroup.GroupId':
      return `sg-${logicalId}`;
    default:
      return `{${base}.${attribute}}`;
  }
}

/** The value of `Ref` for a resource (what CloudFormation returns for its type), as stand-in where only a deploy knows it. */
function refOf(s: SynthesizedStack, logicalId: string): string {
  const pseudo: Record<string, string> = {
    'AWS::Region': s.region,
    'AWS::AccountId': s.account,
    'AWS::Partition': 'aws',
    'AWS::StackName': s.stackName,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  if (pseudo[logicalId]) return pseudo[logicalId];
  const resource = s.template.Resources[logicalId];
  if (!resource) {
    if (s.template.Parameters?.[logicalId]) return `{parameter:${logicalId}}`;
    throw new Error(`${s.path}: Ref to unknown ${logicalId}`);
  }
  const p = resource.Properties ?? {};
  switch (resource.Type) {
    case 'AWS::SecretsManager::Secret':
      return `arn:aws:secretsmanager:${s.region}:${s.account}:secret:${literal(p.Name) ?? logicalId}-AbCdEf`;
    case 'AWS::S3::Bucket':
      return literal(p.BucketName) ?? `${logicalId.toLowerCase()}-generated`;
    case 'AWS::IAM::Role':
      return literal(p.RoleName) ?? logicalId;
    case 'AWS::SQS::Queue':
      return `https://sqs.${s.region}.amazonaws.com/${s.account}/${literal(p.QueueName) ?? logicalId}`;
    case 'AWS::Route53::HostedZone':
      return `Z0${logicalId.toUpperCase()}`;
    case 'AWS::KMS::Key':
      return logicalId;
    case 'AWS::SSM::Parameter':
      return literal(p.Name) ?? logicalId;
    case 'AWS::EC2::Subnet':
      return `subnet-${logicalId}`;
    case 'AWS::EC2::VPC':
      return `vpc-${logicalId}`;
    case 'AWS::EC2::SecurityGroup':
      return standIn(s, logicalId, 'GroupId');
    case 'AWS::DynamoDB::Table':
      return literal(p.TableName) ?? logicalId;
    case 'AWS::Logs::LogGroup':
      return literal(p.LogGroupName) ?? logicalId;
    case 'AWS::Lambda::Function':
      return literal(p.FunctionName) ?? logicalId;
    default:
      return `{${s.account}:${logicalId.toLowerCase()}}`;
  }
}

/** Evaluate the intrinsic functions of `value` in the context of stack `s` (and, across stacks, their producers). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function resolve(w: World, s: SynthesizedStack, value: any): any {
  if (Array.isArray(value)) return value.map((v) => resolve(w, s, v));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [fn] = keys;
    const arg = value[fn];
    switch (fn) {
      case 'Ref':
        return refOf(s, arg);
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.+)/);
        return standIn(s, id, attribute);
      }
      case 'Fn::Join': {
        const [separator, parts] = arg;
        return (resolve(w, s, parts) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Split': {
        const [separator, source] = arg;
        return String(resolve(w, s, source)).split(separator);
      }
      case 'Fn::Select': {
        const [index, list] = arg;
        return (resolve(w, s, list) as unknown[])[Number(index)];
      }
      case 'Fn::Sub': {
        const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
        return String(text).replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
          if (vars[name] !== undefined) return String(resolve(w, s, vars[name]));
          const [id, attribute] = name.split(/\.(.+)/);
          return attribute ? standIn(s, id, attribute) : refOf(s, id);
        });
      }
      case 'Fn::GetStackOutput': {
        const producer = w.stacks.find((p) => p.stackName === arg.StackName && p.region === (arg.Region ?? p.region));
        if (!producer) throw new Error(`${s.path}: reads an output of ${arg.StackName}, which no stage synthesizes`);
        const output = producer.template.Outputs?.[arg.OutputName];
        if (!output) throw new Error(`${s.path}: reads output ${arg.OutputName} that ${producer.path} does not publish`);
        return resolve(w, producer, output.Value);
      }
      case 'Fn::ImportValue':
        throw new Error(`${s.path}: Fn::ImportValue is not used by the platform (cross-stack references are typed props)`);
      default:
        break;
    }
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(w, s, v)]));
}

/** The subnets of a stage's Network stack: stand-in ID, CIDR, zone and tier (`Public`, `Private`, `Isolated`). */
export function subnetsOf(w: World, stageName: string): { id: string; cidr: string; zone: string; tier: string }[] {
  const network = stack(w, `${stageName}/Network`);
  return resourcesOf(network, 'AWS::EC2::Subnet').map(([id, r]) => ({
    id: `subnet-${id}`,
    cidr: r.Properties!.CidrBlock,
    zone: r.Properties!.AvailabilityZone,
    tier: r.Properties!.Tags.find((t: { Key: string }) => t.Key === 'aws-cdk:subnet-type').Value,
  }));
}

/** An address inside a CIDR block (the tenth), where a resource in that subnet may sit. */
export function addressIn(cidr: string): string {
  const [base] = cidr.split('/');
  const octets = base.split('.').map(Number);
  octets[3] += 10;
  return octets.join('.');
}
