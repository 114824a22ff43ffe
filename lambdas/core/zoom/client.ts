import type { Clock, ZoomApi, ZoomCategory, ZoomPage, ZoomPageRequest, ZoomRequest } from '../ports.ts';
import type { ZoomSharedBudget } from './budget.ts';
import {
  ZoomBudgetError,
  type HeaderReader,
  type ZoomApiError,
  ZoomAuthError,
  ZoomPageTokenError,
  ZoomRateLimitError,
  ZoomResponseError,
  ZoomServerError,
  msUntilUtcMidnight,
  zoomErrorFrom,
} from './errors.ts';
import { type ZoomPlan, ZoomRateLimiter } from './rate-limit.ts';

export type { ZoomPlan } from './rate-limit.ts';
export type { ZoomSharedBudget } from './budget.ts';

/** What a fetch must offer; the global `fetch` Response fits. */
export interface ZoomFetchResponse {
  readonly status: number;
  readonly headers: HeaderReader;
  text(): Promise<string>;
}

/** What the client passes to fetch; the adapter turns `timeoutMs` into an abort signal (the core sets no timers). */
export interface ZoomFetchInit {
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs?: number;
}

/** Server-to-Server OAuth app credentials. */
export interface ZoomCredentials {
  readonly accountId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Everything ZoomHttpClient needs from outside, injected so the core stays pure. */
export interface ZoomHttpClientDeps {
  readonly fetch: (url: string, init: ZoomFetchInit) => Promise<ZoomFetchResponse>;
  readonly clock: Clock;
  readonly sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1), for backoff jitter. */
  readonly random: () => number;
  readonly credentials: ZoomCredentials;
  /** @default 'https://zoom.us/oauth/token' */
  readonly oauthUrl?: string;
  /** Overrides the API base (tests, Zoom for Government). @default the token's `api_url` + '/v2', else 'https://api.zoom.us/v2' */
  readonly apiBaseUrl?: string;
  readonly plan: ZoomPlan;
  /** Margin added to every rate window against timer and event-loop skew. @default 25 */
  readonly timerMarginMs?: number;
  /** Our share (0..1) of the account's daily Heavy/Resource-intensive budget. */
  readonly apiBudgetShare: number;
  /**
   * The daily budget share counted across processes (a StateStore counter), consulted before every request of a
   * daily-limited category. Without it only this process's own calls are counted.
   * @default none
   */
  readonly sharedBudget?: ZoomSharedBudget;
  /** @default the plan's rates only */
  readonly maxRequestsPerSecond?: number;
  /** Retries of one call after 429s, 5xx, timeouts and network errors. @default 5 */
  readonly maxRetries?: number;
  /** Per-request timeout, enforced by the fetch adapter. @default none */
  readonly timeoutMs?: number;
  /** Longest single wait before a retry; a longer Retry-After is thrown instead of slept (a Lambda must not idle). @default 60000 */
  readonly maxRetryWaitMs?: number;
}

/** Default OAuth token endpoint for Server-to-Server apps (zoom-reference §3.2). */
export const ZOOM_OAUTH_URL = 'https://zoom.us/oauth/token';
/** Default REST base when the token response carries no `api_url` (zoom-reference §3.1). */
export const ZOOM_API_BASE_URL = 'https://api.zoom.us/v2';
/** The largest page the report and dashboard APIs return (zoom-reference §3.3). */
export const ZOOM_PAGE_SIZE = 300;

// Rivet refreshes within 60 s of expiry: a token that expires mid-request yields a spurious 124.
const TOKEN_EXPIRY_MARGIN_MS = 60_000;
// Zoom expires page tokens after 15 minutes; restarting the window twice is enough for a slow writer, more is a loop.
const MAX_PAGE_TOKEN_RESTARTS = 2;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_CAP_MS = 30_000;

/**
 * A meeting UUID as a path segment. Zoom requires UUIDs that begin with `/` or contain `//` to be encoded twice
 * (zoom-reference §3.5); others are encoded once, which `+`, `/` and `=` in a UUID still need.
 */
export function meetingUuidPath(uuid: string): string {
  const once = encodeURIComponent(uuid);
  return uuid.startsWith('/') || uuid.includes('//') ? encodeURIComponent(once) : once;
}

interface CachedToken {
  readonly accessToken: string;
  readonly refreshAtMs: number;
  readonly apiBase: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** ZoomApi over HTTPS with Server-to-Server OAuth, client-side rate limiting, bounded retries and page-token restarts. */
export class ZoomHttpClient implements ZoomApi {
  private readonly limiter: ZoomRateLimiter;
  private cached: CachedToken | undefined;
  // Tokens this client has held, scrubbed from any error text even after a refresh dropped them from the cache.
  private readonly heldTokens: string[] = [];
  private pendingToken: Promise<CachedToken> | undefined;

