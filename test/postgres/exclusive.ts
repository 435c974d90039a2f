import { Client } from 'pg';

/** The advisory lock key of the shared server's login roles (any fixed number; only these tests take it). */
const ROLES_LOCK = 7_160_017;

/** How long a test file waits for another to finish with the server's roles. */
export const ROLES_LOCK_WAIT_MILLIS = 120_000;

/**
 * Take the shared PostgreSQL's login roles for this test file: call in `beforeAll` (with
 * `ROLES_LOCK_WAIT_MILLIS` as its timeout) and call what it returns in `afterAll`.
 *
 * On RDS one master user owns every role the database-users step makes, and the step retires the
 * managed roles no longer in the catalog. The test server is shared by the test files that run at
 * once (one per jest worker), each with its own master user: one file's step would try to retire
 * the roles of another (and PostgreSQL 16+ refuses: "permission denied to alter role"). Files that
 * run the step hold this lock, so they take turns, as deploys of one database do.
 */
export async function holdServerRoles(): Promise<() => Promise<void>> {
  const client = new Client();
  await client.connect();
  await client.query('SELECT pg_advisory_lock($1)', [ROLES_LOCK]);
  return async () => {
    await client.query('SELECT pg_advisory_unlock($1)', [ROLES_LOCK]);
    await client.end();
  };
}
