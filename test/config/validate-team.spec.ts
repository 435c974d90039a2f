import { configProblems } from '../../bin/config-input';
import { ENVIRONMENTS, dev } from '../../lib/config/environments';
import { PLATFORM } from '../../lib/config/platform';
import { SERVICE_CATALOG } from '../../lib/config/service-catalog';
import { accessRolesIn, activePeople, assignmentsIn, environmentAccess, membershipsOf, TEAM, TeamRoster } from '../../lib/config/team';
import { validateIdentityCenter, validateTeam } from '../../lib/config/validate-team';
import { withValue } from '../helpers';

const ENVS = ENVIRONMENTS.map((e) => ({ name: e.name, tier: e.tier }));
const problemsOf = (team: unknown) => validateTeam(team, ENVS).map((p) => `${p.path}: ${p.message}`);

describe('validateTeam', () => {
  test('the roster of lib/config is valid against the environments', () => {
    expect(validateTeam(TEAM, ENVS)).toEqual([]);
  });

  test.each<[string, string, unknown, string[]]>([
    [
      'an unknown group in a person',
      'people.1.groups',
      ['developers', 'admin'],
      ['team.people[1].groups[1]: "admin" is not a group; use one of admins, developers, readonly, oncall'],
    ],
    [
      'a group listed twice',
      'people.1.groups',
      ['oncall', 'oncall'],
      ['team.people[1].groups[1]: "oncall" is listed twice; each group once'],
    ],
    ['no group', 'people.1.groups', [], ['team.people[1].groups: is empty; give at least one group']],
    [
      'groups that are not a list',
      'people.1.groups',
      'developers',
      ['team.people[1].groups: "developers" is not a list of groups; use some of admins, developers, readonly, oncall'],
    ],
    ['a malformed e-mail', 'people.2.email', 'carol@', ['team.people[2].email: "carol@" is not an e-mail address']],
    [
      'a user name with a space',
      'people.2.userName',
      'carol smith',
      ['team.people[2].userName: "carol smith" is not valid; use the identity store user name (1..128 characters, no spaces)'],
    ],
    [
      'a field that is not a person field',
      'people.2.role',
      'admin',
      ['team.people[2].role: is not a field of a person; use one of userName, email, groups, breakGlass, departed'],
    ],
    ['a flag that is not a boolean', 'people.2.departed', 'yes', ['team.people[2].departed: "yes" is not true or false']],
    [
      'break-glass for someone outside admins and oncall',
      'people.2.breakGlass',
      true,
      ['team.people[2].breakGlass: true is for admins and oncall; "carol" is in developers'],
    ],
    ['a person that is not an object', 'people.3', 'dave', ['team.people[3]: "dave" is not a person; give { userName, email, groups }']],
    [
      'an unknown environment',
      'access.qa',
      { admins: 'admin', developers: 'developer', readonly: 'readOnly', oncall: 'none' },
      ['team.access.qa: "qa" is not an environment; use one of dev, staging, prod'],
    ],
    [
      'a missing environment',
      'access.staging',
      undefined,
      ['team.access.staging: missing is not an object; give what each group holds in staging (admin, developer, readOnly, none)'],
    ],
    [
      'an unknown group in an environment',
      'access.dev.testers',
      'readOnly',
      ['team.access.dev.testers: "testers" is not a group; use one of admins, developers, readonly, oncall'],
    ],
    [
      'a missing group level',
      'access.dev.oncall',
      undefined,
      ['team.access.dev.oncall: missing is not allowed; use one of admin, developer, readOnly, none'],
    ],
    [
      'an unknown level',
      'access.dev.oncall',
      'write',
      ['team.access.dev.oncall: "write" is not allowed; use one of admin, developer, readOnly, none'],
    ],
    [
      'standing admin in production',
      'access.prod.admins',
      'admin',
      [
        'team.access.prod.admins: "admin" is standing admin access to production; production admin access is break-glass only: use "readOnly" and set breakGlass: true on the people who need it',
      ],
    ],
    [
      'developer access in production',
      'access.prod.developers',
      'developer',
      [
        'team.access.prod.developers: "developer" is not allowed in production; people read production ("readOnly") and change it through the pipeline',
      ],
    ],
    ['access that is not an object', 'access', [], ['team.access: [] is not an object; give what each group holds in each environment']],
    ['people that are not a list', 'people', {}, ['team.people: {} is not a list of people']],
    [
      'a permission set name with an underscore',
      'permissionSets.readOnly.name',
      'Read_Only',
      [
        'team.permissionSets.readOnly.name: "Read_Only" is not valid; use letters, digits and +=,.@- (up to 32; no underscore: Identity Center\'s role names use it as a separator)',
      ],
    ],
    [
      'two permission sets with one name',
      'permissionSets.breakGlass.name',
      'PlatformAdmin',
      ['team.permissionSets.breakGlass.name: "PlatformAdmin" is already the name of admin; each permission set needs its own name'],
    ],
    [
      'a long admin session',
      'permissionSets.admin.sessionHours',
      8,
      [
        'team.permissionSets.admin.sessionHours: 8 is not allowed; use a whole number of hours in 1..2 (administrator sessions are short: a stolen one is worth little)',
      ],
    ],
    [
      'a session longer than Identity Center allows',
      'permissionSets.readOnly.sessionHours',
      13,
      ['team.permissionSets.readOnly.sessionHours: 13 is not allowed; use a whole number of hours in 1..12'],
    ],
    [
      'a permission set without a description',
      'permissionSets.developer.description',
      '',
      ['team.permissionSets.developer.description: "" is not valid; say what the permission set is for'],
    ],
    [
      'a missing permission set',
      'permissionSets.breakGlass',
      undefined,
      ['team.permissionSets.breakGlass: missing is not a permission set; give { name, sessionHours, description }'],
    ],
    [
      'permission sets that are not an object',
      'permissionSets',
      'Admin',
      ['team.permissionSets: "Admin" is not an object; give { admin, developer, readOnly, breakGlass }'],
    ],
  ])('%s is reported', (_what, path, value, expected) => {
    // GIVEN the roster with one field changed WHEN validated THEN exactly the expected problems
    expect(problemsOf(withValue(TEAM, path, value))).toEqual(expected);
  });

  test('a duplicate person is reported, by user name (case-insensitively) and by e-mail', () => {
    const team: TeamRoster = { ...TEAM, people: [...TEAM.people, { userName: 'Alice', email: 'ALICE@example.com', groups: ['readonly'] }] };
    expect(problemsOf(team)).toEqual([
      'team.people[5].userName: "Alice" is already team.people[0]; one entry per person',
      'team.people[5].email: "ALICE@example.com" is already team.people[0]\'s; one entry per person',
    ]);
  });

  test('production without an active break-glass person is reported; development alone is not', () => {
    const team = { ...TEAM, people: TEAM.people.map((p) => ({ ...p, breakGlass: undefined })) };
    expect(problemsOf(team)).toEqual([
      'team.people: nobody active has breakGlass: true; production (prod) has no other admin path, so set it on at least one admin or on-call person',
    ]);
    expect(validateTeam(team, [{ name: 'dev', tier: 'development' }], { otherEnvironmentNames: ['staging', 'prod'] })).toEqual([]);
    // a departed break-glass person does not count
    const departed = withValue(TEAM, 'people.0.departed', true);
    expect(problemsOf(departed)).toHaveLength(1);
  });

  test('a roster that is not an object is one problem', () => {
    expect(problemsOf('alice')).toEqual(['team: "alice" is not a roster; give { permissionSets, access, people }']);
  });

  test('the roster is checked by the app and the manifests entry points, with everything else', () => {
    const broken = withValue(TEAM, 'people.1.email', 'bob');
    const problems = configProblems(ENVIRONMENTS, SERVICE_CATALOG, undefined, broken).map((p) => `${p.path}: ${p.message}`);
    expect(problems).toEqual(['team.people[1].email: "bob" is not an e-mail address']);
    // a config file with fewer environments: the others' access is not an unknown environment
    expect(configProblems([withValue(dev, 'domain.delegatedFrom', undefined)], SERVICE_CATALOG)).toEqual([]);
  });
});

