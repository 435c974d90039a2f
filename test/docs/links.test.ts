import * as fs from 'fs';
import * as path from 'path';
import { markdownFiles, ROOT } from '../../bin/docs';
import { brokenLinks, checkTarget } from '../../lib/docs/links';
import { linksOf } from '../../lib/docs/markdown';

const read = (file: string) => (fs.existsSync(path.join(ROOT, file)) ? fs.readFileSync(path.join(ROOT, file), 'utf8') : undefined);
const exists = (file: string) => fs.existsSync(path.join(ROOT, file));

/** The pages of the docs tree every engineer relies on. */
const TREE = [
  'docs/overview.md',
  'docs/quickstart.md',
  'docs/architecture.md',
  'docs/environments/README.md',
  'docs/modules.md',
  'docs/state-management.md',
  'docs/cicd/pipeline-overview.md',
  'docs/cicd/rollback-strategy.md',
  'docs/k8s/namespaces.md',
  'docs/k8s/deployment-standards.md',
  'docs/security/iam-policies.md',
  'docs/security/secrets-management.md',
  'docs/troubleshooting/common-issues.md',
  'docs/glossary.md',
  'docs/runbooks.md',
  'docs/alarms.md',
  'docs/services.md',
];

describe('the docs tree', () => {
  test.each(TREE.map((p) => [p]))('%s exists and says something', (page) => {
    expect((read(page) ?? '').length).toBeGreaterThan(500);
  });

  test('the README links the quickstart', () => {
    expect(read('README.md')).toMatch(/\]\(docs\/quickstart\.md\)/);
  });

  test.each([
    ['deploy a new service', '## Deploy a new service'],
    ['roll back', '## Roll back'],
    ['add an environment', '## Add an environment'],
    ['onboard/offboard a person', '## Onboard or offboard a person'],
    ['first deploy of a new account', '## First deploy of a new set of accounts'],
  ])('the quickstart has the task "%s"', (_, heading) => {
    expect(read('docs/quickstart.md')).toContain(`\n${heading}\n`);
  });

  test('every decision record has a number of its own', () => {
    const numbers = fs
      .readdirSync(path.join(ROOT, 'docs/decisions'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => f.slice(0, 4));
    expect(new Set(numbers).size).toBe(numbers.length);
  });
});

describe('links of README.md and docs/', () => {
  test('every relative link resolves to a file, and every anchor to a heading of that page', () => {
    // GIVEN every Markdown page WHEN its links are followed THEN none is broken
    expect(brokenLinks(markdownFiles(), read, exists)).toEqual([]);
  });

  test('every page is linked from the README or another page (no orphan a reader cannot find)', () => {
    const pages = markdownFiles();
    const linked = new Set(
      pages.flatMap((page) =>
        linksOf(read(page)!)
          .map((l) => l.target.split('#')[0])
          .filter((t) => t !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(t))
          .map((t) => path.posix.normalize(path.posix.join(path.posix.dirname(page), t))),
      ),
    );
    expect(pages.filter((p) => p !== 'README.md' && !linked.has(p))).toEqual([]);
  });

  test('the checker finds a missing file, a missing anchor and a link out of the repository', () => {
    // GIVEN a small fake tree
    const pages: Record<string, string> = { 'docs/a.md': '# Title\n\n## A `code` heading\n', 'docs/b.md': '' };
    const fakeRead = (f: string) => pages[f];
    const fakeExists = (f: string) => f in pages || f === 'docs';
    // THEN each kind of break is named, and good links pass
    expect(checkTarget('docs/b.md', 'a.md#a-code-heading', fakeRead, fakeExists)).toBeUndefined();
    expect(checkTarget('docs/b.md', 'a.md#title', fakeRead, fakeExists)).toBeUndefined();
    expect(checkTarget('docs/b.md', 'https://example.com/x.md#nope', fakeRead, fakeExists)).toBeUndefined();
    expect(checkTarget('docs/b.md', 'c.md', fakeRead, fakeExists)).toBe('no file docs/c.md');
    expect(checkTarget('docs/b.md', 'a.md#nope', fakeRead, fakeExists)).toBe('docs/a.md has no anchor #nope');
    expect(checkTarget('docs/b.md', '#nope', fakeRead, fakeExists)).toBe('docs/b.md has no anchor #nope');
    expect(checkTarget('docs/b.md', '../../x.md', fakeRead, fakeExists)).toBe('points outside the repository');
    expect(brokenLinks(['docs/b.md'], () => '[x](c.md)\n```\n[y](d.md)\n```\n`[z](e.md)`', fakeExists)).toEqual([
      { page: 'docs/b.md', line: 1, target: 'c.md', problem: 'no file docs/c.md' },
    ]);
  });

  test('every docs page a code string names exists, with its anchor', () => {
    // GIVEN every `docs/<page>.md[#anchor]` in the code (alarm descriptions, messages, comments)
    const sources = ['bin', 'lib', 'cdk8s'].flatMap((dir) =>
      fs
        .readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile() && /\.(ts|mjs)$/.test(d.name))
        .map((d) => path.relative(ROOT, path.join(d.parentPath, d.name))),
    );
    // (a quote, backtick or parenthesis before it; lines citing an upstream repository, `owner/repo@tag:path`, name ITS docs)
    const named = sources
      .flatMap((file) =>
        fs
          .readFileSync(path.join(ROOT, file), 'utf8')
          .split('\n')
          .filter((line) => !/@v?\d[\w.-]*:/.test(line))
          .flatMap((line) => [...line.matchAll(/(?<=['"`(])docs\/[\w./-]+\.md(?:#[a-z0-9-]+)?/g)].map((m) => ({ file, target: m[0] }))),
      )
      // (a path in a folder docs/ does not have, such as `docs/operator-manual/...`, is an upstream project's)
      .filter(({ target }) => !target.slice('docs/'.length).includes('/') || exists(target.split('/').slice(0, 2).join('/')));
    expect(named.length).toBeGreaterThan(0);
    // THEN each resolves from the repository root
    const broken = named.filter(({ target }) => checkTarget('README.md', target, read, exists) !== undefined);
    expect(broken).toEqual([]);
  });
});
