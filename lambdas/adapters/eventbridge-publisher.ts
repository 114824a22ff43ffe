import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { StorageError } from '#core/errors.ts';
import type { BusEvent, Clock, EventPublisher } from '#core/ports.ts';
import { isRetryableAwsError } from './aws-errors.ts';

/** PutEvents takes at most 10 entries per call. */
const MAX_ENTRIES_PER_CALL = 10;
/** EventBridge's entry limit since 2026-01-29 (256 KB before). */
const DEFAULT_MAX_ENTRY_BYTES = 1024 * 1024;

/** Tuning for {@link EventBridgePublisher}; the defaults suit a Lambda publishing alerts or webhook events. */
export interface EventBridgePublisherOptions {
  /** Largest entry accepted, counted as EventBridge does. @default 1 MiB */
  readonly maxEntryBytes?: number;
  /** Largest sum of entry sizes per PutEvents call. @default maxEntryBytes */
  readonly maxRequestBytes?: number;
  /** Tries per chunk, the first included, before failed entries are reported. @default 3 */
  readonly maxAttempts?: number;
  /** Wait before the second try; doubles for each further try. @default 100 */
  readonly baseDelayMs?: number;
  /** How to wait between tries (tests pass a recorder). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Publishes to one EventBridge bus. Entries go out in chunks of at most 10 and `maxRequestBytes`; entries EventBridge
 * reports as failed are resent alone with exponential backoff, and only then is the batch reported as failed.
 */
export class EventBridgePublisher implements EventPublisher {
  private readonly maxEntryBytes: number;
  private readonly maxRequestBytes: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly busName: string,
    private readonly clock: Clock,
    private readonly client: EventBridgeClient = new EventBridgeClient({}),
    options: EventBridgePublisherOptions = {},
  ) {
    this.maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
    this.maxRequestBytes = options.maxRequestBytes ?? this.maxEntryBytes;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async publish(events: readonly BusEvent[]): Promise<void> {
    // Every entry is checked before any is sent, so a bad event never leaves half a batch published.
    const entries = events.map((event, index) => this.toEntry(event, index));
    for (const chunk of this.chunks(entries)) await this.sendChunk(chunk);
  }

  private toEntry(event: BusEvent, index: number): { entry: PutEventsRequestEntry; size: number } {
    const detail = serialiseDetail(event, index);
    const entry: PutEventsRequestEntry = {
      EventBusName: this.busName,
      Source: event.source,
      DetailType: event.detailType,
      Detail: detail,
      Time: new Date(event.time ?? this.clock.now()),
    };
    // EventBridge's own accounting: 14 bytes for Time plus the UTF-8 bytes of Source, DetailType and Detail.
    const size = 14 + Buffer.byteLength(event.source) + Buffer.byteLength(event.detailType) + Buffer.byteLength(detail);
    if (size > this.maxEntryBytes) {
      throw new StorageError(
        `event ${index} (${event.source} / ${event.detailType}) is ${size} bytes, over the ${this.maxEntryBytes}-byte entry limit; publish large payloads by reference`,
        false,
      );
    }
    return { entry, size };
  }

  private *chunks(entries: readonly { entry: PutEventsRequestEntry; size: number }[]): Generator<PutEventsRequestEntry[]> {
    let chunk: PutEventsRequestEntry[] = [];
    let bytes = 0;
    for (const { entry, size } of entries) {
      if (chunk.length > 0 && (chunk.length === MAX_ENTRIES_PER_CALL || bytes + size > this.maxRequestBytes)) {
        yield chunk;
        chunk = [];
        bytes = 0;
      }
      chunk.push(entry);
      bytes += size;
    }
    if (chunk.length > 0) yield chunk;
  }

  private async sendChunk(chunk: PutEventsRequestEntry[]): Promise<void> {
    let pending = chunk;
    let codes: string[] = [];
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) await this.sleep(this.baseDelayMs * 2 ** (attempt - 2));
      let out;
      try {
        out = await this.client.send(new PutEventsCommand({ Entries: pending }));
      } catch (err) {
        const name = err instanceof Error ? err.name : 'unknown error';
        throw new StorageError(`PutEvents to event bus ${this.busName} failed: ${name}`, isRetryableAwsError(err), { cause: err });
      }
      if (!out.FailedEntryCount) return;
      const results = out.Entries ?? [];
      // Results match entries by position; without a full list, resend everything (duplicates beat gaps).
      const failed = results.length === pending.length ? pending.filter((_, i) => results[i]?.ErrorCode !== undefined) : pending;
      codes = [...new Set(results.flatMap((r) => (r.ErrorCode === undefined ? [] : [r.ErrorCode])))];
      pending = failed.length > 0 ? failed : pending;
    }
    // Error codes only: EventBridge's error messages may quote the entry.
    throw new StorageError(
      `${pending.length} of ${chunk.length} events were not accepted by event bus ${this.busName} after ${this.maxAttempts} attempts (${codes.join(', ') || 'no error code'})`,
      true,
    );
  }
}

/** EventBridge requires Detail to be a JSON object. */
function serialiseDetail(event: BusEvent, index: number): string {
  const { detail } = event;
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    throw new StorageError(`event ${index} (${event.source} / ${event.detailType}): detail must be a JSON object`, false);
  }
  try {
    return JSON.stringify(detail);
  } catch (err) {
    throw new StorageError(`event ${index} (${event.source} / ${event.detailType}): detail is not serialisable as JSON`, false, {
      cause: err,
    });
  }
}
