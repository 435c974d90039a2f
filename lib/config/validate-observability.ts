/**
 * Validation of the alerting and monitoring settings: the chat workspaces and the channels of each
 * severity, paging and escalation tiers, thresholds by severity, container log retention, the
 * synthetic flows (whose paths must be served by some Ingress of the catalog), and what the alarms
 * derive from other settings (the database class's memory, the ALB name's length). Pure; every
 * problem at once, in the `{ path, message }` shape of the other validators. Input that is not an
 * environment object is left to `validateEnvironments`.
 */
import { apiPathPrefixes, matchesIngressPrefix } from './edge-routes';
import { MAX_BUCKET_NAME_LENGTH } from './edge-names';
import { albName, canaryArtifactsBucketName, canaryName, MAX_ALB_NAME_LENGTH, MAX_CANARY_NAME_LENGTH } from './observability-names';
import { ALARM_CATALOG, ALARM_IDS, AlarmKind, DATABASE_CLASS_MEMORY_GIB, SEVERITIES } from './observability';
import { LOG_RETENTION_DAYS } from './regions';
import type { ConfigProblem } from './validate';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (v === undefined ? 'missing' : JSON.stringify(v));

const SLACK_WORKSPACE = /^[0-9A-Z]{1,255}$/;
const SLACK_CHANNEL = /^[CG][A-Z0-9]{8,12}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TEAMS_CHANNEL = /^[A-Za-z0-9\-_=+/.,]*%3[aA][A-Za-z0-9\-_=+/.,]*%40thread\.tacv2$/;
const TIER_NAME = /^[a-z][a-z0-9-]{0,30}$/;
const FLOW_NAME = /^[a-z][a-z0-9-]{0,30}$/;
const E164 = /^\+[1-9][0-9]{6,14}$/;
const HTTP_PATH = /^\/[A-Za-z0-9._~/-]*$/;
const TIER_KINDS = ['pagerduty', 'sms'];

/** The public path prefixes of a catalog, longest first (malformed entries are `validateServices`'s to report). */
const ingressPrefixes = (catalog: unknown): string[] => {
  if (!isObj(catalog) || !Array.isArray(catalog.services)) return [];
  return apiPathPrefixes(
    catalog.services.flatMap((s) =>
      isObj(s) && isObj(s.ingress) && typeof s.ingress.pathPrefix === 'string' ? [{ ingress: { pathPrefix: s.ingress.pathPrefix } }] : [],
    ),
  );
};

/** Every problem of the observability settings of the environments, against the catalog's Ingress paths. */
export function validateObservability(environments: unknown, catalog: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const prefixes = ingressPrefixes(catalog);
  for (const env of Array.isArray(environments) ? environments.filter(isObj) : []) {
    if (typeof env.name !== 'string') continue;
    const report = (path: string, message: string) => problems.push({ path: `${env.name}.${path}`, message });
    const production = env.tier === 'staging' || env.tier === 'production';
    const obs = env.observability;
    if (!isObj(obs)) {
      report('observability', `${show(obs)} is not an object; give { chat, pager, thresholds, containerLogRetentionDays, synthetics }`);
      continue;
    }
    checkChannels(report, obs, env.alerts);
    checkPager(report, obs.pager, production ? String(env.tier) : undefined);
    checkThresholds(report, obs.thresholds);
    if (typeof obs.containerLogRetentionDays !== 'number' || !LOG_RETENTION_DAYS.includes(obs.containerLogRetentionDays)) {
      report(
        'observability.containerLogRetentionDays',
        `${show(obs.containerLogRetentionDays)} is not a CloudWatch Logs retention; use one of ${LOG_RETENTION_DAYS.join(', ')}`,
      );
    }
    checkSynthetics(report, obs.synthetics, env.name, production, prefixes);
    const instanceClass = isObj(env.database) ? env.database.instanceClass : undefined;
    if (typeof instanceClass === 'string' && DATABASE_CLASS_MEMORY_GIB[instanceClass] === undefined) {
      report(
        'database.instanceClass',
        `"${instanceClass}" has no memory size in DATABASE_CLASS_MEMORY_GIB (lib/config/observability.ts); add it there, the connections alarm derives max_connections from it`,
      );
    }
    const alb = albName(env.name);
    if (alb.length > MAX_ALB_NAME_LENGTH) {
      report(
        'name',
        `makes the ALB name "${alb}" ${alb.length} characters long; the load balancer controller allows ${MAX_ALB_NAME_LENGTH}`,
      );
    }
    if (typeof env.account === 'string' && typeof env.region === 'string') {
      const bucket = canaryArtifactsBucketName(env.name, env.account, env.region);
      if (bucket.length > MAX_BUCKET_NAME_LENGTH) {
        report(
          'name',
          `makes the canary artifacts bucket name "${bucket}" ${bucket.length} characters long; S3 allows ${MAX_BUCKET_NAME_LENGTH}, use a shorter environment name`,
        );
      }
    }
  }
  return problems;
}

