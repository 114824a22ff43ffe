import { open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ConditionFailedError, StorageError } from '#core/errors.ts';
import type { Clock, StateItem, StateStore, StateValue, WriteCondition } from '#core/ports.ts';
import { replaceFileDurably, syncDir } from '../durable-file.ts';
import { releasePidLock, takePidLock } from '../pid-lock.ts';

/** Attribute names DynamoDB's table uses; item attrs may not shadow them here either. */
const RESERVED = new Set(['pk', 'sk', 'expiresAt']);
/** DynamoDB's limits, kept here so what works locally also works in AWS. */
const MAX_PK_BYTES = 2048;
const MAX_SK_BYTES = 1024;
const MAX_ITEM_BYTES = 400 * 1024;
const FORMAT_VERSION = 1;
/** The journal is folded into the snapshot once it outgrows both this and twice the snapshot: amortised O(1) per write. */
const MIN_COMPACT_BYTES = 1024 * 1024;

interface StoredFile {
  readonly version: number;
  readonly items: StateItem[];
}

/** One journal line: an item written whole (put, or the result of an add), or an item removed. */
type JournalEntry = { readonly put: StateItem } | { readonly del: readonly [string, string] };

/** Items by partition key, then sort key. */
type Items = Map<string, Map<string, StateItem>>;

/** A state file open in this process: its items, its journal handle, and the sizes that decide compaction. */
interface OpenFile {
  readonly items: Items;
  readonly journal: FileHandle;
  journalBytes: number;
  snapshotBytes: number;
}

/**
 * An embedded StateStore with DynamoDBStateStore's semantics, durable on every acknowledged write.
 *
 * On disk: `<file>` is a snapshot (`{"version":1,"items":[...]}`, replaced whole and durably), `<file>.journal` holds
 * one JSON line per write since that snapshot, appended and fdatasynced before the write resolves (no rename, one
 * sync), and `<file>.lock` holds the owning process id. Opening reads the snapshot and replays the journal; a torn
 * last line (a crash mid-append; that write was never acknowledged) is ignored and cut off, any other bad line
 * stops the store rather than lose what follows it. When the journal outgrows max(1 MiB, 2 x snapshot), and on
 * close(), the items are written as a new snapshot (expired ones dropped: the TTL sweep) and the journal truncated;
 * journal lines are whole items, so replaying them over a newer snapshot after a crash between the two steps changes
 * nothing. A write that fails may or may not have happened, as with DynamoDB after a timeout.
 *
 * One process per file. All instances on one path in this process share the open file and one queue, so calls
 * run one at a time and concurrent calls are atomic. A second process is refused with a clear error while the
 * lock's process is alive (best effort: two processes starting at once over a stale lock can still race).
 */
export class FileStateStore implements StateStore {
  private readonly file: string;

  constructor(filePath: string, private readonly clock: Clock) {
    this.file = path.resolve(filePath);
  }

  async get(pk: string, sk: string): Promise<StateItem | undefined> {
    checkKey(pk, sk);
    return this.serial(async (open) => {
      const item = this.live(open.items, pk, sk);
      return item && structuredClone(item);
    });
  }

  async put(item: StateItem, condition?: WriteCondition): Promise<void> {
    const stored = normalise(item);
    return this.serial(async (open) => {
      this.check(open.items, item.pk, item.sk, condition);
      await this.commit(open, { put: stored });
    });
  }

  async add(pk: string, sk: string, attr: string, delta: number, options?: { expiresAt?: number }): Promise<number> {
    checkKey(pk, sk);
    checkAttrName(attr);
    if (!Number.isSafeInteger(delta)) throw new StorageError(`add to ${attr}: delta must be a safe integer`, false);
    const expiresAt = options?.expiresAt;
    if (expiresAt !== undefined) checkNumber('expiresAt', expiresAt);
    return this.serial(async (open) => {
      const live = this.live(open.items, pk, sk);
      const current = live?.attrs[attr];
      if (current !== undefined && typeof current !== 'number') {
        // DynamoDB answers ADD on a non-number with a ValidationException.
        throw new StorageError(`add to ${attr} on ${pk}/${sk} failed: attribute is not a number`, false);
      }
      const value = (current ?? 0) + delta;
      const exp = expiresAt ?? live?.expiresAt;
      await this.commit(open, { put: normalise({ pk, sk, attrs: { ...live?.attrs, [attr]: value }, ...(exp === undefined ? {} : { expiresAt: exp }) }) });
      return value;
    });
  }

