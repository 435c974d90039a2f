import { TagRule } from '../../config/tag-policy';
import { isStatefulType } from '../stateful-resources';
import { ResourceFacts, RuleFinding } from './facts';
import { requiredTags } from './required-tags';

/**
 * PLAT-TAG2: stateful resources also carry `DataClassification` and `Backup`.
 *
 * AWS Backup selects resources by the `Backup` tag, and access reviews start from the data
 * classification: a data store without them is neither backed up nor reviewed.
 */
export function statefulTags(resource: ResourceFacts, rules: readonly TagRule[]): RuleFinding[] {
  return isStatefulType(resource.type) ? requiredTags(resource, rules) : [];
}
