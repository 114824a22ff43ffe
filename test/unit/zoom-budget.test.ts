import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { budgetKey, StateStoreBudget } from '#core/zoom/budget.ts';
import { ZoomHttpClient, type ZoomFetchResponse } from '#core/zoom/client.ts';
import { ZoomBudgetError } from '#core/zoom/errors.ts';
import { FileStateStore } from '#local/adapters/file-state/store.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import type { ZoomCategory } from '#core/ports.ts';

const NOW = Date.UTC(2026, 10, 26, 15, 30);
const ok = (body: unknown): ZoomFetchResponse => ({ status: 200, headers: { get: () => null }, text: async () => JSON.stringify(body) });

/** Clients on one account whose daily share is `allowed` Heavy+Resource-intensive calls (Pro: 30,000 a day). */
function account(allowed: number) {
  const clock = new FakeClock(NOW);
  const state = new FileStateStore(join(mkdtempSync(join(tmpdir(), 'zl-budget-')), 'state.json'), clock);
  const sent: string[] = [];
  const client = (name: string, shared = true) =>
    new ZoomHttpClient({
      fetch: async (url) => {
        if (url.includes('/oauth/')) return ok({ access_token: `tok-${name}`, expires_in: 3600 });
        sent.push(name);
        return ok({});
      },
      clock,
      sleep: async (ms) => clock.advance(ms),
      random: () => 0,
      plan: 'pro',
      apiBudgetShare: allowed / 30_000,
      credentials: { accountId: 'a', clientId: 'c', clientSecret: 's' },
      apiBaseUrl: 'https://zoom.test/v2',
      ...(shared ? { sharedBudget: new StateStoreBudget(state) } : {}),
    });
  return { clock, state, sent, client };
}

async function attempt(api: ZoomHttpClient, n: number, category: ZoomCategory = 'Heavy'): Promise<{ ok: number; refused: number }> {
  let okCount = 0;
  let refused = 0;
  for (let i = 0; i < n; i++) {
    try {
      await api.get({ path: '/report/activities', category });
      okCount++;
    } catch (error) {
      if (!(error instanceof ZoomBudgetError)) throw error;
      refused++;
    }
  }
  return { ok: okCount, refused };
}

describe('the daily budget share across processes', () => {
  it('two clients sharing one store together never exceed the share', async () => {
    const { sent, client, state } = account(7);
    const [a, b] = await Promise.all([attempt(client('a'), 6), attempt(client('b'), 6)]);
    expect(sent).toHaveLength(7);
    expect(a.ok + b.ok).toBe(7);
    expect(a.refused + b.refused).toBe(5);
    expect(await new StateStoreBudget(state).used('Heavy+ResourceIntensive', NOW)).toBe(7);
  });

  it('without the shared store each client spends the whole share (the per-process counter this replaces)', async () => {
    const { sent, client } = account(3);
    await Promise.all([attempt(client('a', false), 4), attempt(client('b', false), 4)]);
    expect(sent).toHaveLength(6);
  });

  it('counts Heavy and Resource-intensive together, and not Medium or Light', async () => {
    const { sent, client } = account(2);
    const api = client('a');
    expect(await attempt(api, 1, 'ResourceIntensive')).toEqual({ ok: 1, refused: 0 });
    expect(await attempt(api, 2, 'Heavy')).toEqual({ ok: 1, refused: 1 });
    expect(await attempt(api, 3, 'Medium')).toEqual({ ok: 3, refused: 0 });
    expect(sent).toHaveLength(5);
  });

  it("starts again at 00:00 UTC, and the day's counter expires a day after its day", async () => {
    const { clock, client, state } = account(1);
    const api = client('a');
    expect(await attempt(api, 2)).toEqual({ ok: 1, refused: 1 });
    clock.set(Date.UTC(2026, 10, 27, 0, 0, 1));
    expect(await attempt(api, 2)).toEqual({ ok: 1, refused: 1 });
    const { pk, sk } = budgetKey('Heavy+ResourceIntensive', '2026-11-27');
    expect((await state.get(pk, sk))?.expiresAt).toBe(Date.UTC(2026, 10, 29) / 1000);
  });

  it('says the share is spent across pollers and when it resets', async () => {
    const { client } = account(0.5);
    await expect(client('a').get({ path: '/report/activities', category: 'Heavy' })).rejects.toThrow(
      /budget share spent across all pollers.*resets at 00:00 UTC/,
    );
  });
});
