import { findReferences, formatPath, isIntrinsic } from '../../lib/review/references';

describe('findReferences', () => {
  test('Ref and Fn::GetAtt (both forms), at the property path they feed', () => {
    // GIVEN
    const properties = { VpcId: { Ref: 'Vpc' }, Role: { 'Fn::GetAtt': ['Role', 'Arn'] }, Key: { 'Fn::GetAtt': 'Key.Arn' } };
    // WHEN / THEN
    expect(findReferences(properties)).toEqual([
      { path: ['VpcId'], reference: { kind: 'resource', logicalId: 'Vpc' } },
      { path: ['Role'], reference: { kind: 'resource', logicalId: 'Role' } },
      { path: ['Key'], reference: { kind: 'resource', logicalId: 'Key' } },
    ]);
  });

  test('the path stops at the first intrinsic function: a Ref inside Fn::Join feeds the Join', () => {
    const properties = { ResourcesVpcConfig: { SubnetIds: ['subnet-1', { 'Fn::Join': ['', ['x', { Ref: 'Subnet' }]] }] } };
    expect(findReferences(properties)).toEqual([
      { path: ['ResourcesVpcConfig', 'SubnetIds', 1], reference: { kind: 'resource', logicalId: 'Subnet' } },
    ]);
  });

  test('Fn::Sub names resources, not pseudo parameters, escaped literals or its own variables', () => {
    const value = { 'Fn::Sub': ['${Bucket.Arn}/${AWS::Region}/${!Literal}/${Name}/${Topic}', { Name: { Ref: 'Queue' } }] };
    expect(findReferences({ Value: value }).map((r) => r.reference)).toEqual([
      { kind: 'resource', logicalId: 'Bucket' },
      { kind: 'resource', logicalId: 'Topic' },
      { kind: 'resource', logicalId: 'Queue' },
    ]);
    expect(findReferences({ Value: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}' } }).map((r) => r.reference)).toEqual([
      { kind: 'resource', logicalId: 'Bucket' },
    ]);
  });

  test('pseudo parameters are not resources', () => {
    expect(findReferences({ Region: { Ref: 'AWS::Region' } })).toEqual([]);
  });

  test('Fn::GetStackOutput is a reference to another stack (region and, through RoleArn, account)', () => {
    const read = {
      'Fn::GetStackOutput': {
        StackName: 'Dev-Network',
        OutputName: 'VpcId',
        Region: 'us-east-1',
        RoleArn: 'arn:aws:iam::222222222222:role/reader',
      },
    };
    expect(findReferences({ VpcId: read })).toEqual([
      {
        path: ['VpcId'],
        reference: { kind: 'output', stackName: 'Dev-Network', outputName: 'VpcId', region: 'us-east-1', account: '222222222222' },
      },
    ]);
    // a computed stack name cannot be followed
    expect(findReferences({ VpcId: { 'Fn::GetStackOutput': { StackName: { Ref: 'Name' }, OutputName: 'X' } } })).toEqual([
      { path: ['VpcId'], reference: { kind: 'resource', logicalId: 'Name' } },
    ]);
  });
});

test('isIntrinsic: one key, Ref or Fn::', () => {
  expect([{ Ref: 'A' }, { 'Fn::If': [] }, { Ref: 'A', Other: 1 }, { Key: 'A' }, ['Ref'], null].map(isIntrinsic)).toEqual([
    true,
    true,
    false,
    false,
    false,
    false,
  ]);
});

test('formatPath', () => {
  expect(formatPath(['ResourcesVpcConfig', 'SubnetIds', 0])).toBe('ResourcesVpcConfig.SubnetIds[0]');
  expect(formatPath(['Tags', 2, 'Value'])).toBe('Tags[2].Value');
});
