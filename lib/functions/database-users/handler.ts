/**
 * CloudFormation custom resource (through the CDK provider framework): makes the application
 * database, one IAM-authenticated login role per service and a schema per service, as the master
 * user, on every create and update (see `users.ts`). Deleting the resource keeps everything: the
 * roles own the services' data.
 *
 * Properties: `SecretArn` (the master secret: username, password, host, port), `Database`, `Users`,
 * and `RestoreCheck` (`<schema>.<table>` of the row restore tests read, optional).
 * Nothing secret is logged or returned.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { Client, ClientConfig } from 'pg';
import { ensureDatabase, ensureRestoreCheck, ensureRoles, ensureSchemas, SqlClient } from './users';

/** Physical ID of the one resource: stable, so an update never replaces (and never "deletes") it. */
export const PHYSICAL_ID = 'database-users';

/** What the handler answers the provider framework. */
export interface HandlerResult {
  readonly PhysicalResourceId: string;
  readonly Data: { readonly Retired: string };
}

/** A connected client that can be closed. */
export interface Connection extends SqlClient {
  end(): Promise<void>;
}

/** How the handler reaches its dependencies (replaced in tests). */
export interface Dependencies {
  readonly secrets: SecretsManagerClient;
  readonly connect: (config: ClientConfig) => Promise<Connection>;
}

/**
 * TLS with certificate verification: `rds.force_ssl` is on, and the Lambda runtime trusts the RDS
 * certificate authorities once `NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem` is set (the function's
 * environment does).
 */
const connectWithTls = async (config: ClientConfig): Promise<Connection> => {
  const client = new Client({ ...config, ssl: { rejectUnauthorized: true }, connectionTimeoutMillis: 10_000 });
  await client.connect();
  return client;
};

/** Build the handler over its dependencies. */
export function makeHandler(deps: Dependencies) {
  return async (event: CloudFormationCustomResourceEvent): Promise<HandlerResult> => {
    if (event.RequestType === 'Delete') return { PhysicalResourceId: PHYSICAL_ID, Data: { Retired: '' } };
    const props = event.ResourceProperties as unknown as { SecretArn: string; Database: string; Users: string[]; RestoreCheck?: string };
    const users = [...(props.Users ?? [])];
    const secret = await deps.secrets.send(new GetSecretValueCommand({ SecretId: props.SecretArn }));
    const master = JSON.parse(secret.SecretString ?? '{}') as { username: string; password: string; host: string; port: number | string };
    const base: ClientConfig = { host: master.host, port: Number(master.port), user: master.username, password: master.password };

    const admin = await deps.connect({ ...base, database: 'postgres' });
    let retired: string[];
    try {
      await ensureDatabase(admin, props.Database);
      retired = await ensureRoles(admin, props.Database, users);
    } finally {
      await admin.end();
    }
    const app = await deps.connect({ ...base, database: props.Database });
    try {
      await ensureSchemas(app, users);
      if (props.RestoreCheck) {
        const [schema, table] = props.RestoreCheck.split('.');
        await ensureRestoreCheck(app, { schema, table });
      }
    } finally {
      await app.end();
    }
    console.info(JSON.stringify({ message: 'database users in place', database: props.Database, users, retired }));
    return { PhysicalResourceId: PHYSICAL_ID, Data: { Retired: retired.join(',') } };
  };
}

/** The Lambda entry point. */
export const handler = makeHandler({ secrets: new SecretsManagerClient({}), connect: connectWithTls });
