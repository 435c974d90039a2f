/**
 * Unknown keys, at every level of the configuration: each key that its object's type does not
 * declare is reported with the nearest valid key ("did you mean"), or the list of valid keys. The
 * types are read from the JSON Schemas generated from lib/config's TypeScript types
 * (lib/config/schema/, `npm run schema`), so a field added to a type is known here at once.
 */
import { ConfigProblem } from './validate';
import { unknownKeyMessage } from './suggest';
import ENVIRONMENTS_SCHEMA from './schema/environments.schema.json';
import CATALOG_SCHEMA from './schema/service-catalog.schema.json';
import TEAM_SCHEMA from './schema/team.schema.json';

type Obj = Record<string, unknown>;
/** The part of a JSON Schema the walk reads. */
interface SchemaNode {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly additionalProperties?: boolean | SchemaNode;
  readonly items?: SchemaNode;
  readonly anyOf?: readonly SchemaNode[];
}
interface Schema {
  readonly definitions?: Readonly<Record<string, SchemaNode>>;
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const child = (path: string, key: string): string => (path ? `${path}.${key}` : key);

function resolve(schema: Schema, node: SchemaNode): SchemaNode {
  let current = node;
  while (current.$ref) current = schema.definitions?.[current.$ref.replace('#/definitions/', '')] ?? {};
  return current;
}

function walk(schema: Schema, node: SchemaNode, value: unknown, path: string, out: ConfigProblem[], skip: boolean): void {
  const n = resolve(schema, node);
  if (n.anyOf) {
    // The branch that fits the value best: of the branches of its kind, the one with fewest unknown keys.
    const fitting = n.anyOf
      .map((b) => resolve(schema, b))
      .filter((b) => (isObj(value) ? b.properties : Array.isArray(value) ? b.items : false));
    let best: ConfigProblem[] | undefined;
    for (const branch of fitting) {
      const found: ConfigProblem[] = [];
      walk(schema, branch, value, path, found, skip);
      if (best === undefined || found.length < best.length) best = found;
    }
    out.push(...(best ?? []));
    return;
  }
  if (Array.isArray(value) && n.items) {
    value.forEach((item, i) => walk(schema, n.items!, item, `${path}[${i}]`, out, false));
    return;
  }
  if (!isObj(value)) return;
  if (n.properties) {
    const keys = Object.keys(n.properties);
    for (const [key, v] of Object.entries(value)) {
      const declared = n.properties[key];
      if (declared) walk(schema, declared, v, child(path, key), out, false);
      else if (!skip && n.additionalProperties === false) out.push({ path: child(path, key), message: unknownKeyMessage(key, keys) });
    }
  } else if (isObj(n.additionalProperties)) {
    for (const [key, v] of Object.entries(value)) walk(schema, n.additionalProperties, v, child(path, key), out, false);
  }
}

/** Unknown keys of the environments, under each environment's name (as `validateEnvironments` reports it). */
export function environmentKeyProblems(environments: unknown): ConfigProblem[] {
  if (!Array.isArray(environments)) return [];
  const schema = ENVIRONMENTS_SCHEMA as Schema;
  const out: ConfigProblem[] = [];
  environments.forEach((env, i) => {
    const label = isObj(env) && typeof env.name === 'string' && env.name !== '' ? env.name : `environments[${i}]`;
    walk(schema, { $ref: '#/definitions/EnvironmentConfig' }, env, label, out, false);
  });
  return out;
}

/**
 * Unknown keys of the service catalog: `catalog.<key>`, `services.<name>.<field>...` and
 * `overrides.<tier or environment>.<service>.<field>.<key>` (a service's and an override's own
 * fields are `validateServices`'s to report).
 */
export function catalogKeyProblems(catalog: unknown): ConfigProblem[] {
  if (!isObj(catalog)) return [];
  const schema = CATALOG_SCHEMA as Schema;
  const root = resolve(schema, { $ref: '#/definitions/ServiceCatalogSource' });
  const out: ConfigProblem[] = [];
  const known = [...Object.keys(root.properties ?? {}), 'declaredIn'];
  for (const key of Object.keys(catalog)) {
    if (!known.includes(key)) out.push({ path: `catalog.${key}`, message: unknownKeyMessage(key, known) });
  }
  const services = Array.isArray(catalog.services) ? catalog.services : [];
  services.forEach((service, i) => {
    const label = isObj(service) && typeof service.name === 'string' ? `services.${service.name}` : `services[${i}]`;
    walk(schema, { $ref: '#/definitions/ServiceEntry' }, service, label, out, true);
  });
  // Inside an override (its own keys are `validateServices`'s to report, with the nearest one).
  const overrides = isObj(catalog.overrides) ? catalog.overrides : {};
  for (const [scope, byService] of Object.entries(overrides)) {
    if (!isObj(byService)) continue;
    for (const [service, override] of Object.entries(byService))
      walk(schema, { $ref: '#/definitions/ServiceOverride' }, override, `overrides.${scope}.${service}`, out, true);
  }
  return out;
}

/** Unknown keys of the team roster (`team.people[0].emial`...), as `validateTeam` reports paths. */
export function teamKeyProblems(team: unknown): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  walk(TEAM_SCHEMA as Schema, { $ref: '#/definitions/TeamRoster' }, team, 'team', out, false);
  return out;
}

/**
 * A "missing" field next to an unknown key that is a typo of it is the same mistake: keep the
 * "did you mean" and drop the "missing" (`ingress.pathPrefx` is reported, `ingress.pathPrefix:
 * missing` is not).
 */
export function preferSuggestions(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const meant = new Set<string>();
  for (const p of problems) {
    const match = /did you mean "([^"]+)"\?$/.exec(p.message);
    if (match) meant.add(`${p.path.slice(0, p.path.lastIndexOf('.') + 1)}${match[1]}`);
  }
  return problems.filter((p) => !(meant.has(p.path) && p.message.startsWith('missing')));
}
