import { GetUserIdCommand, IdentitystoreClient, ResourceNotFoundException } from '@aws-sdk/client-identitystore';
import { mockClient } from 'aws-sdk-client-mock';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { makeHandler } from '../../../lib/functions/identity-users/handler';
import { MAX_ATTEMPTS, setSleep } from '../../../lib/functions/rotation/steps';

const store = mockClient(IdentitystoreClient);
const handler = makeHandler(new IdentitystoreClient({}));
const USER_ID = '0a1b2c3d4e-11112222-3333-4444-5555-666677778888';

const event = (type: 'Create' | 'Update' | 'Delete', userName = 'alice'): CloudFormationCustomResourceEvent =>
  ({
    RequestType: type,
    ServiceToken: 'token',
    ResponseURL: 'https://example.com',
    StackId: 'stack',
    RequestId: 'request',
    LogicalResourceId: 'UserAlice',
    ResourceType: 'Custom::IdentityStoreUser',
    ResourceProperties: { ServiceToken: 'token', IdentityStoreId: 'd-0123456789', UserName: userName },
    ...(type === 'Create' ? {} : { PhysicalResourceId: USER_ID, OldResourceProperties: {} }),
  }) as CloudFormationCustomResourceEvent;

describe('identity store user lookup', () => {
  let sleeps: number[];
  beforeEach(() => {
    store.reset();
    sleeps = [];
    setSleep(async (ms) => void sleeps.push(ms));
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  test.each<['Create' | 'Update']>([['Create'], ['Update']])(
    '%s: finds the user by user name and answers its ID (the physical ID too)',
    async (type) => {
      store.on(GetUserIdCommand).resolves({ UserId: USER_ID, IdentityStoreId: 'd-0123456789' });
      await expect(handler(event(type))).resolves.toEqual({ PhysicalResourceId: USER_ID, Data: { UserId: USER_ID } });
      expect(store.commandCalls(GetUserIdCommand)[0].args[0].input).toEqual({
        IdentityStoreId: 'd-0123456789',
        AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: 'alice' } },
      });
    },
  );

  test('a user that is not in the identity store fails the deploy with what to do', async () => {
    store.on(GetUserIdCommand).rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    await expect(handler(event('Create', 'frank'))).rejects.toThrow(
      'no user "frank" in identity store d-0123456789: create it in the identity source first (docs/security/iam-policies.md, "Onboard a person"), or correct team.people[].userName',
    );
  });

  test('throttling is retried with backoff, then answered', async () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    store.on(GetUserIdCommand).rejectsOnce(throttled).rejectsOnce(throttled).resolves({ UserId: USER_ID, IdentityStoreId: 'd-0123456789' });
    await expect(handler(event('Create'))).resolves.toMatchObject({ PhysicalResourceId: USER_ID });
    expect(sleeps).toHaveLength(2);
  });

  test('throttling that does not stop fails after a bounded number of attempts', async () => {
    store.on(GetUserIdCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(handler(event('Create'))).rejects.toThrow('slow down');
    expect(store.commandCalls(GetUserIdCommand)).toHaveLength(MAX_ATTEMPTS);
  });

  test('an answer without an ID is an error', async () => {
    store.on(GetUserIdCommand).resolves({ IdentityStoreId: 'd-0123456789' } as never);
    await expect(handler(event('Create'))).rejects.toThrow('the identity store d-0123456789 answered no ID for user "alice"');
  });

  test('a denied call is not retried', async () => {
    store.on(GetUserIdCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(handler(event('Create'))).rejects.toThrow('denied');
    expect(store.commandCalls(GetUserIdCommand)).toHaveLength(1);
  });

  test('Delete changes nothing in the identity store', async () => {
    await expect(handler(event('Delete'))).resolves.toEqual({ PhysicalResourceId: USER_ID, Data: {} });
    expect(store.commandCalls(GetUserIdCommand)).toHaveLength(0);
  });
});
