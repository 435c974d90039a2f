import { accessRoleArn } from '../config/access-names';
import { EnvironmentConfig } from '../config/types';
import { BucketProtection } from '../constructs/secure-bucket';

/**
 * Who may delete a bucket (break-glass only) and change its versioning, lifecycle or policy
 * (break-glass and the CDK CloudFormation execution roles that deploy it), from config.
 */
export function bucketProtection(config: EnvironmentConfig): BucketProtection {
  return {
    // Created by the environment's Access stack; only the break-glass permission set's sessions may assume it.
    breakGlassRoleArn: accessRoleArn(config, 'breakGlass'),
    deploymentRoleArnPatterns: [`arn:aws:iam::${config.account}:role/cdk-*-cfn-exec-role-*`],
  };
}
