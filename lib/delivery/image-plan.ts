/**
 * The image build of one service, as an ordered plan of commands (argument vectors, never shell
 * strings): build -> scan -> test -> push -> sign -> verify. `npm run image` prints or runs it; the
 * per-service CodeBuild projects and Jenkins' Dockerize stage call that script, so the order lives
 * here once. Pure: no process is started, nothing is read.
 *
 * - build: the service's `runtime` stage (`services/<name>/Dockerfile`) and, for a service that uses
 *   the database, its migrations image (the platform's runner with the service's SQL files);
 * - scan: Trivy on the local images, before anything is pushed; the build fails on the configured
 *   severities (`DELIVERY.failOnSeverities`), so a vulnerable image never reaches the registry;
 * - test: a real PostgreSQL (the RDS major version) in a container, the service's user and schema
 *   made as the Data stack makes them, the migrations image applied to it, then the service's
 *   `integration-test` stage run against it; the database is removed whatever happens;
 * - push: to the tooling registry, tagged with the commit (immutable repositories);
 * - sign: the pushed digest, with the KMS key the admission policy verifies (cosign flags: see
 *   docs/k8s/deployment-standards.md#image-signing), once per digest;
 * - verify: the signature, with the same key and options as Kyverno, before anyone releases it.
 */
import { ImageSigningKeyRef } from '../config/image-signing';
import {
  DeliverySettings,
  INTEGRATION_TEST_TARGET,
  MIGRATIONS_DOCKERFILE,
  RUNTIME_TARGET,
  imageTag,
  migrationsImageTag,
  serviceSource,
} from '../config/delivery';
import { APPLICATION_DATABASE, databaseUserName } from '../config/naming';

/** One step of the plan. */
export interface ImageStep {
  /** Which stage of the build it belongs to. */
  readonly stage: 'build' | 'scan' | 'test' | 'push' | 'sign' | 'verify';
  /** What it does, for the log. */
  readonly description: string;
  /** The command; `{digest:<name>}` stands for a digest captured by an earlier step. */
  readonly command: readonly string[];
  /** A command whose output is this one's standard input (never printed: the registry password). */
  readonly stdinFrom?: readonly string[];
  /** Name under which the digest this step prints (`<repo>@sha256:...`) is kept. */
  readonly captureDigest?: string;
  /** Runs even after an earlier step failed (clean-up of the test database). */
  readonly always?: boolean;
}

/** What the plan is built from. */
export interface ImagePlanInput {
  /** The service (its catalog entry). */
  readonly service: { readonly name: string; readonly image: { readonly repository: string }; readonly database?: boolean };
  /** The commit the images are built from; their tag. */
  readonly commit: string;
  /** The tooling registry host. */
  readonly registry: string;
  /** The tooling account's region (the registry's). */
  readonly region: string;
  /** The signing key, as cosign and Kyverno address it. */
  readonly signingKey: ImageSigningKeyRef;
  /** Scan severities, test database image. */
  readonly settings: DeliverySettings;
}

/** Environment variables the runner sets for the test steps: named in commands, never written in them. */
export const TEST_DATABASE_PASSWORD_VARIABLES = ['POSTGRES_PASSWORD', 'DATABASE_PASSWORD'] as const;

/** The bundled migration runner the migrations Dockerfile copies (built by the plan's first step). */
export const MIGRATION_RUNNER_BUNDLE = 'dist/migrations/migrate.js';

