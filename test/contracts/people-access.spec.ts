/**
 * People's access as a first deploy meets it, from the roster (`lib/config/team.ts`) to the
 * cluster: the Management stage's permission sets, groups, memberships and assignments; each
 * environment's roles, which only the matching permission set's sessions may assume; the access
 * entries that map those roles into the cluster. Read from the synthesized templates, simulated
 * with @cloud-copilot/iam-simulate.
 */
import { App } from 'aws-cdk-lib';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import {
  accessRoleArn,
  accessRoleName,
  DEVELOPER_BOUNDARY_POLICY_NAME,
  identityCenterGroupName,
  TEAM_ROLE_BOUNDARY_POLICY_NAME,
  TEAM_ROLE_PATH,
} from '../../lib/config/access-names';
import { CLUSTER_ACCESS } from '../../lib/config/cluster-access';
import { managementConfig } from '../../lib/config/management';
import { PLATFORM } from '../../lib/config/platform';
import {
  ACCESS_ROLES,
  AccessRole,
  accessRolesIn,
  activePeople,
  assignmentsIn,
  membershipsOf,
  TEAM,
  TeamRoster,
} from '../../lib/config/team';
import { review } from '../../lib/review/review';
import { StackArtifact } from '../../lib/review/model';
import { ManagementStage } from '../../lib/stages/management-stage';
import { PERMISSION_SET_MANAGED_POLICIES } from '../../lib/stacks/identity-center-stack';
import { TEST_APP_PROPS } from '../helpers';
import { ACCESS_POLICY_RULES, allowsCore } from './eks-access-policies';
import { decide, PolicyDocument } from './iam';
import { resolve, resourcesOf, stack, standIn, SynthesizedStack, world } from './world';

const w = world();
const ENVIRONMENTS = w.environments.map((c) => [c.name, c] as const);
const management = stack(w, 'Management/Access');

/** The role Identity Center makes in `account` for a permission set (the path carries the instance's region). */
const ssoRole = (account: string, setName: string, suffix = '0123456789abcdef') =>
  `arn:aws:iam::${account}:role/aws-reserved/sso.amazonaws.com/${PLATFORM.identityCenter.region}/AWSReservedSSO_${setName}_${suffix}`;

/** Every role a stage's stacks create, by the ARNs a template can name it with (its name, or the stand-in of its Arn). */
function rolesOfStage(stageName: string): Set<string> {
  const arns = new Set<string>();
  for (const s of w.stacks.filter((x) => x.path.startsWith(`${stageName}/`))) {
    for (const [id, r] of resourcesOf(s, 'AWS::IAM::Role')) {
      if (r.Properties?.RoleName) arns.add(`arn:aws:iam::${s.account}:role${r.Properties.Path ?? '/'}${r.Properties.RoleName}`);
      arns.add(standIn(s, id, 'Arn'));
    }
  }
  return arns;
}

