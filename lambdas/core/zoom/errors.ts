import { ZoomlakeError } from '../errors.ts';

const DAY_MS = 86_400_000;
const MAX_MESSAGE_CHARS = 300;

/** The header reader every fetch-like response has (`Headers.get`). */
export interface HeaderReader {
  get(name: string): string | null;
}

/** What a Zoom error carries besides its message: where it came from and what Zoom said. */
export interface ZoomErrorDetail {
  /** HTTP status; 0 when no response arrived (network error, timeout). */
  readonly status: number;
  /** Zoom's numeric `code` from the body; undefined when the body has none (OAuth-style token errors, proxies). */
  readonly code?: number;
  /** Which endpoint answered: the OAuth token endpoint or the REST API. */
  readonly endpoint: 'token' | 'api';
  readonly cause?: unknown;
}

/** Base of every error from talking to Zoom; `status`/`code` let callers log without parsing messages. */
export class ZoomApiError extends ZoomlakeError {
  readonly status: number;
  readonly code: number | undefined;
  readonly endpoint: 'token' | 'api';
  constructor(message: string, retryable: boolean, detail: ZoomErrorDetail) {
    super(message, retryable, detail.cause === undefined ? undefined : { cause: detail.cause });
    this.status = detail.status;
    this.code = detail.code;
    this.endpoint = detail.endpoint;
  }
}

/** A Zoom error retrying cannot fix: the credentials, the app's scopes, the account or the request must change. */
abstract class PermanentZoomError extends ZoomApiError {
  constructor(message: string, detail: ZoomErrorDetail) {
    super(message, false, detail);
  }
}

/** A Zoom error that may pass: retry later. */
abstract class TransientZoomError extends ZoomApiError {
  constructor(message: string, detail: ZoomErrorDetail) {
    super(message, true, detail);
  }
}

/** Credentials or token rejected: token endpoint codes 4702/4704/4705/4706, or a 401/124 that survived one token refresh. */
export class ZoomAuthError extends PermanentZoomError {}

/** The app lacks a scope (4700 "does not contain scopes", 4711): a configuration fix, retrying cannot help. */
export class ZoomScopeError extends PermanentZoomError {}

/** The account's plan or settings do not offer this API (code 200 paid-only/no permission, dashboard not enabled): turn the source off. */
export class ZoomPlanError extends PermanentZoomError {}

/** The meeting, user or report does not exist (3001, 1001, 5010); 3001 also means "dashboard meeting not ended yet". */
export class ZoomNotFoundError extends PermanentZoomError {}

/** Zoom keeps per-meeting reports for a year only (12702 "Can not access meeting a year ago"): skip the meeting. */
export class ZoomTooOldError extends PermanentZoomError {}

/** The date window reaches past the report APIs' six months (code 300 "Only provide report in recent 6 months"): clamp it. */
export class ZoomWindowError extends PermanentZoomError {}

/** The `next_page_token` expired (15 min) or is invalid (code 300, told apart from the 6-month one by message): restart the window. */
export class ZoomPageTokenError extends TransientZoomError {}

/** HTTP 429. `daily` means the account's daily budget is spent until 00:00 UTC; `retryAfterMs` is Zoom's hint (or midnight). */
export class ZoomRateLimitError extends TransientZoomError {
  constructor(
    message: string,
    readonly daily: boolean,
    readonly retryAfterMs: number | undefined,
    detail: ZoomErrorDetail,
  ) {
    super(message, detail);
  }
}

/** A 5xx, a timeout or a network failure: transient, retry later. */
export class ZoomServerError extends TransientZoomError {}

/** Any other rejection (validation 400s, 1010 user not in account, unknown codes): the request itself is wrong. */
export class ZoomRequestError extends PermanentZoomError {}

/** Zoom answered 2xx with a body we cannot use (not JSON, items not an array, a page token that repeats). */
export class ZoomResponseError extends PermanentZoomError {}

/** Our own share of the account's daily Heavy/Resource-intensive budget is spent; it refills at 00:00 UTC. */
export class ZoomBudgetError extends ZoomlakeError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message, true);
  }
}

/** What `zoomErrorFrom` needs besides the response. */
export interface ZoomErrorContext {
  /** The current time (epoch ms), to turn an absolute Retry-After or the daily reset into a wait. */
  readonly nowMs?: number;
  /** Which endpoint answered; token-endpoint 4xx are always credential problems. @default 'api' */
  readonly endpoint?: 'token' | 'api';
  /** A label for the message, e.g. `GET /report/activities`. Never put a token here. */
  readonly request?: string;
  /** Strings (client secret, access token) scrubbed from Zoom's message before it goes into the error. */
  readonly redact?: readonly string[];
}

interface ParsedBody {
  readonly code: number | undefined;
  readonly message: string;
}

