import { compactionDays, compactionSummary, compactLake, type CompactionRun, type TableDayCompaction } from '#core/lake/compaction.ts';
import { daysFromTo } from '#core/lake/instants.ts';
import { TABLES } from '#core/schema/tables.ts';
import type { LocalRuntime } from '../pipeline/runtime.ts';
import { printable } from '../terminal/escape.ts';
import { UsageError } from './errors.ts';

/** Most days one `zoomlake compact --from --to` takes (a year and a bit). */
const MAX_DAYS = 400;

/**
 * The days a compaction pass takes: `--from`/`--to` (both or neither; closed days only), else yesterday and
 * `compaction.lookbackDays` days before it, as the AWS schedule does.
 */
export function compactDays(rt: LocalRuntime, from: string | undefined, to: string | undefined): string[] {
  if (from === undefined && to === undefined) return compactionDays(rt.clock.now(), rt.config.compaction.lookbackDays);
  if (from === undefined || to === undefined) throw new UsageError('--from and --to go together');
  for (const day of [from, to]) if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new UsageError(`dates are YYYY-MM-DD, got "${day}"`);
  let days: string[];
  try {
    days = daysFromTo(from, to);
  } catch {
    throw new UsageError(`--from ${from} --to ${to} is not a range of real days`);
  }
  if (days.length === 0) throw new UsageError('--from must not be after --to');
  if (days.length > MAX_DAYS) throw new UsageError(`at most ${MAX_DAYS} days at a time, got ${days.length}`);
  const yesterday = compactionDays(rt.clock.now(), 0)[0]!;
  if (to > yesterday) throw new UsageError(`only closed days are compacted: --to must be ${yesterday} or earlier`);
  return days;
}

/** Compacts every lake table of the local lake for `days`; `onDay` hears each table-day compacted. */
export function compactPass(rt: LocalRuntime, days: readonly string[], onDay?: (day: TableDayCompaction) => void): Promise<CompactionRun> {
  return compactLake(
    rt.store,
    TABLES.map((t) => t.name),
    days,
    undefined,
    onDay,
  );
}

/** One line for a table-day compacted. */
export function compactLine(d: TableDayCompaction): string {
  return `${d.table} dt=${d.dt}: ${d.sourceFiles} files, ${d.rowsRead} rows -> ${d.written.length} file${d.written.length === 1 ? '' : 's'}, ${d.rowsWritten} records`;
}

/** The pass's summary line. */
export function compactSummary(run: CompactionRun, days: readonly string[]): string {
  const { compacted, unchanged, failed, filesRead, filesWritten } = compactionSummary(run);
  const span = days.length === 1 ? days[0] : `${days.at(-1)} to ${days[0]}`;
  return `${span}: ${compacted} table-days compacted (${filesRead} files into ${filesWritten}), ${unchanged} already compact or empty, ${failed} failed`;
}

/** `zoomlake compact`: one pass over the local lake, a line per table-day, exit 1 when any failed. */
export async function compact(
  rt: LocalRuntime,
  out: (text: string) => void,
  err: (text: string) => void,
  claim: () => Promise<void>,
  from: string | undefined,
  to: string | undefined,
): Promise<number> {
  const days = compactDays(rt, from, to);
  await claim();
  const run = await compactPass(rt, days, (d) => {
    if (d.outcome === 'compacted') out(`zoomlake compact: ${compactLine(d)}\n`);
  });
  out(`zoomlake compact: ${compactSummary(run, days)}\n`);
  for (const f of run.failures) err(`zoomlake compact: ${f.table} dt=${f.dt} not compacted: ${printable(f.error)}\n`);
  return run.failures.length > 0 ? 1 : 0;
}
