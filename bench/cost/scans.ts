/**
 * What each Athena query of zoomlake reads, measured by running it on DuckDB over a lake of one Parquet file per table
 * and day for 100 days (more than any detection's lookback): DuckDB's profile names, per table scan, the files it read
 * after partition pruning. Days read per scan are scale-free; the model turns them into bytes and GET requests with the
 * files and bytes a day of each table holds at the modelled volume (what Athena reads of the same files: honest only
 * as far as Athena prunes the same partitions, which both engines do from the same `dt` predicates).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ZoomlakeConfig } from '#config/schema.ts';
import type { MeetingEndedInput } from '#core/correlate/contract.ts';
import type { CorrelationSettings } from '#core/correlate/settings.ts';
import { correlate } from '#core/correlate/steps/correlate.ts';
import { exposure } from '#core/correlate/steps/exposure.ts';
import { configViews } from '#core/detect/config-views.ts';
import { bindNamed, type ScheduledDetection } from '#core/detect/detection.ts';
import { dtOf } from '#core/lake/instants.ts';
import { detectionQuery } from '#core/detect/run.ts';
import type { DetectionRegistry } from '#core/detect/registry.ts';
import { DuckDbQueryEngine } from '#local/adapters/duckdb-query-engine.ts';

const DAY_MS = 86_400_000;
import { ProfilingEngine, writeDayLake, type ProfiledScan } from '../../test/support/scan-profile.ts';

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

/** A profiled query as the model reads it: days read per scan (one file a day in the measuring lake). */
function asQueryScans(q: { readonly label: string; readonly scans: readonly ProfiledScan[] }): QueryScans {
  return { query: q.label, scans: q.scans.map((sc) => ({ table: sc.table, days: sc.files, unpruned: sc.files >= SCAN_LAKE_DAYS })) };
}

/** What the scans measured: each scheduled detection's query, and the correlation's queries for one meeting. */
export interface ScanFigures {
  readonly detections: Readonly<Record<string, QueryScans>>;
  /** The download detection's query with its lookups over the whole month (before #17 it read that on every run). */
  readonly downloadMonth?: QueryScans;
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
    const nowMs = endMs - 3_600_000;
    // One recording download in the run's window, of a meeting recorded ten days before: what the download detection's
    // lookups then read (its days.sql finds that meeting's days). The sample rows hold no Recording entry.
    await writeDayLake(join(dir, 'lake'), endMs, SCAN_LAKE_DAYS, 3, [
      {
        table: 'operation_logs',
        row: {
          time: nowMs - 2 * 3_600_000,
          operator: 'someone@outside.example',
          category_type: 'Recording',
          action: 'Download',
          operation_detail: 'Download cloud recording for meeting 812 9999 0001',
        },
      },
      {
        table: 'recordings',
        row: { meeting_id: '81299990001', meeting_uuid: 'recorded==', file_id: 'recorded-file', start_time: nowMs - 10 * DAY_MS },
      },
    ]);
    const source = { table: 'data_access', userColumn: 'principal', timeColumn: 'event_time', resourceColumn: 'object_key' };
    const accessView = {
      name: source.table,
      sql: 'SELECT CAST(NULL AS VARCHAR) AS principal, CAST(NULL AS TIMESTAMP) AS event_time, CAST(NULL AS VARCHAR) AS object_key WHERE false',
    };
    const duck = await DuckDbQueryEngine.open({ lakeDir: join(dir, 'lake'), views: [...configViews(config, registry.detections), accessView] });
    try {
      const engine = await ProfilingEngine.over(duck, dir);
      const out: Record<string, QueryScans> = {};
      for (const d of detections) {
        // A detection with days.sql runs two queries (detectionQuery); both are its reads.
        const before = engine.queries.length;
        await detectionQuery(engine.as(d.id), d, nowMs);
        out[d.id] = { query: d.id, scans: engine.queries.slice(before).flatMap((q) => asQueryScans(q).scans) };
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
        return engine.queries.slice(from).map(asQueryScans);
      };
      // The download detection's query over the whole month (its lookups' 30-day bound): what it read on every run
      // before #17, and still reads when the downloads concern a meeting number that recurs all month.
      const download = detections.find((d) => d.id === 'zoom.recording.download_by_non_participant');
      let downloadMonth: QueryScans | undefined;
      if (download !== undefined) {
        const month = bindNamed(download.sql, { days_from: dtOf(nowMs - 30 * DAY_MS), days_to: dtOf(nowMs) }, new Date(nowMs).toISOString());
        await engine.as(download.id).query(month.sql, month.params);
        downloadMonth = asQueryScans(engine.queries.at(-1)!);
      }
      const base: CorrelationSettings = { ...config.correlation, dataAccess: undefined };
      return {
        detections: out,
        ...(downloadMonth !== undefined ? { downloadMonth } : {}),
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
