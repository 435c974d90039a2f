import * as path from 'path';
import { CustomResource, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as identitystore from 'aws-cdk-lib/aws-identitystore';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sso from 'aws-cdk-lib/aws-sso';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { PlatformFunction } from './platform-function';
import { acknowledgeProviderFramework } from './provider-framework';

/** One permission set. */
export interface PermissionSetSpec {
  /** Key of the set (construct IDs and assignments refer to it), e.g. `readOnly`. */
  readonly key: string;
  /** Name in Identity Center. */
  readonly name: string;
  /** What it is for. */
  readonly description: string;
  /** Session length. */
  readonly session: Duration;
  /** AWS managed policies, by name, e.g. `ReadOnlyAccess`. */
  readonly managedPolicies: readonly string[];
  /**
   * Inline policy document (JSON).
   * @default - none
   */
  readonly inlinePolicy?: object;
  /**
   * Customer-managed policy (by name, in every account the set is assigned to) that bounds its sessions.
   * @default - no permissions boundary
   */
  readonly permissionsBoundaryPolicyName?: string;
}

/** One group of the identity store. */
export interface GroupSpec {
  /** Key (construct IDs, memberships, assignments), e.g. `developers`. */
  readonly key: string;
  /** Display name in the identity store. */
  readonly displayName: string;
  /** What it is. */
  readonly description: string;
}

/** One person: their user name and the groups (keys) they are a member of. */
export interface PersonSpec {
  /** User name in the identity store. */
  readonly userName: string;
  /** Group keys. */
  readonly groups: readonly string[];
}

/** One account assignment: a group holds a permission set in an account. */
export interface AssignmentSpec {
  /** Key of the environment (construct IDs). */
  readonly environment: string;
  /** The account. */
  readonly account: string;
  /** Group key. */
  readonly group: string;
  /** Permission set key. */
  readonly permissionSet: string;
}

/** Props of `IdentityCenterAccess`. */
export interface IdentityCenterAccessProps {
  /** ARN of the Identity Center instance. */
  readonly instanceArn: string;
  /** ID of its identity store. */
  readonly identityStoreId: string;
  readonly permissionSets: readonly PermissionSetSpec[];
  readonly groups: readonly GroupSpec[];
  /** The people holding memberships (departed people are not here). */
  readonly people: readonly PersonSpec[];
  readonly assignments: readonly AssignmentSpec[];
  /** Retention of the user lookups' logs. */
  readonly logRetention: logs.RetentionDays;
}

/** A user name as a construct ID part (construct IDs may not contain `/`). */
const idOf = (userName: string) => userName.replace(/\//g, '_');

/**
 * IAM Identity Center from the roster: permission sets, groups, each person's memberships, and the
 * groups' account assignments. Users come from the identity source; each person's user ID is looked
 * up by user name at deploy time (`identitystore:GetUserId`, one custom resource per person), so a
 * person's resources are exactly their lookup and their memberships: removing the person from the
 * roster removes those and nothing else. Assignments belong to groups, never to people.
 */
export class IdentityCenterAccess extends Construct {
  /** The permission sets by key. */
  public readonly permissionSets: Readonly<Record<string, sso.CfnPermissionSet>>;
  /** The groups by key. */
  public readonly groups: Readonly<Record<string, identitystore.CfnGroup>>;
  /** The user lookup of each person, by user name. */
  public readonly users: Readonly<Record<string, CustomResource>>;

  constructor(scope: Construct, id: string, props: IdentityCenterAccessProps) {
    super(scope, id);
    const sets: Record<string, sso.CfnPermissionSet> = {};
    for (const spec of props.permissionSets) {
      sets[spec.key] = new sso.CfnPermissionSet(this, `PermissionSet-${spec.key}`, {
        instanceArn: props.instanceArn,
        name: spec.name,
        description: spec.description,
        sessionDuration: `PT${spec.session.toHours()}H`,
        managedPolicies: spec.managedPolicies.map((name) => `arn:aws:iam::aws:policy/${name}`),
        inlinePolicy: spec.inlinePolicy,
        permissionsBoundary: spec.permissionsBoundaryPolicyName
          ? { customerManagedPolicyReference: { name: spec.permissionsBoundaryPolicyName, path: '/' } }
          : undefined,
      });
    }
    this.permissionSets = sets;

    const groups: Record<string, identitystore.CfnGroup> = {};
    for (const spec of props.groups) {
      groups[spec.key] = new identitystore.CfnGroup(this, `Group-${spec.key}`, {
        identityStoreId: props.identityStoreId,
        displayName: spec.displayName,
        description: spec.description,
      });
    }
    this.groups = groups;

    const lookup = this.userLookup(props.identityStoreId, props.logRetention);
    const users: Record<string, CustomResource> = {};
    for (const person of props.people) {
      const user = new CustomResource(this, `User-${idOf(person.userName)}`, {
        serviceToken: lookup.serviceToken,
        resourceType: 'Custom::IdentityStoreUser',
        properties: { IdentityStoreId: props.identityStoreId, UserName: person.userName },
      });
      users[person.userName] = user;
      for (const group of person.groups) {
        new identitystore.CfnGroupMembership(this, `Membership-${idOf(person.userName)}-${group}`, {
          identityStoreId: props.identityStoreId,
          groupId: groups[group].attrGroupId,
          memberId: { userId: user.getAttString('UserId') },
        });
      }
    }
    this.users = users;

    for (const a of props.assignments) {
      new sso.CfnAssignment(this, `Assignment-${a.environment}-${a.group}-${a.permissionSet}`, {
        instanceArn: props.instanceArn,
        permissionSetArn: sets[a.permissionSet].attrPermissionSetArn,
        principalType: 'GROUP',
        principalId: groups[a.group].attrGroupId,
        targetType: 'AWS_ACCOUNT',
        targetId: a.account,
      });
    }
  }

  /** The custom resource provider that looks a user up by name, allowed `GetUserId` in this identity store only. */
  private userLookup(identityStoreId: string, logRetention: logs.RetentionDays): cr.Provider {
    const fn = new PlatformFunction(this, 'UserLookup', {
      entry: path.join(__dirname, '..', 'functions', 'identity-users', 'handler.ts'),
      description: "Finds a roster person's user ID in the identity store by user name",
      timeout: Duration.seconds(30),
      logRetention,
    });
    // The identity store belongs to the organization's management account, which need not be the
    // deploying account (a delegated administrator): its ID is unique, so the account is left open.
    const store = `arn:aws:identitystore::*:identitystore/${identityStoreId}`;
    const anyUser = 'arn:aws:identitystore:::user/*';
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'FindUsersByName', actions: ['identitystore:GetUserId'], resources: [store, anyUser] }),
    );
    const policy = fn.role.node.findChild('DefaultPolicy');
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${store}]`,
      reason:
        "The identity store ID is globally unique; its account (the organization's management account) may differ from the deploying delegated administrator's.",
    });
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${anyUser}]`,
      reason:
        'GetUserId requires the User resource type, and the user ID is what the call finds: it cannot be named beforehand. The action only reads an ID.',
    });
    const provider = new cr.Provider(this, 'UserLookupProvider', {
      onEventHandler: fn.function,
      logGroup: new logs.LogGroup(this, 'UserLookupProviderLogs', { retention: logRetention, removalPolicy: RemovalPolicy.RETAIN }),
    });
    acknowledgeProviderFramework(provider, fn.function);
    return provider;
  }
}
