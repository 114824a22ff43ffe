/**
 * What each Athena query of zoomlake reads, measured by running it on DuckDB over a lake of one Parquet file per table
 * and day for 100 days (more than any detection's lookback): DuckDB's profile names, per table scan, the files it read
 * after partition pruning. Days read per scan are scale-free; the model turns them into bytes and GET requests with the
 * files and bytes a day of each table holds at the modelled volume (what Athena reads of the same files: honest only
 * as far as Athena prunes the same partitions, which both engines do from the same `dt` predicates).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ZoomlakeConfig } from '#config/schema.ts';
import type { MeetingEndedInput } from '#core/correlate/contract.ts';
import type { CorrelationSettings } from '#core/correlate/settings.ts';
import { correlate } from '#core/correlate/steps/correlate.ts';
import { exposure } from '#core/correlate/steps/exposure.ts';
import { configViews } from '#core/detect/config-views.ts';
import { detectionParams, type ScheduledDetection } from '#core/detect/detection.ts';
import type { DetectionRegistry } from '#core/detect/registry.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import type { QueryEngine, QueryResult } from '#core/ports.ts';
import { TABLES } from '#core/schema/tables.ts';
import { DuckDbQueryEngine } from '#local/adapters/duckdb-query-engine.ts';
import { FsObjectStore } from '#local/adapters/fs-object-store.ts';
import { sampleRow } from '../../test/support/sample-rows.ts';

const DAY_MS = 86_400_000;
/** Days of the measuring lake: more than any lookback, so a scan of every day is one that prunes nothing. */
export const SCAN_LAKE_DAYS = 100;

/** One table scan of one query: the days (partitions) it read, or every day the table holds. */
export interface Scan {
  readonly table: string;
  readonly days: number;
  /** No partition was pruned: in AWS the scan reads every day the lake keeps. */
  readonly unpruned: boolean;
}

/** One query and its scans. */
export interface QueryScans {
  /** The detection id, or the correlation step (`exposure`, `correlate`) that ran it. */
  readonly query: string;
  readonly scans: readonly Scan[];
}

interface ProfileNode {
  readonly operator_name?: string;
  readonly extra_info?: Record<string, unknown>;
  readonly children?: readonly ProfileNode[];
}

function scansOf(node: ProfileNode, out: Scan[] = []): Scan[] {
  if (node.operator_name === 'READ_PARQUET') {
    const info = node.extra_info ?? {};
    const names = String(info['Filename(s)'] ?? '');
    const table = /\/zoom\/([a-z0-9_]+)\/dt=/.exec(names)?.[1];
    const read = Number(info['Total Files Read'] ?? String(info['Scanning Files'] ?? '0/0').split('/')[0]);
    if (table !== undefined && read > 0) out.push({ table, days: read, unpruned: read >= SCAN_LAKE_DAYS });
  }
  for (const c of node.children ?? []) scansOf(c, out);
  return out;
}

/** A query engine recording the scans of every query it runs (DuckDB profiling to a file). */
class ProfilingEngine implements QueryEngine {
  readonly queries: QueryScans[] = [];
  private label = '';

  constructor(
    private readonly engine: DuckDbQueryEngine,
    private readonly profile: string,
  ) {}

  static async over(engine: DuckDbQueryEngine, dir: string): Promise<ProfilingEngine> {
    const profile = join(dir, 'profile.txt');
    // The output file first: enabling profiling without one prints every profile to stdout (DuckDB wants .txt).
    await engine.query(`PRAGMA profiling_output='${profile}'`);
    await engine.query("PRAGMA enable_profiling='json'");
    return new ProfilingEngine(engine, profile);
  }

  as(label: string): this {
    this.label = label;
    return this;
  }

  async query(sql: string, params?: readonly (string | number | boolean)[]): Promise<QueryResult> {
    const result = await this.engine.query(sql, params);
    this.queries.push({ query: this.label, scans: scansOf(JSON.parse(readFileSync(this.profile, 'utf8')) as ProfileNode) });
    return result;
  }
}

