import { describe, expect, it } from 'vitest';
import { StorageError } from '#core/errors.ts';
import type { ObjectStore } from '#core/ports.ts';

/** Makes a store with its own empty key space, so tests do not see each other's objects. */
export type ObjectStoreFactory = () => Promise<ObjectStore>;

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Puts many objects with a bounded number in flight. */
async function putAll(store: ObjectStore, keys: readonly string[], concurrency = 25): Promise<void> {
  for (let i = 0; i < keys.length; i += concurrency) {
    await Promise.all(keys.slice(i, i + concurrency).map((key) => store.put(key, bytes(key))));
  }
}

/** The ObjectStore semantics every adapter must share (ports.ts). */
export function objectStoreContract(name: string, makeStore: ObjectStoreFactory): void {
  describe(`ObjectStore contract: ${name}`, () => {
    it('round-trips binary bytes exactly', async () => {
      const store = await makeStore();
      const body = new Uint8Array(512);
      for (let i = 0; i < body.length; i++) body[i] = (i * 7 + 3) % 256;
      await store.put('zoom/raw/blob.bin', body, { contentType: 'application/octet-stream' });
      expect(await store.get('zoom/raw/blob.bin')).toEqual(body);
    });

    it('round-trips an empty object', async () => {
      const store = await makeStore();
      await store.put('empty', new Uint8Array());
      expect(await store.get('empty')).toEqual(new Uint8Array());
    });

    it.each([
      ['a key never written', 'zoom/none.parquet'],
      ['a key that is only a folder of other keys', 'zoom/t'],
      ['a key below an existing object', 'zoom/t/a.bin/deeper'],
    ])('returns undefined for %s', async (_case, key) => {
      const store = await makeStore();
      await store.put('zoom/t/a.bin', bytes('a'));
      expect(await store.get(key)).toBeUndefined();
    });

    it('overwrites an object in place', async () => {
      const store = await makeStore();
      await store.put('zoom/t/x.json', bytes('first version, longer'));
      await store.put('zoom/t/x.json', bytes('second'));
      expect(new TextDecoder().decode(await store.get('zoom/t/x.json'))).toBe('second');
      expect(await store.list('zoom/')).toEqual(['zoom/t/x.json']);
    });

    it('deletes one object, leaving its neighbours; deleting a missing key is no error', async () => {
      const store = await makeStore();
      await putAll(store, ['zoom/t/dt=2024-01-01/a.parquet', 'zoom/t/dt=2024-01-01/b.parquet']);
      await store.delete('zoom/t/dt=2024-01-01/a.parquet');
      expect(await store.get('zoom/t/dt=2024-01-01/a.parquet')).toBeUndefined();
      expect(await store.list('zoom/t/')).toEqual(['zoom/t/dt=2024-01-01/b.parquet']);
      await store.delete('zoom/t/dt=2024-01-01/a.parquet');
      await store.delete('zoom/never/written.parquet');
      expect(await store.list('zoom/')).toEqual(['zoom/t/dt=2024-01-01/b.parquet']);
    });

    it('lists only keys under the prefix, sorted', async () => {
      const store = await makeStore();
      const keys = [
        'zoom/activities_raw/dt=2024-01-02/b.parquet',
        'zoom/activities/dt=2024-01-01/z.parquet',
        'zoom/activities/dt=2024-01-01/a.parquet',
        'zoom/activities/dt=2023-12-31/m.parquet',
        'other/activities/x.parquet',
        'zoomed.txt',
      ];
      await putAll(store, keys);
      expect(await store.list('zoom/activities/')).toEqual([
        'zoom/activities/dt=2023-12-31/m.parquet',
        'zoom/activities/dt=2024-01-01/a.parquet',
        'zoom/activities/dt=2024-01-01/z.parquet',
      ]);
      expect(await store.list('zoom/act')).toEqual([
        'zoom/activities/dt=2023-12-31/m.parquet',
        'zoom/activities/dt=2024-01-01/a.parquet',
        'zoom/activities/dt=2024-01-01/z.parquet',
        'zoom/activities_raw/dt=2024-01-02/b.parquet',
      ]);
      expect(await store.list('zoom')).toEqual([
        'zoom/activities/dt=2023-12-31/m.parquet',
        'zoom/activities/dt=2024-01-01/a.parquet',
        'zoom/activities/dt=2024-01-01/z.parquet',
        'zoom/activities_raw/dt=2024-01-02/b.parquet',
        'zoomed.txt',
      ]);
      expect(await store.list('')).toEqual([...keys].sort());
      expect(await store.list('missing/')).toEqual([]);
    });

    it('lists past 1000 keys (S3 returns at most 1000 per page)', async () => {
      const store = await makeStore();
      const keys = Array.from({ length: 1005 }, (_, i) => `zoom/many/dt=2024-01-01/${String(i).padStart(4, '0')}.json`);
      await putAll(store, [...keys].reverse());
      const listed = await store.list('zoom/many/');
      expect(listed).toHaveLength(1005);
      expect(listed).toEqual(keys);
    });

    it.each([
      ['a partition key', 'zoom/user_events/dt=2024-01-01/webhook-1.parquet', 'zoom/user_events/dt=2024-01-01/'],
      ['several "=" and a space', 'zoom/t/dt=2024-01-01/a=b c.json', 'zoom/t/dt='],
      ['non-ASCII characters', 'zoom/t/dt=2024-01-01/réunion-会議.json', 'zoom/t/'],
    ])('handles keys with %s', async (_case, key, prefix) => {
      const store = await makeStore();
      await store.put(key, bytes('row'));
      expect(new TextDecoder().decode(await store.get(key))).toBe('row');
      expect(await store.list(prefix)).toEqual([key]);
    });

    it.each([
      ['empty', ''],
      ['absolute', '/zoom/a.json'],
      ['parent segment', 'zoom/../secrets'],
      ['leading parent segment', '../outside'],
      ['current-folder segment', 'zoom/./a.json'],
      ['empty segment', 'zoom//a.json'],
      ['trailing slash', 'zoom/t/'],
      ['backslash', 'zoom\\a.json'],
    ])('rejects a %s key with a non-retryable error naming the problem', async (_case, key) => {
      const store = await makeStore();
      for (const attempt of [() => store.put(key, bytes('x')), () => store.get(key), () => store.delete(key)]) {
        const err = await attempt().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(StorageError);
        expect(err).toMatchObject({ retryable: false, message: expect.stringContaining('invalid object key') });
      }
      expect(await store.list('')).toEqual([]);
    });

    it.each([['../'], ['/zoom'], ['zoom//t']])('rejects the list prefix %j', async (prefix) => {
      const store = await makeStore();
      await expect(store.list(prefix)).rejects.toMatchObject({ name: 'StorageError', retryable: false });
    });
  });
}
