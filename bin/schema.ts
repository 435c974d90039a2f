/**
 * Writes the generated files of lib/config/schema/:
 * - the JSON Schemas of the configuration, generated from its TypeScript types. Editors complete
 *   and check a `PLATFORM_CONFIG_FILE` that names `environments.schema.json` in `$schema`; the
 *   validators read both files to report unknown keys with the nearest valid one;
 * - `rds-instance-classes.json`, the RDS instance classes for PostgreSQL that the CloudFormation
 *   validator aws-cdk-lib bundles accepts (its rule E3025), so that `database.instanceClass` is
 *   checked before any construct is made; `node-instance-types.json`, the same for the node
 *   groups' EC2 instance types.
 *
 *   npm run schema            rewrite the files
 *   npm run schema -- --check exit 1 when a file is out of date (types changed, schema not regenerated)
 *   --no-pins                 leave rds-instance-classes.json alone (the validator takes seconds to load)
 */
import * as fs from 'fs';
import * as path from 'path';
import { InstanceSize } from 'aws-cdk-lib/aws-ec2';
import { createGenerator } from 'ts-json-schema-generator';
import { hashOfFiles, importClosure, keptByHash } from './input-hash';
import { NODE_FAMILIES } from '../lib/config/instance-types';

const ROOT = path.join(__dirname, '..');
export const SCHEMA_DIR = path.join(ROOT, 'lib', 'config', 'schema');

type Json = Record<string, unknown>;

/** `@default - none` documents a behaviour, not a value: it is left out of the schema. */
function withoutProseDefaults(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutProseDefaults);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node as Json)
      .filter(([key, value]) => !(key === 'default' && typeof value === 'string' && value.startsWith('- ')))
      .map(([key, value]) => [key, withoutProseDefaults(value)]),
  );
}

function generate(file: string, type: string): Json {
  const generator = createGenerator({
    path: path.join(ROOT, file),
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    type,
    skipTypeCheck: true,
    additionalProperties: false,
    expose: 'export',
    topRef: true,
  });
  return withoutProseDefaults(generator.createSchema(type)) as Json;
}

/** The validator aws-cdk-lib bundles (not exported by aws-cdk-lib, so loaded from its folder). */
const VALIDATOR = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'node_modules', '@aws', 'cloudformation-validate');

/** The RDS instance classes the bundled validator accepts for PostgreSQL in any region, without the `db.` prefix. */
export function rdsInstanceClasses(): Json {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const validator = require(path.join(VALIDATOR, 'index.js'));
  const version: string = JSON.parse(fs.readFileSync(path.join(VALIDATOR, 'package.json'), 'utf8')).version;
  const probe = {
    Resources: { Db: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceClass: 'db.none.none', Engine: 'postgres' } } },
  };
  const report = new validator.CompositeEngine({}).validateTemplate(new validator.TemplateContent(JSON.stringify(probe)), {
    detailLevel: 'STANDARD',
  });
  const finding = (report.diagnostics as { ruleId: string; message: string }[]).find((d) => d.ruleId === 'E3025');
  if (!finding) throw new Error('the bundled CloudFormation validator no longer reports RDS instance classes (rule E3025)');
  const list = finding.message.slice(finding.message.indexOf('['), finding.message.lastIndexOf(']') + 1).replace(/'/g, '"');
  return {
    source: `@aws/cloudformation-validate@${version} (bundled with aws-cdk-lib), rule E3025, Engine postgres, any region`,
    validatorVersion: version,
    classes: (JSON.parse(list) as string[]).map((c) => c.replace(/^db\./, '')).sort(),
  };
}

/**
 * The EC2 instance types of the node families (`NODE_FAMILIES`), by family: every family with
 * every size aws-cdk-lib's `InstanceSize` names, kept when the bundled validator accepts it as an
 * `AWS::EC2::Instance` type in some region (its rule E3628 reports the others).
 */
