/**
 * The catalogues generated from config: every alarm (what it watches, its thresholds per environment
 * and severity, its runbook), and every service (owner, image, traffic, data, secrets, rollout, SLO).
 */
import { ALARM_CATALOG, ALARM_IDS, AlarmKind, RUNBOOKS_PAGE, SEVERITIES } from '../config/observability';
import { PLATFORM_RESOURCES } from '../config/platform-resources';
import { resourceLimits, SERVICE_DEFAULTS, ServiceCatalog, servicesFor } from '../config/service-catalog';
import { serviceNamespace } from '../config/naming';
import { EnvironmentConfig } from '../config/types';
import { code, generatedHeader, relativeLink, table } from './markdown';

/** Path of the alarm catalogue. */
export const ALARMS_PAGE = 'docs/alarms.md';

/** Path of the service catalogue. */
export const SERVICES_PAGE = 'docs/services.md';

/** Thresholds of one alarm id in one environment, by severity, e.g. `critical 95, warning 80`; `none` when it has none. */
export function thresholdsOf(config: EnvironmentConfig, id: string): string {
  const t = (config.observability.thresholds as Record<string, Partial<Record<string, number>>>)[id] ?? {};
  const set = SEVERITIES.filter((s) => t[s] !== undefined).map((s) => `${s} ${t[s]}`);
  return set.length > 0 ? set.join(', ') : 'none';
}

/** The alarm catalogue: every alarm id, what it watches, its thresholds by environment and severity, its runbook. */
export function alarmsPage(environments: readonly EnvironmentConfig[], page: string = ALARMS_PAGE): string {
  return [
    generatedHeader(['lib/config/observability.ts', 'lib/config/environments.ts']),
    '',
    '# Alarm catalogue',
    '',
    'Every CloudWatch alarm of the platform, by id. An alarm is named `<application>-<env>-<id>[-<instance>]-<severity>`;',
    `its description ends with its runbook anchor, \`${RUNBOOKS_PAGE}#<id>\`. A critical alarm pages (the children of a`,
    'composite page through it, once), a warning goes to chat and e-mail, info to dashboards only. A severity an',
    'environment leaves out makes no alarm there ("none": no alarm of that id in that environment).',
    '',
    table(
      ['id', 'watches', 'one per', 'threshold (unit)', ...environments.map((c) => c.name), 'missing data', 'runbook'],
      ALARM_IDS.map((id) => {
        const kind = ALARM_CATALOG[id] as AlarmKind;
        const thresholds = kind.composite ? environments.map(() => 'critical') : environments.map((c) => thresholdsOf(c, id));
        const unit = kind.composite ? 'any child in ALARM' : `${kind.below ? 'below' : 'at or above'}, ${kind.unit}`;
        return [
          code(id),
          kind.title,
          kind.per,
          unit,
          ...thresholds,
          `${kind.missingData}: ${kind.missingDataWhy}`,
          `[${id}](${relativeLink(page, RUNBOOKS_PAGE, id)})`,
        ];
      }),
    ),
    '',
  ].join('\n');
}

/** The service catalogue: one row per service, then what differs per environment. */
export function servicesPage(catalog: ServiceCatalog, environments: readonly EnvironmentConfig[], page: string = SERVICES_PAGE): string {
  const services = catalog.services;
  return [
    generatedHeader(['lib/config/service-catalog.ts', 'lib/config/platform-resources.ts']),
    '',
    '# Service catalogue',
    '',
    'Every service the platform runs, as `lib/config/service-catalog.ts` declares it (defaults of left-out fields',
    'applied). What an entry produces in Kubernetes and AWS: [deployment standards](k8s/deployment-standards.md).',
    '',
    table(
      ['service', 'team', 'namespace', 'image (ECR repository:tag)', 'port', 'public path', 'calls', 'rollout', 'SLO'],
      services.map((s) => [
        code(s.name),
        s.team,
        serviceNamespace(s),
        code(`${s.image.repository}:${s.image.tag}`),
        String(s.port),
        s.ingress ? code(s.ingress.pathPrefix) : 'none (in-cluster only)',
        (s.calls ?? []).map(code).join(', ') || 'none',
        s.rollout.strategy === 'canary'
          ? `canary ${s.rollout.steps.map((x) => `${x.weightPercent}%${x.analysis ? ' (analysis)' : ''}`).join(' → ')}`
          : s.rollout.strategy,
        `${s.slo.availabilityPercent}%, p95 ${s.slo.latencyP95Millis} ms${s.slo.latencyP99Millis ? `, p99 ${s.slo.latencyP99Millis} ms` : ''}`,
      ]),
    ),
    '',
    '## What each service uses',
    '',
    table(
      ['service', 'database', 'AWS resources', 'secrets', 'Kubernetes API', 'priority', 'drain (preStop / grace)'],
      services.map((s) => [
        code(s.name),
        s.database ? 'own IAM user and schema, through the RDS Proxy' : 'no',
        (s.aws ?? []).map((r) => `${code(r)}: ${PLATFORM_RESOURCES[r].description}`).join('\n') || 'none',
        (s.secrets ?? []).map(code).join(', ') || 'none',
        s.kubernetesApi ? 'yes' : 'no',
        s.priority ?? 'standard',
        `${s.drain?.preStopSleepSeconds ?? SERVICE_DEFAULTS.preStopSleepSeconds} s / ${s.drain?.terminationGracePeriodSeconds ?? SERVICE_DEFAULTS.terminationGracePeriodSeconds} s`,
      ]),
    ),
    '',
    '## Size per environment',
    '',
    'Replicas (min..max) and CPU / memory request (limit), after `SERVICE_OVERRIDES`.',
    '',
    table(
      ['service', ...environments.map((c) => c.name)],
      services.map((s) => [
        code(s.name),
        ...environments.map((c) => {
          const e = servicesFor(c.name, catalog).find((x) => x.name === s.name)!;
          const limits = resourceLimits(e.resources);
          return `${e.scaling.minReplicas}..${e.scaling.maxReplicas}, ${e.resources.cpuMillis}m (${limits.cpuMillis}m) / ${e.resources.memoryMiB} (${limits.memoryMiB}) MiB, tag ${e.image.tag}`;
        }),
      ]),
    ),
    '',
    '## Secrets',
    '',
    table(
      ['secret', 'what', 'value set by', 'read by'],
      Object.entries(catalog.secrets).map(([name, spec]) => [
        code(name),
        spec.description,
        spec.rotation ? `the platform (${spec.rotation}, rotated on a schedule)` : 'its owners (`put-secret-value`)',
        services
          .filter((s) => (s.secrets ?? []).includes(name))
          .map((s) => code(s.name))
          .join(', ') || 'nobody',
      ]),
    ),
    '',
    `How secrets reach pods and rotate: [secrets management](${relativeLink(page, 'docs/security/secrets-management.md')}).`,
    '',
  ].join('\n');
}
