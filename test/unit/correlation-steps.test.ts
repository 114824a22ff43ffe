import { describe, expect, it } from 'vitest';
import { alertSchema } from '#core/alerts/alert.ts';
import { CORRELATION_DETECTIONS, MEETING_NOT_READY, type MeetingEndedInput } from '#core/correlate/contract.ts';
import { executionName } from '#core/correlate/execution-name.ts';
import { notReadyDelayMs } from '#core/correlate/not-ready.ts';
import { meetingEndedInput } from '#core/correlate/start.ts';
import { dataAccessSql } from '#core/correlate/steps/correlate.ts';
import { countryOf } from '#core/correlate/steps/exposure.ts';
import { fetchDetails } from '#core/correlate/steps/fetch-details.ts';
import { fetchParticipants } from '#core/correlate/steps/fetch-participants.ts';
import { participantsUnavailable } from '#core/correlate/steps/participants-unavailable.ts';
import { raiseAlerts } from '#core/correlate/steps/raise-alerts.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import { parseEnvelope } from '#core/webhook/envelope.ts';
import { ZoomAuthError, ZoomNotFoundError, ZoomPlanError, ZoomScopeError, ZoomServerError } from '#core/zoom/errors.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { ScriptedZoomApi, reportItem, type ScriptedAnswer } from '../support/correlation-fakes.ts';
import { MemoryAlertDelivery } from '../support/memory-alert-delivery.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';
import { REGISTRY } from '../support/registry.ts';

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const INPUT: MeetingEndedInput = {
  meeting_uuid: '/ab//c+d==',
  meeting_id: '88100000001',
  host_id: 'host-1',
  topic: 'Board prep',
  start_time: '2026-11-20T10:00:00.000Z',
  end_time: '2026-11-20T11:00:00.000Z',
};
const notFound = (message: string) => new ZoomNotFoundError(message, { status: 404, code: 3001, endpoint: 'api' });

function fetchDeps(script: ConstructorParameters<typeof ScriptedZoomApi>[0]) {
  const clock = new FakeClock(NOW);
  const store = new MemoryObjectStore();
  const api = new ScriptedZoomApi(script);
  return {
    api,
    store,
    deps: { api, newWriter: () => new LakeWriter({ store, clock, newId: () => String(store.objects.size), writerId: 'correlation' }) },
  };
}

describe('executionName', () => {
  it.each(['/ab//c+d==', 'plainUUID1234567890==', 'x'.repeat(500), ''])('is a valid, stable Step Functions name for %j', (uuid) => {
    const name = executionName(uuid);
    expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(executionName(uuid)).toBe(name);
  });

  it('differs between instances', () => {
    expect(executionName('a==')).not.toBe(executionName('b=='));
  });
});

describe('meetingEndedInput', () => {
  const body = (event: string, object: Record<string, unknown>, eventTs: number | null = Date.UTC(2026, 10, 20, 11, 0, 5)) =>
    parseEnvelope(JSON.stringify({ event, ...(eventTs === null ? {} : { event_ts: eventTs }), payload: { account_id: 'acc', object } }));
  it.each([
    [
      'a full meeting.ended',
      body('meeting.ended', {
        id: 88100000001,
        uuid: 'u1==',
        host_id: 'h1',
        topic: 'Sync',
        start_time: '2026-11-20T10:00:00Z',
        end_time: '2026-11-20T11:00:00Z',
      }),
      {
        meeting_uuid: 'u1==',
        meeting_id: '88100000001',
        host_id: 'h1',
        topic: 'Sync',
        start_time: '2026-11-20T10:00:00.000Z',
        end_time: '2026-11-20T11:00:00.000Z',
      },
    ],
    [
      'no end_time: the event time',
      body('meeting.ended', { uuid: 'u2==', start_time: '2026-11-20T10:00:00Z' }),
      {
        meeting_uuid: 'u2==',
        meeting_id: null,
        host_id: null,
        topic: null,
        start_time: '2026-11-20T10:00:00.000Z',
        end_time: '2026-11-20T11:00:05.000Z',
      },
    ],
    [
      'no end_time nor event_ts: the receive time',
      body('meeting.ended', { uuid: 'u3==' }, null),
      { meeting_uuid: 'u3==', meeting_id: null, host_id: null, topic: null, start_time: null, end_time: new Date(NOW).toISOString() },
    ],
    ['another event', body('meeting.started', { uuid: 'u4==' }), undefined],
    ['no uuid', body('meeting.ended', { id: 5 }), undefined],
  ])('%s', (_name, env, expected) => {
    expect(meetingEndedInput(env, NOW)).toEqual(expected);
  });
});

