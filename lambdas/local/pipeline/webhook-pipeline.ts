import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { LakeWriter } from '#core/lake/writer.ts';
import type { BusEvent, EventPublisher, ObjectStore } from '#core/ports.ts';
import { writeWebhookEvents } from '#core/webhook/lake-writer.ts';
import { WEBHOOK_EVENT_SOURCE } from '#core/webhook/receive.ts';
import { appendDurably, replaceFileDurably, syncDir } from '../adapters/durable-file.ts';
import { fdatasync, GroupCommit, type SyncFile } from '../adapters/group-commit.ts';

/** One spooled bus event: what SQS would hold between the bus and the lake writer. */
interface Spooled {
  readonly id: string;
  /** The bus detail-type, so a recovered event reaches the same consumers as a live one (absent in older spools). */
  readonly detailType?: string;
  readonly detail: unknown;
}

// Spools written before detail-types were kept: their events still reach the realtime checks, which read the body.
const UNKNOWN_DETAIL_TYPE = 'zoom.unnamed_event';
const LINE_START = '{"id":"';

/**
 * The spooled items in `text`, and whether every line was whole. A line cut short by a crash was never acknowledged
 * (publish resolves only after the fsync), so Zoom retries it and it is dropped here. Spools written before torn
 * tails were cut can hold an acknowledged item glued after a torn line; it is recovered from where it starts.
 */
function parseSpool(text: string): { items: Spooled[]; clean: boolean } {
  let clean = text === '' || text.endsWith('\n');
  const items: Spooled[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let item: Spooled | undefined;
    for (let at = 0; at >= 0 && item === undefined; at = line.indexOf(LINE_START, at + 1)) {
      try {
        const parsed = JSON.parse(line.slice(at)) as Partial<Spooled> | null;
        if (typeof parsed?.id === 'string' && 'detail' in parsed) item = parsed as Spooled;
      } catch {
        // not whole from here; try the next item start in the line
      }
      if (item === undefined || at > 0) clean = false;
    }
    if (item !== undefined) items.push(item);
  }
  return { items, clean };
}

/** The spool open for appends: its handle, its group commit, and which items each append carried. */
interface OpenSpool {
  readonly handle: FileHandle;
  readonly group: GroupCommit;
  /** Writes not yet known durable: their sequence number and item ids. */
  readonly unsynced: { readonly seq: number; readonly ids: readonly string[] }[];
}

/** What LocalWebhookPipeline may replace, for tests. */
export interface WebhookPipelineOptions {
  /** How the spool is made durable. @default fdatasync */
  readonly sync?: SyncFile;
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
 * The local counterpart of bus -> SQS -> lake writer. `publish` appends each event to a spool file and resolves only
 * once an fdatasync that started after the append finished (the receiver answers 200 only then), so a crash loses
 * nothing: `recover()` re-reads the spool and re-written records de-duplicate by record_id. Concurrent publishes share
 * that sync (GroupCommit): one write and one fdatasync cover every event appended since the last one started. A failed
 * sync fails every publish it covered; the next publish first rewrites the spool from the events known durable.
 * `flush()` writes pending events to the lake; an event that can never be written goes to the dead-letter file, as
 * SQS would move it to its DLQ.
 */
export class LocalWebhookPipeline implements EventPublisher {
  private pending: Spooled[] = [];
  private tail: Promise<unknown> = Promise.resolve();
  private recovered = false;
  private replay: BusEvent[] = [];
  private spool: OpenSpool | undefined;
  /** A sync of the spool failed: its tail may hold events never acknowledged, so it is rewritten before the next append. */
  private spoolBroken = false;
  private syncs = 0;

  constructor(
    private readonly spoolFile: string,
    private readonly deadLetterFile: string,
    /** A fresh writer per flush: a failed flush must not leave rows buffered in a writer that lives on. */
    private readonly newWriter: () => LakeWriter,
    private readonly bodies: ObjectStore,
    private readonly options: WebhookPipelineOptions = {},
  ) {}

  /** Syncs of the spool started so far (the bench reports syncs per event). */
  get spoolSyncs(): number {
    return this.syncs;
  }

