import { CfnElement, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
import {
  DELIVERY,
  deployRoleName,
  gitOpsTokenSecretName,
  imageProjectName,
  releaseProjectName,
  releaseRoleName,
  toolInstallCommands,
} from '../config/delivery';
import { imageSignerRoleName, imageSigningKey } from '../config/image-signing';
import { ecrRepositoryArn } from '../config/naming';
import { ToolingStack, ToolingStackProps } from './tooling-stack';

/** An environment the release step commits to and watches. */
export interface ReleaseTarget {
  /** Environment name, e.g. `prod`. */
  readonly name: string;
  /** Its account (where its deploy role is). */
  readonly account: string;
  /**
   * Promote the digest this environment ran before it (`--from`), instead of releasing the commit's own.
   * @default - release the images built from the commit
   */
  readonly promoteFrom?: string;
}

/** Props of `DeliveryStack`. */
export interface DeliveryStackProps extends ToolingStackProps {
  /** The catalog services, each with its image repository: one image build project each. */
  readonly services: readonly { readonly name: string; readonly repository: string }[];
  /** The environments, in promotion order: one release project each. */
  readonly environments: readonly ReleaseTarget[];
}

/** CodeBuild image with Docker and Node 22 (the build machines run Node 20; CodeBuild's images run 22). */
const BUILD_IMAGE = codebuild.LinuxBuildImage.STANDARD_7_0;

/** Push and read actions on a repository (what `docker push` and cosign's signature push call). */
const PUSH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:CompleteLayerUpload',
  'ecr:DescribeImages',
  'ecr:GetDownloadUrlForLayer',
  'ecr:InitiateLayerUpload',
  'ecr:PutImage',
  'ecr:UploadLayerPart',
];

/** The artifacts key's grant to a project role (grantEncryptDecrypt on that key only) needs data-key wildcards. */
function acknowledgeArtifactsKey(policy: IConstruct) {
  for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason: 'CodeBuild encrypts its artifacts and cache with the delivery artifacts key only; S3 and CodeBuild need data keys.',
    });
  }
}

/**
 * Application delivery in the tooling account (ADR 0004): one image build project per catalog
 * service, run as the image signer role (the only principal the signing key lets sign), and one
 * release project per environment, run as the release role: it commits to the GitOps repository,
 * then starts the environment's release gate (a CodeBuild project inside the environment's VPC,
 * through the environment's deploy role) and reverts on its failure. No cluster endpoint admits
 * this account's address: the release never calls a Kubernetes API itself. The infrastructure
 * pipeline runs the projects as actions (source artifact in, commit variables as environment);
 * Jenkins runs the same npm scripts.
 */
export class DeliveryStack extends ToolingStack {
  /** The image build project of each service, by service name. */
  public readonly imageProjects: Readonly<Record<string, codebuild.IProject>>;
  /** The release project of each environment, by environment name. */
  public readonly releaseProjects: Readonly<Record<string, codebuild.IProject>>;
  /** The role that builds, pushes and signs images. */
  public readonly signerRole: iam.IRole;
  /** The role that commits releases and watches them. */
  public readonly releaseRole: iam.IRole;

