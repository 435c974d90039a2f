/**
 * Rotates a token signing key pair (Secrets Manager custom rotation, the four steps), e.g. the key
 * auth-service signs its JWTs with.
 *
 * The secret is JSON `{ "current": <key>, "previous": <public key> }`: `current` holds the private
 * key the signer uses (a P-256 key for ES256, as JWKs, its `kid` the Secrets Manager version that
 * made it); `previous` only the public half of the key it replaced. The public keys of both are
 * published as a JWKS (`{ "keys": [...] }`) in an SSM parameter for verifiers. A rotation never
 * leaves a moment in which a token, signed with either key, stops verifying:
 *
 * 1. createSecret: a new key pair becomes `current` of the AWSPENDING version; the key being
 *    replaced becomes its `previous`.
 * 2. setSecret: the JWKS is published with both public keys, before anyone signs with the new key.
 * 3. testSecret: a token signed with the pending private key verifies with the published JWKS, and
 *    the JWKS still has the previous key.
 * 4. finishSecret: the pending version becomes AWSCURRENT; the signer picks the new key up at its
 *    next refresh (External Secrets, hourly), while tokens signed with the old key keep verifying
 *    until the next rotation drops it: the rotation interval must exceed that refresh plus the
 *    longest token lifetime (docs/security/iam-policies.md).
 *
 * Every step can run again (Secrets Manager retries a failed rotation): each reads the state first
 * and skips what is done. Throttling and transient faults are retried with backoff. No key material
 * is ever logged.
 *
 * Environment: `JWKS_PARAMETER_NAME`.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, JsonWebKey, KeyObject, sign, verify } from 'crypto';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { env, log, putPendingVersion, rotationHandler, withRetry } from '../rotation/steps';

export type { RotationEvent } from '../rotation/steps';

/** The signature algorithm of the keys (JWA): ECDSA on P-256 with SHA-256. */
export const ALGORITHM = 'ES256';

/** The public half of a key, as a JWK with its id. */
export interface PublicSigningKey {
  readonly kid: string;
  readonly alg: typeof ALGORITHM;
  /** The public JWK (`kty`, `crv`, `x`, `y`). */
  readonly publicKey: JsonWebKey;
  /** When it was made (ISO 8601). */
  readonly createdAt: string;
}

/** A key the signer uses: the public half and the private JWK. */
export interface SigningKey extends PublicSigningKey {
  /** The private JWK (`d` included). */
  readonly privateKey: JsonWebKey;
}

/** The secret's value. */
export interface SigningKeySet {
  readonly current: SigningKey;
  /** The key `current` replaced, public half only. @default - none (the first rotation) */
  readonly previous?: PublicSigningKey;
}

/** A JWK Set (RFC 7517, section 5). */
export interface Jwks {
  readonly keys: readonly (JsonWebKey & { readonly kid: string; readonly alg: string; readonly use: 'sig' })[];
}

const secrets = new SecretsManagerClient({});
const ssm = new SSMClient({});

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const isPublicKey = (v: unknown): v is PublicSigningKey =>
  isObj(v) &&
  typeof v.kid === 'string' &&
  v.kid !== '' &&
  v.alg === ALGORITHM &&
  isObj(v.publicKey) &&
  v.publicKey.kty === 'EC' &&
  v.publicKey.crv === 'P-256' &&
  typeof v.createdAt === 'string';

/** A value that is not a key set; the message never shows the value. */
export class NotAKeySetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAKeySetError';
  }
}

/**
 * Parse a version's value; throws `NotAKeySetError` (without the value) when it is not a key set.
 * The value the secret is created with (a generated string, before the first rotation) is not one.
 */
export function parseKeySet(text: string | undefined): SigningKeySet {
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch {
    throw new NotAKeySetError('the secret is not JSON');
  }
  const current: unknown = isObj(value) ? value.current : undefined;
  const privateKey = isObj(current) ? current.privateKey : undefined;
  if (!isObj(value) || !isPublicKey(current) || !isObj(privateKey) || typeof privateKey.d !== 'string') {
    throw new NotAKeySetError('the secret has no current key pair');
  }
  if (value.previous !== undefined && !isPublicKey(value.previous))
    throw new NotAKeySetError('the secret\'s "previous" is not a public key');
  return value as unknown as SigningKeySet;
}

/** A new key pair, identified by `kid`. */
export function newSigningKey(kid: string, now: Date = new Date()): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    kid,
    alg: ALGORITHM,
    privateKey: privateKey.export({ format: 'jwk' }),
    publicKey: publicKey.export({ format: 'jwk' }),
    createdAt: now.toISOString(),
  };
}

/** The public half of a key. */
export function publicHalf(key: PublicSigningKey): PublicSigningKey {
  return { kid: key.kid, alg: key.alg, publicKey: key.publicKey, createdAt: key.createdAt };
}

