/**
 * Daily compaction of the lake: every closed day of a table becomes one de-duplicated file (or a few, of a bounded
 * row count), so Athena reads one object where the writers left hundreds (docs/cost.md). The de-duplicating views
 * keep the latest copy of a record (`ORDER BY ingested_at DESC`, lambdas/core/schema/derive.ts); the compaction
 * keeps the same row, with its record_id and ingested_at, so every query reads the same records before and after.
 *
 * Safe at every step: the new files are written before any source is deleted, and a compacted file beside its
 * sources only adds copies the views remove. Only the files listed and read are deleted; a file that arrives after
 * the listing (a poller re-reading yesterday) stays and is compacted by a later run. A rerun after a crash lists the
 * earlier run's output among the sources and folds it in.
 */
import { hash } from 'node:crypto';
import { StorageError } from '../errors.ts';
import type { ObjectStore } from '../ports.ts';
import { getTable, tablePrefix } from '../schema/registry.ts';
import type { Row, TableDef } from '../schema/types.ts';
import { dtOf } from './instants.ts';
import { encodeParquet } from './parquet/encode.ts';
import { readRecordIds, readRows, schemaProblem } from './parquet/read.ts';
import { rowProblems } from './records.ts';
import { lakeObjectKey } from './writer.ts';

/** The writer id naming compacted files: `compacted-<generation>-<part>.parquet`. */
export const COMPACTED_WRITER = 'compacted';

/** Bounds on one table-day's compaction. */
export interface CompactionLimits {
  /** Records per output file; a day with more is split into several files. */
  readonly maxRowsPerFile: number;
  /** Source bytes kept in memory between the two passes; files beyond it are read again (one more GET each). */
  readonly maxCachedBytes: number;
}

/** Defaults: files Athena reads in a few row groups, and memory well inside a 1 GB function. */
export const DEFAULT_COMPACTION_LIMITS: CompactionLimits = { maxRowsPerFile: 250_000, maxCachedBytes: 256 * 1024 * 1024 };

/** What compacting one table's day did. */
export interface TableDayCompaction {
  readonly table: string;
  readonly dt: string;
  /** compacted: files written and sources deleted; already_compact: one file, or one compaction's files only; empty: no file. */
  readonly outcome: 'compacted' | 'already_compact' | 'empty';
  /** Files listed and read (and deleted when compacted). */
  readonly sourceFiles: number;
  /** Rows in those files, copies included. */
  readonly rowsRead: number;
  /** Rows written: one per record. */
  readonly rowsWritten: number;
  /** Keys of the files written. */
  readonly written: readonly string[];
  /** Object reads (a source read again after the cache filled counts twice). */
  readonly gets: number;
  readonly bytesRead: number;
  readonly bytesWritten: number;
}

/** A compacted file's generation (the hash of the sources it replaced), or undefined for any other file. */
function generationOf(key: string): string | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1);
  return /^compacted-([0-9a-f]{16})-\d{4}\.parquet$/.exec(name)?.[1];
}

/** The Parquet files directly in a table's day partition, sorted. */
export async function listDayFiles(store: ObjectStore, def: TableDef, dt: string): Promise<string[]> {
  const prefix = `${tablePrefix(def)}/dt=${dt}/`;
  return (await store.list(prefix)).filter((k) => k.endsWith('.parquet') && !k.slice(prefix.length).includes('/'));
}

/** A day that needs nothing: no file, one file, or the files of one earlier compaction and nothing else. */
function alreadyCompact(keys: readonly string[]): boolean {
  if (keys.length <= 1) return true;
  const generations = new Set(keys.map(generationOf));
  return generations.size === 1 && !generations.has(undefined);
}

/** Where a record's kept copy is: the source file and the row in it. */
interface Copy {
  file: number;
  row: number;
  ingestedAt: number;
}

