/**
 * What every custom rotation function of the platform shares (Secrets Manager calls it four times
 * per rotation: createSecret, setSecret, testSecret, finishSecret): the event, retries with
 * backoff for throttling and transient faults, the checks that decide whether a step runs at all,
 * the finishing move of AWSCURRENT, and JSON logs that never carry a value.
 */
import {
  DescribeSecretCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';

/** What Secrets Manager sends each step. */
export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
}

/** Errors worth another attempt: throttling, transient faults, a lost optimistic-lock race. */
export const RETRYABLE_ERRORS: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'InternalServiceError',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'WAFInternalErrorException',
  'WAFUnavailableEntityException',
  'WAFOptimisticLockException',
  'PreconditionFailed',
  'InvalidIfMatchVersion',
]);

/** Attempts of one call (the first included) before the step fails. */
export const MAX_ATTEMPTS = 5;
const BASE_DELAY_MILLIS = 200;

let sleep = (millis: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, millis));

/** Replace the backoff's sleep (tests). */
export function setSleep(fn: (millis: number) => Promise<void>): void {
  sleep = fn;
}

/** One JSON log line; callers never pass a secret value. */
export function log(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown> = {}): void {
  console[level](JSON.stringify({ level, message, ...fields }));
}

/** `fn`, again after a backoff while it fails with a retryable error, at most `MAX_ATTEMPTS` times. */
export async function withRetry<T>(what: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const name = (e as Error).name;
      if (!RETRYABLE_ERRORS.has(name) || attempt >= MAX_ATTEMPTS) throw e;
      const delay = BASE_DELAY_MILLIS * 2 ** (attempt - 1) * (1 + Math.random());
      log('warn', 'retrying', { what, error: name, attempt });
      await sleep(delay);
    }
  }
}

/** A configuration value of the function (environment variable); throws when it is missing. */
export function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/**
 * Whether the step must run, from the secret's metadata: not when the version is already
 * AWSCURRENT (a late retry after finishSecret); an error when rotation is off, or the version is
 * unknown or not AWSPENDING (Secrets Manager labels the version of a rotation AWSPENDING before
 * createSecret). Returns the versions and their stages when it must run.
 */
export async function versionsToRotate(secrets: SecretsManagerClient, event: RotationEvent): Promise<Record<string, string[]> | undefined> {
  const { SecretId: secretId, ClientRequestToken: token, Step: step } = event;
  const meta = await withRetry('DescribeSecret', () => secrets.send(new DescribeSecretCommand({ SecretId: secretId })));
  if (!meta.RotationEnabled) throw new Error('rotation is not enabled for the secret');
  const versions = meta.VersionIdsToStages ?? {};
  const stages = versions[token];
  if (!stages) throw new Error(`version ${token} has no stage for rotation of the secret`);
  if (stages.includes('AWSCURRENT')) {
    log('info', 'the version is AWSCURRENT already', { step });
    return undefined;
  }
  if (!stages.includes('AWSPENDING')) throw new Error(`version ${token} is not AWSPENDING for rotation of the secret`);
  log('info', 'step', { step });
  return versions;
}

/**
 * createSecret's last move: `value` becomes the AWSPENDING version `token`. An attempt whose answer
 * was lost may have made it already (ResourceExistsException for that version ID): then it is the
 * pending version, and nothing more is done. Returns whether this call made it.
 */
export async function putPendingVersion(secrets: SecretsManagerClient, secretId: string, token: string, value: string): Promise<boolean> {
  try {
    await withRetry('PutSecretValue', () =>
      secrets.send(
        new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: token, SecretString: value, VersionStages: ['AWSPENDING'] }),
      ),
    );
    log('info', 'created the pending version');
    return true;
  } catch (e) {
    if (!(e instanceof ResourceExistsException)) throw e;
    log('info', 'the pending version was made by an earlier attempt');
    return false;
  }
}

/** finishSecret: the pending version becomes AWSCURRENT, the label leaves the version that had it. */
export async function finishSecret(
  secrets: SecretsManagerClient,
  secretId: string,
  token: string,
  versions: Record<string, string[]>,
): Promise<void> {
  const current = Object.entries(versions).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
  await withRetry('UpdateSecretVersionStage', () =>
    secrets.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: token,
        RemoveFromVersionId: current,
      }),
    ),
  );
  log('info', 'the pending version is AWSCURRENT');
}

/** The three steps a rotation function implements itself (finishSecret is the same for all). */
export interface RotationSteps {
  readonly createSecret: (secretId: string, token: string) => Promise<void>;
  readonly setSecret: (secretId: string, token: string) => Promise<void>;
  readonly testSecret: (secretId: string, token: string) => Promise<void>;
}

/**
 * The Lambda handler Secrets Manager invokes once per step: checks the version (`versionsToRotate`),
 * runs the step, and finishes with the common finishSecret.
 */
export function rotationHandler(secrets: SecretsManagerClient, steps: RotationSteps): (event: RotationEvent) => Promise<void> {
  return async (event) => {
    const { SecretId: secretId, ClientRequestToken: token, Step: step } = event;
    const versions = await versionsToRotate(secrets, event);
    if (!versions) return;
    switch (step) {
      case 'createSecret':
        return steps.createSecret(secretId, token);
      case 'setSecret':
        return steps.setSecret(secretId, token);
      case 'testSecret':
        return steps.testSecret(secretId, token);
      case 'finishSecret':
        return finishSecret(secrets, secretId, token, versions);
      default:
        throw new Error(`unknown step ${String(step)}`);
    }
  };
}
