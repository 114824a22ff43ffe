import { describe, expect, it } from 'vitest';
import { forEachBounded } from '#core/concurrency.ts';

/** A promise the test settles by hand, so ordering is decided by the test, not by timers. */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

describe('forEachBounded', () => {
  it.each([
    [1, 5, 1],
    [2, 5, 2],
    [3, 7, 3],
    [10, 4, 4],
    [4, 0, 0],
  ])('with limit %i over %i items keeps %i in flight and visits each item once, in order of start', async (limit, count, peak) => {
    let inFlight = 0;
    let max = 0;
    const started: number[] = [];
    await forEachBounded(
      Array.from({ length: count }, (_, i) => i),
      limit,
      async (item, index) => {
        expect(item).toBe(index);
        started.push(index);
        max = Math.max(max, ++inFlight);
        await settle();
        inFlight -= 1;
      },
    );
    expect(max).toBe(peak);
    expect(started).toEqual(Array.from({ length: count }, (_, i) => i));
  });

  it('starts no item after one fails, and rejects only once the running ones have settled', async () => {
    const gates = Array.from({ length: 6 }, deferred);
    const started: number[] = [];
    const finished: number[] = [];
    let done = false;
    const run = forEachBounded(gates, 2, async (gate, index) => {
      started.push(index);
      await gate.promise;
      finished.push(index);
    }).catch((error: unknown) => {
      done = true;
      throw error;
    });

    await settle();
    expect(started).toEqual([0, 1]);
    gates[0]!.reject(new Error('boom'));
    await settle();
    expect(started).toEqual([0, 1]);
    expect(done).toBe(false);
    gates[1]!.resolve();
    await expect(run).rejects.toThrow('boom');
    expect(finished).toEqual([1]);
    expect(started).toEqual([0, 1]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a limit of %s', async (limit) => {
    await expect(forEachBounded([1], limit, async () => {})).rejects.toThrow(/positive integer/);
  });
});