describe('fetchParticipants', () => {
  const a = reportItem('Ann Host', 'ann@example.com', '2026-11-20T10:00:00Z', '2026-11-20T11:00:00Z', 'host-1');
  const b = reportItem('Eve Guest', '', '2026-11-20T10:05:00Z', '2026-11-20T10:06:00Z');
  it.each<[string, ScriptedAnswer, number | string]>([
    ['writes each session once, across pages and repeats', [[a], [b, a]], 2],
    ['maps not-found to MeetingNotReady', notFound('Meeting does not exist.'), MEETING_NOT_READY],
    ['maps an empty report to MeetingNotReady', [[]], MEETING_NOT_READY],
    ['maps items without a join time (nothing usable) to MeetingNotReady', [[{ name: 'x' }]], MEETING_NOT_READY],
    ['lets other errors through', new ZoomServerError('zoom server error', { status: 503, endpoint: 'api' }), 'ZoomServerError'],
    ['lets auth errors through', new ZoomAuthError('rejected', { status: 401, code: 124, endpoint: 'api' }), 'ZoomAuthError'],
  ])('%s', async (_name, answer, expected) => {
    const { api, store, deps } = fetchDeps({ report: [answer] });
    const run = fetchParticipants(deps, INPUT);
    if (typeof expected === 'number') {
      expect(await run).toEqual({ participants: expected });
      expect([...store.objects.keys()].every((k) => k.startsWith('zoom/meeting_participants/dt=2026-11-20/correlation-'))).toBe(true);
      expect(store.objects.size).toBe(1);
    } else {
      await expect(run).rejects.toMatchObject({ name: expected });
      expect(store.objects.size).toBe(0);
    }
    // A UUID with '/' or '//' is encoded twice (zoom-reference §3.5).
    expect(api.requests[0]).toMatchObject({
      path: `/report/meetings/${encodeURIComponent(encodeURIComponent(INPUT.meeting_uuid))}/participants`,
      category: 'Heavy',
    });
  });
});

describe('fetchDetails', () => {
  const d = { user_id: '1', user_name: 'Eve Guest', email: '', join_time: '2026-11-20T10:05:00Z', ip_address: '192.0.2.7', location: 'Lagos (NG)' };
  it.each<[string, ScriptedAnswer, unknown]>([
    ['writes the details', [[d]], { details: 1, available: true }],
    ['an empty listing is an answer, not a retry', [[]], { details: 0, available: true }],
    [
      'no dashboard on the plan: unavailable, not failed',
      new ZoomPlanError('not on plan', { status: 400, code: 200, endpoint: 'api' }),
      { details: 0, available: false },
    ],
    [
      'no dashboard scope: unavailable, not failed',
      new ZoomScopeError('scope', { status: 400, code: 4711, endpoint: 'api' }),
      { details: 0, available: false },
    ],
    ['"meeting has not ended yet" is MeetingNotReady', notFound('Meeting does not exist or has not ended yet.'), MEETING_NOT_READY],
    ['other errors go through', new ZoomServerError('zoom server error', { status: 500, endpoint: 'api' }), 'ZoomServerError'],
  ])('%s', async (_name, answer, expected) => {
    const { api, deps } = fetchDeps({ metrics: [answer] });
    const run = fetchDetails(deps, INPUT);
    if (typeof expected === 'string') await expect(run).rejects.toMatchObject({ name: expected });
    else expect(await run).toEqual(expected);
    expect(api.requests[0]).toMatchObject({ query: { type: 'past', include_fields: 'registrant_id' }, category: 'Heavy' });
  });
});

