import { describe, expect, it } from 'vitest';
import { REGISTRY } from '../support/registry.ts';
import { CORRELATION_DETECTIONS, type MeetingEndedInput } from '#core/correlate/contract.ts';
import { runCorrelation, type CorrelationRunDeps } from '#core/correlate/run.ts';
import type { CorrelationSettings } from '#core/correlate/settings.ts';
import { readExposure } from '#core/correlate/steps/store-exposure.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import type { ZoomPlan } from '#core/zoom/client.ts';
import { ZoomNotFoundError, ZoomServerError } from '#core/zoom/errors.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { EmptyQueryEngine, ScriptedZoomApi, reportItem, type ScriptedAnswer } from '../support/correlation-fakes.ts';
import { MemoryAlertDelivery } from '../support/memory-alert-delivery.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';
import { MemoryStateStore } from '../support/memory-state-store.ts';

const END = Date.UTC(2026, 10, 20, 11, 0, 0);
const INPUT: MeetingEndedInput = {
  meeting_uuid: 'u1==',
  meeting_id: '88100000001',
  host_id: 'h1',
  topic: 'Sync',
  start_time: '2026-11-20T10:00:00.000Z',
  end_time: new Date(END).toISOString(),
};
const SETTINGS: CorrelationSettings = { enabled: true, waitSeconds: 600, notReadyRetries: 3, notReadyIntervalSeconds: 120 };
const ITEM = reportItem('Ann', 'ann@example.com', '2026-11-20T10:00:00Z', '2026-11-20T11:00:00Z', 'h1');
const notReady = () => new ZoomNotFoundError('Meeting does not exist.', { status: 404, code: 3001, endpoint: 'api' });

function setup(
  script: { report?: readonly ScriptedAnswer[]; metrics?: readonly ScriptedAnswer[] },
  plan: ZoomPlan = 'business',
  settings = SETTINGS,
) {
  const clock = new FakeClock(END + 60_000);
  const store = new MemoryObjectStore();
  const state = new MemoryStateStore(clock);
  const api = new ScriptedZoomApi(script);
  const delivery = new MemoryAlertDelivery();
  const sleeps: number[] = [];
  const steps: string[] = [];
  const deps: CorrelationRunDeps = {
    api,
    state,
    clock,
    delivery,
    settings,
    plan,
    query: new EmptyQueryEngine(),
    registry: REGISTRY,
    newWriter: () => new LakeWriter({ store, clock, newId: () => String(store.objects.size), writerId: 'correlation' }),
    // The fake sleep moves the fake clock, as time would pass.
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    onStep: (step) => steps.push(step),
  };
  return { deps, api, state, delivery, sleeps, steps };
}