  async query(pk: string, skPrefix = ''): Promise<StateItem[]> {
    if (pk === '') throw new StorageError('state item keys must not be empty', false);
    return this.serial(async (open) =>
      [...(open.items.get(pk)?.values() ?? [])]
        .filter((item) => item.sk.startsWith(skPrefix) && this.isLive(item))
        // DynamoDB orders sort keys by their UTF-8 bytes, which differs from JS string order past U+FFFF.
        .sort((a, b) => Buffer.compare(Buffer.from(a.sk, 'utf8'), Buffer.from(b.sk, 'utf8')))
        .map((item) => structuredClone(item)),
    );
  }

  async delete(pk: string, sk: string, condition?: WriteCondition): Promise<void> {
    checkKey(pk, sk);
    return this.serial(async (open) => {
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
        if (open.journalBytes > 0) await this.compact(open);
      } catch (err) {
        throw writeError(this.file, err);
      } finally {
        await open.journal.close().catch(() => undefined);
        await releasePidLock(lockFileOf(this.file));
      }
    });
    slot.tail = run.catch(() => undefined);
    return run;
  }

  /** Runs `op` after every earlier call on this file settled, with the file open; a failed op does not block later ones. */
  private serial<T>(op: (open: OpenFile) => Promise<T>): Promise<T> {
    const slot = slotOf(this.file);
    const run = slot.tail.then(async () => {
      slot.open ??= await this.openFile();
      return op(slot.open);
    });
    slot.tail = run.catch(() => undefined);
    return run;
  }

  /** Appends `entry` to the journal durably, then applies it to the items; compacts first when the journal is over its bound. */
  private async commit(open: OpenFile, entry: JournalEntry): Promise<void> {
    if (open.journalBytes > Math.max(MIN_COMPACT_BYTES, 2 * open.snapshotBytes)) {
      await this.guard(open, () => this.compact(open));
    }
    const line = `${JSON.stringify(entry)}\n`;
    await this.guard(open, async () => {
      await open.journal.appendFile(line, 'utf8');
      await open.journal.datasync();
    });
    open.journalBytes += Buffer.byteLength(line);
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
        if (this.isLive(item)) live.push(item);
        else partition.delete(sk);
      }
      if (partition.size === 0) open.items.delete(pk);
    }
    const body = JSON.stringify({ version: FORMAT_VERSION, items: live } satisfies StoredFile);
    await replaceFileDurably(this.file, body);
    await open.journal.truncate(0);
    await open.journal.sync();
    open.journalBytes = 0;
    open.snapshotBytes = Buffer.byteLength(body);
  }

  private async openFile(): Promise<OpenFile> {
    const lock = lockFileOf(this.file);
    await acquireLock(this.file, lock);
    try {
      const { items, snapshotBytes } = await readSnapshot(this.file);
      const journalFile = journalFileOf(this.file);
      const { goodBytes, totalBytes } = await replayJournal(journalFile, items);
      const journal = await open(journalFile, 'a').catch((err: unknown) => {
        throw new StorageError(`could not open state journal ${journalFile}: ${errorCode(err)}`, false, { cause: err });
      });
      try {
        if (totalBytes === undefined) {
          await syncDir(path.dirname(journalFile)); // a new file's folder entry must be durable before its appends count
        } else if (goodBytes < totalBytes) {
          // Cut the torn line off, or the next append would glue onto it and both lines would be lost.
          await journal.truncate(goodBytes);
          await journal.sync();
        }
      } catch (err) {
        await journal.close().catch(() => undefined);
        throw new StorageError(`could not repair state journal ${journalFile}: ${errorCode(err)}`, false, { cause: err });
      }
      return { items, journal, journalBytes: goodBytes, snapshotBytes };
    } catch (err) {
      await releasePidLock(lock);
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
    checkAttrName(condition.name);
    if (!live || live.attrs[condition.name] !== condition.value) throw new ConditionFailedError(pk, sk);
  }

  private live(items: Items, pk: string, sk: string): StateItem | undefined {
    const item = items.get(pk)?.get(sk);
    return item && this.isLive(item) ? item : undefined;
  }

  private isLive(item: StateItem): boolean {
    return item.expiresAt === undefined || item.expiresAt >= Math.floor(this.clock.now() / 1000);
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

const journalFileOf = (file: string) => `${file}.journal`;
const lockFileOf = (file: string) => `${file}.lock`;

/** Takes the state file's lock, or fails naming the process that holds it. */
async function acquireLock(file: string, lock: string): Promise<void> {
  let result;
  try {
    result = await takePidLock(lock);
  } catch (err) {
    throw new StorageError(`could not lock state file ${file}: ${errorCode(err)}`, errorCode(err) === 'EBUSY', { cause: err });
  }
  if (!result.taken) {
    throw new StorageError(
      `state file ${file} is in use by process ${result.holder.pid}; only one zoomlake process may use a state folder at a time`, false);
  }
}

async function readSnapshot(file: string): Promise<{ items: Items; snapshotBytes: number }> {
  const buf = await readIfExists(file, 'state file');
  if (buf === undefined) return { items: new Map(), snapshotBytes: 0 };
  const text = buf.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // Never start empty over a damaged file: the next compaction would destroy what is left of it.
    throw new StorageError(`state file ${file} is not valid JSON; fix or remove it`, false, { cause: err });
  }
  if (!isStoredFile(parsed)) {
    throw new StorageError(`state file ${file} is not a zoomlake state file (version ${FORMAT_VERSION})`, false);
  }
  const items: Items = new Map();
  for (const item of parsed.items) apply(items, { put: normaliseStored(item, file) });
  return { items, snapshotBytes: buf.length };
}

/** Applies the journal's whole lines to `items`; `goodBytes` is where the last good line ends, `totalBytes` undefined when there is no journal. */
async function replayJournal(journalFile: string, items: Items): Promise<{ goodBytes: number; totalBytes?: number }> {
  const buf = await readIfExists(journalFile, 'state journal');
  if (buf === undefined) return { goodBytes: 0 };
  let start = 0;
  while (start < buf.length) {
    const newline = buf.indexOf(0x0a, start);
    const end = newline === -1 ? buf.length : newline + 1;
    const entry = parseEntry(buf.subarray(start, newline === -1 ? buf.length : newline).toString('utf8'));
    if (entry === undefined) {
      // Only the last line can be torn by a crash; damage before the end is not ours to skip over.
      if (buf.subarray(end).some((byte) => byte !== 0x0a && byte !== 0x00)) {
        throw new StorageError(`state journal ${journalFile} has a damaged line at byte ${start}; fix or remove it`, false);
      }
      return { goodBytes: start, totalBytes: buf.length };
    }
    apply(items, 'put' in entry ? { put: normaliseStored(entry.put, journalFile) } : entry);
    start = end;
  }
  return { goodBytes: start, totalBytes: buf.length };
}

/**
 * The live items of a state file as of now, read without its lock or any repair (a torn last journal line is left
 * alone), for read-only commands while another process owns the file. Empty when there is no state file yet.
 */
export async function readStateItems(filePath: string, clock: Clock): Promise<StateItem[]> {
  const file = path.resolve(filePath);
  const { items } = await readSnapshot(file);
  await replayJournal(journalFileOf(file), items);
  const nowSeconds = Math.floor(clock.now() / 1000);
  return [...items.values()].flatMap((bySk) => [...bySk.values()])
    .filter((item) => item.expiresAt === undefined || item.expiresAt >= nowSeconds)
    .map((item) => structuredClone(item));
}

/** Reads a whole file, undefined when it does not exist. */
async function readIfExists(file: string, what: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw new StorageError(`could not read ${what} ${file}: ${errorCode(err)}`, false, { cause: err });
  }
}

