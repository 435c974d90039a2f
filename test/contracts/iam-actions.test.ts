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

  test('the check is not vacuous: a misspelled action, an unknown service and a wildcard that matches nothing are caught', async () => {
    expect(
      await unknownActions({ Action: ['s3:GetObject', 's3:GetObjekt', 'rds-db:connect', 'nosuch:Thing', 'ec2:Describe*', 'ec2:Fly*'] }),
    ).toEqual(['s3:GetObjekt', 'nosuch:Thing', 'ec2:Fly*']);
  });
});
