#!/usr/bin/env node
/**
 * `npm run docs`: regenerates every part of docs/ that is derived from code. It synthesizes the
 * platform in process (every stage's templates, every environment's manifests: no credentials, no
 * network), then writes the generated pages (environments, alarm and service catalogues, IAM
 * summaries), rewrites the generated blocks of hand-written pages (architecture diagrams, the
 * runbooks' names per environment), renders the diagrams to SVG and regenerates the construct
 * reference with TypeDoc. `test/bin/docs.test.ts` fails when a committed part is stale.
 *
 *   npm run docs                 everything
 *   npm run docs -- --no-modules everything but the construct reference (TypeDoc takes ~30 s)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { buildCharts, documentsOf } from '../cdk8s/main';
import { ENVIRONMENTS } from '../lib/config/environments';
import { SERVICE_CATALOG } from '../lib/config/service-catalog';
import { blockNamesOf, fillBlocks } from '../lib/docs/markdown';
import { DocManifest, DocsInput, DocStack } from '../lib/docs/model';
import { DIAGRAMS_DIR, diagramSources, generatedBlocks, generatedPages } from '../lib/docs/pages';
import { buildApp, cdkJsonContext } from './app';
import { committedReference, modulesReference, writeReference } from './docs-modules';

/** The repository root. */
export const ROOT = path.join(__dirname, '..');

/** Synthesize the platform in process, as the generators read it. */
export function synthesizeInput(): DocsInput {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-cdk-out-'));
  try {
    const assembly = buildApp(ENVIRONMENTS, { context: cdkJsonContext(), builtinCloudFormationValidation: false, outdir }).synth();
    const all = assembly.nestedAssemblies.flatMap((n) => n.nestedAssembly.stacks);
    const byId = new Map(all.map((s) => [s.id, s.hierarchicalId]));
    const stacks: DocStack[] = all.map((s) => ({
      path: s.hierarchicalId,
      stackName: s.stackName,
      account: s.environment.account,
      region: s.environment.region,
      terminationProtection: s.terminationProtection ?? false,
      dependencies: s.dependencies.flatMap((d) => (byId.has(d.id) ? [byId.get(d.id)!] : [])),
      template: s.template,
    }));
    const manifests = Object.fromEntries(
      ENVIRONMENTS.map((config) => [
        config.name,
        documentsOf(buildCharts(new App({ outdir: path.join(outdir, 'k8s') }), config)) as DocManifest[],
      ]),
    );
    return { stacks, manifests, environments: ENVIRONMENTS, catalog: SERVICE_CATALOG };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Every Markdown file of the docs: README.md and docs/**, relative to the root. */
export function markdownFiles(root: string = ROOT): string[] {
  const below = fs
    .readdirSync(path.join(root, 'docs'), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.md'))
    .map((d) => path.relative(root, path.join(d.parentPath, d.name)).split(path.sep).join('/'));
  return ['README.md', ...below.sort()];
}

/** Hand-written pages with generated blocks, each with its content after the blocks are filled. */
export function filledPages(input: DocsInput, root: string = ROOT): { path: string; current: string; filled: string }[] {
  const blocks = generatedBlocks(input);
  return markdownFiles(root)
    .map((file) => ({ path: file, current: fs.readFileSync(path.join(root, file), 'utf8') }))
    .filter((p) => blockNamesOf(p.current).length > 0)
    .map((p) => ({ ...p, filled: fillBlocks(p.current, blocks, p.path) }));
}

/** The diagrams rendered to SVG (a child process: the renderer is an ES module), by path relative to the root. */
export function renderDiagrams(input: DocsInput): Map<string, string> {
  const result = spawnSync(process.execPath, [path.join(__dirname, 'mermaid-svg.mjs')], {
    input: JSON.stringify(diagramSources(input)),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`rendering the diagrams failed: ${result.stderr}`);
  return new Map(
    Object.entries(JSON.parse(result.stdout) as Record<string, string>).map(([file, svg]) => [`${DIAGRAMS_DIR}/${file}`, svg]),
  );
}

/** Write a file under the root, creating its folder; returns the path for the log. */
function write(file: string, content: string, root: string): string {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), content);
  return file;
}

/** Regenerate everything; returns the files written. */
export async function main(args: readonly string[] = process.argv.slice(2), root: string = ROOT): Promise<string[]> {
  const input = synthesizeInput();
  const written: string[] = [];
  for (const page of generatedPages(input)) written.push(write(page.path, page.content, root));
  for (const page of filledPages(input, root)) if (page.filled !== page.current) written.push(write(page.path, page.filled, root));
  fs.rmSync(path.join(root, DIAGRAMS_DIR), { recursive: true, force: true });
  for (const [file, svg] of renderDiagrams(input)) written.push(write(file, svg, root));
  if (!args.includes('--no-modules')) {
    const reference = modulesReference(root);
    const before = committedReference(root);
    writeReference(reference, root);
    written.push(...[...reference.keys()].filter((file) => before.get(file) !== reference.get(file)));
  }
  return written;
}

if (require.main === module) {
  main().then(
    (files) => process.stdout.write(files.map((f) => `wrote ${f}\n`).join('')),
    (e) => {
      process.stderr.write(`docs: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
