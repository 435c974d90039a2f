import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';
import { connectionFrom, main } from '../../bin/migrate';
import { ensureDatabase, ensureRoles, ensureSchemas } from '../../lib/functions/database-users/users';
import { Migration, migrate, migrationsFrom } from '../../lib/migrations/runner';
import { holdServerRoles, ROLES_LOCK_WAIT_MILLIS } from '../postgres/exclusive';

/**
 * The migration runner against the real PostgreSQL jest starts (test/postgres/global-setup.mjs,
 * the RDS major version), with the database shaped as the Data stack shapes RDS: an RDS-like master
 * (CREATEROLE, CREATEDB, not superuser) made the application database, one login role per service
 * and a schema each (lib/functions/database-users/users.ts). The runner connects as the service's
 * user, as the PreSync Job does (there with an IAM token; here with a password, since there is no IAM).
 */
const run = `m${process.pid}`;
const MASTER = `${run}_master`;
const DATABASE = `${run}_app`;
const WEB = `${run}_web_api`;
const WORKER = `${run}_worker`;
const PASSWORD = 'service-password';

const connect = async (options: { user?: string; password?: string; database?: string } = {}) => {
  const client = new Client({ database: options.database, user: options.user, password: options.password });
  await client.connect();
  return client;
};
const asService = (user: string) => connect({ user, password: PASSWORD, database: DATABASE });
const files = (entries: Record<string, string>) => Object.entries(entries).map(([name, sql]) => ({ name, sql }));

