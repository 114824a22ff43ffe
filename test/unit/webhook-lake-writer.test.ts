import { createHash } from 'node:crypto';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { StorageError } from '#core/errors.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import type { BusEvent, ObjectStore } from '#core/ports.ts';
import { webhookDetailSchema } from '#core/webhook/detail.ts';
import { queuedWebhookEvent, reasonCounts, writeWebhookEvents, type QueuedWebhookEvent } from '#core/webhook/lake-writer.ts';
import { receiveWebhook } from '#core/webhook/receive.ts';
import { zoomSignature } from '#core/webhook/verify.ts';
import { webhookBody } from '#core/webhook/envelope.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';

const NOW = Date.UTC(2024, 9, 14, 15, 1);
const EVENT_TS = Date.UTC(2024, 9, 14, 15, 0, 12, 345);
const PRIVATE = 'carol.private@example.com';

// Synthetic bodies following zoom-reference §2.
const joined = webhookBody({
  event: 'meeting.participant_joined',
  eventTs: EVENT_TS,
  payload: {
    account_id: 'AcctQm2X',
    object: {
      id: '85746382910',
      uuid: 'q8Zr/Lk4S+eXbW9sN1aT2g==',
      host_id: 'Hst1',
      topic: 'Board',
      type: 2,
      participant: {
        user_id: '16778240',
        user_name: 'Zoë Ñúñez 日本',
        id: '',
        join_time: '2024-10-14T15:00:05Z',
        email: PRIVATE,
        public_ip: '203.0.113.45',
      },
    },
  },
});
const trashed = webhookBody({
  event: 'recording.batch_trashed',
  eventTs: EVENT_TS,
  payload: {
    account_id: 'AcctQm2X',
    operator: 'admin@example.com',
    operator_id: 'OpAdm1n',
    operation: 'trash_user_recordings',
    object: { meeting_uuids: ['uuA==', 'uuB=='] },
  },
});
// A day earlier, so the batch spans two partitions of webhook_events.
const signedIn = webhookBody({
  event: 'user.signed_in',
  eventTs: EVENT_TS - 86_400_000,
  payload: {
    account_id: 'AcctQm2X',
    object: { id: 'UsrAnn01', client_type: 'mac', date_time: '2024-10-13T15:00:00Z', email: 'ann@example.com', version: '6.2.5', login_type: 100 },
  },
});
const unknownType = webhookBody({ event: 'workspace.checked_in', eventTs: EVENT_TS, payload: { account_id: 'AcctQm2X', object: { id: 'w1' } } });

const inline = (body: string, extra: object = {}) => ({ receivedAt: NOW, trackingId: 'v=2.0;clid=aw1;rid=7', body, ...extra });
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Stores `bytes` as the receiver would and returns the by-reference detail. */
async function byRef(store: ObjectStore, bytes: Uint8Array, overrides: { sha256?: string } = {}) {
  const sha256 = sha(bytes);
  const key = `webhook-bodies/dt=2024-10-14/${sha256}.json`;
  await store.put(key, bytes);
  return { receivedAt: NOW, bodyRef: { key, sha256: overrides.sha256 ?? sha256, bytes: bytes.byteLength } };
}

function setup(store = new MemoryObjectStore(), delivery = 'a') {
  let n = 0;
  const writer = new LakeWriter({ store, clock: { now: () => NOW }, newId: () => `${delivery}${++n}`, writerId: 'webhook-writer' });
  return { store, writer, deps: { writer, bodies: store } };
}

/** Every row of every Parquet file of `table` in the store. */
async function readTable(store: MemoryObjectStore, table: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const key of await store.list(`zoom/${table}/`)) {
    const bytes = store.objects.get(key)!;
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    rows.push(...(await parquetReadObjects({ file })));
  }
  return rows;
}
const TYPED = ['participant_events', 'meeting_events', 'recording_events', 'user_events', 'account_events'];
async function recordIds(store: MemoryObjectStore): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of ['webhook_events', ...TYPED]) out[table] = (await readTable(store, table)).map((r) => String(r.record_id)).sort();
  return out;
}