  constructor(private readonly deps: ZoomHttpClientDeps) {
    this.limiter = new ZoomRateLimiter({
      clock: deps.clock,
      plan: deps.plan,
      apiBudgetShare: deps.apiBudgetShare,
      maxRequestsPerSecond: deps.maxRequestsPerSecond,
      timerMarginMs: deps.timerMarginMs,
    });
  }

  /** One response body, unvalidated. */
  async get<T>(request: ZoomRequest): Promise<T> {
    return (await this.call(request.path, request.query ?? {}, request.category)) as T;
  }

  /** Every page of a listing with `page_size=300` (unless the query sets one) and the same query on every page. */
  async *paginate<T>(request: ZoomPageRequest): AsyncGenerator<ZoomPage<T>> {
    const query = { page_size: String(ZOOM_PAGE_SIZE), ...request.query };
    let restarts = 0;
    let page = 0;
    let pageToken = '';
    for (;;) {
      let body: unknown;
      try {
        body = await this.call(request.path, pageToken === '' ? query : { ...query, next_page_token: pageToken }, request.category);
      } catch (error) {
        // An expired token cannot be resumed; skipping ahead would leave a gap, so read the window again from page 1.
        if (error instanceof ZoomPageTokenError && pageToken !== '' && restarts < MAX_PAGE_TOKEN_RESTARTS) {
          restarts += 1;
          page = 0;
          pageToken = '';
          continue;
        }
        throw error;
      }
      page += 1;
      yield { items: this.itemsOf<T>(body, request), page, restarts };
      const next = isRecord(body) ? body['next_page_token'] : undefined;
      if (next === undefined || next === null || next === '') return;
      if (typeof next !== 'string' || next === pageToken) {
        throw new ZoomResponseError(`GET ${request.path}: zoom returned an unusable next_page_token on page ${page}`, {
          status: 200,
          endpoint: 'api',
        });
      }
      pageToken = next;
    }
  }

  private itemsOf<T>(body: unknown, request: ZoomPageRequest): T[] {
    const items = isRecord(body) ? body[request.itemsKey] : undefined;
    // Zoom omits the array on some empty pages.
    if (items === undefined || items === null) return [];
    if (!Array.isArray(items)) {
      throw new ZoomResponseError(`GET ${request.path}: '${request.itemsKey}' in the response is not an array`, { status: 200, endpoint: 'api' });
    }
    return items as T[];
  }

  /** A GET with the bearer token; on a rejected token (401/124), one fresh token and one more try. */
  private async call(path: string, query: Readonly<Record<string, string>>, category: ZoomCategory): Promise<unknown> {
    const label = `GET ${path}`;
    let refreshed = false;
    for (;;) {
      try {
        return await this.exchange('api', label, category, async () => {
          const token = await this.token();
          const search = Object.entries(query)
            .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
            .join('&');
          // Zoom rejects tokens in the query string since 2023 (code 124); the token only ever goes in the header.
          const init: ZoomFetchInit = {
            method: 'GET',
            headers: { Authorization: `Bearer ${token.accessToken}`, Accept: 'application/json' },
            ...this.timeout(),
          };
          return { url: `${token.apiBase}${path}${search === '' ? '' : `?${search}`}`, init };
        });
      } catch (error) {
        if (error instanceof ZoomAuthError && error.endpoint === 'api') {
          if (!refreshed) {
            refreshed = true;
            this.cached = undefined;
            continue;
          }
          throw new ZoomAuthError(`${error.message}, again with a fresh token`, {
            status: error.status,
            code: error.code,
            endpoint: 'api',
            cause: error,
          });
        }
        throw error;
      }
    }
  }

  /** A cached access token, fetched again when within 60 s of expiry. Concurrent callers share one token request. */
  private async token(): Promise<CachedToken> {
    if (this.cached !== undefined && this.deps.clock.now() < this.cached.refreshAtMs) return this.cached;
    this.pendingToken ??= this.fetchToken().finally(() => {
      this.pendingToken = undefined;
    });
    return this.pendingToken;
  }