type Report = (path: string, message: string) => void;

/** Chat workspaces, and each severity's channels against them; `info` reaches nobody. */
function checkChannels(report: Report, obs: Obj, alerts: unknown): void {
  const chat = isObj(obs.chat) ? obs.chat : undefined;
  if (!chat) report('observability.chat', `${show(obs.chat)} is not an object; give {} or { slack, teams }`);
  const slack = chat && isObj(chat.slack) ? chat.slack : undefined;
  const teams = chat && isObj(chat.teams) ? chat.teams : undefined;
  if (chat?.slack !== undefined && !(slack && typeof slack.workspaceId === 'string' && SLACK_WORKSPACE.test(slack.workspaceId))) {
    report(
      'observability.chat.slack.workspaceId',
      `${show(slack?.workspaceId)} is not valid; use the workspace ID the Chatbot console shows, such as T0123ABCD45`,
    );
  }
  if (chat?.teams !== undefined) {
    for (const key of ['tenantId', 'teamId']) {
      const v = teams?.[key];
      if (typeof v !== 'string' || !GUID.test(v)) {
        report(
          `observability.chat.teams.${key}`,
          `${show(v)} is not valid; use a lower-case GUID such as 00000000-0000-0000-0000-000000000000`,
        );
      }
    }
  }
  if (!isObj(alerts)) return;
  for (const severity of SEVERITIES) {
    const channel = alerts[severity];
    if (!isObj(channel)) continue;
    const at = `alerts.${severity}`;
    if (severity === 'info') {
      for (const key of ['emails', 'slackChannelId', 'teamsChannelId']) {
        const v = channel[key];
        if (v !== undefined && !(Array.isArray(v) && v.length === 0)) {
          report(`${at}.${key}`, `${show(v)} is not allowed; info alerts are for dashboards only, make the alarm a warning to be told`);
        }
      }
      continue;
    }
    // The channel ID's form is `validateEnvironments`'s to check; here, that it has a workspace.
    if (typeof channel.slackChannelId === 'string' && SLACK_CHANNEL.test(channel.slackChannelId) && !slack) {
      report(`${at}.slackChannelId`, `needs observability.chat.slack; give the Slack workspace ID, or remove the channel`);
    }
    if (channel.teamsChannelId !== undefined) {
      if (typeof channel.teamsChannelId !== 'string' || !TEAMS_CHANNEL.test(channel.teamsChannelId)) {
        report(
          `${at}.teamsChannelId`,
          `${show(channel.teamsChannelId)} is not valid; use the URL-encoded channel ID from the channel link, such as 19%3a0123456789abcdef%40thread.tacv2`,
        );
      } else if (!teams) {
        report(`${at}.teamsChannelId`, `needs observability.chat.teams; give the Teams tenant and team IDs, or remove the channel`);
      }
    }
  }
}

