/**
 * The two PagerDuty APIs the alerting path calls, over `fetch` (no client library):
 *
 * - Events API v2 (`POST https://events.pagerduty.com/v2/enqueue`, authenticated by the routing
 *   key in the body) to trigger and resolve an alert; PagerDuty de-duplicates by `dedup_key`
 *   (PagerDuty developer docs, "Events API v2 Overview", "Send an Alert Event");
 * - REST API v2 (`GET https://api.pagerduty.com/incidents?incident_key=...`, header
 *   `Authorization: Token token=<key>`) to read whether the incident of a `dedup_key` was
 *   acknowledged (PagerDuty API reference, "List incidents": `incident_key`, `statuses[]`).
 *
 * Keys are never logged and never part of an error message.
 */

/** Events API v2 endpoint. */
export const EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** REST API v2 base URL. */
export const REST_URL = 'https://api.pagerduty.com';

/** The `fetch` the functions use (replaced in tests). */
export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** An alert as PagerDuty's Events API v2 takes it. */
export interface PagerDutyAlert {
  /** Groups the events of one alert into one incident (the alarm's ARN). */
  readonly dedupKey: string;
  /** One line, at most 1024 characters. */
  readonly summary: string;
  /** Where it comes from, e.g. the alarm's account and region. */
  readonly source: string;
  /** Extra fields shown on the incident. */
  readonly details: Readonly<Record<string, unknown>>;
}

/** What an incident of a `dedup_key` is at: `none` when PagerDuty has none. */
export type IncidentStatus = 'none' | 'triggered' | 'acknowledged' | 'resolved';

/** Longest summary the Events API accepts. */
const MAX_SUMMARY = 1024;

/** Trigger (or resolve) the alert on the service of `routingKey`. Throws on any answer but 202. */
export async function sendEvent(fetchFn: Fetch, routingKey: string, action: 'trigger' | 'resolve', alert: PagerDutyAlert): Promise<void> {
  const body =
    action === 'trigger'
      ? {
          routing_key: routingKey,
          event_action: 'trigger',
          dedup_key: alert.dedupKey,
          payload: {
            summary: alert.summary.slice(0, MAX_SUMMARY),
            source: alert.source,
            severity: 'critical',
            custom_details: alert.details,
          },
        }
      : { routing_key: routingKey, event_action: 'resolve', dedup_key: alert.dedupKey };
  const response = await fetchFn(EVENTS_URL, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 202) {
    throw new Error(`PagerDuty Events API answered ${response.status} to ${action} of ${alert.dedupKey}`);
  }
}

const RANK: Record<IncidentStatus, number> = { none: 0, triggered: 1, acknowledged: 2, resolved: 3 };

/**
 * The most advanced status of the incidents of `dedupKey` (an escalated alert may have one per
 * tier's service): acknowledged or resolved anywhere means someone has it. Throws when the REST
 * API does not answer 200 (the caller decides what an unknown status means).
 */
export async function incidentStatus(fetchFn: Fetch, apiToken: string, dedupKey: string): Promise<IncidentStatus> {
  const query = new URLSearchParams([
    ['incident_key', dedupKey],
    ['statuses[]', 'triggered'],
    ['statuses[]', 'acknowledged'],
    ['statuses[]', 'resolved'],
  ]);
  const response = await fetchFn(`${REST_URL}/incidents?${query.toString()}`, {
    method: 'GET',
    headers: { Authorization: `Token token=${apiToken}`, Accept: 'application/json' },
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 200) throw new Error(`PagerDuty REST API answered ${response.status} for the incident of ${dedupKey}`);
  const body = (await response.json()) as { incidents?: { status?: string }[] };
  let status: IncidentStatus = 'none';
  for (const incident of body.incidents ?? []) {
    const s = incident.status as IncidentStatus;
    if (s in RANK && RANK[s] > RANK[status]) status = s;
  }
  return status;
}
