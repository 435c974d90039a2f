/**
 * The Node versions the project runs on, from package.json's `engines.node` (the one place they
 * are stated: the LTS lines 20, 22 and 24, from the first release every dependency accepts;
 * `npm ci` refuses others too, .npmrc sets engine-strict). The entry points check it
 * first, so that an unsupported Node fails with one line instead of an error deep in a dependency.
 */
import * as fs from 'fs';
import * as path from 'path';
import { satisfies } from 'semver';

/** `engines.node` of package.json. */
export function supportedNode(file: string = path.join(__dirname, '..', 'package.json')): string {
  return JSON.parse(fs.readFileSync(file, 'utf8')).engines.node;
}

/** One line saying why `version` cannot run the project, or undefined when it can. */
export function unsupportedNode(version: string = process.version, range: string = supportedNode()): string | undefined {
  if (satisfies(version, range)) return undefined;
  return `Node ${version} is not supported; use a Node version in ${range} (package.json engines)`;
}
