import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as synthetics from 'aws-cdk-lib/aws-synthetics';
import { Construct } from 'constructs';

/** One API flow a canary requests. */
export interface ApiFlow {
  /** Flow name, e.g. `api-db-read`. */
  readonly name: string;
  /** Canary name (lower case, digits, `-`; at most 21 characters). */
  readonly canaryName: string;
  /** Path on the API host, e.g. `/api/healthz`. */
  readonly path: string;
}

/** Props of `ApiCanaries`. */
export interface ApiCanariesProps {
  /** Host the canaries call over HTTPS, the way clients do (CloudFront, WAF, the ALB), e.g. `api.example.com`. */
  readonly host: string;
  /** The flows, one canary each. */
  readonly flows: readonly ApiFlow[];
  /** Time between two runs of a canary. */
  readonly schedule: Duration;
  /** Where the runs' artifacts go (under `canary/<canary name>/`). */
  readonly artifactsBucket: s3.IBucket;
  /** How long the runs' results are kept. */
  readonly retention: Duration;
}

/** The Synthetics runtime of the canaries (Node.js, Puppeteer; API canaries use its HTTP step only). */
export const CANARY_RUNTIME = synthetics.Runtime.SYNTHETICS_NODEJS_PUPPETEER_13_0;

/**
 * The canary script of a flow: one HTTP step, a GET of `path` on `host`, which fails on any status
 * outside 2xx. No secret and no header beyond the Synthetics user agent: the flows are the public
 * API's unauthenticated reads. Request and response bodies and headers are not kept in artifacts.
 */
export function canaryScript(host: string, path: string): string {
  return [
    "const synthetics = require('Synthetics');",
    `const HOST = ${JSON.stringify(host)};`,
    `const PATH = ${JSON.stringify(path)};`,
    'const validate = (res) => new Promise((resolve, reject) => {',
    '  if (res.statusCode < 200 || res.statusCode > 299) reject(new Error(`${res.statusCode} ${res.statusMessage}`));',
    "  res.on('data', () => {});",
    "  res.on('end', resolve);",
    '});',
    'exports.handler = async () => {',
    '  const request = { hostname: HOST, method: "GET", path: PATH, port: 443, protocol: "https:", headers: { "User-Agent": synthetics.getCanaryUserAgentString() } };',
    '  const step = { includeRequestHeaders: false, includeResponseHeaders: false, includeRequestBody: false, includeResponseBody: false };',
    '  await synthetics.executeHttpStep(`GET ${PATH}`, request, validate, step);',
    '};',
    '',
  ].join('\n');
}

/**
 * CloudWatch Synthetics canaries that request the key API flows through the public host on a
 * schedule, each with a role that may write only its own artifacts, logs and the Synthetics
 * namespace's metrics.
 */
export class ApiCanaries extends Construct {
  /** The canaries by flow name. */
  public readonly canaries: Readonly<Record<string, synthetics.Canary>>;

  constructor(scope: Construct, id: string, props: ApiCanariesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const canaries: Record<string, synthetics.Canary> = {};
    for (const flow of props.flows) {
      const prefix = `canary/${flow.canaryName}`;
      const role = new iam.Role(this, `${flow.name}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Synthetics canary ${flow.canaryName}`,
      });
      const functionLogs = stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: `/aws/lambda/cwsyn-${flow.canaryName}-*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
      const statements = [
        new iam.PolicyStatement({
          sid: 'WriteArtifacts',
          actions: ['s3:PutObject'],
          resources: [props.artifactsBucket.arnForObjects(`${prefix}/*`)],
        }),
        new iam.PolicyStatement({ sid: 'LocateBucket', actions: ['s3:GetBucketLocation'], resources: [props.artifactsBucket.bucketArn] }),
        new iam.PolicyStatement({ sid: 'ListBuckets', actions: ['s3:ListAllMyBuckets'], resources: ['*'] }),
        new iam.PolicyStatement({
          sid: 'SyntheticsMetrics',
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': 'CloudWatchSynthetics' } },
        }),
        new iam.PolicyStatement({
          sid: 'OwnLogs',
          actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [functionLogs, `${functionLogs}:*`],
        }),
      ];
      const policy = new iam.Policy(this, `${flow.name}Policy`, { statements });
      role.attachInlinePolicy(policy);
      this.acknowledge(policy, props.artifactsBucket.arnForObjects(`${prefix}/*`), functionLogs);

      const canary = new synthetics.Canary(this, flow.name, {
        canaryName: flow.canaryName,
        runtime: CANARY_RUNTIME,
        test: synthetics.Test.custom({ code: synthetics.Code.fromInline(canaryScript(props.host, flow.path)), handler: 'index.handler' }),
        schedule: synthetics.Schedule.rate(props.schedule),
        role,
        artifactsBucketLocation: { bucket: props.artifactsBucket, prefix },
        successRetentionPeriod: props.retention,
        failureRetentionPeriod: props.retention,
        timeout: Duration.seconds(30),
        provisionedResourceCleanup: true,
      });
      canary.node.addDependency(policy);
      canaries[flow.name] = canary;
    }
    this.canaries = canaries;
  }

  private acknowledge(policy: iam.Policy, artifacts: string, functionLogs: string): void {
    const stack = Stack.of(this);
    const reasons: Record<string, string> = {
      'Resource::*':
        'The Synthetics runtime lists buckets to find its artifact bucket (s3:ListAllMyBuckets has no resource-level form); cloudwatch:PutMetricData has none either and is limited to the CloudWatchSynthetics namespace by condition.',
      [`Resource::${stack.resolve(artifacts)}`]: "The canary's own prefix of the artifacts bucket: one object per run.",
      [`Resource::${stack.resolve(functionLogs)}`]:
        "The log group of the canary's own function (cwsyn-<canary>-<id>), named by Synthetics.",
      [`Resource::${stack.resolve(functionLogs)}:*`]: "The log streams of the canary's own function.",
    };
    for (const [finding, reason] of Object.entries(reasons)) {
      Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    }
  }
}
