/**
 * Where a template value refers to another resource of its stack (`Ref`, `Fn::GetAtt`, `Fn::Sub`)
 * or to an output of another stack (`Fn::GetStackOutput`, the weak cross-stack reference).
 */

/** A path into a property value: property names and array indices. */
export type PropertyPath = readonly (string | number)[];

/** What a value refers to. */
export type Reference =
  | { readonly kind: 'resource'; readonly logicalId: string }
  | {
      readonly kind: 'output';
      readonly stackName: string;
      readonly outputName: string;
      /** From the reference; the consumer's region when absent. */
      readonly region?: string;
      /** From `RoleArn` (a cross-account read); the consumer's account when absent. */
      readonly account?: string;
    };

/** A reference and where it sits: the path of the property it feeds, up to the first intrinsic function. */
export interface LocatedReference {
  readonly path: PropertyPath;
  readonly reference: Reference;
}

/** Whether a value is an intrinsic function call (`{ "Ref": ... }`, `{ "Fn::Join": ... }`). */
export function isIntrinsic(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

const isPseudo = (name: string) => name.startsWith('AWS::');

/** The logical IDs a `Fn::Sub` string names: `${Id}` and `${Id.Attr}`, not `${AWS::Region}`, `${!Literal}` or its own variables. */
function subReferences(text: string, variables: readonly string[]): string[] {
  const ids: string[] = [];
  for (const match of text.matchAll(/\$\{([^}]+)\}/g)) {
    const name = match[1].trim();
    if (name.startsWith('!') || isPseudo(name) || variables.includes(name)) continue;
    ids.push(name.split('.')[0]);
  }
  return ids;
}

function resourcesOfIntrinsic(key: string, arg: unknown): string[] {
  if (key === 'Ref') return typeof arg === 'string' && !isPseudo(arg) ? [arg] : [];
  if (key === 'Fn::GetAtt') {
    if (typeof arg === 'string') return [arg.split('.')[0]];
    return Array.isArray(arg) && typeof arg[0] === 'string' ? [arg[0]] : [];
  }
  if (key === 'Fn::Sub') {
    if (typeof arg === 'string') return subReferences(arg, []);
    if (Array.isArray(arg) && typeof arg[0] === 'string') {
      const variables = typeof arg[1] === 'object' && arg[1] !== null ? Object.keys(arg[1]) : [];
      return subReferences(arg[0], variables);
    }
  }
  return [];
}

function outputOfIntrinsic(arg: unknown): Reference | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const { StackName, OutputName, Region, RoleArn } = arg as Record<string, unknown>;
  if (typeof StackName !== 'string' || typeof OutputName !== 'string') return undefined;
  const account = typeof RoleArn === 'string' ? /:iam::(\d{12}):/.exec(RoleArn)?.[1] : undefined;
  return {
    kind: 'output',
    stackName: StackName,
    outputName: OutputName,
    ...(typeof Region === 'string' ? { region: Region } : {}),
    ...(account ? { account } : {}),
  };
}

/**
 * Every reference in `value`, with the path of the property it feeds. The path stops at the first
 * intrinsic function: `{ "SubnetIds": [{ "Fn::Join": [...{ "Ref": "A" }] }] }` puts `A` at `SubnetIds[0]`.
 */
export function findReferences(value: unknown, path: PropertyPath = []): LocatedReference[] {
  const found: LocatedReference[] = [];
  const walk = (node: unknown, at: PropertyPath, typed: boolean): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, typed ? [...at, i] : at, typed));
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    if (isIntrinsic(node)) {
      const [key, arg] = Object.entries(node)[0];
      for (const logicalId of resourcesOfIntrinsic(key, arg)) found.push({ path: at, reference: { kind: 'resource', logicalId } });
      if (key === 'Fn::GetStackOutput') {
        const output = outputOfIntrinsic(arg);
        if (output) found.push({ path: at, reference: output });
      }
      walk(arg, at, false);
      return;
    }
    for (const [key, child] of Object.entries(node)) walk(child, typed ? [...at, key] : at, typed);
  };
  walk(value, path, true);
  return found;
}

/** `ResourcesVpcConfig.SubnetIds[0]`. */
export function formatPath(path: PropertyPath): string {
  return path.map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join('');
}
