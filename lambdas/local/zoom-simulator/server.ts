import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import type { Clock } from '#core/ports.ts';
import { findMeeting, type Route } from './api.ts';
import { RateLimiter, type Plan, type RateCategory } from './limits.ts';
import { simulatedOrg } from './generate-org.ts';
import { formatDay, type SimMeeting, type SimulatedOrg } from './org.ts';
import { ROUTES } from './routes.ts';
import { Prng, type Seed } from '#core/prng.ts';
import { ZOOM_PLANS } from '#core/zoom/rate-limit.ts';

/** Behaviour switches, settable at start and at runtime (`setFaults`, `POST /__sim/faults`). */
export interface SimulatorSwitches {
  /** Free/Pro answer dashboard endpoints with 400 code 200; Free also fails reports. @default 'business' */
  readonly plan: Plan;
  /** Business+ accounts must also have the Dashboard feature on. @default true */
  readonly dashboardEnabled: boolean;
  /** Enforce the plan's per-second (Resource-intensive: per-minute) limits. @default true */
  readonly enforceQps: boolean;
  /** Overrides the daily Heavy budget (Pro 30,000, Business+ 60,000). @default null (the plan's own) */
  readonly dailyHeavyLimit: number | null;
  /** Fraction (0..1) of API requests answered 429 regardless of the real rate. @default 0 */
  readonly rateLimitStorm: number;
  /** Fraction (0..1) of API requests answered 500, 502 or 503. @default 0 */
  readonly serverErrors: number;
  /** Real-time delay added to every response. @default 0 */
  readonly slowMs: number;
  /** Lifetime of a `next_page_token` on the simulator's clock. @default 900000 (15 min, as Zoom) */
  readonly pageTokenTtlMs: number;
  /** `expires_in` of new access tokens. @default 3600 */
  readonly tokenTtlSeconds: number;
  /** Endpoints (by name, `GET /accounts/{accountId}/recordings`) answered 404 code 404, as an account without the API. @default [] */
  readonly notFound: readonly string[];
}

/** A runtime change: any switch, plus `expireTokens` to invalidate every access token issued so far. */
export type FaultChange = Partial<SimulatorSwitches> & { readonly expireTokens?: boolean };

/** How to start the simulator. */
export interface ZoomSimulatorOptions extends Partial<SimulatorSwitches> {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** Seeds the organisation, tokens and fault draws. @default 1 */
  readonly seed?: Seed;
  /** First generated day (yyyy-mm-dd). @default 29 days before `to` */
  readonly from?: string;
  /** Last generated day (yyyy-mm-dd). @default the clock's current day */
  readonly to?: string;
  /** @default 'sim-client-id' */
  readonly clientId?: string;
  /** @default 'sim-client-secret' */
  readonly clientSecret?: string;
  /** @default 'sim-account-id' */
  readonly accountId?: string;
  /** Source of "now" for tokens, page-token expiry, windows and limits. @default Date.now */
  readonly clock?: (() => number) | Clock;
  /** The organisation to serve, e.g. a demo scenario's. @default simulatedOrg(seed, from, to, accountId) */
  readonly org?: SimulatedOrg;
}

/** One request the simulator answered. */
export interface SimRequestRecord {
  /** Simulator clock at arrival. */
  readonly at: number;
  /** Route name such as `GET /report/activities`, `POST /oauth/token`, or `unknown`. */
  readonly endpoint: string;
  readonly status: number;
  readonly category?: RateCategory;
}

/** Counts of what the simulator served, for tests that check a client's behaviour. */
export interface SimulatorStats {
  readonly total: number;
  readonly byEndpoint: Readonly<Record<string, number>>;
  readonly byStatus: Readonly<Record<string, number>>;
  /** The most recent requests (at most 100,000), oldest first. */
  readonly requests: readonly SimRequestRecord[];
}