/** The plan of one service's image build. */
export function imagePlan(input: ImagePlanInput): ImageStep[] {
  const { service, commit, registry, settings } = input;
  const source = serviceSource(service.name);
  const repository = `${registry}/${service.image.repository}`;
  const images = [{ key: 'image', ref: `${repository}:${imageTag(commit)}` }];
  if (service.database) images.push({ key: 'migrations', ref: `${repository}:${migrationsImageTag(imageTag(commit))}` });
  const testImage = `${service.name}-integration-test:${commit}`;
  const network = `it-${service.name}-${commit.slice(0, 12)}`;
  const database = `${network}-postgres`;
  const user = databaseUserName(service.name);
  const steps: ImageStep[] = [];

  steps.push({
    stage: 'build',
    description: `the ${service.name} image (stage ${RUNTIME_TARGET})`,
    command: [
      'docker',
      'build',
      '--pull',
      '--target',
      RUNTIME_TARGET,
      '--label',
      `org.opencontainers.image.revision=${commit}`,
      '--tag',
      images[0].ref,
      '--file',
      source.dockerfile,
      source.context,
    ],
  });
  if (service.database) {
    steps.push({
      stage: 'build',
      description: 'the migration runner, bundled',
      command: [
        'npx',
        '--no-install',
        'esbuild',
        'bin/migrate.ts',
        '--bundle',
        '--platform=node',
        '--target=node22',
        '--external:pg-native',
        `--outfile=${MIGRATION_RUNNER_BUNDLE}`,
      ],
    });
    steps.push({
      stage: 'build',
      description: `the ${service.name} migrations image (the runner and ${source.migrations}/*.sql)`,
      command: [
        'docker',
        'build',
        '--pull',
        '--build-context',
        `migrations=${source.migrations}`,
        '--label',
        `org.opencontainers.image.revision=${commit}`,
        '--tag',
        images[1].ref,
        '--file',
        MIGRATIONS_DOCKERFILE,
        '.',
      ],
    });
  }
  for (const { ref } of images) {
    steps.push({
      stage: 'scan',
      description: `${ref}: fails on ${settings.failOnSeverities.join(', ')}`,
      command: [
        'trivy',
        'image',
        '--exit-code',
        '1',
        '--severity',
        settings.failOnSeverities.join(','),
        '--scanners',
        'vuln,secret',
        '--no-progress',
        ...(settings.ignoreUnfixed ? ['--ignore-unfixed'] : []),
        ref,
      ],
    });
  }

  steps.push({ stage: 'test', description: 'a network for the test database', command: ['docker', 'network', 'create', network] });
  const dbEnv = [
    '--env',
    'DATABASE_HOST=' + database,
    '--env',
    'DATABASE_PORT=5432',
    '--env',
    `DATABASE_NAME=${APPLICATION_DATABASE}`,
    '--env',
    `DATABASE_USER=${user}`,
    '--env',
    'DATABASE_PASSWORD',
  ];
  if (service.database) {
    steps.push({
      stage: 'test',
      description: `PostgreSQL (${settings.testDatabaseImage})`,
      command: [
        'docker',
        'run',
        '--detach',
        '--name',
        database,
        '--network',
        network,
        '--env',
        'POSTGRES_PASSWORD',
        settings.testDatabaseImage,
      ],
    });
    steps.push({
      stage: 'test',
      description: 'wait until it accepts TCP connections (the image first starts a socket-only server to initialise)',
      command: [
        'docker',
        'exec',
        database,
        'sh',
        '-c',
        'for i in $(seq 60); do pg_isready --host 127.0.0.1 --quiet && exit 0; sleep 1; done; exit 1',
      ],
    });
    // What the Data stack's database-users step makes on RDS (lib/functions/database-users/users.ts), with a password instead of IAM.
    const sql = [
      `CREATE DATABASE ${APPLICATION_DATABASE}`,
      `CREATE ROLE ${user} LOGIN PASSWORD :'password'`,
      `\\connect ${APPLICATION_DATABASE}`,
      'REVOKE CREATE ON SCHEMA public FROM PUBLIC',
      `CREATE SCHEMA ${user} AUTHORIZATION ${user}`,
      `ALTER ROLE ${user} SET search_path = ${user}`,
    ].join('\n');
    steps.push({
      stage: 'test',
      description: `the database ${APPLICATION_DATABASE}, the user ${user} and its schema, as on RDS`,
      command: [
        'docker',
        'exec',
        '--env',
        'POSTGRES_PASSWORD',
        database,
        'sh',
        '-c',
        `psql --username postgres --set ON_ERROR_STOP=1 --set password="$POSTGRES_PASSWORD" <<'SQL'\n${sql}\nSQL`,
      ],
    });
    steps.push({
      stage: 'test',
      description: 'the migrations image, as the PreSync Job runs it (non-root, read-only)',
      command: [
        'docker',
        'run',
        '--rm',
        '--network',
        network,
        '--read-only',
        '--user',
        '10001',
        '--env',
        'DATABASE_AUTH=password',
        ...dbEnv,
        images[1].ref,
      ],
    });
  }
  steps.push({
    stage: 'test',
    description: `the ${service.name} integration tests (stage ${INTEGRATION_TEST_TARGET})`,
    command: ['docker', 'build', '--target', INTEGRATION_TEST_TARGET, '--tag', testImage, '--file', source.dockerfile, source.context],
  });
  steps.push({
    stage: 'test',
    description: service.database ? 'run them against the database' : 'run them',
    command: ['docker', 'run', '--rm', '--network', network, ...(service.database ? dbEnv : []), testImage],
  });
  if (service.database)
    steps.push({ stage: 'test', description: 'remove the test database', command: ['docker', 'rm', '--force', database], always: true });
  steps.push({ stage: 'test', description: 'remove the test network', command: ['docker', 'network', 'rm', network], always: true });

  steps.push({
    stage: 'push',
    description: `log in to ${registry}`,
    command: ['docker', 'login', '--username', 'AWS', '--password-stdin', registry],
    stdinFrom: ['aws', 'ecr', 'get-login-password', '--region', input.region],
  });
  for (const { key, ref } of images) {
    steps.push({ stage: 'push', description: ref, command: ['docker', 'push', ref] });
    steps.push({
      stage: 'push',
      description: `the digest of ${ref}`,
      command: ['docker', 'inspect', '--format', '{{index .RepoDigests 0}}', ref],
      captureDigest: key,
    });
  }
  const signed = (key: string) => `${repository}@{digest:${key}}`;
  for (const { key } of images) {
    steps.push({
      stage: 'sign',
      description: `${signed(key)} with ${input.signingKey.aliasName}`,
      command: [
        'cosign',
        'sign',
        '--yes',
        '--key',
        input.signingKey.kmsUri,
        '--tlog-upload=false',
        '--new-bundle-format=false',
        '--use-signing-config=false',
        signed(key),
      ],
    });
  }
  for (const { key } of images) {
    steps.push({
      stage: 'verify',
      description: `${signed(key)} verifies with the key Kyverno uses`,
      command: [
        'cosign',
        'verify',
        '--key',
        input.signingKey.kmsUri,
        '--insecure-ignore-tlog=true',
        '--new-bundle-format=false',
        signed(key),
      ],
    });
  }
  return steps;
}

/** A step's command with the captured digests filled in; throws when one was not captured. */
export function resolveStep(command: readonly string[], digests: Readonly<Record<string, string>>): string[] {
  return command.map((arg) =>
    arg.replace(/\{digest:(\w+)\}/g, (_m, key: string) => {
      if (!digests[key]) throw new Error(`no digest "${key}" was captured before it is used`);
      return digests[key];
    }),
  );
}

/** The digest in `docker inspect`'s RepoDigests output (`<repo>@sha256:...`). */
export function digestOf(repoDigest: string): string {
  const digest = repoDigest.trim().split('@')[1] ?? '';
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`"${repoDigest.trim()}" holds no digest`);
  return digest;
}
