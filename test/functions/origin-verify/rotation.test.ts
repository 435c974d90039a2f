import { CloudFrontClient, DistributionConfig, GetDistributionConfigCommand, UpdateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { PutSecretValueCommand, SecretsManagerClient, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { GetWebACLCommand, Rule, UpdateWebACLCommand, WAFV2Client, WebACL } from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import { FakeSecret } from '../rotation/fake-secret';
import {
  acceptedStatement,
  acceptedValues,
  distributionHeaderValues,
  handler,
  MAX_ATTEMPTS,
  parseValue,
  RotationEvent,
  setSleep,
} from '../../../lib/functions/origin-verify/rotation';

const SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:OriginVerifySecret-AbCdEf';
const HEADER = 'X-Origin-Verify';
const secrets = mockClient(SecretsManagerClient);
const waf = mockClient(WAFV2Client);
const cloudfront = mockClient(CloudFrontClient);

const fault = (name: string) => Object.assign(new Error(`${name} (test)`), { name });

/** An in-memory account: the secret's versions, the REGIONAL WebACL, the distribution. */
class World extends FakeSecret {
  webAcl: WebACL;
  lockToken = 'lock-1';
  distribution: DistributionConfig;
  etag = 'E1';

  constructor(current: { current: string; previous?: string }, sending = current.current) {
    super(JSON.stringify(current));
    const originVerify: Rule = {
      Name: 'OriginVerify',
      Priority: 0,
      Action: { Block: {} },
      Statement: {
        AndStatement: {
          Statements: [
            { NotStatement: { Statement: acceptedStatement(HEADER, [current.current]) } },
            {
              NotStatement: {
                Statement: {
                  ByteMatchStatement: {
                    FieldToMatch: { UriPath: {} },
                    PositionalConstraint: 'EXACTLY',
                    SearchString: new TextEncoder().encode('/api/healthz'),
                    TextTransformations: [{ Priority: 0, Type: 'NONE' }],
                  },
                },
              },
            },
          ],
        },
      },
      VisibilityConfig: { CloudWatchMetricsEnabled: true, SampledRequestsEnabled: false, MetricName: 'ov' },
    };
    const rate: Rule = { Name: 'RateLimitPerClientIp', Priority: 1, Statement: {}, VisibilityConfig: undefined };
    this.webAcl = {
      Name: 'saas-platform-dev-regional',
      Id: 'acl-1',
      ARN: 'arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/saas-platform-dev-regional/acl-1',
      DefaultAction: { Allow: {} },
      Description: 'kept as it is',
      CustomResponseBodies: { blocked: { ContentType: 'TEXT_PLAIN', Content: 'no' } },
      Rules: [originVerify, rate],
      VisibilityConfig: { CloudWatchMetricsEnabled: true, SampledRequestsEnabled: false, MetricName: 'all' },
    };
    this.distribution = {
      CallerReference: 'ref',
      Comment: 'app, api',
      Enabled: true,
      DefaultCacheBehavior: undefined,
      Origins: {
        Quantity: 2,
        Items: [
          { Id: 's3', DomainName: 'assets.s3.eu-west-1.amazonaws.com' },
          {
            Id: 'api',
            DomainName: 'api-origin.dev.example.com',
            CustomHeaders: { Quantity: 1, Items: [{ HeaderName: HEADER, HeaderValue: sending }] },
          },
        ],
      },
    };
  }

  accepted(): string[] {
    const rule = this.webAcl.Rules!.find((r) => r.Name === 'OriginVerify')!;
    return acceptedValues(rule.Statement!.AndStatement!.Statements![0].NotStatement!.Statement);
  }

  sending(): string[] {
    return distributionHeaderValues(this.distribution, HEADER);
  }

  install(): void {
    super.install(secrets);
    waf.on(GetWebACLCommand).callsFake(() => ({ WebACL: structuredClone(this.webAcl), LockToken: this.lockToken }));
    waf.on(UpdateWebACLCommand).callsFake((input) => {
      if (input.LockToken !== this.lockToken) throw fault('WAFOptimisticLockException');
      this.webAcl = { ...this.webAcl, Rules: input.Rules };
      this.lockToken = `${this.lockToken}+`;
      return { NextLockToken: this.lockToken };
    });
    cloudfront
      .on(GetDistributionConfigCommand)
      .callsFake(() => ({ DistributionConfig: structuredClone(this.distribution), ETag: this.etag }));
    cloudfront.on(UpdateDistributionCommand).callsFake((input) => {
      if (input.IfMatch !== this.etag) throw fault('PreconditionFailed');
      this.distribution = input.DistributionConfig;
      this.etag = `${this.etag}+`;
      return { ETag: this.etag };
    });
  }
}

const step = (Step: RotationEvent['Step'], token = 'v1'): RotationEvent => ({ SecretId: SECRET_ID, ClientRequestToken: token, Step });
const STEPS: RotationEvent['Step'][] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

const startRotation = (world: World, token = 'v1') => world.startRotation(token);

describe('origin-verify rotation', () => {
  let world: World;
  let logged: string[];
  let sleeps: number[];

  beforeEach(() => {
    // GIVEN a deployed environment: CloudFront sends "first", the WebACL accepts it (the first deploy's state)
    secrets.reset();
    waf.reset();
    cloudfront.reset();
    world = new World({ current: 'first' });
    world.install();
    Object.assign(process.env, {
      HEADER_NAME: HEADER,
      RULE_NAME: 'OriginVerify',
      WEB_ACL_NAME: 'saas-platform-dev-regional',
      WEB_ACL_ID: 'acl-1',
      WEB_ACL_SCOPE: 'REGIONAL',
      DISTRIBUTION_ID: 'E2EXAMPLE',
    });
    sleeps = [];
    setSleep(async (ms) => void sleeps.push(ms));
    logged = [];
    for (const level of ['info', 'warn', 'error'] as const) {
      jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.join(' ')));
    }
  });

  afterEach(() => jest.restoreAllMocks());

  test('the first rotation: at no step does CloudFront send a value the WebACL refuses; the old value stays accepted', async () => {
    startRotation(world);
    for (const name of STEPS) {
      await handler(step(name));
      // THEN after every step, every value CloudFront may still send (old edge locations included) is accepted
      for (const value of [...world.sending(), 'first']) expect(world.accepted()).toContain(value);
    }
    const current = JSON.parse(world.value('AWSCURRENT'));
    expect(current.previous).toBe('first');
    expect(current.current).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(world.sending()).toEqual([current.current]);
    expect(world.accepted().sort()).toEqual([current.current, 'first'].sort());
  });

  test('the second rotation drops the value before the previous one', async () => {
    startRotation(world, 'v1');
    for (const name of STEPS) await handler(step(name, 'v1'));
    const second = JSON.parse(world.value('AWSCURRENT')).current;
    startRotation(world, 'v2');
    for (const name of STEPS) await handler(step(name, 'v2'));
    const third = JSON.parse(world.value('AWSCURRENT'));
    expect(third.previous).toBe(second);
    expect(world.accepted().sort()).toEqual([third.current, second].sort());
    expect(world.accepted()).not.toContain('first');
  });

  test('the WebACL is changed before the distribution (accept, then send)', async () => {
    startRotation(world);
    await handler(step('createSecret'));
    const order: string[] = [];
    waf.on(UpdateWebACLCommand).callsFake((input) => {
      order.push('waf');
      world.webAcl = { ...world.webAcl, Rules: input.Rules };
      return {};
    });
    cloudfront.on(UpdateDistributionCommand).callsFake((input) => {
      order.push('cloudfront');
      world.distribution = input.DistributionConfig;
      return {};
    });
    await handler(step('setSecret'));
    expect(order).toEqual(['waf', 'cloudfront']);
  });

  test('UpdateWebACL sends the WebACL back as it was but the header rule, with the lock token it read', async () => {
    startRotation(world);
    await handler(step('createSecret'));
    await handler(step('setSecret'));
    const [update] = waf.commandCalls(UpdateWebACLCommand);
    expect(update.args[0].input).toMatchObject({
      Name: 'saas-platform-dev-regional',
      Id: 'acl-1',
      Scope: 'REGIONAL',
      LockToken: 'lock-1',
      DefaultAction: { Allow: {} },
      Description: 'kept as it is',
      CustomResponseBodies: { blocked: { ContentType: 'TEXT_PLAIN', Content: 'no' } },
    });
    expect(update.args[0].input.Rules![1]).toEqual(world.webAcl.Rules![1]);
    expect(update.args[0].input.Rules![0].Statement!.AndStatement!.Statements![1]).toEqual(
      world.webAcl.Rules![0].Statement!.AndStatement!.Statements![1],
    );
    const [distribution] = cloudfront.commandCalls(UpdateDistributionCommand);
    expect(distribution.args[0].input).toMatchObject({ Id: 'E2EXAMPLE', IfMatch: 'E1' });
    expect(distribution.args[0].input.DistributionConfig!.Origins!.Items![0]).toEqual(world.distribution.Origins!.Items![0]);
  });

  test('every step can run again (Secrets Manager retries): a repeated step changes nothing', async () => {
    startRotation(world);
    for (const name of STEPS.slice(0, 3)) {
      await handler(step(name));
      await handler(step(name));
    }
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(waf.commandCalls(UpdateWebACLCommand)).toHaveLength(1);
    expect(cloudfront.commandCalls(UpdateDistributionCommand)).toHaveLength(1);
    await handler(step('finishSecret'));
    await handler(step('finishSecret'));
    expect(secrets.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(1);
  });

  test("a pending version left by a failed rotation is replaced by this rotation's", async () => {
    // GIVEN an earlier rotation that created its pending version and stopped
    startRotation(world, 'v0-failed');
    await handler(step('createSecret', 'v0-failed'));
    const abandoned = JSON.parse(world.value('AWSPENDING')).current;
    // WHEN a new rotation starts
    startRotation(world, 'v1');
    for (const name of STEPS) await handler(step(name, 'v1'));
    // THEN its own value is current, and the abandoned one was never sent or accepted
    expect(JSON.parse(world.value('AWSCURRENT')).current).not.toBe(abandoned);
    expect(world.accepted()).not.toContain(abandoned);
  });

  test('after a rotation that changed the distribution but did not finish, the value CloudFront sends stays accepted', async () => {
    // GIVEN CloudFront sends "stranded" (set by a rotation that failed before finishSecret), AWSCURRENT is still "first"
    world = new World({ current: 'first' }, 'stranded');
    world.install();
    startRotation(world);
    await handler(step('createSecret'));
    await handler(step('setSecret'));
    expect(world.accepted()).toEqual(expect.arrayContaining(['stranded', 'first']));
  });

  test.each([
    ['throttled', 'ThrottlingException'],
    ['unavailable', 'WAFUnavailableEntityException'],
  ])('a %s WebACL read is retried with backoff', async (_why, error) => {
    startRotation(world);
    await handler(step('createSecret'));
    // WHEN the WebACL read fails twice before it answers
    waf
      .on(GetWebACLCommand)
      .rejectsOnce(fault(error))
      .rejectsOnce(fault(error))
      .callsFake(() => ({ WebACL: structuredClone(world.webAcl), LockToken: world.lockToken }));
    await handler(step('setSecret'));
    // THEN the step waited (growing delays) and went through
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]).toBeGreaterThan(sleeps[0] / 2);
    expect(world.accepted()).toHaveLength(2);
  });

  test('throttling that does not stop fails the step after a bounded number of attempts (the rotation retries later)', async () => {
    startRotation(world);
    await handler(step('createSecret'));
    cloudfront.on(GetDistributionConfigCommand).rejects(fault('Throttling'));
    await expect(handler(step('setSecret'))).rejects.toThrow('Throttling (test)');
    expect(cloudfront.commandCalls(GetDistributionConfigCommand)).toHaveLength(MAX_ATTEMPTS);
    expect(waf.commandCalls(UpdateWebACLCommand)).toHaveLength(0);
  });

  test('a lost lock race (WebACL changed meanwhile) re-reads with the new lock token', async () => {
    startRotation(world);
    await handler(step('createSecret'));
    world.lockToken = 'lock-2';
    let first = true;
    waf.on(GetWebACLCommand).callsFake(() => {
      const token = first ? 'lock-1' : world.lockToken;
      first = false;
      return { WebACL: structuredClone(world.webAcl), LockToken: token };
    });
    await handler(step('setSecret'));
    const tokens = waf.commandCalls(UpdateWebACLCommand).map((c) => c.args[0].input.LockToken);
    expect(tokens).toEqual(['lock-1', 'lock-2']);
    expect(world.accepted()).toHaveLength(2);
  });

  test('a distribution changed meanwhile (ETag) is re-read and updated with the new ETag', async () => {
    startRotation(world);
    await handler(step('createSecret'));
    cloudfront
      .on(GetDistributionConfigCommand)
      .callsFakeOnce(() => ({ DistributionConfig: structuredClone(world.distribution), ETag: 'stale' }));
    cloudfront
      .on(GetDistributionConfigCommand)
      .callsFake(() => ({ DistributionConfig: structuredClone(world.distribution), ETag: world.etag }));
    await handler(step('setSecret'));
    expect(cloudfront.commandCalls(UpdateDistributionCommand).map((c) => c.args[0].input.IfMatch)).toContain('E1');
    expect(world.sending()).toEqual([JSON.parse(world.value('AWSPENDING', 'v1')).current]);
  });

  test('testSecret fails when the WebACL does not accept the pending value, or the distribution does not send it', async () => {
    startRotation(world);
    await handler(step('createSecret'));
    await expect(handler(step('testSecret'))).rejects.toThrow('the WebACL does not accept 1 value(s) of the pending version');
    await handler(step('setSecret'));
    world.distribution.Origins!.Items![1].CustomHeaders!.Items![0].HeaderValue = 'first';
    await expect(handler(step('testSecret'))).rejects.toThrow('the distribution does not send the pending value');
  });

  test('finishSecret makes the pending version current, taking the label from the old one', async () => {
    startRotation(world);
    for (const name of STEPS) await handler(step(name));
    expect(secrets.commandCalls(UpdateSecretVersionStageCommand)[0].args[0].input).toEqual({
      SecretId: SECRET_ID,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: 'v1',
      RemoveFromVersionId: 'v0',
    });
  });

  test.each([
    ['a version that is not pending', { stages: ['AWSPREVIOUS'] }, 'version v1 is not AWSPENDING for rotation of the secret'],
    ['an unknown version', undefined, 'version v1 has no stage for rotation of the secret'],
  ])('refuses %s', async (_why, version, message) => {
    if (version) world.versions.v1 = { ...version, value: '' };
    await expect(handler(step('setSecret'))).rejects.toThrow(message);
    expect(waf.commandCalls(UpdateWebACLCommand)).toHaveLength(0);
  });

  test('a version that is already current needs nothing (a late retry after finishSecret)', async () => {
    startRotation(world);
    for (const name of STEPS) await handler(step(name));
    const calls = waf.commandCalls(UpdateWebACLCommand).length;
    await handler(step('setSecret'));
    expect(waf.commandCalls(UpdateWebACLCommand)).toHaveLength(calls);
  });

  test('refuses when rotation is not enabled on the secret', async () => {
    world.rotationEnabled = false;
    await expect(handler(step('createSecret'))).rejects.toThrow('rotation is not enabled for the secret');
  });

  test('refuses a WebACL without the rule, a rule of another shape, a distribution without the header', async () => {
    startRotation(world);
    await handler(step('createSecret'));
    const saved = structuredClone(world.webAcl);
    world.webAcl.Rules = world.webAcl.Rules!.filter((r) => r.Name !== 'OriginVerify');
    await expect(handler(step('setSecret'))).rejects.toThrow('the WebACL has no rule OriginVerify');
    world.webAcl = saved;
    world.webAcl.Rules![0].Statement = { ByteMatchStatement: {} as never };
    await expect(handler(step('setSecret'))).rejects.toThrow('the header rule has an unexpected shape');
    world.webAcl = saved;
    world.distribution.Origins!.Items![1].CustomHeaders = undefined;
    await expect(handler(step('setSecret'))).rejects.toThrow('no origin of the distribution sends X-Origin-Verify');
  });

  test('no value of the secret ever reaches the logs', async () => {
    startRotation(world);
    for (const name of STEPS) await handler(step(name));
    const current = JSON.parse(world.value('AWSCURRENT')).current;
    const output = logged.join('\n');
    expect(logged.length).toBeGreaterThan(4);
    expect(output).not.toContain(current);
    expect(output).not.toContain('first');
  });

  test('an unknown step is refused', async () => {
    startRotation(world);
    await expect(handler(step('rotateEverything' as RotationEvent['Step']))).rejects.toThrow('unknown step rotateEverything');
  });

  test('missing configuration is refused by name, before any change', async () => {
    startRotation(world);
    await handler(step('createSecret'));
    delete process.env.DISTRIBUTION_ID;
    await expect(handler(step('setSecret'))).rejects.toThrow('DISTRIBUTION_ID is not set');
    expect(waf.commandCalls(UpdateWebACLCommand)).toHaveLength(0);
  });
});

describe('secret value', () => {
  test.each([
    ['not JSON', 'x', 'the secret is not JSON'],
    ['without current', '{"previous":"a"}', 'the secret has no "current" value'],
    ['an empty current', '{"current":""}', 'the secret has no "current" value'],
    ['a previous that is not a string', '{"current":"a","previous":1}', 'the secret\'s "previous" is not a string'],
  ])('a value %s is refused without showing it', (_why, text, message) => {
    expect(() => parseValue(text)).toThrow(message);
  });

  test('the generated first value has no previous', () => {
    expect(parseValue('{"current":"a"}')).toEqual({ current: 'a', previous: undefined });
  });
});