/** Simulate a request with identity policies, permission boundaries and a resource policy. */
async function simulate(request: {
  identity: PolicyDocument[];
  boundary?: PolicyDocument[];
  action: string;
  resource: string;
  account: string;
  context?: Record<string, string | string[]>;
}): Promise<string> {
  const result = await runSimulation(
    {
      identityPolicies: request.identity.map((policy, i) => ({ name: `p${i}`, policy })),
      permissionBoundaryPolicies: request.boundary?.map((policy, i) => ({ name: `b${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        principal: `arn:aws:sts::${request.account}:assumed-role/AWSReservedSSO_X_0123456789abcdef/alice`,
        action: request.action,
        resource: { resource: request.resource, accountId: request.account },
        contextVariables: { 'aws:PrincipalAccount': request.account, ...request.context },
      },
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`${request.action}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

/** Worst case for an AWS managed policy we do not transcribe: it allows everything. */
const ALLOW_EVERYTHING: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

const permissionSets = () =>
  Object.fromEntries(resourcesOf(management, 'AWS::SSO::PermissionSet').map(([id, r]) => [id, r.Properties!])) as Record<
    string,
    Record<string, unknown>
  >;
const setByName = (name: string) => Object.values(permissionSets()).find((p) => p.Name === name)!;
/** The inline policy of a permission set. */
const inline = (role: AccessRole): PolicyDocument => setByName(TEAM.permissionSets[role].name).InlinePolicy as PolicyDocument;

describe('Identity Center (Management stage)', () => {
  test('one permission set per access role: its AWS managed policy, session length, inline policy, and a boundary for developers only', () => {
    expect(
      Object.values(permissionSets())
        .map((p) => p.Name)
        .sort(),
    ).toEqual(ACCESS_ROLES.map((r) => TEAM.permissionSets[r].name).sort());
    for (const role of ACCESS_ROLES) {
      const set = setByName(TEAM.permissionSets[role].name);
      expect([role, set.SessionDuration]).toEqual([role, `PT${TEAM.permissionSets[role].sessionHours}H`]);
      expect([role, set.ManagedPolicies]).toEqual([role, [`arn:aws:iam::aws:policy/${PERMISSION_SET_MANAGED_POLICIES[role]}`]]);
      expect([role, set.PermissionsBoundary]).toEqual([
        role,
        role === 'developer' ? { CustomerManagedPolicyReference: { Name: DEVELOPER_BOUNDARY_POLICY_NAME, Path: '/' } } : undefined,
      ]);
      expect([role, set.InlinePolicy === undefined]).toEqual([role, role === 'breakGlass']);
    }
    // admin and break-glass sessions are short
    expect(setByName(TEAM.permissionSets.admin.name).SessionDuration).toBe('PT1H');
    expect(setByName(TEAM.permissionSets.breakGlass.name).SessionDuration).toBe('PT1H');
  });

  test("the assignments are the roster's: each group's permission set in each environment's account, and break-glass everywhere", () => {
    const groups = Object.fromEntries(
      resourcesOf(management, 'AWS::IdentityStore::Group').map(([id, g]) => [id, g.Properties!.DisplayName]),
    );
    const sets = Object.fromEntries(resourcesOf(management, 'AWS::SSO::PermissionSet').map(([id, p]) => [id, p.Properties!.Name]));
    const actual = resourcesOf(management, 'AWS::SSO::Assignment')
      .map(([, a]) => {
        const p = a.Properties!;
        expect([p.PrincipalType, p.TargetType, p.InstanceArn]).toEqual(['GROUP', 'AWS_ACCOUNT', PLATFORM.identityCenter.instanceArn]);
        return `${p.TargetId} ${groups[p.PrincipalId['Fn::GetAtt'][0]]} ${sets[p.PermissionSetArn['Fn::GetAtt'][0]]}`;
      })
      .sort();
    const expected = w.environments
      .flatMap((e) =>
        assignmentsIn(TEAM, e.name).map((a) => `${e.account} ${identityCenterGroupName(a.group)} ${TEAM.permissionSets[a.role].name}`),
      )
      .sort();
    expect(actual).toEqual(expected);
    // assignments are to groups only: no person is assigned anything directly
    expect(resourcesOf(management, 'AWS::SSO::Assignment').every(([, a]) => a.Properties!.PrincipalType === 'GROUP')).toBe(true);
  });

  test('each active person is a member of exactly their groups (and the break-glass group when flagged); departed people of none', () => {
    const groups = Object.fromEntries(
      resourcesOf(management, 'AWS::IdentityStore::Group').map(([id, g]) => [id, g.Properties!.DisplayName]),
    );
    const users = Object.fromEntries(
      resourcesOf(management, 'Custom::IdentityStoreUser').map(([id, u]) => {
        expect(u.Properties!.IdentityStoreId).toBe(PLATFORM.identityCenter.identityStoreId);
        return [id, u.Properties!.UserName];
      }),
    );
    const actual = resourcesOf(management, 'AWS::IdentityStore::GroupMembership')
      .map(([, m]) => `${users[m.Properties!.MemberId.UserId['Fn::GetAtt'][0]]} ${groups[m.Properties!.GroupId['Fn::GetAtt'][0]]}`)
      .sort();
    const expected = activePeople(TEAM)
      .flatMap((p) => membershipsOf(p).map((g) => `${p.userName} ${identityCenterGroupName(g)}`))
      .sort();
    expect(actual).toEqual(expected);
    expect(Object.values(users).sort()).toEqual(
      activePeople(TEAM)
        .map((p) => p.userName)
        .sort(),
    );
    const departed = TEAM.people.filter((p) => p.departed).map((p) => p.userName);
    expect(departed.length).toBeGreaterThan(0);
    for (const name of departed) expect(Object.values(users)).not.toContain(name);
  });

  test('the user lookup may only read user IDs of this identity store', () => {
    const [, role] = resourcesOf(management, 'AWS::IAM::Role').find(([, r]) =>
      String(r.Properties?.Description).includes('identity store'),
    )!;
    expect(role).toBeDefined();
    const statements = resourcesOf(management, 'AWS::IAM::Policy').flatMap(
      ([, p]) => resolve(w, management, p.Properties!.PolicyDocument).Statement,
    );
    const lookup = statements.find((s: { Sid?: string }) => s.Sid === 'FindUsersByName');
    expect(lookup).toEqual({
      Sid: 'FindUsersByName',
      Effect: 'Allow',
      Action: 'identitystore:GetUserId',
      Resource: [`arn:aws:identitystore::*:identitystore/${PLATFORM.identityCenter.identityStoreId}`, 'arn:aws:identitystore:::user/*'],
    });
  });
});

describe('offboarding: removing a person from the roster removes exactly their resources', () => {
  /** The Management stage's Access stack, synthesized for a roster. */
  const synth = (team: TeamRoster): StackArtifact[] => {
    const app = new App({ ...TEST_APP_PROPS, context: { ...TEST_APP_PROPS.context, 'aws:cdk:enable-path-metadata': true } });
    const stage = new ManagementStage(app, 'Management', {
      management: managementConfig(),
      team,
      environments: w.environments,
    });
    const s = stage.synth().getStackArtifact(stage.access.artifactId);
    return [
      {
        displayName: 'Management/Access',
        stackName: s.stackName,
        account: s.environment.account,
        region: s.environment.region,
        template: s.template,
      },
    ];
  };
  const base = synth(TEAM);
  const changes = (team: TeamRoster) => {
    const result = review({ base, head: synth(team) });
    return result.cloudFormation.stacks
      .flatMap((s) => s.resources.map((r) => `${r.kind} ${r.type} ${r.constructPath ?? r.logicalId}`))
      .sort();
  };
  const theirs = (userName: string, groups: readonly string[]) =>
    [
      `removed Custom::IdentityStoreUser Management/Access/IdentityCenter/User-${userName}/Default`,
      ...groups.map((g) => `removed AWS::IdentityStore::GroupMembership Management/Access/IdentityCenter/Membership-${userName}-${g}`),
    ].sort();

  test.each(activePeople(TEAM).map((p) => [p.userName, p] as const))('%s leaves the roster', (userName, person) => {
    // GIVEN the roster WHEN the person's entry is removed THEN their lookup and memberships go, nothing else changes
    const without = { ...TEAM, people: TEAM.people.filter((p) => p.userName !== userName) };
    expect(changes(without)).toEqual(theirs(userName, membershipsOf(person)));
  });

  test('marking a person departed does the same as removing them', () => {
    const [bob] = activePeople(TEAM).filter((p) => p.userName === 'bob');
    const departed = { ...TEAM, people: TEAM.people.map((p) => (p.userName === 'bob' ? { ...p, departed: true } : p)) };
    expect(changes(departed)).toEqual(theirs('bob', membershipsOf(bob)));
  });

  test('onboarding a person adds exactly their lookup and memberships', () => {
    const joined = {
      ...TEAM,
      people: [...TEAM.people, { userName: 'frank', email: 'frank@example.com', groups: ['developers' as const] }],
    };
    expect(changes(joined)).toEqual(
      [
        'added Custom::IdentityStoreUser Management/Access/IdentityCenter/User-frank/Default',
        'added AWS::IdentityStore::GroupMembership Management/Access/IdentityCenter/Membership-frank-developers',
      ].sort(),
    );
  });
});

describe.each(ENVIRONMENTS)("%s: people's way into the account and the cluster", (name, config) => {
  const stage = config.stageName;
  const access = stack(w, `${stage}/Access`);
  const cluster = stack(w, `${stage}/Cluster`);
  const roleId = (role: AccessRole) =>
    resourcesOf(access, 'AWS::IAM::Role').find(([, r]) => r.Properties?.RoleName === accessRoleName(config, role))![0];

  test("every access entry's principal is a role a stack of the stage creates (people's roles: the Access stack)", () => {
    const created = rolesOfStage(stage);
    const principals = resourcesOf(cluster, 'AWS::EKS::AccessEntry').map(
      ([, e]) => resolve(w, cluster, e.Properties!.PrincipalArn) as string,
    );
    expect(principals.length).toBeGreaterThan(1);
    expect(principals.filter((p) => !created.has(p))).toEqual([]);
    // and the people's entries are exactly the environment's roles
    const people = accessRolesIn(TEAM, name).map((r) => accessRoleArn(config, r));
    expect(principals.filter((p) => people.includes(p)).sort()).toEqual([...people].sort());
  });

  test('the break-glass role the buckets name is created by the Access stack', () => {
    const created = rolesOfStage(stage);
    const named = w.stacks
      .filter((s) => s.path.startsWith(`${stage}/`))
      .flatMap((s) => resourcesOf(s, 'AWS::S3::BucketPolicy').flatMap(([, p]) => resolve(w, s, p.Properties!.PolicyDocument).Statement))
      .filter((st: { Sid?: string }) => st.Sid === 'DenyBucketDeletionExceptBreakGlass')
      .flatMap((st: { Condition: { ArnNotLike: { 'aws:PrincipalArn': string[] } } }) => st.Condition.ArnNotLike['aws:PrincipalArn']);
    if (config.stateful.removal === 'retain') expect(named.length).toBeGreaterThan(0);
    for (const arn of named) expect(created.has(arn)).toBe(true);
  });

  test.each(accessRolesIn(TEAM, name).map((r) => [r] as const))(
    '%s: only the sessions of its own permission set (of this account) may assume the role',
    async (role) => {
      const id = roleId(role);
      const trust = resolve(
        w,
        access,
        resourcesOf(access, 'AWS::IAM::Role').find(([i]) => i === id)![1].Properties!.AssumeRolePolicyDocument,
      );
      // In its own account, a trust that names the account defers to the caller's identity policy as
      // well: a session of a permission set brings that set's policies (ReadOnlyAccess has no
      // sts:AssumeRole, the set's inline policy adds it for the read-only roles).
      const identityOf = (set: AccessRole): PolicyDocument[] => (set === 'readOnly' ? [inline('readOnly')] : [ALLOW_EVERYTHING]);
      const assume = async (principal: string, set: AccessRole) =>
        (
          await decide({
            identity: identityOf(set).map((policy, i) => ({ name: `p${i}`, policy })),
            action: 'sts:AssumeRole',
            resource: accessRoleArn(config, role),
            principal,
            resourceAccount: config.account,
            resourcePolicy: trust,
          })
        ).decision;
      expect(await assume(ssoRole(config.account, TEAM.permissionSets[role].name), role)).toBe('Allowed');
      expect(await assume(ssoRole(config.account, TEAM.permissionSets[role].name, 'fedcba9876543210'), role)).toBe('Allowed');
      for (const other of ACCESS_ROLES.filter((r) => r !== role)) {
        expect([other, await assume(ssoRole(config.account, TEAM.permissionSets[other].name), other)]).toEqual([other, 'ImplicitlyDenied']);
      }
      expect(await assume(ssoRole('999999999999', TEAM.permissionSets[role].name), role)).toBe('ImplicitlyDenied');
      expect(await assume(`arn:aws:iam::${config.account}:role/ci-deployer`, 'admin')).toBe('ImplicitlyDenied');
    },
  );

  test('people in production: nobody edits the cluster; what they can reach views it without Secrets or exec', () => {
    if (config.tier !== 'production') return;
    const entries = resourcesOf(cluster, 'AWS::EKS::AccessEntry').map(([, e]) => e.Properties!);
    for (const role of accessRolesIn(TEAM, name).filter((r) => r !== 'breakGlass')) {
      const entry = entries.find((e) => e.PrincipalArn === accessRoleArn(config, role))!;
      const policies = entry.AccessPolicies.map((p: { PolicyArn: unknown }) => JSON.stringify(p.PolicyArn).match(/AmazonEKS\w+Policy/)![0]);
      expect([role, policies]).toEqual([role, CLUSTER_ACCESS[role].map((p) => p.policy)]);
      for (const policy of policies) {
        const rules = ACCESS_POLICY_RULES[policy];
        expect(rules).toBeDefined();
        expect([policy, allowsCore(rules, 'get', 'secrets'), allowsCore(rules, 'list', 'secrets')]).toEqual([policy, false, false]);
        expect([policy, allowsCore(rules, 'create', 'pods/exec'), allowsCore(rules, 'get', 'pods/exec')]).toEqual([policy, false, false]);
        expect(allowsCore(rules, 'get', 'pods')).toBe(true);
      }
    }
  });
});

describe('what a person may do in AWS, by permission set (simulated)', () => {
  const boundaryOf = (s: SynthesizedStack, policyName: string): PolicyDocument => {
    const [, p] = resourcesOf(s, 'AWS::IAM::ManagedPolicy').find(([, m]) => m.Properties?.ManagedPolicyName === policyName)!;
    return resolve(w, s, p.Properties!.PolicyDocument);
  };
  const prod = w.environments.find((e) => e.tier === 'production')!;
  const dev = w.environments.find((e) => e.tier === 'development')!;
  const secret = (account: string) => `arn:aws:secretsmanager:eu-west-1:${account}:secret:saas-platform/x/jwt-signing-key-AbCdEf`;

  test('a developer in production holds read-only there and cannot read a secret, a user file or decrypt, even if ReadOnlyAccess allowed it', async () => {
    const developers = activePeople(TEAM).filter((p) => p.groups.includes('developers'));
    expect(developers.length).toBeGreaterThan(0);
    const roles = [...new Set(developers.flatMap((p) => p.groups.map((g) => TEAM.access[prod.name][g])))].filter((l) => l !== 'none');
    expect(roles).toEqual(['readOnly']);
    const as = (action: string, resource: string) =>
      simulate({ identity: [ALLOW_EVERYTHING, inline('readOnly')], action, resource, account: prod.account });
    expect(await as('secretsmanager:GetSecretValue', secret(prod.account))).toBe('ExplicitlyDenied');
    expect(await as('kms:Decrypt', `arn:aws:kms:eu-west-1:${prod.account}:key/k`)).toBe('ExplicitlyDenied');
    expect(await as('s3:GetObject', 'arn:aws:s3:::saas-platform-prod-uploads-333333333333-eu-west-1/web-api/file.pdf')).toBe(
      'ExplicitlyDenied',
    );
    expect(await as('sqs:ReceiveMessage', `arn:aws:sqs:eu-west-1:${prod.account}:q`)).toBe('ExplicitlyDenied');
    // what read-only is for stays possible, and the cluster through the read-only role
    expect(await as('logs:GetLogEvents', `arn:aws:logs:eu-west-1:${prod.account}:log-group:/x:log-stream:y`)).toBe('Allowed');
    expect(
      await simulate({
        identity: [inline('readOnly')],
        action: 'sts:AssumeRole',
        resource: accessRoleArn(prod, 'readOnly'),
        account: prod.account,
      }),
    ).toBe('Allowed');
  });

  test.each<[AccessRole]>([['admin'], ['developer'], ['readOnly']])(
    '%s: no secret value, no blinding the audit, no key destruction, no loosening a boundary',
    async (role) => {
      const as = (action: string, resource: string) =>
        simulate({ identity: [ALLOW_EVERYTHING, inline(role)], action, resource, account: dev.account });
      expect(await as('secretsmanager:GetSecretValue', secret(dev.account))).toBe('ExplicitlyDenied');
      expect(await as('cloudtrail:StopLogging', `arn:aws:cloudtrail:eu-west-1:${dev.account}:trail/saas-platform-dev-audit`)).toBe(
        'ExplicitlyDenied',
      );
      expect(await as('kms:ScheduleKeyDeletion', `arn:aws:kms:eu-west-1:${dev.account}:key/k`)).toBe('ExplicitlyDenied');
      expect(await as('iam:CreatePolicyVersion', `arn:aws:iam::${dev.account}:policy/${DEVELOPER_BOUNDARY_POLICY_NAME}`)).toBe(
        'ExplicitlyDenied',
      );
      expect(await as('iam:DeleteRolePermissionsBoundary', `arn:aws:iam::${dev.account}:role${TEAM_ROLE_PATH}job`)).toBe(
        'ExplicitlyDenied',
      );
      // writing a secret's value (the owning team sets a third party's key) stays possible
      expect(await as('secretsmanager:PutSecretValue', secret(dev.account))).toBe('Allowed');
    },
  );

  test('break-glass is unrestricted (and alarmed instead)', () => {
    expect(setByName(TEAM.permissionSets.breakGlass.name).InlinePolicy).toBeUndefined();
  });

  test('a developer session (PowerUserAccess under the developer boundary) creates team roles only with the team boundary, and nothing else in IAM', async () => {
    const access = stack(w, `${dev.stageName}/Access`);
    const boundary = boundaryOf(access, DEVELOPER_BOUNDARY_POLICY_NAME);
    const teamRole = `arn:aws:iam::${dev.account}:role${TEAM_ROLE_PATH}report-job`;
    const withBoundary = { 'iam:PermissionsBoundary': `arn:aws:iam::${dev.account}:policy/${TEAM_ROLE_BOUNDARY_POLICY_NAME}` };
    const as = (action: string, resource: string, context: Record<string, string> = {}) =>
      simulate({
        identity: [ALLOW_EVERYTHING, inline('developer')],
        boundary: [boundary],
        action,
        resource,
        account: dev.account,
        context,
      });
    expect(await as('iam:CreateRole', teamRole, withBoundary)).toBe('Allowed');
    expect(await as('iam:PutRolePolicy', teamRole, withBoundary)).toBe('Allowed');
    expect(await as('iam:CreateRole', teamRole)).toBe('ImplicitlyDenied');
    expect(
      await as('iam:CreateRole', teamRole, { 'iam:PermissionsBoundary': `arn:aws:iam::${dev.account}:policy/AdministratorAccess` }),
    ).toBe('ImplicitlyDenied');
    expect(await as('iam:CreateRole', `arn:aws:iam::${dev.account}:role/platform-role`, withBoundary)).toBe('ImplicitlyDenied');
    expect(await as('iam:PutRolePolicy', `arn:aws:iam::${dev.account}:role/${accessRoleName(dev, 'admin')}`)).toBe('ImplicitlyDenied');
    expect(await as('iam:CreateUser', `arn:aws:iam::${dev.account}:user/backdoor`)).toBe('ImplicitlyDenied');
    expect(await as('iam:AttachUserPolicy', `arn:aws:iam::${dev.account}:user/backdoor`)).toBe('ImplicitlyDenied');
    expect(await as('organizations:LeaveOrganization', '*')).toBe('ImplicitlyDenied');
    // everyday work is untouched by the boundary
    expect(await as('ec2:DescribeInstances', '*')).toBe('Allowed');
    expect(await as('eks:DescribeCluster', `arn:aws:eks:eu-west-1:${dev.account}:cluster/saas-platform-dev`)).toBe('Allowed');
  });

  test('a role a team creates (under the team boundary) cannot administer identities or read secrets', async () => {
    const access = stack(w, `${dev.stageName}/Access`);
    const boundary = boundaryOf(access, TEAM_ROLE_BOUNDARY_POLICY_NAME);
    const as = (action: string, resource: string) =>
      simulate({ identity: [ALLOW_EVERYTHING], boundary: [boundary], action, resource, account: dev.account });
    expect(await as('iam:CreateRole', `arn:aws:iam::${dev.account}:role${TEAM_ROLE_PATH}x`)).toBe('ImplicitlyDenied');
    expect(await as('secretsmanager:GetSecretValue', secret(dev.account))).toBe('ExplicitlyDenied');
    expect(await as('s3:GetObject', 'arn:aws:s3:::bucket/key')).toBe('Allowed');
  });
});
