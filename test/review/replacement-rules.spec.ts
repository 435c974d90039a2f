import { ResourceSpecification, milderImpact, worseImpact } from '../../lib/review/replacement-rules';

describe('ResourceSpecification.impactAt (the CloudFormation resource specification of @aws-cdk/aws-service-spec)', () => {
  const spec = new ResourceSpecification();

  test.each([
    // top-level properties, as the diff library sees them
    ['AWS::RDS::DBInstance', ['DBSubnetGroupName'], 'yes'],
    ['AWS::RDS::DBInstance', ['MultiAZ'], 'maybe'],
    ['AWS::RDS::DBInstance', ['AllocatedStorage'], 'no'],
    ['AWS::RDS::DBInstance', ['Tags', 0, 'Value'], 'no'],
    ['AWS::RDS::DBSubnetGroup', ['SubnetIds', 1], 'no'],
    // nested properties the diff library does not look into
    ['AWS::EKS::Cluster', ['ResourcesVpcConfig', 'SubnetIds', 0], 'yes'],
    ['AWS::EKS::Cluster', ['ResourcesVpcConfig', 'EndpointPublicAccess'], 'no'],
    ['AWS::EKS::Cluster', ['EncryptionConfig', 0, 'Provider', 'KeyArn'], 'yes'],
    ['AWS::ECR::Repository', ['EncryptionConfiguration', 'KmsKey'], 'yes'],
    // the spec's extra replacement paths ('*' is any list index)
    ['AWS::RedshiftServerless::Snapshot', ['Tags', 3, 'Key'], 'yes'],
    // unknown types, properties and empty paths change nothing
    ['Custom::DatabaseUsers', ['Users'], 'no'],
    ['AWS::S3::Bucket', ['NoSuchProperty'], 'no'],
    ['AWS::EKS::Cluster', ['ResourcesVpcConfig', 'NoSuchField'], 'no'],
    ['AWS::S3::Bucket', [], 'no'],
  ])('%s %j: %s', (type, path, impact) => {
    expect(spec.impactAt(type, path)).toBe(impact);
  });
});

test('worseImpact and milderImpact order no < maybe < yes', () => {
  expect([worseImpact('no', 'maybe'), worseImpact('yes', 'maybe'), milderImpact('yes', 'maybe'), milderImpact('no', 'yes')]).toEqual([
    'maybe',
    'yes',
    'maybe',
    'no',
  ]);
});
