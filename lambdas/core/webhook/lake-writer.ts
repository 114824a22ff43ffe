import * as z from 'zod';
import type { LakeWriter } from '../lake/writer.ts';
import type { ObjectStore } from '../ports.ts';
import { forEachBounded } from '../concurrency.ts';
import { resolveWebhookBody, webhookDetailSchema, type ParsedWebhookDetail } from './detail.ts';
import { EnvelopeError, parseEnvelope, storedBody, webhookEventRow, type ZoomEnvelope } from './envelope.ts';
import { typedRows } from './normalise.ts';
import { WEBHOOK_EVENT_SOURCE, WEBHOOK_MAX_BODY_BYTES } from './receive.ts';

/** One queued bus event: the queue's message id and the event's detail, not yet validated. */
export interface QueuedWebhookEvent {
  readonly id: string;
  readonly detail: unknown;
}

/**
 * How much of a batch the writer holds at once. One SQS batch may reference a thousand bodies of several MiB each,
 * far more than a function's memory, so bodies are read a few at a time and turned into rows in groups that are
 * written to the lake, and released, before the next group is read.
 */
export interface WebhookWriteLimits {
  /** Most bodies being read from the object store at the same time. */
  readonly fetchConcurrency: number;
  /** Most body bytes (by declared size) in one group: read, parsed into rows, written and released together. */
  readonly groupBytes: number;
  /** Largest body read at all; a reference declaring more is rejected without being read. */
  readonly maxBodyBytes: number;
  /**
   * Time kept in hand: no group is started with less than this left (when the caller says how much is left), so a
   * batch too big for one invocation writes what it can and hands the rest back, instead of timing out whole.
   */
  readonly reserveMs: number;
}

/** Memory of the writer function in MB; the default limits keep a batch well inside it (`npm run bench` measures). */
export const WEBHOOK_WRITER_MEMORY_MB = 1024;

/**
 * The limits the writer uses unless told otherwise: 64 MiB of bodies per group, which `npm run bench` measures at a
 * fraction of WEBHOOK_WRITER_MEMORY_MB; eight reads in flight keep S3 busy without holding more than 48 MiB of bytes.
 */
export const DEFAULT_WEBHOOK_WRITE_LIMITS: WebhookWriteLimits = {
  fetchConcurrency: 8,
  groupBytes: 64 * 1024 * 1024,
  maxBodyBytes: WEBHOOK_MAX_BODY_BYTES,
  reserveMs: 30_000,
};

/** What writeWebhookEvents needs: a lake writer for this batch and the store holding by-reference bodies. */
export interface WebhookWriteDeps {
  readonly writer: LakeWriter;
  readonly bodies: ObjectStore;
  /** @default DEFAULT_WEBHOOK_WRITE_LIMITS */
  readonly limits?: Partial<WebhookWriteLimits>;
  /** Milliseconds the caller may still run (Lambda's remaining time). @default no time limit */
  readonly remainingMs?: () => number;
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
  /**
   * Failed items that can never succeed (malformed detail, not a Zoom envelope, body too large, body hash or size
   * mismatch).
   */
  readonly rejected: ItemProblem[];
  /** Failed items a later attempt may write (body not readable yet, lake write failed, not reached in time). */
  readonly retrying: ItemProblem[];
  /** Written items with a typed row that did not fit its table; the webhook_events row (raw body) was written. */
  readonly incomplete: ItemProblem[];
}

/** A queued item whose detail parsed, with its place in the batch and the body bytes it brings into memory. */
interface Pending {
  readonly index: number;
  readonly item: QueuedWebhookEvent;
  readonly detail: ParsedWebhookDetail;
  readonly bytes: number;
}

/**
 * Writes a batch of webhook bus events to the lake: the `webhook_events` row (raw body) of each, plus its typed
 * rows. Bodies stored by reference are read at most `fetchConcurrency` at a time, and the batch is written in
 * groups of at most `groupBytes` of bodies, one flush per group, so memory stays bounded whatever the batch holds.
 * An item that can never be written is failed (so the queue dead-letters it after its retries, nothing dropped
 * silently) and listed in `rejected`; an item whose body cannot be read yet is failed and listed in `retrying`;
 * neither affects the other items. If a group's flush fails, every item of that group that added rows is failed,
 * even those whose partition was written, and the group's rows are dropped from the writer (a later group's flush
 * must not write rows whose items are already handed back): a retry rewrites them, and because record_id is a
 * hash of the natural key the duplicates read once through the views. Groups written before stay written. When
 * less than `reserveMs` is left before a group starts, its items and the rest are handed back unread.
 */
