/**
 * The CloudFormation types whose removal or replacement the review guard blocks, each with why.
 *
 * A replacement is a new, empty resource under the same logical ID; a removal deletes it (or, when
 * retained, leaves it behind unmanaged while the stack forgets it). Either way what the resource held
 * is gone from the stack. This list is wider than the synth-time policy list
 * (`lib/policies/stateful-resources.ts`, which decides tags and retention) and must contain every type
 * of it; `test/review/stateful-types.spec.ts` checks that.
 */
export const GUARDED_TYPES: Readonly<Record<string, string>> = {
  'AWS::RDS::DBInstance': 'a database instance holds the data; a new one starts empty (or from a snapshot someone has to restore)',
  'AWS::RDS::DBCluster': 'a database cluster holds the data; a new one starts empty',
  'AWS::RDS::GlobalCluster': 'a global database spans regions; a new one starts without its members',
  'AWS::DynamoDB::Table': 'a table holds items; a new one starts empty',
  'AWS::DynamoDB::GlobalTable': 'a global table holds items in every region; a new one starts empty',
  'AWS::S3::Bucket': 'a bucket holds objects (uploads, assets, logs); a new one starts empty under a new name',
  'AWS::EFS::FileSystem': 'a file system holds files; a new one starts empty',
  'AWS::EC2::Volume': 'a volume holds a disk; a new one starts empty',
  'AWS::KMS::Key': 'data encrypted with a key cannot be read once the key is deleted; a new key cannot decrypt it',
  'AWS::SecretsManager::Secret': 'a secret holds credentials; a new one has a new value and ARN, and clients holding the old break',
  'AWS::EKS::Cluster': 'a cluster holds every workload and its state (etcd); a new one starts with nothing deployed',
  'AWS::Backup::BackupVault': 'a vault holds the recovery points; deleting it loses the backups',
  'AWS::Logs::LogGroup': 'a log group holds the audit trail (flow logs, control-plane and access logs); its history is deleted with it',
  'AWS::Route53::HostedZone': 'a new hosted zone gets new name servers; the delegation from the parent zone breaks until it is redone',
  'AWS::SQS::Queue': 'a queue holds messages in flight; they are lost with it',
  'AWS::Kinesis::Stream': 'a stream holds records in its retention window; they are lost with it',
  'AWS::ECR::Repository': 'a repository holds the images the cluster pulls (and their signatures); a new one is empty',
  'AWS::Cognito::UserPool': 'a user pool holds the users and their credentials; a new one has none',
  'AWS::OpenSearchService::Domain': 'a search domain holds indices; a new one starts empty',
  'AWS::ElastiCache::ReplicationGroup': 'a replication group holds cached and session data; a new one starts empty under a new endpoint',
  'AWS::EC2::VPC': 'everything in the network (subnets, endpoints, the database, the cluster) has to move with it',
};

/** Why losing a resource of this type loses data, or undefined when the type is not guarded. */
export function guardedReason(cfnType: string | undefined): string | undefined {
  return cfnType === undefined ? undefined : GUARDED_TYPES[cfnType];
}