describe('validateIdentityCenter', () => {
  test('the settings of lib/config are valid', () => {
    expect(validateIdentityCenter(PLATFORM)).toEqual([]);
  });

  test.each<[string, unknown, string[]]>([
    ['accounts.management', '4444', ['platform.accounts.management: "4444" is not an AWS account ID; use 12 digits']],
    [
      'identityCenter.instanceArn',
      'arn:aws:sso:::instance/ins-1',
      [
        'platform.identityCenter.instanceArn: "arn:aws:sso:::instance/ins-1" is not an Identity Center instance ARN; use arn:aws:sso:::instance/ssoins-<16 characters> (aws sso-admin list-instances)',
      ],
    ],
    [
      'identityCenter.identityStoreId',
      'd-XYZ',
      [
        'platform.identityCenter.identityStoreId: "d-XYZ" is not an identity store ID; use d-<10 hex digits> or a UUID (aws sso-admin list-instances)',
      ],
    ],
    [
      'identityCenter.region',
      'moon-1',
      ['platform.identityCenter.region: "moon-1" is not a known region; use the region of the Identity Center instance, e.g. eu-west-1'],
    ],
    ['identityCenter', undefined, ['platform.identityCenter: missing is not an object; give { instanceArn, identityStoreId, region }']],
  ])('%s = %j is reported', (path, value, expected) => {
    expect(validateIdentityCenter(withValue(PLATFORM, path, value)).map((p) => `${p.path}: ${p.message}`)).toEqual(expected);
  });

  test('a UUID identity store ID is accepted', () => {
    expect(validateIdentityCenter(withValue(PLATFORM, 'identityCenter.identityStoreId', '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d'))).toEqual(
      [],
    );
  });
});

