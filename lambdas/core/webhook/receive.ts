import type { Clock, EventPublisher, ObjectWriter } from '../ports.ts';
import { dtOf } from '../lake/instants.ts';
import { maskJsonText } from '../mask/credentials.ts';
import { EnvelopeError, parseEnvelope, sha256Hex } from './envelope.ts';
import { urlValidationReply, verifyZoomRequest, type VerifyFailure } from './verify.ts';

/** The `source` of every Zoom event on the internal bus. */
export const WEBHOOK_EVENT_SOURCE = 'zoomlake.webhook';
/** Where bodies too large for an event-bus entry are kept, by content hash, in the lake bucket. */
export const WEBHOOK_BODY_PREFIX = 'webhook-bodies';
/** Zoom's endpoint check: answered by the receiver, never published or stored. */
export const URL_VALIDATION_EVENT = 'endpoint.url_validation';

/**
 * Bodies above this travel by reference: the detail wraps the body as a JSON string (quotes and escapes grow it)
 * inside an EventBridge entry of at most 1 MB, so 900 KB of serialised detail leaves room for the envelope.
 */
export const WEBHOOK_INLINE_BODY_BYTES = 900_000;

/**
 * The largest body the receiver can ever accept: a Lambda function's invocation payload is at most 6 MB, and the
 * HTTP request body arrives inside it. Consumers of by-reference bodies refuse anything larger without reading it.
 */
export const WEBHOOK_MAX_BODY_BYTES = 6 * 1024 * 1024;

/** An HTTP request as the receiver sees it: lower-case header names, the body bytes as received. */
export interface WebhookHttpRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
}

/**
 * The bus event's detail: the body with credentials masked, inline or by reference to the object store (whose
 * `sha256` is that of the stored, masked bytes), and `payloadSha256`, the hash of the body Zoom sent. Details
 * published before masking have no `payloadSha256`; their body is the original.
 */
export type WebhookDetail = {
  readonly receivedAt: number;
  readonly trackingId?: string;
  readonly payloadSha256?: string;
} & ({ readonly body: string } | { readonly bodyRef: { readonly key: string; readonly sha256: string; readonly bytes: number } });

/** How a request ended, for logs and metrics: reason codes and sizes only, never secrets, signatures or bodies. */
export type WebhookOutcome = 'accepted' | 'url_validation' | 'too_large' | 'unauthorized' | 'invalid' | 'publish_failed' | 'secret_unavailable';

/** The receiver's answer plus what may be logged about it. */
export interface WebhookResult {
  readonly status: number;
  readonly body: string;
  readonly outcome: WebhookOutcome;
  /** Why it was refused (unauthorized/invalid), as a code. */
  readonly reason?: VerifyFailure | string;
  /** The Zoom event name, once the body is verified and parsed. */
  readonly event?: string;
  readonly bytes: number;
}

/** Limits and timing the receiver applies. */
export interface ReceiverOptions {
  readonly replayWindowSeconds: number;
  readonly maxBodyBytes: number;
  /** Bodies larger than this travel by reference through the object store (an event-bus entry holds 1 MB). */
  readonly inlineBodyBytes: number;
}

/** What the receiver needs from the outside. */
export interface ReceiverDeps {
  readonly publisher: EventPublisher;
  /** Holds bodies too large to publish inline (written only: the lake writer reads them back). */
  readonly bodies: ObjectWriter;
  readonly clock: Clock;
  /** The webhook secret token (cached by the provider). */
  readonly secret: () => Promise<string>;
  readonly options: ReceiverOptions;
}

const json = (status: number, body: unknown, outcome: WebhookOutcome, bytes: number, extra: Partial<WebhookResult> = {}): WebhookResult => ({
  status,
  body: JSON.stringify(body),
  outcome,
  bytes,
  ...extra,
});
const ACCEPTED_BODY = JSON.stringify({ status: 'ok' });

// Event names become EventBridge detail-types (at most 128 characters); anything else is published under one name.
const DETAIL_TYPE = /^[A-Za-z0-9_.:-]{1,128}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes of a UTF-8 byte order mark at the start, which decoding drops (0 or 3). */
const bomLength = (b: Uint8Array) => (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0);

