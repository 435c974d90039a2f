/**
 * Every action named in every IAM policy of every template exists in AWS's service authorization
 * data (a typo in an action is accepted by IAM and silently grants nothing).
 */
import { everyStatement, unknownActions } from './iam';
import { world } from './world';

describe('IAM actions', () => {
  const w = world();

  test('every action of every policy, role, key, bucket, queue and repository exists (wildcards match at least one)', async () => {
    const unknown: string[] = [];
    let checked = 0;
    for (const s of w.stacks) {
      for (const { where, statement } of everyStatement(s)) {
        checked++;
        for (const action of await unknownActions(statement)) unknown.push(`${where}: ${action}`);
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(unknown).toEqual([]);
  });

  test.each(w.environments.map((c) => [c.name, c.stageName]))(
    '%s: the check reads the controllers: the Cluster stack names more than 50 distinct actions',
    (_name, stageName) => {
      const cluster = w.stacks.find((s) => s.path === `${stageName}/Cluster`)!;
      const actions = new Set(everyStatement(cluster).flatMap(({ statement }) => [statement.Action ?? statement.NotAction ?? []].flat()));
      expect(actions.size).toBeGreaterThan(50);
    },
  );

  test('the check is not vacuous: a misspelled action, an unknown service, a wildcard that matches nothing and a bare word are caught', async () => {
    expect(
      await unknownActions({
        Action: [
          's3:GetObject',
          's3:GetObjekt',
          'rds-db:connect',
          'nosuch:Thing',
          'ec2:Describe*',
          'elasticloadbalancing:Describe*',
          'ec2:Fly*',
          'bad',
          'ec2',
        ],
      }),
    ).toEqual(['s3:GetObjekt', 'nosuch:Thing', 'ec2:Fly*', 'bad', 'ec2']);
    // a list of actions is read like a statement's
    expect(await unknownActions(['ec2:DescribeVpcs', 'ec2:DescribeVpcz'])).toEqual(['ec2:DescribeVpcz']);
  });
});
