import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  clearSecretCache,
  handler,
  MAX_SKEW_SECONDS,
  SIGNATURE_HEADER,
  sign,
  TIMESTAMP_HEADER,
  verifySignature,
} from '../../../lib/functions/webhook/handler';

const SECRET = 'test-signing-secret-0123456789abcdef';
const PREVIOUS = 'previous-signing-secret-fedcba9876543210';
const SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:saas-platform/dev/webhook-signing-secret-AbCdEf';
const NOW = new Date('2026-01-15T10:00:00Z');

const secrets = mockClient(SecretsManagerClient);

interface EventOptions {
  readonly body?: string;
  readonly provider?: string;
  readonly base64?: boolean;
  /** Key the delivery is signed with. @default SECRET */
  readonly key?: string;
  /** Signing time, seconds from now. @default 0 */
  readonly ageSeconds?: number;
  /** Replaces the signed headers. */
  readonly headers?: Record<string, string>;
}

/** An HTTP API (payload v2) event, signed like a sender signs it unless `headers` replaces the signature. */
function event(options: EventOptions = {}): APIGatewayProxyEventV2 {
  const body = options.body ?? JSON.stringify({ type: 'invoice.paid', id: 'evt_1' });
  const timestamp = String(Math.floor(Date.now() / 1000) - (options.ageSeconds ?? 0));
  const headers = options.headers ?? { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: sign(options.key ?? SECRET, timestamp, body) };
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/{provider}',
    rawPath: `/webhooks/${options.provider ?? 'stripe'}`,
    rawQueryString: '',
    headers,
    pathParameters: { provider: options.provider ?? 'stripe' },
    requestContext: { requestId: 'req-1' } as APIGatewayProxyEventV2['requestContext'],
    body: options.base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: options.base64 ?? false,
  };
}

