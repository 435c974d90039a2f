/**
 * Validation of the team roster (`TEAM`, lib/config/team.ts) and of the Identity Center settings in
 * `PLATFORM`, against the environments. Pure; every problem at once, in the `{ path, message }`
 * shape of the other validators; paths start with `team.` or `platform.`.
 */
import { KNOWN_REGIONS } from './regions';
import { ACCESS_LEVELS, ACCESS_ROLES, TEAM_GROUPS } from './team';
import { ACCOUNT, ConfigProblem, EMAIL } from './validate';
import { withSuggestion } from './suggest';

/** What this validator reads of an environment. */
export interface TeamEnvironment {
  readonly name: string;
  readonly tier: string;
}

/** Options of `validateTeam`. */
export interface ValidateTeamOptions {
  /**
   * Environments that exist but are not being validated (a config file may hold fewer than
   * lib/config): their keys in `team.access` are not errors.
   * @default - none
   */
  readonly otherEnvironmentNames?: readonly string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (v === undefined ? 'missing' : JSON.stringify(v));

/** Identity Center permission set names: IAM's name characters but `_`, which separates the parts of the role names Identity Center makes. */
const PERMISSION_SET_NAME = /^[A-Za-z0-9+=,.@-]{1,32}$/;
/** An identity store user name (Identity Store API: UserName, `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`, up to 128). */
const USER_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
/** IAM Identity Center instance ARN (AWS::SSO::Assignment InstanceArn pattern). */
const INSTANCE_ARN = /^arn:(aws|aws-us-gov|aws-cn):sso:::instance\/(sso)?ins-[a-zA-Z0-9-.]{16}$/;
/** Identity store ID (AWS::IdentityStore::Group IdentityStoreId pattern). */
const IDENTITY_STORE_ID = /^(d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const PERSON_KEYS = ['userName', 'email', 'groups', 'breakGlass', 'departed'];
/** Roles whose sessions are short: full administrators. */
const SHORT_SESSION_ROLES = ['admin', 'breakGlass'];
/** Groups that may hold the break-glass flag. */
const BREAK_GLASS_GROUPS = ['admins', 'oncall'];

/** Every problem of the roster, against the environments being built. */
export function validateTeam(team: unknown, environments: readonly TeamEnvironment[], options: ValidateTeamOptions = {}): ConfigProblem[] {
  if (!isObj(team)) return [{ path: 'team', message: `${show(team)} is not a roster; give { permissionSets, access, people }` }];
  const problems: ConfigProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path: `team.${path}`, message });
  checkPermissionSets(team.permissionSets, add);
  checkAccess(team.access, environments, options.otherEnvironmentNames ?? [], add);
  checkPeople(team.people, environments, add);
  return problems;
}

type Add = (path: string, message: string) => void;

function checkPermissionSets(sets: unknown, add: Add): void {
  if (!isObj(sets)) {
    add('permissionSets', `${show(sets)} is not an object; give { ${ACCESS_ROLES.join(', ')} }`);
    return;
  }
  const names = new Map<string, string>();
  for (const role of ACCESS_ROLES) {
    const set = sets[role];
    const path = `permissionSets.${role}`;
    if (!isObj(set)) {
      add(path, `${show(set)} is not a permission set; give { name, sessionHours, description }`);
      continue;
    }
    if (typeof set.name !== 'string' || !PERMISSION_SET_NAME.test(set.name)) {
      add(
        `${path}.name`,
        `${show(set.name)} is not valid; use letters, digits and +=,.@- (up to 32; no underscore: Identity Center's role names use it as a separator)`,
      );
    } else if (names.has(set.name)) {
      add(`${path}.name`, `${show(set.name)} is already the name of ${names.get(set.name)}; each permission set needs its own name`);
    } else names.set(set.name, role);
    const max = SHORT_SESSION_ROLES.includes(role) ? 2 : 12;
    const hours = set.sessionHours;
    if (typeof hours !== 'number' || !Number.isInteger(hours) || hours < 1 || hours > max) {
      const why = max === 2 ? ' (administrator sessions are short: a stolen one is worth little)' : '';
      add(`${path}.sessionHours`, `${show(hours)} is not allowed; use a whole number of hours in 1..${max}${why}`);
    }
    if (typeof set.description !== 'string' || set.description === '') {
      add(`${path}.description`, `${show(set.description)} is not valid; say what the permission set is for`);
    }
  }
}

function checkAccess(access: unknown, environments: readonly TeamEnvironment[], others: readonly string[], add: Add): void {
  if (!isObj(access)) {
    add('access', `${show(access)} is not an object; give what each group holds in each environment`);
    return;
  }
  const known = [...new Set([...environments.map((e) => e.name), ...others])];
  for (const name of Object.keys(access)) {
    if (!known.includes(name))
      add(`access.${name}`, withSuggestion(name, known, `${show(name)} is not an environment; use one of ${known.join(', ')}`));
  }
  for (const env of environments) {
    const levels = access[env.name];
    const path = `access.${env.name}`;
    if (!isObj(levels)) {
      add(path, `${show(levels)} is not an object; give what each group holds in ${env.name} (${ACCESS_LEVELS.join(', ')})`);
      continue;
    }
    for (const group of Object.keys(levels)) {
      if (!(TEAM_GROUPS as readonly string[]).includes(group)) {
        add(`${path}.${group}`, withSuggestion(group, TEAM_GROUPS, `${show(group)} is not a group; use one of ${TEAM_GROUPS.join(', ')}`));
      }
    }
    for (const group of TEAM_GROUPS) {
      const level = levels[group];
      if (typeof level !== 'string' || !(ACCESS_LEVELS as readonly string[]).includes(level)) {
        add(
          `${path}.${group}`,
          withSuggestion(String(level), ACCESS_LEVELS, `${show(level)} is not allowed; use one of ${ACCESS_LEVELS.join(', ')}`),
        );
      } else if (env.tier === 'production' && level === 'admin') {
        add(
          `${path}.${group}`,
          `"admin" is standing admin access to production; production admin access is break-glass only: use "readOnly" and set breakGlass: true on the people who need it`,
        );
      } else if (env.tier === 'production' && level === 'developer') {
        add(
          `${path}.${group}`,
          `"developer" is not allowed in production; people read production ("readOnly") and change it through the pipeline`,
        );
      }
    }
  }
}

