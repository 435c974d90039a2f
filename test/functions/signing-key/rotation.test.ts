import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { MAX_ATTEMPTS, setSleep } from '../../../lib/functions/rotation/steps';
import { FakeSecret } from '../rotation/fake-secret';
import {
  handler,
  Jwks,
  jwksOf,
  newSigningKey,
  NotAKeySetError,
  parseKeySet,
  RotationEvent,
  signToken,
  SigningKeySet,
  verifyToken,
} from '../../../lib/functions/signing-key/rotation';

const SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:saas-platform/dev/jwt-signing-key-AbCdEf';
const JWKS_PARAMETER = '/saas-platform/dev/secrets/jwt-signing-key/jwks';
const secrets = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);

const fault = (name: string) => Object.assign(new Error(`${name} (test)`), { name });

/** An in-memory account: the secret's versions and the JWKS parameter. */
class World extends FakeSecret {
  jwks: string | undefined;

  /** The secret as CDK creates it: a generated string, no key pair yet. */
  constructor(initial = 'generatedRandomString0123456789abcdefghijklmnop') {
    super(initial);
  }

  keys(stage = 'AWSCURRENT'): SigningKeySet {
    return parseKeySet(this.value(stage));
  }

  published(): Jwks {
    return JSON.parse(this.jwks!);
  }

  putParameter = (input: { Value?: string }) => {
    this.jwks = input.Value;
    return { Version: 1 };
  };

  install(): void {
    super.install(secrets);
    ssm.on(GetParameterCommand).callsFake(() => {
      if (this.jwks === undefined) throw new ParameterNotFound({ message: 'no parameter', $metadata: {} });
      return { Parameter: { Name: JWKS_PARAMETER, Value: this.jwks } };
    });
    ssm.on(PutParameterCommand).callsFake(this.putParameter);
  }
}

const step = (Step: RotationEvent['Step'], token = 'v1'): RotationEvent => ({ SecretId: SECRET_ID, ClientRequestToken: token, Step });
const STEPS: RotationEvent['Step'][] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

const startRotation = (world: World, token = 'v1') => world.startRotation(token);

async function rotate(world: World, token: string): Promise<void> {
  startRotation(world, token);
  for (const name of STEPS) await handler(step(name, token));
}

