import { describe, expect, it } from 'vitest';
import { ZoomHttpClient, type ZoomFetchInit } from '#core/zoom/client.ts';
import { FakeClock } from '../fakes/fake-clock.ts';

describe('ZoomHttpClient pacing', () => {
  it('counts a request against the rate when it is sent, not before a slow token fetch', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 26, 12));
    const sends: number[] = [];
    const reply = (body: unknown) => ({ status: 200, headers: { get: () => null }, text: async () => JSON.stringify(body) });
    const api = new ZoomHttpClient({
      fetch: async (url: string, _init: ZoomFetchInit) => {
        if (url.includes('/oauth/token')) {
          clock.advance(600); // a slow token endpoint
          return reply({ access_token: 'tok', token_type: 'bearer', expires_in: 3600 });
        }
        sends.push(clock.now());
        return reply({ users: [] });
      },
      clock,
      sleep: async (ms) => clock.advance(ms),
      random: () => 0.5,
      credentials: { accountId: 'a', clientId: 'c', clientSecret: 's' },
      oauthUrl: 'https://zoom.example/oauth/token',
      apiBaseUrl: 'https://api.zoom.example/v2',
      plan: 'business',
      apiBudgetShare: 1,
      maxRequestsPerSecond: 3,
      timerMarginMs: 0,
    });
    for (let i = 0; i < 7; i++) await api.get({ path: '/users', category: 'Medium' });
    for (const t of sends) expect(sends.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(3);
  });
});