/** The JWKS of a key set: the current public key, then the previous one. */
export function jwksOf(set: SigningKeySet): Jwks {
  const keys = [set.current, ...(set.previous ? [set.previous] : [])];
  return { keys: keys.map((k) => ({ ...k.publicKey, kid: k.kid, alg: k.alg, use: 'sig' as const })) };
}

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** A compact JWS (ES256) of `claims`, signed with `key` (the signer does the same). */
export function signToken(key: SigningKey, claims: Record<string, unknown>): string {
  const input = `${base64url(JSON.stringify({ alg: key.alg, kid: key.kid, typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: createPrivateKey({ key: key.privateKey, format: 'jwk' }),
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${base64url(signature)}`;
}

/** Whether a compact JWS verifies with the key of its `kid` in `jwks` (what a verifier does). */
export function verifyToken(token: string, jwks: Jwks): boolean {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return false;
  let kid: unknown;
  try {
    kid = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')).kid;
  } catch {
    return false;
  }
  const jwk = jwks.keys.find((k) => k.kid === kid);
  if (!jwk) return false;
  const material = Object.fromEntries(Object.entries(jwk).filter(([name]) => !['kid', 'alg', 'use'].includes(name))) as JsonWebKey;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: material, format: 'jwk' });
  } catch {
    return false;
  }
  return verify('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
}

async function secretValue(secretId: string, stage: string, versionId?: string): Promise<string | undefined> {
  const result = await withRetry('GetSecretValue', () =>
    secrets.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage, VersionId: versionId })),
  );
  return result.SecretString;
}

async function pendingKeySet(secretId: string, token: string): Promise<SigningKeySet> {
  return parseKeySet(await secretValue(secretId, 'AWSPENDING', token));
}

async function publishedJwks(): Promise<Jwks | undefined> {
  try {
    const result = await withRetry('GetParameter', () => ssm.send(new GetParameterCommand({ Name: env('JWKS_PARAMETER_NAME') })));
    const value: unknown = JSON.parse(result.Parameter?.Value ?? '');
    return isObj(value) && Array.isArray(value.keys) ? (value as unknown as Jwks) : undefined;
  } catch (e) {
    if (e instanceof ParameterNotFound || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

// ---- Steps -----------------------------------------------------------------------------------

async function createSecret(secretId: string, token: string): Promise<void> {
  try {
    await pendingKeySet(secretId, token);
    log('info', 'the pending version exists already');
    return;
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException)) throw e;
  }
  let previous: PublicSigningKey | undefined;
  try {
    previous = publicHalf(parseKeySet(await secretValue(secretId, 'AWSCURRENT')).current);
  } catch (e) {
    // The value the secret was created with is no key pair: this is the first rotation.
    if (!(e instanceof NotAKeySetError)) throw e;
    log('info', 'the current version holds no key pair (first rotation)');
  }
  const next: SigningKeySet = { current: newSigningKey(token), ...(previous ? { previous } : {}) };
  await putPendingVersion(secrets, secretId, token, JSON.stringify(next));
}

async function setSecret(secretId: string, token: string): Promise<void> {
  const jwks = jwksOf(await pendingKeySet(secretId, token));
  const text = JSON.stringify(jwks);
  const published = await publishedJwks();
  if (published && JSON.stringify(published) === text) {
    log('info', 'the JWKS is published already');
    return;
  }
  await withRetry('PutParameter', () =>
    ssm.send(
      new PutParameterCommand({
        Name: env('JWKS_PARAMETER_NAME'),
        Value: text,
        Type: 'String',
        Overwrite: true,
        Description: 'Public keys of the signing key pair: current, then previous (JWKS)',
      }),
    ),
  );
  log('info', 'published the JWKS', { kids: jwks.keys.map((k) => k.kid) });
}

async function testSecret(secretId: string, token: string): Promise<void> {
  const pending = await pendingKeySet(secretId, token);
  const jwks = await publishedJwks();
  if (!jwks) throw new Error('no JWKS is published');
  const probe = signToken(pending.current, { sub: 'rotation-test', iat: Math.floor(Date.now() / 1000) });
  if (!verifyToken(probe, jwks))
    throw new Error(`a token signed with the pending key ${pending.current.kid} does not verify with the published JWKS`);
  if (pending.previous && !jwks.keys.some((k) => k.kid === pending.previous!.kid)) {
    throw new Error(`the published JWKS lacks the previous key ${pending.previous.kid}; tokens signed with it would stop verifying`);
  }
  log('info', 'a token signed with the pending key verifies; the previous key is still published');
}

/** The Lambda handler Secrets Manager invokes, once per step. */
export const handler = rotationHandler(secrets, { createSecret, setSecret, testSecret });
