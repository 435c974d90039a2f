import { TagRule } from '../../config/tag-policy';
import { ResourceFacts, RuleFinding } from './facts';

/**
 * PLAT-TAG1: every taggable resource carries each required tag with a well-formed value.
 *
 * Cost allocation, ownership and incident routing read these tags; an untagged resource is a
 * resource nobody pays for or answers for.
 */
export function requiredTags(resource: ResourceFacts, rules: readonly TagRule[]): RuleFinding[] {
  if (resource.tags === undefined) return [];
  const findings: RuleFinding[] = [];
  for (const rule of rules) {
    const value = resource.tags[rule.key];
    if (value === undefined) {
      findings.push({
        path: resource.path,
        location: 'Properties/Tags',
        message: `${resource.path} (${resource.type}) has no "${rule.key}" tag; add ${rule.allowed}`,
      });
    } else if (!rule.pattern.test(value)) {
      findings.push({
        path: resource.path,
        location: 'Properties/Tags',
        message: `${resource.path} (${resource.type}) has tag ${rule.key}=${JSON.stringify(value)}; use ${rule.allowed}`,
      });
    }
  }
  return findings;
}