/** The escalation tiers: required outside development, first one PagerDuty, names unique, numbers for texts. */
function checkPager(report: Report, pager: unknown, strictTier: string | undefined): void {
  if (pager === undefined) {
    if (strictTier) report('observability.pager', `missing is not allowed in ${strictTier}; critical alerts must page someone`);
    return;
  }
  const tiers = isObj(pager) ? pager.tiers : undefined;
  if (!Array.isArray(tiers) || tiers.length === 0) {
    report('observability.pager.tiers', `${show(tiers)} is not a list of tiers; give at least one, the first of kind pagerduty`);
    return;
  }
  const seen = new Set<string>();
  tiers.forEach((tier, i) => {
    const at = `observability.pager.tiers[${i}]`;
    if (!isObj(tier)) {
      report(at, `${show(tier)} is not a tier; give { name, kind, ackTimeoutMinutes }`);
      return;
    }
    if (typeof tier.name !== 'string' || !TIER_NAME.test(tier.name)) {
      report(`${at}.name`, `${show(tier.name)} is not valid; use lower-case letters, digits and -, starting with a letter (up to 31)`);
    } else if (seen.has(tier.name)) {
      report(`${at}.name`, `"${tier.name}" is used by an earlier tier; tier names name secrets and states, use another`);
    } else {
      seen.add(tier.name);
    }
    if (typeof tier.kind !== 'string' || !TIER_KINDS.includes(tier.kind)) {
      report(`${at}.kind`, `${show(tier.kind)} is not allowed; use one of ${TIER_KINDS.join(', ')}`);
    } else if (i === 0 && tier.kind !== 'pagerduty') {
      report(
        `${at}.kind`,
        `"${tier.kind}" is not allowed for the first tier; it must be pagerduty, whose incident says whether the alert was acknowledged`,
      );
    }
    const minutes = tier.ackTimeoutMinutes;
    if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
      report(`${at}.ackTimeoutMinutes`, `${show(minutes)} is not valid; use a whole number of minutes, 1..1440`);
    }
    const phones = tier.phoneNumbers;
    if (tier.kind === 'sms') {
      if (!Array.isArray(phones) || phones.length === 0) {
        report(
          `${at}.phoneNumbers`,
          `${show(phones)} is not a list of numbers; an sms tier texts at least one E.164 number such as +15555550100`,
        );
      } else {
        phones.forEach((p, j) => {
          if (typeof p !== 'string' || !E164.test(p))
            report(`${at}.phoneNumbers[${j}]`, `${show(p)} is not an E.164 number such as +15555550100`);
        });
      }
    } else if (phones !== undefined) {
      report(`${at}.phoneNumbers`, `is only for sms tiers; a pagerduty tier is paged through its routing key, remove the numbers`);
    }
  });
}

/** Every thresholded alarm id has thresholds by severity, positive, ordered by severity the way the alarm fires. */
function checkThresholds(report: Report, thresholds: unknown): void {
  const at = 'observability.thresholds';
  if (!isObj(thresholds)) {
    report(at, `${show(thresholds)} is not an object; give the thresholds by alarm id and severity`);
    return;
  }
  const ids = ALARM_IDS.filter((id) => !(ALARM_CATALOG[id] as AlarmKind).composite) as string[];
  for (const key of Object.keys(thresholds)) {
    if (!ids.includes(key)) report(`${at}.${key}`, `is not an alarm id; use one of ${ids.join(', ')}`);
  }
  for (const id of ids) {
    const kind = ALARM_CATALOG[id as keyof typeof ALARM_CATALOG] as AlarmKind;
    const levels = thresholds[id];
    if (!isObj(levels)) {
      report(`${at}.${id}`, `${show(levels)} is not an object; give thresholds by severity, e.g. { warning: 1 }, or {} for no alarm`);
      continue;
    }
    const valid: [string, number][] = [];
    for (const [severity, value] of Object.entries(levels)) {
      if (!(SEVERITIES as readonly string[]).includes(severity)) {
        report(`${at}.${id}.${severity}`, `is not a severity; use ${SEVERITIES.join(', ')}`);
      } else if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (kind.unit.startsWith('%') && value > 100)) {
        report(
          `${at}.${id}.${severity}`,
          `${show(value)} is not valid; use a number above 0${kind.unit.startsWith('%') ? ' and at most 100' : ''} (${kind.unit})`,
        );
      } else {
        valid.push([severity, value]);
      }
    }
    // Most urgent first: each level must be at least as far past the line as the one below it.
    const ordered = SEVERITIES.flatMap((s) => valid.filter(([v]) => v === s));
    for (let i = 1; i < ordered.length; i++) {
      const [higher, h] = ordered[i - 1];
      const [lower, l] = ordered[i];
      if (kind.below ? h > l : h < l) {
        report(
          `${at}.${id}.${higher}`,
          `${h} is ${kind.below ? 'above' : 'below'} the ${lower} threshold ${l}; a ${higher} alarm fires ${kind.below ? 'below' : 'above'} the ${lower} one (${kind.unit})`,
        );
      }
    }
  }
}

