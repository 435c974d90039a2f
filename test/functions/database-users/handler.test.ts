import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { Client, ClientConfig } from 'pg';
import { makeHandler, PHYSICAL_ID } from '../../../lib/functions/database-users/handler';
import { holdServerRoles, ROLES_LOCK_WAIT_MILLIS } from '../../postgres/exclusive';

const run = `h${process.pid}`;
const MASTER = `${run}_master`;
const DATABASE = `${run}_app`;
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:database-master-AbCdEf';
const secrets = mockClient(SecretsManagerClient);

const event = (type: 'Create' | 'Update' | 'Delete', users: string[]): CloudFormationCustomResourceEvent =>
  ({
    RequestType: type,
    ServiceToken: 'token',
    ResponseURL: 'https://example.com',
    StackId: 'stack',
    RequestId: 'request',
    LogicalResourceId: 'DatabaseUsers',
    ResourceType: 'Custom::DatabaseUsers',
    PhysicalResourceId: PHYSICAL_ID,
    ResourceProperties: { ServiceToken: 'token', SecretArn: SECRET_ARN, Database: DATABASE, Users: users },
    OldResourceProperties: {},
  }) as CloudFormationCustomResourceEvent;

describe('database-users handler, against PostgreSQL', () => {
  // The server's login roles are this file's until its afterAll (test/postgres/exclusive.ts).
  let releaseRoles: () => Promise<void>;
  beforeAll(async () => {
    releaseRoles = await holdServerRoles();
  }, ROLES_LOCK_WAIT_MILLIS);
  let superuser: Client;
  const opened: ClientConfig[] = [];
  const connect = async (config: ClientConfig) => {
    opened.push(config);
    const client = new Client(config);
    await client.connect();
    return client;
  };
  const handler = makeHandler({ secrets: new SecretsManagerClient({}), connect });

  beforeAll(async () => {
    superuser = new Client();
    await superuser.connect();
    await superuser.query(
      `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam') THEN CREATE ROLE rds_iam; END IF; END $$`,
    );
    await superuser.query(`CREATE ROLE ${MASTER} LOGIN PASSWORD 'master-password' CREATEROLE CREATEDB`);
    await superuser.query(`GRANT rds_iam TO ${MASTER} WITH ADMIN OPTION`);
  });
  afterAll(async () => {
    await superuser.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    for (const role of [`${run}_a`, `${run}_b`, MASTER]) await superuser.query(`DROP ROLE IF EXISTS ${role}`);
    await superuser.end();
  });
  afterAll(async () => {
    await releaseRoles();
  });
  beforeEach(() => {
    // GIVEN the master secret as RDS writes it (host and port attached by the instance)
    secrets.reset();
    opened.length = 0;
    secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({
      SecretString: JSON.stringify({
        username: MASTER,
        password: 'master-password',
        host: process.env.PGHOST,
        port: Number(process.env.PGPORT),
      }),
    });
  });

  test('create: logs in as the master user from the secret and makes every user; the log holds no secret', async () => {
    const log = jest.spyOn(console, 'info').mockImplementation(() => undefined);
    const result = await handler(event('Create', [`${run}_a`, `${run}_b`]));
    expect(log).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(log.mock.calls[0][0]))).toEqual({
      message: 'database users in place',
      database: DATABASE,
      users: [`${run}_a`, `${run}_b`],
      retired: [],
    });
    log.mockRestore();
    expect(result).toEqual({ PhysicalResourceId: PHYSICAL_ID, Data: { Retired: '' } });
    expect(opened.map((c) => [c.user, c.database])).toEqual([
      [MASTER, 'postgres'],
      [MASTER, DATABASE],
    ]);
    const { rows } = await superuser.query(
      `SELECT count(*)::int AS n FROM pg_roles WHERE rolname IN ('${run}_a', '${run}_b') AND rolcanlogin`,
    );
    expect(rows[0].n).toBe(2);
  });

  test('update: a user no longer listed is retired, and the answer says which; the physical ID never changes', async () => {
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
    const result = await handler(event('Update', [`${run}_a`]));
    expect(result).toEqual({ PhysicalResourceId: PHYSICAL_ID, Data: { Retired: `${run}_b` } });
  });

  test("delete: touches nothing (the roles own the services' data)", async () => {
    const result = await handler(event('Delete', []));
    expect(result.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(opened).toEqual([]);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  test('a wrong master password fails the deploy step (CloudFormation rolls back the update)', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({
      SecretString: JSON.stringify({ username: MASTER, password: 'wrong', host: process.env.PGHOST, port: process.env.PGPORT }),
    });
    await expect(handler(event('Update', [`${run}_a`]))).rejects.toThrow(`password authentication failed for user "${MASTER}"`);
  });
});