describe('signing key rotation', () => {
  let world: World;
  let logged: string[];
  let sleeps: number[];

  beforeEach(() => {
    // GIVEN the secret as the first deploy leaves it: a generated value, rotation on, no JWKS yet
    secrets.reset();
    ssm.reset();
    world = new World();
    world.install();
    process.env.JWKS_PARAMETER_NAME = JWKS_PARAMETER;
    sleeps = [];
    setSleep(async (ms) => void sleeps.push(ms));
    logged = [];
    for (const level of ['info', 'warn', 'error'] as const) {
      jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.join(' ')));
    }
  });

  afterEach(() => jest.restoreAllMocks());

  test('the first rotation makes a key pair (kid = the version), publishes it, and makes it current', async () => {
    await rotate(world, 'v1');
    const keys = world.keys();
    expect(keys.current.kid).toBe('v1');
    expect(keys.current.alg).toBe('ES256');
    expect(keys.current.publicKey).toEqual(expect.objectContaining({ kty: 'EC', crv: 'P-256' }));
    expect(keys.previous).toBeUndefined();
    expect(world.published().keys.map((k) => k.kid)).toEqual(['v1']);
    expect(verifyToken(signToken(keys.current, { sub: 'alice' }), world.published())).toBe(true);
    expect(world.versions.v0.stages).toEqual(['AWSPREVIOUS']);
  });

  test('during and after a rotation, tokens signed with the previous key keep verifying; the next rotation drops it', async () => {
    await rotate(world, 'v1');
    const first = world.keys().current;
    const tokenBefore = signToken(first, { sub: 'alice' });

    // WHEN the second rotation runs: after each step, a token of the old key still verifies
    startRotation(world, 'v2');
    for (const name of STEPS) {
      await handler(step(name, 'v2'));
      expect(verifyToken(tokenBefore, world.published())).toBe(true);
    }
    // THEN the new key is current, the old one is previous (public half only), both are published
    const second = world.keys();
    expect(second.current.kid).toBe('v2');
    expect(second.previous).toEqual({ kid: 'v1', alg: 'ES256', publicKey: first.publicKey, createdAt: first.createdAt });
    expect(second.previous).not.toHaveProperty('privateKey');
    expect(world.published().keys.map((k) => k.kid)).toEqual(['v2', 'v1']);
    expect(verifyToken(signToken(second.current, { sub: 'bob' }), world.published())).toBe(true);

    // AND the third rotation no longer publishes the first key
    await rotate(world, 'v3');
    expect(world.published().keys.map((k) => k.kid)).toEqual(['v3', 'v2']);
    expect(verifyToken(tokenBefore, world.published())).toBe(false);
  });

  test('the JWKS is published (setSecret) before the new key becomes current (finishSecret)', async () => {
    await rotate(world, 'v1');
    startRotation(world, 'v2');
    await handler(step('createSecret', 'v2'));
    await handler(step('setSecret', 'v2'));
    // THEN verifiers know the new key while the signer still holds the old one
    expect(world.keys().current.kid).toBe('v1');
    expect(world.published().keys.map((k) => k.kid)).toContain('v2');
  });

  test('every step can run again (Secrets Manager retries): a repeated step changes nothing', async () => {
    startRotation(world);
    for (const name of STEPS.slice(0, 3)) {
      await handler(step(name));
      await handler(step(name));
    }
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(1);
    await handler(step('finishSecret'));
    await handler(step('finishSecret'));
    expect(secrets.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(1);
  });

  test('an existing pending version of this rotation is kept, not regenerated', async () => {
    // GIVEN an attempt that made the pending version and then failed
    startRotation(world);
    await handler(step('createSecret'));
    const pending = world.value('AWSPENDING', 'v1');
    // WHEN Secrets Manager retries createSecret
    await handler(step('createSecret'));
    // THEN the pending key is the same one
    expect(world.value('AWSPENDING', 'v1')).toBe(pending);
  });

  test('a put whose answer was lost (the version exists) counts as done', async () => {
    startRotation(world);
    secrets.on(GetSecretValueCommand).callsFake((input) => {
      // the pending value is not readable yet (eventual consistency), so createSecret puts again
      if (input.VersionStage === 'AWSPENDING') throw new ResourceNotFoundException({ message: 'not yet', $metadata: {} });
      return { SecretString: world.value(input.VersionStage, input.VersionId) };
    });
    world.versions.v1.value = JSON.stringify({ current: newSigningKey('v1') });
    await expect(handler(step('createSecret'))).resolves.toBeUndefined();
    expect(logged.join('\n')).toContain('the pending version was made by an earlier attempt');
  });

  test("a pending version left by a failed rotation is replaced by this rotation's", async () => {
    await rotate(world, 'v1');
    // GIVEN an earlier rotation that created its pending version and stopped
    startRotation(world, 'v2-failed');
    await handler(step('createSecret', 'v2-failed'));
    // WHEN a new rotation starts and runs
    await rotate(world, 'v3');
    // THEN its own key is current, the abandoned one was never published, and the previous is v1
    expect(world.keys().current.kid).toBe('v3');
    expect(world.keys().previous?.kid).toBe('v1');
    expect(world.published().keys.map((k) => k.kid)).toEqual(['v3', 'v1']);
  });

  test.each([
    ['a version that is not pending', { stages: ['AWSPREVIOUS'] }, 'version v1 is not AWSPENDING for rotation of the secret'],
    ['an unknown version', undefined, 'version v1 has no stage for rotation of the secret'],
  ])('refuses %s (a wrong version stage)', async (_why, version, message) => {
    if (version) world.versions.v1 = { ...version, value: '' };
    await expect(handler(step('setSecret'))).rejects.toThrow(message);
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  });

  test('a version that is already current needs nothing (a late retry after finishSecret)', async () => {
    await rotate(world, 'v1');
    const puts = ssm.commandCalls(PutParameterCommand).length;
    await handler(step('setSecret'));
    await handler(step('finishSecret'));
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(puts);
    expect(secrets.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(1);
  });

  test('refuses when rotation is not enabled on the secret', async () => {
    world.rotationEnabled = false;
    await expect(handler(step('createSecret'))).rejects.toThrow('rotation is not enabled for the secret');
  });

  test.each([
    ['GetSecretValue', 'ThrottlingException'],
    ['PutParameter', 'ThrottlingException'],
    ['DescribeSecret', 'InternalServiceError'],
  ])('a throttled or failing %s (%s) is retried with growing backoff', async (call, error) => {
    startRotation(world);
    await handler(step('createSecret'));
    sleeps = [];
    // (a stub's "once" answers count its calls from the last history reset)
    secrets.resetHistory();
    ssm.resetHistory();
    // WHEN the call fails twice before it answers
    if (call === 'GetSecretValue')
      secrets.on(GetSecretValueCommand).rejectsOnce(fault(error)).rejectsOnce(fault(error)).callsFake(world.getSecretValue);
    if (call === 'PutParameter')
      ssm.on(PutParameterCommand).rejectsOnce(fault(error)).rejectsOnce(fault(error)).callsFake(world.putParameter);
    if (call === 'DescribeSecret')
      secrets.on(DescribeSecretCommand).rejectsOnce(fault(error)).rejectsOnce(fault(error)).callsFake(world.describe);
    await handler(step('setSecret'));
    // THEN the step waited twice, with a growing delay, and went through
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]).toBeGreaterThan(sleeps[0] / 2);
    expect(world.published().keys.map((k) => k.kid)).toEqual(['v1']);
  });

  test('throttling that does not stop fails the step after a bounded number of attempts (the rotation retries later)', async () => {
    startRotation(world);
    await handler(step('createSecret'));
    ssm.on(PutParameterCommand).rejects(fault('ThrottlingException'));
    await expect(handler(step('setSecret'))).rejects.toThrow('ThrottlingException (test)');
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(MAX_ATTEMPTS);
    expect(sleeps).toHaveLength(MAX_ATTEMPTS - 1);
  });

  test('an error that is not transient is not retried', async () => {
    startRotation(world);
    secrets.on(PutSecretValueCommand).rejects(fault('AccessDeniedException'));
    await expect(handler(step('createSecret'))).rejects.toThrow('AccessDeniedException (test)');
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  test('testSecret fails when no JWKS is published, when it lacks the pending key, or when it lacks the previous key', async () => {
    await rotate(world, 'v1');
    startRotation(world, 'v2');
    await handler(step('createSecret', 'v2'));
    // no setSecret yet: the published JWKS has only v1
    await expect(handler(step('testSecret', 'v2'))).rejects.toThrow(
      'a token signed with the pending key v2 does not verify with the published JWKS',
    );
    await handler(step('setSecret', 'v2'));
    world.jwks = JSON.stringify({ keys: world.published().keys.filter((k) => k.kid !== 'v1') });
    await expect(handler(step('testSecret', 'v2'))).rejects.toThrow(
      'the published JWKS lacks the previous key v1; tokens signed with it would stop verifying',
    );
    world.jwks = undefined;
    await expect(handler(step('testSecret', 'v2'))).rejects.toThrow('no JWKS is published');
    world.jwks = 'not json';
    await expect(handler(step('testSecret', 'v2'))).rejects.toThrow('no JWKS is published');
  });

  test('a JWKS whose key for the kid is another key does not verify', () => {
    const key = newSigningKey('k1');
    const impostor = newSigningKey('k1');
    expect(verifyToken(signToken(key, { sub: 'x' }), jwksOf({ current: impostor }))).toBe(false);
    expect(verifyToken('not-a-token', jwksOf({ current: key }))).toBe(false);
    expect(verifyToken('!!!.e30.sig', jwksOf({ current: key }))).toBe(false);
  });

  test('finishSecret moves AWSCURRENT from the old version to the pending one', async () => {
    await rotate(world, 'v1');
    expect(secrets.commandCalls(UpdateSecretVersionStageCommand)[0].args[0].input).toEqual({
      SecretId: SECRET_ID,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: 'v1',
      RemoveFromVersionId: 'v0',
    });
  });

  test('no key material appears in the logs', async () => {
    await rotate(world, 'v1');
    await rotate(world, 'v2');
    const keys = world.keys();
    const material = [keys.current.privateKey.d!, keys.current.publicKey.x!, keys.previous!.publicKey.x!];
    for (const line of logged) for (const value of material) expect(line).not.toContain(value);
    expect(logged.length).toBeGreaterThan(0);
  });

  test('a missing JWKS_PARAMETER_NAME fails the step with its name', async () => {
    delete process.env.JWKS_PARAMETER_NAME;
    startRotation(world);
    await handler(step('createSecret'));
    await expect(handler(step('setSecret'))).rejects.toThrow('JWKS_PARAMETER_NAME is not set');
  });

  test('an unknown step is refused', async () => {
    startRotation(world);
    await expect(handler(step('shred' as RotationEvent['Step']))).rejects.toThrow('unknown step shred');
  });
});

