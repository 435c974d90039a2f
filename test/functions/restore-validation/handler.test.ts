import { BackupClient, DescribeRestoreJobCommand, PutRestoreValidationResultCommand } from '@aws-sdk/client-backup';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeDBInstancesCommand, ModifyDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Client, ClientConfig } from 'pg';
import { RESTORE_CHECK_OBJECT_KEY, RESTORE_CHECK_TABLE, RESTORE_TEST_NAME_PREFIX, restoreCheckTableName } from '../../../lib/config/backup';
import { ensureRestoreCheck } from '../../../lib/functions/database-users/users';
import { Settings, makeHandler, restoredName, settingsFrom } from '../../../lib/functions/restore-validation/handler';

const run = `rv${process.pid}`;
/** The restored copy's master user and database (RDS keeps the master user's name; the password is reset). */
const MASTER = `${run}_master`;
const DATABASE = `${run}_app`;
const PLAN_ARN = 'arn:aws:backup:eu-west-1:111111111111:restore-testing-plan:saas_platform_prod-abcdef';
const INSTANCE = `${RESTORE_TEST_NAME_PREFIX}0123456789`;
const BUCKET = `${RESTORE_TEST_NAME_PREFIX}uploads-0123456789`;

const backup = mockClient(BackupClient);
const rds = mockClient(RDSClient);
const s3 = mockClient(S3Client);
const cloudwatch = mockClient(CloudWatchClient);

const settings: Settings = {
  restoreTestingPlanArn: PLAN_ARN,
  rtoMinutes: 120,
  database: DATABASE,
  table: restoreCheckTableName(),
  objectKey: RESTORE_CHECK_OBJECT_KEY,
  restoredNamePrefix: RESTORE_TEST_NAME_PREFIX,
  metricNamespace: 'SaasPlatform',
  metricName: 'RestoreTestsFailed',
  passwordWaitSeconds: 60,
};

const event = { 'detail-type': 'Restore Job State Change', detail: { restoreJobId: 'job-1', status: 'COMPLETED' } };
const created = new Date('2026-12-01T06:00:00Z');
const minutesLater = (m: number) => new Date(created.getTime() + m * 60_000);
const job = (overrides: Record<string, unknown> = {}) => ({
  RestoreJobId: 'job-1',
  Status: 'COMPLETED' as const,
  ResourceType: 'RDS',
  CreatedResourceArn: `arn:aws:rds:eu-west-1:111111111111:db:${INSTANCE}`,
  CreatedBy: { RestoreTestingPlanArn: PLAN_ARN },
  CreationDate: created,
  CompletionDate: minutesLater(40),
  ...overrides,
});
/** The final validation result the handler reported, if any. */
const reported = () =>
  backup
    .commandCalls(PutRestoreValidationResultCommand)
    .map((c) => c.args[0].input)
    .filter((i) => i.ValidationStatus !== 'VALIDATING');
const published = () => cloudwatch.commandCalls(PutMetricDataCommand).flatMap((c) => c.args[0].input.MetricData!.map((d) => d.Value));

