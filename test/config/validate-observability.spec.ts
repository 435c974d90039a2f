import { dev, ENVIRONMENTS, prod, staging } from '../../lib/config/environments';
import { apiPathPrefixes } from '../../lib/config/edge-routes';
import { ALARM_CATALOG, ALARM_IDS } from '../../lib/config/observability';
import { SERVICE_CATALOG } from '../../lib/config/service-catalog';
import { validateObservability } from '../../lib/config/validate-observability';
import { withValue } from '../helpers';

/** The problems of one environment changed at one path. */
const problems = (env: object, path: string, value: unknown) => validateObservability([withValue(env, path, value)], SERVICE_CATALOG);
const one = (env: { name: string }, path: string, value: unknown) => problems(env, path, value).map((p) => `${p.path}: ${p.message}`);

describe('validateObservability', () => {
  test('the shipped environments are valid', () => {
    expect(validateObservability(ENVIRONMENTS, SERVICE_CATALOG)).toEqual([]);
  });

  test('input that is not an environment is left to validateEnvironments', () => {
    expect(validateObservability('nope', SERVICE_CATALOG)).toEqual([]);
    expect(validateObservability([null, 1, { tier: 'production' }], SERVICE_CATALOG)).toEqual([]);
  });

  test.each([
    [
      prod,
      'observability',
      undefined,
      'prod.observability: missing is not an object; give { chat, pager, thresholds, containerLogRetentionDays, synthetics }',
    ],
    [
      prod,
      'observability.chat',
      'slack',
      [
        'prod.observability.chat: "slack" is not an object; give {} or { slack, teams }',
        'prod.alerts.critical.slackChannelId: needs observability.chat.slack; give the Slack workspace ID, or remove the channel',
        'prod.alerts.warning.slackChannelId: needs observability.chat.slack; give the Slack workspace ID, or remove the channel',
      ],
    ],
    [
      prod,
      'observability.chat.slack.workspaceId',
      'my-workspace',
      'prod.observability.chat.slack.workspaceId: "my-workspace" is not valid; use the workspace ID the Chatbot console shows, such as T0123ABCD45',
    ],
    [
      prod,
      'observability.chat.teams',
      { tenantId: 'tenant', teamId: '00000000-0000-0000-0000-000000000000' },
      'prod.observability.chat.teams.tenantId: "tenant" is not valid; use a lower-case GUID such as 00000000-0000-0000-0000-000000000000',
    ],
    [
      prod,
      'alerts.warning.teamsChannelId',
      'general',
      'prod.alerts.warning.teamsChannelId: "general" is not valid; use the URL-encoded channel ID from the channel link, such as 19%3a0123456789abcdef%40thread.tacv2',
    ],
    [
      prod,
      'alerts.warning.teamsChannelId',
      '19%3a0123456789abcdef%40thread.tacv2',
      'prod.alerts.warning.teamsChannelId: needs observability.chat.teams; give the Teams tenant and team IDs, or remove the channel',
    ],
    [
      prod,
      'observability.chat.slack',
      undefined,
      [
        'prod.alerts.critical.slackChannelId: needs observability.chat.slack; give the Slack workspace ID, or remove the channel',
        'prod.alerts.warning.slackChannelId: needs observability.chat.slack; give the Slack workspace ID, or remove the channel',
      ],
    ],
    [
      dev,
      'alerts.info.emails',
      ['platform-team@example.com'],
      'dev.alerts.info.emails: ["platform-team@example.com"] is not allowed; info alerts are for dashboards only, make the alarm a warning to be told',
    ],
    [
      dev,
      'alerts.info.slackChannelId',
      'C0123456789',
      'dev.alerts.info.slackChannelId: "C0123456789" is not allowed; info alerts are for dashboards only, make the alarm a warning to be told',
    ],
    [
      prod,
      'observability.pager',
      undefined,
      'prod.observability.pager: missing is not allowed in production; critical alerts must page someone',
    ],
    [
      staging,
      'observability.pager',
      undefined,
      'staging.observability.pager: missing is not allowed in staging; critical alerts must page someone',
    ],
    [
      prod,
      'observability.pager.tiers',
      [],
      'prod.observability.pager.tiers: [] is not a list of tiers; give at least one, the first of kind pagerduty',
    ],
    [
      prod,
      'observability.pager.tiers',
      ['primary'],
      'prod.observability.pager.tiers[0]: "primary" is not a tier; give { name, kind, ackTimeoutMinutes }',
    ],
    [
      prod,
      'observability.pager.tiers',
      [{ name: 'Primary', kind: 'pagerduty', ackTimeoutMinutes: 15 }],
      'prod.observability.pager.tiers[0].name: "Primary" is not valid; use lower-case letters, digits and -, starting with a letter (up to 31)',
    ],
    [
      prod,
      'observability.pager.tiers',
      [
        { name: 'primary', kind: 'pagerduty', ackTimeoutMinutes: 15 },
        { name: 'primary', kind: 'pagerduty', ackTimeoutMinutes: 15 },
      ],
      'prod.observability.pager.tiers[1].name: "primary" is used by an earlier tier; tier names name secrets and states, use another',
    ],
    [
      prod,
      'observability.pager.tiers',
      [{ name: 'primary', kind: 'opsgenie', ackTimeoutMinutes: 15 }],
      'prod.observability.pager.tiers[0].kind: "opsgenie" is not allowed; use one of pagerduty, sms',
    ],
    [
      prod,
      'observability.pager.tiers',
      [{ name: 'primary', kind: 'sms', ackTimeoutMinutes: 15, phoneNumbers: ['+15555550100'] }],
      'prod.observability.pager.tiers[0].kind: "sms" is not allowed for the first tier; it must be pagerduty, whose incident says whether the alert was acknowledged',
    ],
    [
      prod,
      'observability.pager.tiers',
      [{ name: 'primary', kind: 'pagerduty', ackTimeoutMinutes: 0 }],
      'prod.observability.pager.tiers[0].ackTimeoutMinutes: 0 is not valid; use a whole number of minutes, 1..1440',
    ],
    [
      prod,
      'observability.pager.tiers',
      [{ name: 'primary', kind: 'pagerduty', ackTimeoutMinutes: 15, phoneNumbers: ['+15555550100'] }],
      'prod.observability.pager.tiers[0].phoneNumbers: is only for sms tiers; a pagerduty tier is paged through its routing key, remove the numbers',
    ],
    [
      prod,
      'observability.pager.tiers',
      [
        { name: 'primary', kind: 'pagerduty', ackTimeoutMinutes: 15 },
        { name: 'manager', kind: 'sms', ackTimeoutMinutes: 15 },
      ],
      'prod.observability.pager.tiers[1].phoneNumbers: missing is not a list of numbers; an sms tier texts at least one E.164 number such as +15555550100',
    ],
    [
      prod,
      'observability.pager.tiers',
      [
        { name: 'primary', kind: 'pagerduty', ackTimeoutMinutes: 15 },
        { name: 'manager', kind: 'sms', ackTimeoutMinutes: 15, phoneNumbers: ['555-0100'] },
      ],
      'prod.observability.pager.tiers[1].phoneNumbers[0]: "555-0100" is not an E.164 number such as +15555550100',
    ],
    [
      prod,
      'observability.thresholds',
      1,
      'prod.observability.thresholds: 1 is not an object; give the thresholds by alarm id and severity',
    ],
    [
      prod,
      'observability.thresholds.rds-cpu',
      undefined,
      'prod.observability.thresholds.rds-cpu: missing is not an object; give thresholds by severity, e.g. { warning: 1 }, or {} for no alarm',
    ],
    [
      prod,
      'observability.thresholds.rds-cpu',
      { urgent: 90 },
      'prod.observability.thresholds.rds-cpu.urgent: is not a severity; use critical, warning, info',
    ],
    [
      prod,
      'observability.thresholds.rds-cpu',
      { warning: 120 },
      'prod.observability.thresholds.rds-cpu.warning: 120 is not valid; use a number above 0 and at most 100 (%)',
    ],
    [
      prod,
      'observability.thresholds.webhook-queue-age',
      { warning: -1 },
      'prod.observability.thresholds.webhook-queue-age.warning: -1 is not valid; use a number above 0 (seconds)',
    ],
    [
      prod,
      'observability.thresholds.rds-cpu',
      { warning: 95, critical: 80 },
      'prod.observability.thresholds.rds-cpu.critical: 80 is below the warning threshold 95; a critical alarm fires above the warning one (%)',
    ],
    [
      prod,
      'observability.thresholds.rds-free-storage',
      { warning: 10, critical: 20 },
      'prod.observability.thresholds.rds-free-storage.critical: 20 is above the warning threshold 10; a critical alarm fires below the warning one (% of allocatedStorageGiB)',
    ],
    [
      prod,
      'observability.containerLogRetentionDays',
      10,
      'prod.observability.containerLogRetentionDays: 10 is not a CloudWatch Logs retention; use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
    ],
    [
      prod,
      'observability.synthetics',
      [],
      'prod.observability.synthetics: [] is not an object; give { scheduleMinutes, artifactRetentionDays, flows }',
    ],
    [
      prod,
      'observability.synthetics.scheduleMinutes',
      90,
      'prod.observability.synthetics.scheduleMinutes: 90 is not valid; use a whole number of minutes, 1..60',
    ],
    [
      prod,
      'observability.synthetics.artifactRetentionDays',
      0,
      'prod.observability.synthetics.artifactRetentionDays: 0 is not valid; use a whole number of days, 1..455',
    ],
    [
      prod,
      'observability.synthetics.flows',
      [],
      'prod.observability.synthetics.flows: [] is not a list of flows; give at least one API flow to request',
    ],
    [
      prod,
      'observability.synthetics.flows',
      [{ name: 'api', path: '/api/x', databaseHeavy: true, latencyObjectiveMillis: 100 }, 'x'],
      'prod.observability.synthetics.flows[1]: "x" is not a flow; give { name, path, databaseHeavy, latencyObjectiveMillis }',
    ],
    [
      prod,
      'observability.synthetics.flows',
      [{ name: 'API', path: '/api/x', databaseHeavy: true, latencyObjectiveMillis: 100 }],
      'prod.observability.synthetics.flows[0].name: "API" is not valid; use lower-case letters, digits and -, starting with a letter',
    ],
    [
      prod,
      'observability.synthetics.flows',
      [
        { name: 'api', path: '/api/x', databaseHeavy: true, latencyObjectiveMillis: 100 },
        { name: 'api', path: '/api/y', databaseHeavy: false, latencyObjectiveMillis: 100 },
      ],
      'prod.observability.synthetics.flows[1].name: "api" is used by an earlier flow; use another',
    ],
    [
      prod,
      'observability.synthetics.flows',
      [{ name: 'a-very-long-flow-name', path: '/api/x', databaseHeavy: true, latencyObjectiveMillis: 100 }],
      'prod.observability.synthetics.flows[0].name: makes the canary name "prod-a-very-long-flow-name" 26 characters long; use a name that keeps it within 21',
    ],
    [
      prod,
      'observability.synthetics.flows',
      [{ name: 'api', path: 'api/x', databaseHeavy: true, latencyObjectiveMillis: 100 }],
      'prod.observability.synthetics.flows[0].path: "api/x" is not valid; use an absolute path such as /api/healthz',
    ],
    [
      prod,
      'observability.synthetics.flows',
      [{ name: 'api', path: '/admin/x', databaseHeavy: true, latencyObjectiveMillis: 100 }],
      `prod.observability.synthetics.flows[0].path: "/admin/x" is not served by any Ingress; use a path under one of ${apiPathPrefixes(SERVICE_CATALOG.services).join(', ')}`,
    ],
    [
      prod,
      'observability.synthetics.flows',
      [{ name: 'api', path: '/api/x', databaseHeavy: 'yes', latencyObjectiveMillis: 100 }],
      [
        'prod.observability.synthetics.flows[0].databaseHeavy: "yes" is not a boolean; use true or false',
        'prod.observability.synthetics.flows: has no databaseHeavy flow; outside development one flow must exercise the database (the postmortem asked for it)',
      ],
    ],
    [
      prod,
      'observability.synthetics.flows',
      [{ name: 'api', path: '/api/x', databaseHeavy: true, latencyObjectiveMillis: 0 }],
      'prod.observability.synthetics.flows[0].latencyObjectiveMillis: 0 is not valid; use a whole number of milliseconds, 1..60000',
    ],
    [
      prod,
      'observability.synthetics.flows',
      [{ name: 'api', path: '/api/x', databaseHeavy: false, latencyObjectiveMillis: 100 }],
      'prod.observability.synthetics.flows: has no databaseHeavy flow; outside development one flow must exercise the database (the postmortem asked for it)',
    ],
    [
      prod,
      'database.instanceClass',
      'x2g.huge',
      'prod.database.instanceClass: "x2g.huge" has no memory size in DATABASE_CLASS_MEMORY_GIB (lib/config/observability.ts); add it there, the connections alarm derives max_connections from it',
    ],
  ])('%#: %s.%s = %j is reported, one line per problem', (env, path, value, message) => {
    expect(one(env, path, value)).toEqual(Array.isArray(message) ? message : [message]);
  });

  test('an unknown alarm id in the thresholds names the ids there are', () => {
    const [problem] = problems(prod, 'observability.thresholds.cpu', { warning: 1 });
    expect(problem.path).toBe('prod.observability.thresholds.cpu');
    expect(problem.message).toBe(
      `is not an alarm id; use one of ${ALARM_IDS.filter((id) => !('composite' in ALARM_CATALOG[id])).join(', ')}`,
    );
  });

  test('development may leave paging out, and keep chat without a database-heavy flow', () => {
    expect(validateObservability([withValue(dev, 'observability.pager', undefined)], SERVICE_CATALOG)).toEqual([]);
    const flows = [{ name: 'api', path: '/api/x', databaseHeavy: false, latencyObjectiveMillis: 100 }];
    expect(validateObservability([withValue(dev, 'observability.synthetics.flows', flows)], SERVICE_CATALOG)).toEqual([]);
  });

  test('names derived from a long environment name that overflow AWS limits are reported on the name', () => {
    const long = withValue(dev, 'name', 'development-eu-one');
    expect(validateObservability([long], SERVICE_CATALOG).map((p) => `${p.path}: ${p.message}`)).toContain(
      'development-eu-one.name: makes the canary artifacts bucket name "saas-platform-development-eu-one-canaries-111111111111-eu-west-1" 64 characters long; S3 allows 63, use a shorter environment name',
    );
    const longer = withValue(dev, 'name', 'development-in-eu-one');
    expect(validateObservability([longer], SERVICE_CATALOG).map((p) => p.message)).toContain(
      'makes the ALB name "saas-platform-development-in-eu-one" 35 characters long; the load balancer controller allows 32',
    );
  });

  test('every problem of an environment is reported at once', () => {
    const broken = withValue(withValue(prod, 'observability.containerLogRetentionDays', 2), 'observability.synthetics.scheduleMinutes', 0);
    expect(validateObservability([broken], SERVICE_CATALOG).map((p) => p.path)).toEqual([
      'prod.observability.containerLogRetentionDays',
      'prod.observability.synthetics.scheduleMinutes',
    ]);
  });
});
