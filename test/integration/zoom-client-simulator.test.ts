import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateStoreBudget } from '#core/zoom/budget.ts';
import { ZoomBudgetError, ZoomRateLimitError } from '#core/zoom/errors.ts';
import { FileStateStore } from '#local/adapters/file-state/store.ts';
import { meetingUuidPath, ZoomHttpClient } from '#core/zoom/client.ts';
import { httpFetch } from '#runtime/http-fetch.ts';
import { startZoomSimulator } from '#local/zoom-simulator/server.ts';

// The real client over real HTTP against the simulator on loopback: protocol, pagination, pacing and faults.
type Sim = Awaited<ReturnType<typeof startZoomSimulator>>;
let sim: Sim;
const TO = '2026-11-20';
beforeAll(async () => {
  sim = await startZoomSimulator({ seed: 42, from: '2026-10-22', to: TO, plan: 'business', clock: () => Date.parse(`${TO}T18:00:00Z`) });
});
afterAll(async () => {
  await sim.close();
});

function client(overrides: Partial<ConstructorParameters<typeof ZoomHttpClient>[0]> = {}) {
  return new ZoomHttpClient({
    fetch: httpFetch,
    clock: { now: () => Date.now() },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    random: () => 0.5,
    credentials: { accountId: 'sim-account-id', clientId: 'sim-client-id', clientSecret: 'sim-client-secret' },
    // The client trusts only an https api_url from a token, so the simulator's base is given as ZOOM_API_BASE_URL would.
    oauthUrl: sim.oauthUrl,
    apiBaseUrl: sim.apiBaseUrl,
    plan: 'business',
    apiBudgetShare: 0.5,
    ...overrides,
  });
}

async function collect(api: ZoomHttpClient, path: string, query: Record<string, string>, itemsKey: string) {
  const items: unknown[] = [];
  for await (const page of api.paginate<unknown>({ path, query, itemsKey, category: 'Heavy' })) {
    if (page.page === 1) items.length = 0; // a restart re-reads the window from the top
    items.push(...page.items);
  }
  return items;
}

