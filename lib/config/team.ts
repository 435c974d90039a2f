/**
 * THE team roster: who may sign in to which environment, with what. Onboarding a person is one
 * entry in `people`; offboarding is removing it (or `departed: true`) and deploying: the Management
 * stage's Access stack then holds exactly the group memberships this file implies, so every
 * membership the person had, and with it every account assignment, is gone (docs/security/iam-policies.md).
 *
 * People sign in through IAM Identity Center. Each group holds, per environment, one of four levels
 * (`admin`, `developer`, `readOnly`, `none`), which is an Identity Center permission set assigned to
 * the group in that environment's account. Production has no standing admin: people with
 * `breakGlass: true` may use the break-glass permission set, and every use raises a critical alarm.
 *
 * Pure data, validated by `validateTeam` (lib/config/validate-team.ts) before anything is made.
 */

/** The groups of the roster: one Identity Center group each. */
export const TEAM_GROUPS = ['admins', 'developers', 'readonly', 'oncall'] as const;

/** A group of the roster. */
export type TeamGroup = (typeof TEAM_GROUPS)[number];

/** What a group holds in one environment: a permission set, or nothing. */
export const ACCESS_LEVELS = ['admin', 'developer', 'readOnly', 'none'] as const;

/** What a group holds in one environment. */
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/**
 * A way into an environment's account: one Identity Center permission set, and the environment
 * role (created in that account) its sessions may assume for the cluster.
 */
export type AccessRole = Exclude<AccessLevel, 'none'> | 'breakGlass';

/** The access roles, in the order the docs list them. */
export const ACCESS_ROLES: readonly AccessRole[] = ['admin', 'developer', 'readOnly', 'breakGlass'];

/** One person. */
export interface TeamMember {
  /**
   * The person's user name in the Identity Center identity store (the name they sign in with),
   * e.g. `alice` or `alice@example.com`. The user itself comes from the identity source (the
   * Identity Center directory or your IdP through SCIM); the roster only names it.
   */
  readonly userName: string;
  /** Work e-mail, for the record and the docs. */
  readonly email: string;
  /** The groups the person is in (at least one). */
  readonly groups: readonly TeamGroup[];
  /**
   * May use the break-glass permission set (full admin, one-hour sessions, every use alarmed) in
   * every environment: the only admin path into production. For `admins` and `oncall` only.
   * @default false
   */
  readonly breakGlass?: boolean;
  /**
   * Left the team: no membership anywhere, kept for the record until the next clean-up.
   * @default false
   */
  readonly departed?: boolean;
}

/** One Identity Center permission set. */
export interface PermissionSetSpec {
  /**
   * Name of the permission set (letters, digits and `+=,.@-`, up to 32; no underscore, so the role
   * Identity Center makes, `AWSReservedSSO_<name>_<suffix>`, is matched by exactly this set).
   */
  readonly name: string;
  /** How long a session lasts, in hours (1..12; admin and break-glass at most 2). */
  readonly sessionHours: number;
  /** What it is for (shown in the access portal). */
  readonly description: string;
}

/** The roster and what it grants. */
export interface TeamRoster {
  /** The permission set behind each access role. */
  readonly permissionSets: Readonly<Record<AccessRole, PermissionSetSpec>>;
  /** Environment name -> group -> what the group holds in that environment's account and cluster. */
  readonly access: Readonly<Record<string, Readonly<Record<TeamGroup, AccessLevel>>>>;
  /** The people. */
  readonly people: readonly TeamMember[];
}