/**
 * Receives one Zoom webhook request: size check, signature and replay check, envelope parse, url_validation
 * answered inline, every other verified event published to the bus (unknown types included) before 200 is
 * returned. Nothing from an unverified request is stored or forwarded; a failed publish is a 503 so Zoom retries.
 * The body is decoded, parsed and hashed once each; a body masking leaves alone keeps its received bytes.
 */
export async function receiveWebhook(req: WebhookHttpRequest, deps: ReceiverDeps): Promise<WebhookResult> {
  const bytes = req.body.byteLength;
  const { options } = deps;
  if (bytes > options.maxBodyBytes) return json(413, { error: 'payload too large' }, 'too_large', bytes);

  let secret: string;
  try {
    secret = await deps.secret();
  } catch (error) {
    // Without the secret nothing can be verified; a 5xx makes Zoom retry once the secret is readable again.
    return json(503, { error: 'temporarily unavailable' }, 'secret_unavailable', bytes, {
      reason: error instanceof Error ? error.name : 'unknown error',
    });
  }
  const now = deps.clock.now();
  const verified = verifyZoomRequest(
    { signature: req.headers['x-zm-signature'], timestamp: req.headers['x-zm-request-timestamp'], body: req.body },
    secret,
    now,
    options.replayWindowSeconds,
  );
  if (!verified.ok) return json(401, { error: 'unauthorized' }, 'unauthorized', bytes, { reason: verified.reason });

  let text: string;
  try {
    text = utf8.decode(req.body);
  } catch {
    return json(400, { error: 'invalid body' }, 'invalid', bytes, { reason: 'body is not UTF-8' });
  }
  let env;
  try {
    env = parseEnvelope(text);
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    return json(400, { error: 'invalid body' }, 'invalid', bytes, { reason: error.message });
  }

  if (env.event === URL_VALIDATION_EVENT) {
    const token = env.payload.plainToken;
    if (typeof token !== 'string' || token === '') {
      return json(400, { error: 'invalid body' }, 'invalid', bytes, { reason: 'url_validation without plainToken', event: env.event });
    }
    return json(200, urlValidationReply(secret, token), 'url_validation', bytes, { event: env.event });
  }

  // Verification ran on the original bytes; from here on only the masked body travels and is stored. The text is
  // the body's bytes after a byte order mark, so their hash is that of the text Zoom sent.
  const original = req.body.subarray(bomLength(req.body));
  const masked = maskJsonText(text);
  const trackingId = req.headers['x-zm-trackingid'];
  const payloadSha256 = sha256Hex(original);
  let detail: WebhookDetail = trackingId
    ? { receivedAt: now, trackingId, payloadSha256, body: masked }
    : { receivedAt: now, payloadSha256, body: masked };
  try {
    const storedLength = masked === text ? original.byteLength : Buffer.byteLength(masked, 'utf8');
    // JSON escaping at most sextuples a byte (\u00XX), so most bodies are known to fit without serialising them.
    const inline = storedLength * 6 + 1024 <= options.inlineBodyBytes || Buffer.byteLength(JSON.stringify(detail)) <= options.inlineBodyBytes;
    if (!inline) {
      const stored = masked === text ? original : Buffer.from(masked, 'utf8');
      const sha256 = sha256Hex(stored);
      const key = `${WEBHOOK_BODY_PREFIX}/dt=${dtOf(now)}/${sha256}.json`;
      await deps.bodies.put(key, stored, { contentType: 'application/json' });
      const bodyRef = { key, sha256, bytes: stored.byteLength };
      detail = trackingId ? { receivedAt: now, trackingId, payloadSha256, bodyRef } : { receivedAt: now, payloadSha256, bodyRef };
    }
    await deps.publisher.publish([
      {
        source: WEBHOOK_EVENT_SOURCE,
        detailType: DETAIL_TYPE.test(env.event) ? env.event : 'zoom.unnamed_event',
        detail,
        time: now,
      },
    ]);
  } catch (error) {
    return json(503, { error: 'temporarily unavailable' }, 'publish_failed', bytes, {
      event: env.event,
      reason: error instanceof Error ? error.name : 'unknown error',
    });
  }
  return { status: 200, body: ACCEPTED_BODY, outcome: 'accepted', bytes, event: env.event };
}
