import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { StorageError } from '#core/errors.ts';
import type { BusEvent, Clock, EventPublisher } from '#core/ports.ts';
import { errnoCode } from './errno.ts';

/** The EventBridge entry limit, applied locally too so an event that AWS would refuse fails here first. */
const DEFAULT_MAX_ENTRY_BYTES = 1024 * 1024;

/** One line of the JSONL file. */
export interface JsonlEventLine {
  /** ISO 8601, UTC. */
  readonly time: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
}

/**
 * The local event bus: appends one JSON line per event (`{time, source, detailType, detail}`) to a file such as
 * `.zoomlake/alerts.jsonl`. A batch is validated whole and appended in one write, in call order.
 */
export class JsonlPublisher implements EventPublisher {
  private readonly file: string;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    filePath: string,
    private readonly clock: Clock,
    private readonly options: { readonly maxEntryBytes?: number } = {},
  ) {
    this.file = path.resolve(filePath);
  }

  async publish(events: readonly BusEvent[]): Promise<void> {
    const lines = events.map((event, index) => this.toLine(event, index));
    if (lines.length === 0) return;
    const run = this.tail.then(() => this.append(lines.join('')));
    this.tail = run.catch(() => undefined);
    await run;
  }

  private toLine(event: BusEvent, index: number): string {
    const { detail } = event;
    const label = `event ${index} (${event.source} / ${event.detailType})`;
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      throw new StorageError(`${label}: detail must be a JSON object`, false);
    }
    let detailJson: string;
    try {
      detailJson = JSON.stringify(detail);
    } catch (err) {
      throw new StorageError(`${label}: detail is not serialisable as JSON`, false, { cause: err });
    }
    // Counted as EventBridge counts an entry: Time (14) plus Source, DetailType and Detail in UTF-8.
    const size = 14 + Buffer.byteLength(event.source) + Buffer.byteLength(event.detailType) + Buffer.byteLength(detailJson);
    const limit = this.options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
    if (size > limit) {
      throw new StorageError(`${label} is ${size} bytes, over the ${limit}-byte entry limit; publish large payloads by reference`, false);
    }
    const line: JsonlEventLine = {
      time: new Date(event.time ?? this.clock.now()).toISOString(),
      source: event.source,
      detailType: event.detailType,
      detail: JSON.parse(detailJson),
    };
    return `${JSON.stringify(line)}\n`;
  }

  private async append(text: string): Promise<void> {
    try {
      await mkdir(path.dirname(this.file), { recursive: true });
      await appendFile(this.file, text, 'utf8');
    } catch (err) {
      const code = errnoCode(err);
      throw new StorageError(`could not append events to ${this.file}: ${code}`, code === 'EMFILE' || code === 'EBUSY', { cause: err });
    }
  }
}
