/**
 * Zone delegation between environments, derived from `domain.delegatedFrom`: which zone's NS
 * records go where, which account may write them, and in which order the Dns stacks deploy.
 *
 * The parent's Dns stack creates one role per child (named by `zoneDelegationRoleName`) that only
 * the child's account may assume and that may change only the child's NS records; the child's
 * Dns stack assumes it to write them. Pure functions over validated config.
 */
import { zoneDelegationRoleName } from './naming';
import { EnvironmentConfig } from './types';

/** One end of a delegation: an environment's zone, its account, and the role that carries the NS records. */
export interface DelegationPeer {
  /** The environment. */
  readonly environmentName: string;
  /** Its zone, e.g. `dev.example.com`. */
  readonly zoneName: string;
  /** Its account. */
  readonly account: string;
  /** Name of the delegation role in the parent's account for this child (`zoneDelegationRoleName(child)`). */
  readonly roleName: string;
}

/** What one environment's Dns stack does about delegation. */
export interface ZoneDelegation {
  /**
   * Where this zone's NS records go: the parent's zone, the parent's account and the role there to assume.
   * @default - no parent in the configuration: the registrar delegates the zone (the apex)
   */
  readonly parent?: DelegationPeer;
  /** The zones this zone delegates to: each child's zone, the account allowed to write its NS records, the role for it. */
  readonly children: readonly DelegationPeer[];
}

/** The delegation of one environment's zone, from the environments of the configuration (validated). */
export function zoneDelegation(environmentName: string, environments: readonly EnvironmentConfig[]): ZoneDelegation {
  const self = environments.find((e) => e.name === environmentName);
  if (!self) throw new Error(`zoneDelegation: no environment named ${environmentName}`);
  const parentConfig = self.domain.delegatedFrom ? environments.find((e) => e.name === self.domain.delegatedFrom) : undefined;
  const children = environments
    .filter((e) => e.domain.delegatedFrom === environmentName)
    .map((child) => ({
      environmentName: child.name,
      zoneName: child.domain.zoneName,
      account: child.account,
      roleName: zoneDelegationRoleName(child.name),
    }));
  return {
    parent: parentConfig && {
      environmentName: parentConfig.name,
      zoneName: parentConfig.domain.zoneName,
      account: parentConfig.account,
      roleName: zoneDelegationRoleName(self.name),
    },
    children,
  };
}

/**
 * Environment names in the order their Dns stacks must first deploy: a parent before its
 * children (the child's NS records go into the parent's zone through a role the parent creates).
 * Stable: environments at the same depth keep their configured order.
 */
export function delegationOrder(environments: readonly EnvironmentConfig[]): string[] {
  const byName = new Map(environments.map((e) => [e.name, e]));
  const depth = (e: EnvironmentConfig, seen: Set<string> = new Set()): number => {
    const parent = e.domain.delegatedFrom ? byName.get(e.domain.delegatedFrom) : undefined;
    // Validation rules out cycles (a parent's zone is a proper suffix); the guard keeps this total anyway.
    if (!parent || seen.has(parent.name)) return 0;
    return 1 + depth(parent, new Set([...seen, e.name]));
  };
  return environments
    .map((e, index) => ({ name: e.name, depth: depth(e), index }))
    .sort((a, b) => a.depth - b.depth || a.index - b.index)
    .map((e) => e.name);
}
