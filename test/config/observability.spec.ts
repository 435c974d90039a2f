import * as fs from 'fs';
import * as path from 'path';
import { configProblems } from '../../bin/config-input';
import { ENVIRONMENTS, prod } from '../../lib/config/environments';
import { clusterName, ingressGroupName, secretsManagerName } from '../../lib/config/naming';
import {
  ALARM_CATALOG,
  ALARM_IDS,
  AlarmKind,
  DATABASE_CLASS_MEMORY_GIB,
  postgresMaxConnections,
  runbookAnchor,
  SEVERITIES,
} from '../../lib/config/observability';
import {
  albName,
  albStackTags,
  albTargetGroupResourceId,
  alertRouterFunctionName,
  alertTopicArn,
  alertTopicName,
  canaryArtifactsBucketName,
  canaryName,
  CONTAINER_INSIGHTS_LOG_KINDS,
  containerInsightsLogGroupName,
  escalationTierTopicName,
  pagerDutyApiTokenSecretName,
  pagerDutyRoutingKeySecretName,
  webAclMetricName,
} from '../../lib/config/observability-names';
import { SERVICE_CATALOG } from '../../lib/config/service-catalog';
import { withValue } from '../helpers';

describe('the alarm catalogue', () => {
  test('ids are lower-case anchors, unique, each with a runbook link on docs/runbooks.md', () => {
    expect(new Set(ALARM_IDS).size).toBe(ALARM_IDS.length);
    for (const id of ALARM_IDS) {
      expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(runbookAnchor(id)).toBe(`docs/runbooks.md#${id}`);
    }
  });

  test('every kind says how it treats missing data and why', () => {
    for (const kind of Object.values(ALARM_CATALOG) as AlarmKind[]) {
      expect(['breaching', 'notBreaching', 'ignore', 'missing']).toContain(kind.missingData);
      expect(kind.missingDataWhy.length).toBeGreaterThan(20);
    }
  });

  test.each(ENVIRONMENTS.map((c) => [c.name, c] as const))('%s: thresholds exist for exactly the non-composite kinds', (_, config) => {
    const thresholded = ALARM_IDS.filter((id) => !(ALARM_CATALOG[id] as AlarmKind).composite);
    expect(Object.keys(config.observability.thresholds).sort()).toEqual([...thresholded].sort());
    for (const levels of Object.values(config.observability.thresholds)) {
      for (const severity of Object.keys(levels)) expect(SEVERITIES).toContain(severity);
    }
  });

  test('the brief asks for an ALB 5xx rate alarm above 1% that pages, and node CPU above 90%', () => {
    for (const config of ENVIRONMENTS) {
      expect(config.observability.thresholds['alb-5xx-rate'].critical).toBe(1);
      expect(config.observability.thresholds['node-cpu'].warning).toBe(90);
    }
  });
});

describe('postgresMaxConnections', () => {
  test.each([
    [4, 450],
    [16, 1802],
    [32, 3604],
    [64, 5000],
  ])('%i GiB gives LEAST(memory/9531392, 5000) = %i', (memory, expected) => {
    expect(postgresMaxConnections(memory)).toBe(expected);
  });

  test('every environment database class has a memory size', () => {
    for (const config of ENVIRONMENTS) expect(DATABASE_CLASS_MEMORY_GIB[config.database.instanceClass]).toBeGreaterThan(0);
  });
});

describe('observability names', () => {
  test('topics, router, tiers and alarms are named under the application and environment', () => {
    expect(alertTopicName('prod', 'critical')).toBe('saas-platform-prod-alerts-critical');
    expect(alertTopicName('prod', 'warning', 'global')).toBe('saas-platform-prod-alerts-warning-global');
    expect(alertTopicArn('prod', 'critical', 'global', '333333333333', 'us-east-1')).toBe(
      'arn:aws:sns:us-east-1:333333333333:saas-platform-prod-alerts-critical-global',
    );
    expect(alertRouterFunctionName('prod')).toBe('saas-platform-prod-alert-router');
    expect(escalationTierTopicName('prod', 'duty-manager')).toBe('saas-platform-prod-escalation-duty-manager');
  });

  test('the PagerDuty secrets live under the prefix External Secrets may read (secretsManagerName)', () => {
    expect(pagerDutyRoutingKeySecretName('prod', 'primary')).toBe('saas-platform/prod/alerting/pagerduty-primary-routing-key');
    expect(pagerDutyApiTokenSecretName('prod')).toBe('saas-platform/prod/alerting/pagerduty-api-token');
    expect(pagerDutyRoutingKeySecretName('prod', 'primary').startsWith(secretsManagerName('prod', ''))).toBe(true);
  });

  test("the container log groups are the add-on's names under the cluster", () => {
    expect(CONTAINER_INSIGHTS_LOG_KINDS.map((k) => containerInsightsLogGroupName('prod', k))).toEqual([
      `/aws/containerinsights/${clusterName('prod')}/application`,
      `/aws/containerinsights/${clusterName('prod')}/host`,
      `/aws/containerinsights/${clusterName('prod')}/dataplane`,
      `/aws/containerinsights/${clusterName('prod')}/performance`,
    ]);
  });

  test("the ALB is found by the controller's tags: the cluster's name and the IngressGroup's", () => {
    expect(albStackTags('prod')).toEqual({ cluster: clusterName('prod'), stack: ingressGroupName('prod') });
    expect(albTargetGroupResourceId('apps', 'web-api', 'web-api', 8080)).toBe('apps/web-api-web-api:8080');
    expect(albName('prod')).toBe('saas-platform-prod');
  });

  test('canaries, their bucket and the WebACL metric name', () => {
    expect(canaryName('prod', 'api-db-read')).toBe('prod-api-db-read');
    expect(canaryArtifactsBucketName('prod', '333333333333', 'eu-west-1')).toBe('saas-platform-prod-canaries-333333333333-eu-west-1');
    expect(webAclMetricName('saas-platform-prod-regional')).toBe('saas-platform-prod-regional-all');
  });
});

describe('configuration input', () => {
  test('observability problems are part of every config problem list', () => {
    const broken = withValue(prod, 'observability.synthetics.scheduleMinutes', 0);
    expect(configProblems([broken], SERVICE_CATALOG)).toContainEqual({
      path: 'prod.observability.synthetics.scheduleMinutes',
      message: '0 is not valid; use a whole number of minutes, 1..60',
    });
  });

  test('the generated alarm catalogue (docs/alarms.md) links every alarm id to its runbook anchor', () => {
    const page = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'alarms.md'), 'utf8');
    // (a link relative to the page, as GitHub resolves it; test/docs/links.test.ts checks that the anchor exists)
    for (const id of ALARM_IDS) expect(page).toContain(`](runbooks.md#${id})`);
  });
});
