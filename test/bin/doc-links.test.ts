import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const pages = (): string[] => {
  const docs: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.md')) docs.push(file);
    }
  };
  walk(path.join(ROOT, 'docs'));
  return [path.join(ROOT, 'README.md'), ...docs];
};

describe('README and docs stand alone', () => {
  test.each(pages().map((p) => [path.relative(ROOT, p), p]))('%s links only to files inside the repository that exist', (_, page) => {
    // GIVEN every Markdown link target of the page that is not a web address or an anchor
    const text = fs.readFileSync(page, 'utf8');
    const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((t) => !/^(https?:|mailto:|#)/.test(t));
    // THEN each resolves inside the repository, to a file that is there
    const broken = targets.filter((target) => {
      const file = path.resolve(path.dirname(page), target.split('#')[0]);
      return !file.startsWith(`${ROOT}${path.sep}`) || !fs.existsSync(file);
    });
    expect(broken).toEqual([]);
    // AND no text names the team's files outside the repository (`../shared/DESIGN.md`, /work/...)
    expect(text.match(/\.\.\/shared\/|\/work\/|\b(DESIGN|STYLE)\.md\b/g) ?? []).toEqual([]);
  });
});