function parseEntry(line: string): JournalEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if ('put' in value) return isStoredItem(value.put) ? { put: value.put } : undefined;
  if ('del' in value && Array.isArray(value.del) && value.del.length === 2 && value.del.every((k) => typeof k === 'string')) {
    return { del: [value.del[0] as string, value.del[1] as string] };
  }
  return undefined;
}

function apply(items: Items, entry: JournalEntry): void {
  if ('put' in entry) {
    let partition = items.get(entry.put.pk);
    if (!partition) {
      partition = new Map();
      items.set(entry.put.pk, partition);
    }
    partition.set(entry.put.sk, entry.put);
    return;
  }
  const [pk, sk] = entry.del;
  const partition = items.get(pk);
  if (partition?.delete(sk) && partition.size === 0) items.delete(pk);
}

/** A failed write as a StorageError naming the file and the errno code, never the data. */
function writeError(file: string, err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  const code = errorCode(err);
  return new StorageError(`could not write state file ${file}: ${code}`, code === 'EMFILE' || code === 'EBUSY' || code === 'EAGAIN', { cause: err });
}

function errorCode(err: unknown): string {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : 'unknown error';
}

function checkKey(pk: string, sk: string): void {
  if (pk === '' || sk === '') throw new StorageError('state item keys must not be empty', false);
  if (Buffer.byteLength(pk) > MAX_PK_BYTES || Buffer.byteLength(sk) > MAX_SK_BYTES) {
    throw new StorageError('state item key too long (pk at most 2048 bytes, sk at most 1024 bytes)', false);
  }
}

