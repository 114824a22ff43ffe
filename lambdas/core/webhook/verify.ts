import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/** Why a request was refused; logged as a reason code, never shown to the caller. */
export type VerifyFailure = 'missing_signature' | 'missing_timestamp' | 'bad_signature' | 'stale_timestamp';

/** Outcome of checking a request's signature and age. */
export type VerifyResult = { readonly ok: true; readonly timestampMs: number } | { readonly ok: false; readonly reason: VerifyFailure };

/** What verification needs: the two Zoom headers, the raw body bytes, the secret token and the time. */
export interface SignedRequest {
  /** `x-zm-signature`, e.g. `v0=<hex>`. */
  readonly signature: string | undefined;
  /** `x-zm-request-timestamp`, in seconds or milliseconds. */
  readonly timestamp: string | undefined;
  /** The request body exactly as received (base64-decoded if the gateway encoded it). */
  readonly body: Uint8Array;
}

// The receiver verifies every request with the same secret: importing it as a key once per value saves work per call.
let cachedKey: { secret: string; key: KeyObject } | undefined;
function hmacKey(secret: string): KeyObject {
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) };
  return cachedKey.key;
}

/** `v0=` + hex HMAC-SHA256(secret, `v0:{timestamp}:{body}`), computed over the raw bytes, as Zoom signs. */
export function zoomSignature(secret: string, timestamp: string, body: Uint8Array): string {
  return `v0=${createHmac('sha256', hmacKey(secret)).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
}

/** The `x-zm-request-timestamp` as epoch ms: Zoom sends seconds, but millisecond values have been seen. */
export function requestTimestampMs(timestamp: string): number | undefined {
  if (!/^\d{1,16}$/.test(timestamp)) return undefined;
  const n = Number(timestamp);
  return n < 1e11 ? n * 1000 : n;
}

/**
 * Checks a Zoom webhook request: the signature (constant-time, over the raw bytes) first, then its age against
 * the replay window, in both directions to bound clock skew. Every failure looks the same to the caller.
 */
export function verifyZoomRequest(req: SignedRequest, secret: string, nowMs: number, replayWindowSeconds: number): VerifyResult {
  if (!req.signature) return { ok: false, reason: 'missing_signature' };
  if (!req.timestamp) return { ok: false, reason: 'missing_timestamp' };
  const expected = Buffer.from(zoomSignature(secret, req.timestamp, req.body), 'utf8');
  const given = Buffer.from(req.signature, 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  const timestampMs = requestTimestampMs(req.timestamp);
  if (timestampMs === undefined || Math.abs(nowMs - timestampMs) > replayWindowSeconds * 1000) {
    return { ok: false, reason: 'stale_timestamp' };
  }
  return { ok: true, timestampMs };
}

/** The reply to `endpoint.url_validation`: the plain token and its hex HMAC-SHA256 under the secret token. */
export function urlValidationReply(secret: string, plainToken: string): { plainToken: string; encryptedToken: string } {
  return { plainToken, encryptedToken: createHmac('sha256', secret).update(plainToken).digest('hex') };
}
