import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import { STATEFUL_RESOURCE_TYPES } from '../../lib/policies/stateful-resources';
import { GUARDED_TYPES, guardedReason } from '../../lib/review/stateful-types';

describe('the guarded types', () => {
  test('include every type the synth-time stateful policy protects', () => {
    expect([...STATEFUL_RESOURCE_TYPES].filter((t) => !(t in GUARDED_TYPES))).toEqual([]);
  });

  test('are all real CloudFormation types (a typo would guard nothing)', () => {
    const db = loadAwsServiceSpecSync();
    const unknown = Object.keys(GUARDED_TYPES).filter((t) => db.lookup('resource', 'cloudFormationType', 'equals', t).length === 0);
    expect(unknown).toEqual([]);
  });

  test.each([
    ['AWS::RDS::DBInstance', /database instance holds the data/],
    ['AWS::Logs::LogGroup', /audit trail/],
    ['AWS::Route53::HostedZone', /delegation from the parent zone breaks/],
  ])('%s carries why losing it loses data', (type, reason) => {
    expect(guardedReason(type)).toMatch(reason);
  });

  test.each([['AWS::Lambda::Function'], [undefined]])('%s is not guarded', (type) => {
    expect(guardedReason(type)).toBeUndefined();
  });
});
