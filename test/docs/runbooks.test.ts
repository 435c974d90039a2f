import * as fs from 'fs';
import * as path from 'path';
import { markdownFiles, ROOT } from '../../bin/docs';
import { ALARM_IDS, RUNBOOKS_PAGE } from '../../lib/config/observability';
import { checkTarget } from '../../lib/docs/links';
import { anchorsOf } from '../../lib/docs/markdown';
import { world } from '../contracts/world';

const read = (file: string) => (fs.existsSync(path.join(ROOT, file)) ? fs.readFileSync(path.join(ROOT, file), 'utf8') : undefined);
const exists = (file: string) => fs.existsSync(path.join(ROOT, file));
const runbooks = () => read(RUNBOOKS_PAGE)!;

/** The incident runbooks the platform's requirements name, by their anchor. */
const INCIDENTS = [
  'database-connection-exhaustion-and-n1-queries',
  'failed-canary-and-manual-rollback',
  '502-and-504-from-the-load-balancer',
  'pod-restart-loops-and-oomkilled',
  'deleted-bucket-restore',
  'point-in-time-database-restore',
  'secret-rotation-failure',
  'region-failover',
];

/** The text of the section under a `###` heading with this anchor, up to the next heading of that level or above. */
function section(markdown: string, anchor: string): string {
  const lines = markdown.split('\n');
  let fenced = false;
  const heading = lines.map((l) => {
    if (/^\s*```/.test(l)) fenced = !fenced;
    return !fenced && /^#{1,3} /.test(l);
  });
  const start = lines.findIndex((l, i) => heading[i] && l.startsWith('### ') && anchorsOf(l).has(anchor));
  if (start < 0) return '';
  const end = heading.findIndex((h, i) => h && i > start);
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

describe('runbooks', () => {
  test.each(ALARM_IDS.map((id) => [id]))('alarm id %s has its section in docs/runbooks.md', (id) => {
    // GIVEN the alarm catalogue WHEN the runbooks page is read THEN the id is an anchor with a section that says something
    expect(anchorsOf(runbooks()).has(id)).toBe(true);
    expect(section(runbooks(), id).trim().length).toBeGreaterThan(80);
  });

  test.each(INCIDENTS.map((a) => [a]))('incident runbook %s has symptoms, dashboards and alarms, commands and the fix', (anchor) => {
    const text = section(runbooks(), anchor);
    for (const part of ['**Symptoms.**', '**Dashboards and alarms.**', '**Fix.**']) expect(text).toContain(part);
    expect(text).toMatch(/```bash\n/);
  });

  test('every alarm of every stack ends its description with a runbook link that resolves', () => {
    // GIVEN every CloudWatch alarm and composite alarm of every synthesized template
    const alarms = world().stacks.flatMap((s) =>
      Object.entries(s.template.Resources)
        .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::CloudWatch::CompositeAlarm')
        .map(([id, r]) => ({ alarm: `${s.path}/${id}`, description: r.Properties?.AlarmDescription as unknown })),
    );
    expect(alarms.length).toBeGreaterThan(ALARM_IDS.length);
    // THEN each names a runbook anchor that exists on the page
    const broken = alarms.flatMap(({ alarm, description }) => {
      const link = typeof description === 'string' ? / Runbook: (\S+)$/.exec(description)?.[1] : undefined;
      if (!link) return [{ alarm, problem: `no runbook link in ${JSON.stringify(description)}` }];
      const problem = checkTarget('README.md', link, read, exists);
      return problem ? [{ alarm, problem }] : [];
    });
    expect(broken).toEqual([]);
  });

  test('every `npm run <script>` a docs page or the README names exists in package.json', () => {
    // GIVEN the scripts of package.json
    const scripts = new Set(Object.keys((JSON.parse(read('package.json')!) as { scripts: Record<string, string> }).scripts));
    // WHEN every page is searched for `npm run <name>` THEN each name is a script
    const missing = markdownFiles().flatMap((page) =>
      [...read(page)!.matchAll(/npm run ([a-z][\w:-]*)/g)].filter((m) => !scripts.has(m[1])).map((m) => `${page}: npm run ${m[1]}`),
    );
    expect(missing).toEqual([]);
  });

  test('every bin/ script a docs page or the README names exists', () => {
    const missing = markdownFiles().flatMap((page) =>
      [...read(page)!.matchAll(/\bbin\/[\w-]+\.(?:ts|mjs)/g)].filter((m) => !exists(m[0])).map((m) => `${page}: ${m[0]}`),
    );
    expect(missing).toEqual([]);
  });
});
