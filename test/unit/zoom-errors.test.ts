import { describe, expect, it } from 'vitest';
import { ZoomlakeError } from '#core/errors.ts';
import {
  msUntilUtcMidnight,
  parseRetryAfter,
  ZoomAuthError,
  ZoomNotFoundError,
  ZoomPageTokenError,
  ZoomPlanError,
  ZoomRateLimitError,
  ZoomRequestError,
  ZoomScopeError,
  ZoomServerError,
  ZoomTooOldError,
  ZoomWindowError,
  zoomErrorFrom,
} from '#core/zoom/errors.ts';

const NOW = Date.UTC(2026, 10, 26, 15, 30, 0);
const headers = (values: Record<string, string> = {}) => ({
  get: (name: string) => values[name.toLowerCase()] ?? null,
});

describe('zoomErrorFrom', () => {
  it.each([
    ['token endpoint 4702 invalid client', 400, { code: 4702, message: 'Invalid client_id or client_secret' }, 'token', ZoomAuthError, false],
    ['token endpoint 4704', 400, { code: 4704, message: 'Invalid client' }, 'token', ZoomAuthError, false],
    ['token endpoint 4705 unsupported grant type', 400, { code: 4705, message: 'unsupported grant type' }, 'token', ZoomAuthError, false],
    ['token endpoint 4706 missing credentials', 400, { code: 4706, message: 'Client ID or client secret is missing' }, 'token', ZoomAuthError, false],
    [
      'token endpoint OAuth-style body',
      400,
      { reason: 'Invalid client_id or client_secret', error: 'invalid_client' },
      'token',
      ZoomAuthError,
      false,
    ],
    ['api 401 code 124', 401, { code: 124, message: 'Invalid access token.' }, 'api', ZoomAuthError, false],
    ['api 401 without body', 401, '', 'api', ZoomAuthError, false],
    [
      '4700 missing scope on a 400',
      400,
      { code: 4700, message: 'Invalid access token, does not contain scopes:[report:read:admin].' },
      'api',
      ZoomScopeError,
      false,
    ],
    [
      '4700 missing scope on a 401 is not a token problem',
      401,
      { code: 4700, message: 'Invalid access token, does not contain scopes:[x].' },
      'api',
      ZoomScopeError,
      false,
    ],
    ['4711 scope', 400, { code: 4711, message: 'Invalid scope' }, 'api', ZoomScopeError, false],
    ['code 200 paid account only', 400, { code: 200, message: 'Only available for paid account.' }, 'api', ZoomPlanError, false],
    ['code 200 no permission', 400, { code: 200, message: 'No permission.' }, 'api', ZoomPlanError, false],
    [
      'dashboard not enabled (message only)',
      400,
      { message: 'This API is only available for Business or higher accounts that have enabled the Dashboard feature.' },
      'api',
      ZoomPlanError,
      false,
    ],
    ['3001 meeting not found', 404, { code: 3001, message: 'Meeting does not exist: 123.' }, 'api', ZoomNotFoundError, false],
    ['1001 user not found', 404, { code: 1001, message: 'User does not exist: a@b.c.' }, 'api', ZoomNotFoundError, false],
    ['5010 report not found', 404, { code: 5010, message: 'Report does not exist.' }, 'api', ZoomNotFoundError, false],
    ['404 without a code', 404, 'Not Found', 'api', ZoomNotFoundError, false],
    ['12702 older than a year', 400, { code: 12702, message: 'Can not access meeting a year ago.' }, 'api', ZoomTooOldError, false],
    ['300 six months', 400, { code: 300, message: 'Only provide report in recent 6 months.' }, 'api', ZoomWindowError, false],
    ['300 with HTTP status 300', 300, { code: 300, message: 'Only provide report in recent 6 months' }, 'api', ZoomWindowError, false],
    ['300 page token expired', 400, { code: 300, message: 'The next page token is invalid or expired.' }, 'api', ZoomPageTokenError, true],
    ['300 with another message', 400, { code: 300, message: 'Invalid parameter: from.' }, 'api', ZoomRequestError, false],
    ['1010 user not in account', 400, { code: 1010, message: 'User does not belong to this account.' }, 'api', ZoomRequestError, false],
    [
      'validation error',
      400,
      { code: 300, message: 'Validation Failed.', errors: [{ field: 'from', message: 'bad' }] },
      'api',
      ZoomRequestError,
      false,
    ],
    [
      '429',
      429,
      { code: 429, message: 'You have reached the maximum per-second rate limit for this API. Try again later.' },
      'api',
      ZoomRateLimitError,
      true,
    ],
    ['500', 500, '<html>oops</html>', 'api', ZoomServerError, true],
    ['503 on the token endpoint', 503, '', 'token', ZoomServerError, true],
    ['504', 504, { code: 504, message: 'Gateway Timeout' }, 'api', ZoomServerError, true],
  ] as const)('%s', (_name, status, body, endpoint, type, retryable) => {
    const error = zoomErrorFrom(status, typeof body === 'string' ? body : JSON.stringify(body), headers(), {
      nowMs: NOW,
      endpoint,
      request: 'GET /x',
    });
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(ZoomlakeError);
    expect(error.name).toBe(type.name);
    expect(error.retryable).toBe(retryable);
    expect(error.status).toBe(status);
    expect(error.endpoint).toBe(endpoint);
    expect(error.message).toMatch(/^GET \/x: /);
  });

  it('keeps Zoom code and message in the error', () => {
    const error = zoomErrorFrom(404, { code: 3001, message: 'Meeting does not exist: 123.' }, headers());
    expect(error.code).toBe(3001);
    expect(error.message).toContain('Meeting does not exist: 123.');
  });

  it.each([
    [
      'X-RateLimit-Type Daily-limit with ISO Retry-After',
      { 'x-ratelimit-type': 'Daily-limit', 'retry-after': '2026-11-27T00:00:00Z' },
      'rate limit',
      true,
      msUntilUtcMidnight(NOW),
    ],
    [
      'daily message, no headers: waits until 00:00 UTC',
      {},
      'You have reached the maximum daily rate limit for this API.',
      true,
      Date.UTC(2026, 10, 27) - NOW,
    ],
    ['per-second with seconds', { 'x-ratelimit-type': 'QPS', 'retry-after': '3' }, 'per-second', false, 3000],
    ['per-second with fractional seconds', { 'retry-after': '0.5' }, 'per-second', false, 500],
    ['per-second with an HTTP date', { 'retry-after': new Date(NOW + 4000).toUTCString() }, 'per-second', false, 4000],
    ['per-second without Retry-After', {}, 'per-second', false, undefined],
    ['per-second with garbage Retry-After', { 'retry-after': 'soon' }, 'per-second', false, undefined],
  ])('429: %s', (_name, values, message, daily, retryAfterMs) => {
    const error = zoomErrorFrom(429, { code: 429, message }, headers(values), { nowMs: NOW });
    expect(error).toBeInstanceOf(ZoomRateLimitError);
    const limit = error as ZoomRateLimitError;
    expect(limit.daily).toBe(daily);
    expect(limit.retryAfterMs).toBe(retryAfterMs);
  });

  it('scrubs secrets, tokens and credentials echoed in a Zoom message', () => {
    const message = 'bad token eyJsecret.token.value for client with secret s3cr3t-value Authorization: Basic Y2lkOnMzY3IzdA== Bearer abc.def';
    const error = zoomErrorFrom(400, { code: 1, message }, headers(), { redact: ['s3cr3t-value', 'eyJsecret.token.value'] });
    expect(error.message).not.toContain('s3cr3t-value');
    expect(error.message).not.toContain('eyJsecret.token.value');
    expect(error.message).not.toContain('Y2lkOnMzY3IzdA==');
    expect(error.message).not.toContain('abc.def');
    expect(error.message).toContain('[redacted]');
  });

  it('truncates a huge body', () => {
    const error = zoomErrorFrom(500, 'x'.repeat(10_000), headers());
    expect(error.message.length).toBeLessThan(500);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['seconds', '120', 120_000],
    ['zero', '0', 0],
    ['ISO time', '2026-11-26T15:30:10Z', 10_000],
    ['HTTP date', 'Thu, 26 Nov 2026 15:31:00 GMT', 60_000],
    ['a time in the past', '2026-11-26T15:00:00Z', 0],
    ['absent', null, undefined],
    ['empty', '  ', undefined],
    ['unreadable', 'later', undefined],
  ])('%s', (_name, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});

describe('msUntilUtcMidnight', () => {
  it.each([
    ['mid-afternoon', NOW, 8.5 * 3_600_000],
    ['exactly midnight: a whole day', Date.UTC(2026, 10, 27), 86_400_000],
    ['one ms before midnight', Date.UTC(2026, 10, 27) - 1, 1],
  ])('%s', (_name, now, expected) => {
    expect(msUntilUtcMidnight(now)).toBe(expected);
  });
});
