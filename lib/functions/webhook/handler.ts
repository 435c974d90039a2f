/**
 * Receives webhooks on `POST /webhooks/<provider>` (API Gateway HTTP API, payload v2; one route,
 * with its own throttle, per sender of `PROVIDERS`) and puts each accepted event on the SQS queue
 * the `worker` service consumes (`QUEUE_URL`) before it answers 202.
 *
 * A sender signs every delivery with the shared secret (Secrets Manager, `SECRET_ID`) and names it:
 *
 *   x-webhook-id:        <delivery ID, the same on every retry of one delivery>
 *   x-webhook-timestamp: <unix seconds>
 *   x-webhook-signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">
 *
 * Missing or malformed signature headers, a timestamp more than 5 minutes away from now (a replay)
 * and a wrong signature are 401; a missing or malformed delivery ID, or a body that is not a JSON
 * object, is 400; a body over `MAX_EVENT_BYTES` is 413; an unknown sender is 404.
 *
 * Idempotency: the delivery ID, per sender, is claimed with a conditional write in DynamoDB
 * (`TABLE_NAME`, expiring after `DELIVERY_ID_TTL_SECONDS`) before the event is queued. A
 * redelivery of a queued event is answered 202 (`duplicate: true`) and not queued again; one that
 * arrives while the first is still being queued gets 503 (the sender retries, and then finds it
 * queued). When the queue (or the table) fails, the answer is 503 and the claim is released, so the
 * sender's retry queues it. The only remaining duplicate is a crash between queueing and recording
 * it: delivery to the worker is at least once, and the worker ignores an ID it has processed.
 *
 * The key is cached in the execution environment for `SECRET_TTL_SECONDS` (default 300). Both the
 * current version of the secret and, while it exists, the previous one (stage `AWSPREVIOUS`) are
 * accepted, so senders can move to a new key one by one (runbook in docs/architecture/edge.md). Neither a key,
 * a signature nor a payload is ever logged.
 */
import { createHmac, timingSafeEqual } from 'crypto';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** Header carrying the time the sender signed the delivery, in Unix seconds. */
export const TIMESTAMP_HEADER = 'x-webhook-timestamp';
/** Header carrying `v1=<hex HMAC-SHA256>` of `<timestamp>.<raw body>`. */
export const SIGNATURE_HEADER = 'x-webhook-signature';
/** Header carrying the sender's ID of the delivery (the same on each retry of it). */
export const DELIVERY_ID_HEADER = 'x-webhook-id';
/** Deliveries signed longer ago (or further ahead) than this are refused as replays. */
export const MAX_SKEW_SECONDS = 300;
/** Largest body accepted (an SQS message holds 256 KiB, the envelope included). */
export const MAX_EVENT_BYTES = 200 * 1024;
/** A claim older than this, still not queued, belonged to an invocation that died: it may be taken over. */
export const CLAIM_LEASE_SECONDS = 60;

const SIGNATURE = /^v1=([0-9a-f]{64})$/;
const TIMESTAMP = /^\d{1,12}$/;
const PROVIDER = /^[a-z0-9][a-z0-9-]{0,62}$/;
const DELIVERY_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const DEFAULT_TTL_SECONDS = 300;

const secrets = new SecretsManagerClient({});
const dynamodb = new DynamoDBClient({});
const sqs = new SQSClient({});
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

const respond = (
  statusCode: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
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

/** The sender, from the route API Gateway matched (`POST /webhooks/<provider>`), never from the client's path. */
function providerOf(event: APIGatewayProxyEventV2): string {
  const route = event.routeKey ?? '';
  return route.startsWith('POST /webhooks/') ? route.slice('POST /webhooks/'.length) : '';
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

type Claim = { readonly outcome: 'claimed'; readonly claimedAtMillis: number } | { readonly outcome: 'queued' | 'in-progress' };

/** Claim the delivery ID (conditional write), or learn that it is queued or being queued. */
async function claim(key: string, nowMillis: number): Promise<Claim> {
  const ttlSeconds = Number(env('DELIVERY_ID_TTL_SECONDS'));
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: env('TABLE_NAME'),
        Item: {
          pk: { S: key },
          state: { S: 'queueing' },
          claimedAt: { N: String(nowMillis) },
          expiresAt: { N: String(Math.floor(nowMillis / 1000) + ttlSeconds) },
        },
        // New, or expired (TTL deletes lazily), or a claim whose invocation died before queueing.
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR (#state = :queueing AND claimedAt < :stale)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':now': { N: String(Math.floor(nowMillis / 1000)) },
          ':queueing': { S: 'queueing' },
          ':stale': { N: String(nowMillis - CLAIM_LEASE_SECONDS * 1000) },
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { outcome: 'claimed', claimedAtMillis: nowMillis };
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) {
      return { outcome: e.Item?.state?.S === 'queued' ? 'queued' : 'in-progress' };
    }
    throw e;
  }
}

/** Give the claim up (the event was not queued), so that the sender's retry can queue it. */
async function release(key: string, claimedAtMillis: number, requestId: string | undefined): Promise<void> {
  try {
    await dynamodb.send(
      new DeleteItemCommand({
        TableName: env('TABLE_NAME'),
        Key: { pk: { S: key } },
        ConditionExpression: '#state = :queueing AND claimedAt = :mine',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':queueing': { S: 'queueing' }, ':mine': { N: String(claimedAtMillis) } },
      }),
    );
  } catch (e) {
    // The claim then lapses after CLAIM_LEASE_SECONDS; the retry after that queues the event.
    log('warn', 'claim not released', { requestId, error: (e as Error).name });
  }
}

