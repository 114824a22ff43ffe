import { StorageError } from '../errors.ts';
import type { Clock, ObjectStore } from '../ports.ts';
import { getTable, tablePrefix } from '../schema/registry.ts';
import type { Row } from '../schema/types.ts';
import { encodeParquet } from './parquet/encode.ts';
import { identifyRow } from './records.ts';

/** What the lake writer needs from the outside. */
export interface LakeWriterDeps {
  readonly store: ObjectStore;
  readonly clock: Clock;
  /** A fresh unique id per file (a UUID in production). */
  readonly newId: () => string;
  /** Names the writer in file names, e.g. `webhook` or `poller-activities`. */
  readonly writerId: string;
}

/** Outcome of adding one row: its record id and partition, or why it was rejected. */
export type AddResult =
  | { readonly ok: true; readonly recordId: string; readonly dt: string }
  | { readonly ok: false; readonly problems: readonly string[] };

/** One Parquet file the writer put. */
export interface WrittenFile {
  readonly table: string;
  readonly dt: string;
  readonly key: string;
  readonly rows: number;
  readonly bytes: number;
}

/** The object key of a new lake file: `zoom/<table>/dt=<dt>/<writer>-<id>.parquet`. */
export function lakeObjectKey(table: string, dt: string, writerId: string, id: string): string {
  return `${tablePrefix(getTable(table))}/dt=${dt}/${writerId}-${id}.parquet`;
}

/**
 * Buffers rows per (table, dt) and writes each group as one Parquet file. A row that does not fit its table is
 * rejected alone, with reasons; the other rows are still written. A group whose write fails stays buffered, so
 * a later `flush()` retries it and no accepted row is lost.
 */
export class LakeWriter {
  private readonly groups = new Map<string, { table: string; dt: string; rows: Row[]; recordIds: string[]; ingestedAt: number[] }>();

  constructor(private readonly deps: LakeWriterDeps) {}

  /**
   * Validates and buffers one row for `table`. The row is kept as given, not copied (its record id and ingestion
   * time are kept beside it and written with it), so it must not be changed afterwards.
   */
  add(table: string, row: Row): AddResult {
    const def = getTable(table);
    const id = identifyRow(def, row);
    if (!id.ok) return id;
    const { dt, recordId } = id;
    const groupKey = `${table}\u0000${dt}`;
    let group = this.groups.get(groupKey);
    if (!group) {
      group = { table, dt, rows: [], recordIds: [], ingestedAt: [] };
      this.groups.set(groupKey, group);
    }
    group.rows.push(row);
    group.recordIds.push(recordId);
    group.ingestedAt.push(this.deps.clock.now());
    return { ok: true, recordId, dt };
  }

  /** Rows buffered and not yet written. */
  get pendingRows(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.rows.length;
    return n;
  }

  /**
   * Drops every buffered row and returns how many there were: for a caller that hands the rows' items back to a
   * queue after a failed flush, so they are neither held in memory nor written by a later flush.
   */
  discard(): number {
    const n = this.pendingRows;
    this.groups.clear();
    return n;
  }

  /**
   * Writes every buffered group. Resolves with the files written when all succeed; otherwise tries every group,
   * keeps the failed ones buffered and throws a StorageError naming them.
   */
  async flush(): Promise<WrittenFile[]> {
    const written: WrittenFile[] = [];
    const failures: { group: string; error: unknown }[] = [];
    for (const [groupKey, group] of [...this.groups]) {
      const key = lakeObjectKey(group.table, group.dt, this.deps.writerId, this.deps.newId());
      let body: Uint8Array;
      try {
        body = encodeParquet(
          getTable(group.table),
          group.rows,
          `zoomlake ${this.deps.writerId}`,
          {},
          {
            record_id: group.recordIds,
            ingested_at: group.ingestedAt,
          },
        );
        await this.deps.store.put(key, body, { contentType: 'application/vnd.apache.parquet' });
      } catch (error) {
        failures.push({ group: `${group.table}/dt=${group.dt}`, error });
        continue;
      }
      this.groups.delete(groupKey);
      written.push({ table: group.table, dt: group.dt, key, rows: group.rows.length, bytes: body.byteLength });
    }
    if (failures.length > 0) {
      throw new StorageError(`lake write failed for ${failures.map((f) => f.group).join(', ')}; rows stay buffered for a retry`, true, {
        cause: failures[0]!.error,
      });
    }
    return written;
  }
}
