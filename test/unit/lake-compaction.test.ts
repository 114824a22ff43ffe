import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { StorageError } from '#core/errors.ts';
import { compactLake, compactionDays, compactTableDay, type CompactionLimits } from '#core/lake/compaction.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import type { ObjectStore } from '#core/ports.ts';
import { getTable } from '#core/schema/registry.ts';
import type { Row } from '#core/schema/types.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';
import { sampleRow } from '../support/sample-rows.ts';
import { encodeParquetReference } from '../support/reference-parquet.ts';

const TABLE = 'recordings';
const DT = '2026-11-20';
const DAY = Date.UTC(2026, 10, 20);
const PREFIX = `zoom/${TABLE}/dt=${DT}/`;
const LIMITS: CompactionLimits = { maxRowsPerFile: 1000, maxCachedBytes: 1 << 30 };

/** A recording row of DT: `file` names the record (its natural key), `status` a field a later copy may change. */
function rec(file: string, status = 'processing', day = DAY): Row {
  return { ...sampleRow(getTable(TABLE), 0), meeting_uuid: `m-${file}`, file_id: file, start_time: day + 3_600_000, status };
}

let fileNo = 0;
/** Writes `rows` as one lake file (the real writer), ingested at `ingestedAt`; returns its key. */
async function writeFile(store: ObjectStore, rows: readonly Row[], ingestedAt: number, table = TABLE): Promise<string> {
  const writer = new LakeWriter({ store, clock: new FakeClock(ingestedAt), newId: () => String(fileNo++).padStart(6, '0'), writerId: 'poller-test' });
  for (const row of rows) expect(writer.add(table, row)).toMatchObject({ ok: true });
  const [file] = await writer.flush();
  return file!.key;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** The rows of one file as plain values (timestamps and bigints as numbers). */
async function rowsOf(store: MemoryObjectStore, key: string): Promise<Record<string, unknown>[]> {
  const rows = await parquetReadObjects({ file: toArrayBuffer(store.objects.get(key)!) });
  const plain = (v: unknown) => (v instanceof Date ? v.getTime() : typeof v === 'bigint' ? Number(v) : (v ?? null));
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])));
}

/** What the de-duplicating view shows of the day: per record_id the copy with the latest ingested_at, sorted by id. */
async function viewOf(store: MemoryObjectStore, prefix = PREFIX): Promise<Record<string, unknown>[]> {
  const best = new Map<string, Record<string, unknown>>();
  for (const key of await store.list(prefix)) {
    for (const row of await rowsOf(store, key)) {
      const prior = best.get(row.record_id as string);
      if (!prior || (row.ingested_at as number) > (prior.ingested_at as number)) best.set(row.record_id as string, row);
    }
  }
  return [...best.values()].sort((a, b) => String(a.record_id).localeCompare(String(b.record_id)));
}

/** Every row of the day's files, copies included. */
async function allRows(store: MemoryObjectStore, prefix = PREFIX): Promise<Record<string, unknown>[]> {
  const out = [];
  for (const key of await store.list(prefix)) out.push(...(await rowsOf(store, key)));
  return out;
}

const compacted = (key: string) => /\/compacted-[0-9a-f]{16}-\d{4}\.parquet$/.test(key);

