/**
 * Rotates the secret origin header (Secrets Manager custom rotation, the four steps).
 *
 * The secret is JSON `{ "current": "<value>", "previous": "<value>" }`. CloudFront adds
 * `current` to every request to the API origin (header `HEADER_NAME`); the REGIONAL WebACL in front
 * of the ALB blocks requests whose header is none of the accepted values (rule `RULE_NAME`). A
 * rotation never leaves a moment in which CloudFront sends a value the WebACL refuses:
 *
 * 1. createSecret: a new random value becomes `current` of the AWSPENDING version, the value being
 *    replaced becomes its `previous`.
 * 2. setSecret: first the WebACL accepts the pending `current`, its `previous` and whatever the
 *    distribution sends right now (a rotation that failed half-way may have changed it); then the
 *    distribution's origin header changes to the pending `current`. CloudFront deploys that to its
 *    edge locations over minutes: requests with the old value still pass.
 * 3. testSecret: the WebACL accepts the new value and the distribution is configured to send it.
 * 4. finishSecret: the pending version becomes AWSCURRENT (what the templates' dynamic references
 *    resolve to on the next deploy).
 *
 * The previous value stays accepted until the next rotation replaces it. Every step can run again
 * (Secrets Manager retries a failed rotation): each first reads the state and skips what is done.
 * Throttling and optimistic-lock conflicts (WebACL lock token, distribution ETag) are retried with
 * backoff. No value is ever logged.
 *
 * Environment: `HEADER_NAME`, `RULE_NAME`, `WEB_ACL_NAME`, `WEB_ACL_ID`, `WEB_ACL_SCOPE`,
 * `DISTRIBUTION_ID`.
 */
import { randomBytes } from 'crypto';
import { CloudFrontClient, DistributionConfig, GetDistributionConfigCommand, UpdateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetWebACLCommand, Rule, Statement, UpdateWebACLCommand, UpdateWebACLRequest, WAFV2Client, WebACL } from '@aws-sdk/client-wafv2';
import { env, log, putPendingVersion, rotationHandler, withRetry } from '../rotation/steps';

export { MAX_ATTEMPTS, RETRYABLE_ERRORS, setSleep, withRetry } from '../rotation/steps';
export type { RotationEvent } from '../rotation/steps';

/** The secret's value. */
export interface OriginVerifyValue {
  /** What CloudFront sends. */
  readonly current: string;
  /** The value before, still accepted. @default - none (before the first rotation) */
  readonly previous?: string;
}

const VALUE_BYTES = 32;

const secrets = new SecretsManagerClient({});
const waf = new WAFV2Client({});
const cloudfront = new CloudFrontClient({});

/** Parse a version's value; throws (without the value) when it is not `{ current, previous? }`. */
export function parseValue(text: string | undefined): OriginVerifyValue {
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch {
    throw new Error('the secret is not JSON');
  }
  const v = value as Partial<OriginVerifyValue>;
  if (typeof v !== 'object' || v === null || typeof v.current !== 'string' || v.current === '') {
    throw new Error('the secret has no "current" value');
  }
  if (v.previous !== undefined && typeof v.previous !== 'string') throw new Error('the secret\'s "previous" is not a string');
  return { current: v.current, previous: v.previous || undefined };
}

async function secretValue(secretId: string, stage: string, versionId?: string): Promise<OriginVerifyValue> {
  const result = await withRetry('GetSecretValue', () =>
    secrets.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage, VersionId: versionId })),
  );
  return parseValue(result.SecretString);
}

const unique = (values: readonly (string | undefined)[]): string[] => [
  ...new Set(values.filter((v): v is string => v !== undefined && v !== '')),
];

// ---- WebACL ----------------------------------------------------------------------------------

const encode = (value: string): Uint8Array => new TextEncoder().encode(value);
const decode = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');

/** `header == value` for each value: one statement, or an OR of them (the shape the template has, `requiredHeaderStatement`). */
export function acceptedStatement(headerName: string, values: readonly string[]): Statement {
  const equals = (value: string): Statement => ({
    ByteMatchStatement: {
      FieldToMatch: { SingleHeader: { Name: headerName.toLowerCase() } },
      PositionalConstraint: 'EXACTLY',
      SearchString: encode(value),
      TextTransformations: [{ Priority: 0, Type: 'NONE' }],
    },
  });
  return values.length === 1 ? equals(values[0]) : { OrStatement: { Statements: values.map(equals) } };
}

