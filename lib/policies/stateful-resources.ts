/**
 * CloudFormation types that hold data or guard it. Replacing or deleting one of these loses data
 * (or, for the VPC, strands everything in it), so they carry the stateful tags and, outside
 * development, must be retained and live in termination-protected stacks.
 */
export const STATEFUL_RESOURCE_TYPES: ReadonlySet<string> = new Set([
  'AWS::EC2::VPC',
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::S3::Bucket',
  'AWS::KMS::Key',
  'AWS::SecretsManager::Secret',
  'AWS::Backup::BackupVault',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::EFS::FileSystem',
  'AWS::ECR::Repository',
  'AWS::Route53::HostedZone',
]);

/** Whether a CloudFormation type is stateful. */
export function isStatefulType(cfnType: string): boolean {
  return STATEFUL_RESOURCE_TYPES.has(cfnType);
}
