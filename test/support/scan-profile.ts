/**
 * The partitions a query reads, from DuckDB's JSON profile: each Parquet scan names the files it read after partition
 * pruning, and a file's `dt=` folder is its day. Used by the partition-reads test (every scheduled detection reads only
 * the days its lookback and history allow) and by the bench (bench/cost/scans.ts, bench/detections.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dtOf } from '#core/lake/instants.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import type { QueryEngine, QueryResult } from '#core/ports.ts';
import { TABLES } from '#core/schema/tables.ts';
import type { CellValue } from '#core/schema/types.ts';
import { readReachMs, type ScheduledDetection } from '#core/detect/detection.ts';
import type { DuckDbQueryEngine } from '#local/adapters/duckdb-query-engine.ts';
import { FsObjectStore } from '#local/adapters/fs-object-store.ts';
import { sampleRow } from './sample-rows.ts';

const DAY_MS = 86_400_000;

/** One Parquet scan of one query: its table, the files (one a day in these lakes) it read, and the rows it scanned. */
export interface ProfiledScan {
  readonly table: string;
  /** Files read after partition pruning. */
  readonly files: number;
  /** The `dt` of each file read, each once, sorted; undefined when DuckDB names a pattern (`dt=*`) or elides the list. */
  readonly days: readonly string[] | undefined;
  readonly rows: number;
}

interface ProfileNode {
  readonly operator_name?: string;
  readonly operator_rows_scanned?: number;
  readonly extra_info?: Record<string, unknown>;
  readonly children?: readonly ProfileNode[];
}

/** The Parquet scans of a DuckDB JSON profile that read at least one lake file. */
export function profiledScans(node: ProfileNode, out: ProfiledScan[] = []): ProfiledScan[] {
  if (node.operator_name === 'READ_PARQUET') {
    const info = node.extra_info ?? {};
    const names = String(info['Filename(s)'] ?? '');
    const table = /\/zoom\/([a-z0-9_]+)\/dt=/.exec(names)?.[1];
    const files = Number(info['Total Files Read'] ?? String(info['Scanning Files'] ?? '0/0').split('/')[0]);
    const listed = !names.includes('*') && !names.includes('...');
    const days = listed ? [...new Set([...names.matchAll(/\/dt=(\d{4}-\d{2}-\d{2})\//g)].map((m) => m[1]!))].sort() : undefined;
    if (table !== undefined && files > 0) out.push({ table, files, days, rows: node.operator_rows_scanned ?? 0 });
  }
  for (const c of node.children ?? []) profiledScans(c, out);
  return out;
}

/** A query engine recording the scans of every query it runs (DuckDB profiling to a file). */
export class ProfilingEngine implements QueryEngine {
  /** The scans of each query run, in order, with the label it ran under. */
  readonly queries: { readonly label: string; readonly scans: readonly ProfiledScan[] }[] = [];
  private label = '';

  private constructor(
    private readonly engine: DuckDbQueryEngine,
    private readonly profile: string,
  ) {}

  /** Turns profiling on for `engine`, writing each profile to a file in `dir`. */
  static async over(engine: DuckDbQueryEngine, dir: string): Promise<ProfilingEngine> {
    const profile = join(dir, 'profile.txt');
    // The output file first: enabling profiling without one prints every profile to stdout. DuckDB accepts an output
    // file before the JSON format only when its name ends in .txt; the content is JSON all the same.
    await engine.query(`PRAGMA profiling_output='${profile}'`);
    await engine.query("PRAGMA enable_profiling='json'");
    return new ProfilingEngine(engine, profile);
  }

  /** Labels the queries run from now on (a detection id, a correlation step). */
  as(label: string): this {
    this.label = label;
    return this;
  }

  async query(sql: string, params?: readonly (string | number | boolean)[]): Promise<QueryResult> {
    const result = await this.engine.query(sql, params);
    this.queries.push({ label: this.label, scans: profiledScans(JSON.parse(readFileSync(this.profile, 'utf8')) as ProfileNode) });
    return result;
  }

  /** The scans of the last query run. */
  last(): readonly ProfiledScan[] {
    return this.queries.at(-1)?.scans ?? [];
  }
}

/** A row to add to a day lake: the table's sample row with these columns over it, written with the rows of its day. */
export interface ExtraRow {
  readonly table: string;
  readonly row: Record<string, CellValue>;
}

/**
 * Writes a lake of every table, `rowsPerDay` rows (one file) a day at noon, for the `days` days before `endMs`, and
 * the `extra` rows in the files of their days (so each table still has one file a day).
 */
export async function writeDayLake(lakeDir: string, endMs: number, days: number, rowsPerDay = 3, extra: readonly ExtraRow[] = []): Promise<void> {
  const writer = new LakeWriter({
    store: new FsObjectStore(lakeDir),
    clock: { now: () => endMs },
    newId: (() => {
      let n = 0;
      return () => `s${n++}`;
    })(),
    writerId: 'scan',
  });
  for (let d = days; d >= 1; d--) {
    const noon = endMs - d * DAY_MS + DAY_MS / 2;
    for (const def of TABLES) {
      for (let i = 0; i < rowsPerDay; i++) {
        const added = writer.add(def.name, { ...sampleRow(def, i), [def.eventTime]: noon + i * 60_000 });
        if (!added.ok) throw new Error(`day lake row for ${def.name}: ${added.problems.join('; ')}`);
      }
      for (const x of extra.filter((e) => e.table === def.name && dtOf(Number(e.row[def.eventTime])) === dtOf(noon))) {
        const added = writer.add(def.name, { ...sampleRow(def, 0), ...x.row });
        if (!added.ok) throw new Error(`extra row for ${def.name}: ${added.problems.join('; ')}`);
      }
    }
    await writer.flush();
  }
}

/** The day partitions a run of `d` ending at `nowMs` may read of `table`: its history, else its lookback, through today. */
export function allowedDays(d: Pick<ScheduledDetection, 'lookback' | 'history'>, table: string, nowMs: number): { from: string; to: string } {
  return { from: dtOf(nowMs - readReachMs(d, table)), to: dtOf(nowMs) };
}

/** The UTC days from `from` through `to` (both `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) out.push(dtOf(t));
  return out;
}

/**
 * What a scan read outside the days the detection's window and history allow, in a lake of one file per table and
 * day over `lakeDays`: each day read outside them, or, when DuckDB does not list the files, how many more days it
 * read than they allow.
 */
export function readsOutside(
  d: Pick<ScheduledDetection, 'lookback' | 'history'>,
  scan: ProfiledScan,
  nowMs: number,
  lakeDays: ReadonlySet<string>,
): string[] {
  const { from, to } = allowedDays(d, scan.table, nowMs);
  const allowed = daysBetween(from, to).filter((day) => lakeDays.has(day)).length;
  if (scan.days !== undefined) return scan.days.filter((day) => day < from || day > to).map((day) => `${scan.table} dt=${day}`);
  return scan.files > allowed ? [`${scan.table}: ${scan.files} days read, ${allowed} allowed (${from} to ${to})`] : [];
}
