import path from 'node:path';
import { ConditionFailedError, StorageError } from '#core/errors.ts';
import type { Clock, StateItem, StateStore, WriteCondition } from '#core/ports.ts';
import { checkStateAttrName, checkStateKey, checkStateNumber } from '#core/state/items.ts';
import { errnoCode } from '../errno.ts';
import type { SyncFile } from '../group-commit.ts';
import { isLive, normalise } from './item.ts';
import { appendEntry, apply, journalOutgrown, openStateFile, writeSnapshot, type Items, type JournalEntry, type OpenFile } from './journal.ts';
import { lockStateFile, unlockStateFile } from './lock.ts';

/**
 * An embedded StateStore with DynamoDBStateStore's semantics, durable on every acknowledged write.
 *
 * On disk (journal.ts): a snapshot and a journal of the writes since, appended and fdatasynced before a write
 * resolves; concurrent writes share one write and one fdatasync (group commit). A call answers only once every write
 * it read or made is durable: it runs in the queue against the items in memory, which may hold writes whose commit is
 * still running, and then waits for the commit covering the last write to the partition it touched. `<file>.lock`
 * holds the owning process id (lock.ts). When the journal outgrows max(1 MiB, 2 x snapshot), and on close(), the
 * items are written as a new snapshot (expired ones dropped: the TTL sweep) and the journal truncated. A write that fails may or may not have happened, as with DynamoDB after a timeout.
 *
 * One process per file (lock.ts). All instances on one path in this process share the open file and one queue, so
 * calls run one at a time and concurrent calls are atomic. A failed journal sync fails every call waiting on it; the
 * file is then read back from disk by the next call (what the failed writes left is a write that may or may not have
 * happened, as above).
 */
export class FileStateStore implements StateStore {
  private readonly file: string;

  constructor(
    filePath: string,
    private readonly clock: Clock,
    /** How the journal is made durable (the instance that opens the file decides for all on its path). @default fdatasync */
    private readonly options: { readonly sync?: SyncFile } = {},
  ) {
    this.file = path.resolve(filePath);
  }

  async get(pk: string, sk: string): Promise<StateItem | undefined> {
    checkStateKey(pk, sk);
    return this.serial(pk, async (open) => {
      const item = this.live(open.items, pk, sk);
      return item && structuredClone(item);
    });
  }

  async put(item: StateItem, condition?: WriteCondition): Promise<void> {
    const stored = normalise(item);
    return this.serial(item.pk, async (open) => {
      this.check(open.items, item.pk, item.sk, condition);
      await this.commit(open, { put: stored });
    });
  }

  async add(pk: string, sk: string, attr: string, delta: number, options?: { expiresAt?: number }): Promise<number> {
    checkStateKey(pk, sk);
    checkStateAttrName(attr);
    if (!Number.isSafeInteger(delta)) throw new StorageError(`add to ${attr}: delta must be a safe integer`, false);
    const expiresAt = options?.expiresAt;
    if (expiresAt !== undefined) checkStateNumber('expiresAt', expiresAt);
    return this.serial(pk, async (open) => {
      const live = this.live(open.items, pk, sk);
      const current = live?.attrs[attr];
      if (current !== undefined && typeof current !== 'number') {
        // DynamoDB answers ADD on a non-number with a ValidationException.
        throw new StorageError(`add to ${attr} on ${pk}/${sk} failed: attribute is not a number`, false);
      }
      const value = (current ?? 0) + delta;
      const exp = expiresAt ?? live?.expiresAt;
      await this.commit(open, {
        put: normalise({ pk, sk, attrs: { ...live?.attrs, [attr]: value }, ...(exp === undefined ? {} : { expiresAt: exp }) }),
      });
      return value;
    });
  }

  async query(pk: string, skPrefix = ''): Promise<StateItem[]> {
    if (pk === '') throw new StorageError('state item keys must not be empty', false);
    return this.serial(pk, async (open) =>
      [...(open.items.get(pk)?.values() ?? [])]
        .filter((item) => item.sk.startsWith(skPrefix) && isLive(item, this.clock.now()))
        // DynamoDB orders sort keys by their UTF-8 bytes, which differs from JS string order past U+FFFF.
        .sort((a, b) => Buffer.compare(Buffer.from(a.sk, 'utf8'), Buffer.from(b.sk, 'utf8')))
        .map((item) => structuredClone(item)),
    );
  }

  async delete(pk: string, sk: string, condition?: WriteCondition): Promise<void> {
    checkStateKey(pk, sk);
    return this.serial(pk, async (open) => {
      this.check(open.items, pk, sk, condition);
      if (open.items.get(pk)?.has(sk)) await this.commit(open, { del: [pk, sk] });
    });
  }