describe('notReadyDelayMs', () => {
  it('doubles from the interval', () => {
    expect([0, 1, 2, 3].map((n) => notReadyDelayMs({ notReadyIntervalSeconds: 120 }, n))).toEqual([120_000, 240_000, 480_000, 960_000]);
  });
});

describe('participantsUnavailable', () => {
  it('is a valid correlation alert keyed on the instance', () => {
    const { alerts } = participantsUnavailable({ clock: new FakeClock(NOW), registry: REGISTRY }, INPUT, 7);
    expect(alerts).toHaveLength(1);
    const alert = alertSchema.parse(alerts[0]);
    expect(alert).toMatchObject({
      detection_id: CORRELATION_DETECTIONS.participantsUnavailable,
      source: 'correlation',
      dedup_key: INPUT.meeting_uuid,
      first_seen: INPUT.end_time,
      last_seen: new Date(NOW).toISOString(),
      entities: { meeting_id: INPUT.meeting_id, meeting_uuid: INPUT.meeting_uuid },
    });
    expect(alert.evidence[0]).toMatchObject({ attempts: 7, topic: 'Board prep' });
  });
});

describe('raiseAlerts', () => {
  const alert = participantsUnavailable({ clock: new FakeClock(NOW), registry: REGISTRY }, INPUT, 1).alerts[0]!;
  it.each([
    ['nothing to raise', [], { notified: 0, suppressed: 0 }, 0],
    ['one new alert', [alert], { notified: 1, suppressed: 0 }, 1],
    ['the same alert twice: one notified, one suppressed', [alert, alert], { notified: 1, suppressed: 1 }, 2],
  ])('%s', async (_name, alerts, expected, delivered) => {
    const delivery = new MemoryAlertDelivery();
    expect(await raiseAlerts({ delivery }, { alerts })).toEqual(expected);
    expect(delivery.received).toHaveLength(delivered);
  });

  it('refuses an invalid alert and delivers nothing', async () => {
    const delivery = new MemoryAlertDelivery();
    await expect(raiseAlerts({ delivery }, { alerts: [{ ...(alert as object), severity: 'urgent' }] })).rejects.toThrow(/severity/);
    expect(delivery.received).toHaveLength(0);
  });
});

describe('the correlation detections', () => {
  it('come from the registry, each declaring the correlation path', () => {
    for (const id of Object.values(CORRELATION_DETECTIONS)) expect(REGISTRY.get(id).paths).toContain('correlation');
  });

  it("raise the registry's title, severity and runbook", () => {
    const alert = alertSchema.parse(participantsUnavailable({ clock: new FakeClock(NOW), registry: REGISTRY }, INPUT, 1).alerts[0]);
    const d = REGISTRY.get(CORRELATION_DETECTIONS.participantsUnavailable);
    expect({ title: alert.title, severity: alert.severity, runbook: alert.runbook, mitre: alert.mitre }).toEqual({
      title: d.title,
      severity: d.severity,
      runbook: d.runbook,
      mitre: d.mitre,
    });
  });
});

describe('dataAccessSql', () => {
  const ok = { table: 'cloudtrail_s3_reads', userColumn: 'principal', timeColumn: 'eventtime', resourceColumn: 'object_key' };
  it('quotes the configured identifiers', () => {
    expect(dataAccessSql(REGISTRY.query('data-access'), ok)).toContain('FROM "cloudtrail_s3_reads" a');
  });
  it.each(['table', 'userColumn', 'timeColumn', 'resourceColumn'] as const)('refuses a %s that is not a plain identifier', (field) => {
    expect(() => dataAccessSql(REGISTRY.query('data-access'), { ...ok, [field]: 'x"; DROP TABLE y; --' })).toThrow(
      new RegExp(`correlation\\.dataAccess\\.${field}`),
    );
  });
});

describe('countryOf', () => {
  it.each([
    ['London (GB)', 'GB'],
    ['San Jose (us) ', 'US'],
    ['Germany', 'Germany'],
    ['', ''],
  ])('%j -> %j', (location, country) => {
    expect(countryOf(location)).toBe(country);
  });
});
