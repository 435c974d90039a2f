import { EVENTS_URL, incidentStatus, REST_URL, sendEvent } from '../../../lib/functions/alerting/pagerduty';
import { recordingFetch } from './fixtures';

const ALERT = {
  dedupKey: 'arn:aws:cloudwatch:eu-west-1:1:alarm:a',
  summary: 'a: broken',
  source: '1/eu-west-1',
  details: { tier: 'primary' },
};

describe('sendEvent (Events API v2)', () => {
  test('a trigger carries the routing key, the dedup key and a critical payload', async () => {
    const { fetch, calls } = recordingFetch();
    await sendEvent(fetch, 'routing-key-1', 'trigger', ALERT);
    expect(calls[0].url).toBe(EVENTS_URL);
    expect(calls[0].init?.method).toBe('POST');
    expect(calls[0].body).toEqual({
      routing_key: 'routing-key-1',
      event_action: 'trigger',
      dedup_key: ALERT.dedupKey,
      payload: { summary: 'a: broken', source: '1/eu-west-1', severity: 'critical', custom_details: { tier: 'primary' } },
    });
  });

  test('a resolve carries only the key and the dedup key', async () => {
    const { fetch, calls } = recordingFetch();
    await sendEvent(fetch, 'k', 'resolve', ALERT);
    expect(calls[0].body).toEqual({ routing_key: 'k', event_action: 'resolve', dedup_key: ALERT.dedupKey });
  });

  test('the summary is cut to the 1024 characters PagerDuty accepts', async () => {
    const { fetch, calls } = recordingFetch();
    await sendEvent(fetch, 'k', 'trigger', { ...ALERT, summary: 'x'.repeat(2000) });
    expect((calls[0].body?.payload as { summary: string }).summary).toHaveLength(1024);
  });

  test('any answer but 202 throws, without the routing key in the message', async () => {
    const { fetch } = recordingFetch(() => new Response('{"status":"invalid event"}', { status: 400 }));
    const error = await sendEvent(fetch, 'secret-routing-key', 'trigger', ALERT).catch((e: Error) => e);
    expect((error as Error).message).toBe(`PagerDuty Events API answered 400 to trigger of ${ALERT.dedupKey}`);
    expect((error as Error).message).not.toContain('secret-routing-key');
  });
});

describe('incidentStatus (REST API v2)', () => {
  const answering = (incidents: { status: string }[], status = 200) =>
    recordingFetch(() => new Response(JSON.stringify({ incidents }), { status }));

  test('asks for the incidents of the dedup key with the API token', async () => {
    const { fetch, calls } = answering([]);
    await incidentStatus(fetch, 'api-token', 'arn:aws:cloudwatch:eu-west-1:1:alarm:a');
    const url = new URL(calls[0].url);
    expect(`${url.origin}${url.pathname}`).toBe(`${REST_URL}/incidents`);
    expect(url.searchParams.get('incident_key')).toBe('arn:aws:cloudwatch:eu-west-1:1:alarm:a');
    expect(url.searchParams.getAll('statuses[]')).toEqual(['triggered', 'acknowledged', 'resolved']);
    expect(calls[0].init?.headers).toEqual({ Authorization: 'Token token=api-token', Accept: 'application/json' });
  });

  test.each([
    [[], 'none'],
    [[{ status: 'triggered' }], 'triggered'],
    [[{ status: 'triggered' }, { status: 'acknowledged' }], 'acknowledged'],
    [[{ status: 'resolved' }, { status: 'triggered' }], 'resolved'],
    [[{ status: 'weird' }], 'none'],
  ])('incidents %j are %s (the most advanced one wins: one tier acknowledging is enough)', async (incidents, expected) => {
    expect(await incidentStatus(answering(incidents).fetch, 't', 'k')).toBe(expected);
  });

  test('a body without incidents is none', async () => {
    const { fetch } = recordingFetch(() => new Response('{}', { status: 200 }));
    expect(await incidentStatus(fetch, 't', 'k')).toBe('none');
  });

  test('any answer but 200 throws, without the token', async () => {
    const error = await incidentStatus(answering([], 401).fetch, 'api-token', 'k').catch((e: Error) => e);
    expect((error as Error).message).toBe('PagerDuty REST API answered 401 for the incident of k');
  });
});
