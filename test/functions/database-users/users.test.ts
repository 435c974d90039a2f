import { Client } from 'pg';
import { ensureDatabase, ensureRoles, ensureSchemas, identifier, MANAGED_ROLE_COMMENT } from '../../../lib/functions/database-users/users';
import { holdServerRoles, ROLES_LOCK_WAIT_MILLIS } from '../../postgres/exclusive';

/**
 * Against a real PostgreSQL (test/postgres/global-setup.mjs starts it, the RDS major version). The
 * SQL runs as an RDS-like master user: CREATEROLE and CREATEDB but not superuser, with ADMIN OPTION
 * on `rds_iam`, because that is what the RDS master user is and PostgreSQL 16+ treats it differently.
 */
const run = `r${process.pid}`;
const MASTER = `${run}_master`;
const DATABASE = `${run}_app`;
const connect = async (options: { user?: string; password?: string; database?: string } = {}) => {
  const client = new Client({ database: options.database, user: options.user, password: options.password });
  await client.connect();
  return client;
};

describe('database users, against PostgreSQL', () => {
  // The server's login roles are this file's until its afterAll (test/postgres/exclusive.ts).
  let releaseRoles: () => Promise<void>;
  beforeAll(async () => {
    releaseRoles = await holdServerRoles();
  }, ROLES_LOCK_WAIT_MILLIS);
  let superuser: Client;
  let master: Client;

  beforeAll(async () => {
    // GIVEN an RDS-like server: the rds_iam role and a master user that is not a superuser
    superuser = await connect();
    await superuser.query(
      `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam') THEN CREATE ROLE rds_iam; END IF; END $$`,
    );
    await superuser.query(`CREATE ROLE ${MASTER} LOGIN PASSWORD 'master' CREATEROLE CREATEDB`);
    await superuser.query(`GRANT rds_iam TO ${MASTER} WITH ADMIN OPTION`);
    master = await connect({ user: MASTER, password: 'master' });
  });

  afterAll(async () => {
    await master.end();
    await superuser.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    const { rows } = await superuser.query(`SELECT rolname FROM pg_roles WHERE rolname LIKE '${run}%' AND rolname <> '${MASTER}'`);
    for (const { rolname } of rows) await superuser.query(`DROP ROLE ${rolname}`);
    await superuser.query(`DROP ROLE ${MASTER}`);
    await superuser.end();
  });
  afterAll(async () => {
    await releaseRoles();
  });

  const users = [`${run}_web_api`, `${run}_worker`];

  test('creates the database, IAM-only login roles and one schema per service; a second run changes nothing', async () => {
    // WHEN the step runs twice (every deploy runs it)
    for (let i = 0; i < 2; i++) {
      expect(await ensureDatabase(master, DATABASE)).toBe(i === 0);
      expect(await ensureRoles(master, DATABASE, users)).toEqual([]);
      const app = await connect({ user: MASTER, password: 'master', database: DATABASE });
      try {
        await ensureSchemas(app, users);
      } finally {
        await app.end();
      }
    }

    // THEN each user can log in, authenticates through rds_iam, and owns its schema
    const { rows: roles } = await superuser.query(
      `SELECT rolname, rolcanlogin, rolsuper, pg_has_role(rolname, 'rds_iam', 'MEMBER') AS iam,
              shobj_description(oid, 'pg_authid') AS comment, rolconfig
         FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname`,
      [users],
    );
    expect(roles).toEqual(
      users.map((u) => ({
        rolname: u,
        rolcanlogin: true,
        rolsuper: false,
        iam: true,
        comment: MANAGED_ROLE_COMMENT,
        rolconfig: [`search_path=${u}`],
      })),
    );
    const app = await connect({ database: DATABASE });
    try {
      const { rows: schemas } = await app.query(
        `SELECT nspname, pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = ANY($1) ORDER BY nspname`,
        [users],
      );
      expect(schemas).toEqual(users.map((u) => ({ nspname: u, owner: u })));
    } finally {
      await app.end();
    }
  });

  test('a service can write into its own schema only, and not into public', async () => {
    const [webApi, worker] = users;
    const app = await connect({ database: DATABASE });
    try {
      await app.query(`SET ROLE ${webApi}`);
      await app.query(`CREATE TABLE ${webApi}.orders (id int)`);
      await expect(app.query(`CREATE TABLE ${worker}.stolen (id int)`)).rejects.toThrow(`permission denied for schema ${worker}`);
      await expect(app.query('CREATE TABLE public.shared (id int)')).rejects.toThrow('permission denied for schema public');
    } finally {
      await app.query('RESET ROLE');
      await app.end();
    }
  });

  test('only the listed users may connect to the application database', async () => {
    const { rows } = await superuser.query(
      `SELECT has_database_privilege($1, $2, 'CONNECT') AS listed, has_database_privilege('pg_monitor', $2, 'CONNECT') AS other`,
      [users[0], DATABASE],
    );
    expect(rows[0]).toEqual({ listed: true, other: false });
  });

  test('a service that leaves the catalog keeps its role and schema but can no longer log in; coming back restores it', async () => {
    // WHEN the worker is no longer listed
    expect(await ensureRoles(master, DATABASE, [users[0]])).toEqual([users[1]]);
    const login = async (u: string) =>
      (await superuser.query('SELECT rolcanlogin FROM pg_roles WHERE rolname = $1', [u])).rows[0].rolcanlogin;
    expect(await login(users[1])).toBe(false);
    expect(await login(users[0])).toBe(true);
    // WHEN it is listed again
    expect(await ensureRoles(master, DATABASE, users)).toEqual([]);
    expect(await login(users[1])).toBe(true);
  });

  test('roles the step did not make are never retired', async () => {
    await superuser.query(`CREATE ROLE ${run}_analyst LOGIN`);
    expect(await ensureRoles(master, DATABASE, users)).toEqual([]);
    const { rows } = await superuser.query('SELECT rolcanlogin FROM pg_roles WHERE rolname = $1', [`${run}_analyst`]);
    expect(rows[0].rolcanlogin).toBe(true);
  });
});

describe('identifier', () => {
  test.each(['web_api', 'worker', '_x1'])('quotes %s', (name) => {
    expect(identifier(name)).toBe(`"${name}"`);
  });
  test.each(['Web', 'web-api', 'a"; DROP ROLE x; --', '', 'x'.repeat(64)])('refuses %j', (name) => {
    expect(() => identifier(name)).toThrow(`"${name}" is not a valid database identifier; use lower-case letters, digits and underscores`);
  });
});