  private async fetchToken(): Promise<CachedToken> {
    const { accountId, clientId, clientSecret } = this.deps.credentials;
    const basic = Buffer.from(`${clientId}:${clientSecret}`, 'utf8').toString('base64');
    const body = `grant_type=account_credentials&account_id=${encodeURIComponent(accountId)}`;
    const url = this.deps.oauthUrl ?? ZOOM_OAUTH_URL;
    const requestedAt = this.deps.clock.now();
    const response = await this.exchange('token', 'zoom oauth token request', undefined, async () => ({
      url,
      init: {
        method: 'POST',
        headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body,
        ...this.timeout(),
      },
    }));
    const accessToken = isRecord(response) ? response['access_token'] : undefined;
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new ZoomAuthError('zoom oauth token request: the response has no access_token', { status: 200, endpoint: 'token' });
    }
    const rawExpiresIn = isRecord(response) ? response['expires_in'] : undefined;
    const expiresInS = typeof rawExpiresIn === 'number' && rawExpiresIn > 0 ? rawExpiresIn : 3600;
    const apiUrl = isRecord(response) ? response['api_url'] : undefined;
    const apiBase =
      this.deps.apiBaseUrl?.replace(/\/+$/, '') ??
      // Only an https api_url gets the bearer token; anything else falls back to the public host.
      (typeof apiUrl === 'string' && /^https:\/\/[^/]/.test(apiUrl) ? `${apiUrl.replace(/\/+$/, '')}/v2` : ZOOM_API_BASE_URL);
    const cached = { accessToken, refreshAtMs: requestedAt + expiresInS * 1000 - TOKEN_EXPIRY_MARGIN_MS, apiBase };
    this.cached = cached;
    this.heldTokens.push(accessToken);
    if (this.heldTokens.length > 4) this.heldTokens.shift();
    return cached;
  }

  private timeout(): { timeoutMs?: number } {
    return this.deps.timeoutMs === undefined ? {} : { timeoutMs: this.deps.timeoutMs };
  }

  /**
   * One request with pacing and bounded retries: per-second 429s wait Retry-After (or backoff), 5xx, timeouts and
   * network errors back off with full jitter. A daily 429 is thrown at once: the budget is back only at 00:00 UTC.
   */
  private async exchange(
    endpoint: 'token' | 'api',
    label: string,
    category: ZoomCategory | undefined,
    build: () => Promise<{ url: string; init: ZoomFetchInit }>,
  ): Promise<unknown> {
    const maxRetries = this.deps.maxRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      // Build first: it may fetch a token, and a grant taken before that wait would be spent before the send,
      // letting the real send times bunch up past the limit.
      const { url, init } = await build();
      if (category !== undefined) {
        await this.takeSharedBudget(category);
        const wait = this.limiter.acquire(category);
        if (wait > 0) await this.deps.sleep(wait);
      }
      let status: number;
      let text: string;
      let headers: HeaderReader;
      try {
        const response = await this.deps.fetch(url, init);
        status = response.status;
        headers = response.headers;
        text = await response.text();
      } catch (cause) {
        // The cause's name only: a transport error's message is not ours to vouch for.
        const name = cause instanceof Error ? cause.name : 'unknown error';
        const error = new ZoomServerError(`${label}: no response from zoom (${name}: network error or timeout)`, { status: 0, endpoint, cause });
        await this.backoffOrThrow(error, attempt, maxRetries, undefined);
        continue;
      }
      if (status >= 200 && status < 300) return this.parse(text, label, status, endpoint);
      const error = zoomErrorFrom(status, text, headers, { nowMs: this.deps.clock.now(), endpoint, request: label, redact: this.secrets() });
      if (error instanceof ZoomRateLimitError && !error.daily) {
        await this.backoffOrThrow(error, attempt, maxRetries, error.retryAfterMs);
        continue;
      }
      if (error instanceof ZoomServerError) {
        await this.backoffOrThrow(error, attempt, maxRetries, undefined);
        continue;
      }
      throw error;
    }
  }

  /** Takes one call from the cross-process daily share, or throws ZoomBudgetError when the share is spent. */
  private async takeSharedBudget(category: ZoomCategory): Promise<void> {
    const budget = this.deps.sharedBudget;
    const share = budget === undefined ? undefined : this.limiter.dailyShare(category);
    if (budget === undefined || share === undefined) return;
    const now = this.deps.clock.now();
    if (!(await budget.take(share.bucket, share.allowed, now))) {
      throw new ZoomBudgetError(
        `daily zoom api budget share spent across all pollers: ${share.allowed} ${share.bucket} calls (share of ${share.limit}), resets at 00:00 UTC`,
        msUntilUtcMidnight(now),
      );
    }
  }

  private async backoffOrThrow(error: ZoomApiError, attempt: number, maxRetries: number, hintMs: number | undefined): Promise<void> {
    if (attempt >= maxRetries) throw error;
    const maxWait = this.deps.maxRetryWaitMs ?? 60_000;
    if (hintMs !== undefined && hintMs > maxWait) throw error;
    // Full jitter (random in [0, min(cap, base * 2^attempt))): many pollers on one account must not retry in step.
    const wait = hintMs ?? Math.floor(this.deps.random() * Math.min(BACKOFF_CAP_MS, maxWait, BACKOFF_BASE_MS * 2 ** attempt));
    if (wait > 0) await this.deps.sleep(wait);
  }

  private parse(text: string, label: string, status: number, endpoint: 'token' | 'api'): unknown {
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text);
    } catch {
      throw new ZoomResponseError(`${label}: zoom returned ${status} with a body that is not JSON`, { status, endpoint });
    }
  }

  private secrets(): string[] {
    return [this.deps.credentials.clientSecret, ...this.heldTokens];
  }
}
