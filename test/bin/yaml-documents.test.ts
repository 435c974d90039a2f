import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { readYamlFile, yamlDocuments } from '../../bin/yaml-documents';

describe('YAML documents as cdk8s reads them, without a process per file', () => {
  // GIVEN a file with what manifests hold: several documents, empty ones, YAML 1.1 scalars, quoted strings
  const text = [
    'apiVersion: v1',
    'kind: ConfigMap',
    'data:',
    '  on: yes',
    '  flag: off',
    '  quoted: "yes"',
    '  port: 0755',
    '---',
    '---',
    '{}',
    '---',
    '[]',
    '---',
    'null',
    '---',
    '- a',
    '- b',
    '',
  ].join('\n');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'yaml-')), 'f.k8s.yaml');
  fs.writeFileSync(file, text);
  afterAll(() => fs.rmSync(path.dirname(file), { recursive: true, force: true }));

  test('the same documents as Yaml.load, empty ones left out, YAML 1.1 scalars as cdk8s reads them', () => {
    expect(yamlDocuments(text)).toEqual(Yaml.load(file));
    expect(readYamlFile(file)).toEqual([
      // YAML 1.1: the key `on` is the boolean true, as kubectl's older parsers read it
      { apiVersion: 'v1', kind: 'ConfigMap', data: { true: true, flag: false, quoted: 'yes', port: 493 } },
      ['a', 'b'],
    ]);
  });
});
