/**
 * CloudFormation custom resource (through the CDK provider framework): the identity store's ID of
 * one person of the roster, found by user name (`identitystore:GetUserId`). Group memberships need
 * that ID, and users are not CloudFormation resources: they come from the identity source (the
 * Identity Center directory, or an IdP through SCIM).
 *
 * Properties: `IdentityStoreId`, `UserName`. Returns `UserId`; the physical ID is the user's ID, so a
 * user recreated under the same name (a new ID) replaces the memberships that name it. Deleting the
 * resource changes nothing in the identity store.
 */
import { GetUserIdCommand, IdentitystoreClient, ResourceNotFoundException } from '@aws-sdk/client-identitystore';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { withRetry } from '../rotation/steps';

/** What the handler answers the provider framework. */
export interface HandlerResult {
  readonly PhysicalResourceId: string;
  readonly Data: { readonly UserId?: string };
}

/** Build the handler over an identity store client. */
export function makeHandler(client: IdentitystoreClient) {
  return async (event: CloudFormationCustomResourceEvent): Promise<HandlerResult> => {
    if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId, Data: {} };
    const { IdentityStoreId: storeId, UserName: userName } = event.ResourceProperties as unknown as {
      IdentityStoreId: string;
      UserName: string;
    };
    try {
      const result = await withRetry('GetUserId', () =>
        client.send(
          new GetUserIdCommand({
            IdentityStoreId: storeId,
            AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: userName } },
          }),
        ),
      );
      if (!result.UserId) throw new Error(`the identity store ${storeId} answered no ID for user "${userName}"`);
      return { PhysicalResourceId: result.UserId, Data: { UserId: result.UserId } };
    } catch (e) {
      if (e instanceof ResourceNotFoundException) {
        throw new Error(
          `no user "${userName}" in identity store ${storeId}: create it in the identity source first (docs/security/iam-policies.md, "Onboard a person"), or correct team.people[].userName`,
        );
      }
      throw e;
    }
  };
}

/** The Lambda handler. */
export const handler = makeHandler(new IdentitystoreClient({}));
