/**
 * The construct reference (docs/modules.md and docs/modules/): TypeDoc with typedoc-plugin-markdown
 * over the constructs of `lib/constructs/` and `cdk8s/constructs/`, from their JSDoc (the `Props`
 * interfaces with every field's description and `@default`). Part of `npm run docs`.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generatedHeader, table } from '../lib/docs/markdown';
import { hashOfFiles, importClosure, keptByHash } from './input-hash';

const ROOT = path.join(__dirname, '..');

/** Folders whose files are the reference's modules. */
export const MODULE_FOLDERS = ['lib/constructs', 'cdk8s/constructs'];

/** The index page and the folder of the module pages, relative to the repository root. */
export const MODULES_PAGE = 'docs/modules.md';
export const MODULES_DIR = 'docs/modules';

/** The entry points: every `.ts` file directly in the module folders. */
export function moduleEntryPoints(root: string = ROOT): string[] {
  return MODULE_FOLDERS.flatMap((folder) =>
    fs
      .readdirSync(path.join(root, folder))
      .filter((f) => f.endsWith('.ts'))
      .sort()
      .map((f) => path.join(root, folder, f)),
  );
}

/** Every file below a folder, relative to it, sorted. */
function filesBelow(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)))
    .sort();
}

const HEADER = generatedHeader(['the JSDoc of lib/constructs/ and cdk8s/constructs/ (TypeDoc + typedoc-plugin-markdown)']);

/** One module as TypeDoc saw it: its constructs (classes) with the first paragraph of their JSDoc. */
interface ModuleSummary {
  readonly name: string;
  readonly constructs: readonly { readonly name: string; readonly summary: string }[];
}

/**
 * Generate the reference: TypeDoc (bin/typedoc-modules.mjs, a child process: TypeDoc is an ES module)
 * writes one Markdown page per module into a scratch folder; each page gets the generated header, and
 * the index lists every module with its constructs and their summaries. Returns the pages by path
 * relative to the repository root. Reused from `cacheDir` while `referenceInputsHash` is unchanged.
 */
export function modulesReference(root: string = ROOT, cacheDir: string = CACHE_DIR): Map<string, string> {
  return new Map(keptByHash(cacheDir, referenceInputsHash(root), () => [...generateReference(root)]));
}

/** Where generated references are kept, by the hash of what they were made from. */
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'docs-modules');

/** The generator's own files, the tsconfig and the lock file (the versions of TypeDoc, its plugin and every type package). */
export const GENERATOR_INPUTS = [
  'bin/docs-modules.ts',
  'bin/typedoc-modules.mjs',
  'lib/docs/markdown.ts',
  'tsconfig.json',
  'package-lock.json',
];

/**
 * The files of ours TypeDoc reads: the entry points and every file they import, transitively
 * (type-only imports and re-exports included), relative to `root`, sorted. A file no module
 * reaches (a stack, the review, a test) does not change the reference.
 */
export function referenceSources(root: string = ROOT): string[] {
  return importClosure(root, moduleEntryPoints(root));
}

/**
 * The hash of everything the reference is made from: the module files and what they import
 * (`referenceSources`), the generator, the tsconfig and the locked dependency versions. The same
 * inputs make the same pages, so a reference generated once is reused until one of them changes
 * (TypeDoc takes ~8 s, most of `npm run docs` and of the docs test).
 */
export function referenceInputsHash(root: string = ROOT): string {
  return hashOfFiles(root, [...GENERATOR_INPUTS, ...referenceSources(root)]);
}

/** Run TypeDoc and make the pages (no cache). */
function generateReference(root: string): Map<string, string> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-modules-'));
  try {
    const result = spawnSync(process.execPath, [path.join(__dirname, 'typedoc-modules.mjs')], {
      cwd: root,
      input: JSON.stringify({ entryPoints: moduleEntryPoints(root), tsconfig: path.join(root, 'tsconfig.json'), out: scratch }),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.status !== 0) throw new Error(`TypeDoc failed: ${result.stderr}`);
    const modules = JSON.parse(result.stdout) as ModuleSummary[];
    const pages = new Map<string, string>();
    for (const file of filesBelow(scratch).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
      pages.set(`${MODULES_DIR}/${file.split(path.sep).join('/')}`, `${HEADER}\n\n${fs.readFileSync(path.join(scratch, file), 'utf8')}`);
    }
    const rows = modules.map((m) => [
      `[${m.name}](modules/${m.name}.md)`,
      m.constructs.map((c) => `**${c.name}**: ${c.summary}`).join('<br>') || 'helpers (no construct)',
    ]);
    pages.set(
      MODULES_PAGE,
      [
        HEADER,
        '',
        '# Construct reference',
        '',
        'The reusable constructs ("modules") of the platform: AWS CDK constructs in `lib/constructs/` and cdk8s constructs in',
        "`cdk8s/constructs/`. Each page documents a module's constructs and their props (every field with its description",
        'and default), from the JSDoc in the code. Stacks compose these constructs; stages compose stacks',
        '([architecture](architecture.md)).',
        '',
        table(['module', 'constructs'], rows),
        '',
      ].join('\n'),
    );
    return pages;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The committed reference: docs/modules.md and every file under docs/modules/. */
export function committedReference(root: string = ROOT): Map<string, string> {
  const pages = new Map<string, string>();
  const index = path.join(root, MODULES_PAGE);
  if (fs.existsSync(index)) pages.set(MODULES_PAGE, fs.readFileSync(index, 'utf8'));
  for (const file of filesBelow(path.join(root, MODULES_DIR)))
    pages.set(`${MODULES_DIR}/${file}`, fs.readFileSync(path.join(root, MODULES_DIR, file), 'utf8'));
  return pages;
}

/** Replace the committed reference with `pages` (files no longer generated are removed). */
export function writeReference(pages: Map<string, string>, root: string = ROOT): void {
  fs.rmSync(path.join(root, MODULES_DIR), { recursive: true, force: true });
  for (const [file, content] of pages) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  }
}
