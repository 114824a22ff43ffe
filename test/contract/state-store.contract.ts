import { describe, expect, it } from 'vitest';
import { ConditionFailedError, StorageError } from '#core/errors.ts';
import type { StateItem, StateStore, WriteCondition } from '#core/ports.ts';
import { FakeClock } from '../fakes/fake-clock.ts';

/** A store under test plus a way to open a second instance on the same backing data. */
export interface StateStoreHarness {
  readonly store: StateStore;
  reopen(): StateStore;
}

/** Makes a store on empty backing data that reads time from `clock`. */
export type StateStoreFactory = (clock: FakeClock) => Promise<StateStoreHarness>;

const START_MS = Date.UTC(2024, 0, 1);
const START_S = START_MS / 1000;

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

/** The StateStore semantics every adapter must share (ports.ts), DynamoDB's quirks included. */
export function stateStoreContract(name: string, makeStore: StateStoreFactory): void {
  describe(`StateStore contract: ${name}`, () => {
    async function setup() {
      const clock = new FakeClock(START_MS);
      const { store, reopen } = await makeStore(clock);
      return { clock, store, reopen };
    }

    it('round-trips every StateValue type, reserved-word attribute names included', async () => {
      const { store } = await setup();
      const item: StateItem = {
        pk: 'POLLER#activities',
        sk: 'CURSOR',
        attrs: {
          text: 'window end 2024-01-01T00:00:00Z',
          emptyText: '',
          count: 42,
          negative: -1.5,
          large: Number.MAX_SAFE_INTEGER,
          yes: true,
          no: false,
          nothing: null,
          ips: ['10.0.0.1', '192.0.2.7'],
          noIps: [],
          name: 'reserved word',
          status: 'COMPLETED',
          data: 'also reserved',
        },
        expiresAt: START_S + 3600,
      };
      await store.put(item);
      expect(await store.get('POLLER#activities', 'CURSOR')).toStrictEqual(item);
    });

    it('returns items without expiresAt without the key, and undefined for absent items', async () => {
      const { store } = await setup();
      await store.put({ pk: 'p', sk: 's', attrs: { a: 'x' } });
      expect(await store.get('p', 's')).toStrictEqual({ pk: 'p', sk: 's', attrs: { a: 'x' } });
      expect(await store.get('p', 'other')).toBeUndefined();
      expect(await store.get('other', 's')).toBeUndefined();
    });

    it('replaces the whole item on put', async () => {
      const { store } = await setup();
      await store.put({ pk: 'p', sk: 's', attrs: { a: 1, b: 2 }, expiresAt: START_S + 60 });
      await store.put({ pk: 'p', sk: 's', attrs: { a: 3 } });
      expect(await store.get('p', 's')).toStrictEqual({ pk: 'p', sk: 's', attrs: { a: 3 } });
    });

    it('hands out copies: mutating a returned item does not change the store', async () => {
      const { store } = await setup();
      await store.put({ pk: 'p', sk: 's', attrs: { ips: ['a'] } });
      const got = await store.get('p', 's');
      (got?.attrs.ips as string[]).push('b');
      expect((await store.get('p', 's'))?.attrs.ips).toEqual(['a']);
    });

    it.each([
      ['in the last millisecond of its expiresAt second', 999, true],
      ['one second after expiresAt', 1000, false],
      ['a day after expiresAt', 86_400_000, false],
    ])('treats an item %s as live=%s', async (_case, offsetMs, live) => {
      const { clock, store } = await setup();
      await store.put({ pk: 'p', sk: 's', attrs: { a: 1 }, expiresAt: START_S + 10 });
      clock.set(START_MS + 10_000 + offsetMs);
      expect(await store.get('p', 's')).toEqual(live ? { pk: 'p', sk: 's', attrs: { a: 1 }, expiresAt: START_S + 10 } : undefined);
      expect(await store.query('p')).toHaveLength(live ? 1 : 0);
    });

    it('puts with notExists once, then fails with ConditionFailedError and keeps the first item', async () => {
      const { store } = await setup();
      await store.put({ pk: 'IDEMP', sk: 'evt-1', attrs: { by: 'first' } }, { kind: 'notExists' });
      const err = await failure(store.put({ pk: 'IDEMP', sk: 'evt-1', attrs: { by: 'second' } }, { kind: 'notExists' }));
      expect(err).toBeInstanceOf(ConditionFailedError);
      expect(err).toMatchObject({ pk: 'IDEMP', sk: 'evt-1', retryable: false });
      expect((await store.get('IDEMP', 'evt-1'))?.attrs).toEqual({ by: 'first' });
    });

    it('puts with notExists again once the first item expired per the clock', async () => {
      const { clock, store } = await setup();
      await store.put({ pk: 'LEASE', sk: 'poller', attrs: { owner: 'a' }, expiresAt: START_S + 60 }, { kind: 'notExists' });
      clock.advance(30_000);
      await expect(store.put({ pk: 'LEASE', sk: 'poller', attrs: { owner: 'b' } }, { kind: 'notExists' })).rejects.toBeInstanceOf(
        ConditionFailedError,
      );
      clock.advance(31_000);
      await store.put({ pk: 'LEASE', sk: 'poller', attrs: { owner: 'b' }, expiresAt: START_S + 180 }, { kind: 'notExists' });
      expect((await store.get('LEASE', 'poller'))?.attrs).toEqual({ owner: 'b' });
    });

    const versionCases: [string, StateItem | undefined, number, WriteCondition, boolean][] = [
      ['matching version', { pk: 'C', sk: 'cur', attrs: { version: 1 } }, 0, { kind: 'attrEquals', name: 'version', value: 1 }, true],
      ['stale version', { pk: 'C', sk: 'cur', attrs: { version: 2 } }, 0, { kind: 'attrEquals', name: 'version', value: 1 }, false],
      ['same digits, other type', { pk: 'C', sk: 'cur', attrs: { version: 1 } }, 0, { kind: 'attrEquals', name: 'version', value: '1' }, false],
      ['attribute missing', { pk: 'C', sk: 'cur', attrs: { other: 1 } }, 0, { kind: 'attrEquals', name: 'version', value: 1 }, false],
      ['item missing', undefined, 0, { kind: 'attrEquals', name: 'version', value: 1 }, false],
      [
        'matching but expired',
        { pk: 'C', sk: 'cur', attrs: { version: 1 }, expiresAt: START_S + 5 },
        6000,
        { kind: 'attrEquals', name: 'version', value: 1 },
        false,
      ],
      [
        'matching string',
        { pk: 'C', sk: 'cur', attrs: { status: 'INPROGRESS' } },
        0,
        { kind: 'attrEquals', name: 'status', value: 'INPROGRESS' },
        true,
      ],
      ['matching boolean', { pk: 'C', sk: 'cur', attrs: { held: false } }, 0, { kind: 'attrEquals', name: 'held', value: false }, true],
    ];

    it.each(versionCases)('put with attrEquals: %s -> succeeds=%s', async (_case, existing, advanceMs, condition, succeeds) => {
      const { clock, store } = await setup();
      if (existing) await store.put(existing);
      clock.advance(advanceMs);
      const next: StateItem = { pk: 'C', sk: 'cur', attrs: { version: 99, marker: 'new' } };
      const err = await failure(store.put(next, condition));
      if (succeeds) {
        expect(err).toBeUndefined();
        expect(await store.get('C', 'cur')).toStrictEqual(next);
      } else {
        expect(err).toBeInstanceOf(ConditionFailedError);
        expect((await store.get('C', 'cur'))?.attrs.marker).toBeUndefined();
      }
    });

    it.each(versionCases)('delete with attrEquals: %s -> succeeds=%s', async (_case, existing, advanceMs, condition, succeeds) => {
      const { clock, store } = await setup();
      if (existing) await store.put(existing);
      clock.advance(advanceMs);
      const err = await failure(store.delete('C', 'cur', condition));
      if (succeeds) {
        expect(err).toBeUndefined();
        expect(await store.get('C', 'cur')).toBeUndefined();
      } else {
        expect(err).toBeInstanceOf(ConditionFailedError);
        if (existing && advanceMs === 0) expect(await store.get('C', 'cur')).toBeDefined();
      }
    });

    it('deletes without a condition, and deleting an absent item is no error', async () => {
      const { store } = await setup();
      await store.put({ pk: 'p', sk: 's', attrs: {} });
      await store.delete('p', 's');
      expect(await store.get('p', 's')).toBeUndefined();
      await store.delete('p', 's');
      await store.delete('never', 'there');
    });

    it('deletes with notExists only when the item is absent or expired', async () => {
      const { clock, store } = await setup();
      await store.put({ pk: 'p', sk: 's', attrs: {}, expiresAt: START_S + 1 });
      await expect(store.delete('p', 's', { kind: 'notExists' })).rejects.toBeInstanceOf(ConditionFailedError);
      clock.advance(2000);
      await store.delete('p', 's', { kind: 'notExists' });
      await store.delete('absent', 's', { kind: 'notExists' });
    });

    it('adds and returns the new value, counting an absent attribute as 0 and keeping other attributes', async () => {
      const { store } = await setup();
      expect(await store.add('BURST#u', '202401010000', 'joins', 5)).toBe(5);
      expect(await store.add('BURST#u', '202401010000', 'joins', -2)).toBe(3);
      await store.put({ pk: 'M', sk: 'live', attrs: { topic: 'board', joins: 7 } });
      expect(await store.add('M', 'live', 'leaves', 1)).toBe(1);
      expect(await store.get('M', 'live')).toStrictEqual({ pk: 'M', sk: 'live', attrs: { topic: 'board', joins: 7, leaves: 1 } });
    });

    it('adds atomically under 50 concurrent calls', async () => {
      const { store } = await setup();
      const results = await Promise.all(Array.from({ length: 50 }, () => store.add('BURST#u', 'w', 'n', 1, { expiresAt: START_S + 600 })));
      expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(await store.get('BURST#u', 'w')).toStrictEqual({ pk: 'BURST#u', sk: 'w', attrs: { n: 50 }, expiresAt: START_S + 600 });
    });

    it('sets expiresAt when asked and keeps the existing one otherwise', async () => {
      const { store } = await setup();
      await store.add('p', 's', 'n', 1, { expiresAt: START_S + 100 });
      await store.add('p', 's', 'n', 1);
      expect((await store.get('p', 's'))?.expiresAt).toBe(START_S + 100);
      await store.add('p', 's', 'n', 1, { expiresAt: START_S + 200 });
      expect(await store.get('p', 's')).toStrictEqual({ pk: 'p', sk: 's', attrs: { n: 3 }, expiresAt: START_S + 200 });
    });

    it("restarts an expired counter from delta, dropping the expired item's other attributes", async () => {
      const { clock, store } = await setup();
      await store.put({ pk: 'BURST#u', sk: 'w', attrs: { n: 10, note: 'old window' }, expiresAt: START_S + 60 });
      clock.advance(61_000);
      expect(await store.add('BURST#u', 'w', 'n', 1, { expiresAt: START_S + 180 })).toBe(1);
      expect(await store.get('BURST#u', 'w')).toStrictEqual({ pk: 'BURST#u', sk: 'w', attrs: { n: 1 }, expiresAt: START_S + 180 });
      clock.advance(200_000);
      expect(await store.add('BURST#u', 'w', 'n', 4)).toBe(4);
      expect(await store.get('BURST#u', 'w')).toStrictEqual({ pk: 'BURST#u', sk: 'w', attrs: { n: 4 } });
    });

    it('restarts an expired counter exactly once under 20 concurrent calls', async () => {
      const { clock, store } = await setup();
      await store.add('BURST#u', 'w', 'n', 1000, { expiresAt: START_S + 60 });
      clock.advance(120_000);
      const results = await Promise.all(Array.from({ length: 20 }, () => store.add('BURST#u', 'w', 'n', 1, { expiresAt: START_S + 600 })));
      expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect((await store.get('BURST#u', 'w'))?.attrs.n).toBe(20);
    });

    it('queries live items of one partition by sort-key prefix, sorted by sort key', async () => {
      const { clock, store } = await setup();
      const put = (pk: string, sk: string, expiresAt?: number) =>
        store.put({ pk, sk, attrs: { label: sk }, ...(expiresAt === undefined ? {} : { expiresAt }) });
      await put('MEETING#1', 'P#carol');
      await put('MEETING#1', 'P#alice');
      await put('MEETING#1', 'P#bob', START_S + 5);
      await put('MEETING#1', 'P#dave', START_S + 500);
      await put('MEETING#1', 'IP#10.0.0.1');
      await put('MEETING#1', 'P');
      await put('MEETING#2', 'P#erin');
      clock.advance(10_000);
      const sks = (items: StateItem[]) => items.map((item) => item.sk);
      expect(sks(await store.query('MEETING#1', 'P#'))).toEqual(['P#alice', 'P#carol', 'P#dave']);
      expect(sks(await store.query('MEETING#1'))).toEqual(['IP#10.0.0.1', 'P', 'P#alice', 'P#carol', 'P#dave']);
      expect(await store.query('MEETING#1', 'P#alice')).toStrictEqual([{ pk: 'MEETING#1', sk: 'P#alice', attrs: { label: 'P#alice' } }]);
      expect(await store.query('MEETING#3', 'P#')).toEqual([]);
    });

    it('orders sort keys by their UTF-8 bytes, not by JS string order', async () => {
      const { store } = await setup();
      // JS compares UTF-16 units and puts U+1F600 (a surrogate pair) before U+FF5E; UTF-8 bytes put it after.
      for (const sk of ['a\u{1F600}', 'a\uFF5E', 'a']) await store.put({ pk: 'p', sk, attrs: {} });
      expect((await store.query('p')).map((item) => item.sk)).toEqual(['a', 'a\uFF5E', 'a\u{1F600}']);
    });

    it('queries past one page of results (DynamoDB pages at 1 MB)', async () => {
      const { store } = await setup();
      const blob = 'x'.repeat(40_000);
      const sks = Array.from({ length: 30 }, (_, i) => `ROW#${String(i).padStart(2, '0')}`);
      for (let i = 0; i < sks.length; i += 10) {
        await Promise.all(sks.slice(i, i + 10).map((sk) => store.put({ pk: 'BIG', sk, attrs: { blob } })));
      }
      const items = await store.query('BIG', 'ROW#');
      expect(items.map((item) => item.sk)).toEqual(sks);
      expect(items.every((item) => item.attrs.blob === blob)).toBe(true);
    });

    it('keeps what it stored when opened again on the same backing data', async () => {
      const { store, reopen } = await setup();
      await store.put({ pk: 'POLLER#users', sk: 'CURSOR', attrs: { version: 3, ids: ['a'] }, expiresAt: START_S + 10_000 });
      await Promise.all(Array.from({ length: 20 }, () => store.add('BURST#u', 'w', 'n', 1)));
      const again = reopen();
      expect(await again.get('POLLER#users', 'CURSOR')).toStrictEqual({
        pk: 'POLLER#users',
        sk: 'CURSOR',
        attrs: { version: 3, ids: ['a'] },
        expiresAt: START_S + 10_000,
      });
      expect(await again.add('BURST#u', 'w', 'n', 1)).toBe(21);
    });

    it.each<[string, (store: StateStore) => Promise<unknown>]>([
      ['an empty partition key', (s) => s.put({ pk: '', sk: 's', attrs: {} })],
      ['an empty sort key', (s) => s.get('p', '')],
      ['an attribute named pk', (s) => s.put({ pk: 'p', sk: 's', attrs: { pk: 'x' } })],
      ['an attribute named expiresAt', (s) => s.put({ pk: 'p', sk: 's', attrs: { expiresAt: 1 } })],
      ['a non-finite number', (s) => s.put({ pk: 'p', sk: 's', attrs: { n: Number.NaN } })],
      ['an item over 400 KB', (s) => s.put({ pk: 'p', sk: 's', attrs: { blob: 'x'.repeat(410 * 1024) } })],
      ['a fractional delta', (s) => s.add('p', 's', 'n', 0.5)],
      [
        'adding to a string attribute',
        async (s) => {
          await s.put({ pk: 'p', sk: 's', attrs: { n: 'five' } });
          return s.add('p', 's', 'n', 1);
        },
      ],
    ])('rejects %s with a non-retryable StorageError', async (_case, call) => {
      const { store } = await setup();
      const err = await failure(call(store));
      expect(err).toBeInstanceOf(StorageError);
      expect(err).toMatchObject({ retryable: false });
    });
  });
}
