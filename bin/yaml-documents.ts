import * as fs from 'fs';
import { parseAllDocuments } from 'yaml';

/**
 * The documents of a YAML text, as cdk8s's `Yaml.load` returns them: YAML 1.1, empty documents
 * (nothing, null, `[]`, `{}`) left out. `Yaml.load` reads even a local file through a `node` child
 * process of its own (it also fetches URLs); the review reads every manifest file of two checkouts,
 * so it parses here, with the same `yaml` version cdk8s bundles.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function yamlDocuments(text: string): any[] {
  return parseAllDocuments(text, { version: '1.1' })
    .map((doc) => doc.toJSON())
    .filter(
      (doc) =>
        doc !== undefined &&
        doc !== null &&
        !(Array.isArray(doc) && doc.length === 0) &&
        !(typeof doc === 'object' && Object.keys(doc).length === 0),
    );
}

/** `yamlDocuments` of a file. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const readYamlFile = (file: string): any[] => yamlDocuments(fs.readFileSync(file, 'utf8'));
