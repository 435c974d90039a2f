#!/usr/bin/env node
/**
 * Entry point of a service's migrations image (the Argo CD PreSync Job, and the image build's
 * integration test): applies `MIGRATIONS_DIR/*.sql` to the service's schema with
 * `lib/migrations/runner.ts`.
 *
 * Reads the same variables the service's pods get (docs/k8s/deployment-standards.md, "settings"):
 *   DATABASE_HOST, DATABASE_PORT, DATABASE_NAME, DATABASE_USER   where and as whom (the schema is the user's)
 *   AWS_REGION                                                   for the IAM authentication token
 *   MIGRATIONS_DIR                                               default /migrations
 *   DATABASE_AUTH                                                `iam` (default: a token from the pod's role, TLS
 *                                                                verified) or `password` (the build's throwaway
 *                                                                database only: DATABASE_PASSWORD, no TLS)
 */
import * as fs from 'fs';
import * as path from 'path';
import { Signer } from '@aws-sdk/rds-signer';
import { Client, ClientConfig } from 'pg';
import { migrate, migrationsFrom } from '../lib/migrations/runner';

/** How a password for the database user is obtained. */
export type TokenSource = (options: { hostname: string; port: number; username: string; region: string }) => Promise<string>;

/** An IAM authentication token for the user, signed with the pod's credentials (Pod Identity). */
export const iamToken: TokenSource = (options) => new Signer(options).getAuthToken();

/** The connection settings from the environment; throws naming every missing variable. */
export async function connectionFrom(env: NodeJS.ProcessEnv, token: TokenSource = iamToken): Promise<ClientConfig> {
  const auth = env.DATABASE_AUTH ?? 'iam';
  const required = [
    'DATABASE_HOST',
    'DATABASE_PORT',
    'DATABASE_NAME',
    'DATABASE_USER',
    auth === 'iam' ? 'AWS_REGION' : 'DATABASE_PASSWORD',
  ];
  const missing = required.filter((name) => !env[name]);
  if (auth !== 'iam' && auth !== 'password') throw new Error(`DATABASE_AUTH: "${auth}" is not known; use iam or password`);
  if (missing.length > 0) throw new Error(`missing environment variables: ${missing.join(', ')}`);
  const host = env.DATABASE_HOST!;
  const port = Number(env.DATABASE_PORT);
  const user = env.DATABASE_USER!;
  const base = { host, port, user, database: env.DATABASE_NAME! };
  if (auth === 'password') return { ...base, password: env.DATABASE_PASSWORD };
  // IAM authentication requires TLS; the RDS Proxy's certificate chains to a public root (Amazon Trust Services).
  return {
    ...base,
    password: await token({ hostname: host, port, username: user, region: env.AWS_REGION! }),
    ssl: { rejectUnauthorized: true },
  };
}

/** The migration files of a directory (every `.sql` file; other files are refused by the runner's naming rule). */
export function readMigrations(dir: string): { name: string; sql: string }[] {
  return fs
    .readdirSync(dir)
    .filter((name) => fs.statSync(path.join(dir, name)).isFile())
    .map((name) => ({ name, sql: fs.readFileSync(path.join(dir, name), 'utf8') }));
}

/** Run the migrations; returns the process exit code. */
export async function main(
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = console.log,
  token: TokenSource = iamToken,
): Promise<number> {
  let client: Client | undefined;
  try {
    const migrations = migrationsFrom(readMigrations(env.MIGRATIONS_DIR ?? '/migrations'));
    const config = await connectionFrom(env, token);
    client = new Client(config);
    await client.connect();
    const result = await migrate(client, { schema: config.user!, migrations });
    log(
      `migrations of ${config.user}: ${result.applied.length} applied (${result.applied.join(', ') || 'none'}), ${result.alreadyApplied.length} already applied`,
    );
    return 0;
  } catch (e) {
    log(`migrations failed: ${(e as Error).message}`);
    return 1;
  } finally {
    await client?.end();
  }
}

if (require.main === module) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