describe('parseKeySet', () => {
  const key = newSigningKey('k1', new Date('2026-01-01T00:00:00Z'));

  test('reads a key set and keeps its shape', () => {
    const set = { current: key, previous: { kid: 'k0', alg: 'ES256', publicKey: key.publicKey, createdAt: '2025-12-01T00:00:00.000Z' } };
    expect(parseKeySet(JSON.stringify(set))).toEqual(set);
    expect(key.createdAt).toBe('2026-01-01T00:00:00.000Z');
  });

  test.each([
    ['a generated string (before the first rotation)', 'abcdef', 'the secret is not JSON'],
    ['nothing', undefined, 'the secret is not JSON'],
    ['JSON without a key', '{}', 'the secret has no current key pair'],
    ['a public key only', JSON.stringify({ current: { ...key, privateKey: undefined } }), 'the secret has no current key pair'],
    ['another algorithm', JSON.stringify({ current: { ...key, alg: 'RS256' } }), 'the secret has no current key pair'],
    ['a malformed previous', JSON.stringify({ current: key, previous: { kid: 'k0' } }), 'the secret\'s "previous" is not a public key'],
  ])('refuses %s without showing it', (_what, text, message) => {
    expect(() => parseKeySet(text)).toThrow(NotAKeySetError);
    expect(() => parseKeySet(text)).toThrow(message);
  });
});