/** A running simulator. */
export interface ZoomSimulator {
  /** Base URL, e.g. `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** `${url}/oauth/token` */
  readonly oauthUrl: string;
  /** `${url}/v2` */
  readonly apiBaseUrl: string;
  /** The generated organisation: the truth to compare collected records against. */
  readonly org: SimulatedOrg;
  stats(): SimulatorStats;
  /** Applies a runtime change and returns the switches now in force. */
  setFaults(change: FaultChange): SimulatorSwitches;
  /** Adds a meeting instance (with its participants) to the organisation, e.g. the one a test's meeting.ended names. */
  addMeeting(meeting: SimMeeting): void;
  /**
   * Makes the next `calls` requests for the instance's report participants answer as right after the end, before
   * Zoom has the report: 404 code 3001 ("not_found", the default) or an empty participant list ("empty").
   */
  holdReport(meetingUuid: string, calls: number, answer?: 'not_found' | 'empty'): void;
  close(): Promise<void>;
}

const fraction = z.number().min(0).max(1);
/** The admin endpoint's body; also validates constructor switches. */
const faultChangeSchema = z.strictObject({
  plan: z.enum(ZOOM_PLANS).optional(),
  dashboardEnabled: z.boolean().optional(),
  enforceQps: z.boolean().optional(),
  dailyHeavyLimit: z.number().int().min(0).nullable().optional(),
  rateLimitStorm: fraction.optional(),
  serverErrors: fraction.optional(),
  slowMs: z.number().int().min(0).max(60_000).optional(),
  pageTokenTtlMs: z.number().int().min(0).optional(),
  tokenTtlSeconds: z.number().int().min(1).optional(),
  notFound: z.array(z.string()).optional(),
  expireTokens: z.boolean().optional(),
});

const MAX_LOG = 100_000;
const MAX_PAGE_TOKENS = 10_000;
const MAX_ACCESS_TOKENS = 10_000;
const MAX_BODY = 64 * 1024;
const PAGE_SIZE_MAX = 300;
const SCOPES =
  'report:read:admin report:read:meeting_activity_log:admin user:read:admin dashboard_meetings:read:admin dashboard:read:admin recording:read:admin account:read:admin chat_channel:read:admin chat_message:read:admin';
const DASHBOARD_MESSAGE = 'This API is only available for Business or higher accounts that have enabled the Dashboard feature.';
const BUSINESS_MESSAGE = 'This API is only available for Business or higher accounts.';

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, body: JSON.stringify(body), headers: { 'content-type': 'application/json;charset=UTF-8', ...headers } };
}

