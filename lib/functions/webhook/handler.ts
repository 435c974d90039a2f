/**
 * Receives webhooks on `POST /webhooks/{provider}` (API Gateway HTTP API, payload v2).
 *
 * A sender signs every delivery with the shared secret (Secrets Manager, `SECRET_ID`):
 *
 *   x-webhook-timestamp: <unix seconds>
 *   x-webhook-signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">
 *
 * Missing or malformed headers, a timestamp more than 5 minutes away from now (a replay) and a
 * wrong signature are 401; a body that is not a JSON object is 400; an accepted delivery is 202.
 * The key is cached in the execution environment for `SECRET_TTL_SECONDS` (default 300). Both the
 * current version of the secret and, while it exists, the previous one (stage `AWSPREVIOUS`) are
 * accepted, so senders can move to a new key one by one (runbook in docs/edge.md). Neither a key
 * nor a signature is ever logged.
 */
import { createHmac, timingSafeEqual } from 'crypto';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** Header carrying the time the sender signed the delivery, in Unix seconds. */
export const TIMESTAMP_HEADER = 'x-webhook-timestamp';
/** Header carrying `v1=<hex HMAC-SHA256>` of `<timestamp>.<raw body>`. */
export const SIGNATURE_HEADER = 'x-webhook-signature';
/** Deliveries signed longer ago (or further ahead) than this are refused as replays. */
export const MAX_SKEW_SECONDS = 300;

const SIGNATURE = /^v1=([0-9a-f]{64})$/;
const TIMESTAMP = /^\d{1,12}$/;
const PROVIDER = /^[a-z0-9][a-z0-9-]{0,62}$/;
const DEFAULT_TTL_SECONDS = 300;

const secrets = new SecretsManagerClient({});
let cached: { readonly keys: readonly string[]; readonly expiresAtMillis: number } | undefined;

/** Forget the cached keys (tests; a rotation is otherwise picked up when the TTL runs out). */
export function clearSecretCache(): void {
  cached = undefined;
}

/** `v1=<hex>` signature of a delivery, as a sender computes it. */
export function sign(secret: string, timestamp: string, body: Buffer | string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return `v1=${mac}`;
}

/** Whether `signature` is the signature of the delivery, compared in constant time. */
export function verifySignature(secret: string, timestamp: string, body: Buffer, signature: string): boolean {
  const match = SIGNATURE.exec(signature);
  if (!match) return false;
  const expected = Buffer.from(sign(secret, timestamp, body).slice(3), 'hex');
  return timingSafeEqual(expected, Buffer.from(match[1], 'hex'));
}

/** The string value of one version stage of the secret, or undefined when that stage does not exist. */
async function secretVersion(secretId: string, versionStage: string): Promise<string | undefined> {
  try {
    const result = await secrets.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: versionStage }));
    return result.SecretString;
  } catch (e) {
    if (versionStage === 'AWSPREVIOUS' && e instanceof ResourceNotFoundException) return undefined;
    throw e;
  }
}

/** The keys a delivery may be signed with: the current one first, then the previous one if any. */
async function signingKeys(nowMillis: number): Promise<readonly string[]> {
  if (cached && cached.expiresAtMillis > nowMillis) return cached.keys;
  const secretId = process.env.SECRET_ID;
  if (!secretId) throw new Error('SECRET_ID is not set');
  const [current, previous] = await Promise.all([secretVersion(secretId, 'AWSCURRENT'), secretVersion(secretId, 'AWSPREVIOUS')]);
  if (!current) throw new Error('the signing secret has no string value');
  const ttlSeconds = Number(process.env.SECRET_TTL_SECONDS ?? DEFAULT_TTL_SECONDS);
  cached = { keys: previous ? [current, previous] : [current], expiresAtMillis: nowMillis + ttlSeconds * 1000 };
  return cached.keys;
}

const respond = (statusCode: number, body: Record<string, unknown>): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** One structured log line; callers pass only non-sensitive fields. */
function log(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>): void {
  console[level](JSON.stringify({ level, message, ...fields }));
}

/** Why a delivery was refused with 401 (logged, never returned: the caller learns only "unauthorized"). */
type Refusal = 'missing headers' | 'malformed timestamp' | 'stale timestamp' | 'malformed signature' | 'wrong signature';

function refusal(event: APIGatewayProxyEventV2, body: Buffer, keys: readonly string[], nowMillis: number): Refusal | undefined {
  const timestamp = event.headers?.[TIMESTAMP_HEADER];
  const signature = event.headers?.[SIGNATURE_HEADER];
  if (!timestamp || !signature) return 'missing headers';
  if (!TIMESTAMP.test(timestamp)) return 'malformed timestamp';
  if (Math.abs(nowMillis / 1000 - Number(timestamp)) > MAX_SKEW_SECONDS) return 'stale timestamp';
  if (!SIGNATURE.test(signature)) return 'malformed signature';
  return keys.some((key) => verifySignature(key, timestamp, body, signature)) ? undefined : 'wrong signature';
}

/** The Lambda handler. */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const nowMillis = Date.now();
  const requestId = event.requestContext?.requestId;
  const provider = event.pathParameters?.provider ?? '';
  if (!PROVIDER.test(provider)) {
    log('warn', 'rejected', { requestId, reason: 'malformed provider' });
    return respond(400, { message: 'provider must be lower-case letters, digits and dashes' });
  }
  const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');

  let keys: readonly string[];
  try {
    keys = await signingKeys(nowMillis);
  } catch (e) {
    log('error', 'signing secret unavailable', { requestId, provider, error: (e as Error).name });
    return respond(500, { message: 'internal error' });
  }
  const reason = refusal(event, body, keys, nowMillis);
  if (reason) {
    log('warn', 'rejected', { requestId, provider, reason });
    return respond(401, { message: 'unauthorized' });
  }

  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    payload = undefined;
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    log('warn', 'rejected', { requestId, provider, reason: 'body is not a JSON object' });
    return respond(400, { message: 'body must be a JSON object' });
  }
  log('info', 'accepted', { requestId, provider, bytes: body.length });
  return respond(202, { accepted: true, requestId });
}
