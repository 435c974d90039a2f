import { CfnTemplate, StackArtifact } from '../../lib/review/model';
import { removedOutputReads } from '../../lib/review/output-reads';
import { ResourceSpecification } from '../../lib/review/replacement-rules';
import { runGuard } from '../../lib/review/guard';
import { compareAssemblies } from '../../lib/review/stack-changes';
import { resource, stack } from './templates';

const spec = new ResourceSpecification();
const guard = (base: StackArtifact[], head: StackArtifact[], allow = [] as Parameters<typeof runGuard>[2]) => {
  const comparison = compareAssemblies(base, head, spec);
  return runGuard(comparison, removedOutputReads(comparison.pairs), allow);
};
const bucket = (extra = {}) => resource('AWS::S3::Bucket', {}, 'Dev/Data/Uploads/Resource', extra);

describe('runGuard', () => {
  test('a removed bucket kept by its DeletionPolicy is still blocked, and says it is kept', () => {
    // GIVEN
    const base = [stack('Dev/Data', { Resources: { Uploads: bucket({ DeletionPolicy: 'Retain' }) } })];
    const head = [stack('Dev/Data', { Resources: {} })];
    // WHEN
    const result = guard(base, head);
    // THEN
    expect(result.passed).toBe(false);
    expect(result.blocked).toEqual([
      {
        stack: 'Dev/Data',
        logicalId: 'Uploads',
        type: 'AWS::S3::Bucket',
        constructPath: 'Dev/Data/Uploads/Resource',
        change: 'removed',
        why: [
          'it is no longer in the template: the deploy removes it from the stack',
          'its DeletionPolicy keeps the old one (or a final snapshot), but the stack no longer manages it',
        ],
        loses: 'a bucket holds objects (uploads, assets, logs); a new one starts empty under a new name',
      },
    ]);
  });

  test('a stateful resource in a stack no longer in the app is blocked; a successor in another stack is named', () => {
    const base = [stack('Dev/Data', { Resources: { Uploads: bucket() } })];
    const head = [stack('Dev/Storage', { Resources: { Uploads2: resource('AWS::S3::Bucket', {}, 'Dev/Storage/Uploads/Resource') } })];
    expect(guard(base, head).blocked.map((f) => f.why)).toEqual([
      [
        'its stack is no longer in the app: a deploy leaves the stack behind unmanaged, and deleting it deletes this',
        'an added AWS::S3::Bucket in Dev/Storage, Uploads2 at Dev/Storage/Uploads/Resource, looks like it under a new construct ID (was Dev/Data/Uploads/Resource): it starts empty',
      ],
    ]);
  });

  test('a replacement kept by UpdateReplacePolicy says so', () => {
    const template = (name: string): CfnTemplate => ({
      Resources: { Uploads: bucket({ UpdateReplacePolicy: 'Retain', Properties: { BucketName: name } }) },
    });
    const [finding] = guard([stack('Dev/Data', template('a'))], [stack('Dev/Data', template('b'))]).blocked;
    expect(finding.why).toEqual([
      'BucketName changes (a change of it replaces an AWS::S3::Bucket)',
      'its UpdateReplacePolicy keeps the old one (or a snapshot), but the stack moves to a new one',
    ]);
  });

  test('a stateful resource that may be replaced is a warning, not a failure', () => {
    const db = (multiAz: boolean): CfnTemplate => ({
      Resources: { Db: resource('AWS::RDS::DBInstance', { MultiAZ: multiAz }, 'Dev/Data/Database/Resource') },
    });
    const result = guard([stack('Dev/Data', db(false))], [stack('Dev/Data', db(true))]);
    expect(result).toMatchObject({ passed: true, blocked: [], allowed: [] });
    expect(result.warnings).toEqual([
      expect.objectContaining({
        logicalId: 'Db',
        change: 'may be replaced',
        why: ['MultiAZ changes (for some values, a change of it replaces an AWS::RDS::DBInstance)'],
      }),
    ]);
  });

  test('non-stateful replacements and removals pass', () => {
    const base = [
      stack('Dev/App', {
        Resources: { Fn: resource('AWS::Lambda::Function', { FunctionName: 'a' }), Role: resource('AWS::IAM::Role', {}) },
      }),
    ];
    const head = [stack('Dev/App', { Resources: { Fn: resource('AWS::Lambda::Function', { FunctionName: 'b' }) } })];
    expect(guard(base, head)).toEqual({ passed: true, blocked: [], allowed: [], warnings: [], unusedEntries: [] });
  });

  test('the allow-list lets a finding (and a warning) through with its entry; an entry matching nothing is reported unused', () => {
    const base = [stack('Dev/Data', { Resources: { Uploads: bucket() } })];
    const allow = [
      { stack: 'Dev/Data', logicalId: 'Uploads', reason: 'emptied and moved to the archive account', approvedBy: 'ops@example.com' },
      { stack: 'Dev/Data', logicalId: 'Gone', reason: 'old', approvedBy: 'ops@example.com' },
    ];
    const result = guard(base, [stack('Dev/Data', { Resources: {} })], allow);
    expect(result.passed).toBe(true);
    expect(result.allowed.map((f) => [f.logicalId, f.allowedBy?.reason])).toEqual([
      ['Uploads', 'emptied and moved to the archive account'],
    ]);
    expect(result.unusedEntries).toEqual([allow[1]]);
  });

  test('a removed output read by another stack is one finding per output, one line per reader', () => {
    const producer = (outputs: boolean): CfnTemplate => ({ Resources: {}, Outputs: outputs ? { VpcId: { Value: 'vpc-1' } } : {} });
    const reader = (name: string): StackArtifact =>
      stack(name, {
        Resources: {
          Sg: resource('AWS::EC2::SecurityGroup', { VpcId: { 'Fn::GetStackOutput': { StackName: 'Dev-Network', OutputName: 'VpcId' } } }),
        },
      });
    const result = guard(
      [stack('Dev/Network', producer(true)), reader('Dev/Cluster'), reader('Dev/Data')],
      [stack('Dev/Network', producer(false)), reader('Dev/Cluster'), reader('Dev/Data')],
    );
    expect(result.blocked).toEqual([
      {
        stack: 'Dev/Network',
        logicalId: 'VpcId',
        type: 'Output',
        change: 'output removed',
        why: [
          'Dev/Cluster still reads it in this change: its deploy fails, as Fn::GetStackOutput finds no such output',
          'Dev/Data still reads it in this change: its deploy fails, as Fn::GetStackOutput finds no such output',
        ],
        loses: 'weak references (Fn::GetStackOutput) do not stop a producer from dropping an output its consumers read',
      },
    ]);
  });
});

