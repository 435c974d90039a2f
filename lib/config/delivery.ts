/**
 * Application delivery, as every side sees it: the image build (tooling account), the release step
 * that commits rendered manifests to the GitOps repository, the environments' deploy roles, the
 * cluster's RBAC for them. Names and conventions are derived here once and called by CDK, cdk8s and
 * the CLIs (`npm run image`, `npm run release`, `npm run rollback`). Pure, no imports beyond `lib/config`.
 */
import { PLATFORM } from './platform';
import { GitOpsConfig } from './types';

/** Severities the scanner reports (Trivy's, the same as ECR's). */
export const SCAN_SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'] as const;

/** One of `SCAN_SEVERITIES`. */
export type ScanSeverity = (typeof SCAN_SEVERITIES)[number];

/** A command-line tool the build installs, at an exact version. */
export interface ToolPin {
  /** Exact release, e.g. `v3.0.6`. */
  readonly version: string;
  /** Where the binary is downloaded from (`{version}` is replaced; no `v` for Trivy's file names). */
  readonly url: string;
  /** The release's published checksum file the download is verified against. */
  readonly checksumsUrl: string;
  /** Upstream source of the asset names and flags used (repo@tag:path). */
  readonly source: string;
}

/** Settings of the image build and the release step. */
export interface DeliverySettings {
  /** The build fails when the image has a vulnerability of one of these severities. */
  readonly failOnSeverities: readonly ScanSeverity[];
  /** Ignore vulnerabilities that have no fixed version yet (the build cannot act on them). */
  readonly ignoreUnfixed: boolean;
  /** PostgreSQL the integration tests run against: the RDS major version (docs/architecture/data.md), from ECR Public's Docker official images. */
  readonly testDatabaseImage: string;
  /** How long the release waits for Argo CD to sync and report Healthy, in seconds (60..3600). */
  readonly syncTimeoutSeconds: number;
  /** Tries of each smoke request through CloudFront, 10 s apart (1..30): the edge may cache a 5xx briefly. */
  readonly smokeAttempts: number;
  /** The tools the build installs. */
  readonly tools: { readonly trivy: ToolPin; readonly cosign: ToolPin; readonly kubectl: ToolPin; readonly argoRollouts: ToolPin };
}

/** The delivery settings. */
export const DELIVERY: DeliverySettings = {
  failOnSeverities: ['CRITICAL', 'HIGH'],
  ignoreUnfixed: false,
  testDatabaseImage: 'public.ecr.aws/docker/library/postgres:17.9',
  syncTimeoutSeconds: 900,
  smokeAttempts: 6,
  tools: {
    trivy: {
      version: '0.74.0',
      url: 'https://github.com/aquasecurity/trivy/releases/download/v{version}/trivy_{version}_Linux-64bit.tar.gz',
      checksumsUrl: 'https://github.com/aquasecurity/trivy/releases/download/v{version}/trivy_{version}_checksums.txt',
      source: 'aquasecurity/trivy@v0.74.0:goreleaser.yml, docs/guide/references/configuration/cli/trivy_image.md',
    },
    cosign: {
      version: 'v3.0.6',
      url: 'https://github.com/sigstore/cosign/releases/download/{version}/cosign-linux-amd64',
      checksumsUrl: 'https://github.com/sigstore/cosign/releases/download/{version}/cosign_checksums.txt',
      source: 'sigstore/cosign@v3.0.6:.goreleaser.yml, cmd/cosign/cli/options/sign.go',
    },
    kubectl: {
      version: 'v1.35.0',
      url: 'https://dl.k8s.io/release/{version}/bin/linux/amd64/kubectl',
      checksumsUrl: 'https://dl.k8s.io/release/{version}/bin/linux/amd64/kubectl.sha256',
      source: 'kubernetes.io/docs/tasks/tools/install-kubectl-linux (the cluster minor, kubernetes.version)',
    },
    argoRollouts: {
      version: 'v1.9.1',
      url: 'https://github.com/argoproj/argo-rollouts/releases/download/{version}/kubectl-argo-rollouts-linux-amd64',
      checksumsUrl: 'https://github.com/argoproj/argo-rollouts/releases/download/{version}/argo-rollouts-checksums.txt',
      source:
        'argoproj/argo-rollouts@v1.9.1:.github/workflows/release.yaml, Makefile (checksums); the controller version pinned in lib/config/addon-pins.ts',
    },
  },
};

/** Where a service's source lives in this repository, by convention. */
export interface ServiceSource {
  /** Docker build context, e.g. `services/web-api`. */
  readonly context: string;
  /** Its Dockerfile: a `runtime` stage (the image that runs) and an `integration-test` stage. */
  readonly dockerfile: string;
  /** Its migrations, `<version>_<description>.sql` (lib/migrations/runner.ts). */
  readonly migrations: string;
}

/** Build target (Dockerfile stage) of the image that runs. */
export const RUNTIME_TARGET = 'runtime';

/** Build target whose default command runs the service's integration tests against `DATABASE_*`. */
export const INTEGRATION_TEST_TARGET = 'integration-test';

/** The platform's Dockerfile of a migrations image: the runner (bin/migrate.ts, bundled) and a service's SQL. */
export const MIGRATIONS_DOCKERFILE = 'delivery/migrations.Dockerfile';

/** Where the migrations image keeps the SQL files (`MIGRATIONS_DIR` of bin/migrate.ts). */
export const MIGRATIONS_DIR_IN_IMAGE = '/migrations';

