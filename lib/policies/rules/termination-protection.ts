import { isStatefulType } from '../stateful-resources';
import { ResourceFacts, RuleFinding } from './facts';

/**
 * PLAT-STA1: a stack that holds a stateful resource is termination-protected (where required).
 *
 * `cdk destroy` or a deleted stack in the console would otherwise take the data with it.
 */
export function terminationProtection(resource: ResourceFacts): RuleFinding[] {
  if (!isStatefulType(resource.type) || resource.stackTerminationProtection) return [];
  return [
    {
      path: resource.path,
      location: 'Stack/TerminationProtection',
      message: `${resource.path} (${resource.type}) is in a stack without termination protection; build stateful stacks with terminationProtection from config`,
    },
  ];
}