describe('runGuard across stacks', () => {
  test('a subnet replaced in Network blocks the EKS cluster that reads it through Fn::GetStackOutput, though its template is unchanged', () => {
    // GIVEN
    const network = (cidr: string): CfnTemplate => ({
      Resources: { Private1: resource('AWS::EC2::Subnet', { CidrBlock: cidr, VpcId: 'vpc-1' }, 'Dev/Network/Private1/Resource') },
      Outputs: { Private1Id: { Value: { Ref: 'Private1' } } },
    });
    const cluster = stack('Dev/Cluster', {
      Resources: {
        Cluster: resource(
          'AWS::EKS::Cluster',
          {
            ResourcesVpcConfig: {
              SubnetIds: [{ 'Fn::GetStackOutput': { StackName: 'Dev-Network', OutputName: 'Private1Id', Region: 'eu-west-1' } }],
            },
          },
          'Dev/Cluster/Cluster/Resource',
        ),
      },
    });
    // WHEN
    const result = guard([stack('Dev/Network', network('10.0.0.0/24')), cluster], [stack('Dev/Network', network('10.0.8.0/24')), cluster]);
    // THEN
    expect(result.blocked).toEqual([
      expect.objectContaining({
        stack: 'Dev/Cluster',
        logicalId: 'Cluster',
        change: 'replaced',
        constructPath: 'Dev/Cluster/Cluster/Resource',
        why: [
          'ResourcesVpcConfig.SubnetIds[0] reads output Private1Id of Dev/Network, whose value changes ' +
            '(first cause: Dev/Network Private1: CidrBlock changes (a change of it replaces an AWS::EC2::Subnet))',
        ],
      }),
    ]);
  });
});