describe('migration runner, against PostgreSQL', () => {
  // The server's login roles are this file's until its afterAll (test/postgres/exclusive.ts).
  let releaseRoles: () => Promise<void>;
  beforeAll(async () => {
    releaseRoles = await holdServerRoles();
  }, ROLES_LOCK_WAIT_MILLIS);
  let superuser: Client;

  beforeAll(async () => {
    // GIVEN the database as the Data stack leaves it: IAM-only service roles, a schema each
    superuser = await connect();
    await superuser.query(
      `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam') THEN CREATE ROLE rds_iam; END IF; END $$`,
    );
    await superuser.query(`CREATE ROLE ${MASTER} LOGIN PASSWORD 'master' CREATEROLE CREATEDB`);
    await superuser.query(`GRANT rds_iam TO ${MASTER} WITH ADMIN OPTION`);
    const master = await connect({ user: MASTER, password: 'master' });
    await ensureDatabase(master, DATABASE);
    await ensureRoles(master, DATABASE, [WEB, WORKER]);
    await master.end();
    const app = await connect({ user: MASTER, password: 'master', database: DATABASE });
    await ensureSchemas(app, [WEB, WORKER]);
    await app.end();
    // (tests only) a password instead of an IAM token
    for (const user of [WEB, WORKER]) await superuser.query(`ALTER ROLE ${user} PASSWORD '${PASSWORD}'`);
  });

  afterAll(async () => {
    await superuser.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    for (const role of [WEB, WORKER, MASTER]) await superuser.query(`DROP ROLE IF EXISTS ${role}`);
    await superuser.end();
  });
  afterAll(async () => {
    await releaseRoles();
  });

  /** Drop everything a test made in a schema, so that each test starts from an empty schema. */
  const emptySchema = async (schema: string) => {
    const owner = await asService(schema);
    const { rows } = await owner.query(`SELECT tablename FROM pg_tables WHERE schemaname = $1`, [schema]);
    for (const { tablename } of rows) await owner.query(`DROP TABLE "${schema}"."${tablename}" CASCADE`);
    await owner.end();
  };
  const inDatabase = async <T>(fn: (c: Client) => Promise<T>): Promise<T> => {
    const c = await connect({ database: DATABASE });
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  const tables = (schema: string) =>
    inDatabase(
      async (c) =>
        (
          await c.query(
            `SELECT c.relname AS name, pg_get_userbyid(c.relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY c.relname`,
            [schema],
          )
        ).rows,
    );
  const recorded = (schema: string) =>
    inDatabase(
      async (c) =>
        (await c.query(`SELECT m.version::text AS version, m.name FROM "${schema}".schema_migrations m ORDER BY m.version`)).rows,
    );

  const ORDERS = migrationsFrom(
    files({
      '0002_add_status.sql': `ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';`,
      '0001_create_orders.sql': `CREATE TABLE orders (id bigint PRIMARY KEY, total numeric NOT NULL);`,
      '10_create_index.sql': `CREATE INDEX orders_status ON orders (status);`,
    }),
  );

  beforeEach(async () => {
    await emptySchema(WEB);
  });

  test('applies the migrations in version order into the service schema, and a second run applies nothing', async () => {
    const client = await asService(WEB);
    try {
      // WHEN the Job runs (and runs again, as every sync does)
      const first = await migrate(client, { schema: WEB, migrations: ORDERS });
      const second = await migrate(client, { schema: WEB, migrations: ORDERS });
      // THEN the first run applies all three, numerically ordered (10 after 2), the second none
      expect(first).toEqual({ applied: ['0001', '0002', '10'], alreadyApplied: [] });
      expect(second).toEqual({ applied: [], alreadyApplied: ['0001', '0002', '10'] });
      expect(await recorded(WEB)).toEqual([
        { version: '1', name: '0001_create_orders.sql' },
        { version: '2', name: '0002_add_status.sql' },
        { version: '10', name: '10_create_index.sql' },
      ]);
      // and the tables are in the service's schema, owned by the service's user (never by the master)
      expect(await tables(WEB)).toEqual([
        { name: 'orders', owner: WEB },
        { name: 'schema_migrations', owner: WEB },
      ]);
      const { rows } = await client.query(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'orders'`,
        [WEB],
      );
      expect(rows.map((r) => r.column_name).sort()).toEqual(['id', 'status', 'total']);
    } finally {
      await client.end();
    }
  });

  test('a new migration on top of applied ones is the only one applied', async () => {
    const client = await asService(WEB);
    try {
      await migrate(client, { schema: WEB, migrations: ORDERS.slice(0, 2) });
      expect(await migrate(client, { schema: WEB, migrations: ORDERS })).toEqual({ applied: ['10'], alreadyApplied: ['0001', '0002'] });
    } finally {
      await client.end();
    }
  });

  test('two runs at once never interleave: one applies everything, the other waits for its lock and finds nothing to do', async () => {
    // GIVEN a slow first migration, so that the second run starts while the first holds the lock
    const slow: Migration[] = migrationsFrom(
      files({
        '0001_create_orders.sql': `SELECT pg_sleep(0.5); CREATE TABLE orders (id bigint PRIMARY KEY);`,
        '0002_add_total.sql': `ALTER TABLE orders ADD COLUMN total numeric;`,
      }),
    );
    const [a, b] = await Promise.all([asService(WEB), asService(WEB)]);
    try {
      // WHEN two Jobs (a retried one and a new sync's) run together
      const results = await Promise.all([
        migrate(a, { schema: WEB, migrations: slow }),
        new Promise((r) => setTimeout(r, 100)).then(() => migrate(b, { schema: WEB, migrations: slow })),
      ]);
      // THEN both succeed, and each migration was applied exactly once
      expect(results.map((r) => r.applied.length).sort()).toEqual([0, 2]);
      expect(results.find((r) => r.applied.length === 0)!.alreadyApplied).toEqual(['0001', '0002']);
      expect(await recorded(WEB)).toHaveLength(2);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  test('a failing migration rolls the whole run back: no table, nothing recorded', async () => {
    const failing = migrationsFrom(
      files({
        '0001_create_orders.sql': `CREATE TABLE orders (id bigint PRIMARY KEY);`,
        '0002_broken.sql': `ALTER TABLE no_such_table ADD COLUMN x int;`,
      }),
    );
    const client = await asService(WEB);
    try {
      await expect(migrate(client, { schema: WEB, migrations: failing })).rejects.toThrow(
        'migration 0002_broken.sql failed, nothing was applied: relation "no_such_table" does not exist',
      );
      // THEN the schema is as it was (the first migration's table is gone with the rollback)
      expect(await tables(WEB)).toEqual([]);
      // and the connection is usable again (the transaction was closed)
      expect((await client.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    } finally {
      await client.end();
    }
  });

  test("as the service's user, a migration cannot touch another service's schema, nor create objects in public", async () => {
    const client = await asService(WEB);
    try {
      for (const [name, sql] of [
        ['0001_reach_over.sql', `CREATE TABLE "${WORKER}".stolen (id int);`],
        ['0001_reach_public.sql', `CREATE TABLE public.stolen (id int);`],
      ]) {
        await expect(migrate(client, { schema: WEB, migrations: migrationsFrom(files({ [name]: sql })) })).rejects.toThrow(
          /permission denied for schema/,
        );
      }
      // nor can it migrate the other service's schema at all: it may not even create the migrations table there
      await expect(migrate(client, { schema: WORKER, migrations: ORDERS })).rejects.toThrow(/permission denied for schema/);
      expect(await tables(WORKER)).toEqual([]);
    } finally {
      await client.end();
    }
  });

  test('a migration edited after it was applied stops the run', async () => {
    const client = await asService(WEB);
    try {
      await migrate(client, { schema: WEB, migrations: ORDERS.slice(0, 1) });
      const edited = migrationsFrom(files({ '0001_create_orders.sql': `CREATE TABLE orders (id bigint PRIMARY KEY, extra int);` }));
      await expect(migrate(client, { schema: WEB, migrations: edited })).rejects.toThrow(
        'migration 0001_create_orders.sql changed after it was applied (recorded as 0001_create_orders.sql); add a new migration instead of editing an applied one',
      );
    } finally {
      await client.end();
    }
  });

  test('the webhook consumer convention (docs/cicd/application-delivery.md): a delivery ID is processed once, however often it arrives', async () => {
    const client = await asService(WEB);
    try {
      await migrate(client, {
        schema: WEB,
        migrations: migrationsFrom(
          files({
            '0001_processed_deliveries.sql':
              'CREATE TABLE processed_deliveries (delivery_id text PRIMARY KEY, processed_at timestamptz NOT NULL DEFAULT now());',
          }),
        ),
      });
      const consume = async (deliveryId: string) => {
        await client.query('BEGIN');
        const { rowCount } = await client.query('INSERT INTO processed_deliveries (delivery_id) VALUES ($1) ON CONFLICT DO NOTHING', [
          deliveryId,
        ]);
        await client.query('COMMIT');
        return rowCount === 1 ? 'processed' : 'skipped';
      };
      expect([await consume('d-1'), await consume('d-1'), await consume('d-2')]).toEqual(['processed', 'skipped', 'processed']);
    } finally {
      await client.end();
    }
  });

  describe('the Job entry point (bin/migrate.ts)', () => {
    const dir = () => {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
      for (const m of ORDERS) fs.writeFileSync(path.join(d, m.name), m.sql);
      return d;
    };
    const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
      DATABASE_HOST: process.env.PGHOST,
      DATABASE_PORT: process.env.PGPORT,
      DATABASE_NAME: DATABASE,
      DATABASE_USER: WEB,
      DATABASE_AUTH: 'password',
      DATABASE_PASSWORD: PASSWORD,
      ...extra,
    });

    test('applies the files of MIGRATIONS_DIR as DATABASE_USER and reports what it did', async () => {
      const lines: string[] = [];
      expect(await main(env({ MIGRATIONS_DIR: dir() }), (l) => lines.push(l))).toBe(0);
      expect(await main(env({ MIGRATIONS_DIR: dir() }), (l) => lines.push(l))).toBe(0);
      expect(lines).toEqual([
        `migrations of ${WEB}: 3 applied (0001, 0002, 10), 0 already applied`,
        `migrations of ${WEB}: 0 applied (none), 3 already applied`,
      ]);
    });

    test('a misnamed file fails the Job before it connects, naming the file', async () => {
      const d = dir();
      fs.writeFileSync(path.join(d, 'notes.txt'), 'not a migration');
      const lines: string[] = [];
      expect(await main(env({ MIGRATIONS_DIR: d }), (l) => lines.push(l))).toBe(1);
      expect(lines).toEqual([
        'migrations failed: migration file "notes.txt" is not named <version>_<description>.sql (digits, then lower-case letters, digits, _ or -)',
      ]);
    });

    test('IAM authentication (the default): a token for the user, over verified TLS', async () => {
      const asked: unknown[] = [];
      const config = await connectionFrom(
        { DATABASE_HOST: 'proxy.example', DATABASE_PORT: '5432', DATABASE_NAME: 'app', DATABASE_USER: 'web_api', AWS_REGION: 'eu-west-1' },
        async (o) => {
          asked.push(o);
          return 'token';
        },
      );
      expect(asked).toEqual([{ hostname: 'proxy.example', port: 5432, username: 'web_api', region: 'eu-west-1' }]);
      expect(config).toEqual({
        host: 'proxy.example',
        port: 5432,
        user: 'web_api',
        database: 'app',
        password: 'token',
        ssl: { rejectUnauthorized: true },
      });
    });

    test('missing or unknown settings are named', async () => {
      await expect(connectionFrom({ DATABASE_HOST: 'h' })).rejects.toThrow(
        'missing environment variables: DATABASE_PORT, DATABASE_NAME, DATABASE_USER, AWS_REGION',
      );
      await expect(connectionFrom({ DATABASE_AUTH: 'kerberos' })).rejects.toThrow(
        'DATABASE_AUTH: "kerberos" is not known; use iam or password',
      );
    });
  });

  describe('file convention', () => {
    test('every misnamed file, duplicate version and transaction statement is reported at once', () => {
      expect(() =>
        migrationsFrom(
          files({
            'create.sql': 'SELECT 1;',
            '001_a.sql': 'SELECT 1;',
            '1_b.sql': 'SELECT 1;',
            '0003_c.sql': 'BEGIN;\nCREATE TABLE t (id int);\nCOMMIT;',
          }),
        ),
      ).toThrow(
        [
          'migration file "create.sql" is not named <version>_<description>.sql (digits, then lower-case letters, digits, _ or -)',
          'migration file "0003_c.sql" controls the transaction (BEGIN, COMMIT, ROLLBACK); the runner runs them all in one',
          'migration files "001_a.sql" and "1_b.sql" have the same version',
        ].join('\n'),
      );
    });

    test('PL/pgSQL blocks are not mistaken for transaction control', () => {
      const sql = `DO $$\nBEGIN\n  RAISE NOTICE 'hi';\nEND;\n$$;`;
      expect(migrationsFrom(files({ '0001_notice.sql': sql })).map((m) => m.version)).toEqual(['0001']);
    });
  });
});
