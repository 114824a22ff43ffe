import { createHash } from 'node:crypto';
import * as z from 'zod';
import { ZoomlakeError } from '../errors.ts';
import { isPlausibleEpochMs } from '../lake/instants.ts';
import type { ObjectStore } from '../ports.ts';
import { WEBHOOK_BODY_PREFIX, type WebhookDetail } from './receive.ts';

const common = {
  receivedAt: z.number().int().refine(isPlausibleEpochMs, 'must be epoch milliseconds between 2000 and 2200'),
  trackingId: z.string().optional(),
  payloadSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
};

/**
 * The bus event detail the receiver publishes (WebhookDetail), checked at every consumer. A body reference may
 * only point under the receiver's body prefix, so a forged detail cannot make a consumer read other lake objects.
 */
export const webhookDetailSchema = z.union([
  z.object({ ...common, body: z.string() }),
  z.object({
    ...common,
    bodyRef: z.object({
      key: z.string().startsWith(`${WEBHOOK_BODY_PREFIX}/`),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      bytes: z.number().int().nonnegative(),
    }),
  }),
]) satisfies z.ZodType<WebhookDetail>;

/** A detail as parsed by webhookDetailSchema. */
export type ParsedWebhookDetail = z.infer<typeof webhookDetailSchema>;

/** The raw body of a detail, or why it cannot be had; `retryable` says whether a later attempt may succeed. */
export type BodyResolution =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly retryable: boolean; readonly reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The raw body text: inline, or read from the body store and checked against the hash the receiver recorded. */
export async function resolveWebhookBody(detail: ParsedWebhookDetail, bodies: ObjectStore): Promise<BodyResolution> {
  if ('body' in detail) return { ok: true, text: detail.body };
  const { key, sha256 } = detail.bodyRef;
  let bytes: Uint8Array | undefined;
  try {
    bytes = await bodies.get(key);
  } catch (error) {
    const retryable = !(error instanceof ZoomlakeError) || error.retryable;
    return { ok: false, retryable, reason: `body_unreadable: ${error instanceof Error ? error.name : 'unknown error'}` };
  }
  // The receiver stores the body before publishing, so a missing body is a storage hiccup worth retrying, then the DLQ.
  if (bytes === undefined) return { ok: false, retryable: true, reason: 'body_missing' };
  if (createHash('sha256').update(bytes).digest('hex') !== sha256) return { ok: false, retryable: false, reason: 'body_sha256_mismatch' };
  // Callers budget memory by the declared size, so a detail that understates it is refused even when the hash matches.
  if (bytes.byteLength !== detail.bodyRef.bytes) return { ok: false, retryable: false, reason: 'body_size_mismatch' };
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch {
    return { ok: false, retryable: false, reason: 'body_not_utf8' };
  }
}
