import type { FileHandle } from 'node:fs/promises';

/** Makes what was written to a file so far durable; a port so tests can hold or fail it. */
export type FileSync = () => Promise<void>;

/** How an open file is made durable: fdatasync by default (data and size; the other metadata is not needed to read it back). */
export type SyncFile = (handle: FileHandle) => Promise<void>;

/** fdatasync(2). */
export const fdatasync: SyncFile = (handle) => handle.datasync();

/**
 * Group commit for one append-only file: writers append, note the write, and await `durable()`; one sync covers every
 * write noted before it started, and resolves all their waiters together. A sync that is running when a write is
 * noted may have started before that write reached the file, so that write waits for the next one.
 *
 * A failed sync fails every waiter it covered and every later call: after a failed fsync the kernel may have dropped
 * the dirty pages, so a retry that "succeeds" proves nothing. The owner drops this object (and its file handle) in
 * `onFailure`, which runs before any waiter hears of the failure, and rebuilds the file from what it knows is good.
 */
export class GroupSync {
  private written = 0;
  private synced = 0;
  private next: Promise<void> | undefined;
  private running: Promise<void> | undefined;
  private failure: Error | undefined;
  /** Syncs started so far (the bench reports syncs per event). */
  syncs = 0;

  constructor(
    private readonly sync: FileSync,
    private readonly onFailure: (error: Error) => void = () => undefined,
  ) {}

  /** Notes a write that reached the file (the write call resolved); returns its sequence number. */
  noteWrite(): number {
    return ++this.written;
  }

  /** Whether write `seq` (default: every write noted so far) is durable already. */
  isDurable(seq = this.written): boolean {
    return this.synced >= seq;
  }

  /**
   * Resolves once write `seq` (default: every write noted so far) is durable; rejects with the sync's error when the
   * sync that had to cover it failed, or when an earlier one did.
   */
  durable(seq = this.written): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.synced >= seq) return Promise.resolve();
    this.next ??= this.schedule();
    return this.next;
  }

  private async schedule(): Promise<void> {
    // A sync already running may have started before the writes now waiting: they need one that starts after it.
    if (this.running) await this.running.catch(() => undefined);
    if (this.failure) throw this.failure;
    this.next = undefined;
    const upTo = this.written;
    this.syncs++;
    const run = this.sync();
    this.running = run;
    try {
      await run;
      this.synced = Math.max(this.synced, upTo);
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
      this.onFailure(this.failure);
      throw this.failure;
    } finally {
      if (this.running === run) this.running = undefined;
    }
  }
}