/** The team. Placeholder people: replace them with yours (user names as in your identity store). */
export const TEAM: TeamRoster = {
  permissionSets: {
    admin: { name: 'PlatformAdmin', sessionHours: 1, description: 'Administrator of a non-production account' },
    developer: {
      name: 'PlatformDeveloper',
      sessionHours: 8,
      description: 'Power user without IAM, under a permissions boundary; edits workloads in the cluster',
    },
    readOnly: { name: 'PlatformReadOnly', sessionHours: 8, description: 'Reads configuration and logs; no data, no secrets' },
    breakGlass: { name: 'PlatformBreakGlass', sessionHours: 1, description: 'Emergency administrator; every use pages on-call' },
  },
  access: {
    dev: { admins: 'admin', developers: 'developer', readonly: 'readOnly', oncall: 'developer' },
    staging: { admins: 'admin', developers: 'developer', readonly: 'readOnly', oncall: 'developer' },
    // Nobody changes production by hand: everyone reads, changes go through the pipeline, and the
    // break-glass path is there for emergencies.
    prod: { admins: 'readOnly', developers: 'readOnly', readonly: 'readOnly', oncall: 'readOnly' },
  },
  people: [
    { userName: 'alice', email: 'alice@example.com', groups: ['admins', 'oncall'], breakGlass: true },
    { userName: 'bob', email: 'bob@example.com', groups: ['developers', 'oncall'] },
    { userName: 'carol', email: 'carol@example.com', groups: ['developers'] },
    { userName: 'dave', email: 'dave@example.com', groups: ['readonly'] },
    { userName: 'erin', email: 'erin@example.com', groups: ['developers'], departed: true },
  ],
};

/** The people who hold memberships: everyone not departed. */
export function activePeople(team: TeamRoster): TeamMember[] {
  return team.people.filter((p) => p.departed !== true);
}

/** The Identity Center groups a person is a member of: their roster groups, and the break-glass group when flagged. */
export function membershipsOf(person: TeamMember): (TeamGroup | 'break-glass')[] {
  if (person.departed === true) return [];
  return [...person.groups, ...(person.breakGlass === true ? (['break-glass'] as const) : [])];
}

/** One account assignment: a group holds a permission set in an environment's account. */
export interface GroupAssignment {
  /** The roster group, or the break-glass group. */
  readonly group: TeamGroup | 'break-glass';
  /** The access role (permission set) it holds there. */
  readonly role: AccessRole;
}

/**
 * What the groups hold in one environment: the roster's levels (`none` left out) and the break-glass
 * group's break-glass set, which every environment has.
 */
export function assignmentsIn(team: TeamRoster, environmentName: string): GroupAssignment[] {
  const levels = team.access[environmentName] ?? {};
  const groups: GroupAssignment[] = TEAM_GROUPS.flatMap((group) => {
    const level = levels[group] ?? 'none';
    return level === 'none' ? [] : [{ group, role: level }];
  });
  return [...groups, { group: 'break-glass', role: 'breakGlass' }];
}

/** The access roles an environment needs (a role for each level some group holds there, and break-glass), in `ACCESS_ROLES` order. */
export function accessRolesIn(team: TeamRoster, environmentName: string): AccessRole[] {
  const used = new Set(assignmentsIn(team, environmentName).map((a) => a.role));
  return ACCESS_ROLES.filter((role) => used.has(role));
}

/** What an environment's stacks need to know of people's access. */
export interface EnvironmentAccess {
  /** The access roles the environment has (an environment role and an access entry each). */
  readonly roles: readonly AccessRole[];
  /** The permission set behind each access role: its sessions, and only they, may assume the role. */
  readonly permissionSetNames: Readonly<Record<AccessRole, string>>;
  /** Region of the Identity Center instance (part of the path of the roles it makes). */
  readonly identityCenterRegion: string;
}

/** An environment's access, from the roster. */
export function environmentAccess(team: TeamRoster, environmentName: string, identityCenterRegion: string): EnvironmentAccess {
  return {
    roles: accessRolesIn(team, environmentName),
    permissionSetNames: Object.fromEntries(ACCESS_ROLES.map((role) => [role, team.permissionSets[role].name])) as Record<
      AccessRole,
      string
    >,
    identityCenterRegion,
  };
}