function checkAttrName(name: string): void {
  if (name === '' || RESERVED.has(name)) throw new StorageError(`"${name}" cannot be used as a state attribute name`, false);
}

function checkNumber(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new StorageError(`state attribute ${name} must be a finite number`, false);
}

function checkValue(name: string, value: unknown): asserts value is StateValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') return checkNumber(name, value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return;
  throw new StorageError(`state attribute ${name} has an unsupported type`, false);
}

/** normalise() for an item read from disk: a bad one makes the file unusable, said without the item's content. */
function normaliseStored(item: StateItem, file: string): StateItem {
  try {
    return normalise(item);
  } catch (err) {
    throw new StorageError(`${file} holds an invalid state item; fix or remove it`, false, { cause: err });
  }
}

/** Validates an item as DynamoDB would and returns a private copy the caller cannot mutate afterwards. */
function normalise(item: StateItem): StateItem {
  checkKey(item.pk, item.sk);
  const attrs: Record<string, StateValue> = {};
  let size = Buffer.byteLength(item.pk) + Buffer.byteLength(item.sk) + 4;
  for (const [name, value] of Object.entries(item.attrs)) {
    checkAttrName(name);
    checkValue(name, value);
    attrs[name] = Array.isArray(value) ? [...value] : value;
    size += Buffer.byteLength(name) + valueSize(value);
  }
  if (item.expiresAt !== undefined) checkNumber('expiresAt', item.expiresAt);
  if (size > MAX_ITEM_BYTES) throw new StorageError(`state item ${item.pk}/${item.sk} exceeds the 400 KB item limit`, false);
  return item.expiresAt === undefined ? { pk: item.pk, sk: item.sk, attrs } : { pk: item.pk, sk: item.sk, attrs, expiresAt: item.expiresAt };
}

/** DynamoDB's item-size accounting, close enough to reject what AWS would. */
function valueSize(value: StateValue): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return 21;
  if (value === null || typeof value === 'boolean') return 1;
  return 3 + value.reduce((sum, v) => sum + 1 + Buffer.byteLength(v), 0);
}

function isStoredFile(value: unknown): value is StoredFile {
  if (typeof value !== 'object' || value === null || !('version' in value) || !('items' in value)) return false;
  return value.version === FORMAT_VERSION && Array.isArray(value.items) && value.items.every(isStoredItem);
}

function isStoredItem(value: unknown): value is StateItem {
  if (typeof value !== 'object' || value === null) return false;
  if (!('pk' in value) || !('sk' in value) || !('attrs' in value)) return false;
  if (typeof value.pk !== 'string' || typeof value.sk !== 'string' || typeof value.attrs !== 'object' || value.attrs === null) return false;
  return !('expiresAt' in value) || typeof value.expiresAt === 'number';
}
