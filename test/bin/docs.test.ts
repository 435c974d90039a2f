import * as fs from 'fs';
import { ALARMS_PAGE, alarmsPage, ENVIRONMENTS_PAGE, environmentsPage } from '../../bin/docs';
import { ALARM_IDS } from '../../lib/config/observability';
import { ENVIRONMENTS } from '../../lib/config/environments';

describe('generated docs', () => {
  test('docs/environments.md is up to date (run `npm run docs` after changing config)', () => {
    expect(fs.readFileSync(ENVIRONMENTS_PAGE, 'utf8')).toBe(environmentsPage(ENVIRONMENTS));
  });

  test('the table has one column per environment and the values from config', () => {
    const page = environmentsPage(ENVIRONMENTS);
    expect(page).toContain('| | **dev** | **staging** | **prod** |');
    expect(page).toContain('| NAT gateways | 1 | 1 | 3 |');
    expect(page).toContain('| region (DR) | eu-west-1 | eu-west-1 | eu-west-1 (eu-central-1) |');
  });

  test('docs/alarms.md is up to date (run `npm run docs` after changing an alarm or a threshold)', () => {
    expect(fs.readFileSync(ALARMS_PAGE, 'utf8')).toBe(alarmsPage(ENVIRONMENTS));
  });

  test('the alarm catalogue has one row per alarm id, with its runbook anchor and the thresholds from config', () => {
    const page = alarmsPage(ENVIRONMENTS);
    for (const id of ALARM_IDS) expect(page).toContain(`| \`docs/runbooks.md#${id}\` |`);
    expect(page).toContain(
      '| `rds-cpu` | CPU of the database instance | environment | at or above, % | critical 95, warning 80, info 60 |',
    );
  });
});