/** The values a statement built by `acceptedStatement` accepts. */
export function acceptedValues(statement: Statement | undefined): string[] {
  if (statement?.ByteMatchStatement) return [decode(statement.ByteMatchStatement.SearchString)];
  const parts = statement?.OrStatement?.Statements;
  if (parts && parts.every((p) => p.ByteMatchStatement)) return parts.map((p) => decode(p.ByteMatchStatement!.SearchString));
  throw new Error('the header rule has an unexpected shape');
}

/** The rule's `NOT(accepted)` part: `AND(NOT(accepted), NOT(exempt))`. */
function acceptedPart(rule: Rule): { statement: Statement | undefined; replace: (s: Statement) => Rule } {
  const statements = rule.Statement?.AndStatement?.Statements;
  const not = statements?.[0]?.NotStatement;
  if (!statements || !not) throw new Error('the header rule has an unexpected shape');
  return {
    statement: not.Statement,
    replace: (s) => ({
      ...rule,
      Statement: { AndStatement: { Statements: [{ NotStatement: { Statement: s } }, ...statements.slice(1)] } },
    }),
  };
}

/** Fields of a WebACL that UpdateWebACL replaces: every one is sent back as it is, but the rules. */
const WEB_ACL_UPDATE_FIELDS = [
  'Description',
  'DataProtectionConfig',
  'CustomResponseBodies',
  'CaptchaConfig',
  'ChallengeConfig',
  'TokenDomains',
  'AssociationConfig',
  'OnSourceDDoSProtectionConfig',
  'ApplicationConfig',
] as const;

async function readWebAcl(): Promise<{ webAcl: WebACL; lockToken: string; rule: Rule }> {
  const result = await withRetry('GetWebACL', () =>
    waf.send(new GetWebACLCommand({ Name: env('WEB_ACL_NAME'), Id: env('WEB_ACL_ID'), Scope: env('WEB_ACL_SCOPE') as 'REGIONAL' })),
  );
  const webAcl = result.WebACL;
  const rule = webAcl?.Rules?.find((r) => r.Name === env('RULE_NAME'));
  if (!webAcl || !result.LockToken || !rule) throw new Error(`the WebACL has no rule ${env('RULE_NAME')}`);
  return { webAcl, lockToken: result.LockToken, rule };
}

/** The values the WebACL accepts now. */
export async function webAclAcceptedValues(): Promise<string[]> {
  const { rule } = await readWebAcl();
  return acceptedValues(acceptedPart(rule).statement);
}

/** Make the WebACL accept exactly `values`; nothing when it already does. A lost lock race starts over. */
async function setWebAclAcceptedValues(values: readonly string[]): Promise<void> {
  await withRetry('UpdateWebACL', async () => {
    const { webAcl, lockToken, rule } = await readWebAcl();
    const part = acceptedPart(rule);
    const now = acceptedValues(part.statement);
    if (now.length === values.length && values.every((v) => now.includes(v))) {
      log('info', 'the WebACL already accepts the values', { count: values.length });
      return;
    }
    const request: UpdateWebACLRequest = {
      Name: webAcl.Name,
      Scope: env('WEB_ACL_SCOPE') as 'REGIONAL',
      Id: webAcl.Id,
      DefaultAction: webAcl.DefaultAction,
      VisibilityConfig: webAcl.VisibilityConfig,
      LockToken: lockToken,
      Rules: webAcl.Rules?.map((r) => (r.Name === rule.Name ? part.replace(acceptedStatement(env('HEADER_NAME'), values)) : r)),
    };
    for (const field of WEB_ACL_UPDATE_FIELDS) {
      if (webAcl[field] !== undefined) (request as unknown as Record<string, unknown>)[field] = webAcl[field];
    }
    await waf.send(new UpdateWebACLCommand(request));
    log('info', 'the WebACL accepts the new set of values', { count: values.length });
  });
}

