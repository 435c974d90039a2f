import * as vm from 'vm';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ApiCanaries, CANARY_RUNTIME, canaryScript } from '../../lib/constructs/api-canaries';
import { testApp } from '../helpers';

/** Run a canary script against a fake Synthetics library; returns the request it made and what the validator did. */
async function runScript(script: string, statusCode: number) {
  const steps: { name: string; request: Record<string, unknown>; config: Record<string, unknown> }[] = [];
  let validated: 'resolved' | Error | undefined;
  const synthetics = {
    getCanaryUserAgentString: () => 'CloudWatchSynthetics/test',
    executeHttpStep: async (
      name: string,
      request: Record<string, unknown>,
      validate: (res: unknown) => Promise<void>,
      config: Record<string, unknown>,
    ) => {
      steps.push({ name, request, config });
      const handlers: Record<string, () => void> = {};
      const res = { statusCode, statusMessage: 'status', on: (event: string, fn: () => void) => (handlers[event] = fn) };
      const done = validate(res).then(
        () => (validated = 'resolved'),
        (e: Error) => (validated = e),
      );
      handlers.end?.();
      await done;
    },
  };
  const module = { exports: {} as { handler?: () => Promise<void> } };
  vm.runInNewContext(script, {
    require: (name: string) => (name === 'Synthetics' ? synthetics : undefined),
    exports: module.exports,
    module,
  });
  await module.exports.handler!();
  return { steps, validated };
}

describe('canaryScript', () => {
  test('one GET of the path on the host over HTTPS, with the Synthetics user agent and no other header', async () => {
    const { steps, validated } = await runScript(canaryScript('api.example.com', '/api/healthz/database'), 200);
    expect(steps).toEqual([
      {
        name: 'GET /api/healthz/database',
        request: {
          hostname: 'api.example.com',
          method: 'GET',
          path: '/api/healthz/database',
          port: 443,
          protocol: 'https:',
          headers: { 'User-Agent': 'CloudWatchSynthetics/test' },
        },
        config: { includeRequestHeaders: false, includeResponseHeaders: false, includeRequestBody: false, includeResponseBody: false },
      },
    ]);
    expect(validated).toBe('resolved');
  });

  test.each([301, 404, 500, 503])('a %i fails the run', async (status) => {
    const { validated } = await runScript(canaryScript('api.example.com', '/api/healthz'), status);
    expect((validated as Error).message).toBe(`${status} status`);
  });

  test('host and path are embedded as JSON strings (a quote cannot break out)', () => {
    expect(canaryScript('h', '/a"b')).toContain('const PATH = "/a\\"b";');
  });
});

describe('ApiCanaries', () => {
  const build = () => {
    const stack = new Stack(testApp(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    new ApiCanaries(stack, 'Canaries', {
      host: 'api.example.com',
      flows: [
        { name: 'api-health', canaryName: 'dev-api-health', path: '/api/healthz' },
        { name: 'api-db-read', canaryName: 'dev-api-db-read', path: '/api/healthz/database' },
      ],
      schedule: Duration.minutes(5),
      artifactsBucket: s3.Bucket.fromBucketName(stack, 'Bucket', 'app-dev-canaries'),
      retention: Duration.days(7),
    });
    return Template.fromStack(stack);
  };

  test('one canary per flow, on the schedule, inline code, results kept for the retention, artifacts under its own prefix', () => {
    const t = build();
    t.resourceCountIs('AWS::Synthetics::Canary', 2);
    t.hasResourceProperties('AWS::Synthetics::Canary', {
      Name: 'dev-api-db-read',
      RuntimeVersion: CANARY_RUNTIME.name,
      Schedule: { Expression: 'rate(5 minutes)', DurationInSeconds: '0' },
      ArtifactS3Location: 's3://app-dev-canaries/canary/dev-api-db-read',
      SuccessRetentionPeriod: 7,
      FailureRetentionPeriod: 7,
      Code: { Handler: 'index.handler', Script: canaryScript('api.example.com', '/api/healthz/database') },
      StartCanaryAfterCreation: true,
    });
  });

  test("each canary's role writes only its own artifacts and logs, and metrics only in the Synthetics namespace", () => {
    const t = build();
    const policy = Object.values(t.findResources('AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('canary/dev-api-health/*'),
    )!;
    const statements = policy.Properties.PolicyDocument.Statement as {
      Sid: string;
      Action: unknown;
      Resource: unknown;
      Condition?: unknown;
    }[];
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(bySid.WriteArtifacts).toMatchObject({ Action: 's3:PutObject' });
    expect(JSON.stringify(bySid.WriteArtifacts.Resource)).toContain('app-dev-canaries/canary/dev-api-health/*');
    expect(bySid.SyntheticsMetrics).toMatchObject({
      Action: 'cloudwatch:PutMetricData',
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': 'CloudWatchSynthetics' } },
    });
    expect(JSON.stringify(bySid.OwnLogs.Resource)).toContain('log-group:/aws/lambda/cwsyn-dev-api-health-*');
    expect(Object.keys(bySid).sort()).toEqual(['ListBuckets', 'LocateBucket', 'OwnLogs', 'SyntheticsMetrics', 'WriteArtifacts']);
  });
});
