import { Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Where a construct's logs go and how long they stay (its function's and any others it writes). */
export interface LogSettingsProps {
  /** How long the logs are kept. */
  readonly logRetention: logs.RetentionDays;
  /**
   * What happens to the log groups when they leave the template.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** Props of `PlatformFunction`. */
export interface PlatformFunctionProps extends LogSettingsProps {
  /** Absolute path of the TypeScript handler module; it exports `handler`. */
  readonly entry: string;
  /** What the function does (the Lambda description). */
  readonly description: string;
  /**
   * Configuration the handler reads from its environment variables (never secrets: pass a secret's ARN).
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Time limit of one invocation.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Memory (and proportional CPU), in MiB.
   * @default 256
   */
  readonly memorySizeMiB?: number;
  /**
   * Concurrent executions reserved for (and capped to) this function, 1 or more. Lambda refuses a
   * reservation that would leave the account less than its minimum unreserved concurrency, which a
   * new account's small quota already is ("decreases account's UnreservedConcurrentExecution below
   * its minimum value"), so it is opt-in, from config.
   * @default - no reservation: the function shares the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Run in this VPC (to reach private resources such as a database).
   * @default - no VPC
   */
  readonly vpc?: { readonly vpc: ec2.IVpc; readonly subnets: ec2.SubnetSelection; readonly securityGroups: readonly ec2.ISecurityGroup[] };
  /**
   * Modules the bundle leaves out besides the AWS SDK (optional dependencies of bundled packages
   * that the handler never loads, e.g. `pg-native`).
   * @default - none
   */
  readonly externalModules?: readonly string[];
}

/**
 * A Node.js Lambda function with the platform's defaults: the latest Node.js runtime on ARM64,
 * bundled locally by esbuild (minified, with source maps; never Docker), X-Ray tracing, its own
 * log group with a retention (no LogRetention custom resource), a role that may write only to that
 * log group, and a reserved concurrency when asked for.
 *
 * The AWS SDK v3 is not bundled: the runtime provides it. That keeps the artifact small (cold
 * start) and the synth fast; the handlers use long-stable SDK operations only.
 */
export class PlatformFunction extends Construct {
  /** The function. */
  public readonly function: lambda.IFunction;
  /** The function's execution role. */
  public readonly role: iam.IRole;
  /** The function's log group. */
  public readonly logGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: PlatformFunctionProps) {
    super(scope, id);
    const reserved = props.reservedConcurrentExecutions;
    if (reserved !== undefined && !Token.isUnresolved(reserved) && (!Number.isInteger(reserved) || reserved < 1)) {
      throw new Error(`${this.node.path}: reservedConcurrentExecutions ${reserved} is not allowed; use a whole number of 1 or more`);
    }
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.logGroup.grantWrite(role);
    this.role = role;

    this.function = new nodejs.NodejsFunction(this, 'Resource', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySizeMiB ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      reservedConcurrentExecutions: reserved,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      role,
      vpc: props.vpc?.vpc,
      vpcSubnets: props.vpc?.subnets,
      securityGroups: props.vpc ? [...props.vpc.securityGroups] : undefined,
      // Stack traces point into the TypeScript sources (the bundle carries a source map).
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      // Only the handler and the runtime are in the bundle options, never the environment: the
      // same handler bundles once per synth and is shared by every stage.
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: 'node24',
        externalModules: ['@aws-sdk/*', '@smithy/*', ...(props.externalModules ?? [])],
        logLevel: nodejs.LogLevel.WARNING,
      },
    });
    Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    });
  }
}
