import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hashOfFiles, importClosure, keptByHash } from '../../bin/input-hash';
import { typeSchemasHash } from '../../bin/schema';

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
const write = (root: string, file: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
};

describe('generated output kept by the hash of its inputs', () => {
  test('a kept value is returned without making it again; a new key makes it and keeps only the newest', () => {
    const dir = tmp('kept-');
    let made = 0;
    const make = () => ({ made: ++made });
    expect(keptByHash(dir, 'a', make)).toEqual({ made: 1 });
    expect(keptByHash(dir, 'a', make)).toEqual({ made: 1 });
    expect(keptByHash(dir, 'b', make)).toEqual({ made: 2 });
    expect(fs.readdirSync(dir)).toEqual(['b.json']);
  });

  test('the closure follows relative imports of every form, and names, contents and missing files shape the hash', () => {
    const root = tmp('closure-');
    write(
      root,
      'a.ts',
      "import { b } from './b';\nexport * from './c';\nimport type { D } from './d';\nconst e = require('./e');\nimport('./f');\nimport 'lodash';",
    );
    for (const f of ['b', 'c', 'd', 'e', 'f', 'unused']) write(root, `${f}.ts`, `export const ${f} = 1;`);
    expect(importClosure(root, ['a.ts'])).toEqual(['a.ts', 'b.ts', 'c.ts', 'd.ts', 'e.ts', 'f.ts']);
    const before = hashOfFiles(root, ['a.ts', 'b.ts', 'missing.ts']);
    expect(hashOfFiles(root, ['a.ts', 'b.ts'])).toBe(before);
    write(root, 'b.ts', 'export const b = 2;');
    expect(hashOfFiles(root, ['a.ts', 'b.ts'])).not.toBe(before);
  });

  test('the config schemas are made again when a config type, a file it imports or the generator changes; not for other files', () => {
    const root = tmp('schema-inputs-');
    write(root, 'lib/config/types.ts', "import { Size } from './units';\nexport interface EnvironmentConfig { size: Size }");
    write(root, 'lib/config/units.ts', 'export type Size = number;');
    write(root, 'lib/config/service-catalog.ts', 'export interface ServiceCatalogSource { services: string[] }');
    write(root, 'lib/config/team.ts', 'export interface TeamRoster { people: string[] }');
    write(root, 'bin/schema.ts', '// generator');
    const before = typeSchemasHash(root);
    write(root, 'lib/stacks/data-stack.ts', 'export {}');
    write(root, 'lib/config/naming.ts', 'export {}');
    expect(typeSchemasHash(root)).toBe(before);
    for (const [file, text] of [
      ['lib/config/units.ts', 'export type Size = string;'],
      ['lib/config/team.ts', 'export interface TeamRoster { people: number[] }'],
      ['bin/schema.ts', '// generator 2'],
    ]) {
      write(root, file, text);
      expect(typeSchemasHash(root)).not.toBe(before);
    }
  });
});
