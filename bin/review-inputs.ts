/**
 * What `npm run review` reads from disk: cloud assemblies (cdk.out folders, nested stage assemblies
 * included), Kubernetes manifest folders (dist/) and the allow-list. Problems are `ReviewInputError`s
 * with one line each, printed without a stack trace.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readYamlFile } from './yaml-documents';
import { KubeDocument, ManifestSet, StackArtifact } from '../lib/review/model';

/** A problem with what the user gave: printed as one line, exit code 2. */
export class ReviewInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReviewInputError';
  }
}

interface ManifestArtifact {
  readonly type: string;
  readonly environment?: string;
  readonly displayName?: string;
  readonly properties?: { readonly templateFile?: string; readonly stackName?: string; readonly directoryName?: string };
}

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ReviewInputError(`${what}: cannot read ${file} (${(e as Error).message.split('\n')[0]})`);
  }
}

/**
 * Every stack of the cloud assembly in `dir`, nested assemblies (one per stage) included.
 * `option` names the command-line option in messages.
 */
export function readAssembly(dir: string, option = 'assembly'): StackArtifact[] {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new ReviewInputError(`${option}: ${dir} is not a cloud assembly (no manifest.json); give a cdk.out folder`);
  }
  const manifest = readJson(manifestFile, option) as { artifacts?: Record<string, ManifestArtifact> };
  const stacks: StackArtifact[] = [];
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      stacks.push(...readAssembly(path.join(dir, artifact.properties.directoryName), option));
    } else if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      const [, account = 'unknown-account', region = 'unknown-region'] = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '') ?? [];
      stacks.push({
        displayName: artifact.displayName ?? id,
        stackName: artifact.properties.stackName ?? id,
        account,
        region,
        template: readJson(path.join(dir, artifact.properties.templateFile), option) as StackArtifact['template'],
      });
    }
  }
  return stacks;
}

const MANIFEST_SUFFIX = '.k8s.yaml';

function readManifestFolder(dir: string): KubeDocument[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(MANIFEST_SUFFIX))
    .sort()
    .flatMap((file) =>
      readYamlFile(path.join(dir, file))
        .filter((doc): doc is Record<string, unknown> => typeof doc === 'object' && doc !== null)
        .map((object) => ({ file, object })),
    );
}

/**
 * The Kubernetes objects under `dir`: one environment per sub-folder (`dist/dev/`, `dist/prod/`), or
 * the folder itself as one environment when it holds manifests directly.
 */
export function readManifests(dir: string, option = 'manifests'): ManifestSet {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ReviewInputError(`${option}: ${dir} is not a folder; give the manifests folder (dist/)`);
  }
  const set = new Map<string, KubeDocument[]>();
  const own = readManifestFolder(dir);
  if (own.length > 0) set.set(path.basename(path.resolve(dir)), own);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    set.set(entry.name, readManifestFolder(path.join(dir, entry.name)));
  }
  return set;
}

/** The allow-list file as JSON, or undefined when an optional file does not exist. */
export function readAllowListFile(file: string, required: boolean): unknown {
  if (!fs.existsSync(file)) {
    if (required) throw new ReviewInputError(`--allow-list: ${file} does not exist`);
    return undefined;
  }
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ReviewInputError(`${file}: is not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
}
