import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { alertId, type Alert } from '#core/alerts/alert.ts';
import {
  AlertValidationError,
  MAX_EVENT_EVIDENCE_ROWS,
  STALE_CLAIM_MS,
  SuppressingAlertDelivery,
  suppressionKey,
  type AlertEventDetail,
} from '#core/alerts/suppressing-delivery.ts';
import { StorageError } from '#core/errors.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import type { BusEvent, EventPublisher } from '#core/ports.ts';
import { FileStateStore } from '#local/adapters/file-state/store.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
const HOUR = 3_600_000;
const DETECTION = 'zoom.participant.zombie_link';

function alert(overrides: Partial<Alert> = {}): Alert {
  const detection = overrides.detection_id ?? DETECTION;
  const dedup = overrides.dedup_key ?? 'mallory@evil.example';
  const first = overrides.first_seen ?? new Date(T0 - HOUR).toISOString();
  return {
    alert_id: alertId(detection, dedup, Date.parse(first), 24 * HOUR),
    detection_id: detection,
    title: 'Zombie link join',
    severity: 'high',
    source: 'scheduled',
    first_seen: first,
    last_seen: first,
    dedup_key: dedup,
    entities: { user_email: dedup },
    evidence: [{ participant: dedup }],
    mitre: ['T1078'],
    runbook: 'https://runbooks.example/zombie',
    ...overrides,
  };
}

class RecordingPublisher implements EventPublisher {
  readonly events: BusEvent[] = [];
  failNext = 0;
  async publish(events: readonly BusEvent[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new StorageError('injected publish failure', true);
    }
    this.events.push(...events);
  }
}

function setup(windows = { byDetection: { [DETECTION]: 6 * HOUR } as Record<string, number>, defaultMs: 2 * HOUR }) {
  const clock = new FakeClock(T0);
  const store = new MemoryObjectStore();
  const state = new FileStateStore(join(mkdtempSync(join(tmpdir(), 'zl-alerts-')), 'state.json'), clock);
  const publisher = new RecordingPublisher();
  const delivery = new SuppressingAlertDelivery({
    state,
    publisher,
    clock,
    windows,
    newWriter: (writerId) => new LakeWriter({ store, clock, newId: () => `f${store.objects.size}`, writerId }),
  });
  const lakeRows = async () => {
    const rows: Record<string, unknown>[] = [];
    for (const [key, body] of store.objects) {
      if (key.startsWith('zoom/alerts/'))
        rows.push(...(await parquetReadObjects({ file: body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer })));
    }
    return rows;
  };
  return { clock, store, state, publisher, delivery, lakeRows };
}