/** Record that the event is queued; a failure only risks one duplicate (the worker dedupes). */
async function markQueued(key: string, requestId: string | undefined): Promise<void> {
  try {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: env('TABLE_NAME'),
        Key: { pk: { S: key } },
        UpdateExpression: 'SET #state = :queued',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':queued': { S: 'queued' } },
      }),
    );
  } catch (e) {
    log('error', 'queued but not recorded', { requestId, error: (e as Error).name });
  }
}

/** The Lambda handler. */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const nowMillis = Date.now();
  const requestId = event.requestContext?.requestId;
  const provider = providerOf(event);
  if (!PROVIDER.test(provider)) {
    log('warn', 'rejected', { requestId, reason: 'malformed provider' });
    return respond(400, { message: 'provider must be lower-case letters, digits and dashes' });
  }
  const providers = (process.env.PROVIDERS ?? '').split(',').filter((p) => p !== '');
  if (!providers.includes(provider)) {
    log('warn', 'rejected', { requestId, provider, reason: 'unknown provider' });
    return respond(404, { message: 'unknown provider' });
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

  const deliveryId = event.headers?.[DELIVERY_ID_HEADER];
  if (!deliveryId || !DELIVERY_ID.test(deliveryId)) {
    log('warn', 'rejected', { requestId, provider, reason: 'missing or malformed delivery ID' });
    return respond(400, { message: `${DELIVERY_ID_HEADER} must be 1..128 letters, digits or . _ : -` });
  }
  if (body.length > MAX_EVENT_BYTES) {
    log('warn', 'rejected', { requestId, provider, deliveryId, reason: 'too large', bytes: body.length });
    return respond(413, { message: `body must be at most ${MAX_EVENT_BYTES} bytes` });
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    payload = undefined;
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    log('warn', 'rejected', { requestId, provider, deliveryId, reason: 'body is not a JSON object' });
    return respond(400, { message: 'body must be a JSON object' });
  }

  const key = `${provider}#${deliveryId}`;
  let claimed: Claim;
  try {
    claimed = await claim(key, nowMillis);
  } catch (e) {
    log('error', 'delivery IDs unavailable', { requestId, provider, deliveryId, error: (e as Error).name });
    return respond(503, { message: 'try again later' }, { 'retry-after': '30' });
  }
  if (claimed.outcome === 'queued') {
    log('info', 'duplicate', { requestId, provider, deliveryId });
    return respond(202, { accepted: true, duplicate: true, requestId });
  }
  if (claimed.outcome !== 'claimed') {
    log('warn', 'delivery in progress', { requestId, provider, deliveryId });
    return respond(503, { message: 'try again later' }, { 'retry-after': String(CLAIM_LEASE_SECONDS) });
  }

  try {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: env('QUEUE_URL'),
        MessageBody: JSON.stringify({ provider, deliveryId, receivedAt: new Date(nowMillis).toISOString(), payload }),
        MessageAttributes: {
          provider: { DataType: 'String', StringValue: provider },
          deliveryId: { DataType: 'String', StringValue: deliveryId },
        },
      }),
    );
  } catch (e) {
    log('error', 'not queued', { requestId, provider, deliveryId, error: (e as Error).name });
    await release(key, claimed.claimedAtMillis, requestId);
    return respond(503, { message: 'try again later' }, { 'retry-after': '30' });
  }
  await markQueued(key, requestId);
  log('info', 'accepted', { requestId, provider, deliveryId, bytes: body.length });
  return respond(202, { accepted: true, requestId });
}
