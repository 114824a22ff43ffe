import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { requestTimestampMs, urlValidationReply, verifyZoomRequest, zoomSignature } from '#core/webhook/verify.ts';

const SECRET = 'test-secret-token';
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const TS = String(NOW / 1000);
const WINDOW = 5_400;
const utf8 = (s: string) => new TextEncoder().encode(s);
// A compact body with a non-ASCII display name, and the same content pretty-printed: both are valid Zoom bodies.
const body = utf8(
  '{"event":"meeting.participant_joined","event_ts":1795694400000,"payload":{"object":{"participant":{"user_name":"Zoë Ñúñez 日本"}}}}',
);

describe('zoomSignature', () => {
  it('is v0= + hex HMAC-SHA256 of v0:{timestamp}:{body} (independent computation)', () => {
    const expected =
      'v0=' +
      createHmac('sha256', SECRET)
        .update(`v0:${TS}:${Buffer.from(body).toString('utf8')}`)
        .digest('hex');
    expect(zoomSignature(SECRET, TS, body)).toBe(expected);
  });
});

describe('verifyZoomRequest', () => {
  const sign = (b: Uint8Array, ts = TS) => ({ signature: zoomSignature(SECRET, ts, b), timestamp: ts, body: b });

  it.each([
    ['a compact body with non-ASCII names', body],
    ['a pretty-printed body', utf8(JSON.stringify(JSON.parse(Buffer.from(body).toString('utf8')), null, 2))],
    ['an empty body', new Uint8Array()],
  ])('accepts %s signed over its raw bytes', (_name, b) => {
    expect(verifyZoomRequest(sign(b), SECRET, NOW, WINDOW)).toEqual({ ok: true, timestampMs: NOW });
  });

  it('rejects a body re-serialised after signing (non-compact or escaped unicode)', () => {
    const reserialised = utf8(JSON.stringify(JSON.parse(Buffer.from(body).toString('utf8'))).replace('Zoë', 'Zo\\u00eb'));
    expect(verifyZoomRequest({ ...sign(body), body: reserialised }, SECRET, NOW, WINDOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it.each([
    ['no signature', { signature: undefined }, 'missing_signature'],
    ['an empty signature', { signature: '' }, 'missing_signature'],
    ['no timestamp', { timestamp: undefined }, 'missing_timestamp'],
    ['a signature from another secret', { signature: zoomSignature('other', TS, body) }, 'bad_signature'],
    ['a signature without v0=', { signature: zoomSignature(SECRET, TS, body).slice(3) }, 'bad_signature'],
    ['an upper-case hex signature', { signature: zoomSignature(SECRET, TS, body).toUpperCase() }, 'bad_signature'],
    ['a truncated signature', { signature: zoomSignature(SECRET, TS, body).slice(0, 40) }, 'bad_signature'],
    ['a signature for another timestamp', { timestamp: String(NOW / 1000 + 1) }, 'bad_signature'],
    ['a truncated body', { body: body.slice(0, body.length - 1) }, 'bad_signature'],
  ])('rejects %s', (_name, change, reason) => {
    expect(verifyZoomRequest({ ...sign(body), ...change }, SECRET, NOW, WINDOW)).toEqual({ ok: false, reason });
  });

  it.each([
    ['seconds, just inside the window', String(NOW / 1000 - WINDOW), true],
    ['seconds, just outside the window', String(NOW / 1000 - WINDOW - 1), false],
    ['milliseconds, inside', String(NOW - 60_000), true],
    ['milliseconds, outside', String(NOW - WINDOW * 1000 - 1), false],
    ['the future beyond the window (clock skew bound)', String(NOW / 1000 + WINDOW + 1), false],
    ['a non-numeric timestamp', 'yesterday', false],
  ])('timestamp in %s: ok=%s', (_name, ts, ok) => {
    const result = verifyZoomRequest(sign(body, ts), SECRET, NOW, WINDOW);
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.reason).toBe('stale_timestamp');
  });

  it('replays a request Zoom retried 85 minutes later within the default 90-minute window', () => {
    const first = String(NOW / 1000 - 85 * 60);
    expect(verifyZoomRequest(sign(body, first), SECRET, NOW, WINDOW).ok).toBe(true);
  });
});

describe('requestTimestampMs', () => {
  it.each([
    ['1795694400', 1_795_694_400_000],
    ['1795694400000', 1_795_694_400_000],
    ['-1', undefined],
    ['1e9', undefined],
    ['', undefined],
  ])('%s -> %s', (ts, ms) => {
    expect(requestTimestampMs(ts)).toBe(ms);
  });
});

describe('urlValidationReply', () => {
  it('answers with the plain token and its hex HMAC-SHA256 (Zoom sample values)', () => {
    expect(urlValidationReply(SECRET, 'qgg8vlvZRS6UYooatFL8Aw')).toEqual({
      plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
      encryptedToken: createHmac('sha256', SECRET).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex'),
    });
  });
});