// ---- Distribution ----------------------------------------------------------------------------

/** The values the distribution's origins send in the header (one per origin that has it). */
export function distributionHeaderValues(config: DistributionConfig | undefined, headerName: string): string[] {
  const wanted = headerName.toLowerCase();
  return (config?.Origins?.Items ?? []).flatMap((origin) =>
    (origin.CustomHeaders?.Items ?? []).filter((h) => h.HeaderName?.toLowerCase() === wanted).map((h) => h.HeaderValue ?? ''),
  );
}

async function readDistribution(): Promise<{ config: DistributionConfig; etag: string }> {
  const result = await withRetry('GetDistributionConfig', () =>
    cloudfront.send(new GetDistributionConfigCommand({ Id: env('DISTRIBUTION_ID') })),
  );
  if (!result.DistributionConfig || !result.ETag) throw new Error('the distribution has no configuration');
  if (distributionHeaderValues(result.DistributionConfig, env('HEADER_NAME')).length === 0) {
    throw new Error(`no origin of the distribution sends ${env('HEADER_NAME')}`);
  }
  return { config: result.DistributionConfig, etag: result.ETag };
}

/** Make every origin that sends the header send `value`; nothing when it already does. */
async function setDistributionHeader(value: string): Promise<void> {
  const wanted = env('HEADER_NAME').toLowerCase();
  await withRetry('UpdateDistribution', async () => {
    const { config, etag } = await readDistribution();
    if (distributionHeaderValues(config, wanted).every((v) => v === value)) {
      log('info', 'the distribution already sends the value');
      return;
    }
    const items = (config.Origins?.Items ?? []).map((origin) => ({
      ...origin,
      CustomHeaders: origin.CustomHeaders && {
        ...origin.CustomHeaders,
        Items: origin.CustomHeaders.Items?.map((h) => (h.HeaderName?.toLowerCase() === wanted ? { ...h, HeaderValue: value } : h)),
      },
    }));
    await cloudfront.send(
      new UpdateDistributionCommand({
        Id: env('DISTRIBUTION_ID'),
        IfMatch: etag,
        DistributionConfig: { ...config, Origins: { ...config.Origins!, Items: items } },
      }),
    );
    log('info', 'the distribution sends the new value (deploying to the edge locations)');
  });
}

// ---- Steps -----------------------------------------------------------------------------------

async function createSecret(secretId: string, token: string): Promise<void> {
  try {
    await secretValue(secretId, 'AWSPENDING', token);
    log('info', 'the pending version exists already');
    return;
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException)) throw e;
  }
  const current = await secretValue(secretId, 'AWSCURRENT');
  const next: OriginVerifyValue = { current: randomBytes(VALUE_BYTES).toString('base64url'), previous: current.current };
  await putPendingVersion(secrets, secretId, token, JSON.stringify(next));
}

async function setSecret(secretId: string, token: string): Promise<void> {
  const pending = await secretValue(secretId, 'AWSPENDING', token);
  const { config } = await readDistribution();
  const sending = distributionHeaderValues(config, env('HEADER_NAME'));
  // Accept before sending: the WebACL first, then CloudFront.
  await setWebAclAcceptedValues(unique([pending.current, pending.previous, ...sending]));
  await setDistributionHeader(pending.current);
}

async function testSecret(secretId: string, token: string): Promise<void> {
  const pending = await secretValue(secretId, 'AWSPENDING', token);
  const accepted = await webAclAcceptedValues();
  const missing = unique([pending.current, pending.previous]).filter((v) => !accepted.includes(v));
  if (missing.length > 0) throw new Error(`the WebACL does not accept ${missing.length} value(s) of the pending version`);
  const { config } = await readDistribution();
  if (!distributionHeaderValues(config, env('HEADER_NAME')).every((v) => v === pending.current)) {
    throw new Error('the distribution does not send the pending value');
  }
  log('info', 'the WebACL accepts and the distribution sends the pending value');
}

/** The Lambda handler Secrets Manager invokes, once per step. */
export const handler = rotationHandler(secrets, { createSecret, setSecret, testSecret });
