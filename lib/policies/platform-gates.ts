import { Stage, Tags, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { REQUIRED_TAGS, STATEFUL_TAGS, TagRule } from '../config/tag-policy';
import { TagsConfig } from '../config/types';
import { PlatformChecks } from './platform-checks';

/** Tag everything below `scope` with the values of `rules` from `tags` (the tag policy decides which keys). */
export function applyTags(scope: IConstruct, tags: TagsConfig, rules: readonly TagRule[]): void {
  for (const rule of rules) Tags.of(scope).add(rule.key, tags[rule.key as keyof TagsConfig]);
}

/** Props of `addPlatformGates`. */
export interface PlatformGatesProps {
  /** Stateful resources must sit in termination-protected stacks. */
  readonly requireTerminationProtection: boolean;
  /** Stateful resources must be retained or snapshotted on removal. */
  readonly requireRetention: boolean;
}

/**
 * What every stage gets: the required tags from config, and the PlatformChecks plugin (cdk-nag is
 * added once, at app level, in bin/app.ts).
 */
export function addPlatformGates(stage: Stage, tags: TagsConfig, props: PlatformGatesProps): void {
  applyTags(stage, tags, REQUIRED_TAGS);
  Validations.of(stage).addPlugins(new PlatformChecks(stage, { requiredTags: REQUIRED_TAGS, statefulTags: STATEFUL_TAGS, ...props }));
}
