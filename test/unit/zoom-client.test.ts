import { describe, expect, it } from 'vitest';
import {
  ZoomAuthError,
  ZoomBudgetError,
  ZoomNotFoundError,
  ZoomPageTokenError,
  ZoomPlanError,
  ZoomRateLimitError,
  ZoomResponseError,
  ZoomScopeError,
  ZoomServerError,
  ZoomTooOldError,
  ZoomWindowError,
} from '#core/zoom/errors.ts';
import { meetingUuidPath, type ZoomFetchInit, type ZoomFetchResponse, ZoomHttpClient, type ZoomHttpClientDeps } from '#core/zoom/client.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import type { ZoomPage } from '#core/ports.ts';

const NOW = Date.UTC(2026, 10, 26, 15, 30, 0);
const OAUTH = 'https://zoom.us/oauth/token';
const CREDENTIALS = { accountId: 'acct/1 x', clientId: 'client-id-1', clientSecret: 'very-secret-client-secret' };
const BASIC = Buffer.from('client-id-1:very-secret-client-secret').toString('base64');

type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | Error;

interface Call {
  readonly url: string;
  readonly init: ZoomFetchInit;
  readonly at: number;
}

/** A Zoom that answers from scripts: the token endpoint hands out tok-1, tok-2, ...; the API replies in order. */
function harness(options: { api?: Reply[]; token?: (n: number) => Reply; random?: number[]; deps?: Partial<ZoomHttpClientDeps> } = {}) {
  const clock = new FakeClock(NOW);
  const sleeps: number[] = [];
  const calls: Call[] = [];
  const api = [...(options.api ?? [])];
  const randoms = [...(options.random ?? [])];
  let tokens = 0;
  const issued: string[] = [];
  const reply = (r: Reply): ZoomFetchResponse => {
    if (r instanceof Error) throw r;
    const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    return {
      status: r.status,
      headers: { get: (name: string) => headers[name.toLowerCase()] ?? null },
      text: async () => (typeof r.body === 'string' ? r.body : r.body === undefined ? '' : JSON.stringify(r.body)),
    };
  };
  const deps: ZoomHttpClientDeps = {
    fetch: async (url, init) => {
      calls.push({ url, init, at: clock.now() });
      if (url === (options.deps?.oauthUrl ?? OAUTH)) {
        tokens += 1;
        const answer = options.token?.(tokens) ?? {
          status: 200,
          body: { access_token: `tok-${tokens}`, token_type: 'bearer', expires_in: 3600, scope: 'report:read:admin' },
        };
        if (
          !(answer instanceof Error) &&
          answer.status === 200 &&
          typeof answer.body === 'object' &&
          answer.body !== null &&
          'access_token' in answer.body
        ) {
          issued.push(String(answer.body.access_token));
        }
        return reply(answer);
      }
      const next = api.shift();
      if (next === undefined) throw new Error(`unscripted call to ${url}`);
      return reply(next);
    },
    clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    random: () => randoms.shift() ?? 0.5,
    credentials: CREDENTIALS,
    plan: 'business',
    apiBudgetShare: 1,
    // Exact pacing here; the default margin against timer skew has its own test.
    timerMarginMs: 0,
    ...options.deps,
  };
  const client = new ZoomHttpClient(deps);
  const apiCalls = () => calls.filter((c) => !c.url.startsWith(options.deps?.oauthUrl ?? OAUTH));
  const tokenCalls = () => calls.filter((c) => c.url.startsWith(options.deps?.oauthUrl ?? OAUTH));
  return { client, clock, sleeps, calls, apiCalls, tokenCalls, issued: () => [...issued], remaining: () => api.length };
}

const ok = (body: unknown): Reply => ({ status: 200, body });
const users = { path: '/users', category: 'Medium' } as const;

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error('non-Error thrown');
  }
  throw new Error('expected a rejection');
}

