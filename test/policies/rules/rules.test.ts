import { REQUIRED_TAGS, STATEFUL_TAGS } from '../../../lib/config/tag-policy';
import { ResourceFacts } from '../../../lib/policies/rules/facts';
import { requiredTags } from '../../../lib/policies/rules/required-tags';
import { statefulRetention } from '../../../lib/policies/rules/stateful-retention';
import { statefulTags } from '../../../lib/policies/rules/stateful-tags';
import { templateSize } from '../../../lib/policies/rules/template-size';
import { terminationProtection } from '../../../lib/policies/rules/termination-protection';

const GOOD_TAGS = {
  Environment: 'prod',
  Application: 'saas-platform',
  Owner: 'team@example.com',
  CostCenter: 'CC-1042',
  DataClassification: 'confidential',
  Backup: 'daily',
};

const bucket = (overrides: Partial<ResourceFacts> = {}): ResourceFacts => ({
  path: 'Prod/Data/Uploads/Resource',
  type: 'AWS::S3::Bucket',
  tags: GOOD_TAGS,
  deletionPolicy: 'Retain',
  stackTerminationProtection: true,
  ...overrides,
});
const role = (overrides: Partial<ResourceFacts> = {}): ResourceFacts =>
  bucket({
    path: 'Prod/Cluster/Role/Resource',
    type: 'AWS::IAM::Role',
    deletionPolicy: 'Delete',
    stackTerminationProtection: false,
    ...overrides,
  });

describe('PLAT-TAG1 requiredTags', () => {
  test('compliant: all required tags, well formed', () => {
    expect(requiredTags(bucket(), REQUIRED_TAGS)).toEqual([]);
  });
  test('non-compliant: a missing tag names the construct path and the tag', () => {
    const { CostCenter: _omit, ...tags } = GOOD_TAGS;
    expect(requiredTags(role({ tags }), REQUIRED_TAGS)).toEqual([
      {
        path: 'Prod/Cluster/Role/Resource',
        location: 'Properties/Tags',
        message: 'Prod/Cluster/Role/Resource (AWS::IAM::Role) has no "CostCenter" tag; add \'CC-\' followed by 4..6 digits',
      },
    ]);
  });
  test('non-compliant: a malformed value is reported with the value', () => {
    expect(requiredTags(role({ tags: { ...GOOD_TAGS, Owner: 'bob' } }), REQUIRED_TAGS).map((f) => f.message)).toEqual([
      'Prod/Cluster/Role/Resource (AWS::IAM::Role) has tag Owner="bob"; use a team e-mail address',
    ]);
  });
  test('a type that cannot be tagged is not checked', () => {
    expect(requiredTags(role({ tags: undefined }), REQUIRED_TAGS)).toEqual([]);
  });
});

describe('PLAT-TAG2 statefulTags', () => {
  test('compliant: a bucket with DataClassification and Backup', () => {
    expect(statefulTags(bucket(), STATEFUL_TAGS)).toEqual([]);
  });
  test('non-compliant: a bucket without Backup', () => {
    const { Backup: _omit, ...tags } = GOOD_TAGS;
    expect(statefulTags(bucket({ tags }), STATEFUL_TAGS).map((f) => f.message)).toEqual([
      'Prod/Data/Uploads/Resource (AWS::S3::Bucket) has no "Backup" tag; add none, daily or hourly',
    ]);
  });
  test('a stateless resource does not need them', () => {
    expect(statefulTags(role({ tags: {} }), STATEFUL_TAGS)).toEqual([]);
  });
});

describe('PLAT-STA1 terminationProtection', () => {
  test('compliant: a bucket in a protected stack', () => {
    expect(terminationProtection(bucket())).toEqual([]);
  });
  test('non-compliant: a bucket in an unprotected stack', () => {
    expect(terminationProtection(bucket({ stackTerminationProtection: false }))).toEqual([
      {
        path: 'Prod/Data/Uploads/Resource',
        location: 'Stack/TerminationProtection',
        message:
          'Prod/Data/Uploads/Resource (AWS::S3::Bucket) is in a stack without termination protection; build stateful stacks with terminationProtection from config',
      },
    ]);
  });
  test('a stateless resource may sit in an unprotected stack', () => {
    expect(terminationProtection(role())).toEqual([]);
  });
});

describe('PLAT-STA2 statefulRetention', () => {
  test.each(['Retain', 'Snapshot', 'RetainExceptOnCreate'])('compliant: DeletionPolicy %s', (policy) => {
    expect(statefulRetention(bucket({ deletionPolicy: policy }))).toEqual([]);
  });
  test('non-compliant: a bucket that would be deleted', () => {
    expect(statefulRetention(bucket({ deletionPolicy: 'Delete' })).map((f) => f.message)).toEqual([
      'Prod/Data/Uploads/Resource (AWS::S3::Bucket) has DeletionPolicy Delete; use RemovalPolicy.RETAIN or SNAPSHOT from config',
    ]);
  });
  test('a stateless resource may be deleted', () => {
    expect(statefulRetention(role())).toEqual([]);
  });
});

describe('PLAT-SIZE1 templateSize', () => {
  test('compliant: a template well below the limit', () => {
    expect(templateSize('Prod/Network', 200_000)).toBeUndefined();
  });
  test('warning above 80% of the limit', () => {
    expect(templateSize('Prod/Network', 850_000)).toEqual({
      severity: 'warning',
      message: "Prod/Network template is 850 kB, above 80% of CloudFormation's 1000 kB limit; plan a split",
    });
  });
  test('error above the limit', () => {
    expect(templateSize('Prod/Network', 1_000_001)).toEqual({
      severity: 'error',
      message: "Prod/Network template is 1000 kB, above CloudFormation's 1000 kB limit; split the stack",
    });
  });
  test('exactly at 80% is still fine', () => {
    expect(templateSize('Prod/Network', 800_000)).toBeUndefined();
  });
});