describe('restore-validation handler', () => {
  let superuser: Client;
  const passwords: string[] = [];
  let logs: jest.SpyInstance[] = [];
  const connect = async (config: ClientConfig) => {
    const client = new Client(config);
    await client.connect();
    return client;
  };
  /** The handler over the mocked clients and the real PostgreSQL, with a fixed password and other settings. */
  const handlerWith = (password: () => string, overrides: Partial<Settings> = {}) =>
    makeHandler(
      {
        backup: new BackupClient({}),
        rds: new RDSClient({}),
        s3: new S3Client({}),
        cloudwatch: new CloudWatchClient({}),
        connect,
        sleep: async () => undefined,
        password,
      },
      { ...settings, ...overrides },
    );
  const handler = handlerWith(() => {
    const p = `pw${passwords.length}${run}`;
    passwords.push(p);
    return p;
  });

  beforeAll(async () => {
    // GIVEN a "restored copy": the master user (as on RDS: CREATEROLE, CREATEDB, not superuser) and the
    // application database with the known table, written by the SAME function the database-users step uses
    superuser = new Client();
    await superuser.connect();
    await superuser.query(`CREATE ROLE ${MASTER} LOGIN PASSWORD 'snapshot-era-password' CREATEROLE CREATEDB`);
    await superuser.query(`CREATE DATABASE ${DATABASE} OWNER ${MASTER}`);
    const app = new Client({ database: DATABASE, user: MASTER, password: 'snapshot-era-password' });
    await app.connect();
    await ensureRestoreCheck(app, RESTORE_CHECK_TABLE);
    await app.end();
  });
  afterAll(async () => {
    await superuser.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await superuser.query(`DROP ROLE IF EXISTS ${MASTER}`);
    await superuser.end();
  });
  beforeEach(() => {
    for (const mock of [backup, rds, s3, cloudwatch]) mock.reset();
    passwords.length = 0;
    logs = [
      jest.spyOn(console, 'info').mockImplementation(() => undefined),
      jest.spyOn(console, 'error').mockImplementation(() => undefined),
    ];
    backup.on(DescribeRestoreJobCommand).resolves(job());
    // RDS applies the new master password: the mock sets it on the PostgreSQL role
    rds.on(ModifyDBInstanceCommand).callsFake(async (input) => {
      await superuser.query(`ALTER ROLE ${MASTER} PASSWORD '${input.MasterUserPassword}'`);
      return {};
    });
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        {
          DBInstanceIdentifier: INSTANCE,
          DBInstanceStatus: 'available',
          MasterUsername: MASTER,
          Endpoint: { Address: process.env.PGHOST, Port: Number(process.env.PGPORT) },
          PendingModifiedValues: {},
        },
      ],
    });
  });
  afterEach(() => logs.forEach((l) => l.mockRestore()));

  test('a restored database that answers the query on the known table passes: SUCCESSFUL, metric 0', async () => {
    // WHEN the restore job of the database completes within the RTO
    const outcome = await handler(event);
    // THEN the function set a fresh password on the restored copy only, read the table, reported success
    expect(rds.commandCalls(ModifyDBInstanceCommand).map((c) => c.args[0].input)).toEqual([
      { DBInstanceIdentifier: INSTANCE, MasterUserPassword: passwords[0], ApplyImmediately: true },
    ]);
    expect(outcome).toEqual(expect.objectContaining({ handled: true, resourceType: 'RDS', ok: true }));
    expect(reported()).toEqual([
      expect.objectContaining({
        RestoreJobId: 'job-1',
        ValidationStatus: 'SUCCESSFUL',
        ValidationStatusMessage: expect.stringMatching(
          /^restore_check\.marker answered: 1 row, written .*; restored in 40 min \(RTO 120 min\)$/,
        ),
      }),
    ]);
    expect(published()).toEqual([0, 0]);
    // AND the password appears in no message and no log
    const said = JSON.stringify([reported(), logs.map((l) => l.mock.calls)]);
    expect(said).not.toContain(passwords[0]);
  });

  test('a restored database without the known table fails: FAILED, metric 1', async () => {
    // GIVEN a copy whose database lacks the table (e.g. restored from before the step existed)
    await superuser.query(`CREATE DATABASE ${DATABASE}_empty OWNER ${MASTER}`);
    const empty = handlerWith(() => `empty${run}`, { database: `${DATABASE}_empty` });
    try {
      const outcome = await empty(event);
      expect(outcome).toEqual(expect.objectContaining({ ok: false }));
      expect(reported()).toEqual([
        expect.objectContaining({
          ValidationStatus: 'FAILED',
          ValidationStatusMessage: expect.stringMatching(
            /^querying restore_check\.marker in the restored database failed: relation "restore_check\.marker" does not exist/,
          ),
        }),
      ]);
      expect(published()).toEqual([1, 1]);
    } finally {
      await superuser.query(`DROP DATABASE ${DATABASE}_empty WITH (FORCE)`);
    }
  });

  test('an empty known table fails', async () => {
    await superuser.query(`CREATE DATABASE ${DATABASE}_rows OWNER ${MASTER}`);
    await superuser.query(`ALTER ROLE ${MASTER} PASSWORD 'rows-setup'`);
    const app = new Client({ database: `${DATABASE}_rows`, user: MASTER, password: 'rows-setup' });
    await app.connect();
    try {
      await ensureRestoreCheck(app, RESTORE_CHECK_TABLE);
      await app.query(`DELETE FROM ${restoreCheckTableName()}`);
      const rowsGone = handlerWith(() => `rows${run}`, { database: `${DATABASE}_rows` });
      await rowsGone(event);
      expect(reported()[0]).toEqual(
        expect.objectContaining({
          ValidationStatus: 'FAILED',
          ValidationStatusMessage: expect.stringMatching(
            /^restore_check\.marker is empty in the restored database; expected the row the database-users step writes/,
          ),
        }),
      );
    } finally {
      await app.end();
      await superuser.query(`DROP DATABASE ${DATABASE}_rows WITH (FORCE)`);
    }
  });

  test('a restored database that never applies the new password fails after the wait', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [{ DBInstanceStatus: 'modifying', PendingModifiedValues: { MasterUserPassword: '****' } }],
    });
    await handler(event);
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(4); // 60 s / 15 s
    expect(reported()[0]).toEqual(
      expect.objectContaining({
        ValidationStatus: 'FAILED',
        ValidationStatusMessage: expect.stringMatching(
          new RegExp(`^${INSTANCE} did not apply the new password within 60 s \\(status modifying\\)`),
        ),
      }),
    );
  });

  test('a restored database that refuses the connection fails, naming no password', async () => {
    // GIVEN an endpoint where nothing listens (a security group that does not admit the function looks alike)
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        { DBInstanceStatus: 'available', MasterUsername: MASTER, Endpoint: { Address: '127.0.0.1', Port: 1 }, PendingModifiedValues: {} },
      ],
    });
    await handler(event);
    const [result] = reported();
    expect(result.ValidationStatus).toBe('FAILED');
    expect(result.ValidationStatusMessage).toMatch(/^connecting to the restored database failed: connect ECONNREFUSED 127\.0\.0\.1:1/);
    expect(result.ValidationStatusMessage).not.toContain(passwords[0]);
  });

  test.each([
    [[RESTORE_CHECK_OBJECT_KEY], 'SUCCESSFUL', `${BUCKET} holds ${RESTORE_CHECK_OBJECT_KEY}; restored in 40 min (RTO 120 min)`],
    [
      [],
      'FAILED',
      `${BUCKET} does not hold ${RESTORE_CHECK_OBJECT_KEY}; the restored bucket lacks the object every recovery point should have; restored in 40 min (RTO 120 min)`,
    ],
  ])('a restored bucket listing %j: %s', async (keys, status, message) => {
    // GIVEN the restore test of the uploads bucket
    backup.on(DescribeRestoreJobCommand).resolves(job({ ResourceType: 'S3', CreatedResourceArn: `arn:aws:s3:::${BUCKET}` }));
    s3.on(ListObjectsV2Command, { Bucket: BUCKET, Prefix: RESTORE_CHECK_OBJECT_KEY }).resolves({ Contents: keys.map((Key) => ({ Key })) });
    await handler(event);
    expect(reported()).toEqual([{ RestoreJobId: 'job-1', ValidationStatus: status, ValidationStatusMessage: message }]);
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
  });

  test('a restore slower than the RTO fails even when the data is there', async () => {
    backup
      .on(DescribeRestoreJobCommand)
      .resolves(job({ ResourceType: 'S3', CreatedResourceArn: `arn:aws:s3:::${BUCKET}`, CompletionDate: minutesLater(121) }));
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: RESTORE_CHECK_OBJECT_KEY }] });
    await handler(event);
    expect(reported()[0]).toEqual(
      expect.objectContaining({
        ValidationStatus: 'FAILED',
        ValidationStatusMessage: `${BUCKET} holds ${RESTORE_CHECK_OBJECT_KEY}; restored in 121 min, over the RTO of 120 min`,
      }),
    );
    expect(published()).toEqual([1, 1]);
  });

  test('a restored resource not named like a restore test copy is not touched', async () => {
    backup.on(DescribeRestoreJobCommand).resolves(job({ CreatedResourceArn: 'arn:aws:rds:eu-west-1:111111111111:db:saas-platform-prod' }));
    await handler(event);
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
    expect(reported()[0].ValidationStatus).toBe('FAILED');
    expect(reported()[0].ValidationStatusMessage).toBe(
      `the restored resource arn:aws:rds:eu-west-1:111111111111:db:saas-platform-prod is not named ${RESTORE_TEST_NAME_PREFIX}*; not touching it`,
    );
  });

  test('a restored resource type the function cannot check fails the test, and an AWS error is a failed check', async () => {
    backup.on(DescribeRestoreJobCommand).resolves(
      job({
        ResourceType: 'Aurora',
        CreatedResourceArn: `arn:aws:rds:eu-west-1:111111111111:cluster:${RESTORE_TEST_NAME_PREFIX}cluster`,
      }),
    );
    await handler(event);
    expect(reported()[0].ValidationStatusMessage).toBe('no validation for resource type Aurora; restored in 40 min (RTO 120 min)');
    backup.on(DescribeRestoreJobCommand).resolves(job({ ResourceType: 'S3', CreatedResourceArn: `arn:aws:s3:::${BUCKET}` }));
    s3.on(ListObjectsV2Command).rejects(new Error('Access Denied'));
    await handler(event);
    expect(reported()[1].ValidationStatusMessage).toBe('validation failed: Access Denied; restored in 40 min (RTO 120 min)');
  });

  test('a failed restore job is a failed test: metric 1, nothing to validate', async () => {
    backup.on(DescribeRestoreJobCommand).resolves(job({ Status: 'FAILED', StatusMessage: 'snapshot not found' }));
    const outcome = await handler(event);
    expect(outcome).toEqual({ handled: true, resourceType: 'RDS', ok: false, message: 'the restore job FAILED: snapshot not found' });
    expect(reported()).toEqual([]);
    expect(published()).toEqual([1, 1]);
  });

  test.each([
    [
      'of another plan',
      job({ CreatedBy: { RestoreTestingPlanArn: `${PLAN_ARN}-other` } }),
      `restore job job-1 is not a test of ${PLAN_ARN}`,
    ],
    ['not started by restore testing', job({ CreatedBy: undefined }), `restore job job-1 is not a test of ${PLAN_ARN}`],
    ['still running', job({ Status: 'RUNNING' }), 'restore job job-1 is RUNNING'],
  ])('a restore job %s is ignored', async (_what, described, reason) => {
    backup.on(DescribeRestoreJobCommand).resolves(described);
    expect(await handler(event)).toEqual({ handled: false, reason });
    expect(backup.commandCalls(PutRestoreValidationResultCommand)).toHaveLength(0);
    expect(cloudwatch.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });

  test('the metric goes out per resource type and without dimensions (what the alarm watches)', async () => {
    backup.on(DescribeRestoreJobCommand).resolves(job({ ResourceType: 'S3', CreatedResourceArn: `arn:aws:s3:::${BUCKET}` }));
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: RESTORE_CHECK_OBJECT_KEY }] });
    await handler(event);
    expect(cloudwatch.commandCalls(PutMetricDataCommand)[0].args[0].input).toEqual({
      Namespace: 'SaasPlatform',
      MetricData: [
        { MetricName: 'RestoreTestsFailed', Dimensions: [{ Name: 'ResourceType', Value: 'S3' }], Value: 0, Unit: 'Count' },
        { MetricName: 'RestoreTestsFailed', Value: 0, Unit: 'Count' },
      ],
    });
  });

  test('restoredName takes the last ARN segment', () => {
    expect(restoredName(`arn:aws:rds:eu-west-1:1:db:${INSTANCE}`)).toBe(INSTANCE);
    expect(restoredName(`arn:aws:s3:::${BUCKET}`)).toBe(BUCKET);
    expect(restoredName(undefined)).toBeUndefined();
  });

  test('settings come from the environment; a missing one is named', () => {
    const env = {
      RESTORE_TESTING_PLAN_ARN: PLAN_ARN,
      RTO_MINUTES: '120',
      DATABASE_NAME: DATABASE,
      RESTORE_CHECK_TABLE: restoreCheckTableName(),
      RESTORE_CHECK_OBJECT: RESTORE_CHECK_OBJECT_KEY,
      RESTORED_NAME_PREFIX: RESTORE_TEST_NAME_PREFIX,
      METRIC_NAMESPACE: 'SaasPlatform',
      METRIC_NAME: 'RestoreTestsFailed',
      PASSWORD_WAIT_SECONDS: '60',
    };
    expect(settingsFrom(env)).toEqual(settings);
    expect(settingsFrom({ ...env, PASSWORD_WAIT_SECONDS: undefined }).passwordWaitSeconds).toBe(600);
    expect(() => settingsFrom({ ...env, RTO_MINUTES: undefined })).toThrow('environment variable RTO_MINUTES is not set');
  });
});
