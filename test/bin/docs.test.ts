import * as fs from 'fs';
import { ENVIRONMENTS_PAGE, environmentsPage } from '../../bin/docs';
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
});