  /**
   * Loads events a previous run spooled but did not write, and rewrites the spool without a torn last line (durably,
   * before any new event is appended after it); returns how many. Only the first call reads the spool.
   */
  async recover(): Promise<number> {
    return this.serial(async () => {
      if (this.recovered) return 0;
      this.recovered = true;
      let text: string;
      try {
        text = await readFile(this.spoolFile, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
        throw error;
      }
      const { items, clean } = parseSpool(text);
      const known = new Set(this.pending.map((i) => i.id));
      const fresh = items.filter((i) => !known.has(i.id) && (known.add(i.id), true));
      this.pending.unshift(...fresh);
      if (!clean) await this.rewriteSpool();
      this.replay.push(...fresh.map((i) => ({ source: WEBHOOK_EVENT_SOURCE, detailType: i.detailType ?? UNKNOWN_DETAIL_TYPE, detail: i.detail })));
      return fresh.length;
    });
  }

  /**
   * The recovered events not yet handed on, oldest first; each is returned once. The lake gets them from `flush()`;
   * this is for the consumers that see live events after the spool (realtime checks, correlation).
   */
  takeRecovered(): BusEvent[] {
    return this.replay.splice(0);
  }

  /** Events waiting for the next flush. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * Appends the events to the spool and resolves once they are durable; rejects (the receiver answers 503) when the
   * write or the sync covering it failed, and then the events are not pending.
   */
  async publish(events: readonly BusEvent[]): Promise<void> {
    const items: Spooled[] = events.map((e) => ({ id: randomUUID(), detailType: e.detailType, detail: e.detail }));
    const text = items.map((i) => JSON.stringify(i) + '\n').join('');
    const { group, seq } = await this.serial(async () => {
      const spool = await this.openSpool();
      const written = spool.group.append(text);
      while (spool.unsynced.length > 0 && spool.group.isDurable(spool.unsynced[0]!.seq)) spool.unsynced.shift();
      spool.unsynced.push({ seq: written, ids: items.map((i) => i.id) });
      // Pending at once, so a flush that runs before the sync keeps them in the spool it rewrites (it waits for the sync first).
      this.pending.push(...items);
      return { group: spool.group, seq: written };
    });
    await group.durable(seq);
  }

  /** Writes every pending event to the lake, then shrinks the spool to what is still pending. */
  async flush(): Promise<PipelineFlush> {
    return this.serial(async () => {
      await this.settleSpool();
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

  /** Closes the spool's append handle once every append is committed (or failed); the next publish opens it again. */
  async close(): Promise<void> {
    return this.serial(async () => {
      await this.settleSpool();
      const spool = this.spool;
      if (!spool) return;
      this.spool = undefined;
      await spool.handle.close();
    });
  }

  /** Rewrites the spool as exactly the pending events; the append handle is reopened on the new file. */
  private async rewriteSpool(): Promise<void> {
    await this.settleSpool();
    if (this.spool) this.dropSpool(this.spool);
    await replaceFileDurably(this.spoolFile, this.pending.map((i) => JSON.stringify(i) + '\n').join(''));
    this.spoolBroken = false;
  }

  /** Waits for the sync of every append so far; a failure has already taken its events out of `pending` (onSyncFailure). */
  private async settleSpool(): Promise<void> {
    await this.spool?.group.durable().catch(() => undefined);
  }

  /** The spool open for appends, rewritten first when a failed write or sync left it in doubt. */
  private async openSpool(): Promise<OpenSpool> {
    if (this.spool) return this.spool;
    if (this.spoolBroken) await this.rewriteSpool();
    await mkdir(path.dirname(this.spoolFile), { recursive: true });
    const handle = await open(this.spoolFile, 'a');
    try {
      await syncDir(path.dirname(this.spoolFile)); // a new spool's folder entry must be durable before its appends count
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    const sync = this.options.sync;
    const unsynced: OpenSpool['unsynced'] = [];
    const group: GroupCommit = new GroupCommit(
      handle,
      (h) => (this.syncs++, (sync ?? fdatasync)(h)),
      () => this.onSyncFailure(spool),
    );
    const spool: OpenSpool = { handle, group, unsynced };
    this.spool = spool;
    return spool;
  }

  /** A failed commit (write or sync): the events it should have covered were never acknowledged, so they are no longer pending. */
  private onSyncFailure(spool: OpenSpool): void {
    const lost = new Set(spool.unsynced.filter((w) => !spool.group.isDurable(w.seq)).flatMap((w) => w.ids));
    this.pending = this.pending.filter((i) => !lost.has(i.id));
    this.dropSpool(spool);
  }

  /** Forgets the append handle; the next append rewrites the spool from the pending events first. */
  private dropSpool(spool: OpenSpool): void {
    if (this.spool !== spool) return;
    this.spool = undefined;
    this.spoolBroken = true;
    // Writes already noted keep their sync (or hear of its failure); the handle closes after it.
    void spool.group
      .durable()
      .catch(() => undefined)
      .finally(() => spool.handle.close().catch(() => undefined));
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
