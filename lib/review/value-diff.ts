import { deepEqual } from '@aws-cdk/cloudformation-diff';
import { PropertyPath, isIntrinsic } from './references';

const isStructure = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !isIntrinsic(value);

/**
 * The paths of the leaves where two values differ, compared the way CloudFormation compares them
 * (`10` equals `"10"`). Structures are compared key by key and lists index by index; an intrinsic
 * function is a leaf. What one side adds or drops is listed leaf by leaf.
 */
export function changedPaths(before: unknown, after: unknown, path: PropertyPath = []): PropertyPath[] {
  if (deepEqual(before, after)) return [];
  const bothOr = (test: (v: unknown) => boolean) => (before === undefined || test(before)) && (after === undefined || test(after));
  if (bothOr(isStructure)) {
    const b = (before ?? {}) as Record<string, unknown>;
    const a = (after ?? {}) as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
    return keys.flatMap((key) => changedPaths(b[key], a[key], [...path, key]));
  }
  if (bothOr(Array.isArray)) {
    const b = (before ?? []) as unknown[];
    const a = (after ?? []) as unknown[];
    return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => changedPaths(b[i], a[i], [...path, i])).flat();
  }
  return [path];
}
