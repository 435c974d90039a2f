import { CfnTemplate } from '../../lib/review/model';
import { MARKDOWN_LIMIT, allowEntryFor, countsOf, markdownReport, textReport } from '../../lib/review/report';
import { review } from '../../lib/review/review';
import { resource, stack } from './templates';

const CONTEXT = { base: 'origin/main (3f2a1bc)', head: 'working tree', allowListFile: 'review-allow.json' };

// GIVEN a change that modifies an alarm, replaces the database (new subnet group name), adds a
// topic, removes a queue, leaves Network alone, and changes one Kubernetes object per environment
const data = (threshold: number, group: string, withQueue: boolean): CfnTemplate => ({
  Resources: {
    Alarm: resource('AWS::CloudWatch::Alarm', { Threshold: threshold, Description: 'CPU | high' }, 'Dev/Data/Alarm/Resource'),
    Group: resource('AWS::RDS::DBSubnetGroup', { DBSubnetGroupName: group, SubnetIds: ['a'] }, 'Dev/Data/Database/SubnetGroup'),
    Db: resource('AWS::RDS::DBInstance', { DBSubnetGroupName: { Ref: 'Group' } }, 'Dev/Data/Database/Resource'),
    ...(withQueue
      ? { Queue: resource('AWS::SQS::Queue', {}, 'Dev/Data/Queue/Resource') }
      : { Topic: resource('AWS::SNS::Topic', {}, 'Dev/Data/Topic/Resource') }),
  },
});
const network = stack('Dev/Network', { Resources: { Vpc: resource('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' }) } });
const deployment = (image: string) => ({
  file: '0003-orders.k8s.yaml',
  object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'orders', namespace: 'shop' }, spec: { image } },
});
const result = review({
  base: [network, stack('Dev/Data', data(80, 'db-a', true))],
  head: [network, stack('Dev/Data', data(90, 'db-b', false))],
  manifests: {
    base: new Map([
      ['dev', [deployment('orders:1')]],
      ['prod', []],
    ]),
    head: new Map([
      ['dev', [deployment('orders:2')]],
      ['prod', []],
    ]),
  },
});

describe('textReport', () => {
  const text = textReport(result, CONTEXT);

  test('per stage and stack: counts, then each resource with its mark, type, logical ID, path and what changes', () => {
    expect(text).toContain('Review: base origin/main (3f2a1bc) -> head working tree');
    expect(text).toContain('    Dev/Data: 1 added, 1 modified, 2 REPLACED, 1 removed');
    expect(text).toContain('      [~]  AWS::CloudWatch::Alarm  Alarm  Dev/Data/Alarm/Resource  Threshold');
    expect(text).toContain(
      '      [!]  AWS::RDS::DBInstance  Db  Dev/Data/Database/Resource  REPLACED\n          DBSubnetGroupName refers to Group (AWS::RDS::DBSubnetGroup), which is replaced',
    );
    expect(text).toContain('      [+]  AWS::SNS::Topic  Topic  Dev/Data/Topic/Resource');
    expect(text).toContain('      [-]  AWS::SQS::Queue  Queue  Dev/Data/Queue/Resource');
    expect(text).toContain('    1 stack(s) unchanged');
  });

  test('Kubernetes objects per environment', () => {
    expect(text).toContain(
      'Kubernetes\n  dev: 0 added, 1 changed, 0 removed\n    [~] Deployment shop/orders  spec.image\n  prod: no changes',
    );
  });

  test('the guard: headline, each blocked finding with why and what it loses, and the entries to allow them', () => {
    expect(text).toContain('Guard: FAILED; 1 stateful resource(s) replaced, 1 stateful resource(s) removed');
    expect(text).toContain(
      '  BLOCKED Dev/Data Db (AWS::RDS::DBInstance) replaced at Dev/Data/Database/Resource\n      why: DBSubnetGroupName refers to Group',
    );
    expect(text).toContain('      loses: a queue holds messages in flight; they are lost with it');
    expect(text).toContain(
      'After review, let a removal or replacement through with an entry in review-allow.json ("allow" list):\n' +
        '  {"stack":"Dev/Data","logicalId":"Db","reason":"<why this is safe>","approvedBy":"<who reviewed it>"}',
    );
  });

  test('a stage without changes is one line', () => {
    const quiet = textReport(review({ base: [network], head: [network] }), CONTEXT);
    expect(quiet).toContain('CloudFormation\n  Dev: no changes (1 stack(s))\n\nGuard: passed; no stateful resource is removed or replaced');
  });
});

