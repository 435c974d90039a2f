import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { FlatStatement, GeneratedWildcardRule } from './policies/generated-wildcards';

/**
 * The image of every build: CodeBuild's Ubuntu standard 7.0, which carries Node.js 18, 20, 22 and
 * 24 (aws/aws-codebuild-docker-images@1590e48: ubuntu/standard/7.0/runtimes.yml); the buildspec
 * picks one with `runtime-versions`.
 */
export const BUILD_IMAGE = codebuild.LinuxBuildImage.STANDARD_7_0;

/** Directories CodeBuild saves to and restores from the cache: npm's download cache (`npm ci` then installs without downloading). */
export const NPM_CACHE_PATHS: readonly string[] = ['/root/.npm/**/*'];

/** What every buildspec starts with: the Node.js major version, and npm's cache. */
export function buildSpecDefaults(nodeMajor: number): Record<string, unknown> {
  return {
    version: '0.2',
    phases: { install: { 'runtime-versions': { nodejs: nodeMajor } } },
    cache: { paths: [...NPM_CACHE_PATHS] },
  };
}

/** Props of `BuildCache`. */
export interface BuildCacheProps {
  /**
   * Days a cache archive is kept after its last write.
   * @default 30
   */
  readonly expiryDays?: number;
}

/**
 * An S3 bucket for CodeBuild's cache (npm's download cache): private, TLS only, encrypted,
 * archives expire. S3 rather than the local cache: a local cache lives only on one build host
 * for a short while, so a pipeline that runs a few times a day would rarely hit it.
 */
export class BuildCache extends Construct {
  /** The bucket. */
  public readonly bucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: BuildCacheProps = {}) {
    super(scope, id);
    const expiryDays = props.expiryDays ?? 30;
    const bucket = new s3.Bucket(this, 'Resource', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      lifecycleRules: [{ id: 'expire-cache', expiration: Duration.days(expiryDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: `CodeBuild's npm cache: copies of public packages, no secrets, read and written only by the builds that own it; archives expire after ${expiryDays} days. Access logs would log the builds' own reads and writes.`,
    });
    this.bucket = bucket;
  }

  /** The cache setting of a project: archives under `prefix` in the bucket. */
  public cache(prefix: string): codebuild.Cache {
    return codebuild.Cache.bucket(this.bucket, { prefix });
  }
}

/** Whether a list is non-empty and every value passes. */
export const only = (values: readonly string[], allowed: (v: string) => boolean): boolean => values.length > 0 && values.every(allowed);

/**
 * The wildcard grants CDK generates for a CodeBuild project (its logs, its reports, its buckets
 * and keys), each with why it is as wide as it is; for `acknowledgeGeneratedWildcards`.
 * `ownBucketArns` are the buckets the builds own (artifacts, cache), as cdk-nag names them.
 */
export function codeBuildWildcardRules(ownBucketArns: readonly string[]): GeneratedWildcardRule[] {
  const ownBucket = (r: string) => ownBucketArns.some((arn) => r === arn || r === `${arn}/*`);
  return [
    {
      name: 'artifact and cache objects',
      matches: (s: FlatStatement) => only(s.actions, (a) => a.startsWith('s3:')) && only(s.resources, ownBucket),
      why: "CDK's read/write grant on the builds' own buckets: artifacts and cache archives are objects named per run, and the object actions needed (GetObjectVersion, DeleteObjectVersion, AbortMultipartUpload...) share these prefixes.",
    },
    {
      name: 'artifact keys',
      matches: (s) =>
        only(s.actions, (a) => ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'].includes(a)),
      why: "CDK's grant on the build's keys: encrypting needs GenerateDataKey(WithoutPlaintext) and ReEncryptFrom/To. CodePipeline's replication buckets in other regions are addressed by alias, so CodePipeline's role gets those keys on '*' (KMS honours it only for keys whose policy trusts the role).",
    },
    {
      name: 'build logs',
      matches: (s) =>
        only(s.actions, (a) => ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'].includes(a)) &&
        only(s.resources, (r) => /:log-group:\/aws\/codebuild\//.test(r)),
      why: "CodeBuild's log groups: one stream per build, named at run time; CDK Pipelines' asset projects share one role, so it covers /aws/codebuild/*.",
    },
    {
      name: 'test reports',
      matches: (s) =>
        only(s.actions, (a) =>
          [
            'codebuild:CreateReportGroup',
            'codebuild:CreateReport',
            'codebuild:UpdateReport',
            'codebuild:BatchPutTestCases',
            'codebuild:BatchPutCodeCoverages',
          ].includes(a),
        ) && only(s.resources, (r) => /:report-group\//.test(r)),
      why: 'CodeBuild report groups are named after the project at run time (<project>-<name>).',
    },
  ];
}
