import { afterEach, describe, expect, it } from 'vitest';
import { peakRequests } from '#local/zoom-simulator/limits.ts';
import { simulatedOrg } from '#local/zoom-simulator/generate-org.ts';
import type { SimMeetingActivity, SimulatedOrg } from '#local/zoom-simulator/org.ts';
import { startZoomSimulator, type ZoomSimulator, type ZoomSimulatorOptions } from '#local/zoom-simulator/server.ts';

const NOW = Date.UTC(2024, 5, 15, 12, 0, 0);
const RANGE = { from: '2024-05-01', to: '2024-06-14' };
const running: ZoomSimulator[] = [];
let now = NOW;

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  now = NOW;
});

async function start(opts: ZoomSimulatorOptions = {}): Promise<ZoomSimulator> {
  const sim = await startZoomSimulator({ seed: 7, ...RANGE, clock: () => now, ...opts });
  running.push(sim);
  return sim;
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function oauth(sim: ZoomSimulator, form: string, auth = basic('sim-client-id', 'sim-client-secret')) {
  const res = await fetch(sim.oauthUrl, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function token(sim: ZoomSimulator): Promise<string> {
  const { status, body } = await oauth(sim, 'grant_type=account_credentials&account_id=sim-account-id');
  expect(status).toBe(200);
  return String(body.access_token);
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/** One GET; the fake clock moves 100 ms per call so sequential walks stay under every QPS limit. */
async function get(sim: ZoomSimulator, path: string, bearer: string | undefined, params: Record<string, string | number> = {}): Promise<Answer> {
  now += 100;
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
  const res = await fetch(`${sim.apiBaseUrl}${path}${qs.size ? `?${qs}` : ''}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
  const text = await res.text();
  const body = res.headers.get('content-type')?.startsWith('application/json') ? (JSON.parse(text) as Record<string, unknown>) : { html: text };
  return { status: res.status, body, headers: res.headers };
}

/** Follows next_page_token to the end (bounded), returning every row and the number of pages. */
async function walk(
  sim: ZoomSimulator,
  bearer: string,
  path: string,
  field: string,
  params: Record<string, string | number>,
): Promise<{ rows: unknown[]; pages: number }> {
  const rows: unknown[] = [];
  let next = '';
  for (let pages = 1; pages <= 1000; pages++) {
    const { status, body } = await get(sim, path, bearer, next ? { ...params, next_page_token: next } : params);
    expect(status).toBe(200);
    rows.push(...(body[field] as unknown[]));
    next = String(body.next_page_token);
    if (next === '') return { rows, pages };
  }
  throw new Error('pagination did not end');
}

const canon = (rows: readonly unknown[]) => rows.map((r) => JSON.stringify(r)).sort();

function inDays(time: string, from: string, to: string): boolean {
  return time >= `${from}T00:00:00Z` && time < `${to}T23:59:60Z`;
}

describe('zoom simulator: OAuth and bearer tokens', () => {
  it('issues an S2S token whose api_url is the simulator itself', async () => {
    const sim = await start({ tokenTtlSeconds: 120 });
    const { status, body } = await oauth(sim, 'grant_type=account_credentials&account_id=sim-account-id');
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 120, api_url: sim.url });
    expect(String(body.scope)).toContain('report:read:admin');
    expect((await get(sim, '/users', String(body.access_token))).status).toBe(200);
  });

  it('accepts the parameters in the query string as well as the form body', async () => {
    const sim = await start();
    const res = await fetch(`${sim.oauthUrl}?grant_type=account_credentials&account_id=sim-account-id`, {
      method: 'POST',
      headers: { authorization: basic('sim-client-id', 'sim-client-secret') },
    });
    expect(res.status).toBe(200);
  });

  it.each([
    ['a wrong secret', 'grant_type=account_credentials&account_id=sim-account-id', basic('sim-client-id', 'nope'), 401, 'invalid_client'],
    ['no Basic auth', 'grant_type=account_credentials&account_id=sim-account-id', '', 401, 'invalid_client'],
    [
      'another grant type',
      'grant_type=client_credentials&account_id=sim-account-id',
      basic('sim-client-id', 'sim-client-secret'),
      400,
      'unsupported_grant_type',
    ],
    ['a wrong account id', 'grant_type=account_credentials&account_id=other', basic('sim-client-id', 'sim-client-secret'), 400, 'invalid_request'],
  ])('refuses %s', async (_name, form, auth, status, error) => {
    const sim = await start();
    const answer = await oauth(sim, form, auth);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toBe(error);
  });

  it('answers 401 code 124 without a valid bearer token', async () => {
    const sim = await start();
    const bearer = await token(sim);
    for (const attempt of [
      await get(sim, '/users', undefined),
      await get(sim, '/users', 'forged'),
      await get(sim, '/users', undefined, { access_token: bearer }),
    ]) {
      expect(attempt.status).toBe(401);
      expect(attempt.body.code).toBe(124);
    }
  });

  it('expires tokens after expires_in and on the expireTokens fault', async () => {
    const sim = await start({ tokenTtlSeconds: 60 });
    const first = await token(sim);
    now += 61_000;
    expect((await get(sim, '/users', first)).body).toMatchObject({ code: 124, message: 'Access token is expired.' });
    const second = await token(sim);
    expect((await get(sim, '/users', second)).status).toBe(200);
    sim.setFaults({ expireTokens: true });
    expect((await get(sim, '/users', second)).status).toBe(401);
  });
});

describe('zoom simulator: pagination and windows', () => {
  it.each([300, 7])('walks every sign-in record of a month exactly once with page_size %i', async (pageSize) => {
    const sim = await start();
    const bearer = await token(sim);
    const { rows, pages } = await walk(sim, bearer, '/report/activities', 'activity_logs', {
      from: '2024-05-01',
      to: '2024-05-31',
      page_size: pageSize,
    });
    const truth = sim.org.activities.filter((a) => inDays(a.time, '2024-05-01', '2024-05-31'));
    expect(truth.length).toBeGreaterThan(600);
    expect(canon(rows)).toEqual(canon(truth));
    expect(pages).toBe(Math.ceil(truth.length / pageSize));
  });

  it("walks users and a meeting's participants exactly once", async () => {
    const sim = await start();
    const bearer = await token(sim);
    const inactive = await walk(sim, bearer, '/users', 'users', { status: 'inactive', page_size: 2 });
    expect(canon(inactive.rows)).toEqual(canon(sim.org.users.filter((u) => u.status === 'inactive')));
    const meeting = [...sim.org.meetings].sort((a, b) => b.participants.length - a.participants.length)[0];
    if (!meeting) throw new Error('no meetings generated');
    const got = await walk(sim, bearer, `/report/meetings/${meeting.id}/participants`, 'participants', { page_size: 3 });
    expect(got.rows.map((p) => (p as { user_id: string }).user_id).sort()).toEqual(meeting.participants.map((p) => p.user_id).sort());
  });

  it('clamps page_size to 300', async () => {
    const sim = await start();
    const answer = await get(sim, '/report/activities', await token(sim), { from: '2024-05-01', to: '2024-05-31', page_size: 1000 });
    expect(answer.body.page_size).toBe(300);
    expect((answer.body.activity_logs as unknown[]).length).toBe(300);
  });

  it('expires next_page_token after 15 minutes of the simulator clock, and refuses it for another query', async () => {
    const sim = await start();
    const bearer = await token(sim);
    const query = { from: '2024-05-01', to: '2024-05-31', page_size: 10 };
    const next = String((await get(sim, '/report/activities', bearer, query)).body.next_page_token);
    expect((await get(sim, '/report/activities', bearer, { ...query, to: '2024-05-30', next_page_token: next })).body).toMatchObject({ code: 300 });
    now += 14 * 60_000;
    const still = await get(sim, '/report/activities', bearer, { ...query, next_page_token: next });
    expect(still.status).toBe(200);
    now += 15 * 60_000 + 1;
    const stale = await get(sim, '/report/activities', bearer, { ...query, next_page_token: String(still.body.next_page_token) });
    expect(stale.status).toBe(400);
    expect(stale.body).toEqual({ code: 300, message: 'The next page token is invalid or expired.' });
  });

  it('honours a shorter page-token lifetime set at runtime', async () => {
    const sim = await start();
    const bearer = await token(sim);
    const res = await fetch(`${sim.url}/__sim/faults`, { method: 'POST', body: JSON.stringify({ pageTokenTtlMs: 1000 }) });
    expect(((await res.json()) as { pageTokenTtlMs: number }).pageTokenTtlMs).toBe(1000);
    const next = String((await get(sim, '/users', bearer, { page_size: 5 })).body.next_page_token);
    now += 2000;
    expect((await get(sim, '/users', bearer, { page_size: 5, next_page_token: next })).body.code).toBe(300);
  });

  it('refuses reports older than 6 months with code 300', async () => {
    const sim = await start();
    const answer = await get(sim, '/report/operationlogs', await token(sim), { from: '2023-12-01', to: '2023-12-20' });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ code: 300, message: 'Only provide report in recent 6 months' });
  });

  it('allows a window of exactly one month and refuses one day more', async () => {
    const sim = await start();
    const bearer = await token(sim);
    expect((await get(sim, '/report/operationlogs', bearer, { from: '2024-05-01', to: '2024-06-01' })).status).toBe(200);
    const tooLong = await get(sim, '/report/operationlogs', bearer, { from: '2024-05-01', to: '2024-06-02' });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.code).toBe(300);
    expect((await get(sim, '/report/operationlogs', bearer, {})).body.code).toBe(300);
  });

  it('filters operation logs by category_type', async () => {
    const sim = await start();
    const { rows } = await walk(sim, await token(sim), '/report/operationlogs', 'operation_logs', {
      from: '2024-05-01',
      to: '2024-05-31',
      category_type: 'recording',
    });
    const truth = sim.org.operationLogs.filter((o) => o.category_type === 'Recording' && inDays(o.time, '2024-05-01', '2024-05-31'));
    expect(truth.length).toBeGreaterThan(0);
    expect(canon(rows)).toEqual(canon(truth));
  });
});

describe('zoom simulator: plans and dashboard', () => {
  const DASHBOARD = /Business or higher accounts that have enabled the Dashboard feature/;

  it('answers dashboard endpoints with 400 code 200 on Pro', async () => {
    const sim = await start({ plan: 'pro' });
    const bearer = await token(sim);
    const meetings = await get(sim, '/metrics/meetings', bearer, { type: 'past', from: '2024-05-01', to: '2024-05-31' });
    expect(meetings.status).toBe(400);
    expect(meetings.body.code).toBe(200);
    expect(String(meetings.body.message)).toMatch(DASHBOARD);
    const uuid = encodeURIComponent(encodeURIComponent(sim.org.meetings[1]?.uuid ?? ''));
    expect((await get(sim, `/metrics/meetings/${uuid}/participants`, bearer, { type: 'past' })).status).toBe(400);
    expect((await get(sim, '/report/activities', bearer, {})).status).toBe(200);
  });

  it('serves dashboard meetings and participants with device detail on Business', async () => {
    const sim = await start({ plan: 'business' });
    const bearer = await token(sim);
    const { rows } = await walk(sim, bearer, '/metrics/meetings', 'meetings', { type: 'past', from: '2024-05-01', to: '2024-05-31', page_size: 300 });
    const truth = sim.org.meetings.filter((m) => inDays(m.start_time, '2024-05-01', '2024-05-31'));
    expect(rows.map((m) => (m as { uuid: string }).uuid).sort()).toEqual(truth.map((m) => m.uuid).sort());
    const meeting = sim.org.meetings.find((m) => m.participants.some((p) => p.kind === 'external'));
    if (!meeting) throw new Error('no meeting with an external participant');
    const answer = await get(sim, `/metrics/meetings/${encodeURIComponent(encodeURIComponent(meeting.uuid))}/participants`, bearer, {
      type: 'past',
      page_size: 300,
    });
    expect(answer.status).toBe(200);
    const participants = answer.body.participants as Record<string, unknown>[];
    for (const field of ['ip_address', 'location', 'device', 'pc_name', 'version', 'network_type']) expect(participants[0]).toHaveProperty(field);
    const external = participants.find((p) => String(p.email).length > 0 && !String(p.email).endsWith('@example.com'));
    expect(external?.pc_name).toBe('');
  });

  it('switches plan at runtime through the admin endpoint', async () => {
    const sim = await start({ plan: 'enterprise' });
    const bearer = await token(sim);
    const params = { type: 'past', from: '2024-05-01', to: '2024-05-31' };
    expect((await get(sim, '/metrics/meetings', bearer, params)).status).toBe(200);
    const res = await fetch(`${sim.url}/__sim/faults`, { method: 'POST', body: JSON.stringify({ plan: 'pro' }) });
    expect(res.status).toBe(200);
    expect((await get(sim, '/metrics/meetings', bearer, params)).status).toBe(400);
    const bad = await fetch(`${sim.url}/__sim/faults`, { method: 'POST', body: JSON.stringify({ plan: 'gold' }) });
    expect(bad.status).toBe(400);
  });

  it('fails reports on a free account with code 200', async () => {
    const sim = await start({ plan: 'free' });
    expect((await get(sim, '/report/activities', await token(sim), {})).body.code).toBe(200);
  });
});

describe('zoom simulator: rate limits and faults', () => {
  it("answers a 429 storm with Zoom's rate-limit headers", async () => {
    const sim = await start({ rateLimitStorm: 1 });
    const answer = await get(sim, '/report/activities', await token(sim), {});
    expect(answer.status).toBe(429);
    expect(answer.body.code).toBe(429);
    expect(answer.headers.get('x-ratelimit-category')).toBe('Heavy');
    expect(answer.headers.get('x-ratelimit-type')).toBe('QPS');
    expect(answer.headers.get('retry-after')).toBe('1');
  });

  it('enforces the per-second Heavy limit of the plan', async () => {
    const sim = await start({ plan: 'pro' });
    const bearer = await token(sim);
    const url = `${sim.apiBaseUrl}/report/activities`;
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await fetch(url, { headers: { authorization: `Bearer ${bearer}` } })).status);
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    expect(statuses[10]).toBe(429);
    const served = sim
      .stats()
      .requests.filter((r) => r.category === 'Heavy' && r.status === 200)
      .map((r) => r.at);
    expect(peakRequests(served, 1000)).toBe(10);
    now += 1000;
    expect((await get(sim, '/report/activities', bearer, {})).status).toBe(200);
  });

  it('answers an exhausted daily Heavy budget with Retry-After at the next 00:00 UTC', async () => {
    const sim = await start({ dailyHeavyLimit: 3 });
    const bearer = await token(sim);
    for (let i = 0; i < 3; i++) expect((await get(sim, '/report/activities', bearer, {})).status).toBe(200);
    const refused = await get(sim, '/metrics/meetings', bearer, { type: 'past', from: '2024-06-01', to: '2024-06-14' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-ratelimit-type')).toBe('Daily-limit');
    expect(refused.headers.get('x-ratelimit-category')).toBe('Resource-intensive');
    expect(refused.headers.get('retry-after')).toBe('2024-06-16T00:00:00Z');
    expect((await get(sim, '/users', bearer)).status).toBe(200);
    now = Date.UTC(2024, 5, 16, 0, 0, 1);
    expect((await get(sim, '/report/activities', await token(sim), {})).status).toBe(200);
  });

  it('injects server errors at roughly the configured rate, identically for the same seed', async () => {
    const run = async (seed: number) => {
      const sim = await start({ seed, serverErrors: 0.2 });
      const bearer = await token(sim);
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++) statuses.push((await get(sim, '/users', bearer, { page_size: 1 })).status);
      return statuses;
    };
    const first = await run(11);
    const failures = first.filter((s) => s >= 500);
    expect(failures.length).toBeGreaterThanOrEqual(25);
    expect(failures.length).toBeLessThanOrEqual(55);
    expect(new Set(failures)).toEqual(new Set([500, 502, 503]));
    expect(first.every((s) => s === 200 || s >= 500)).toBe(true);
    expect(await run(11)).toEqual(first);
    expect(await run(12)).not.toEqual(first);
  });

  it('lets a client resume pagination with the same token after a 5xx', async () => {
    const sim = await start();
    const bearer = await token(sim);
    const query = { from: '2024-05-01', to: '2024-05-31', page_size: 50 };
    const next = String((await get(sim, '/report/activities', bearer, query)).body.next_page_token);
    sim.setFaults({ serverErrors: 1 });
    expect((await get(sim, '/report/activities', bearer, { ...query, next_page_token: next })).status).toBeGreaterThanOrEqual(500);
    sim.setFaults({ serverErrors: 0 });
    expect((await get(sim, '/report/activities', bearer, { ...query, next_page_token: next })).status).toBe(200);
  });

  it('delays responses by slowMs', async () => {
    const sim = await start({ slowMs: 50 });
    const bearer = await token(sim);
    const started = performance.now();
    await get(sim, '/users', bearer);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('counts requests per endpoint, in the returned object and over HTTP', async () => {
    const sim = await start();
    const bearer = await token(sim);
    for (let i = 0; i < 4; i++) await get(sim, '/report/activities', bearer, {});
    await get(sim, '/users', bearer);
    await get(sim, '/nowhere', bearer);
    const stats = sim.stats();
    expect(stats.byEndpoint).toEqual({ 'POST /oauth/token': 1, 'GET /report/activities': 4, 'GET /users': 1, unknown: 1 });
    expect(stats.total).toBe(7);
    expect(stats.requests.filter((r) => r.endpoint === 'GET /report/activities').map((r) => r.at)).toEqual([
      NOW + 100,
      NOW + 200,
      NOW + 300,
      NOW + 400,
    ]);
    const overHttp = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as { total: number; byStatus: Record<string, number> };
    expect(overHttp.total).toBe(7);
    expect(overHttp.byStatus).toEqual({ '200': 6, '404': 1 });
  });
});

describe('zoom simulator: meetings, recordings and the organisation', () => {
  it('resolves a double-encoded UUID holding "//" and refuses it single-encoded', async () => {
    const sim = await start();
    const bearer = await token(sim);
    const meeting = sim.org.meetings.find((m) => m.uuid.startsWith('/') && m.uuid.includes('//'));
    if (!meeting) throw new Error('no slash UUID generated');
    const twice = await get(sim, `/report/meetings/${encodeURIComponent(encodeURIComponent(meeting.uuid))}/participants`, bearer, {
      page_size: 300,
      include_fields: 'registrant_id',
    });
    expect(twice.status).toBe(200);
    const rows = twice.body.participants as Record<string, unknown>[];
    expect(rows).toHaveLength(meeting.participants.length);
    expect(rows[0]).toHaveProperty('registrant_id');
    const once = await get(sim, `/report/meetings/${encodeURIComponent(meeting.uuid)}/participants`, bearer);
    expect(once.status).toBe(404);
    expect(once.body.code).toBe(3001);
  });

  it("lists a user's hosted meetings and 404s an unknown user", async () => {
    const sim = await start();
    const bearer = await token(sim);
    const host = sim.org.meetings[0]?.host_email ?? '';
    const { rows } = await walk(sim, bearer, `/report/users/${encodeURIComponent(host)}/meetings`, 'meetings', {
      from: '2024-05-01',
      to: '2024-05-31',
      page_size: 300,
    });
    const truth = sim.org.meetings.filter((m) => m.host_email === host && inDays(m.start_time, '2024-05-01', '2024-05-31'));
    expect(rows.map((m) => (m as { uuid: string }).uuid).sort()).toEqual(truth.map((m) => m.uuid).sort());
    expect((await get(sim, '/report/users/nobody@example.com/meetings', bearer, { from: '2024-05-01', to: '2024-05-31' })).body.code).toBe(1001);
  });

  it('hides trashed recordings except from trash=true listings', async () => {
    const sim = await start();
    const bearer = await token(sim);
    const { rows } = await walk(sim, bearer, '/accounts/me/recordings', 'meetings', { from: '2024-05-01', to: '2024-05-31', page_size: 300 });
    const live = sim.org.recordings.filter((r) => !r.trashed && inDays(r.start_time, '2024-05-01', '2024-05-31'));
    expect(rows.map((r) => (r as { uuid: string }).uuid).sort()).toEqual(live.map((r) => r.uuid).sort());
    const trashed = sim.org.recordings.find((r) => r.trashed);
    if (!trashed) throw new Error('no trashed recording generated');
    const trash = await get(sim, `/users/${trashed.host_id}/recordings`, bearer, { trash: 'true', page_size: 300 });
    const uuids = trash.body.meetings as { uuid: string; recording_files: { deleted_time?: string }[] }[];
    expect(uuids.map((m) => m.uuid)).toContain(trashed.uuid);
    expect(uuids.every((m) => m.recording_files.every((f) => typeof f.deleted_time === 'string'))).toBe(true);
  });

  it('generates external, unauthenticated and dial-in participants, a departed user and deleted recordings', () => {
    const org: SimulatedOrg = simulatedOrg(7, RANGE.from, RANGE.to);
    const participants = org.meetings.flatMap((m) => m.participants);
    expect(participants.some((p) => p.kind === 'external' && p.email !== '' && !p.email.endsWith('@example.com'))).toBe(true);
    expect(participants.some((p) => p.kind === 'guest' && p.email === '' && p.id === '')).toBe(true);
    expect(participants.some((p) => p.kind === 'dial_in' && p.device === 'Phone')).toBe(true);
    expect(org.users).toHaveLength(40);
    expect(org.users.find((u) => u.id === org.departed.userId)?.status).toBe('inactive');
    expect(org.operationLogs.some((o) => o.action === 'Deactivate' && o.operation_detail.includes(org.departed.email))).toBe(true);
    expect(org.activities.some((a) => a.email === org.departed.email)).toBe(true);
    expect(org.activities.filter((a) => a.email === org.departed.email).every((a) => a.time < org.departed.departedAt)).toBe(true);
    expect(org.recordings.some((r) => r.trashed)).toBe(true);
    expect(org.operationLogs.some((o) => o.operation_detail === 'Sign in with Two-Factor Authentication: from On to Off')).toBe(true);
    expect(org.operationLogs.some((o) => o.operation_detail.includes('User Role: from Member to Admin'))).toBe(true);
    expect(org.activities.some((a) => a.ip_address === undefined)).toBe(true);
  });

  it('generates the same organisation from the same seed and range, and another from another seed', () => {
    expect(simulatedOrg(7, RANGE.from, RANGE.to)).toEqual(simulatedOrg(7, RANGE.from, RANGE.to));
    expect(simulatedOrg(8, RANGE.from, RANGE.to).users[0]?.id).not.toBe(simulatedOrg(7, RANGE.from, RANGE.to).users[0]?.id);
    expect(() => simulatedOrg(7, '2024-06-01', '2024-05-01')).toThrow(/invalid simulator date range/);
  });
});

describe('zoom simulator: the meeting audit trail (GET /report/meeting_activities)', () => {
  const MAY = { from: '2024-05-01', to: '2024-05-31' };
  const inMay = (a: SimMeetingActivity) => a.activity_time >= '2024-05-01' && a.activity_time < '2024-06-01';

  it.each([
    ['All Activities', 7, undefined],
    ['User Join', 5, 'User joined'],
    ['Remote Control', 1, 'Remote Control'],
  ])('walks every %s entry of a month exactly once, %i a page, newest first', async (type, pageSize, category) => {
    const sim = await start();
    const { rows, pages } = await walk(sim, await token(sim), '/report/meeting_activities', 'meeting_activity_logs', {
      ...MAY,
      activity_type: type,
      page_size: pageSize,
    });
    const truth = sim.org.meetingActivities.filter((a) => inMay(a) && (category === undefined || a.activity_category === category));
    expect(truth.length).toBeGreaterThan(0);
    expect(canon(rows)).toEqual(canon(truth));
    expect(pages).toBe(Math.ceil(truth.length / pageSize));
    const times = rows.map((r) => (r as SimMeetingActivity).activity_time);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('writes entries as Zoom does: a spaced meeting number, a colon before the milliseconds, no email for a guest', async () => {
    const sim = await start();
    const answer = await get(sim, '/report/meeting_activities', await token(sim), { ...MAY, activity_type: 'All Activities', page_size: 300 });
    const rows = answer.body.meeting_activity_logs as Record<string, unknown>[];
    expect(rows.length).toBe(300);
    for (const row of rows) {
      expect(row.meeting_number).toMatch(/^\d{3} \d{3,4} \d{4}$/);
      expect(row.activity_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}:\d{3}$/);
    }
    const guests = sim.org.meetings.flatMap((m) => m.participants).filter((p) => p.email === '');
    const guestJoin = sim.org.meetingActivities.find((a) => a.activity_category === 'User joined' && guests.some((g) => g.user_name === a.operator));
    expect(guestJoin).toBeDefined();
    expect(guestJoin).not.toHaveProperty('operator_email');
  });

  it('filters by meeting_number, spaced or not', async () => {
    const sim = await start();
    const bearer = await token(sim);
    const meeting = sim.org.meetings.find((m) => m.start_time.startsWith('2024-05'))!;
    for (const number of [String(meeting.id), `${String(meeting.id).slice(0, 3)} ${String(meeting.id).slice(3)}`]) {
      const { rows } = await walk(sim, bearer, '/report/meeting_activities', 'meeting_activity_logs', {
        ...MAY,
        activity_type: 'All Activities',
        meeting_number: number,
      });
      // Started, a join and a leave per session, ended, and any hand-over.
      expect(rows.length).toBeGreaterThanOrEqual(2 + 2 * meeting.participants.length);
      expect(rows.every((r) => (r as SimMeetingActivity).meeting_number.replace(/ /g, '') === String(meeting.id))).toBe(true);
    }
  });

  it.each([
    ['no activity_type', { ...MAY }, "The 'activity_type' parameter is required."],
    ['an unknown activity_type', { ...MAY, activity_type: 'Screen Share' }, "Invalid field: activity_type 'Screen Share'."],
    ['no window', { activity_type: 'Remote Control' }, "The 'from' and 'to' parameters are required."],
    [
      'more than a month',
      { from: '2024-05-01', to: '2024-06-02', activity_type: 'Remote Control' },
      'The date range between from and to cannot exceed one month.',
    ],
    ['older than six months', { from: '2023-12-01', to: '2023-12-20', activity_type: 'Remote Control' }, 'Only provide report in recent 6 months'],
  ])('refuses %s with code 300', async (_name, params, message) => {
    const sim = await start();
    const answer = await get(sim, '/report/meeting_activities', await token(sim), params);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ code: 300, message });
  });

  it.each([
    ['pro', 'This API is only available for Business or higher accounts.'],
    ['free', 'Only available for paid account.'],
  ] as const)('answers 400 code 200 on %s, and serves Business without the dashboard feature', async (plan, message) => {
    const sim = await start({ plan });
    const bearer = await token(sim);
    const params = { ...MAY, activity_type: 'Remote Control' };
    expect((await get(sim, '/report/meeting_activities', bearer, params)).body).toEqual({ code: 200, message });
    sim.setFaults({ plan: 'business', dashboardEnabled: false });
    expect((await get(sim, '/report/meeting_activities', bearer, params)).status).toBe(200);
  });

  it('is faulted like the other reports: 429 storms as Heavy, 5xx resumable with the same page token, 404 on request', async () => {
    const sim = await start();
    const bearer = await token(sim);
    const query = { ...MAY, activity_type: 'All Activities', page_size: 50 };
    sim.setFaults({ rateLimitStorm: 1 });
    const storm = await get(sim, '/report/meeting_activities', bearer, query);
    expect(storm.status).toBe(429);
    expect(storm.headers.get('x-ratelimit-category')).toBe('Heavy');
    sim.setFaults({ rateLimitStorm: 0 });
    const next = String((await get(sim, '/report/meeting_activities', bearer, query)).body.next_page_token);
    sim.setFaults({ serverErrors: 1 });
    expect((await get(sim, '/report/meeting_activities', bearer, { ...query, next_page_token: next })).status).toBeGreaterThanOrEqual(500);
    sim.setFaults({ serverErrors: 0, notFound: ['GET /report/meeting_activities'] });
    expect((await get(sim, '/report/meeting_activities', bearer, { ...query, next_page_token: next })).status).toBe(404);
    sim.setFaults({ notFound: [] });
    expect((await get(sim, '/report/meeting_activities', bearer, { ...query, next_page_token: next })).status).toBe(200);
    expect(
      sim
        .stats()
        .requests.filter((r) => r.endpoint === 'GET /report/meeting_activities')
        .every((r) => r.category === 'Heavy'),
    ).toBe(true);
  });

  it('holds a routine trail per meeting and benign hand-overs between colleagues in the same meeting', () => {
    const org = simulatedOrg(7, RANGE.from, RANGE.to);
    const meeting = org.meetings[0]!;
    const own = org.meetingActivities.filter((a) => a.meeting_number.replace(/ /g, '') === String(meeting.id));
    expect(own.filter((a) => a.activity_category === 'User joined')).toHaveLength(meeting.participants.length);
    expect(own.filter((a) => a.activity_category === 'User left')).toHaveLength(meeting.participants.length);
    expect(own.find((a) => a.activity_category === 'Meeting Started')).toMatchObject({
      operator: meeting.host_name,
      operator_email: meeting.host_email,
    });

    const gave = org.meetingActivities.filter(
      (a) => a.activity_category === 'Remote Control' && a.activity_detail.includes(' gave remote control to '),
    );
    expect(gave.length).toBeGreaterThanOrEqual(3);
    const at = (t: string) => Date.parse(`${t.slice(0, 10)}T${t.slice(11, 19)}.${t.slice(20)}Z`);
    for (const a of gave) {
      const m = org.meetings.find((x) => String(x.id) === a.meeting_number.replace(/ /g, '') && x.start_time <= a.activity_time.replace(' ', 'T'))!;
      const controller = a.activity_detail.split(' gave remote control to ')[1];
      for (const name of [a.operator, controller]) {
        const session = m.participants.find(
          (p) => p.user_name === name && Date.parse(p.join_time) <= at(a.activity_time) && at(a.activity_time) <= Date.parse(p.leave_time),
        );
        expect(session?.kind, `${name} in ${m.topic}`).toBe('internal');
      }
    }
    expect(org.meetingActivities.map((a) => a.activity_time)).toEqual(org.meetingActivities.map((a) => a.activity_time).sort());
  });
});

describe('zoom simulator: recording sharing settings (GET /meetings/{meetingId}/recordings/settings)', () => {
  it("serves a live recording's settings by double-encoded instance UUID, as a Light call", async () => {
    const sim = await start();
    const bearer = await token(sim);
    const recording = sim.org.recordings.find((r) => !r.trashed && r.uuid.includes('//')) ?? sim.org.recordings.find((r) => !r.trashed)!;
    const answer = await get(sim, `/meetings/${encodeURIComponent(encodeURIComponent(recording.uuid))}/recordings/settings`, bearer);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ...recording.sharing, topic: recording.topic });
    expect(sim.stats().requests.at(-1)).toMatchObject({ endpoint: 'GET /meetings/{meetingId}/recordings/settings', category: 'Light', status: 200 });
  });

  it('answers 404 code 3301 for a meeting without a recording, a trashed recording and an unknown meeting', async () => {
    const sim = await start();
    const bearer = await token(sim);
    const recorded = new Set(sim.org.recordings.filter((r) => !r.trashed).map((r) => r.uuid));
    const unrecorded = sim.org.meetings.find((m) => !recorded.has(m.uuid))!;
    const trashed = sim.org.recordings.find((r) => r.trashed)!;
    for (const uuid of [unrecorded.uuid, trashed.uuid, 'nope==']) {
      const answer = await get(sim, `/meetings/${encodeURIComponent(encodeURIComponent(uuid))}/recordings/settings`, bearer);
      expect(answer.status).toBe(404);
      expect(answer.body.code).toBe(3301);
    }
  });

  it('keeps the settings and the passcode out of the recordings listing', async () => {
    const sim = await start();
    const { rows } = await walk(sim, await token(sim), '/accounts/me/recordings', 'meetings', { ...RANGE, to: '2024-05-31', page_size: 300 });
    const text = JSON.stringify(rows);
    expect(text).not.toContain('share_recording');
    for (const r of sim.org.recordings) if (r.sharing.password !== '') expect(text).not.toContain(r.sharing.password);
  });

  it('shares most recordings inside the account behind a passcode, and publishes one of a meeting of colleagues on purpose', () => {
    const org = simulatedOrg(7, RANGE.from, RANGE.to);
    const internal = org.recordings.filter((r) => r.sharing.share_recording === 'internally');
    expect(internal.length / org.recordings.length).toBeGreaterThan(0.7);
    expect(internal.every((r) => r.sharing.password !== '' && r.sharing.recording_authentication)).toBe(true);
    const published = org.recordings.filter((r) => r.sharing.share_recording === 'publicly');
    expect(published).toHaveLength(1);
    expect(published[0]!.trashed).toBe(false);
    expect(org.meetings.find((m) => m.uuid === published[0]!.uuid)?.participants.every((p) => p.kind === 'internal')).toBe(true);
  });
});