  /**
   * Folds the journal into the snapshot, closes the files and releases the lock, after every queued call. The
   * file is opened again by the next call on any instance; closing is optional (every write is durable already).
   */
  async close(): Promise<void> {
    const slot = slotOf(this.file);
    const run = slot.tail.then(async () => {
      const open = slot.open;
      if (!open) return;
      slot.open = undefined;
      try {
        await open.group.durable();
        if (open.journalBytes > 0) await this.compact(open);
      } catch (err) {
        throw writeError(this.file, err);
      } finally {
        await open.journal.close().catch(() => undefined);
        await unlockStateFile(this.file);
      }
    });
    slot.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Runs `op` after every earlier call on this file settled, with the file open; a failed op does not block later
   * ones. The next call starts as soon as `op` has run; this one answers (its value, or its error, such as a failed
   * condition) only once the last write to partition `pk` is durable, which it may have read or made.
   */
  private async serial<T>(pk: string, op: (open: OpenFile) => Promise<T>): Promise<T> {
    const slot = slotOf(this.file);
    const ran = slot.tail.then(async () => {
      const open = (slot.open ??= await this.openFile());
      const outcome = await op(open).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      return { open, outcome, seq: open.dirty.get(pk) };
    });
    slot.tail = ran.catch(() => undefined);
    const { open, outcome, seq } = await ran;
    if (seq !== undefined) {
      try {
        await open.group.durable(seq);
      } catch (err) {
        throw writeError(this.file, err);
      }
      if (open.dirty.get(pk) === seq) open.dirty.delete(pk);
    }
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /**
   * Queues `entry` for the journal, then applies it to the items (the caller answers once it is durable: serial());
   * compacts first, after the journal's writes are durable, when the journal is over its bound.
   */
  private async commit(open: OpenFile, entry: JournalEntry): Promise<void> {
    if (journalOutgrown(open)) {
      await this.guard(open, async () => {
        await open.group.durable();
        await this.compact(open);
      });
    }
    try {
      appendEntry(open, entry); // throws once a commit of this file failed
    } catch (err) {
      throw writeError(this.file, err);
    }
    apply(open.items, entry);
  }

  /** Runs a file write; on failure forgets the open file, so the next call reads back what really reached the disk. */
  private async guard(open: OpenFile, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      const slot = slotOf(this.file);
      if (slot.open === open) slot.open = undefined;
      await open.journal.close().catch(() => undefined);
      throw writeError(this.file, err);
    }
  }

  /** Writes the live items as the new snapshot, then empties the journal; expired items are dropped from memory too. */
  private async compact(open: OpenFile): Promise<void> {
    const live: StateItem[] = [];
    for (const [pk, partition] of open.items) {
      for (const [sk, item] of partition) {
        if (isLive(item, this.clock.now())) live.push(item);
        else partition.delete(sk);
      }
      if (partition.size === 0) open.items.delete(pk);
    }
    await writeSnapshot(this.file, open, live);
  }

  /**
   * Takes the file's lock, then opens it; the lock is given back when opening fails. When a journal sync fails, the
   * file is forgotten at once (before any waiter hears of it), so the next call reads back what reached the disk.
   */
  private async openFile(): Promise<OpenFile> {
    await lockStateFile(this.file);
    try {
      return await openStateFile(this.file, this.options.sync, (failed) => {
        const slot = slotOf(this.file);
        if (slot.open === failed) slot.open = undefined;
        void failed.journal.close().catch(() => undefined);
      });
    } catch (err) {
      await unlockStateFile(this.file);
      throw err;
    }
  }

  private check(items: Items, pk: string, sk: string, condition: WriteCondition | undefined): void {
    if (!condition) return;
    const live = this.live(items, pk, sk);
    if (condition.kind === 'notExists') {
      if (live) throw new ConditionFailedError(pk, sk);
      return;
    }
    checkStateAttrName(condition.name);
    if (!live || live.attrs[condition.name] !== condition.value) throw new ConditionFailedError(pk, sk);
  }

  private live(items: Items, pk: string, sk: string): StateItem | undefined {
    const item = items.get(pk)?.get(sk);
    return item && isLive(item, this.clock.now()) ? item : undefined;
  }
}

/** Per state file in this process: the queue every instance's calls go through, and the file while open. */
interface Slot {
  tail: Promise<unknown>;
  open: OpenFile | undefined;
}

const slots = new Map<string, Slot>();

function slotOf(file: string): Slot {
  let slot = slots.get(file);
  if (!slot) {
    slot = { tail: Promise.resolve(), open: undefined };
    slots.set(file, slot);
  }
  return slot;
}

/** A failed write as a StorageError naming the file and the errno code, never the data. */
function writeError(file: string, err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  const code = errnoCode(err);
  return new StorageError(`could not write state file ${file}: ${code}`, code === 'EMFILE' || code === 'EBUSY' || code === 'EAGAIN', { cause: err });
}
