/**
 * Validates a restore test (AWS Backup restore testing) when its restore job ends: EventBridge
 * delivers every "Restore Job State Change" of the account, the function handles those of its own
 * restore testing plan only.
 *
 * - Restore job failed or aborted: the test failed (metric 1), nothing to validate.
 * - Database (RDS): the restored instance (`awsbackup-restore-test-*`, in the database's isolated
 *   subnets behind the restore-test security group, which admits this function) gets a master
 *   password generated here, in memory, for this run only (the snapshot's own password may be any
 *   past version of the rotated secret; nothing is read from or written to a secret store, nothing
 *   is logged); once RDS has applied it, the function connects with TLS and reads the known table.
 * - Bucket (S3): the restored bucket lists the known object.
 * - Both: the restore job took at most the RTO.
 *
 * Then `PutRestoreValidationResult` (SUCCESSFUL or FAILED, with what was found) and the
 * `RestoreTestsFailed` metric (0 or 1) the `restore-test-failed` alarm watches. AWS Backup deletes
 * the restored resources after the validation window.
 */
import { randomBytes } from 'crypto';
import { BackupClient, DescribeRestoreJobCommand, PutRestoreValidationResultCommand } from '@aws-sdk/client-backup';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeDBInstancesCommand, ModifyDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Client, ClientConfig } from 'pg';
import { checkBucketListing, checkDatabase, checkDuration, combine, SqlClient, Verdict } from './checks';

/** What EventBridge delivers for a restore job (the fields the function reads). */
export interface RestoreJobEvent {
  readonly 'detail-type': string;
  readonly detail: { readonly restoreJobId: string; readonly status?: string };
}

/** The function's settings (its environment). */
export interface Settings {
  /** ARN of the restore testing plan whose jobs this function validates. */
  readonly restoreTestingPlanArn: string;
  /** The recovery time objective, in minutes. */
  readonly rtoMinutes: number;
  /** Database the known table is in. */
  readonly database: string;
  /** `<schema>.<table>` of the known table. */
  readonly table: string;
  /** Key of the object the restored bucket must hold. */
  readonly objectKey: string;
  /** Prefix of the names of restored resources; the function touches nothing else. */
  readonly restoredNamePrefix: string;
  /** CloudWatch namespace and metric name of the failed-test metric. */
  readonly metricNamespace: string;
  readonly metricName: string;
  /** How long to wait for RDS to apply the new password, in seconds. */
  readonly passwordWaitSeconds: number;
}

/** A connected client that can be closed. */
export interface Connection extends SqlClient {
  end(): Promise<void>;
}

/** How the function reaches its dependencies (replaced in tests). */
export interface Dependencies {
  readonly backup: BackupClient;
  readonly rds: RDSClient;
  readonly s3: S3Client;
  readonly cloudwatch: CloudWatchClient;
  readonly connect: (config: ClientConfig) => Promise<Connection>;
  readonly sleep: (millis: number) => Promise<void>;
  /** A fresh master password for the restored copy (letters and digits: RDS refuses /, @, " and spaces). */
  readonly password: () => string;
}

/** What the function did with one event. */
export type Outcome =
  | { readonly handled: false; readonly reason: string }
  | { readonly handled: true; readonly resourceType: string; readonly ok: boolean; readonly message: string };

const POLL_MILLIS = 15_000;
/** PutRestoreValidationResult accepts a message of this length at most. */
const MAX_MESSAGE = 2000;

/** `arn:aws:rds:<region>:<account>:db:<id>` -> `<id>`; `arn:aws:s3:::<bucket>` -> `<bucket>`. */
export function restoredName(arn: string | undefined): string | undefined {
  return arn?.split(':').pop();
}