describe('runCorrelation', () => {
  it("runs the steps in the state machine's order after the configured wait", async () => {
    const { deps, api, state, sleeps, steps, delivery } = setup({ report: [[[ITEM]]], metrics: [[[]]] });
    const result = await runCorrelation(deps, INPUT);
    expect(steps).toEqual(['Wait', 'FetchParticipants', 'FetchDetails', 'Exposure', 'Correlate', 'RaiseAlerts']);
    expect(sleeps).toEqual([600_000]);
    expect(result).toMatchObject({
      status: 'completed',
      participants: { participants: 1 },
      details: { details: 0, available: true },
      alerts: { notified: 0, suppressed: 0 },
    });
    expect([api.calls('report'), api.calls('metrics')]).toEqual([1, 1]);
    expect(await readExposure(state, 'u1==')).toBeDefined();
    expect(delivery.received).toEqual([]);
  });

  it.each<[string, ZoomPlan, number]>([
    ['pro', 'pro', 0],
    ['free', 'free', 0],
    ['enterprise', 'enterprise', 1],
  ])('fetches dashboard details only on business/enterprise plans (%s)', async (_name, plan, detailCalls) => {
    const { deps, api, steps } = setup({ report: [[[ITEM]]] }, plan);
    await runCorrelation(deps, INPUT);
    expect(api.calls('metrics')).toBe(detailCalls);
    expect(steps.includes('FetchDetails')).toBe(detailCalls > 0);
  });

  it('retries while the report is not ready, the wait doubling, then succeeds', async () => {
    const { deps, api, sleeps, delivery } = setup({ report: [notReady(), [[]], [[ITEM]]] });
    const result = await runCorrelation(deps, INPUT);
    expect(result.status).toBe('completed');
    expect(api.calls('report')).toBe(3);
    expect(sleeps).toEqual([600_000, 120_000, 240_000]);
    expect(delivery.received).toEqual([]);
  });

  it('gives up after notReadyRetries retries with the participants_unavailable alert and stops', async () => {
    const { deps, api, state, sleeps, steps, delivery } = setup({ report: [notReady()] });
    const result = await runCorrelation(deps, INPUT);
    expect(result).toEqual({ status: 'participants_unavailable', attempts: 4, alerts: { notified: 1, suppressed: 0 } });
    expect(api.calls('report')).toBe(4);
    expect(sleeps).toEqual([600_000, 120_000, 240_000, 480_000]);
    expect(steps).toEqual(['Wait', 'ParticipantsUnavailable']);
    expect(api.calls('metrics')).toBe(0);
    expect(await readExposure(state, 'u1==')).toBeUndefined();
    expect(delivery.notified.map((a) => [a.detection_id, a.source, a.dedup_key])).toEqual([
      [CORRELATION_DETECTIONS.participantsUnavailable, 'correlation', 'u1=='],
    ]);
  });

  it('with no retries configured, gives up after the first answer', async () => {
    const { deps, api, sleeps } = setup({ report: [notReady(), [[ITEM]]] }, 'business', { ...SETTINGS, notReadyRetries: 0, waitSeconds: 0 });
    expect((await runCorrelation(deps, INPUT)).status).toBe('participants_unavailable');
    expect(api.calls('report')).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('goes on without details when the dashboard never becomes ready', async () => {
    const { deps, api, steps } = setup({ report: [[[ITEM]]], metrics: [notReady()] });
    const result = await runCorrelation(deps, INPUT);
    expect(result).toMatchObject({ status: 'completed', details: { details: 0, available: false } });
    expect(api.calls('metrics')).toBe(4);
    expect(steps).toContain('Correlate');
  });

  it('fails on any other error, raising nothing', async () => {
    const { deps, delivery } = setup({ report: [new ZoomServerError('zoom server error (503)', { status: 503, endpoint: 'api' })] });
    await expect(runCorrelation(deps, INPUT)).rejects.toMatchObject({ name: 'ZoomServerError' });
    expect(delivery.received).toEqual([]);
  });

  it('waits until the data-access window has passed before correlating a meeting with outsiders', async () => {
    const guest = reportItem('Eve', 'eve@partner.test', '2026-11-20T10:00:00Z', '2026-11-20T11:00:00Z');
    const settings = { ...SETTINGS, waitSeconds: 0, dataAccess: { table: 'data_access', userColumn: 'u', timeColumn: 't', resourceColumn: 'r' } };
    const { deps, sleeps } = setup({ report: [[[ITEM, guest]]], metrics: [[[]]] }, 'business', settings);
    // The empty fake engine sees no participants, so the sessions query answers with the host and an outsider.
    const engine = new EmptyQueryEngine();
    const query = {
      query: async (sql: string, params?: readonly (string | number | boolean)[]) =>
        sql.includes('WITH sessions AS')
          ? {
              columns: [],
              rows: [
                { source: 'meeting_participants', email: 'ann@example.com', user_name: 'Ann', zoom_user_id: 'h1', internal_domain: true },
                { source: 'meeting_participants', email: 'eve@partner.test', user_name: 'Eve', internal_domain: false },
              ],
            }
          : engine.query(sql, params),
    };
    await runCorrelation({ ...deps, query }, INPUT);
    // The clock stood at end + 1 min: 29 more minutes until end + 30 min.
    expect(sleeps).toEqual([29 * 60_000]);
    expect(engine.queries.some((q) => q.sql.includes('"data_access"'))).toBe(true);
  });
});
