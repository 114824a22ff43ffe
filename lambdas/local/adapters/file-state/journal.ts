import { open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { StorageError } from '#core/errors.ts';
import type { Clock, StateItem } from '#core/ports.ts';
import { replaceFileDurably, syncDir } from '../durable-file.ts';
import { errnoCode } from '../errno.ts';
import { fdatasync, GroupCommit, type SyncFile } from '../group-commit.ts';
import { isLive, normalise } from './item.ts';

/*
 * A state file on disk: `<file>` is a snapshot (`{"version":1,"items":[...]}`, replaced whole and durably), and
 * `<file>.journal` holds one JSON line per write since that snapshot, appended and fdatasynced before the write
 * resolves (no rename). Writes of concurrent callers share one write and one fdatasync (GroupCommit): each queues
 * its line and waits for the commit that takes it. Opening reads the snapshot and replays the journal; a torn last line (a crash
 * mid-append; that write was never acknowledged) is ignored and cut off, any other bad line stops the store rather
 * than lose what follows it. Journal lines are whole items, so replaying them over a newer snapshot after a crash
 * between writing the snapshot and truncating the journal changes nothing.
 */

const FORMAT_VERSION = 1;
/** The journal is folded into the snapshot once it outgrows both this and twice the snapshot: amortised O(1) per write. */
const MIN_COMPACT_BYTES = 1024 * 1024;

interface StoredFile {
  readonly version: number;
  readonly items: StateItem[];
}

/** One journal line: an item written whole (put, or the result of an add), or an item removed. */
export type JournalEntry = { readonly put: StateItem } | { readonly del: readonly [string, string] };

/** Items by partition key, then sort key. */
export type Items = Map<string, Map<string, StateItem>>;

/** A state file open in this process: its items, its journal handle and group commit, and the sizes that decide compaction. */
export interface OpenFile {
  readonly items: Items;
  readonly journal: FileHandle;
  /** The journal's group commit: a write is durable once `group.durable(seq)` resolved. */
  readonly group: GroupCommit;
  /**
   * Per partition key, the last journal write to it not yet known durable: the items in memory already hold it, so
   * a call that read or wrote that partition answers only once that write is durable.
   */
  readonly dirty: Map<string, number>;
  journalBytes: number;
  snapshotBytes: number;
}

const journalFileOf = (file: string) => `${file}.journal`;

/**
 * Reads the snapshot, replays the journal (cutting a torn last line off) and opens the journal for appends. `onSyncFailure`
 * runs when a journal sync fails, before any waiting write hears of it: the items in memory then hold writes that may
 * not be on disk, so the owner must stop using this OpenFile.
 */
export async function openStateFile(
  file: string,
  sync: SyncFile = fdatasync,
  onSyncFailure: (open: OpenFile) => void = () => undefined,
): Promise<OpenFile> {
  const { items, snapshotBytes } = await readSnapshot(file);
  const journalFile = journalFileOf(file);
  const { goodBytes, totalBytes } = await replayJournal(journalFile, items);
  const journal = await open(journalFile, 'a').catch((err: unknown) => {
    throw new StorageError(`could not open state journal ${journalFile}: ${errnoCode(err)}`, false, { cause: err });
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
    throw new StorageError(`could not repair state journal ${journalFile}: ${errnoCode(err)}`, false, { cause: err });
  }
  const opened: OpenFile = {
    items,
    journal,
    group: new GroupCommit(journal, sync, () => onSyncFailure(opened)),
    dirty: new Map(),
    journalBytes: goodBytes,
    snapshotBytes,
  };
  return opened;
}

/** Whether the journal has outgrown max(1 MiB, 2 x snapshot) and should be folded into a new snapshot. */
export function journalOutgrown(open: OpenFile): boolean {
  return open.journalBytes > Math.max(MIN_COMPACT_BYTES, 2 * open.snapshotBytes);
}

/**
 * Queues `entry` for the journal's next commit: the caller applies it to the items at once, and answers once
 * `open.group.durable()` of the partition's dirty sequence number resolved.
 */
export function appendEntry(open: OpenFile, entry: JournalEntry): void {
  const line = `${JSON.stringify(entry)}\n`;
  const seq = open.group.append(line);
  open.journalBytes += Buffer.byteLength(line);
  open.dirty.set('put' in entry ? entry.put.pk : entry.del[0], seq);
}

/** Writes `items` as the new snapshot, durably, then empties the journal; every journal write must be durable first. */
export async function writeSnapshot(file: string, open: OpenFile, items: StateItem[]): Promise<void> {
  const body = JSON.stringify({ version: FORMAT_VERSION, items } satisfies StoredFile);
  await replaceFileDurably(file, body);
  await open.journal.truncate(0);
  await open.journal.sync();
  open.journalBytes = 0;
  open.snapshotBytes = Buffer.byteLength(body);
}

/**
 * The live items of a state file as of now, read without its lock or any repair (a torn last journal line is left
 * alone), for read-only commands while another process owns the file. Empty when there is no state file yet.
 */
export async function readStateItems(filePath: string, clock: Clock): Promise<StateItem[]> {
  const file = path.resolve(filePath);
  const { items } = await readSnapshot(file);
  await replayJournal(journalFileOf(file), items);
  const now = clock.now();
  return [...items.values()]
    .flatMap((bySk) => [...bySk.values()])
    .filter((item) => isLive(item, now))
    .map((item) => structuredClone(item));
}

/** Applies one change to the items in memory. */
export function apply(items: Items, entry: JournalEntry): void {
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

/** Reads a whole file, undefined when it does not exist. */
async function readIfExists(file: string, what: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw new StorageError(`could not read ${what} ${file}: ${errnoCode(err)}`, false, { cause: err });
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

/** normalise() for an item read from disk: a bad one makes the file unusable, said without the item's content. */
function normaliseStored(item: StateItem, file: string): StateItem {
  try {
    return normalise(item);
  } catch (err) {
    throw new StorageError(`${file} holds an invalid state item; fix or remove it`, false, { cause: err });
  }
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
