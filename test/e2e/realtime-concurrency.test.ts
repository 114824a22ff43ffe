import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#config/load.ts';
import type { StateItem, StateStore, WriteCondition } from '#core/ports.ts';
import { compileSettings } from '#core/realtime/config.ts';
import { LocalRealtime } from '#local/pipeline/realtime.ts';
import { makeLocalRuntime } from '#local/pipeline/runtime.ts';
import { MemoryAlertDelivery } from '../support/memory-alert-delivery.ts';
import { REALTIME_TEST_CONFIG } from '../support/realtime-cases.ts';
import { joinEvent, T0, userEvent } from '../support/webhook-bodies.ts';

/**
 * The state store of a local runtime, each call delayed a few milliseconds, and the directory look-ups of `slow`
 * participants much longer, so that an event left to race would finish after the ones queued behind it.
 */
function jittered(inner: StateStore, slow: RegExp): StateStore & { readonly maxInFlight: () => number } {
  let n = 0;
  let inFlight = 0;
  let max = 0;
  const pause = (pk: string) => new Promise((resolve) => setTimeout(resolve, slow.test(pk) ? 40 : (n++ * 7) % 5));
  return {
    maxInFlight: () => max,
    get: async (pk, sk) => (await pause(pk), inner.get(pk, sk)),
    query: async (pk, prefix) => (await pause(pk), inner.query(pk, prefix)),
    add: async (pk, sk, attr, delta, options) => (await pause(pk), inner.add(pk, sk, attr, delta, options)),
    delete: async (pk, sk, condition) => (await pause(pk), inner.delete(pk, sk, condition)),
    // An event is in flight from its claim to its done mark (lambdas/core/realtime/process.ts).
    put: async (item: StateItem, condition?: WriteCondition) => {
      await pause(item.pk);
      await inner.put(item, condition);
      if (item.sk === 'claim' && item.attrs.state === 'processing') max = Math.max(max, ++inFlight);
      if (item.sk === 'claim' && item.attrs.state === 'done') inFlight--;
    },
  };
}

describe('zoomlake serve: realtime checks run concurrently, in order where it matters', () => {
  it('keeps each meeting’s events in order, runs any other event alone between the ones before and after it, and overlaps the rest', async () => {
    const rt = makeLocalRuntime(parseConfig(REALTIME_TEST_CONFIG), mkdtempSync(join(tmpdir(), 'zoomlake-rt-order-')));
    const state = jittered(rt.state, /#p(0|4|100)@/);
    const order: string[] = [];
    const statuses = new Set<string>();
    const realtime = new LocalRealtime(
      {
        state,
        bodies: rt.store,
        delivery: new MemoryAlertDelivery(),
        clock: rt.clock,
        settings: compileSettings({ ...rt.config, ...rt.config.realtime }),
        registry: rt.registry,
      },
      join(rt.paths.dir, 'dead-letters.jsonl'),
      () => undefined,
      (outcome, detail) => {
        statuses.add(outcome.status);
        const env = JSON.parse((detail as { body: string }).body) as {
          event: string;
          payload: { object: { uuid?: string; email?: string; participant?: { user_name: string } } };
        };
        const o = env.payload.object;
        order.push(o.participant ? `${o.uuid}:${o.participant.user_name}` : `user:${o.email}`);
      },
      4,
    );
    const join_ = (uuid: string, i: number) => joinEvent({ uuid, name: `p${i}`, email: `p${i}@example.com`, id: `u${i}`, at: T0 + i * 1000 });
    const meetings = ['m1==', 'm2==', 'm3=='];
    const detail = (body: string) => ({ source: 'zoom', detailType: 'x', detail: { body, receivedAt: T0 } });
    const before = Array.from({ length: 12 }, (_, i) => join_(meetings[i % 3]!, i));
    const after = Array.from({ length: 6 }, (_, i) => join_(meetings[i % 3]!, 100 + i));
    realtime.enqueue([...before, userEvent('user.deactivated', 'gone@example.com'), ...after].map(detail));
    await realtime.idle();

    expect(order).toHaveLength(19);
    expect([...statuses]).toEqual(['processed']);
    const at = (label: string) => order.indexOf(label);
    for (const uuid of meetings) {
      const mine = order.filter((label) => label.startsWith(`${uuid}:`));
      expect(mine).toEqual([...mine].sort((a, b) => Number(a.split(':p')[1]) - Number(b.split(':p')[1])));
    }
    expect(at('user:gone@example.com')).toBe(12);
    // Several events ran at once, never more than the bound.
    expect(state.maxInFlight()).toBeGreaterThan(1);
    expect(state.maxInFlight()).toBeLessThanOrEqual(4);
  });
});
