/**
 * What a generated file is made from, as a hash: the generators that are slow (TypeDoc, the JSON
 * Schema generator: each builds a TypeScript program) keep their output by it and run again only
 * when one of their inputs changed.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** A relative module specifier in an import, export, `import()` or `require()`. */
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/**
 * The files of ours a TypeScript program over `entries` reads: the entries and every file they
 * import, transitively (type-only imports and re-exports included), relative to `root`, sorted.
 */
export function importClosure(root: string, entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const queue = entries.map((e) => path.resolve(root, e));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const [, specifier] of fs.readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)) {
      const base = path.resolve(path.dirname(file), specifier);
      const found = [base, `${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
      if (found) queue.push(found);
    }
  }
  return [...seen].map((f) => path.relative(root, f)).sort();
}

/** The hash of files (relative to `root`; missing ones are left out), names and contents. */
export function hashOfFiles(root: string, files: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of files.filter((f) => fs.existsSync(path.join(root, f)))) {
    hash.update(`${file.split(path.sep).join('/')}\0`);
    hash.update(fs.readFileSync(path.join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/**
 * `make()`'s result, kept in `dir` under `key` (JSON); only the newest entry is kept.
 */
export function keptByHash<T>(dir: string, key: string, make: () => T): T {
  const file = path.join(dir, `${key}.json`);
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  const value = make();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  writeWhole(file, JSON.stringify(value));
  return value;
}

/** Write a file whole, then rename it into place: a reader never sees half of it, and two writers of the same content at once are harmless. */
export function writeWhole(file: string, text: string): void {
  fs.writeFileSync(`${file}.${process.pid}`, text);
  fs.renameSync(`${file}.${process.pid}`, file);
}