export async function writeWebhookEvents(items: readonly QueuedWebhookEvent[], deps: WebhookWriteDeps): Promise<WebhookWriteResult> {
  const limits = { ...DEFAULT_WEBHOOK_WRITE_LIMITS, ...deps.limits };
  // Problems are collected with the item's place in the batch and reported in batch order, whatever order reads finish in.
  const rejected: (ItemProblem & { index: number })[] = [];
  const retrying: (ItemProblem & { index: number })[] = [];
  const incomplete: (ItemProblem & { index: number })[] = [];
  let written = 0;

  const pending: Pending[] = [];
  items.forEach((item, index) => {
    const parsed = webhookDetailSchema.safeParse(item.detail);
    if (!parsed.success) {
      const paths = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(root)'))].join(', ');
      rejected.push({ index, id: item.id, reason: `detail_malformed: ${paths}` });
      return;
    }
    const bytes = 'body' in parsed.data ? parsed.data.body.length : parsed.data.bodyRef.bytes;
    if (bytes > limits.maxBodyBytes) {
      rejected.push({ index, id: item.id, reason: `body_too_large: ${bytes} bytes, over ${limits.maxBodyBytes}` });
      return;
    }
    pending.push({ index, item, detail: parsed.data, bytes });
  });

  for (const group of groupsBySize(pending, limits.groupBytes)) {
    if (deps.remainingMs !== undefined && deps.remainingMs() < limits.reserveMs) {
      for (const { index, item } of group) retrying.push({ index, id: item.id, reason: 'out_of_time' });
      continue;
    }
    const added: Pending[] = [];
    await forEachBounded(group, limits.fetchConcurrency, async (entry) => {
      const { index, item, detail } = entry;
      const body = await resolveWebhookBody(detail, deps.bodies);
      if (!body.ok) {
        (body.retryable ? retrying : rejected).push({ index, id: item.id, reason: body.reason });
        return;
      }
      // The receiver masked the body already; a body loaded from a file (or published before masking) is masked here.
      const stored = storedBody(body.text, detail.payloadSha256);
      let env: ZoomEnvelope;
      try {
        env = parseEnvelope(stored.text);
      } catch (error) {
        if (!(error instanceof EnvelopeError)) throw error;
        rejected.push({ index, id: item.id, reason: `not_envelope: ${error.message}` });
        return;
      }
      const raw = deps.writer.add('webhook_events', webhookEventRow(stored, env, detail.receivedAt, detail.trackingId));
      if (!raw.ok) {
        rejected.push({ index, id: item.id, reason: `row_invalid: ${raw.problems.join('; ')}` });
        return;
      }
      added.push(entry);
      for (const { table, row } of typedRows(env, raw.recordId, detail.receivedAt)) {
        const typed = deps.writer.add(table, row);
        if (!typed.ok) incomplete.push({ index, id: item.id, reason: `typed_row_invalid: ${typed.problems.join('; ')}` });
      }
    });
    if (added.length === 0) continue;
    try {
      await deps.writer.flush();
      written += added.length;
    } catch (error) {
      deps.writer.discard();
      const reason = `lake_write_failed: ${error instanceof Error ? error.name : 'unknown error'}`;
      for (const { index, item } of added) retrying.push({ index, id: item.id, reason });
    }
  }

  const inOrder = (problems: (ItemProblem & { index: number })[]): ItemProblem[] =>
    problems.sort((a, b) => a.index - b.index).map(({ id, reason }) => ({ id, reason }));
  const result = { written, rejected: inOrder(rejected), retrying: inOrder(retrying), incomplete: inOrder(incomplete) };
  return { failedIds: [...result.rejected, ...result.retrying].map((p) => p.id), ...result };
}

/**
 * Consecutive runs of `pending` whose sizes sum to at most `budget`; an item larger than the budget on its own
 * (up to maxBodyBytes) makes a group by itself.
 */
function groupsBySize(pending: readonly Pending[], budget: number): Pending[][] {
  const groups: Pending[][] = [];
  let current: Pending[] = [];
  let size = 0;
  for (const entry of pending) {
    if (current.length > 0 && size + entry.bytes > budget) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(entry);
    size += entry.bytes;
  }
  if (current.length > 0) groups.push(current);
  return groups;
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
