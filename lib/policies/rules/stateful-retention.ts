import { isStatefulType } from '../stateful-resources';
import { ResourceFacts, RuleFinding } from './facts';

const KEEPS_DATA = new Set(['Retain', 'RetainExceptOnCreate', 'Snapshot']);

/**
 * PLAT-STA2: a stateful resource is retained (or snapshotted) when it leaves the template (where required).
 *
 * A renamed construct ID or a deleted line of code must never delete production data.
 */
export function statefulRetention(resource: ResourceFacts): RuleFinding[] {
  if (!isStatefulType(resource.type) || KEEPS_DATA.has(resource.deletionPolicy)) return [];
  return [
    {
      path: resource.path,
      location: 'DeletionPolicy',
      message: `${resource.path} (${resource.type}) has DeletionPolicy ${resource.deletionPolicy}; use RemovalPolicy.RETAIN or SNAPSHOT from config`,
    },
  ];
}
