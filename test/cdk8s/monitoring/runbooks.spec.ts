import * as fs from 'fs';
import * as path from 'path';
import { platformRules } from '../../../cdk8s/monitoring/platform-rules';
import { RUNBOOK_BASE } from '../../../cdk8s/monitoring/rules';
import { serviceRules } from '../../../cdk8s/monitoring/slo-rules';
import { serviceNamespace } from '../../../lib/config/naming';
import { SERVICES } from '../../../lib/config/service-catalog';

/** GitHub's anchor of a Markdown heading. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');

describe('runbooks', () => {
  test('every alert links a section of the runbooks page that exists', () => {
    // GIVEN the headings of the page the alerts link to
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', '..', RUNBOOK_BASE), 'utf8');
    const anchors = new Set(
      doc
        .split('\n')
        .filter((l) => l.startsWith('#'))
        .map((l) => anchor(l.replace(/^#+ /, ''))),
    );
    // WHEN every rule of the platform and of every service is read
    const groups = [...platformRules(), ...SERVICES.flatMap((s) => serviceRules(s, serviceNamespace(s)))];
    const links = groups.flatMap((g) => (g.rules ?? []).flatMap((r) => (r.annotations?.runbook_url ? [r.annotations.runbook_url] : [])));
    // THEN each points at one of them
    expect(links.length).toBeGreaterThan(10);
    const missing = [...new Set(links)].filter((l) => !anchors.has(l.split('#')[1]));
    expect(missing).toEqual([]);
  });
});