/**
 * Compacts one table's day `dt` (yyyy-MM-dd): lists its files, keeps each record's latest copy (the one the view
 * keeps; of copies ingested in the same millisecond, the later file's), writes them in files of at most
 * `limits.maxRowsPerFile` rows, then deletes exactly the files it listed. Throws, having deleted nothing, when a
 * listed file vanished or does not fit the table (naming it); the output already written is then harmless.
 */
export async function compactTableDay(
  store: ObjectStore,
  table: string,
  dt: string,
  limits: CompactionLimits = DEFAULT_COMPACTION_LIMITS,
): Promise<TableDayCompaction> {
  const def = getTable(table);
  if (!Number.isSafeInteger(limits.maxRowsPerFile) || limits.maxRowsPerFile < 1) throw new RangeError('maxRowsPerFile must be a positive integer');
  const keys = await listDayFiles(store, def, dt);
  const stats = { gets: 0, bytesRead: 0, bytesWritten: 0, rowsRead: 0 };
  const result = (outcome: TableDayCompaction['outcome'], written: string[] = [], rowsWritten = 0): TableDayCompaction => ({
    table,
    dt,
    outcome,
    sourceFiles: outcome === 'compacted' ? keys.length : 0,
    rowsRead: stats.rowsRead,
    rowsWritten,
    written,
    gets: stats.gets,
    bytesRead: stats.bytesRead,
    bytesWritten: stats.bytesWritten,
  });
  if (keys.length === 0) return result('empty');
  if (alreadyCompact(keys)) return result('already_compact');

  const read = async (key: string): Promise<Uint8Array> => {
    const bytes = await store.get(key);
    stats.gets++;
    if (bytes === undefined) {
      throw new StorageError(`${key} vanished after the listing (another compaction running?); nothing was deleted, the next run retries`, true);
    }
    stats.bytesRead += bytes.byteLength;
    return bytes;
  };
  const refuse = (key: string, problem: string): never => {
    throw new StorageError(`cannot compact ${key}: ${problem}; the day is left as it is`, false);
  };

  // Pass 1: which copy of each record to keep, from the record_id and ingested_at columns alone.
  const kept = new Map<string, Copy>();
  const cache: (Uint8Array | undefined)[] = [];
  let cached = 0;
  for (let file = 0; file < keys.length; file++) {
    const key = keys[file]!;
    const bytes = await read(key);
    let ids: Awaited<ReturnType<typeof readRecordIds>>;
    try {
      const problem = schemaProblem(def, bytes);
      if (problem) refuse(key, problem);
      ids = await readRecordIds(bytes);
    } catch (error) {
      if (error instanceof StorageError) throw error;
      return refuse(key, `not a readable lake file (${error instanceof Error ? error.message : String(error)})`);
    }
    stats.rowsRead += ids.recordIds.length;
    for (let row = 0; row < ids.recordIds.length; row++) {
      const id = ids.recordIds[row]!;
      const ingestedAt = ids.ingestedAt[row]!;
      const prior = kept.get(id);
      if (prior === undefined || ingestedAt >= prior.ingestedAt) kept.set(id, { file, row, ingestedAt });
    }
    if (cached + bytes.byteLength <= limits.maxCachedBytes) {
      cache[file] = bytes;
      cached += bytes.byteLength;
    }
  }
  const rowsOf: number[][] = keys.map(() => []);
  for (const copy of kept.values()) rowsOf[copy.file]!.push(copy.row);

  // Pass 2: the kept rows in file order, a part file written whenever maxRowsPerFile rows are gathered.
  const generation = hash('sha256', JSON.stringify(keys), 'hex').slice(0, 16);
  const written: string[] = [];
  let part: { rows: Row[]; recordIds: string[]; ingestedAt: number[] } = { rows: [], recordIds: [], ingestedAt: [] };
  const writePart = async () => {
    const key = lakeObjectKey(table, dt, COMPACTED_WRITER, `${generation}-${String(written.length).padStart(4, '0')}`);
    const body = encodeParquet(def, part.rows, `zoomlake ${COMPACTED_WRITER}`, {}, { record_id: part.recordIds, ingested_at: part.ingestedAt });
    await store.put(key, body, { contentType: 'application/vnd.apache.parquet' });
    stats.bytesWritten += body.byteLength;
    written.push(key);
    part = { rows: [], recordIds: [], ingestedAt: [] };
  };
  let rowsWritten = 0;
  for (let file = 0; file < keys.length; file++) {
    const wanted = rowsOf[file]!.sort((a, b) => a - b);
    if (wanted.length === 0) continue;
    const key = keys[file]!;
    const bytes = cache[file] ?? (await read(key));
    cache[file] = undefined;
    const rows = await readRows(def, bytes);
    for (const r of wanted) {
      const { record_id: id, ingested_at: at, ...row } = rows[r]!;
      const problems = rowProblems(def, row);
      if (problems.length > 0) refuse(key, problems[0]!);
      if (typeof id !== 'string' || typeof at !== 'number' || dtOf(row[def.eventTime] as number) !== dt) {
        refuse(key, `row ${r} does not belong to ${def.name} dt=${dt}`);
      }
      part.rows.push(row);
      part.recordIds.push(id as string);
      part.ingestedAt.push(at as number);
      rowsWritten++;
      if (part.rows.length >= limits.maxRowsPerFile) await writePart();
    }
  }
  if (part.rows.length > 0) await writePart();

  // Only now, with every record in the new files, the sources go: exactly those listed, never a later arrival.
  for (const key of keys) await store.delete(key);
  return result('compacted', written, rowsWritten);
}

