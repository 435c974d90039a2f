import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as database from '../../lib/constructs/database';
import * as webAcl from '../../lib/constructs/web-acl';
import { dev } from '../../lib/config/environments';
import { GuardFinding } from '../../lib/review/guard';
import { StackArtifact } from '../../lib/review/model';
import { markdownReport, textReport } from '../../lib/review/report';
import { review } from '../../lib/review/review';
import { withValues } from '../helpers';
import { synthesizeDev, withExport } from './app-fixture';

// The done-when checks of `npm run review`, on real synthesized assemblies of the repository's app:
// one base (dev), synthesized once, and one head per change.
let base: StackArtifact[];
beforeAll(() => {
  base = synthesizeDev();
});

const CONTEXT = { base: 'base', head: 'head', allowListFile: 'review-allow.json' };
const DATABASE_TYPE = 'AWS::RDS::DBInstance';
const databaseOf = (findings: readonly GuardFinding[]) => findings.find((f) => f.type === DATABASE_TYPE);

/** The database construct under another construct ID: what renaming `'Database'` in DataStack does. */
class RenamedDatabase extends database.PlatformDatabase {
  constructor(scope: ConstructorParameters<typeof database.PlatformDatabase>[0], id: string, props: database.PlatformDatabaseProps) {
    super(scope, id === 'Database' ? 'PrimaryDatabase' : id, props);
  }
}

/** Replace the database's subnet group: a new DBSubnetGroupName (immutable) on the same construct. */
const moveSubnetGroup = (app: App) => {
  const data = app.node.findAll().find((c) => c instanceof Stack && c.node.path === 'Dev/Data') as Stack;
  const group = data.node.findAll().find((c) => c instanceof CfnResource && c.cfnResourceType === 'AWS::RDS::DBSubnetGroup') as CfnResource;
  group.addPropertyOverride('DBSubnetGroupName', 'dev-database-isolated-v2');
};

describe('a change that renames the database construct', () => {
  let head: StackArtifact[];
  beforeAll(() => {
    // GIVEN the database construct renamed from 'Database' to 'PrimaryDatabase'
    head = withExport(database, 'PlatformDatabase', RenamedDatabase, () => synthesizeDev());
  });

  test('fails the guard and names the database: stack, logical ID, type, construct path, why', () => {
    // WHEN
    const result = review({ base, head });
    // THEN
    expect(result.guard.passed).toBe(false);
    const finding = databaseOf(result.guard.blocked)!;
    expect(finding).toMatchObject({
      stack: 'Dev/Data',
      logicalId: expect.stringMatching(/^Database[0-9A-F]{8}$/),
      type: DATABASE_TYPE,
      constructPath: 'Dev/Data/Database/Resource/Resource',
      change: 'removed',
    });
    expect(finding.why).toEqual([
      'it is no longer in the template: the deploy deletes it',
      expect.stringMatching(
        /^an added AWS::RDS::DBInstance, PrimaryDatabase[0-9A-F]{8} at Dev\/Data\/PrimaryDatabase\/Resource\/Resource, looks like it under a new construct ID \(was Dev\/Data\/Database\/Resource\/Resource\): it starts empty$/,
      ),
    ]);
    expect(textReport(result, CONTEXT)).toContain(
      `BLOCKED Dev/Data ${finding.logicalId} (AWS::RDS::DBInstance) removed at Dev/Data/Database/Resource/Resource`,
    );
  });
});

