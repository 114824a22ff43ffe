import { z } from 'zod';
import type { LakeWriter } from '../lake/writer.ts';
import type { ObjectStore } from '../ports.ts';
import { resolveWebhookBody, webhookDetailSchema } from './detail.ts';
import { EnvelopeError, parseEnvelope, storedBody, webhookEventRow, type ZoomEnvelope } from './envelope.ts';
import { typedRows } from './normalise.ts';
import { WEBHOOK_EVENT_SOURCE } from './receive.ts';

/** One queued bus event: the queue's message id and the event's detail, not yet validated. */
export interface QueuedWebhookEvent {
  readonly id: string;
  readonly detail: unknown;
}

/** What writeWebhookEvents needs: a lake writer for this batch and the store holding by-reference bodies. */
export interface WebhookWriteDeps {
  readonly writer: LakeWriter;
  readonly bodies: ObjectStore;
}

/** An item and why it was not (fully) written: a reason code, optionally `code: detail`, never payload text. */
export interface ItemProblem {
  readonly id: string;
  readonly reason: string;
}

/** Outcome of one batch, shaped for SQS partial batch responses. */
export interface WebhookWriteResult {
  /** Every item to hand back to the queue: retried, and moved to the DLQ once retries run out. */
  readonly failedIds: string[];
  /** Items whose rows are durably in the lake. */
  readonly written: number;
  /** Failed items that can never succeed (malformed detail, not a Zoom envelope, body hash mismatch). */
  readonly rejected: ItemProblem[];
  /** Failed items a later attempt may write (body not readable yet, lake write failed). */
  readonly retrying: ItemProblem[];
  /** Written items with a typed row that did not fit its table; the webhook_events row (raw body) was written. */
  readonly incomplete: ItemProblem[];
}

/**
 * Writes a batch of webhook bus events to the lake: the `webhook_events` row (raw body) of each, plus its typed
 * rows, then one flush. An item that can never be written is failed (so the queue dead-letters it after its
 * retries, nothing dropped silently) and listed in `rejected`. If the flush fails, every item that added rows is
 * failed, even those whose partition was written: a retry rewrites them, and because record_id is a hash of the
 * natural key the duplicates read once through the views.
 */
export async function writeWebhookEvents(items: readonly QueuedWebhookEvent[], deps: WebhookWriteDeps): Promise<WebhookWriteResult> {
  const rejected: ItemProblem[] = [];
  const retrying: ItemProblem[] = [];
  const incomplete: ItemProblem[] = [];
  const added: string[] = [];

  const bodies = await Promise.all(items.map(async (item) => {
    const parsed = webhookDetailSchema.safeParse(item.detail);
    if (!parsed.success) {
      const paths = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(root)'))].join(', ');
      return { item, detail: undefined, body: { ok: false as const, retryable: false, reason: `detail_malformed: ${paths}` } };
    }
    return { item, detail: parsed.data, body: await resolveWebhookBody(parsed.data, deps.bodies) };
  }));

  for (const { item, detail, body } of bodies) {
    if (!body.ok || !detail) {
      const reason = body.ok ? 'detail_malformed' : body.reason;
      (body.ok || !body.retryable ? rejected : retrying).push({ id: item.id, reason });
      continue;
    }
    // The receiver masked the body already; a body loaded from a file (or published before masking) is masked here.
    const stored = storedBody(body.text, detail.payloadSha256);
    let env: ZoomEnvelope;
    try {
      env = parseEnvelope(stored.text);
    } catch (error) {
      if (!(error instanceof EnvelopeError)) throw error;
      rejected.push({ id: item.id, reason: `not_envelope: ${error.message}` });
      continue;
    }
    const raw = deps.writer.add('webhook_events', webhookEventRow(stored, env, detail.receivedAt, detail.trackingId));
    if (!raw.ok) {
      rejected.push({ id: item.id, reason: `row_invalid: ${raw.problems.join('; ')}` });
      continue;
    }
    added.push(item.id);
    for (const { table, row } of typedRows(env, raw.recordId, detail.receivedAt)) {
      const typed = deps.writer.add(table, row);
      if (!typed.ok) incomplete.push({ id: item.id, reason: `typed_row_invalid: ${typed.problems.join('; ')}` });
    }
  }

  let written = added.length;
  if (added.length > 0) {
    try {
      await deps.writer.flush();
    } catch (error) {
      const reason = `lake_write_failed: ${error instanceof Error ? error.name : 'unknown error'}`;
      for (const id of added) retrying.push({ id, reason });
      written = 0;
    }
  }
  const failedIds = [...rejected, ...retrying].map((p) => p.id);
  return { failedIds, written, rejected, retrying, incomplete };
}

const busEventSchema = z.object({
  source: z.literal(WEBHOOK_EVENT_SOURCE),
  'detail-type': z.string(),
  detail: z.unknown(),
});

/**
 * The queued item in an SQS message body, which EventBridge fills with the whole bus event as JSON; a body that is
 * not JSON or not a webhook bus event gets a reason code instead.
 */
export function queuedWebhookEvent(id: string, messageBody: string): QueuedWebhookEvent | ItemProblem {
  let event: unknown;
  try {
    event = JSON.parse(messageBody);
  } catch {
    return { id, reason: 'message_not_json' };
  }
  const parsed = busEventSchema.safeParse(event);
  return parsed.success ? { id, detail: parsed.data.detail } : { id, reason: 'message_not_webhook_event' };
}

/** How many problems carry each reason code (the part before `:`), for logs that never hold payload text. */
export function reasonCounts(problems: readonly ItemProblem[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { reason } of problems) {
    const code = reason.split(':', 1)[0]!;
    counts[code] = (counts[code] ?? 0) + 1;
  }
  return counts;
}