/** The closed days a run compacts at `nowMs`: yesterday (UTC) and the `lookbackDays` days before it, newest first. */
export function compactionDays(nowMs: number, lookbackDays: number): string[] {
  if (!Number.isSafeInteger(lookbackDays) || lookbackDays < 0) throw new RangeError('lookbackDays must be a whole number >= 0');
  const today = Math.floor(nowMs / 86_400_000);
  return Array.from({ length: lookbackDays + 1 }, (_, i) => dtOf((today - 1 - i) * 86_400_000));
}

/** One table-day that could not be compacted, and why. */
export interface CompactionFailure {
  readonly table: string;
  readonly dt: string;
  readonly error: string;
  readonly retryable: boolean;
}

/** What one compaction run did: every table-day tried, the failures apart. */
export interface CompactionRun {
  readonly days: readonly TableDayCompaction[];
  readonly failures: readonly CompactionFailure[];
}

/**
 * Compacts each of `tables` for each of `days`, one table-day at a time (memory holds one day of one table); a
 * table-day that fails is reported and the others still run.
 */
export async function compactLake(
  store: ObjectStore,
  tables: readonly string[],
  days: readonly string[],
  limits: CompactionLimits = DEFAULT_COMPACTION_LIMITS,
  onDay?: (day: TableDayCompaction) => void,
): Promise<CompactionRun> {
  const done: TableDayCompaction[] = [];
  const failures: CompactionFailure[] = [];
  for (const dt of days) {
    for (const table of tables) {
      try {
        const day = await compactTableDay(store, table, dt, limits);
        done.push(day);
        onDay?.(day);
      } catch (error) {
        const retryable = error instanceof StorageError ? error.retryable : false;
        failures.push({ table, dt, error: error instanceof Error ? error.message : String(error), retryable });
      }
    }
  }
  return { days: done, failures };
}

/** A run's totals, for its log line or summary: table-days tried, compacted, left alone and failed, files in and out. */
export function compactionSummary(run: CompactionRun): {
  tableDays: number;
  compacted: number;
  unchanged: number;
  failed: number;
  filesRead: number;
  filesWritten: number;
} {
  const compacted = run.days.filter((d) => d.outcome === 'compacted');
  return {
    tableDays: run.days.length + run.failures.length,
    compacted: compacted.length,
    unchanged: run.days.length - compacted.length,
    failed: run.failures.length,
    filesRead: compacted.reduce((n, d) => n + d.sourceFiles, 0),
    filesWritten: compacted.reduce((n, d) => n + d.written.length, 0),
  };
}