/** The synthetic flows: names fit a canary name, paths served by an Ingress, one database-heavy flow outside development. */
function checkSynthetics(
  report: Report,
  synthetics: unknown,
  environmentName: string,
  production: boolean,
  prefixes: readonly string[],
): void {
  const at = 'observability.synthetics';
  if (!isObj(synthetics)) {
    report(at, `${show(synthetics)} is not an object; give { scheduleMinutes, artifactRetentionDays, flows }`);
    return;
  }
  const schedule = synthetics.scheduleMinutes;
  if (typeof schedule !== 'number' || !Number.isInteger(schedule) || schedule < 1 || schedule > 60) {
    report(`${at}.scheduleMinutes`, `${show(schedule)} is not valid; use a whole number of minutes, 1..60`);
  }
  const retention = synthetics.artifactRetentionDays;
  if (typeof retention !== 'number' || !Number.isInteger(retention) || retention < 1 || retention > 455) {
    report(`${at}.artifactRetentionDays`, `${show(retention)} is not valid; use a whole number of days, 1..455`);
  }
  const flows = synthetics.flows;
  if (!Array.isArray(flows) || flows.length === 0) {
    report(`${at}.flows`, `${show(flows)} is not a list of flows; give at least one API flow to request`);
    return;
  }
  const seen = new Set<string>();
  flows.forEach((flow, i) => {
    const f = `${at}.flows[${i}]`;
    if (!isObj(flow)) {
      report(f, `${show(flow)} is not a flow; give { name, path, databaseHeavy, latencyObjectiveMillis }`);
      return;
    }
    if (typeof flow.name !== 'string' || !FLOW_NAME.test(flow.name)) {
      report(`${f}.name`, `${show(flow.name)} is not valid; use lower-case letters, digits and -, starting with a letter`);
    } else if (seen.has(flow.name)) {
      report(`${f}.name`, `"${flow.name}" is used by an earlier flow; use another`);
    } else {
      seen.add(flow.name);
      const canary = canaryName(environmentName, flow.name);
      if (canary.length > MAX_CANARY_NAME_LENGTH) {
        report(
          `${f}.name`,
          `makes the canary name "${canary}" ${canary.length} characters long; use a name that keeps it within ${MAX_CANARY_NAME_LENGTH}`,
        );
      }
    }
    if (typeof flow.path !== 'string' || !HTTP_PATH.test(flow.path)) {
      report(`${f}.path`, `${show(flow.path)} is not valid; use an absolute path such as /api/healthz`);
    } else if (prefixes.length > 0 && !prefixes.some((p) => matchesIngressPrefix(p, flow.path as string))) {
      report(`${f}.path`, `"${flow.path}" is not served by any Ingress; use a path under one of ${prefixes.join(', ')}`);
    }
    if (typeof flow.databaseHeavy !== 'boolean')
      report(`${f}.databaseHeavy`, `${show(flow.databaseHeavy)} is not a boolean; use true or false`);
    const objective = flow.latencyObjectiveMillis;
    if (typeof objective !== 'number' || !Number.isInteger(objective) || objective < 1 || objective > 60_000) {
      report(`${f}.latencyObjectiveMillis`, `${show(objective)} is not valid; use a whole number of milliseconds, 1..60000`);
    }
  });
  if (production && !flows.some((flow) => isObj(flow) && flow.databaseHeavy === true)) {
    report(
      `${at}.flows`,
      'has no databaseHeavy flow; outside development one flow must exercise the database (the postmortem asked for it)',
    );
  }
}