async function collect<T>(pages: AsyncIterable<ZoomPage<T>>): Promise<ZoomPage<T>[]> {
  const out: ZoomPage<T>[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('server-to-server oauth', () => {
  it('asks for a token with a form body and basic auth, then sends it as a bearer header only', async () => {
    const h = harness({ api: [ok({ users: [] })] });
    await h.client.get({ ...users, query: { status: 'active' } });
    const [token, call] = h.calls;
    expect(token!.url).toBe(OAUTH);
    expect(token!.init.method).toBe('POST');
    expect(token!.init.body).toBe('grant_type=account_credentials&account_id=acct%2F1%20x');
    expect(token!.init.headers['Authorization']).toBe(`Basic ${BASIC}`);
    expect(token!.init.headers['Content-Type']).toBe('application/x-www-form-urlencoded');
    expect(call!.url).toBe('https://api.zoom.us/v2/users?status=active');
    expect(call!.init.method).toBe('GET');
    expect(call!.init.headers['Authorization']).toBe('Bearer tok-1');
    expect(call!.url).not.toContain('tok-1');
  });

  it.each([
    ['reused well before expiry', 1_000, 1],
    ['reused 61 s before expiry', 3_600_000 - 61_000, 1],
    ['refreshed exactly 60 s before expiry', 3_600_000 - 60_000, 2],
    ['refreshed after expiry', 3_700_000, 2],
  ])('a cached token is %s', async (_name, elapsedMs, tokenCalls) => {
    const h = harness({ api: [ok({}), ok({})] });
    await h.client.get(users);
    h.clock.advance(elapsedMs);
    await h.client.get(users);
    expect(h.tokenCalls()).toHaveLength(tokenCalls);
    expect(h.apiCalls()[1]!.init.headers['Authorization']).toBe(`Bearer tok-${tokenCalls}`);
  });

  it('honours a shorter expires_in', async () => {
    const h = harness({ api: [ok({}), ok({})], token: (n) => ({ status: 200, body: { access_token: `short-${n}`, expires_in: 120 } }) });
    await h.client.get(users);
    h.clock.advance(60_000);
    await h.client.get(users);
    expect(h.tokenCalls()).toHaveLength(2);
  });

  it('shares one token request between concurrent calls', async () => {
    const h = harness({ api: [ok({}), ok({}), ok({})] });
    await Promise.all([h.client.get(users), h.client.get(users), h.client.get(users)]);
    expect(h.tokenCalls()).toHaveLength(1);
  });

  it.each([
    ['401 code 124', { status: 401, body: { code: 124, message: 'Invalid access token.' } }],
    ['400 code 124 (token in query)', { status: 400, body: { code: 124, message: 'Access token is not supported as query parameter string.' } }],
    ['bare 401', { status: 401, body: '' }],
  ])('on %s fetches a new token once and retries', async (_name, rejected) => {
    const h = harness({ api: [rejected, ok({ id: 1 })] });
    expect(await h.client.get(users)).toEqual({ id: 1 });
    expect(h.tokenCalls()).toHaveLength(2);
    expect(h.apiCalls().map((c) => c.init.headers['Authorization'])).toEqual(['Bearer tok-1', 'Bearer tok-2']);
  });

  it('gives up with ZoomAuthError when the fresh token is rejected too', async () => {
    const rejected: Reply = { status: 401, body: { code: 124, message: 'Invalid access token.' } };
    const h = harness({ api: [rejected, rejected, ok({})] });
    const error = await failure(h.client.get(users));
    expect(error).toBeInstanceOf(ZoomAuthError);
    expect(error.message).toContain('again with a fresh token');
    expect(h.tokenCalls()).toHaveLength(2);
    expect(h.apiCalls()).toHaveLength(2);
  });

  it('does not refresh on a missing scope (4700 on a 401)', async () => {
    const h = harness({
      api: [{ status: 401, body: { code: 4700, message: 'Invalid access token, does not contain scopes:[report:read:admin].' } }],
    });
    expect(await failure(h.client.get(users))).toBeInstanceOf(ZoomScopeError);
    expect(h.tokenCalls()).toHaveLength(1);
  });

  it.each([
    ['4702 invalid client', { status: 400, body: { code: 4702, message: 'Invalid client_id or client_secret' } }],
    ['OAuth-style invalid_client', { status: 400, body: { reason: 'Invalid client_id or client_secret', error: 'invalid_client' } }],
    ['401 from the token endpoint', { status: 401, body: { code: 4706, message: 'Client ID or client secret is missing' } }],
    ['a 200 without access_token', { status: 200, body: { token_type: 'bearer' } }],
  ])('token endpoint failure %s is a ZoomAuthError, not retried', async (_name, rejected) => {
    const h = harness({ api: [ok({})], token: () => rejected });
    const error = await failure(h.client.get(users));
    expect(error).toBeInstanceOf(ZoomAuthError);
    expect(h.tokenCalls()).toHaveLength(1);
    expect(h.apiCalls()).toHaveLength(0);
  });

  it('retries a 503 from the token endpoint', async () => {
    const h = harness({
      api: [ok({ done: true })],
      token: (n) => (n === 1 ? { status: 503, body: '' } : { status: 200, body: { access_token: 'tok-late', expires_in: 3600 } }),
    });
    expect(await h.client.get(users)).toEqual({ done: true });
    expect(h.apiCalls()[0]!.init.headers['Authorization']).toBe('Bearer tok-late');
  });

  it.each([
    ['the api_url from the token', { api_url: 'https://api-us.zoomgov.com' }, undefined, 'https://api-us.zoomgov.com/v2/users'],
    ['the api_url with a trailing slash', { api_url: 'https://api.zoom.us/' }, undefined, 'https://api.zoom.us/v2/users'],
    ['the default without api_url', {}, undefined, 'https://api.zoom.us/v2/users'],
    ['the default when api_url is not https', { api_url: 'http://evil.example' }, undefined, 'https://api.zoom.us/v2/users'],
    ['the override over api_url', { api_url: 'https://api-us.zoomgov.com' }, 'http://127.0.0.1:9999/v2/', 'http://127.0.0.1:9999/v2/users'],
  ])('uses %s as the API base', async (_name, extra, apiBaseUrl, url) => {
    const h = harness({
      api: [ok({})],
      token: () => ({ status: 200, body: { access_token: 't', expires_in: 3600, ...extra } }),
      deps: { apiBaseUrl },
    });
    await h.client.get(users);
    expect(h.apiCalls()[0]!.url).toBe(url);
  });

  it('uses a configured oauth url', async () => {
    const h = harness({ api: [ok({})], deps: { oauthUrl: 'http://127.0.0.1:1/oauth/token' } });
    await h.client.get(users);
    expect(h.tokenCalls()[0]!.url).toBe('http://127.0.0.1:1/oauth/token');
  });
});

describe('pagination', () => {
  const activities = {
    path: '/report/activities',
    query: { from: '2026-11-01', to: '2026-11-26' },
    category: 'Heavy',
    itemsKey: 'activity_logs',
  } as const;

  it('walks next_page_token over three pages with page_size=300 and the same query', async () => {
    const h = harness({
      api: [
        ok({ activity_logs: [{ n: 1 }, { n: 2 }], next_page_token: 'tok A+/=' }),
        ok({ activity_logs: [{ n: 3 }], next_page_token: 'tokB' }),
        ok({ activity_logs: [{ n: 4 }], next_page_token: '' }),
      ],
    });
    const pages = await collect(h.client.paginate<{ n: number }>(activities));
    expect(pages.map((p) => [p.page, p.items.map((i) => i.n)])).toEqual([
      [1, [1, 2]],
      [2, [3]],
      [3, [4]],
    ]);
    const queries = h.apiCalls().map((c) => Object.fromEntries(new URL(c.url).searchParams));
    expect(queries).toEqual([
      { from: '2026-11-01', to: '2026-11-26', page_size: '300' },
      { from: '2026-11-01', to: '2026-11-26', page_size: '300', next_page_token: 'tok A+/=' },
      { from: '2026-11-01', to: '2026-11-26', page_size: '300', next_page_token: 'tokB' },
    ]);
    expect(h.apiCalls().every((c) => new URL(c.url).pathname === '/v2/report/activities')).toBe(true);
  });

  it.each([
    ['absent next_page_token', { activity_logs: [{ n: 1 }] }],
    ['null next_page_token', { activity_logs: [{ n: 1 }], next_page_token: null }],
  ])('stops on %s', async (_name, body) => {
    const h = harness({ api: [ok(body)] });
    expect(await collect(h.client.paginate(activities))).toHaveLength(1);
  });

  it('treats a page without the items key as empty and keeps a caller-set page_size', async () => {
    const h = harness({ api: [ok({ next_page_token: 'x' }), ok({ activity_logs: [1], next_page_token: '' })] });
    const pages = await collect(h.client.paginate({ ...activities, query: { ...activities.query, page_size: '50' } }));
    expect(pages.map((p) => p.items)).toEqual([[], [1]]);
    expect(new URL(h.apiCalls()[0]!.url).searchParams.get('page_size')).toBe('50');
  });

  it.each([
    ['items that are not an array', [ok({ activity_logs: { n: 1 } })]],
    ['a page token that repeats', [ok({ activity_logs: [], next_page_token: 'same' }), ok({ activity_logs: [], next_page_token: 'same' })]],
    ['a 200 body that is not JSON', [{ status: 200, body: '<html>' }]],
  ])('rejects %s', async (_name, api) => {
    const h = harness({ api });
    expect(await failure(collect(h.client.paginate(activities)))).toBeInstanceOf(ZoomResponseError);
  });

  const expired: Reply = { status: 400, body: { code: 300, message: 'The next page token is invalid or expired.' } };

  it('restarts from page 1 when the page token expires, never skipping a page', async () => {
    const h = harness({
      api: [
        ok({ activity_logs: [1, 2], next_page_token: 'a' }),
        expired,
        ok({ activity_logs: [1, 2], next_page_token: 'b' }),
        ok({ activity_logs: [3], next_page_token: 'c' }),
        ok({ activity_logs: [4], next_page_token: '' }),
      ],
    });
    const pages = await collect(h.client.paginate<number>(activities));
    expect(pages.map((p) => [p.page, p.restarts, p.items])).toEqual([
      [1, 0, [1, 2]],
      [1, 1, [1, 2]],
      [2, 1, [3]],
      [3, 1, [4]],
    ]);
    const tokens = h.apiCalls().map((c) => new URL(c.url).searchParams.get('next_page_token'));
    expect(tokens).toEqual([null, 'a', null, 'b', 'c']);
  });

  it('gives up after two restarts', async () => {
    const first = ok({ activity_logs: [1], next_page_token: 'a' });
    const h = harness({ api: [first, expired, first, expired, first, expired] });
    const seen: number[] = [];
    const error = await failure(
      (async () => {
        for await (const page of h.client.paginate(activities)) seen.push(page.page);
      })(),
    );
    expect(error).toBeInstanceOf(ZoomPageTokenError);
    expect(seen).toEqual([1, 1, 1]);
    expect(h.remaining()).toBe(0);
  });

  it('does not restart on the six-month window error (same code 300)', async () => {
    const h = harness({
      api: [
        ok({ activity_logs: [], next_page_token: 'a' }),
        { status: 400, body: { code: 300, message: 'Only provide report in recent 6 months.' } },
      ],
    });
    expect(await failure(collect(h.client.paginate(activities)))).toBeInstanceOf(ZoomWindowError);
    expect(h.apiCalls()).toHaveLength(2);
  });
});

describe('meetingUuidPath', () => {
  it.each([
    ['starting with /: double', '/abc==', '%252Fabc%253D%253D'],
    ['containing //: double', 'a//b', 'a%252F%252Fb'],
    ['a single / elsewhere: single', 'abc+/=', 'abc%2B%2F%3D'],
    ['plain: single', 'Kq5L0pYfQ2mH', 'Kq5L0pYfQ2mH'],
  ])('%s', (_name, uuid, segment) => {
    expect(meetingUuidPath(uuid)).toBe(segment);
  });

  it('reaches Zoom as built', async () => {
    const h = harness({ api: [ok({ participants: [] })] });
    await collect(
      h.client.paginate({ path: `/report/meetings/${meetingUuidPath('/abc==')}/participants`, category: 'Heavy', itemsKey: 'participants' }),
    );
    expect(h.apiCalls()[0]!.url).toBe('https://api.zoom.us/v2/report/meetings/%252Fabc%253D%253D/participants?page_size=300');
  });
});

describe('rate limits and retries', () => {
  const perSecond = (retryAfter?: string): Reply => ({
    status: 429,
    body: { code: 429, message: 'You have reached the maximum per-second rate limit for this API. Try again later.' },
    headers: retryAfter === undefined ? {} : { 'Retry-After': retryAfter, 'X-RateLimit-Type': 'QPS' },
  });

  it.each([
    ['seconds', '2', 2000],
    ['an HTTP date', new Date(NOW + 5000).toUTCString(), 5000],
    ['an ISO time', new Date(NOW + 7000).toISOString(), 7000],
  ])('a per-second 429 waits Retry-After given as %s, then retries', async (_name, retryAfter, waitMs) => {
    const h = harness({ api: [perSecond(retryAfter), ok({ fine: true })] });
    expect(await h.client.get(users)).toEqual({ fine: true });
    expect(h.sleeps).toEqual([waitMs]);
    expect(h.apiCalls().map((c) => c.at - NOW)).toEqual([0, waitMs]);
  });

  it('a per-second 429 without Retry-After backs off exponentially with full jitter', async () => {
    const h = harness({ api: [perSecond(), perSecond(), perSecond(), ok({})], random: [0.5, 0.25, 0.9] });
    await h.client.get(users);
    // random * min(cap, 1 s * 2^attempt)
    expect(h.sleeps).toEqual([500, 500, 3600]);
  });

  it('throws a per-second 429 whose Retry-After is too long to sleep in a Lambda', async () => {
    const h = harness({ api: [perSecond('3600'), ok({})] });
    const error = await failure(h.client.get(users));
    expect(error).toBeInstanceOf(ZoomRateLimitError);
    expect((error as ZoomRateLimitError).retryAfterMs).toBe(3_600_000);
    expect(h.sleeps).toEqual([]);
  });

  it.each([
    [
      'X-RateLimit-Type Daily-limit and an ISO Retry-After',
      { 'X-RateLimit-Type': 'Daily-limit', 'Retry-After': '2026-11-27T00:00:00Z', 'X-RateLimit-Category': 'Heavy' },
      'rate limit',
    ],
    ['a daily message and no headers', {}, 'You have exceeded the daily rate limit of (30000) for Heavy APIs.'],
  ])('a daily 429 (%s) stops the run with ZoomRateLimitError daily', async (_name, headers, message) => {
    const h = harness({ api: [{ status: 429, body: { code: 429, message }, headers }, ok({})] });
    const error = await failure(h.client.get(users));
    expect(error).toBeInstanceOf(ZoomRateLimitError);
    expect((error as ZoomRateLimitError).daily).toBe(true);
    expect((error as ZoomRateLimitError).retryAfterMs).toBe(Date.UTC(2026, 10, 27) - NOW);
    expect(h.sleeps).toEqual([]);
    expect(h.apiCalls()).toHaveLength(1);
  });

  it('retries 5xx and network errors with jittered backoff, then succeeds', async () => {
    const h = harness({
      api: [{ status: 503, body: '' }, new TypeError('fetch failed'), { status: 502, body: 'bad gateway' }, ok({ id: 7 })],
      random: [0.1, 0.6, 0.3],
    });
    expect(await h.client.get(users)).toEqual({ id: 7 });
    expect(h.sleeps).toEqual([100, 1200, 1200]);
  });

  it.each([
    ['a 500', { status: 500, body: '' }, ZoomServerError],
    ['a timeout', new DOMException('The operation was aborted due to timeout', 'TimeoutError'), ZoomServerError],
    ['a per-second 429', perSecond('1'), ZoomRateLimitError],
  ])('stops retrying %s after maxRetries', async (_name, reply, type) => {
    const h = harness({ api: Array.from({ length: 10 }, () => reply), deps: { maxRetries: 3 } });
    expect(await failure(h.client.get(users))).toBeInstanceOf(type);
    expect(h.apiCalls()).toHaveLength(4);
    expect(h.sleeps).toHaveLength(3);
  });

  it('retries five times by default', async () => {
    const h = harness({ api: Array.from({ length: 10 }, (): Reply => ({ status: 500, body: '' })) });
    expect(await failure(h.client.get(users))).toBeInstanceOf(ZoomServerError);
    expect(h.apiCalls()).toHaveLength(6);
  });

  it('passes timeoutMs to fetch for the adapter to enforce', async () => {
    const h = harness({ api: [ok({})], deps: { timeoutMs: 10_000 } });
    await h.client.get(users);
    expect(h.calls.map((c) => c.init.timeoutMs)).toEqual([10_000, 10_000]);
  });

  it.each([
    ['404 3001', { status: 404, body: { code: 3001, message: 'Meeting does not exist.' } }, ZoomNotFoundError],
    ['400 12702', { status: 400, body: { code: 12702, message: 'Can not access meeting a year ago.' } }, ZoomTooOldError],
    ['400 200', { status: 400, body: { code: 200, message: 'Only available for paid account.' } }, ZoomPlanError],
    [
      '400 dashboard',
      { status: 400, body: { message: 'Only for Business or higher accounts that have enabled the Dashboard feature.' } },
      ZoomPlanError,
    ],
  ])('maps %s and throws it without retrying', async (_name, reply, type) => {
    const h = harness({ api: [reply, ok({})] });
    expect(await failure(h.client.get(users))).toBeInstanceOf(type);
    expect(h.apiCalls()).toHaveLength(1);
    expect(h.sleeps).toEqual([]);
  });

  it('paces requests to maxRequestsPerSecond before sending', async () => {
    const h = harness({ api: Array.from({ length: 6 }, () => ok({})), deps: { maxRequestsPerSecond: 2 } });
    for (let i = 0; i < 6; i++) await h.client.get(users);
    expect(h.apiCalls().map((c) => c.at - NOW)).toEqual([0, 0, 1000, 1000, 2000, 2000]);
  });

  it('stops with ZoomBudgetError when the daily share is spent, without calling Zoom', async () => {
    const h = harness({ api: [ok({}), ok({})], deps: { plan: 'pro', apiBudgetShare: 1 / 30_000 } });
    await h.client.get({ path: '/report/activities', category: 'Heavy' });
    expect(await failure(h.client.get({ path: '/report/activities', category: 'Heavy' }))).toBeInstanceOf(ZoomBudgetError);
    expect(h.apiCalls()).toHaveLength(1);
  });
});

describe('secrets stay out of errors', () => {
  const echo = `token tok-1 tok-2 secret ${CREDENTIALS.clientSecret} basic ${BASIC}`;

  it.each<[string, Partial<Parameters<typeof harness>[0]>]>([
    ['token endpoint rejects and echoes', { token: () => ({ status: 400, body: { code: 4702, message: echo } }) }],
    ['token endpoint 500 echoes', { token: () => ({ status: 500, body: echo }), deps: { maxRetries: 0 } }],
    [
      'api 401 twice echoing',
      {
        api: [
          { status: 401, body: { code: 124, message: echo } },
          { status: 401, body: { code: 124, message: echo } },
        ],
      },
    ],
    ['api 400 echoing', { api: [{ status: 400, body: { code: 1010, message: echo } }] }],
    ['api 429 daily echoing', { api: [{ status: 429, body: { code: 429, message: `daily ${echo}` } }] }],
    ['api network error', { api: [new Error(`connect failed Authorization: Bearer tok-1 ${CREDENTIALS.clientSecret}`)], deps: { maxRetries: 0 } }],
  ])('%s', async (_name, options) => {
    const h = harness(options);
    const error = await failure(h.client.get(users));
    const text = `${error.name} ${error.message} ${String(error)} ${JSON.stringify(error)}`;
    // Zoom echoes whatever it saw; the client scrubs every secret it holds and every token it was given.
    const secrets = [CREDENTIALS.clientSecret, BASIC, ...h.issued()];
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
