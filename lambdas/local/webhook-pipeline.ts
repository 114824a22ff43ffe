import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { LakeWriter } from '#core/lake/writer.ts';
import type { BusEvent, EventPublisher, ObjectStore } from '#core/ports.ts';
import { writeWebhookEvents } from '#core/webhook/lake-writer.ts';
import { appendDurably, replaceFileDurably } from './durable-file.ts';

/** One spooled bus event: what SQS would hold between the bus and the lake writer. */
interface Spooled {
  readonly id: string;
  readonly detail: unknown;
}

/** What one flush did. */
export interface PipelineFlush {
  readonly written: number;
  /** Items kept for the next flush (a retryable failure). */
  readonly retrying: number;
  /** Items that can never be written, moved to the dead-letter file. */
  readonly deadLettered: number;
}

/**
 * The local counterpart of bus -> SQS -> lake writer. `publish` appends each event to a spool file and fsyncs it
 * before resolving (the receiver answers 200 only then), so a crash loses nothing: `recover()` re-reads the spool
 * and re-written records de-duplicate by record_id. `flush()` writes pending events to the lake; an event that
 * can never be written goes to the dead-letter file, as SQS would move it to its DLQ.
 */
export class LocalWebhookPipeline implements EventPublisher {
  private pending: Spooled[] = [];
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly spoolFile: string,
    private readonly deadLetterFile: string,
    /** A fresh writer per flush: a failed flush must not leave rows buffered in a writer that lives on. */
    private readonly newWriter: () => LakeWriter,
    private readonly bodies: ObjectStore,
  ) {}

  /** Loads events a previous run spooled but did not write; returns how many. */
  async recover(): Promise<number> {
    let text: string;
    try {
      text = await readFile(this.spoolFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    // A line cut short by a crash was never acknowledged to Zoom; Zoom retries it, so it is skipped here.
    const items = text.split('\n').flatMap((line) => {
      try {
        return line.trim() === '' ? [] : [JSON.parse(line) as Spooled];
      } catch {
        return [];
      }
    });
    this.pending.push(...items);
    return items.length;
  }

  /** Events waiting for the next flush. */
  get pendingCount(): number {
    return this.pending.length;
  }

  async publish(events: readonly BusEvent[]): Promise<void> {
    const items = events.map((e) => ({ id: randomUUID(), detail: e.detail }));
    await this.serial(async () => {
      await appendDurably(this.spoolFile, items.map((i) => JSON.stringify(i) + '\n').join(''));
      this.pending.push(...items);
    });
  }

  /** Writes every pending event to the lake, then shrinks the spool to what is still pending. */
  async flush(): Promise<PipelineFlush> {
    return this.serial(async () => {
      if (this.pending.length === 0) return { written: 0, retrying: 0, deadLettered: 0 };
      const batch = this.pending;
      this.pending = [];
      let failedIds: Set<string>;
      let rejected: { id: string; reason: string }[] = [];
      try {
        const result = await writeWebhookEvents(batch, { writer: this.newWriter(), bodies: this.bodies });
        failedIds = new Set(result.failedIds);
        rejected = result.rejected;
      } catch {
        failedIds = new Set(batch.map((i) => i.id));
      }
      const dead = new Set(rejected.map((r) => r.id));
      const dlq = batch.filter((i) => dead.has(i.id));
      if (dlq.length > 0) {
        const reasons = new Map(rejected.map((r) => [r.id, r.reason]));
        await appendDurably(this.deadLetterFile, dlq.map((i) => JSON.stringify({ ...i, reason: reasons.get(i.id) }) + '\n').join(''));
      }
      this.pending = batch.filter((i) => failedIds.has(i.id) && !dead.has(i.id));
      await this.rewriteSpool();
      return { written: batch.length - failedIds.size, retrying: this.pending.length, deadLettered: dlq.length };
    });
  }

  private rewriteSpool(): Promise<void> {
    return replaceFileDurably(this.spoolFile, this.pending.map((i) => JSON.stringify(i) + '\n').join(''));
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work);
    this.tail = run.catch(() => undefined);
    return run;
  }
}


