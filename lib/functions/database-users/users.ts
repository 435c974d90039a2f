/**
 * The database side of "one database user per service": idempotent SQL that makes the application
 * database, a login role per service that authenticates with IAM only (`rds_iam`), and a schema per
 * service owned by that role. Run by the Data stack's database-users step on every deploy whose
 * service list changes, before any service starts (CloudFormation orders it after the database).
 *
 * No passwords: clients authenticate to the RDS Proxy with IAM tokens and the proxy authenticates to
 * the database with IAM too (end-to-end IAM), so there is no service password to create, hand out or
 * rotate, and no window in which a rotation could run before the user exists.
 *
 * A service that leaves the catalog keeps its role and schema (its data), but the role loses LOGIN.
 * Managed roles are recognised by their comment, so hand-made roles are never touched.
 */

/** The part of a `pg` client these functions use. */
export interface SqlClient {
  query(text: string, values?: readonly unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** Comment on every role this module manages. */
export const MANAGED_ROLE_COMMENT = 'saas-platform: service database user (IAM authentication)';

/** The role RDS grants IAM database authentication through. */
export const IAM_ROLE = 'rds_iam';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** `name` as a quoted identifier, after checking it is one of ours (lower-case, digits, underscores). */
export function identifier(name: string): string {
  if (!IDENTIFIER.test(name))
    throw new Error(`"${name}" is not a valid database identifier; use lower-case letters, digits and underscores`);
  return `"${name}"`;
}

/** Make the application database if it does not exist; only the listed users may connect to it. */
export async function ensureDatabase(admin: SqlClient, database: string): Promise<boolean> {
  const db = identifier(database);
  const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  const created = rows.length === 0;
  // CREATE DATABASE cannot run in a transaction block, and has no IF NOT EXISTS.
  if (created) await admin.query(`CREATE DATABASE ${db}`);
  await admin.query(`REVOKE ALL ON DATABASE ${db} FROM PUBLIC`);
  return created;
}

/**
 * On the server (connected to any database as the master user): the login roles, IAM-only, with
 * CONNECT on the application database; roles we made earlier that are no longer listed lose LOGIN.
 * Returns the roles retired.
 */
export async function ensureRoles(admin: SqlClient, database: string, users: readonly string[]): Promise<string[]> {
  const db = identifier(database);
  for (const user of users) {
    const role = identifier(user);
    const { rows } = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user]);
    if (rows.length === 0) await admin.query(`CREATE ROLE ${role} LOGIN`);
    else await admin.query(`ALTER ROLE ${role} LOGIN`);
    await admin.query(`COMMENT ON ROLE ${role} IS '${MANAGED_ROLE_COMMENT}'`);
    await admin.query(`GRANT ${IAM_ROLE} TO ${role}`);
    await admin.query(`GRANT CONNECT ON DATABASE ${db} TO ${role}`);
    await admin.query(`ALTER ROLE ${role} SET search_path = ${role}`);
  }
  const { rows: managed } = await admin.query(
    `SELECT r.rolname AS name FROM pg_roles r
       JOIN pg_shdescription d ON d.objoid = r.oid AND d.classoid = 'pg_authid'::regclass
      WHERE d.description = $1 AND r.rolcanlogin`,
    [MANAGED_ROLE_COMMENT],
  );
  const retired = managed.map((r) => String(r.name)).filter((name) => !users.includes(name));
  for (const name of retired) await admin.query(`ALTER ROLE ${identifier(name)} NOLOGIN`);
  return retired;
}

/**
 * In the application database (connected to it as the master user): a schema per user, owned by it,
 * and nobody may create objects in `public`, so a service can write only into its own schema.
 */
export async function ensureSchemas(app: SqlClient, users: readonly string[]): Promise<void> {
  await app.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
  for (const user of users) {
    const role = identifier(user);
    // PostgreSQL 16+: making a schema for another role needs the right to SET ROLE to it; the RDS
    // master user is not a superuser, and created the role with ADMIN OPTION only.
    await app.query(`GRANT ${role} TO CURRENT_USER WITH INHERIT FALSE, SET TRUE`);
    // A new schema grants nothing to PUBLIC: only its owner may use it.
    await app.query(`CREATE SCHEMA IF NOT EXISTS ${role} AUTHORIZATION ${role}`);
  }
}

/**
 * In the application database (as the master user): the one-row table a restore test reads from the
 * restored copy (`RESTORE_CHECK_TABLE` in lib/config/backup.ts), `<schema>.<table>`. No service's
 * schema has its name (the catalog validator refuses a service with a database named after it), and
 * it belongs to the master user: no service can write or drop it. The row says when the step last ran; a restored copy
 * holds the row of its recovery point.
 */
export async function ensureRestoreCheck(app: SqlClient, check: { readonly schema: string; readonly table: string }): Promise<void> {
  const schema = identifier(check.schema);
  const table = `${schema}.${identifier(check.table)}`;
  await app.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await app.query(
    `CREATE TABLE IF NOT EXISTS ${table} (id integer PRIMARY KEY CHECK (id = 1), written_at timestamptz NOT NULL DEFAULT now())`,
  );
  await app.query(`INSERT INTO ${table} (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET written_at = now()`);
}