describe('webhook handler', () => {
  let logged: string[];

  beforeEach(() => {
    // GIVEN the secret in Secrets Manager, a fixed clock, an empty cache, captured logs
    secrets.reset();
    secrets.on(GetSecretValueCommand, { SecretId: SECRET_ID, VersionStage: 'AWSCURRENT' }).resolves({ SecretString: SECRET });
    secrets
      .on(GetSecretValueCommand, { SecretId: SECRET_ID, VersionStage: 'AWSPREVIOUS' })
      .rejects(new ResourceNotFoundException({ message: 'no such version', $metadata: {} }));
    process.env.SECRET_ID = SECRET_ID;
    delete process.env.SECRET_TTL_SECONDS;
    clearSecretCache();
    jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'setImmediate'] });
    logged = [];
    for (const level of ['info', 'warn', 'error'] as const) {
      jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.join(' ')));
    }
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  test('a validly signed JSON delivery is accepted with 202', async () => {
    const response = await handler(event());
    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body!)).toEqual({ accepted: true, requestId: 'req-1' });
  });

  test('a base64-encoded body is verified over its raw bytes', async () => {
    expect((await handler(event({ base64: true }))).statusCode).toBe(202);
  });

  test('an invalid signature is 401', async () => {
    const response = await handler(event({ key: 'not-the-secret' }));
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body!)).toEqual({ message: 'unauthorized' });
  });

  test('a body changed after signing is 401', async () => {
    const original = event();
    const response = await handler({ ...original, body: original.body!.replace('evt_1', 'evt_2') });
    expect(response.statusCode).toBe(401);
  });

  test.each([
    ['no headers', {}],
    ['no signature', { [TIMESTAMP_HEADER]: '1768471200' }],
    ['no timestamp', { [SIGNATURE_HEADER]: `v1=${'0'.repeat(64)}` }],
  ])('missing headers (%s) are 401', async (_why, headers) => {
    expect((await handler(event({ headers }))).statusCode).toBe(401);
  });

  test.each([
    ['a timestamp that is not a number', { [TIMESTAMP_HEADER]: 'yesterday', [SIGNATURE_HEADER]: `v1=${'0'.repeat(64)}` }],
    ['a signature without the v1= scheme', { [TIMESTAMP_HEADER]: '1768471200', [SIGNATURE_HEADER]: '0'.repeat(64) }],
    ['a signature of the wrong length', { [TIMESTAMP_HEADER]: '1768471200', [SIGNATURE_HEADER]: 'v1=abcd' }],
  ])('malformed headers (%s) are 401', async (_why, headers) => {
    expect((await handler(event({ headers }))).statusCode).toBe(401);
  });

  test.each([
    ['older than 5 minutes (a replay)', MAX_SKEW_SECONDS + 1],
    ['more than 5 minutes ahead', -(MAX_SKEW_SECONDS + 1)],
  ])('a correctly signed delivery with a timestamp %s is 401', async (_why, ageSeconds) => {
    expect((await handler(event({ ageSeconds }))).statusCode).toBe(401);
  });

  test('a timestamp just inside the window is accepted', async () => {
    expect((await handler(event({ ageSeconds: MAX_SKEW_SECONDS }))).statusCode).toBe(202);
  });

  test.each([
    ['not JSON', 'invoice paid'],
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"paid"'],
    ['empty', ''],
  ])('a correctly signed body that is %s is 400', async (_why, body) => {
    const response = await handler(event({ body }));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body!)).toEqual({ message: 'body must be a JSON object' });
  });

  test.each(['Stripe', 'a/b', '', '-x'])('a malformed provider %p is 400 before any secret is read', async (provider) => {
    const response = await handler(event({ provider }));
    expect(response.statusCode).toBe(400);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  test('the keys are read once (current and previous) and cached until their TTL runs out', async () => {
    process.env.SECRET_TTL_SECONDS = '60';
    await handler(event());
    await handler(event());
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    jest.setSystemTime(NOW.getTime() + 61_000);
    await handler(event());
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(4);
  });

  test('during a key rotation, a delivery signed with the previous key is still accepted', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: SECRET_ID, VersionStage: 'AWSPREVIOUS' }).resolves({ SecretString: PREVIOUS });
    expect((await handler(event({ key: PREVIOUS }))).statusCode).toBe(202);
  });

  test('without a previous key, only the current key is accepted', async () => {
    expect((await handler(event({ key: PREVIOUS }))).statusCode).toBe(401);
  });

  test('a failure reading the previous key other than "not found" is 500, not a silent downgrade', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: SECRET_ID, VersionStage: 'AWSPREVIOUS' })
      .rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    expect((await handler(event())).statusCode).toBe(500);
  });

  test('Secrets Manager failing is 500, and the error is logged by name only', async () => {
    secrets.on(GetSecretValueCommand).rejects(Object.assign(new Error('AccessDenied for arn...'), { name: 'AccessDeniedException' }));
    const response = await handler(event());
    expect(response.statusCode).toBe(500);
    expect(logged.join('\n')).toContain('AccessDeniedException');
    expect(logged.join('\n')).not.toContain('arn...');
  });

  test('a secret without a string value is 500', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: SECRET_ID, VersionStage: 'AWSCURRENT' }).resolves({ SecretBinary: new Uint8Array([1]) });
    expect((await handler(event())).statusCode).toBe(500);
  });

  test('without SECRET_ID the handler refuses with 500 instead of calling Secrets Manager', async () => {
    delete process.env.SECRET_ID;
    expect((await handler(event())).statusCode).toBe(500);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  test('neither the secret nor a signature ever reaches the logs', async () => {
    const accepted = event();
    await handler(accepted);
    const forged = event({ key: 'other' });
    await handler(forged);
    const output = logged.join('\n');
    expect(logged.length).toBeGreaterThanOrEqual(2);
    expect(output).not.toContain(SECRET);
    expect(output).not.toContain(accepted.headers[SIGNATURE_HEADER]!.slice(3));
    expect(output).not.toContain(forged.headers[SIGNATURE_HEADER]!.slice(3));
    expect(output).toContain('wrong signature');
  });
});

describe('signature helpers', () => {
  test('the signature is HMAC-SHA256 over "<timestamp>.<body>" in hex, with the v1= scheme', () => {
    // Known answer computed outside Node: printf '1700000000.{}' | openssl dgst -sha256 -hmac key
    expect(sign('key', '1700000000', '{}')).toBe('v1=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae');
  });

  test('verifySignature accepts the right signature only', () => {
    const body = Buffer.from('{"a":1}');
    const good = sign('k', '1', body);
    expect(verifySignature('k', '1', body, good)).toBe(true);
    expect(verifySignature('k', '2', body, good)).toBe(false);
    expect(verifySignature('k', '1', Buffer.from('{"a":2}'), good)).toBe(false);
    expect(verifySignature('k', '1', body, good.toUpperCase())).toBe(false);
  });
});