function zoomError(status: number, code: number, message: string, headers: Record<string, string> = {}): Reply {
  return json(status, { code, message }, headers);
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Starts a local Zoom API simulator (S2S OAuth + the report, dashboard, user, recording and chat endpoints the
 * pollers use) over a deterministic synthetic organisation, with switchable plan limits and faults.
 */
export async function startZoomSimulator(options: ZoomSimulatorOptions = {}): Promise<ZoomSimulator> {
  const clockOpt = options.clock;
  const now: () => number = clockOpt === undefined ? () => Date.now() : typeof clockOpt === 'function' ? clockOpt : () => clockOpt.now();
  const seed = options.seed ?? 1;
  const clientId = options.clientId ?? 'sim-client-id';
  const clientSecret = options.clientSecret ?? 'sim-client-secret';
  const accountId = options.accountId ?? 'sim-account-id';
  const to = options.to ?? formatDay(now());
  const from = options.from ?? formatDay(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000);
  const org = options.org ?? simulatedOrg(seed, from, to, accountId);

  let switches: SimulatorSwitches = {
    plan: 'business',
    dashboardEnabled: true,
    enforceQps: true,
    dailyHeavyLimit: null,
    rateLimitStorm: 0,
    serverErrors: 0,
    slowMs: 0,
    pageTokenTtlMs: 15 * 60_000,
    tokenTtlSeconds: 3600,
    notFound: [],
  };
  const accessTokens = new Map<string, number>();
  const pageTokens = new Map<string, { key: string; offset: number; issuedAt: number }>();
  const limiter = new RateLimiter();
  const heldReports = new Map<string, { calls: number; answer: 'not_found' | 'empty' }>();
  // Separate streams: token values and fault draws never disturb each other or the organisation.
  const tokenRng = new Prng(seed, 'tokens');
  const faultRng = new Prng(seed, 'faults');
  const log: SimRequestRecord[] = [];
  const byEndpoint: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  let total = 0;

  const setFaults = (change: FaultChange): SimulatorSwitches => {
    const { expireTokens, ...rest } = faultChangeSchema.parse(change);
    const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
    switches = { ...switches, ...defined };
    if (expireTokens) accessTokens.clear();
    return switches;
  };
  const { host: _h, port: _p, seed: _s, from: _f, to: _t, clientId: _ci, clientSecret: _cs, accountId: _a, clock: _c, org: _o, ...initial } = options;
  setFaults(initial);

  const record = (entry: SimRequestRecord) => {
    total++;
    byEndpoint[entry.endpoint] = (byEndpoint[entry.endpoint] ?? 0) + 1;
    byStatus[String(entry.status)] = (byStatus[String(entry.status)] ?? 0) + 1;
    log.push(entry);
    if (log.length > MAX_LOG) log.splice(0, log.length - MAX_LOG);
  };
  const stats = (): SimulatorStats => ({ total, byEndpoint: { ...byEndpoint }, byStatus: { ...byStatus }, requests: [...log] });

  const oauth = async (req: IncomingMessage, query: URLSearchParams): Promise<Reply> => {
    const body = await readBody(req);
    if (body === undefined) return json(413, { reason: 'Request body too large', error: 'invalid_request' });
    // Zoom accepts the parameters in the query string (Sentinel does this) or the form body.
    const params = new URLSearchParams(query);
    for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
    const auth = req.headers.authorization ?? '';
    const basic = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
    if (basic !== `${clientId}:${clientSecret}`) return json(401, { reason: 'Invalid client_id or client_secret', error: 'invalid_client' });
    if (params.get('grant_type') !== 'account_credentials') return json(400, { reason: 'Unsupported grant type', error: 'unsupported_grant_type' });
    if (params.get('account_id') !== accountId) return json(400, { reason: 'Invalid account_id', error: 'invalid_request' });
    const t = now();
    if (accessTokens.size >= MAX_ACCESS_TOKENS) {
      for (const [token, expiresAt] of accessTokens) if (expiresAt <= t) accessTokens.delete(token);
      if (accessTokens.size >= MAX_ACCESS_TOKENS) accessTokens.clear();
    }
    const token = `sim.${tokenRng.chars(48, '-_')}`;
    accessTokens.set(token, t + switches.tokenTtlSeconds * 1000);
    return json(200, { access_token: token, token_type: 'bearer', expires_in: switches.tokenTtlSeconds, scope: SCOPES, api_url: baseUrl });
  };

  const checkBearer = (req: IncomingMessage, query: URLSearchParams, t: number): Reply | undefined => {
    if (query.has('access_token')) return zoomError(401, 124, 'Access token is not supported as query parameter string.');
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7).trim() : '';
    const expiresAt = accessTokens.get(token);
    if (expiresAt === undefined) return zoomError(401, 124, 'Invalid access token.');
    if (expiresAt <= t) return zoomError(401, 124, 'Access token is expired.');
    return undefined;
  };

  const paginate = (
    route: Route,
    params: readonly string[],
    query: URLSearchParams,
    t: number,
    items: readonly unknown[],
    field: string,
    envelope: Readonly<Record<string, unknown>>,
  ): Reply => {
    const rawSize = query.get('page_size');
    const requested = rawSize === null ? route.defaultPageSize : Number(rawSize);
    if (!Number.isInteger(requested) || requested < 1) return zoomError(400, 300, `Invalid field: page_size '${rawSize ?? ''}'.`);
    const pageSize = Math.min(requested, route.maxPageSize ?? PAGE_SIZE_MAX);
    // A token is only valid for the same query; page_size may change between pages.
    const keyParams = [...query].filter(([k]) => k !== 'next_page_token' && k !== 'page_size').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const key = JSON.stringify([route.name, params, keyParams]);
    let offset = 0;
    const given = query.get('next_page_token');
    if (given) {
      const entry = pageTokens.get(given);
      const expired = entry !== undefined && t - entry.issuedAt > switches.pageTokenTtlMs;
      if (expired) pageTokens.delete(given);
      if (!entry || expired || entry.key !== key) return zoomError(400, 300, 'The next page token is invalid or expired.');
      offset = entry.offset;
    }
    const page = items.slice(offset, offset + pageSize);
    let next = '';
    if (offset + pageSize < items.length) {
      if (pageTokens.size >= MAX_PAGE_TOKENS) {
        for (const [tok, e] of pageTokens) if (t - e.issuedAt > switches.pageTokenTtlMs) pageTokens.delete(tok);
        for (const tok of pageTokens.keys()) {
          if (pageTokens.size < MAX_PAGE_TOKENS) break;
          pageTokens.delete(tok);
        }
      }
      next = tokenRng.chars(32);
      pageTokens.set(next, { key, offset: offset + pageSize, issuedAt: t });
    }
    return json(200, {
      ...envelope,
      page_count: Math.ceil(items.length / pageSize),
      page_size: pageSize,
      total_records: items.length,
      next_page_token: next,
      [field]: page,
    });
  };

  const api = (
    req: IncomingMessage,
    path: string,
    query: URLSearchParams,
    t: number,
  ): { reply: Reply; endpoint: string; category?: RateCategory } => {
    const sub = path.slice('/v2'.length);
    let route: Route | undefined;
    let params: string[] = [];
    for (const r of ROUTES) {
      const m = r.pattern.exec(sub);
      if (m) {
        route = r;
        params = m.slice(1);
        break;
      }
    }
    if (!route) return { reply: zoomError(404, 404, 'Not found.'), endpoint: 'unknown' };
    const endpoint = route.name;
    const category = route.category;
    if (req.method !== 'GET') return { reply: zoomError(405, 405, 'Method not allowed.'), endpoint, category };
    const denied = checkBearer(req, query, t);
    if (denied) return { reply: denied, endpoint, category };
    if (switches.notFound.includes(endpoint)) return { reply: zoomError(404, 404, 'Not found.'), endpoint, category };

    // Three draws per request whatever the switches, so a given seed yields the same fault sequence.
    const stormDraw = faultRng.next();
    const errorDraw = faultRng.next();
    const errorPick = faultRng.next();
    if (stormDraw < switches.rateLimitStorm) {
      const headers = { 'X-RateLimit-Category': category, 'X-RateLimit-Type': 'QPS', 'Retry-After': '1' };
      return {
        reply: zoomError(429, 429, 'You have reached the maximum per-second rate limit for this API. Try again later.', headers),
        endpoint,
        category,
      };
    }
    const refusal = limiter.admit(category, t, switches);
    if (refusal) return { reply: zoomError(429, 429, refusal.message, refusal.headers), endpoint, category };
    if (errorDraw < switches.serverErrors) {
      const status = errorPick < 1 / 3 ? 500 : errorPick < 2 / 3 ? 502 : 503;
      // Gateways in front of Zoom answer 502/503 with HTML; clients must not assume a JSON body.
      const reply =
        status === 500
          ? zoomError(500, 500, 'Internal server error.')
          : { status, body: `<html><body><h1>${status}</h1></body></html>`, headers: { 'content-type': 'text/html' } };
      return { reply, endpoint, category };
    }
    if (route.access !== 'any' && switches.plan === 'free')
      return { reply: zoomError(400, 200, 'Only available for paid account.'), endpoint, category };
    if (route.access === 'dashboard' && (switches.plan === 'pro' || !switches.dashboardEnabled)) {
      return { reply: zoomError(400, 200, DASHBOARD_MESSAGE), endpoint, category };
    }
    if (route.access === 'business' && switches.plan === 'pro') return { reply: zoomError(400, 200, BUSINESS_MESSAGE), endpoint, category };
    const held = route.name === 'GET /report/meetings/{meetingId}/participants' ? findMeeting(org, params[0] ?? '') : undefined;
    const hold = held && heldReports.get(held.uuid);
    if (held && hold && hold.calls > 0) {
      heldReports.set(held.uuid, { ...hold, calls: hold.calls - 1 });
      const reply =
        hold.answer === 'empty' ? paginate(route, params, query, t, [], 'participants', {}) : zoomError(404, 3001, 'Meeting does not exist.');
      return { reply, endpoint, category };
    }
    const result = route.handle({ params, query, now: t, org });
    const reply =
      result.kind === 'error'
        ? zoomError(result.status, result.code, result.message)
        : result.kind === 'object'
          ? json(200, result.body)
          : paginate(route, params, query, t, result.items, result.field, result.envelope);
    return { reply: { ...reply, headers: { ...reply.headers, ...limiter.remainingHeaders(category, switches) } }, endpoint, category };
  };

  const admin = async (req: IncomingMessage, path: string): Promise<Reply> => {
    if (path === '/__sim/stats' && req.method === 'GET') return json(200, stats());
    if (path === '/__sim/faults' && req.method === 'GET') return json(200, switches);
    if (path === '/__sim/faults' && req.method === 'POST') {
      const body = await readBody(req);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body ?? '');
      } catch {
        return json(400, { error: 'body must be a JSON object of fault switches' });
      }
      const checked = faultChangeSchema.safeParse(parsed);
      if (!checked.success)
        return json(400, { error: 'invalid fault switches', issues: checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
      return json(200, setFaults(checked.data));
    }
    return json(404, { error: 'not found' });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const t = now();
    const [rawPath = '', rawQuery = ''] = (req.url ?? '').split('?', 2);
    const query = new URLSearchParams(rawQuery);
    let reply: Reply;
    let endpoint = 'unknown';
    let category: RateCategory | undefined;
    try {
      if (rawPath.startsWith('/__sim/')) {
        reply = await admin(req, rawPath);
        res.writeHead(reply.status, reply.headers ?? { 'content-type': 'application/json' });
        res.end(reply.body);
        return;
      }
      if (rawPath === '/oauth/token' && req.method === 'POST') {
        endpoint = 'POST /oauth/token';
        reply = await oauth(req, query);
      } else if (rawPath.startsWith('/v2/')) {
        ({ reply, endpoint, category } = api(req, rawPath, query, t));
      } else {
        reply = zoomError(404, 404, 'Not found.');
      }
    } catch (err) {
      reply = zoomError(500, 500, err instanceof Error ? `simulator error: ${err.message}` : 'simulator error');
    }
    record(category ? { at: t, endpoint, status: reply.status, category } : { at: t, endpoint, status: reply.status });
    if (switches.slowMs > 0) await new Promise((resolve) => setTimeout(resolve, switches.slowMs));
    res.writeHead(reply.status, reply.headers ?? {});
    res.end(reply.body);
  };

  const server = createServer((req, res) => void handle(req, res));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: baseUrl,
    oauthUrl: `${baseUrl}/oauth/token`,
    apiBaseUrl: `${baseUrl}/v2`,
    org,
    stats,
    setFaults,
    addMeeting: (meeting) => {
      org.meetings.push(meeting);
    },
    holdReport: (meetingUuid, calls, answer = 'not_found') => {
      heldReports.set(meetingUuid, { calls, answer });
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // fetch keeps connections alive; without this close() would wait for them to time out.
      server.closeAllConnections();
      await closed;
    },
  };
}
