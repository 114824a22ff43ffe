import type { FileHandle } from 'node:fs/promises';

/** How an open file is made durable: fdatasync by default (data and size; the other metadata is not needed to read it back). A port so tests can hold or fail it. */
export type SyncFile = (handle: FileHandle) => Promise<void>;

/** fdatasync(2). */
export const fdatasync: SyncFile = (handle) => handle.datasync();

/**
 * Group commit for one append-only file opened for appends: writers `append()` their text (kept in memory, in call
 * order) and await `durable()`. One commit writes everything appended since the last one in one write, fdatasyncs
 * it, and resolves all its waiters together; text appended while a commit runs waits for the next one. Nothing is
 * acknowledged before the sync that covers it resolved.
 *
 * A failed write or sync fails every waiter it covered and every later call: after a failed fsync the kernel may
 * have dropped the dirty pages, so a retry that "succeeds" proves nothing, and a failed write may have left part of
 * its text. The owner drops this object (and its handle) in `onFailure`, which runs before any waiter hears of the
 * failure, and rebuilds the file from what it knows is good.
 */
export class GroupCommit {
  private buffer: string[] = [];
  private appended = 0;
  private committed = 0;
  private next: Promise<void> | undefined;
  private running: Promise<void> | undefined;
  private failure: Error | undefined;
  /** Syncs started so far. */
  syncs = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly sync: SyncFile = fdatasync,
    private readonly onFailure: (error: Error) => void = () => undefined,
  ) {}

  /** Queues `text` for the next commit; returns its sequence number, for `durable()`. */
  append(text: string): number {
    if (this.failure) throw this.failure;
    this.buffer.push(text);
    return ++this.appended;
  }

  /** Whether append `seq` (default: every append so far) is durable already. */
  isDurable(seq = this.appended): boolean {
    return this.committed >= seq;
  }

  /**
   * Resolves once append `seq` (default: every append so far) is written and synced; rejects with the error of the
   * commit that had to cover it, or of an earlier one that failed.
   */
  durable(seq = this.appended): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.committed >= seq) return Promise.resolve();
    if (this.next === undefined) {
      const next: Promise<void> = this.commitAfterCurrent(() => next);
      this.next = next;
    }
    return this.next;
  }

  /**
   * Commits once the running commit (if any) ended. `self` is the promise this returns: later appends join it until it
   * takes the buffer, and only what it took counts as covered.
   */
  private async commitAfterCurrent(self: () => Promise<void>): Promise<void> {
    // Always yields first, so the caller has stored `self` as `next` before it is cleared below.
    await this.running?.catch(() => undefined);
    if (this.next === self()) this.next = undefined;
    if (this.failure) throw this.failure;
    const text = this.buffer.join('');
    this.buffer = [];
    const upTo = this.appended;
    this.syncs++;
    const run = (async () => {
      await this.handle.appendFile(text, 'utf8');
      await this.sync(this.handle);
    })();
    this.running = run;
    try {
      await run;
      this.committed = Math.max(this.committed, upTo);
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
      this.onFailure(this.failure);
      throw this.failure;
    } finally {
      if (this.running === run) this.running = undefined;
    }
  }
}