/** Writes the measuring lake: every table, one file a day for SCAN_LAKE_DAYS days before `endMs`. */
async function writeScanLake(lakeDir: string, endMs: number): Promise<void> {
  const writer = new LakeWriter({
    store: new FsObjectStore(lakeDir),
    clock: { now: () => endMs },
    newId: (() => {
      let n = 0;
      return () => `s${n++}`;
    })(),
    writerId: 'scan',
  });
  for (let d = SCAN_LAKE_DAYS; d >= 1; d--) {
    const noon = endMs - d * DAY_MS + DAY_MS / 2;
    for (const def of TABLES) {
      for (let i = 0; i < 3; i++) {
        const added = writer.add(def.name, { ...sampleRow(def, i), [def.eventTime]: noon + i * 60_000 });
        if (!added.ok) throw new Error(`scan lake row for ${def.name}: ${added.problems.join('; ')}`);
      }
    }
    await writer.flush();
  }
}

/** What the scans measured: each scheduled detection's query, and the correlation's queries for one meeting. */
export interface ScanFigures {
  readonly detections: Readonly<Record<string, QueryScans>>;
  /** The correlation's queries (Exposure and Correlate) for one correlated meeting, default config. */
  readonly correlation: readonly QueryScans[];
  /** The same with a data-access source configured (its table is the deployer's, outside the lake). */
  readonly correlationWithDataAccess: readonly QueryScans[];
}

/** Runs every scheduled detection and one correlation on the measuring lake, profiling each query. */
export async function measureScans(
  config: ZoomlakeConfig,
  registry: DetectionRegistry,
  detections: readonly ScheduledDetection[],
): Promise<ScanFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'zoomlake-cost-scans-'));
  const endMs = Date.UTC(2026, 10, 21);
  try {
    await writeScanLake(join(dir, 'lake'), endMs);
    const source = { table: 'data_access', userColumn: 'principal', timeColumn: 'event_time', resourceColumn: 'object_key' };
    const accessView = {
      name: source.table,
      sql: 'SELECT CAST(NULL AS VARCHAR) AS principal, CAST(NULL AS TIMESTAMP) AS event_time, CAST(NULL AS VARCHAR) AS object_key WHERE false',
    };
    const duck = await DuckDbQueryEngine.open({ lakeDir: join(dir, 'lake'), views: [...configViews(config, registry.detections), accessView] });
    try {
      const engine = await ProfilingEngine.over(duck, dir);
      const nowMs = endMs - 3_600_000;
      const out: Record<string, QueryScans> = {};
      for (const d of detections) {
        await engine.as(d.id).query(d.sql, detectionParams(d, nowMs));
        out[d.id] = engine.queries.at(-1)!;
      }
      // A meeting of the lake's rows (sampleRow's third row: no NULLs), its host one of the participants, as usual.
      const meeting: MeetingEndedInput = {
        meeting_uuid: 'meeting_uuid-2-é',
        meeting_id: '81234567890',
        host_id: 'participant_user_id-2-é',
        topic: 'Board prep',
        start_time: new Date(nowMs - 2 * 3_600_000).toISOString(),
        end_time: new Date(nowMs - 3_600_000).toISOString(),
      };
      const clock = { now: () => nowMs };
      // Each query labelled with the step (and so the function) that runs it.
      const runCorrelation = async (settings: CorrelationSettings) => {
        const from = engine.queries.length;
        const summary = await exposure({ query: engine.as('exposure'), clock, settings, registry }, meeting);
        await correlate({ query: engine.as('correlate'), clock, settings, registry }, summary);
        return engine.queries.slice(from);
      };
      const base: CorrelationSettings = { ...config.correlation, dataAccess: undefined };
      return {
        detections: out,
        correlation: await runCorrelation(base),
        correlationWithDataAccess: await runCorrelation({ ...base, dataAccess: source }),
      };
    } finally {
      duck.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