describe('writeWebhookEvents', () => {
  it('writes inline and by-reference bodies: the raw row and the typed rows that point back to it', async () => {
    const { store, deps } = setup();
    const ref = await byRef(store, Buffer.from(trashed, 'utf8'));
    const result = await writeWebhookEvents(
      [
        { id: 'm1', detail: inline(joined) },
        { id: 'm2', detail: ref },
        { id: 'm3', detail: inline(unknownType) },
      ],
      deps,
    );
    expect(result).toEqual({ failedIds: [], written: 3, rejected: [], retrying: [], incomplete: [] });

    const raw = await readTable(store, 'webhook_events');
    expect(raw.map((r) => r.raw).sort()).toEqual([joined, trashed, unknownType].sort());
    const byEvent = new Map(raw.map((r) => [r.event, r]));
    expect(byEvent.get('meeting.participant_joined')).toMatchObject({ tracking_id: 'v=2.0;clid=aw1;rid=7', received_at: new Date(NOW) });
    expect(byEvent.get('recording.batch_trashed')).toMatchObject({ tracking_id: null, payload_sha256: sha(Buffer.from(trashed)) });

    const participants = await readTable(store, 'participant_events');
    expect(participants).toEqual([
      expect.objectContaining({
        user_name: 'Zoë Ñúñez 日本',
        email: PRIVATE,
        participant_user_id: null,
        public_ip: '203.0.113.45',
        source_record_id: byEvent.get('meeting.participant_joined')!.record_id,
      }),
    ]);
    const recordings = await readTable(store, 'recording_events');
    expect(recordings.map((r) => r.meeting_uuid).sort()).toEqual(['uuA==', 'uuB==']);
    expect(new Set(recordings.map((r) => r.source_record_id))).toEqual(new Set([byEvent.get('recording.batch_trashed')!.record_id]));
  });

  it('accepts exactly what the receiver publishes, inline and by reference', async () => {
    const store = new MemoryObjectStore();
    const published: BusEvent[] = [];
    for (const inlineBodyBytes of [900_000, 64]) {
      const bytes = Buffer.from(joined, 'utf8');
      const ts = String(NOW / 1000);
      await receiveWebhook(
        { body: bytes, headers: { 'x-zm-signature': zoomSignature('s3cret', ts, bytes), 'x-zm-request-timestamp': ts } },
        {
          publisher: { publish: async (events) => void published.push(...events) },
          bodies: store,
          clock: { now: () => NOW },
          secret: async () => 's3cret',
          options: { replayWindowSeconds: 300, maxBodyBytes: 1_000_000, inlineBodyBytes },
        },
      );
    }
    expect(published.map((e) => Object.keys(e.detail as object).sort())).toEqual([
      ['body', 'payloadSha256', 'receivedAt'],
      ['bodyRef', 'payloadSha256', 'receivedAt'],
    ]);
    const result = await writeWebhookEvents(
      published.map((e, i) => ({ id: `m${i}`, detail: e.detail })),
      setup(store).deps,
    );
    expect(result).toMatchObject({ failedIds: [], written: 2 });
  });

  it('stores a body received (masked by the receiver) and the same body loaded from a file as one masked record', async () => {
    const completed = webhookBody(
      {
        event: 'recording.completed',
        eventTs: EVENT_TS,
        payload: {
          account_id: 'AcctQm2X',
          object: { id: 85746382910, uuid: 'uuA==', password: 'rec-Pa55', share_url: 'https://zoom.us/rec/share/x?pwd=Sh4re' },
        },
      },
      { download_token: 'eyJhbGci.dl.tok' },
    );
    const store = new MemoryObjectStore();
    const published: BusEvent[] = [];
    const bytes = Buffer.from(completed, 'utf8');
    const ts = String(NOW / 1000);
    await receiveWebhook(
      { body: bytes, headers: { 'x-zm-signature': zoomSignature('s3cret', ts, bytes), 'x-zm-request-timestamp': ts } },
      {
        publisher: { publish: async (events) => void published.push(...events) },
        bodies: store,
        clock: { now: () => NOW },
        secret: async () => 's3cret',
        options: { replayWindowSeconds: 300, maxBodyBytes: 1_000_000, inlineBodyBytes: 900_000 },
      },
    );
    const items = [
      { id: 'received', detail: published[0]!.detail },
      { id: 'loaded', detail: inline(completed) },
    ];
    expect(await writeWebhookEvents(items, setup(store).deps)).toMatchObject({ failedIds: [], written: 2 });

    const raw = await readTable(store, 'webhook_events');
    expect(new Set(raw.map((r) => r.record_id)).size).toBe(1);
    expect(raw.map((r) => r.payload_sha256)).toEqual([sha(bytes), sha(bytes)]);
    for (const row of [...raw, ...(await readTable(store, 'recording_events'))]) {
      for (const secret of ['eyJhbGci.dl.tok', 'rec-Pa55', 'Sh4re'])
        expect(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(secret);
    }
    expect(JSON.parse(String(raw[0]!.raw))).toMatchObject({ download_token: '[redacted]', payload: { object: { password: '[redacted]' } } });
  });

  describe('an item that can never be written is failed and rejected; the rest of the batch is written', () => {
    const notUtf8 = new Uint8Array([...Buffer.from('{"event":"user.deleted","payload":{"n":"'), 0xff, 0xfe, ...Buffer.from('"}}')]);
    it.each<[string, (store: ObjectStore) => Promise<unknown>, string]>([
      ['a detail that is not an object', async () => 'just text', 'detail_malformed'],
      ['a detail without receivedAt', async () => ({ body: joined }), 'detail_malformed'],
      ['a receivedAt in seconds', async () => inline(joined, { receivedAt: NOW / 1000 }), 'detail_malformed'],
      ['a detail with neither body nor bodyRef', async () => ({ receivedAt: NOW, text: joined }), 'detail_malformed'],
      [
        'a bodyRef outside webhook-bodies/',
        async () => ({ receivedAt: NOW, bodyRef: { key: 'zoom/users/dt=2024-10-14/x.parquet', sha256: 'a'.repeat(64), bytes: 1 } }),
        'detail_malformed',
      ],
      [
        'a bodyRef whose sha256 is not hex',
        async () => ({ receivedAt: NOW, bodyRef: { key: 'webhook-bodies/x.json', sha256: 'not-a-hash', bytes: 1 } }),
        'detail_malformed',
      ],
      ['a body that is not JSON', async () => inline(`{"event":"user.deleted","payload":{"email":"${PRIVATE}"`), 'not_envelope'],
      ['a body that is a JSON array', async () => inline(`["${PRIVATE}"]`), 'not_envelope'],
      ['a body without an event name', async () => inline(`{"payload":{"email":"${PRIVATE}"}}`), 'not_envelope'],
      [
        'a stored body whose sha256 does not match',
        (store) => byRef(store, Buffer.from(joined), { sha256: sha(Buffer.from(trashed)) }),
        'body_sha256_mismatch',
      ],
      ['a stored body that is not UTF-8', (store) => byRef(store, notUtf8), 'body_not_utf8'],
    ])('%s', async (_name, makeDetail, code) => {
      const { store, deps } = setup();
      const bad = await makeDetail(store);
      const result = await writeWebhookEvents(
        [
          { id: 'good-1', detail: inline(joined) },
          { id: 'bad', detail: bad },
          { id: 'good-2', detail: inline(signedIn) },
        ],
        deps,
      );
      expect(result.failedIds).toEqual(['bad']);
      expect(result.rejected).toEqual([{ id: 'bad', reason: expect.stringMatching(new RegExp(`^${code}(:|$)`)) }]);
      expect(result.retrying).toEqual([]);
      expect(result.written).toBe(2);
      expect(result.rejected[0]!.reason).not.toContain(PRIVATE);
      expect((await readTable(store, 'webhook_events')).map((r) => r.raw).sort()).toEqual([joined, signedIn].sort());
    });
  });

  describe('an item that may succeed later is failed but not rejected', () => {
    class UnreadableStore extends MemoryObjectStore {
      override async get(): Promise<Uint8Array | undefined> {
        throw new StorageError('could not get s3://lake/x: SlowDown', true);
      }
    }
    it.each<[string, MemoryObjectStore, (store: ObjectStore) => Promise<unknown>, string]>([
      [
        'a body reference whose object is missing',
        new MemoryObjectStore(),
        async () => ({ receivedAt: NOW, bodyRef: { key: `webhook-bodies/dt=2024-10-14/${'b'.repeat(64)}.json`, sha256: 'b'.repeat(64), bytes: 9 } }),
        'body_missing',
      ],
      [
        'a body store that fails',
        new UnreadableStore(),
        async () => ({ receivedAt: NOW, bodyRef: { key: `webhook-bodies/${'c'.repeat(64)}.json`, sha256: 'c'.repeat(64), bytes: 9 } }),
        'body_unreadable: StorageError',
      ],
    ])('%s', async (_name, store, makeDetail, reason) => {
      const { deps } = setup(store);
      const result = await writeWebhookEvents(
        [
          { id: 'later', detail: await makeDetail(store) },
          { id: 'now', detail: inline(joined) },
        ],
        deps,
      );
      expect(result).toMatchObject({ failedIds: ['later'], rejected: [], retrying: [{ id: 'later', reason }], written: 1 });
    });
  });

  it('fails every item that added rows when the flush fails, even if some partitions were written, and a retry writes them', async () => {
    const { store, deps } = setup();
    const items: QueuedWebhookEvent[] = [
      { id: 'm1', detail: inline(joined) },
      { id: 'm2', detail: inline(signedIn) },
      { id: 'm3', detail: inline(trashed) },
      { id: 'bad', detail: inline('[]') },
    ];
    store.failNext = 1;
    const first = await writeWebhookEvents(items, deps);
    expect(first.failedIds.sort()).toEqual(['bad', 'm1', 'm2', 'm3']);
    expect(first.written).toBe(0);
    expect(first.rejected.map((p) => p.id)).toEqual(['bad']);
    expect(first.retrying).toEqual(['m1', 'm2', 'm3'].map((id) => ({ id, reason: 'lake_write_failed: StorageError' })));
    expect(store.objects.size).toBeGreaterThan(0);

    // SQS redelivers the failed items; the queue consumer builds a fresh writer per batch.
    const retry = await writeWebhookEvents(
      items.filter((i) => first.failedIds.includes(i.id)),
      setup(store, 'b').deps,
    );
    expect(retry).toMatchObject({ failedIds: ['bad'], written: 3 });
    const raw = await readTable(store, 'webhook_events');
    expect(new Set(raw.map((r) => r.raw))).toEqual(new Set([joined, signedIn, trashed]));
  });

  it('does not flush when nothing was added', async () => {
    const { store, deps } = setup();
    expect(await writeWebhookEvents([{ id: 'bad', detail: null }], deps)).toMatchObject({ failedIds: ['bad'], written: 0 });
    expect(await writeWebhookEvents([], deps)).toEqual({ failedIds: [], written: 0, rejected: [], retrying: [], incomplete: [] });
    expect(store.objects.size).toBe(0);
  });

  it.each([
    ['redelivered by SQS (same detail)', (body: string) => inline(body)],
    [
      'retried by Zoom (new receipt time and tracking id)',
      (body: string) => inline(body, { receivedAt: NOW + 300_000, trackingId: 'v=2.0;clid=aw1;rid=8' }),
    ],
  ])('gives the same record_ids to an event %s', async (_name, redeliver) => {
    const bodies = [joined, trashed, signedIn, unknownType];
    const once = new MemoryObjectStore();
    await writeWebhookEvents(
      bodies.map((b, i) => ({ id: `m${i}`, detail: inline(b) })),
      setup(once, 'a').deps,
    );
    const twice = new MemoryObjectStore();
    await writeWebhookEvents(
      bodies.map((b, i) => ({ id: `m${i}`, detail: inline(b) })),
      setup(twice, 'a').deps,
    );
    await writeWebhookEvents(
      bodies.map((b, i) => ({ id: `n${i}`, detail: redeliver(b) })),
      setup(twice, 'b').deps,
    );

    const first = await recordIds(once);
    const both = await recordIds(twice);
    expect(first.webhook_events).toHaveLength(4);
    expect(first.recording_events).toHaveLength(2);
    for (const table of Object.keys(first)) {
      expect(both[table]).toEqual(first[table]!.flatMap((id) => [id, id]));
    }
  });

  it.each([5_000, 100_000])('writes a body nested %i levels deep without breaking the batch', async (depth) => {
    const { store, deps } = setup();
    const deep = `{"event":"meeting.updated","event_ts":${EVENT_TS},"payload":{"object":{"id":85746382910},"old_object":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}`;
    const result = await writeWebhookEvents(
      [
        { id: 'deep', detail: inline(deep) },
        { id: 'm1', detail: inline(joined) },
      ],
      deps,
    );
    expect(result).toMatchObject({ failedIds: [], written: 2 });
    expect((await readTable(store, 'webhook_events')).map((r) => r.raw).sort()).toEqual([deep, joined].sort());
    expect(await readTable(store, 'meeting_events')).toEqual([expect.objectContaining({ meeting_id: '85746382910', event: 'meeting.updated' })]);
  });
});

describe('writeWebhookEvents keeps a batch of large referenced bodies within bounds', () => {
  /** A distinct body of about `pad` bytes with no typed table, so each group writes one webhook_events file. */
  const bodyOf = (n: number, pad = 1_000) =>
    webhookBody({
      event: 'workspace.checked_in',
      eventTs: EVENT_TS,
      payload: { account_id: 'AcctQm2X', object: { id: `w${n}`, note: 'x'.repeat(pad) } },
    });

  /**
   * A body store that records every read and write in order, how many reads were in flight at once, and can be
   * told to fail one read or one write. Reads yield to the event loop a few times, so overlapping reads really overlap.
   */
  class RecordingStore extends MemoryObjectStore {
    readonly log: ({ op: 'get'; key: string; bytes: number } | { op: 'put'; key: string })[] = [];
    inFlight = 0;
    maxInFlight = 0;
    failGet = new Set<string>();
    failPut = new Set<number>();
    private puts = 0;

    /** Forgets what setting up the test stored, so the log and the write count start with the batch. */
    reset(): void {
      this.log.length = 0;
      this.puts = 0;
    }

    override async get(key: string): Promise<Uint8Array | undefined> {
      this.inFlight += 1;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      try {
        for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
        if (this.failGet.has(key)) throw new StorageError(`could not get ${key}: SlowDown`, true);
        const bytes = await super.get(key);
        this.log.push({ op: 'get', key, bytes: bytes?.byteLength ?? 0 });
        return bytes;
      } finally {
        this.inFlight -= 1;
      }
    }

    override async put(key: string, body: Uint8Array): Promise<void> {
      if (this.failPut.has(++this.puts)) throw new StorageError(`could not put ${key}: InternalError`, true);
      this.log.push({ op: 'put', key });
      await super.put(key, body);
    }
  }

  /** `count` distinct bodies stored by reference, with their details in batch order. */
  async function referenced(store: MemoryObjectStore, count: number, pad = 1_000) {
    const bodies = Array.from({ length: count }, (_, i) => bodyOf(i, pad));
    const details = [];
    for (const body of bodies) details.push(await byRef(store, Buffer.from(body, 'utf8')));
    if (store instanceof RecordingStore) store.reset();
    return { bodies, items: details.map((detail, i) => ({ id: `m${i}`, detail })) };
  }

  it.each([
    [1, 1_000_000],
    [3, 1_000_000],
    [4, 3_500],
    [8, 1_000_000],
  ])('reads at most %i bodies at a time (group budget %i bytes)', async (fetchConcurrency, groupBytes) => {
    const store = new RecordingStore();
    const { items } = await referenced(store, 12);
    const result = await writeWebhookEvents(items, { ...setup(store).deps, limits: { fetchConcurrency, groupBytes } });
    expect(result).toMatchObject({ failedIds: [], written: 12 });
    const perGroup = Math.floor(groupBytes / items[0]!.detail.bodyRef.bytes);
    expect(store.maxInFlight).toBe(Math.min(fetchConcurrency, perGroup, 12));
  });

  it.each([1_000, 3_500, 10_000])('writes and releases each group of at most %i body bytes before reading the next', async (groupBytes) => {
    const store = new RecordingStore();
    const { bodies, items } = await referenced(store, 12);
    const size = items[0]!.detail.bodyRef.bytes;
    const { writer, deps } = setup(store);
    const result = await writeWebhookEvents(items, { ...deps, limits: { groupBytes } });
    expect(result).toMatchObject({ failedIds: [], written: 12 });
    expect(writer.pendingRows).toBe(0);

    // Split the log at each write: the bodies read between two writes are one group, and must fit the budget.
    const groups: number[][] = [[]];
    for (const entry of store.log) {
      if (entry.op === 'get') groups.at(-1)!.push(entry.bytes);
      else groups.push([]);
    }
    groups.pop();
    const perGroup = Math.max(1, Math.floor(groupBytes / size));
    expect(groups.map((g) => g.length)).toEqual(Array.from({ length: Math.ceil(12 / perGroup) }, (_, i) => Math.min(perGroup, 12 - i * perGroup)));
    const largest = Math.max(...items.map((i) => i.detail.bodyRef.bytes));
    for (const group of groups) expect(group.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(Math.max(groupBytes, largest));
    expect((await readTable(store, 'webhook_events')).map((r) => r.raw).sort()).toEqual([...bodies].sort());
  });

  it('fails only the records whose body is missing, unreadable, too large or of another size; every good record lands once', async () => {
    const store = new RecordingStore();
    const { bodies, items } = await referenced(store, 10);
    const huge = { receivedAt: NOW, bodyRef: { key: `webhook-bodies/${'e'.repeat(64)}.json`, sha256: 'e'.repeat(64), bytes: 6 * 1024 * 1024 + 1 } };
    const missing = { receivedAt: NOW, bodyRef: { key: `webhook-bodies/${'f'.repeat(64)}.json`, sha256: 'f'.repeat(64), bytes: 900 } };
    const shortBytes = Buffer.from(bodyOf(99), 'utf8');
    const mislabelled = await byRef(store, shortBytes);
    const unreadable = await byRef(store, Buffer.from(bodyOf(98), 'utf8'));
    store.failGet.add(unreadable.bodyRef.key);
    store.reset();
    const batch: QueuedWebhookEvent[] = [
      ...items.slice(0, 3),
      { id: 'huge', detail: huge },
      ...items.slice(3, 6),
      { id: 'missing', detail: missing },
      { id: 'mislabelled', detail: { ...mislabelled, bodyRef: { ...mislabelled.bodyRef, bytes: shortBytes.byteLength - 1 } } },
      ...items.slice(6, 8),
      { id: 'unreadable', detail: unreadable },
      ...items.slice(8),
    ];
    const result = await writeWebhookEvents(batch, { ...setup(store).deps, limits: { groupBytes: 4_000, fetchConcurrency: 2 } });

    expect(result.written).toBe(10);
    expect(result.rejected).toEqual([
      { id: 'huge', reason: `body_too_large: ${6 * 1024 * 1024 + 1} bytes, over ${6 * 1024 * 1024}` },
      { id: 'mislabelled', reason: 'body_size_mismatch' },
    ]);
    expect(result.retrying).toEqual([
      { id: 'missing', reason: 'body_missing' },
      { id: 'unreadable', reason: 'body_unreadable: StorageError' },
    ]);
    expect(result.failedIds).toEqual(['huge', 'mislabelled', 'missing', 'unreadable']);
    expect(store.log.some((e) => e.key === huge.bodyRef.key)).toBe(false);
    const raw = await readTable(store, 'webhook_events');
    expect(raw.map((r) => r.raw).sort()).toEqual([...bodies].sort());
    expect(new Set(raw.map((r) => r.record_id)).size).toBe(10);
  });

  it('fails only the group whose write fails, drops its rows, and keeps the groups written before and after', async () => {
    const store = new RecordingStore();
    const { bodies, items } = await referenced(store, 9);
    store.failPut.add(2);
    const { writer, deps } = setup(store);
    const result = await writeWebhookEvents(items, { ...deps, limits: { groupBytes: 3 * items[0]!.detail.bodyRef.bytes } });

    expect(result.written).toBe(6);
    expect(result.rejected).toEqual([]);
    expect(result.retrying).toEqual(['m3', 'm4', 'm5'].map((id) => ({ id, reason: 'lake_write_failed: StorageError' })));
    expect(result.failedIds).toEqual(['m3', 'm4', 'm5']);
    expect(writer.pendingRows).toBe(0);
    const raw = (await readTable(store, 'webhook_events')).map((r) => r.raw);
    expect(raw.sort()).toEqual([...bodies.slice(0, 3), ...bodies.slice(6)].sort());

    // SQS redelivers the three; a fresh batch writes them, and every body is then in the lake exactly once.
    const retry = await writeWebhookEvents(
      items.filter((i) => result.failedIds.includes(i.id)),
      setup(store, 'b').deps,
    );
    expect(retry).toMatchObject({ failedIds: [], written: 3 });
    expect((await readTable(store, 'webhook_events')).map((r) => r.raw).sort()).toEqual([...bodies].sort());
  });

  it.each<[string, number[], string[]]>([
    ['plenty of time throughout', [120_000, 90_000, 60_000], []],
    ['time running short before the third group', [120_000, 60_000, 29_999], ['m6', 'm7', 'm8']],
    ['time already short at the start', [10_000], ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8']],
  ])('hands back unread the groups it has no time for: %s', async (_name, left, deferred) => {
    const store = new RecordingStore();
    const { bodies, items } = await referenced(store, 9);
    let call = 0;
    const remainingMs = () => left[Math.min(call++, left.length - 1)]!;
    const result = await writeWebhookEvents(items, {
      ...setup(store).deps,
      remainingMs,
      limits: { groupBytes: 3 * items[0]!.detail.bodyRef.bytes, reserveMs: 30_000 },
    });

    expect(result.retrying).toEqual(deferred.map((id) => ({ id, reason: 'out_of_time' })));
    expect(result.written).toBe(9 - deferred.length);
    const deferredKeys = new Set(items.filter((i) => deferred.includes(i.id)).map((i) => i.detail.bodyRef.key));
    expect(store.log.filter((e) => deferredKeys.has(e.key))).toEqual([]);
    const raw = (await readTable(store, 'webhook_events')).map((r) => r.raw);
    expect(raw.sort()).toEqual(bodies.filter((_, i) => !deferred.includes(`m${i}`)).sort());
  });

  it('writes a body larger than the group budget in a group of its own', async () => {
    const store = new RecordingStore();
    const small = await referenced(store, 2);
    const big = await byRef(store, Buffer.from(bodyOf(50, 20_000), 'utf8'));
    const items = [small.items[0]!, { id: 'big', detail: big }, small.items[1]!];
    store.reset();
    const result = await writeWebhookEvents(items, { ...setup(store).deps, limits: { groupBytes: 5_000 } });
    expect(result).toMatchObject({ failedIds: [], written: 3 });
    expect(store.log.map((e) => e.op)).toEqual(['get', 'put', 'get', 'put', 'get', 'put']);
  });
});

describe('webhookDetailSchema', () => {
  it.each([
    ['an inline body', { receivedAt: NOW, body: '{}' }, true],
    ['an inline body with a tracking id', { receivedAt: NOW, trackingId: 't', body: '{}' }, true],
    ['a body reference', { receivedAt: NOW, bodyRef: { key: 'webhook-bodies/dt=2024-10-14/a.json', sha256: 'a'.repeat(64), bytes: 10 } }, true],
    ['a negative size', { receivedAt: NOW, bodyRef: { key: 'webhook-bodies/a.json', sha256: 'a'.repeat(64), bytes: -1 } }, false],
    ['an upper-case hash', { receivedAt: NOW, bodyRef: { key: 'webhook-bodies/a.json', sha256: 'A'.repeat(64), bytes: 1 } }, false],
    ['a non-string body', { receivedAt: NOW, body: { event: 'x' } }, false],
    ['a non-integer receivedAt', { receivedAt: NOW + 0.5, body: '{}' }, false],
  ])('%s -> %s', (_name, detail, ok) => {
    expect(webhookDetailSchema.safeParse(detail).success).toBe(ok);
  });
});

describe('queuedWebhookEvent', () => {
  it.each([
    [
      'an EventBridge event from the receiver',
      JSON.stringify({
        version: '0',
        id: 'e1',
        'detail-type': 'meeting.started',
        source: 'zoomlake.webhook',
        account: '123456789012',
        time: '2024-10-14T15:01:00Z',
        region: 'eu-west-1',
        resources: [],
        detail: { receivedAt: NOW, body: '{}' },
      }),
      { id: 'q', detail: { receivedAt: NOW, body: '{}' } },
    ],
    ['a body that is not JSON', '{"detail-type":', { id: 'q', reason: 'message_not_json' }],
    [
      'an event from another source',
      JSON.stringify({ 'detail-type': 'x', source: 'aws.s3', detail: {} }),
      { id: 'q', reason: 'message_not_webhook_event' },
    ],
    ['JSON that is not an event', '[1,2]', { id: 'q', reason: 'message_not_webhook_event' }],
  ])('reads %s', (_name, body, expected) => {
    expect(queuedWebhookEvent('q', body)).toEqual(expected);
  });
});

describe('reasonCounts', () => {
  it('counts by the code before the colon', () => {
    expect(
      reasonCounts([
        { id: 'a', reason: 'not_envelope: body is not valid JSON' },
        { id: 'b', reason: 'not_envelope: "payload" is not an object' },
        { id: 'c', reason: 'body_missing' },
      ]),
    ).toEqual({ not_envelope: 2, body_missing: 1 });
  });
});