/** Build the handler over its dependencies and settings. */
export function makeHandler(deps: Dependencies, settings: Settings) {
  // Once per resource type (for the dashboard) and once without dimensions (what the alarm watches).
  const publish = async (resourceType: string, failed: boolean) =>
    deps.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: settings.metricNamespace,
        MetricData: [
          {
            MetricName: settings.metricName,
            Dimensions: [{ Name: 'ResourceType', Value: resourceType }],
            Value: failed ? 1 : 0,
            Unit: 'Count',
          },
          { MetricName: settings.metricName, Value: failed ? 1 : 0, Unit: 'Count' },
        ],
      }),
    );

  const validateDatabase = async (instanceId: string): Promise<Verdict> => {
    const password = deps.password();
    await deps.rds.send(
      new ModifyDBInstanceCommand({ DBInstanceIdentifier: instanceId, MasterUserPassword: password, ApplyImmediately: true }),
    );
    const deadline = settings.passwordWaitSeconds * 1000;
    for (let waited = 0; ; waited += POLL_MILLIS) {
      await deps.sleep(POLL_MILLIS);
      const { DBInstances } = await deps.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: instanceId }));
      const db = DBInstances?.[0];
      if (db?.DBInstanceStatus === 'available' && !db.PendingModifiedValues?.MasterUserPassword && db.Endpoint?.Address) {
        let client: Connection | undefined;
        try {
          client = await deps.connect({
            host: db.Endpoint.Address,
            port: db.Endpoint.Port ?? 5432,
            user: db.MasterUsername,
            password,
            database: settings.database,
          });
          return await checkDatabase(client, settings.table);
        } catch (e) {
          return { ok: false, message: `connecting to the restored database failed: ${(e as Error).message}` };
        } finally {
          await client?.end();
        }
      }
      if (waited + POLL_MILLIS >= deadline) {
        return {
          ok: false,
          message: `${instanceId} did not apply the new password within ${settings.passwordWaitSeconds} s (status ${db?.DBInstanceStatus ?? 'unknown'})`,
        };
      }
    }
  };

  const validateBucket = async (bucket: string): Promise<Verdict> => {
    const listing = await deps.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: settings.objectKey, MaxKeys: 10 }));
    return checkBucketListing(
      (listing.Contents ?? []).map((o) => o.Key ?? ''),
      settings.objectKey,
      bucket,
    );
  };

  return async (event: RestoreJobEvent): Promise<Outcome> => {
    const restoreJobId = event.detail.restoreJobId;
    const job = await deps.backup.send(new DescribeRestoreJobCommand({ RestoreJobId: restoreJobId }));
    if (job.CreatedBy?.RestoreTestingPlanArn !== settings.restoreTestingPlanArn) {
      return { handled: false, reason: `restore job ${restoreJobId} is not a test of ${settings.restoreTestingPlanArn}` };
    }
    const resourceType = job.ResourceType ?? 'unknown';
    if (job.Status !== 'COMPLETED') {
      if (job.Status === 'PENDING' || job.Status === 'RUNNING')
        return { handled: false, reason: `restore job ${restoreJobId} is ${job.Status}` };
      await publish(resourceType, true);
      const message = `the restore job ${job.Status}: ${job.StatusMessage ?? 'no message'}`;
      console.error(JSON.stringify({ message: 'restore test failed', restoreJobId, resourceType, reason: message }));
      return { handled: true, resourceType, ok: false, message };
    }

    const name = restoredName(job.CreatedResourceArn);
    let verdict: Verdict;
    if (!name || !name.startsWith(settings.restoredNamePrefix)) {
      verdict = {
        ok: false,
        message: `the restored resource ${String(job.CreatedResourceArn)} is not named ${settings.restoredNamePrefix}*; not touching it`,
      };
    } else {
      await deps.backup.send(
        new PutRestoreValidationResultCommand({
          RestoreJobId: restoreJobId,
          ValidationStatus: 'VALIDATING',
          ValidationStatusMessage: 'validating',
        }),
      );
      let check: Verdict;
      try {
        if (resourceType === 'RDS') check = await validateDatabase(name);
        else if (resourceType === 'S3') check = await validateBucket(name);
        else check = { ok: false, message: `no validation for resource type ${resourceType}` };
      } catch (e) {
        check = { ok: false, message: `validation failed: ${(e as Error).message}` };
      }
      verdict = combine([check, checkDuration(job.CreationDate, job.CompletionDate, settings.rtoMinutes)]);
    }
    await deps.backup.send(
      new PutRestoreValidationResultCommand({
        RestoreJobId: restoreJobId,
        ValidationStatus: verdict.ok ? 'SUCCESSFUL' : 'FAILED',
        ValidationStatusMessage: verdict.message.slice(0, MAX_MESSAGE),
      }),
    );
    await publish(resourceType, !verdict.ok);
    const log = JSON.stringify({
      message: verdict.ok ? 'restore test passed' : 'restore test failed',
      restoreJobId,
      resourceType,
      result: verdict.message,
    });
    if (verdict.ok) console.info(log);
    else console.error(log);
    return { handled: true, resourceType, ok: verdict.ok, message: verdict.message };
  };
}

/**
 * TLS with certificate verification (the restored copy keeps `rds.force_ssl`): the Lambda runtime
 * trusts the RDS certificate authorities once `NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem` is set.
 */
const connectWithTls = async (config: ClientConfig): Promise<Connection> => {
  const client = new Client({ ...config, ssl: { rejectUnauthorized: true }, connectionTimeoutMillis: 10_000 });
  await client.connect();
  return client;
};

/** The settings from the function's environment. */
export function settingsFrom(env: NodeJS.ProcessEnv): Settings {
  const required = (key: string): string => {
    const value = env[key];
    if (!value) throw new Error(`environment variable ${key} is not set`);
    return value;
  };
  return {
    restoreTestingPlanArn: required('RESTORE_TESTING_PLAN_ARN'),
    rtoMinutes: Number(required('RTO_MINUTES')),
    database: required('DATABASE_NAME'),
    table: required('RESTORE_CHECK_TABLE'),
    objectKey: required('RESTORE_CHECK_OBJECT'),
    restoredNamePrefix: required('RESTORED_NAME_PREFIX'),
    metricNamespace: required('METRIC_NAMESPACE'),
    metricName: required('METRIC_NAME'),
    passwordWaitSeconds: Number(env.PASSWORD_WAIT_SECONDS ?? '600'),
  };
}

/** The Lambda entry point (built on first use, so that importing this module reads no environment). */
let live: ((event: RestoreJobEvent) => Promise<Outcome>) | undefined;
export const handler = async (event: RestoreJobEvent): Promise<Outcome> => {
  live ??= makeHandler(
    {
      backup: new BackupClient({}),
      rds: new RDSClient({}),
      s3: new S3Client({}),
      cloudwatch: new CloudWatchClient({}),
      connect: connectWithTls,
      sleep: (millis) => new Promise((resolve) => setTimeout(resolve, millis)),
      password: () => randomBytes(20).toString('hex'),
    },
    settingsFrom(process.env),
  );
  return live(event);
};
