import * as path from 'path';
import { CustomResource, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IDependable } from 'constructs';
import { PlatformFunction } from './platform-function';
import { platformProvider } from './platform-provider';

/** Props of `DatabaseUsers`. */
export interface DatabaseUsersProps {
  /** The VPC of the database; the step runs in its private subnets. */
  readonly vpc: ec2.IVpc;
  /** Security group of the database instance: the step is admitted there on the PostgreSQL port. */
  readonly databaseSecurityGroup: ec2.ISecurityGroup;
  /** Master credentials (username, password, host, port), read at run time, never in the template. */
  readonly masterSecret: secretsmanager.ISecret;
  /** What must exist before the step runs: the instance and the secret's attachment to it. */
  readonly dependsOn: readonly IDependable[];
  /** Name of the application database. */
  readonly databaseName: string;
  /** One login role (and schema) per service. */
  readonly users: readonly string[];
  /**
   * `<schema>.<table>` of the one-row table restore tests read from a restored copy; the step keeps it.
   * @default - none
   */
  readonly restoreCheck?: string;
  /** Retention of the step's logs. */
  readonly logRetention: logs.RetentionDays;
  /**
   * What happens to the step's log groups when they leave the template.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The deploy-time step that gives each service its own database user: a custom resource whose
 * handler (`lib/functions/database-users/`) logs in as the master user and makes the application
 * database, an IAM-only login role per service and a schema it owns. It runs again whenever the list
 * of users changes; removing a user takes its LOGIN away but keeps its schema.
 */
export class DatabaseUsers extends Construct {
  /** The custom resource; whatever needs the users to exist depends on it. */
  public readonly resource: CustomResource;
  /** The step's function (its errors are alarmed). */
  public readonly handler: PlatformFunction;

  constructor(scope: Construct, id: string, props: DatabaseUsersProps) {
    super(scope, id);
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Database users step: PostgreSQL to the database, HTTPS to Secrets Manager',
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Secrets Manager API');
    securityGroup.connections.allowTo(props.databaseSecurityGroup, ec2.Port.POSTGRES, 'database users step');

    const fn = new PlatformFunction(this, 'Handler', {
      entry: path.join(__dirname, '..', 'functions', 'database-users', 'handler.ts'),
      description: 'Makes the application database, one IAM-only login role and schema per service',
      // The Node.js 20+ Lambda runtimes load the RDS certificate authorities only when told to.
      environment: { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' },
      timeout: Duration.minutes(2),
      vpc: { vpc: props.vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, securityGroups: [securityGroup] },
      // pg loads its native binding only when asked to; the handler never does.
      externalModules: ['pg-native'],
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    props.masterSecret.grantRead(fn.function);
    this.handler = fn;

    const provider = platformProvider(this, fn, props);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::DatabaseUsers',
      properties: {
        SecretArn: props.masterSecret.secretArn,
        Database: props.databaseName,
        Users: [...props.users],
        ...(props.restoreCheck ? { RestoreCheck: props.restoreCheck } : {}),
      },
    });
    this.resource.node.addDependency(...props.dependsOn);
    this.acknowledge(fn);
  }

  private acknowledge(fn: PlatformFunction): void {
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      reason: 'A function in a VPC needs the AWS-maintained policy that lets Lambda manage its network interfaces.',
    });
  }
}
