import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BACKUP_OPT_IN_ACTION, BackupRegionOptIn } from '../../lib/constructs/backup-region-opt-in';
import { testApp } from '../helpers';

const stackIn = (region: string) => new Stack(testApp(), 'Test', { env: { account: '123456789012', region } });

describe('BackupRegionOptIn', () => {
  test.each(['eu-west-1', 'eu-central-1'])(
    '%s: opts the stack region in to the given types on create and update, nothing on delete',
    (region) => {
      // GIVEN a stack in a region
      const stack = stackIn(region);
      // WHEN two types are opted in
      new BackupRegionOptIn(stack, 'OptIn', { resourceTypes: ['S3', 'RDS'] });
      // THEN the call names that region and exactly those types, on create and update
      const [resource] = Object.values(Template.fromStack(stack).findResources('Custom::AWS'));
      const expected = {
        service: 'Backup',
        action: 'updateRegionSettings',
        region,
        parameters: { ResourceTypeOptInPreference: { S3: true, RDS: true } },
      };
      expect(JSON.parse(resource.Properties.Create)).toMatchObject(expected);
      expect(JSON.parse(resource.Properties.Update)).toMatchObject(expected);
      expect(resource.Properties.Delete).toBeUndefined();
      // AND the policy allows only the opt-in action
      Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: [{ Action: BACKUP_OPT_IN_ACTION, Effect: 'Allow', Resource: '*' }] },
      });
    },
  );

  test('refuses an empty list (an opt-in that opts nothing in would pretend)', () => {
    // GIVEN / WHEN no type / THEN a clear error naming the construct
    expect(() => new BackupRegionOptIn(stackIn('eu-west-1'), 'OptIn', { resourceTypes: [] })).toThrow(
      'Test/OptIn: no resource type to opt in',
    );
  });
});