describe('compactTableDay', () => {
  it.each([
    {
      name: 'copies across files: the latest copy of each record, in one file',
      files: [
        [rec('a', 'processing'), rec('b')],
        [rec('a', 'completed'), rec('c')],
        [rec('b'), rec('c')],
      ],
      outcome: 'compacted',
      rowsRead: 6,
      statusOfA: 'completed',
    },
    {
      name: 'an earlier file holding the later copy (ingestion time decides, not file order)',
      files: [[rec('a', 'completed')], [rec('a', 'processing')]],
      ingested: [DAY + 9e6, DAY + 1e6],
      outcome: 'compacted',
      rowsRead: 2,
      statusOfA: 'completed',
    },
    { name: 'one file: left as it is, copies and all', files: [[rec('a'), rec('a', 'completed')]], outcome: 'already_compact', rowsRead: 0 },
    { name: 'no file', files: [], outcome: 'empty', rowsRead: 0 },
  ])('$name', async ({ files, ingested, outcome, rowsRead, statusOfA }) => {
    const store = new MemoryObjectStore();
    const sources = [];
    for (const [i, rows] of files.entries()) sources.push(await writeFile(store, rows, ingested?.[i] ?? DAY + (i + 1) * 1e6));
    const before = await viewOf(store);

    const result = await compactTableDay(store, TABLE, DT, LIMITS);

    expect(result).toMatchObject({ table: TABLE, dt: DT, outcome, rowsRead });
    expect(await viewOf(store)).toEqual(before);
    if (statusOfA !== undefined) expect(before.find((r) => r.file_id === 'a')?.status).toBe(statusOfA);
    const after = await store.list(PREFIX);
    if (outcome === 'compacted') {
      expect(after).toEqual(result.written);
      expect(after.every(compacted)).toBe(true);
      expect(sources.some((k) => store.objects.has(k))).toBe(false);
      // One row per record: the file needs no de-duplication.
      expect((await allRows(store)).length).toBe(before.length);
      expect(result.rowsWritten).toBe(before.length);
    } else {
      expect(after).toEqual(sources);
      expect(result.written).toEqual([]);
    }
  });

  it('writes the same Parquet schema as the writer: record_id and ingested_at typed as the writer writes them', async () => {
    const store = new MemoryObjectStore();
    const source = await writeFile(store, [rec('a')], DAY + 1e6);
    const sourceSchema = parquetMetadata(toArrayBuffer(store.objects.get(source)!)).schema;
    await writeFile(store, [rec('b')], DAY + 2e6);
    const { written } = await compactTableDay(store, TABLE, DT, LIMITS);
    const schema = parquetMetadata(toArrayBuffer(store.objects.get(written[0]!)!)).schema;
    expect(schema).toEqual(sourceSchema);
    // And the reference encoder's schema for the same table, independent of the writer's.
    const reference = parquetMetadata(
      toArrayBuffer(encodeParquetReference(getTable(TABLE), [{ ...rec('a'), record_id: 'x', ingested_at: DAY }])),
    ).schema;
    expect(schema).toEqual(reference);
  });

  it('leaves a file that arrives after the listing, and folds it in on the next run', async () => {
    const inner = new MemoryObjectStore();
    await writeFile(inner, [rec('a', 'processing'), rec('b')], DAY + 1e6);
    await writeFile(inner, [rec('c')], DAY + 2e6);
    let late: string | undefined;
    // A poller re-reading the day writes right after the compaction listed it.
    const store: ObjectStore = {
      put: (k, b) => inner.put(k, b),
      get: (k) => inner.get(k),
      delete: (k) => inner.delete(k),
      list: async (p) => {
        const keys = await inner.list(p);
        late ??= await writeFile(inner, [rec('a', 'completed'), rec('d')], DAY + 3e6);
        return keys;
      },
    };

    const first = await compactTableDay(store, TABLE, DT, LIMITS);

    expect(first).toMatchObject({ outcome: 'compacted', sourceFiles: 2, rowsWritten: 3 });
    expect(await inner.list(PREFIX)).toEqual([...first.written, late].sort());
    const view = await viewOf(inner);
    expect(view.map((r) => [r.file_id, r.status])).toEqual(
      expect.arrayContaining([
        ['a', 'completed'],
        ['d', 'processing'],
      ]),
    );

    const second = await compactTableDay(inner, TABLE, DT, LIMITS);
    expect(second).toMatchObject({ outcome: 'compacted', sourceFiles: 2, rowsRead: 5, rowsWritten: 4 });
    expect(await inner.list(PREFIX)).toEqual(second.written);
    expect(await viewOf(inner)).toEqual(view);
  });

  it.each([
    { name: 'before any delete', deletesBeforeCrash: 0 },
    { name: 'after some deletes', deletesBeforeCrash: 2 },
    { name: 'after every delete but the last', deletesBeforeCrash: 3 },
  ])('reruns to the same records after a crash $name', async ({ deletesBeforeCrash }) => {
    const store = new MemoryObjectStore();
    for (let i = 0; i < 4; i++) await writeFile(store, [rec('a', `s${i}`), rec(`only-${i}`)], DAY + (i + 1) * 1e6);
    const before = await viewOf(store);
    let deletes = 0;
    const crashing: ObjectStore = {
      put: (k, b) => store.put(k, b),
      get: (k) => store.get(k),
      list: (p) => store.list(p),
      delete: async (k) => {
        if (deletes++ >= deletesBeforeCrash) throw new Error('crashed');
        await store.delete(k);
      },
    };

    await expect(compactTableDay(crashing, TABLE, DT, LIMITS)).rejects.toThrow('crashed');
    // Mid-way, the compacted file beside what is left of its sources changes nothing the view shows.
    expect(await viewOf(store)).toEqual(before);
    expect((await store.list(PREFIX)).length).toBe(1 + 4 - deletesBeforeCrash);

    const rerun = await compactTableDay(store, TABLE, DT, LIMITS);
    expect(rerun.outcome).toBe('compacted');
    expect(await store.list(PREFIX)).toEqual(rerun.written);
    expect(await viewOf(store)).toEqual(before);
    expect((await allRows(store)).length).toBe(before.length);
    expect(await compactTableDay(store, TABLE, DT, LIMITS)).toMatchObject({ outcome: 'already_compact' });
  });

  it('reruns after a crash between two output files of a split day', async () => {
    const store = new MemoryObjectStore();
    for (let i = 0; i < 3; i++)
      await writeFile(
        store,
        [0, 1, 2].map((j) => rec(`r${i}-${j}`)),
        DAY + (i + 1) * 1e6,
      );
    const before = await viewOf(store);
    let puts = 0;
    const crashing: ObjectStore = {
      put: async (k, b) => {
        if (puts++ === 1) throw new Error('crashed');
        await store.put(k, b);
      },
      get: (k) => store.get(k),
      list: (p) => store.list(p),
      delete: (k) => store.delete(k),
    };
    const limits = { ...LIMITS, maxRowsPerFile: 4 };
    await expect(compactTableDay(crashing, TABLE, DT, limits)).rejects.toThrow('crashed');
    expect(await store.list(PREFIX)).toHaveLength(4);
    expect(await viewOf(store)).toEqual(before);

    const rerun = await compactTableDay(store, TABLE, DT, limits);
    expect(rerun).toMatchObject({ outcome: 'compacted', sourceFiles: 4, rowsWritten: 9 });
    expect(await viewOf(store)).toEqual(before);
    expect((await allRows(store)).length).toBe(9);
  });

  it.each([
    { maxRowsPerFile: 3, files: [3, 3, 3, 1] },
    { maxRowsPerFile: 5, files: [5, 5] },
    { maxRowsPerFile: 10, files: [10] },
    { maxRowsPerFile: 100, files: [10] },
  ])('splits a day of 10 records into files of at most $maxRowsPerFile rows', async ({ maxRowsPerFile, files }) => {
    const store = new MemoryObjectStore();
    for (let i = 0; i < 5; i++) await writeFile(store, [rec(`x${i}`), rec(`y${i}`), rec(`x${(i + 1) % 5}`, `again-${i}`)], DAY + (i + 1) * 1e6);
    const before = await viewOf(store);
    expect(before).toHaveLength(10);

    const result = await compactTableDay(store, TABLE, DT, { ...LIMITS, maxRowsPerFile });

    expect(await Promise.all(result.written.map(async (k) => (await rowsOf(store, k)).length))).toEqual(files);
    expect(await store.list(PREFIX)).toEqual(result.written);
    expect(await viewOf(store)).toEqual(before);
    // A split day is compact: the next run leaves its files alone.
    expect(await compactTableDay(store, TABLE, DT, { ...LIMITS, maxRowsPerFile })).toMatchObject({ outcome: 'already_compact' });
    expect(await store.list(PREFIX)).toEqual(result.written);
  });

  it.each([
    { maxCachedBytes: 1 << 30, gets: 3 },
    { maxCachedBytes: 0, gets: 6 },
  ])('reads each file once while it fits the cache, twice past it (maxCachedBytes $maxCachedBytes)', async ({ maxCachedBytes, gets }) => {
    const store = new MemoryObjectStore();
    for (let i = 0; i < 3; i++) await writeFile(store, [rec(`k${i}`)], DAY + (i + 1) * 1e6);
    const before = await viewOf(store);
    const result = await compactTableDay(store, TABLE, DT, { maxRowsPerFile: 1000, maxCachedBytes });
    expect(result.gets).toBe(gets);
    expect(await viewOf(store)).toEqual(before);
  });

  it.each([
    { name: 'not Parquet', body: () => new TextEncoder().encode('not parquet at all'), message: 'not a readable lake file' },
    {
      name: "another table's file",
      body: () =>
        encodeParquetReference(getTable('activities'), [{ ...sampleRow(getTable('activities'), 0), time: DAY, record_id: 'x', ingested_at: DAY }]),
      message: 'not in table recordings',
    },
  ])('refuses a day holding a file that is $name, naming it, and deletes nothing', async ({ body, message }) => {
    const store = new MemoryObjectStore();
    await writeFile(store, [rec('a')], DAY + 1e6);
    await store.put(`${PREFIX}zz-foreign.parquet`, body());
    const keys = await store.list(PREFIX);
    const error = await compactTableDay(store, TABLE, DT, LIMITS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ retryable: false, message: expect.stringContaining(`${PREFIX}zz-foreign.parquet`) });
    expect((error as Error).message).toContain(message);
    expect(await store.list(PREFIX)).toEqual(keys);
  });

  it('stops with a retryable error, deleting nothing, when a listed file vanishes before it is read', async () => {
    const store = new MemoryObjectStore();
    const first = await writeFile(store, [rec('a')], DAY + 1e6);
    await writeFile(store, [rec('b')], DAY + 2e6);
    const vanishing: ObjectStore = {
      put: (k, b) => store.put(k, b),
      get: async (k) => (k === first ? undefined : store.get(k)),
      list: (p) => store.list(p),
      delete: (k) => store.delete(k),
    };
    await expect(compactTableDay(vanishing, TABLE, DT, LIMITS)).rejects.toMatchObject({ name: 'StorageError', retryable: true });
    expect(await store.list(PREFIX)).toHaveLength(2);
  });

  it('touches only the day it is given', async () => {
    const store = new MemoryObjectStore();
    await writeFile(store, [rec('a')], DAY + 1e6);
    await writeFile(store, [rec('b')], DAY + 2e6);
    const otherDay = [
      await writeFile(store, [rec('a', 'x', DAY + 86_400_000)], DAY + 1e6),
      await writeFile(store, [rec('c', 'x', DAY + 86_400_000)], DAY + 2e6),
    ];
    await compactTableDay(store, TABLE, DT, LIMITS);
    expect(await store.list(`zoom/${TABLE}/dt=2026-11-21/`)).toEqual(otherDay);
  });
});

