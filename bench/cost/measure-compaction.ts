/**
 * The daily compaction measured on real lake files: the writer's measured batches (real rows of the generated
 * organisation, as the deployed writer writes them) compacted table-day by table-day by the core compaction over a
 * counting store. The model scales its requests and CPU per row to each table's files and rows a day.
 */
import { compactTableDay, DEFAULT_COMPACTION_LIMITS } from '#core/lake/compaction.ts';
import { LAKE_ROOT } from '#core/schema/registry.ts';
import type { MemoryObjectStore } from '../../test/support/memory-object-store.ts';
import { CountingObjectStore } from './counting.ts';

/** What compacting the measured files took. */
export interface CompactionFigures {
  /** Table-days compacted. */
  readonly tableDays: number;
  readonly filesRead: number;
  readonly rowsRead: number;
  readonly rowsWritten: number;
  /** CPU of the compaction (decode, de-duplicate, encode; in-memory store) per row read, ms. */
  readonly cpuMsPerRowRead: number;
  /** Requests per table-day compacted, and per file read. */
  readonly listsPerTableDay: number;
  readonly getsPerFileRead: number;
  readonly deletesPerFileRead: number;
  readonly putsPerTableDay: number;
}

/** Compacts every table-day of `lake` (the writer's files) and measures it. */
export async function measureCompaction(lake: MemoryObjectStore): Promise<CompactionFigures> {
  const store = new CountingObjectStore(lake);
  const dayPrefixes = new Set((await lake.list(`${LAKE_ROOT}/`)).map((k) => k.split('/').slice(0, 3).join('/')));
  let ms = 0;
  const totals = { tableDays: 0, filesRead: 0, rowsRead: 0, rowsWritten: 0 };
  for (const prefix of [...dayPrefixes].sort()) {
    const [, table, part] = prefix.split('/');
    const t = performance.now();
    const day = await compactTableDay(store, table!, part!.slice('dt='.length), DEFAULT_COMPACTION_LIMITS);
    ms += performance.now() - t;
    if (day.outcome !== 'compacted') continue;
    totals.tableDays++;
    totals.filesRead += day.sourceFiles;
    totals.rowsRead += day.rowsRead;
    totals.rowsWritten += day.rowsWritten;
  }
  if (totals.tableDays === 0) throw new Error("the cost bench's compaction found no day of several files to compact");
  return {
    ...totals,
    cpuMsPerRowRead: ms / totals.rowsRead,
    listsPerTableDay: store.lists / dayPrefixes.size,
    getsPerFileRead: store.gets / totals.filesRead,
    deletesPerFileRead: store.deletes / totals.filesRead,
    putsPerTableDay: store.puts / totals.tableDays,
  };
}