  constructor(scope: Construct, id: string, props: DeliveryStackProps) {
    const { services, environments, ...stackProps } = props;
    super(scope, id, { description: 'tooling: image builds (scan, test, push, sign) and the GitOps release step', ...stackProps });
    const { tooling } = props;
    const key = new kms.Key(this, 'ArtifactsKey', {
      description: 'CodeBuild artifacts and logs of the delivery projects',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
      encryptionKey: key,
    });
    key.grantEncryptDecrypt(new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`));
    const repositories = [...new Set(services.map((s) => s.repository))]
      .sort()
      .map((r) => ecrRepositoryArn(tooling.region, r, tooling.account));

    const signer = this.signer(repositories, key, logGroup);
    this.signerRole = signer;
    // The image projects get the role without CodeBuild's per-project grants (its default log group and
    // report groups, which these projects never use): the role's policy stays the same size as services are added.
    const imageRole = signer.withoutPolicyUpdates();
    this.imageProjects = Object.fromEntries(
      services.map((service) => [service.name, this.imageProject(service.name, imageRole, key, logGroup)]),
    );

    const token = new secretsmanager.Secret(this, 'GitOpsToken', {
      secretName: gitOpsTokenSecretName(),
      description: 'Token the release step pushes to the GitOps repository with (set its value after the first deploy)',
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(token).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'A Git host token is issued and rotated at the Git host (docs/cicd/application-delivery.md, first deploy); no Lambda can rotate it.',
    });
    this.releaseRole = this.release(repositories, environments);
    token.grantRead(this.releaseRole);
    this.releaseProjects = Object.fromEntries(environments.map((env) => [env.name, this.releaseProject(env, token, key, logGroup)]));
  }

  /**
   * The image signer (`imageSignerRoleName()`, the principal the signing key's policy lets sign):
   * `kms:Sign` with that key only, through the alias cosign names it by (`kms:RequestAlias`), plus the
   * two reads cosign's KMS signer makes before signing (sigstore/sigstore@pkg/signature/kms/aws/v1.10.5:
   * pkg/signature/kms/aws/signer.go SignMessage -> client.go fetchCMK: GetPublicKey, DescribeKey);
   * push and read on the catalog's repositories; once for every image project: writing to the delivery
   * log group (the projects log there, never to CodeBuild's default group) and the artifacts key.
   */
  private signer(repositories: readonly string[], artifactsKey: kms.IKey, logGroup: logs.ILogGroup): iam.Role {
    const key = imageSigningKey({ account: this.account, region: this.region });
    const role = new iam.Role(this, 'ImageSigner', {
      roleName: imageSignerRoleName(),
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
      description: 'Builds, scans, pushes and signs the service images (the only principal the signing key lets sign)',
    });
    const keys = `arn:aws:kms:${key.region}:${key.account}:key/*`;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'SignWithTheImageSigningKey',
        actions: ['kms:Sign', 'kms:GetPublicKey', 'kms:DescribeKey'],
        resources: [keys],
        conditions: { StringEquals: { 'kms:RequestAlias': key.aliasName } },
      }),
    );
    role.addToPolicy(new iam.PolicyStatement({ sid: 'RegistryToken', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    role.addToPolicy(new iam.PolicyStatement({ sid: 'PushImagesAndSignatures', actions: PUSH_ACTIONS, resources: [...repositories] }));
    logGroup.grantWrite(role);
    artifactsKey.grantEncryptDecrypt(role);
    const policy = role.node.findChild('DefaultPolicy');
    acknowledgeArtifactsKey(policy);
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${keys}]`,
      reason: `The signing key's ID is generated; kms:RequestAlias limits the statement to ${key.aliasName}.`,
    });
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken supports no resource scoping.',
    });
    return role;
  }

  /** The release role (`releaseRoleName()`): digests from the registry, the environments' deploy roles (which start their gates). */
  private release(repositories: readonly string[], environments: readonly ReleaseTarget[]): iam.Role {
    const role = new iam.Role(this, 'Release', {
      roleName: releaseRoleName(),
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
      description: "Commits releases to the GitOps repository and runs the environments' release gates (never calls a cluster)",
    });
    role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadDigests', actions: ['ecr:DescribeImages'], resources: [...repositories] }));
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'StartEnvironmentGates',
        actions: ['sts:AssumeRole'],
        resources: environments.map((e) => `arn:aws:iam::${e.account}:role/${deployRoleName(e.name)}`),
      }),
    );
    return role;
  }

  private project(
    id: string,
    name: string,
    props: Omit<codebuild.PipelineProjectProps, 'projectName'>,
    key: kms.IKey,
    logGroup: logs.ILogGroup,
  ) {
    const project = new codebuild.PipelineProject(this, id, {
      projectName: name,
      encryptionKey: key,
      logging: { cloudWatch: { logGroup, prefix: name } },
      timeout: Duration.hours(1),
      ...props,
    });
    // CodeBuild's own grants to its role, per project: its default log group and its report groups,
    // and the artifacts key (grantEncryptDecrypt on that key only). None for a role given without
    // policy updates (the image signer's, granted once in `signer`).
    const policy = props.role!.node.tryFindChild('DefaultPolicy');
    if (!policy) return project;
    acknowledgeArtifactsKey(policy);
    const logicalId = this.getLogicalId(project.node.defaultChild as CfnElement);
    for (const resource of [
      `arn:aws:logs:${this.region}:${this.account}:log-group:/aws/codebuild/<${logicalId}>:*`,
      `arn:aws:codebuild:${this.region}:${this.account}:report-group/<${logicalId}>-*`,
    ]) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason: `CodeBuild's grant to its role for project ${name} only (its log streams and test reports).`,
      });
    }
    return project;
  }

  private imageProject(service: string, role: iam.IRole, key: kms.IKey, logGroup: logs.ILogGroup): codebuild.PipelineProject {
    const project = this.project(
      `Image-${service}`,
      imageProjectName(service),
      {
        role,
        description: `${service}: build -> scan -> test -> push -> sign (npm run image)`,
        // Docker builds need the daemon; the project runs only this repository's buildspec.
        environment: { buildImage: BUILD_IMAGE, privileged: true, computeType: codebuild.ComputeType.MEDIUM },
        cache: codebuild.Cache.local(codebuild.LocalCacheMode.DOCKER_LAYER, codebuild.LocalCacheMode.CUSTOM),
        buildSpec: codebuild.BuildSpec.fromObject({
          version: '0.2',
          env: { shell: 'bash', variables: { DOCKER_BUILDKIT: '1' } },
          phases: {
            install: {
              'runtime-versions': { nodejs: 22 },
              commands: [
                ...toolInstallCommands('trivy', DELIVERY.tools.trivy),
                ...toolInstallCommands('cosign', DELIVERY.tools.cosign),
                'npm ci --no-audit --no-fund',
              ],
            },
            build: { commands: [`npm run image -- --service ${service} --execute --output image.json`] },
          },
          artifacts: { files: ['image.json'] },
          cache: { paths: ['/root/.npm/**/*', '/root/.cache/trivy/**/*'] },
        }),
      },
      key,
      logGroup,
    );
    Validations.of(project).acknowledge({
      id: 'AwsSolutions-CB3',
      reason: 'Privileged mode runs the Docker daemon the image build, its scan and its database-backed integration tests need.',
    });
    return project;
  }

  private releaseProject(
    target: ReleaseTarget,
    token: secretsmanager.ISecret,
    key: kms.IKey,
    logGroup: logs.ILogGroup,
  ): codebuild.PipelineProject {
    const environment = target.name;
    const images = target.promoteFrom ? `--from ${target.promoteFrom}` : '--commit "$CODEBUILD_RESOLVED_SOURCE_VERSION"';
    const project = this.project(
      `Release-${environment}`,
      releaseProjectName(environment),
      {
        role: this.releaseRole,
        description: `${environment}: render, commit to the GitOps path, run the environment's release gate, smoke test, revert on failure (npm run release)`,
        environment: {
          buildImage: BUILD_IMAGE,
          computeType: codebuild.ComputeType.SMALL,
          environmentVariables: {
            // The service to release: set by the pipeline's action (one action per service).
            SERVICE: { value: '' },
            GITOPS_TOKEN: { type: codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER, value: token.secretArn },
          },
        },
        cache: codebuild.Cache.local(codebuild.LocalCacheMode.CUSTOM),
        buildSpec: codebuild.BuildSpec.fromObject({
          version: '0.2',
          env: { shell: 'bash' },
          phases: {
            install: {
              'runtime-versions': { nodejs: 22 },
              commands: ['npm ci --no-audit --no-fund'],
            },
            build: {
              commands: [`npm run release -- --env ${environment} --service "$SERVICE" ${images} --push --wait`],
            },
          },
          cache: { paths: ['/root/.npm/**/*'] },
        }),
      },
      key,
      logGroup,
    );
    return project;
  }
}
