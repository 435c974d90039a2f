import { EnvironmentConfig } from '../config/types';
import { BucketProtection } from '../constructs/secure-bucket';

/**
 * Who may delete a bucket (break-glass only) and change its versioning, lifecycle or policy
 * (break-glass and the CDK CloudFormation execution roles that deploy it), from config.
 */
export function bucketProtection(config: EnvironmentConfig): BucketProtection {
  return {
    breakGlassRoleArn: `arn:aws:iam::${config.account}:role/${config.stateful.breakGlassRoleName}`,
    deploymentRoleArnPatterns: [`arn:aws:iam::${config.account}:role/cdk-*-cfn-exec-role-*`],
  };
}
