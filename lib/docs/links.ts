/**
 * Link checks of the docs: every relative link of README.md and docs/** points to a file that exists
 * and, where it names an anchor of a Markdown page, to a heading (or `<a id>`) that page has. Code
 * strings that name a docs page (`docs/runbooks.md#<id>` in an alarm description) are checked the same
 * way by the tests.
 */
import * as path from 'path';
import { anchorsOf, linksOf } from './markdown';

/** One broken link: the page and line it is on, the target as written, and why it is broken. */
export interface BrokenLink {
  readonly page: string;
  readonly line: number;
  readonly target: string;
  readonly problem: string;
}

/** What the checker reads: a page's text by path relative to the repository root, or undefined when no such file exists. */
export type ReadPage = (file: string) => string | undefined;

/** Whether a target leaves the repository (a URL, a mail address). */
function external(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target);
}

/**
 * Check one target as seen from `page` (both relative to the root). `exists` says whether a path
 * (file or folder) exists. Returns the problem, or undefined when the link resolves.
 */
export function checkTarget(page: string, target: string, read: ReadPage, exists: (file: string) => boolean): string | undefined {
  if (external(target)) return undefined;
  const [rawFile, anchor] = target.split('#', 2);
  const file = rawFile === '' ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), decodeURIComponent(rawFile)));
  if (file.startsWith('../')) return 'points outside the repository';
  if (!exists(file)) return `no file ${file}`;
  if (anchor === undefined || anchor === '' || !file.endsWith('.md')) return undefined;
  const text = read(file);
  if (text === undefined) return `no file ${file}`;
  return anchorsOf(text).has(anchor) ? undefined : `${file} has no anchor #${anchor}`;
}

/** Every broken relative link of the given pages. */
export function brokenLinks(pages: readonly string[], read: ReadPage, exists: (file: string) => boolean): BrokenLink[] {
  return pages.flatMap((page) =>
    linksOf(read(page) ?? '').flatMap(({ target, line }) => {
      const problem = checkTarget(page, target, read, exists);
      return problem ? [{ page, line, target, problem }] : [];
    }),
  );
}