describe('a change of a tag value and of the WAF rate limit', () => {
  let result: ReturnType<typeof review>;
  beforeAll(() => {
    // GIVEN the cost-center tag and the WAF rate limit changed in config
    const changed = withValues(dev, { 'tags.CostCenter': 'CC-2001', 'edge.wafRateLimitPer5Minutes': 2500 });
    result = review({ base, head: synthesizeDev(changed) });
  });

  test('passes the guard', () => {
    expect(result.guard).toMatchObject({ passed: true, blocked: [], allowed: [] });
  });

  test('shows the WebACLs (rules) and the tagged database as modifications, nothing replaced or removed', () => {
    const changes = result.cloudFormation.stacks.flatMap((s) => s.resources.map((r) => ({ stack: s.stack, ...r })));
    // CloudFormation replaces an AWS FIS experiment template when its tags change (FIS takes tags at
    // creation only); the templates hold no state, and docs/chaos.md finds them by their Name tag
    const fis = changes.filter((c) => c.type === 'AWS::FIS::ExperimentTemplate');
    expect(fis.map((c) => [c.stack, c.kind])).toEqual(fis.map(() => ['Dev/Chaos', 'replaced']));
    expect(changes.filter((c) => c.type !== 'AWS::FIS::ExperimentTemplate' && (c.kind !== 'modified' || c.mayBeReplaced))).toEqual([]);
    const webAcls = changes.filter((c) => c.type === 'AWS::WAFv2::WebACL');
    expect(webAcls.map((c) => [c.stack, c.changed])).toEqual([
      ['Dev/EdgeGlobal', ['Rules', 'Tags']],
      ['Dev/Edge', ['Rules', 'Tags']],
    ]);
    expect(changes).toContainEqual(
      expect.objectContaining({ stack: 'Dev/Data', type: DATABASE_TYPE, kind: 'modified', changed: ['Tags'] }),
    );
    expect(textReport(result, CONTEXT)).toMatch(
      /\[~\] {2}AWS::WAFv2::WebACL {2}WebAclE76B067C {2}Dev\/EdgeGlobal\/WebAcl\/Resource {2}Rules, Tags/,
    );
  });
});

describe('a change that replaces the database subnet group', () => {
  let head: StackArtifact[];
  let result: ReturnType<typeof review>;
  beforeAll(() => {
    // GIVEN the subnet group gets a new name: CloudFormation replaces it, and the instance follows
    head = synthesizeDev(dev, moveSubnetGroup);
    result = review({ base, head });
  });

  test('catches the database replacement the subnet group causes', () => {
    expect(result.guard.blocked.map((f) => f.type)).toEqual([DATABASE_TYPE]);
    const finding = databaseOf(result.guard.blocked)!;
    expect(finding).toMatchObject({
      stack: 'Dev/Data',
      type: DATABASE_TYPE,
      change: 'replaced',
      constructPath: 'Dev/Data/Database/Resource/Resource',
    });
    expect(finding.why[0]).toMatch(
      /^DBSubnetGroupName refers to DatabaseSubnetGroup[0-9A-F]{8} \(AWS::RDS::DBSubnetGroup\), which is replaced$/,
    );
  });

  test('an allow-listed replacement passes and says it was allowed, with the reason', () => {
    // GIVEN an allow-list entry for the database
    const { stack, logicalId } = databaseOf(result.guard.blocked)!;
    const allowList = [
      { stack, logicalId, reason: 'moved to the isolated subnets, restored from snapshot', approvedBy: 'dba@example.com' },
    ];
    // WHEN
    const allowed = review({ base, head, allowList });
    // THEN
    expect(allowed.guard.passed).toBe(true);
    expect(databaseOf(allowed.guard.allowed)?.allowedBy?.reason).toBe('moved to the isolated subnets, restored from snapshot');
    const text = textReport(allowed, CONTEXT);
    expect(text).toContain(
      'allowed by review-allow.json: moved to the isolated subnets, restored from snapshot (approved by dba@example.com)',
    );
    expect(markdownReport(allowed, CONTEXT)).toContain('### Allowed after review');
  });
});

describe('a change that drops a stack output another stack reads', () => {
  test('is caught, naming producer, output and consumer', () => {
    // GIVEN the CloudFront WebACL renamed in EdgeGlobal: its ARN output gets a new name; Edge (as deployed) reads the old one
    class RenamedWebAcl extends webAcl.PlatformWebAcl {
      constructor(scope: ConstructorParameters<typeof webAcl.PlatformWebAcl>[0], id: string, props: webAcl.PlatformWebAclProps) {
        super(scope, id === 'WebAcl' && Stack.of(scope).node.id === 'EdgeGlobal' ? 'CloudFrontWebAcl' : id, props);
      }
    }
    const head = withExport(webAcl, 'PlatformWebAcl', RenamedWebAcl, () => synthesizeDev());
    // WHEN
    const result = review({ base, head });
    // THEN
    const finding = result.guard.blocked.find((f) => f.change === 'output removed')!;
    expect(finding).toMatchObject({
      stack: 'Dev/EdgeGlobal',
      logicalId: expect.stringMatching(/^PublishOutputFnGetAttWebAcl/),
      type: 'Output',
    });
    expect(finding.why).toEqual([
      expect.stringMatching(
        /^Dev\/Edge, as deployed now, reads it: a deploy of Dev\/EdgeGlobal first leaves Dev\/Edge reading a missing output/,
      ),
    ]);
  });
});