describe('markdownReport', () => {
  const markdown = markdownReport(result, CONTEXT);

  test('leads with the verdict and the blocked table, then the entries to allow them', () => {
    expect(markdown.split('\n').slice(0, 3)).toEqual([
      '## Infrastructure review: **blocked**',
      '',
      'Base `origin/main (3f2a1bc)`, head `working tree`. Guard FAILED; 1 stateful resource(s) replaced, 1 stateful resource(s) removed.',
    ]);
    expect(markdown).toContain(
      '| Dev/Data | `Db` | AWS::RDS::DBInstance | `Dev/Data/Database/Resource` | replaced | DBSubnetGroupName refers to Group',
    );
    expect(markdown).toContain('```json\n{"stack":"Dev/Data","logicalId":"Db"');
  });

  test('a table per stage and stack, details per stack, Kubernetes per environment; pipes in values are escaped', () => {
    expect(markdown).toContain('| Dev | Dev/Data | 1 | 1 | **2** | 1 |  |');
    expect(markdown).toContain('1 of 2 stacks unchanged.');
    expect(markdown).toContain('<details><summary>Dev/Data: 1 added, 1 modified, 2 REPLACED, 1 removed</summary>');
    expect(markdown).toContain('| dev | 0 | 1 | 0 |');
    expect(markdown).toContain('| [~] | `Deployment shop/orders` | `0003-orders.k8s.yaml` | spec.image |');
  });

  test(`is cut below ${MARKDOWN_LIMIT} characters, details closed, with a note`, () => {
    // GIVEN a change that adds 300 resources with long construct paths (the diff library is slow on thousands)
    const deep = 'Nested/'.repeat(30);
    const many: CfnTemplate = {
      Resources: Object.fromEntries(
        Array.from({ length: 300 }, (_, i) => [`Topic${i}`, resource('AWS::SNS::Topic', {}, `Dev/App/${deep}Topic${i}/Resource`)]),
      ),
    };
    // WHEN
    const long = markdownReport(review({ base: [], head: [stack('Dev/App', many)] }), CONTEXT);
    // THEN
    expect(long.length).toBeLessThanOrEqual(MARKDOWN_LIMIT + 1);
    expect(long).toMatch(/<\/details>\n\n_The details are cut here to fit a comment; run `npm run review` for all of them._\n$/);
  });
});

test('countsOf and allowEntryFor', () => {
  expect(countsOf([])).toBe('no resource changes');
  expect(allowEntryFor({ stack: 'Prod/Data', logicalId: 'Db', type: 'AWS::RDS::DBInstance', change: 'replaced', why: [], loses: '' })).toBe(
    '{"stack":"Prod/Data","logicalId":"Db","reason":"<why this is safe>","approvedBy":"<who reviewed it>"}',
  );
});

describe('allowed findings, warnings and unused entries', () => {
  // GIVEN a removed queue (allowed), a database that may be replaced (warning), an entry matching nothing
  const db = (multiAz: boolean) => resource('AWS::RDS::DBInstance', { MultiAZ: multiAz }, 'Dev/Data/Database/Resource');
  const allowList = [
    { stack: 'Dev/Data', logicalId: 'Queue', reason: 'drained | replaced by EventBridge', approvedBy: 'ops@example.com' },
    { stack: 'Dev/Data', logicalId: 'Gone', reason: 'deployed last week', approvedBy: 'ops@example.com' },
  ];
  const outcome = review({
    base: [
      stack('Dev/Data', {
        Resources: { Db: db(false), Queue: resource('AWS::SQS::Queue', {}) },
        Outputs: { A: { Value: 'a' }, B: { Value: 'b' } },
      }),
    ],
    head: [stack('Dev/Data', { Resources: { Db: db(true) }, Outputs: { A: { Value: 'a2' }, C: { Value: 'c' } } })],
    allowList,
  });

  test('text', () => {
    const text = textReport(outcome, CONTEXT);
    expect(text).toContain('Guard: passed; 1 reviewed removal(s) or replacement(s) allowed by the allow-list');
    expect(text).toContain('  ALLOWED Dev/Data Queue (AWS::SQS::Queue) removed\n');
    expect(text).toContain('  WARNING Dev/Data Db (AWS::RDS::DBInstance) may be replaced at Dev/Data/Database/Resource');
    expect(text).toContain('      [~]  AWS::RDS::DBInstance  Db  Dev/Data/Database/Resource  may be replaced (MultiAZ)');
    expect(text).toContain(
      '  UNUSED review-allow.json entry Dev/Data Gone: matches nothing in this change; delete it once its change is deployed',
    );
    expect(text).toContain('    Dev/Data: 1 modified, 1 removed, 1 output(s) added, 1 output(s) changed, 1 output(s) removed');
  });

  test('markdown', () => {
    const markdown = markdownReport(outcome, CONTEXT);
    expect(markdown).toMatch(/^## Infrastructure review: passed\n/);
    expect(markdown).toContain(
      '| Dev/Data | `Queue` | AWS::SQS::Queue | removed | drained \\| replaced by EventBridge | ops@example.com |',
    );
    expect(markdown).toContain('### May be replaced (CloudFormation decides by the values; check)');
    expect(markdown).toContain('Unused entries in `review-allow.json` (delete them once their change is deployed): `Dev/Data Gone`');
    expect(markdown).toContain('| Dev | Dev/Data |  | 1 |  | 1 | +1 ~1 -1 |');
  });
});