function parseBody(body: unknown): ParsedBody {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return { code: undefined, message: body.trim() };
    }
  }
  if (typeof value !== 'object' || value === null) return { code: undefined, message: '' };
  const record = value as Record<string, unknown>;
  const rawCode = record['code'];
  const code = typeof rawCode === 'number' ? rawCode : typeof rawCode === 'string' && /^\d+$/.test(rawCode) ? Number(rawCode) : undefined;
  // The token endpoint answers OAuth-style `{reason, error}`; the REST API answers `{code, message}`.
  const text = [record['message'], record['reason'], record['error']].find((v): v is string => typeof v === 'string' && v !== '') ?? '';
  return { code, message: text };
}

function scrub(message: string, redact: readonly string[]): string {
  let out = message;
  for (const secret of redact) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  // Belt and braces: a bearer token or basic credential echoed back by a proxy never reaches a log.
  out = out.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]');
  return out.length > MAX_MESSAGE_CHARS ? `${out.slice(0, MAX_MESSAGE_CHARS)}…` : out;
}

/** The next 00:00 UTC after `nowMs`, in ms from now: when Zoom's daily limits reset. */
export function msUntilUtcMidnight(nowMs: number): number {
  return (Math.floor(nowMs / DAY_MS) + 1) * DAY_MS - nowMs;
}

/**
 * Retry-After as a wait in ms. Zoom's docs show an absolute ISO time (`2020-05-31T00:00:00Z`), HTTP says seconds
 * or an HTTP date, and observed 429s vary, so all three are accepted. Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, nowMs: number | undefined): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at) || nowMs === undefined) return undefined;
  return Math.max(0, at - nowMs);
}

const TOKEN_AUTH_CODES = new Set([4702, 4704, 4705, 4706]);
const SCOPE_CODES = new Set([4700, 4711]);
const NOT_FOUND_CODES = new Set([3001, 1001, 5010]);

/** Maps a non-2xx Zoom response (status, `{code, message}` body, headers) to the typed error a caller can act on. */
export function zoomErrorFrom(status: number, body: unknown, headers: HeaderReader, context: ZoomErrorContext = {}): ZoomApiError {
  const { code, message: raw } = parseBody(body);
  const endpoint = context.endpoint ?? 'api';
  const zoomMessage = scrub(raw, context.redact ?? []);
  const where = context.request ?? (endpoint === 'token' ? 'zoom oauth token request' : 'zoom api request');
  const said = `${status}${code === undefined ? '' : ` code ${code}`}${zoomMessage === '' ? '' : `: ${zoomMessage}`}`;
  const detail: ZoomErrorDetail = { status, code, endpoint };

  if (status === 429 || code === 429) {
    const type = headers.get('x-ratelimit-type') ?? '';
    const daily = /daily/i.test(type) || /daily/i.test(raw);
    const hinted = parseRetryAfter(headers.get('retry-after'), context.nowMs);
    const retryAfterMs = hinted ?? (daily && context.nowMs !== undefined ? msUntilUtcMidnight(context.nowMs) : undefined);
    const kind = daily ? 'daily rate limit reached, resets at 00:00 UTC' : 'per-second rate limit reached';
    return new ZoomRateLimitError(`${where}: ${kind} (${said})`, daily, retryAfterMs, detail);
  }
  if (status >= 500) return new ZoomServerError(`${where}: zoom server error (${said}), retry later`, detail);
  if (code !== undefined && SCOPE_CODES.has(code)) {
    return new ZoomScopeError(`${where}: the app is missing a scope (${said}); add it in the Zoom Marketplace app`, detail);
  }
  if (endpoint === 'token') {
    const hint =
      code !== undefined && TOKEN_AUTH_CODES.has(code) ? 'check account id, client id and client secret' : 'check the server-to-server oauth app';
    return new ZoomAuthError(`${where}: zoom refused the credentials (${said}); ${hint}`, detail);
  }
  if (status === 401 || code === 124) return new ZoomAuthError(`${where}: zoom rejected the access token (${said})`, detail);
  if (code === 200 || /dashboard feature|paid account|business or higher/i.test(raw)) {
    return new ZoomPlanError(`${where}: not available on this account's plan or settings (${said}); turn this source off`, detail);
  }
  if (code === 12702) return new ZoomTooOldError(`${where}: zoom keeps this data for one year only (${said})`, detail);
  if (code === 300 && /page token/i.test(raw)) return new ZoomPageTokenError(`${where}: page token invalid or expired (${said})`, detail);
  if (code === 300 && /6 months|six months/i.test(raw)) {
    return new ZoomWindowError(`${where}: window older than zoom's six-month report retention (${said})`, detail);
  }
  if ((code !== undefined && NOT_FOUND_CODES.has(code)) || status === 404) return new ZoomNotFoundError(`${where}: not found (${said})`, detail);
  return new ZoomRequestError(`${where}: zoom rejected the request (${said})`, detail);
}
