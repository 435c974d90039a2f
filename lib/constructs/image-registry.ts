import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Props of `ImageRegistry`. */
export interface ImageRegistryProps {
  /** One repository per name (the catalog's `image.repository`). */
  readonly repositoryNames: readonly string[];
  /** Accounts allowed to pull (the environments' clusters). */
  readonly pullAccounts: readonly string[];
  /** Tagged images kept per repository. */
  readonly imagesToKeep: number;
  /** Days after which untagged images expire. */
  readonly untaggedExpiryDays: number;
  /**
   * What happens to repositories and the key when they leave the template.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * ECR repositories for the platform's services: immutable tags (a tag always means the same
 * image, so a rollback redeploys exactly what ran before), scan on push, KMS encryption with a
 * customer-managed key, lifecycle rules, and a policy that lets the environment accounts pull.
 */
export class ImageRegistry extends Construct {
  /** The repositories by name. */
  public readonly repositories: Readonly<Record<string, ecr.IRepository>>;
  /** The key the repositories are encrypted with. */
  public readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: ImageRegistryProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const key = new kms.Key(this, 'Key', {
      description: 'ECR image encryption',
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(30),
    });
    // Pulling accounts decrypt layers through ECR only.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:DescribeKey'],
        principals: props.pullAccounts.map((a) => new iam.AccountPrincipal(a)),
        resources: ['*'],
        conditions: { StringLike: { 'kms:ViaService': 'ecr.*.amazonaws.com' } },
      }),
    );
    this.key = key;

    const repositories: Record<string, ecr.IRepository> = {};
    for (const name of props.repositoryNames) {
      const repository = new ecr.Repository(this, name, {
        repositoryName: name,
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        imageScanOnPush: true,
        encryption: ecr.RepositoryEncryption.KMS,
        encryptionKey: key,
        removalPolicy,
        lifecycleRules: [
          {
            rulePriority: 1,
            description: 'expire untagged images',
            tagStatus: ecr.TagStatus.UNTAGGED,
            maxImageAge: Duration.days(props.untaggedExpiryDays),
          },
          {
            rulePriority: 2,
            description: `keep the last ${props.imagesToKeep} images`,
            tagStatus: ecr.TagStatus.ANY,
            maxImageCount: props.imagesToKeep,
          },
        ],
      });
      repository.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'EnvironmentsPull',
          principals: props.pullAccounts.map((a) => new iam.AccountPrincipal(a)),
          actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        }),
      );
      repositories[name] = repository;
    }
    this.repositories = repositories;
  }
}