describe('SuppressingAlertDelivery', () => {
  it('notifies a first alert: one alerts-table row, one bus event with count 1', async () => {
    const { delivery, publisher, lakeRows } = setup();
    const a = alert();
    expect(await delivery.deliver([a])).toEqual([{ alertId: a.alert_id, outcome: 'notified', count: 1 }]);
    expect(publisher.events).toEqual([{ source: 'zoomlake', detailType: 'Zoom Security Alert', detail: { ...a, count: 1, evidence_total: 1 } }]);
    const rows = await lakeRows();
    expect(rows.map((r) => [r.alert_id, r.detection_id, r.alert_source])).toEqual([[a.alert_id, DETECTION, 'scheduled']]);
  });

  // Each case: a first alert at T0, then a second after `after` ms; window for DETECTION is 6 h, default 2 h.
  it.each([
    { name: 'same detection and key inside the window', second: {}, after: HOUR, outcome: 'suppressed', count: 2 },
    { name: 'same key raised in real time', second: { source: 'realtime' as const }, after: HOUR, outcome: 'suppressed', count: 2 },
    { name: 'same key at the last second of the window', second: {}, after: 6 * HOUR, outcome: 'suppressed', count: 2 },
    { name: 'same key after the window', second: {}, after: 6 * HOUR + 1_000, outcome: 'notified', count: 1 },
    { name: 'another dedup key', second: { dedup_key: 'eve@evil.example' }, after: HOUR, outcome: 'notified', count: 1 },
    { name: 'another detection, same key', second: { detection_id: 'zoom.recording.deleted' }, after: HOUR, outcome: 'notified', count: 1 },
    {
      name: 'default window, inside',
      first: { detection_id: 'zoom.other.x' },
      second: { detection_id: 'zoom.other.x' },
      after: 2 * HOUR,
      outcome: 'suppressed',
      count: 2,
    },
    {
      name: 'default window, after',
      first: { detection_id: 'zoom.other.x' },
      second: { detection_id: 'zoom.other.x' },
      after: 2 * HOUR + 1_000,
      outcome: 'notified',
      count: 1,
    },
  ])('$name: $outcome', async ({ first, second, after, outcome, count }) => {
    const { delivery, clock, publisher } = setup();
    await delivery.deliver([alert(first)]);
    clock.advance(after);
    const b = alert({ ...second, first_seen: new Date(T0 + after - HOUR).toISOString() });
    expect(await delivery.deliver([b])).toEqual([{ alertId: b.alert_id, outcome, count }]);
    expect(publisher.events).toHaveLength(outcome === 'notified' ? 2 : 1);
  });

  it('counts every repeat, raises last_seen to the latest, and keeps the window from the first notification', async () => {
    const { delivery, clock, state } = setup();
    await delivery.deliver([alert({ last_seen: new Date(T0 - HOUR).toISOString() })]);
    const key = suppressionKey(DETECTION, 'mallory@evil.example');
    const expiresAt = (await state.get(key.pk, key.sk))?.expiresAt;
    expect(expiresAt).toBe((T0 + 6 * HOUR) / 1000);
    const lastSeens = [T0 - 10 * 60_000, T0 - 30 * 60_000, T0 + 5 * 60_000];
    const results = [];
    for (const ls of lastSeens) {
      clock.advance(60_000);
      results.push(...(await delivery.deliver([alert({ last_seen: new Date(ls).toISOString() })])));
    }
    expect(results.map((r) => [r.outcome, r.count])).toEqual([
      ['suppressed', 2],
      ['suppressed', 3],
      ['suppressed', 4],
    ]);
    const item = await state.get(key.pk, key.sk);
    expect(item?.attrs).toMatchObject({ count: 4, last_seen: T0 + 5 * 60_000, first_notified: T0, last_raised: T0 + 3 * 60_000 });
    expect(item?.expiresAt).toBe(expiresAt);
  });

  it('suppresses a repeat inside one batch', async () => {
    const { delivery, publisher } = setup();
    const results = await delivery.deliver([alert(), alert({ source: 'realtime' })]);
    expect(results.map((r) => r.outcome)).toEqual(['notified', 'suppressed']);
    expect(publisher.events).toHaveLength(1);
  });

  it.each([1, 2, 10, 25])('notifies exactly once when %i deliveries of one alert run concurrently', async (n) => {
    const { delivery, publisher, lakeRows } = setup();
    const results = (
      await Promise.all(Array.from({ length: n }, (_, i) => delivery.deliver([alert({ source: i % 2 ? 'realtime' : 'scheduled' })])))
    ).flat();
    expect(results.filter((r) => r.outcome === 'notified')).toHaveLength(1);
    expect(results.map((r) => r.count).sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(publisher.events).toHaveLength(1);
    expect(await lakeRows()).toHaveLength(1);
  });

  it.each([
    ['a fresh claim: its delivery may still be running', 60_000, undefined, 'suppressed'],
    ['a claim older than STALE_CLAIM_MS', STALE_CLAIM_MS, undefined, 'notified'],
    ['a fresh claim made before this process started', 60_000, T0 + 30_000, 'notified'],
  ] as const)('a claim whose delivery died before publishing (%s): the next raise is %s', async (_name, after, staleBefore, outcome) => {
    const { clock, state, publisher } = setup();
    const newWriter = (writerId: string) => new LakeWriter({ store: new MemoryObjectStore(), clock, newId: () => 'dead', writerId });
    // The first delivery claims, then never publishes: the process died there.
    const dying = new SuppressingAlertDelivery({
      state,
      clock,
      newWriter,
      windows: { byDetection: {} },
      publisher: { publish: () => new Promise(() => undefined) },
    });
    void dying.deliver([alert()]);
    const key = suppressionKey(DETECTION, 'mallory@evil.example');
    for (let i = 0; i < 100 && (await state.get(key.pk, key.sk)) === undefined; i++) await new Promise((r) => setTimeout(r, 5));
    clock.advance(after);
    const next = new SuppressingAlertDelivery({
      state,
      clock,
      publisher,
      windows: { byDetection: {} },
      ...(staleBefore === undefined ? {} : { claimsStaleBefore: staleBefore }),
      newWriter: (writerId) => new LakeWriter({ store: new MemoryObjectStore(), clock, newId: () => 'next', writerId }),
    });
    const [result] = await next.deliver([alert({ source: 'realtime' })]);
    expect(result!.outcome).toBe(outcome);
    expect(publisher.events).toHaveLength(outcome === 'notified' ? 1 : 0);
    // Late rather than lost: a raise once the claim is stale notifies it.
    clock.advance(STALE_CLAIM_MS);
    if (outcome === 'suppressed') expect((await next.deliver([alert()]))[0]!.outcome).toBe('notified');
    expect(publisher.events).toHaveLength(1);
    // Once delivered, a further raise is a repeat, however old the claim.
    clock.advance(STALE_CLAIM_MS);
    expect((await next.deliver([alert()]))[0]!.outcome).toBe('suppressed');
    expect(publisher.events).toHaveLength(1);
  });

  it('does not publish repeats', async () => {
    const { delivery, publisher, store } = setup();
    await delivery.deliver([alert()]);
    const files = store.objects.size;
    await delivery.deliver([alert(), alert()]);
    expect(publisher.events).toHaveLength(1);
    expect(store.objects.size).toBe(files);
  });

  it('caps the evidence on the bus and says how much there was; the table keeps it all', async () => {
    const { delivery, publisher, lakeRows } = setup();
    const evidence = Array.from({ length: MAX_EVENT_EVIDENCE_ROWS + 7 }, (_, i) => ({ i }));
    await delivery.deliver([alert({ evidence })]);
    const detail = publisher.events[0]?.detail as AlertEventDetail;
    expect(detail.evidence).toHaveLength(MAX_EVENT_EVIDENCE_ROWS);
    expect(detail.evidence_total).toBe(MAX_EVENT_EVIDENCE_ROWS + 7);
    expect(JSON.parse(String((await lakeRows())[0]?.evidence_json))).toHaveLength(MAX_EVENT_EVIDENCE_ROWS + 7);
  });

  it.each([
    {
      name: 'publish',
      fail: (s: ReturnType<typeof setup>) => {
        s.publisher.failNext = 1;
      },
    },
    {
      name: 'lake write',
      fail: (s: ReturnType<typeof setup>) => {
        s.store.failNext = 1;
      },
    },
  ])('releases the claim when the $name fails, so a retry notifies', async ({ fail }) => {
    const s = setup();
    fail(s);
    await expect(s.delivery.deliver([alert()])).rejects.toThrow();
    expect(s.publisher.events).toHaveLength(0);
    const retry = await s.delivery.deliver([alert()]);
    expect(retry.map((r) => r.outcome)).toEqual(['notified']);
    expect(s.publisher.events).toHaveLength(1);
  });

  it.each([
    { name: 'bad severity', bad: { severity: 'urgent' }, message: /severity/ },
    { name: 'bad alert id', bad: { alert_id: 'x' }, message: /alert_id/ },
    { name: 'empty detection id', bad: { detection_id: '' }, message: /detection_id/ },
  ])('rejects an invalid alert ($name) before delivering any of its batch', async ({ bad, message }) => {
    const { delivery, publisher, state } = setup();
    await expect(delivery.deliver([alert(), { ...alert(), ...bad } as Alert])).rejects.toThrow(AlertValidationError);
    await expect(delivery.deliver([{ ...alert(), ...bad } as Alert])).rejects.toThrow(message);
    expect(publisher.events).toHaveLength(0);
    const key = suppressionKey(DETECTION, 'mallory@evil.example');
    expect(await state.get(key.pk, key.sk)).toBeUndefined();
  });

  it('hashes long dedup keys into a short sort key', () => {
    const key = suppressionKey(DETECTION, 'x'.repeat(5_000));
    expect(key).toEqual({ pk: `alert-suppression#${DETECTION}`, sk: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(suppressionKey(DETECTION, 'a').sk).not.toBe(suppressionKey(DETECTION, 'b').sk);
  });
});