describe('what the roster grants', () => {
  test.each(ENVIRONMENTS.map((e) => [e.name, e.tier] as const))(
    '%s: each group holds its level, break-glass is always there, and production has no standing admin or developer',
    (name, tier) => {
      const assignments = assignmentsIn(TEAM, name);
      expect(assignments).toContainEqual({ group: 'break-glass', role: 'breakGlass' });
      for (const [group, level] of Object.entries(TEAM.access[name])) {
        if (level === 'none') expect(assignments.filter((a) => a.group === group)).toEqual([]);
        else expect(assignments).toContainEqual({ group, role: level });
      }
      if (tier === 'production') expect(accessRolesIn(TEAM, name)).toEqual(['readOnly', 'breakGlass']);
    },
  );

  test('a group with no access anywhere gets no assignment', () => {
    const team = withValue(TEAM, 'access.dev.readonly', 'none');
    expect(assignmentsIn(team, 'dev').map((a) => a.group)).not.toContain('readonly');
    expect(assignmentsIn(team, 'nowhere')).toEqual([{ group: 'break-glass', role: 'breakGlass' }]);
  });

  test('memberships: the roster groups, the break-glass group when flagged, none once departed', () => {
    expect(membershipsOf({ userName: 'a', email: 'a@example.com', groups: ['admins', 'oncall'], breakGlass: true })).toEqual([
      'admins',
      'oncall',
      'break-glass',
    ]);
    expect(membershipsOf({ userName: 'b', email: 'b@example.com', groups: ['developers'] })).toEqual(['developers']);
    expect(membershipsOf({ userName: 'c', email: 'c@example.com', groups: ['developers'], departed: true })).toEqual([]);
    expect(activePeople(TEAM).map((p) => p.userName)).not.toContain('erin');
  });

  test('an environment learns its roles and the permission set behind each', () => {
    expect(environmentAccess(TEAM, 'prod', 'eu-west-1')).toEqual({
      roles: ['readOnly', 'breakGlass'],
      permissionSetNames: {
        admin: 'PlatformAdmin',
        developer: 'PlatformDeveloper',
        readOnly: 'PlatformReadOnly',
        breakGlass: 'PlatformBreakGlass',
      },
      identityCenterRegion: 'eu-west-1',
    });
  });
});