/** The source of a service: `services/<name>/`. */
export function serviceSource(serviceName: string): ServiceSource {
  const context = `services/${serviceName}`;
  return { context, dockerfile: `${context}/Dockerfile`, migrations: `${context}/migrations` };
}

/** A git commit as the registry tags images with it: 40 lower-case hex digits. */
export const COMMIT_PATTERN = /^[0-9a-f]{40}$/;

/** An image digest: `sha256:` and 64 lower-case hex digits. */
export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** Tag of a service image built from a commit: the commit itself (immutable repositories: one image per commit). */
export function imageTag(commit: string): string {
  return commit;
}

/** Tag of a service's migrations image beside the service image's tag (a commit, or a catalog tag in local synth). */
export function migrationsImageTag(tag: string): string {
  return `${tag}-migrations`;
}

/** An image pinned by digest, as the release renders it: `<registry>/<repository>@sha256:...`. */
export function digestReference(registry: string, repository: string, digest: string): string {
  return `${registry}/${repository}@${digest}`;
}

/** The file in an environment's GitOps path that records what each service runs there (the release state). */
export const RELEASE_FILE = 'release.json';

/** Directory of the environment's GitOps path that holds one directory per service (its Application's source). */
export const SERVICES_DIRECTORY = 'services';

/** A service's directory in the GitOps repository, the `path` of its Argo CD Application, e.g. `environments/prod/services/web-api`. */
export function serviceGitOpsPath(gitops: GitOpsConfig, serviceName: string): string {
  return `${gitops.path}/${SERVICES_DIRECTORY}/${serviceName}`;
}

/** The Argo CD project of an environment's services, e.g. `prod-services`: the GitOps repository into the workload namespaces only. */
export function servicesProjectName(environmentName: string): string {
  return `${environmentName}-services`;
}

/**
 * Role of the release step in the tooling account, e.g. `saas-platform-release`: reads image
 * digests from the registry, commits to the GitOps repository, assumes the environments' deploy
 * roles (which start the environments' release gates).
 */
export function releaseRoleName(): string {
  return `${PLATFORM.application}-release`;
}

/**
 * Role of an environment the release step assumes to run the environment's release gate, e.g.
 * `saas-platform-prod-deploy`: `codebuild:StartBuild` and `codebuild:BatchGetBuilds` on the gate
 * project (`gateProjectName()`, lib/config/release-gate.ts) only. It has no access to the cluster:
 * the gate's own role (`gateRoleName()`) reads it. Argo CD applies; nothing of the release writes there.
 */
export function deployRoleName(environmentName: string): string {
  return `${PLATFORM.application}-${environmentName}-deploy`;
}

/**
 * Kubernetes group of the release gate role's access entry; the platform chart binds it to read the
 * services' Argo CD Applications and their Rollouts, ReplicaSets and Pods (what `kubectl argo
 * rollouts status` watches), nothing else.
 */
export const RELEASE_KUBERNETES_GROUP = `${PLATFORM.application}:release`;

/** Secrets Manager secret (tooling account) holding the token the release step pushes to the GitOps repository with. */
export function gitOpsTokenSecretName(): string {
  return `${PLATFORM.application}/tooling/gitops-token`;
}

/** What one service runs in one environment: written by the release step to `RELEASE_FILE`, read by the render. */
export interface ServiceRelease {
  /** The commit the images were built from (their tag): 40 hex digits. */
  readonly commit: string;
  /** Digest of the service image. */
  readonly image: string;
  /** Digest of the migrations image, for a service that uses the database. @default - no migrations Job */
  readonly migrations?: string;
}

/** The release state of one environment: what each released service runs. */
export interface EnvironmentRelease {
  /** Releases by service name. */
  readonly services: Readonly<Record<string, ServiceRelease>>;
}

/** ARN of the release role in the tooling account (the environments' deploy roles trust it by this ARN). */
export function releaseRoleArn(toolingAccount: string = PLATFORM.accounts.tooling): string {
  return `arn:aws:iam::${toolingAccount}:role/${releaseRoleName()}`;
}

/** Name of a service's image build project in the tooling account, e.g. `saas-platform-image-web-api`. */
export function imageProjectName(serviceName: string): string {
  return `${PLATFORM.application}-image-${serviceName}`;
}

/** Name of an environment's release project in the tooling account, e.g. `saas-platform-release-prod`. */
export function releaseProjectName(environmentName: string): string {
  return `${PLATFORM.application}-release-${environmentName}`;
}

/** Shell lines that install a pinned tool into /usr/local/bin, verified against its release's checksum file. */
export function toolInstallCommands(name: 'trivy' | 'cosign' | 'kubectl' | 'argoRollouts', pin: ToolPin): string[] {
  const url = pin.url.replace(/\{version\}/g, pin.version);
  const sums = pin.checksumsUrl.replace(/\{version\}/g, pin.version);
  const file = url.slice(url.lastIndexOf('/') + 1);
  const binary = { trivy: 'trivy', cosign: 'cosign', kubectl: 'kubectl', argoRollouts: 'kubectl-argo-rollouts' }[name];
  // kubectl publishes the bare hash in <file>.sha256; the others a "<hash>  <file>" list.
  const check = name === 'kubectl' ? `echo "$(cat sums)  ${file}" | sha256sum -c -` : `grep " ${file}$" sums | sha256sum -c -`;
  const install =
    name === 'trivy' ? `tar -xzf ${file} trivy && install trivy /usr/local/bin/trivy` : `install ${file} /usr/local/bin/${binary}`;
  return [`cd /tmp && curl -fsSLo ${file} ${url} && curl -fsSLo sums ${sums} && ${check} && ${install} && rm -f sums; cd -`];
}
