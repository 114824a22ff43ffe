import { hash } from 'node:crypto';
import { ZoomlakeError } from '../errors.ts';
import { epochOf, instantOf } from '../lake/cell-coercion.ts';
import { maskJsonText } from '../mask/credentials.ts';
import type { Row } from '../schema/types.ts';

/** A request body that is not JSON or not a Zoom webhook envelope (answered with 400, never stored). */
export class EnvelopeError extends ZoomlakeError {
  constructor(message: string) {
    super(message, false);
  }
}

/** The parts of a Zoom webhook body every event shares: `{ event, event_ts?, payload? }`. */
export interface ZoomEnvelope {
  readonly event: string;
  /**
   * Epoch milliseconds, when the body carries a plausible one. Published samples omit it or send it as a string,
   * sometimes an impossible one; the raw body keeps whatever was sent.
   */
  readonly eventTs?: number;
  readonly payload: Readonly<Record<string, unknown>>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses raw body bytes (UTF-8) into an envelope; throws EnvelopeError saying what is wrong, never echoing the body. */
export function parseEnvelope(raw: Uint8Array | string): ZoomEnvelope {
  const text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new EnvelopeError('body is not valid JSON');
  }
  if (!isRecord(body)) throw new EnvelopeError('body is not a JSON object');
  if (typeof body.event !== 'string' || body.event.trim() === '') throw new EnvelopeError('body has no "event" name');
  if (body.payload !== undefined && !isRecord(body.payload)) throw new EnvelopeError('"payload" is not an object');
  // A verified event is never refused for its timestamp: an odd event_ts only loses its say over event_time.
  const eventTs = epochOf(body.event_ts);
  return { event: body.event, ...(eventTs !== undefined ? { eventTs } : {}), payload: isRecord(body.payload) ? body.payload : {} };
}

/**
 * The body Zoom sends for an event, parseEnvelope's inverse: compact JSON `{ event, event_ts, ...top, payload }`, with
 * `top` for the top-level fields some events carry (recording.completed's `download_token`). The one builder of
 * webhook bodies for the scenario, the bench and the tests.
 */
export function webhookBody(env: ZoomEnvelope & { readonly eventTs: number }, top: Readonly<Record<string, unknown>> = {}): string {
  return JSON.stringify({ event: env.event, event_ts: env.eventTs, ...top, payload: env.payload });
}

const asString = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);

/**
 * When the event happened: Zoom's event_ts, else a time inside the payload (time_stamp, object.date_time), else
 * the time the request was received (the only time some published samples carry).
 */
export function eventTimeOf(env: ZoomEnvelope, receivedAt: number): number {
  if (env.eventTs !== undefined) return env.eventTs;
  const object = isRecord(env.payload.object) ? env.payload.object : {};
  return instantOf(env.payload.time_stamp) ?? instantOf(object.date_time) ?? receivedAt;
}

/**
 * A verified body as it may be kept: its text with credentials masked (core/mask/credentials.ts), and the hex
 * SHA-256 of the text Zoom sent, before masking, which names the delivery for integrity checks and dedup.
 */
export interface StoredBody {
  readonly text: string;
  readonly sha256: string;
}

/** The hex SHA-256 of bytes, or of a text's UTF-8 bytes. */
export const sha256Hex = (data: Uint8Array | string): string => hash('sha256', data, 'hex');

/**
 * The stored form of a verified body. `originalSha256` is passed when `text` was masked already (by the receiver);
 * masking again changes nothing, so a body masked twice, or received and then loaded, is stored the same.
 */
export function storedBody(text: string, originalSha256?: string): StoredBody {
  return { text: maskJsonText(text), sha256: originalSha256 ?? sha256Hex(text) };
}

/** The `webhook_events` row for a verified body: the masked JSON kept whole, with the ids worth filtering on. */
export function webhookEventRow(body: StoredBody, env: ZoomEnvelope, receivedAt: number, trackingId?: string): Row {
  const object = isRecord(env.payload.object) ? env.payload.object : {};
  return {
    event: env.event,
    event_ts: env.eventTs ?? null,
    event_time: eventTimeOf(env, receivedAt),
    received_at: receivedAt,
    account_id: asString(env.payload.account_id) ?? asString(object.account_id),
    object_id: asString(object.id),
    object_uuid: asString(object.uuid),
    operator: asString(env.payload.operator),
    operator_id: asString(env.payload.operator_id),
    tracking_id: trackingId ?? null,
    payload_sha256: body.sha256,
    raw: body.text,
  };
}
