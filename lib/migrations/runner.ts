/**
 * The platform's database migration runner: a service's SQL files, applied in order, once, to the
 * service's own schema, as the service's own database user.
 *
 * Convention (docs/cicd/application-delivery.md#database-migrations): a service that uses the database keeps its
 * migrations in `services/<service>/migrations/`, one file per change, named
 * `<version>_<description>.sql` (`0001_create_orders.sql`): versions are digits, compared as
 * numbers, unique. The image build packs them with this runner into the service's migrations image;
 * an Argo CD PreSync Job runs it before every sync of the service.
 *
 * One run is one transaction:
 * 1. `pg_advisory_xact_lock` on a key derived from the schema: a second run (two syncs, a retried
 *    Job) waits until the first commits, then finds everything applied; two runs never interleave;
 * 2. `schema_migrations` (version, name, checksum, applied_at) is created in the schema if missing;
 * 3. a migration already recorded is skipped, unless its file changed since (checksum): that stops
 *    the run, because the database no longer matches the files;
 * 4. the pending migrations run in version order and are recorded;
 * 5. COMMIT. Any error rolls back the whole run: the schema is as it was, nothing is recorded.
 *
 * Statements that PostgreSQL refuses inside a transaction (`CREATE INDEX CONCURRENTLY`, `VACUUM`)
 * cannot be migrations. The runner never connects as anyone but the service's user, so a
 * migration can change only what that user owns: its schema.
 */
import { createHash } from 'crypto';
import { identifier, SqlClient } from '../functions/database-users/users';

/** One migration file. */
export interface Migration {
  /** Digits before the first `_`, e.g. `0001`. */
  readonly version: string;
  /** File name, e.g. `0001_create_orders.sql`. */
  readonly name: string;
  /** The SQL. */
  readonly sql: string;
  /** sha256 of the SQL, hex: a changed file after it was applied is refused. */
  readonly checksum: string;
}

/** What a run did. */
export interface MigrationResult {
  /** Versions applied by this run, in order. */
  readonly applied: readonly string[];
  /** Versions that were applied before. */
  readonly alreadyApplied: readonly string[];
}

/** Options of `migrate`. */
export interface MigrateOptions {
  /** The schema to migrate: the service's own, named like its database user (`databaseUserName`). */
  readonly schema: string;
  /** The migrations (from `migrationsFrom`). */
  readonly migrations: readonly Migration[];
  /**
   * How long to wait for another run's lock before giving up, in milliseconds.
   * @default 300000 (five minutes: a long migration of another run may be holding it)
   */
  readonly lockTimeoutMillis?: number;
}

/** The table a schema's applied migrations are recorded in. */
export const MIGRATIONS_TABLE = 'schema_migrations';

const FILE_NAME = /^(\d+)_[a-z0-9_-]+\.sql$/;

/** A statement that would end the run's transaction: the runner owns it. */
const TRANSACTION_CONTROL = /(^|;)\s*(begin|commit|rollback|start\s+transaction)\s*;/im;

/** A file name's problem, or undefined when it follows the convention. */
function fileNameProblem(name: string): string | undefined {
  return FILE_NAME.test(name)
    ? undefined
    : `migration file "${name}" is not named <version>_<description>.sql (digits, then lower-case letters, digits, _ or -)`;
}

/**
 * The migrations of a service's directory, in version order. Other files are not allowed (a
 * misnamed file would be skipped silently otherwise); versions must be unique as numbers.
 */
export function migrationsFrom(files: readonly { readonly name: string; readonly sql: string }[]): Migration[] {
  const problems = files.map((f) => fileNameProblem(f.name)).filter((p): p is string => p !== undefined);
  for (const f of files.filter((file) => TRANSACTION_CONTROL.test(file.sql))) {
    problems.push(`migration file "${f.name}" controls the transaction (BEGIN, COMMIT, ROLLBACK); the runner runs them all in one`);
  }
  const migrations = files
    .filter((f) => !fileNameProblem(f.name))
    .map((f) => ({
      version: FILE_NAME.exec(f.name)![1],
      name: f.name,
      sql: f.sql,
      checksum: createHash('sha256').update(f.sql).digest('hex'),
    }))
    .sort((a, b) => compareVersions(a.version, b.version));
  for (let i = 1; i < migrations.length; i++) {
    if (compareVersions(migrations[i - 1].version, migrations[i].version) === 0) {
      problems.push(`migration files "${migrations[i - 1].name}" and "${migrations[i].name}" have the same version`);
    }
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return migrations;
}

/** Versions compare as numbers: `10` comes after `9` whatever the padding. */
function compareVersions(a: string, b: string): number {
  const diff = BigInt(a) - BigInt(b);
  return diff === 0n ? 0 : diff < 0n ? -1 : 1;
}

/** Apply the pending migrations to `schema` in one transaction, under the schema's advisory lock. */
export async function migrate(client: SqlClient, options: MigrateOptions): Promise<MigrationResult> {
  const schema = identifier(options.schema);
  const table = `${schema}.${MIGRATIONS_TABLE}`;
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL lock_timeout = ${Math.trunc(options.lockTimeoutMillis ?? 300_000)}`);
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`saas-platform.migrations.${options.schema}`]);
    await client.query(`SET LOCAL search_path = ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${table} (
         version numeric PRIMARY KEY,
         name text NOT NULL,
         checksum text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query(`SELECT version::text AS version, name, checksum FROM ${table}`);
    const recorded = new Map(rows.map((r) => [BigInt(String(r.version)).toString(), r]));
    const applied: string[] = [];
    const alreadyApplied: string[] = [];
    for (const migration of options.migrations) {
      const before = recorded.get(BigInt(migration.version).toString());
      if (before) {
        if (before.checksum !== migration.checksum) {
          throw new Error(
            `migration ${migration.name} changed after it was applied (recorded as ${String(before.name)}); add a new migration instead of editing an applied one`,
          );
        }
        alreadyApplied.push(migration.version);
        continue;
      }
      try {
        await client.query(migration.sql);
      } catch (e) {
        throw new Error(`migration ${migration.name} failed, nothing was applied: ${(e as Error).message}`);
      }
      await client.query(`INSERT INTO ${table} (version, name, checksum) VALUES ($1, $2, $3)`, [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return { applied, alreadyApplied };
  } catch (e) {
    await client.query('ROLLBACK');
    throw e;
  }
}
