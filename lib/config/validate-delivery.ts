/**
 * Validation of the delivery settings (`DELIVERY` in lib/config/delivery.ts): every problem, one
 * line each, naming the field, the value and what is allowed. Run with the environments' validation.
 */
import { DeliverySettings, SCAN_SEVERITIES } from './delivery';
import { ConfigProblem } from './validate';

const inRange = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;

/** Every problem of the delivery settings. */
export function validateDelivery(settings: DeliverySettings): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path: `delivery.${path}`, message });
  if (settings.failOnSeverities.length === 0) {
    add('failOnSeverities', `is empty; name at least one of ${SCAN_SEVERITIES.join(', ')} (an empty list would let every image through)`);
  }
  settings.failOnSeverities.forEach((severity, i) => {
    if (!SCAN_SEVERITIES.includes(severity))
      add(`failOnSeverities[${i}]`, `${JSON.stringify(severity)} is not a severity; use ${SCAN_SEVERITIES.join(', ')}`);
  });
  if (!settings.failOnSeverities.includes('CRITICAL'))
    add('failOnSeverities', 'must include CRITICAL; a critical vulnerability never ships');
  if (!/^public\.ecr\.aws\/docker\/library\/postgres:17\.\d+$/.test(settings.testDatabaseImage)) {
    add(
      'testDatabaseImage',
      `${JSON.stringify(settings.testDatabaseImage)} is not PostgreSQL 17 from public.ecr.aws/docker/library/postgres; the integration tests run against the RDS major version`,
    );
  }
  if (!inRange(settings.syncTimeoutSeconds, 60, 3600))
    add('syncTimeoutSeconds', `${settings.syncTimeoutSeconds} is out of range; use 60..3600`);
  if (!inRange(settings.smokeAttempts, 1, 30)) add('smokeAttempts', `${settings.smokeAttempts} is out of range; use 1..30`);
  return problems;
}