describe('ZoomHttpClient against the Zoom simulator', () => {
  it('reads every sign-in record of a month exactly once', async () => {
    const items = await collect(client(), '/report/activities', { from: '2026-10-22', to: TO }, 'activity_logs');
    const truth = sim.org.activities.filter((a) => a.time.slice(0, 10) >= '2026-10-22' && a.time.slice(0, 10) <= TO);
    expect(items.length).toBe(truth.length);
    expect(new Set(items.map((i) => JSON.stringify(i))).size).toBe(items.length);
  });

  it('finishes the window through 5xx faults in the middle of pagination', async () => {
    sim.setFaults({ serverErrors: 0.3 });
    try {
      const items = await collect(client(), '/report/activities', { from: '2026-10-22', to: TO }, 'activity_logs');
      expect(items.length).toBe(sim.org.activities.filter((a) => a.time.slice(0, 10) >= '2026-10-22').length);
    } finally {
      sim.setFaults({ serverErrors: 0 });
    }
  });

  it('never exceeds the configured rate', async () => {
    // The simulator's clock is frozen for stable data, so the send times are taken at the client's fetch.
    const sent: number[] = [];
    const api = client({
      maxRequestsPerSecond: 5,
      fetch: (url, init) => {
        if (url.startsWith(sim.apiBaseUrl)) sent.push(Date.now());
        return httpFetch(url, init);
      },
    });
    for (let i = 0; i < 12; i++) await api.get({ path: '/users', query: { page_size: '1' }, category: 'Medium' });
    expect(sent.length).toBe(12);
    for (const t of sent) expect(sent.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(5);
  });

  it('under a 429 storm never exceeds the configured rate and still finishes the window', async () => {
    sim.setFaults({ rateLimitStorm: 0.3 });
    const before = sim.stats().requests.length;
    const sent: number[] = [];
    try {
      const api = client({
        maxRequestsPerSecond: 4,
        maxRetries: 8,
        fetch: (url, init) => {
          if (url.startsWith(sim.apiBaseUrl)) sent.push(Date.now());
          return httpFetch(url, init);
        },
      });
      const items = await collect(api, '/report/activities', { from: '2026-11-06', to: TO }, 'activity_logs');
      expect(items.length).toBe(sim.org.activities.filter((a) => a.time.slice(0, 10) >= '2026-11-06' && a.time.slice(0, 10) <= TO).length);
    } finally {
      sim.setFaults({ rateLimitStorm: 0 });
    }
    expect(
      sim
        .stats()
        .requests.slice(before)
        .filter((r) => r.status === 429).length,
    ).toBeGreaterThan(0);
    for (const t of sent) expect(sent.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(4);
  });

  it('reads a meeting whose UUID needs double encoding', async () => {
    const meeting = sim.org.meetings.find((m) => m.uuid.startsWith('/') || m.uuid.includes('//')) ?? sim.org.meetings[0]!;
    const items = await collect(client(), `/report/meetings/${meetingUuidPath(meeting.uuid)}/participants`, {}, 'participants');
    expect(items.length).toBeGreaterThan(0);
  });

  it('stops on a daily limit instead of sleeping until midnight', async () => {
    sim.setFaults({ rateLimitStorm: 1 });
    try {
      const error = await client({ maxRetries: 1 })
        .get({ path: '/users', category: 'Medium' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ZoomRateLimitError);
    } finally {
      sim.setFaults({ rateLimitStorm: 0 });
    }
  });

  it('two pollers sharing one state store together stay within the daily share', async () => {
    const clock = { now: () => Date.now() };
    const state = new FileStateStore(join(mkdtempSync(join(tmpdir(), 'zl-budget-')), 'state.json'), clock);
    const before = sim.stats().byEndpoint['GET /report/activities'] ?? 0;
    // Business allows 60,000 Heavy+Resource-intensive calls a day; this share is 4 of them.
    const poller = () => client({ apiBudgetShare: 4 / 60_000, sharedBudget: new StateStoreBudget(state) });
    const tryThree = async (api: ZoomHttpClient) => {
      const outcomes: string[] = [];
      for (let i = 0; i < 3; i++) {
        outcomes.push(
          await api.get({ path: '/report/activities', query: { from: TO, to: TO, page_size: '1' }, category: 'Heavy' }).then(
            () => 'ok',
            (e: unknown) => (e instanceof ZoomBudgetError ? 'spent' : 'error'),
          ),
        );
      }
      return outcomes;
    };
    const outcomes = (await Promise.all([tryThree(poller()), tryThree(poller())])).flat();
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(4);
    expect(outcomes.filter((o) => o === 'spent')).toHaveLength(2);
    expect((sim.stats().byEndpoint['GET /report/activities'] ?? 0) - before).toBe(4);
  });

  it("lists a user's chat channels and reads one channel page by page", async () => {
    const channel = sim.org.chat.channels.find((c) => c.name === 'general')!;
    const member = channel.memberIds[0]!;
    const channels = await collect(client(), `/chat/users/${member}/channels`, { page_size: '2' }, 'channels');
    expect(channels.map((c) => (c as { id: string }).id).sort()).toEqual(
      sim.org.chat.channels
        .filter((c) => c.memberIds.includes(member))
        .map((c) => c.id)
        .sort(),
    );
    const query = {
      to_channel: channel.id,
      from: '2026-10-22T00:00:00Z',
      to: `${TO}T23:59:59Z`,
      page_size: '50',
      include_deleted_and_edited_message: 'true',
    };
    const messages = await collect(client(), `/chat/users/${member}/messages`, query, 'messages');
    const truth = sim.org.chat.messages.filter(
      (m) => m.channel_id === channel.id && m.date_time.slice(0, 10) >= '2026-10-22' && m.date_time.slice(0, 10) <= TO,
    );
    expect(truth.length).toBeGreaterThan(50);
    expect(messages.map((m) => (m as { id: string }).id).sort()).toEqual(truth.map((m) => m.id).sort());
    const withoutDeleted = await collect(
      client(),
      `/chat/users/${member}/messages`,
      { ...query, include_deleted_and_edited_message: 'false' },
      'messages',
    );
    expect(withoutDeleted.length).toBe(truth.filter((m) => m.status !== 'Deleted').length);
  });

  it('refuses a chat messages call without a conversation', async () => {
    const member = sim.org.chat.channels[0]!.memberIds[0]!;
    await expect(client().get({ path: `/chat/users/${member}/messages`, category: 'Medium' })).rejects.toThrow(/to_contact or to_channel/);
  });
  it('reads the meeting audit trail of a window exactly once through 5xx faults, one activity type at a time', async () => {
    sim.setFaults({ serverErrors: 0.3 });
    try {
      for (const [type, category] of [
        ['All Activities', undefined],
        ['User Left', 'User left'],
      ] as const) {
        const items = await collect(
          client(),
          '/report/meeting_activities',
          { from: '2026-10-22', to: TO, activity_type: type },
          'meeting_activity_logs',
        );
        const truth = sim.org.meetingActivities.filter(
          (a) => a.activity_time.slice(0, 10) >= '2026-10-22' && (category === undefined || a.activity_category === category),
        );
        expect(truth.length).toBeGreaterThan(0);
        expect(items.map((i) => JSON.stringify(i)).sort()).toEqual(truth.map((a) => JSON.stringify(a)).sort());
      }
    } finally {
      sim.setFaults({ serverErrors: 0 });
    }
  });
});