export function nodeInstanceTypes(): Json {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const validator = require(path.join(VALIDATOR, 'index.js'));
  const version: string = JSON.parse(fs.readFileSync(path.join(VALIDATOR, 'package.json'), 'utf8')).version;
  const candidates = NODE_FAMILIES.flatMap((family) => Object.values(InstanceSize).map((size) => `${family}.${size}`));
  const resources = Object.fromEntries(
    candidates.map((type, i) => [`I${i}`, { Type: 'AWS::EC2::Instance', Properties: { InstanceType: type, ImageId: 'ami-12345678' } }]),
  );
  const report = new validator.CompositeEngine({}).validateTemplate(
    new validator.TemplateContent(JSON.stringify({ Resources: resources })),
    {
      detailLevel: 'STANDARD',
    },
  );
  const invalid = new Set(
    (report.diagnostics as { ruleId: string; entity?: { logicalId?: string } }[])
      .filter((d) => d.ruleId === 'E3628' && d.entity?.logicalId)
      .map((d) => candidates[Number(d.entity!.logicalId!.slice(1))]),
  );
  const types: Record<string, string[]> = {};
  for (const type of candidates.filter((t) => !invalid.has(t))) (types[type.split('.')[0]] ??= []).push(type);
  return {
    source: `aws-cdk-lib InstanceSize x NODE_FAMILIES, kept when @aws/cloudformation-validate@${version} (bundled with aws-cdk-lib) accepts the type (rule E3628, any region)`,
    validatorVersion: version,
    types,
  };
}

/** The generated files, by file name: the environments list `PLATFORM_CONFIG_FILE` holds, and the service catalog as written. */
export function schemas(pins = true, cacheDir: string = CACHE_DIR): Record<string, Json> {
  return {
    ...keptByHash(cacheDir, typeSchemasHash(), typeSchemas),
    ...(pins ? { 'rds-instance-classes.json': rdsInstanceClasses(), 'node-instance-types.json': nodeInstanceTypes() } : {}),
  };
}

/** The types the schemas are generated from. */
const SCHEMA_TYPES = ['lib/config/types.ts', 'lib/config/service-catalog.ts', 'lib/config/team.ts'];

/** Where generated schemas are kept, by the hash of what they were made from. */
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'config-schemas');

/**
 * The hash of what the type schemas are made from: the type files and every file they import, the
 * generator, the tsconfig and the locked versions (ts-json-schema-generator builds a TypeScript
 * program: ~3 s; the same inputs make the same schemas).
 */
export function typeSchemasHash(root: string = ROOT): string {
  return hashOfFiles(root, ['bin/schema.ts', 'tsconfig.json', 'package-lock.json', ...importClosure(root, SCHEMA_TYPES)]);
}

/** The schemas of the config types (no pins). */
function typeSchemas(): Record<string, Json> {
  const environment = generate('lib/config/types.ts', 'EnvironmentConfig');
  return {
    'environments.schema.json': {
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: 'saas-platform environments (PLATFORM_CONFIG_FILE)',
      type: 'array',
      minItems: 1,
      items: { $ref: '#/definitions/EnvironmentConfig' },
      definitions: environment.definitions,
    },
    'service-catalog.schema.json': generate('lib/config/service-catalog.ts', 'ServiceCatalogSource'),
    'team.schema.json': generate('lib/config/team.ts', 'TeamRoster'),
  };
}

/** The files that differ from what the types generate (all of them when `write`, after writing them). */
export function main(argv: readonly string[] = process.argv.slice(2), log: (line: string) => void = console.log): number {
  const check = argv.includes('--check');
  const stale: string[] = [];
  for (const [name, schema] of Object.entries(schemas(!argv.includes('--no-pins')))) {
    const file = path.join(SCHEMA_DIR, name);
    const text = `${JSON.stringify(schema, null, 2)}\n`;
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (current === text) continue;
    stale.push(path.relative(ROOT, file));
    if (!check) fs.writeFileSync(file, text);
  }
  if (check && stale.length > 0) {
    log(`${stale.join(', ')} out of date with the config types; run npm run schema`);
    return 1;
  }
  log(stale.length > 0 ? `wrote ${stale.join(', ')}` : 'schemas are up to date');
  return 0;
}

if (require.main === module) process.exitCode = main();
