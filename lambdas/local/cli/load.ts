import { EnvelopeError, parseEnvelope, webhookEventRow } from '#core/webhook/envelope.ts';
import type { LakeWriter } from '#core/lake/writer.ts';

/** One body that could not be loaded, by its 1-based position in the input. */
export interface Rejected {
  readonly item: number;
  readonly reason: string;
}

/** What a load did: bodies written to the lake and bodies refused, with reasons. */
export interface LoadResult {
  readonly accepted: number;
  readonly rejected: readonly Rejected[];
}

/**
 * Splits a file of Zoom webhook bodies: one JSON body, a JSON array of bodies, or NDJSON (one body per line).
 * Each body keeps its own raw text so its hash and `raw` column match what Zoom sent.
 */
export function splitBodies(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) {
    try {
      const items: unknown = JSON.parse(trimmed);
      if (Array.isArray(items)) return items.map((item) => JSON.stringify(item));
    } catch {
      // not a JSON array: fall through to NDJSON, which reports the bad line
    }
  }
  try {
    JSON.parse(trimmed);
    return [trimmed];
  } catch {
    return text.split('\n').filter((line) => line.trim() !== '');
  }
}

/**
 * Loads bodies into `webhook_events` (signature checks belong to the receiver; this is for bodies already
 * trusted, such as samples and exports). A bad body is rejected alone with a reason; the rest are written.
 */
export async function loadWebhookBodies(bodies: readonly string[], writer: LakeWriter, receivedAt: number): Promise<LoadResult> {
  let accepted = 0;
  const rejected: Rejected[] = [];
  bodies.forEach((body, i) => {
    try {
      const added = writer.add('webhook_events', webhookEventRow(body, parseEnvelope(body), receivedAt));
      if (added.ok) accepted++;
      else rejected.push({ item: i + 1, reason: added.problems.join('; ') });
    } catch (error) {
      if (!(error instanceof EnvelopeError)) throw error;
      rejected.push({ item: i + 1, reason: error.message });
    }
  });
  await writer.flush();
  return { accepted, rejected };
}
