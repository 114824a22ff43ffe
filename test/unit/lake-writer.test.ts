import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { StorageError } from '#core/errors.ts';
import { LakeWriter, lakeObjectKey } from '#core/lake/writer.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';

const clock = { now: () => Date.UTC(2024, 5, 1, 12) };
function makeWriter(store = new MemoryObjectStore()) {
  let n = 0;
  const writer = new LakeWriter({ store, clock, newId: () => `id${++n}`, writerId: 'test' });
  return { store, writer };
}
const signIn = (hour: number, day = 1, email = 'ann@example.com') => ({
  email,
  time: Date.UTC(2024, 4, day, hour),
  type: 'Sign in',
  ip_address: '203.0.113.7',
  client_type: 'Mac',
  version: '6.1.0',
});

async function readFile(store: MemoryObjectStore, key: string) {
  const bytes = store.objects.get(key)!;
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return { metadata: parquetMetadata(file), rows: await parquetReadObjects({ file }) };
}

describe('LakeWriter', () => {
  it('writes one file per (table, dt) under zoom/<table>/dt=<dt>/', async () => {
    const { store, writer } = makeWriter();
    writer.add('activities', signIn(1, 1));
    writer.add('activities', signIn(23, 1));
    writer.add('activities', signIn(0, 2));
    writer.add('operation_logs', { time: Date.UTC(2024, 4, 1, 5), operator: 'admin@example.com', action: 'Update' });
    const files = await writer.flush();
    expect(files.map((f) => [f.key, f.rows])).toEqual([
      ['zoom/activities/dt=2024-05-01/test-id1.parquet', 2],
      ['zoom/activities/dt=2024-05-02/test-id2.parquet', 1],
      ['zoom/operation_logs/dt=2024-05-01/test-id3.parquet', 1],
    ]);
    expect([...store.objects.keys()].sort()).toEqual(files.map((f) => f.key).sort());
    expect(writer.pendingRows).toBe(0);
  });

  it('drops every buffered row on discard, so a later flush writes only rows added after it', async () => {
    const { store, writer } = makeWriter();
    writer.add('activities', signIn(1, 1));
    writer.add('operation_logs', { time: Date.UTC(2024, 4, 1, 5), operator: 'admin@example.com', action: 'Update' });
    expect(writer.discard()).toBe(2);
    expect(writer.pendingRows).toBe(0);
    expect(await writer.flush()).toEqual([]);
    writer.add('activities', signIn(2, 1, 'bob@example.com'));
    const files = await writer.flush();
    expect(files.map((f) => [f.table, f.rows])).toEqual([['activities', 1]]);
    expect((await readFile(store, files[0]!.key)).rows.map((r) => r.email)).toEqual(['bob@example.com']);
  });

  it('rejects a bad row alone and still writes the good ones', async () => {
    const { store, writer } = makeWriter();
    expect(writer.add('activities', signIn(1)).ok).toBe(true);
    const bad = writer.add('activities', { ...signIn(2), time: 'yesterday' });
    expect(bad).toEqual({ ok: false, problems: ['activities.time: expected epoch milliseconds between 2000 and 2200'] });
    expect(writer.add('activities', signIn(3)).ok).toBe(true);
    const [file] = await writer.flush();
    expect((await readFile(store, file!.key)).rows.map((r) => r.time)).toEqual([signIn(1).time, signIn(3).time].map((t) => new Date(t)));
  });

  it('keeps a group buffered when its write fails, and writes it on the next flush', async () => {
    const { store, writer } = makeWriter();
    writer.add('activities', signIn(1));
    store.failNext = 1;
    await expect(writer.flush()).rejects.toThrow(StorageError);
    const files = await writer.flush();
    expect(files.map((f) => f.rows)).toEqual([1]);
    expect(writer.pendingRows).toBe(0);
    expect([...store.objects.keys()]).toEqual([files[0]!.key]);
  });

  it('names the failed partitions and marks the error retryable', async () => {
    const { store, writer } = makeWriter();
    writer.add('activities', signIn(1));
    store.failNext = 1;
    const error = await writer.flush().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).retryable).toBe(true);
    expect((error as StorageError).message).toContain('activities/dt=2024-05-01');
    expect(writer.pendingRows).toBe(1);
  });

  it('gives the same record_id to the same record added twice', () => {
    const { writer } = makeWriter();
    const a = writer.add('activities', signIn(1));
    const b = writer.add('activities', signIn(1));
    const c = writer.add('activities', signIn(1, 1, 'bob@example.com'));
    expect(a.ok && b.ok && c.ok).toBe(true);
    if (a.ok && b.ok && c.ok) {
      expect(a.recordId).toBe(b.recordId);
      expect(c.recordId).not.toBe(a.recordId);
    }
  });

  it('writes Snappy-compressed files, dictionary-encoding repeated strings', async () => {
    const { store, writer } = makeWriter();
    for (let i = 0; i < 50; i++) writer.add('activities', signIn(i % 24));
    const [file] = await writer.flush();
    const { metadata } = await readFile(store, file!.key);
    const chunks = metadata.row_groups[0]!.columns.map((c) => c.meta_data!);
    expect(new Set(chunks.map((c) => c.codec))).toEqual(new Set(['SNAPPY']));
    const email = chunks.find((c) => c.path_in_schema[0] === 'email')!;
    expect(email.encodings).toContain('RLE_DICTIONARY');
  });

  it('throws on an unknown table instead of guessing', () => {
    const { writer } = makeWriter();
    expect(() => writer.add('activity', signIn(1))).toThrow('unknown lake table "activity"');
  });

  it('builds keys from the registry prefix', () => {
    expect(lakeObjectKey('users', '2024-01-01', 'poller-users', 'u')).toBe('zoom/users/dt=2024-01-01/poller-users-u.parquet');
  });
});