describe('compactionDays', () => {
  it.each([
    { now: '2026-11-21T03:30:00Z', lookback: 0, days: ['2026-11-20'] },
    { now: '2026-11-21T00:00:00Z', lookback: 2, days: ['2026-11-20', '2026-11-19', '2026-11-18'] },
    { now: '2026-03-01T23:59:59Z', lookback: 1, days: ['2026-02-28', '2026-02-27'] },
  ])('at $now with lookback $lookback: $days', ({ now, lookback, days }) => {
    expect(compactionDays(Date.parse(now), lookback)).toEqual(days);
  });

  it('refuses a negative lookback', () => {
    expect(() => compactionDays(DAY, -1)).toThrow('lookbackDays');
  });
});

describe('compactLake', () => {
  it('compacts every table and day given, and reports a failing table-day without stopping the others', async () => {
    const store = new MemoryObjectStore();
    await writeFile(store, [rec('a')], DAY + 1e6);
    await writeFile(store, [rec('b')], DAY + 2e6);
    const activity = (i: number) => ({ ...sampleRow(getTable('activities'), 0), time: DAY + i });
    await writeFile(store, [activity(1)], DAY + 1e6, 'activities');
    await writeFile(store, [activity(2)], DAY + 2e6, 'activities');
    await store.put(`zoom/activities/dt=${DT}/broken.parquet`, new Uint8Array([1, 2, 3]));

    const run = await compactLake(store, ['activities', TABLE, 'users'], [DT, '2026-11-19'], LIMITS);

    expect(run.failures).toEqual([expect.objectContaining({ table: 'activities', dt: DT, retryable: false })]);
    expect(run.days.map((d) => [d.table, d.dt, d.outcome])).toEqual([
      [TABLE, DT, 'compacted'],
      ['users', DT, 'empty'],
      ['activities', '2026-11-19', 'empty'],
      [TABLE, '2026-11-19', 'empty'],
      ['users', '2026-11-19', 'empty'],
    ]);
    expect(await store.list(`zoom/activities/dt=${DT}/`)).toHaveLength(3);
  });
});