function checkPeople(people: unknown, environments: readonly TeamEnvironment[], add: Add): void {
  if (!Array.isArray(people)) {
    add('people', `${show(people)} is not a list of people`);
    return;
  }
  const userNames = new Map<string, number>();
  const emails = new Map<string, number>();
  let breakGlassPeople = 0;
  people.forEach((person: unknown, i) => {
    const path = `people[${i}]`;
    if (!isObj(person)) {
      add(path, `${show(person)} is not a person; give { userName, email, groups }`);
      return;
    }
    for (const key of Object.keys(person)) {
      if (!PERSON_KEYS.includes(key))
        add(`${path}.${key}`, withSuggestion(key, PERSON_KEYS, `is not a field of a person; use one of ${PERSON_KEYS.join(', ')}`));
    }
    const userName = person.userName;
    if (typeof userName !== 'string' || !USER_NAME.test(userName)) {
      add(`${path}.userName`, `${show(userName)} is not valid; use the identity store user name (1..128 characters, no spaces)`);
    } else {
      const first = userNames.get(userName.toLowerCase());
      if (first !== undefined) add(`${path}.userName`, `${show(userName)} is already team.people[${first}]; one entry per person`);
      else userNames.set(userName.toLowerCase(), i);
    }
    const email = person.email;
    if (typeof email !== 'string' || !EMAIL.test(email)) add(`${path}.email`, `${show(email)} is not an e-mail address`);
    else {
      const first = emails.get(email.toLowerCase());
      if (first !== undefined) add(`${path}.email`, `${show(email)} is already team.people[${first}]'s; one entry per person`);
      else emails.set(email.toLowerCase(), i);
    }
    const groups = person.groups;
    if (!Array.isArray(groups)) add(`${path}.groups`, `${show(groups)} is not a list of groups; use some of ${TEAM_GROUPS.join(', ')}`);
    else if (groups.length === 0) add(`${path}.groups`, 'is empty; give at least one group');
    else {
      groups.forEach((group: unknown, j) => {
        if (typeof group !== 'string' || !(TEAM_GROUPS as readonly string[]).includes(group)) {
          add(`${path}.groups[${j}]`, `${show(group)} is not a group; use one of ${TEAM_GROUPS.join(', ')}`);
        } else if (groups.indexOf(group) !== j) add(`${path}.groups[${j}]`, `${show(group)} is listed twice; each group once`);
      });
    }
    for (const flag of ['breakGlass', 'departed'] as const) {
      if (person[flag] !== undefined && typeof person[flag] !== 'boolean')
        add(`${path}.${flag}`, `${show(person[flag])} is not true or false`);
    }
    if (person.breakGlass === true) {
      const inGroups = Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [];
      if (!inGroups.some((g) => BREAK_GLASS_GROUPS.includes(g))) {
        add(
          `${path}.breakGlass`,
          `true is for ${BREAK_GLASS_GROUPS.join(' and ')}; ${show(userName)} is in ${inGroups.join(', ') || 'no group'}`,
        );
      } else if (person.departed !== true) breakGlassPeople++;
    }
  });
  const production = environments.filter((e) => e.tier === 'production').map((e) => e.name);
  if (production.length > 0 && breakGlassPeople === 0) {
    add(
      'people',
      `nobody active has breakGlass: true; production (${production.join(', ')}) has no other admin path, so set it on at least one admin or on-call person`,
    );
  }
}

/** The Identity Center settings of `PLATFORM`: the management account, the instance, the identity store. */
export function validateIdentityCenter(platform: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path: `platform.${path}`, message });
  const p = isObj(platform) ? platform : {};
  const accounts = isObj(p.accounts) ? p.accounts : {};
  if (typeof accounts.management !== 'string' || !ACCOUNT.test(accounts.management)) {
    add('accounts.management', `${show(accounts.management)} is not an AWS account ID; use 12 digits`);
  }
  const center = isObj(p.identityCenter) ? p.identityCenter : undefined;
  if (!center) {
    add('identityCenter', `${show(p.identityCenter)} is not an object; give { instanceArn, identityStoreId, region }`);
    return problems;
  }
  if (typeof center.instanceArn !== 'string' || !INSTANCE_ARN.test(center.instanceArn)) {
    add(
      'identityCenter.instanceArn',
      `${show(center.instanceArn)} is not an Identity Center instance ARN; use arn:aws:sso:::instance/ssoins-<16 characters> (aws sso-admin list-instances)`,
    );
  }
  if (typeof center.identityStoreId !== 'string' || !IDENTITY_STORE_ID.test(center.identityStoreId)) {
    add(
      'identityCenter.identityStoreId',
      `${show(center.identityStoreId)} is not an identity store ID; use d-<10 hex digits> or a UUID (aws sso-admin list-instances)`,
    );
  }
  if (typeof center.region !== 'string' || !KNOWN_REGIONS.includes(center.region)) {
    add(
      'identityCenter.region',
      `${show(center.region)} is not a known region; use the region of the Identity Center instance, e.g. eu-west-1`,
    );
  }
  return problems;
}
