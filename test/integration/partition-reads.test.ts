import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '#config/schema.ts';
import { configViews } from '#core/detect/config-views.ts';
import type { ScheduledDetection } from '#core/detect/detection.ts';
import { detectionQuery } from '#core/detect/run.ts';
import { DuckDbQueryEngine } from '#local/adapters/duckdb-query-engine.ts';
import { REGISTRY } from '../support/registry.ts';
import { daysBetween, ProfilingEngine, readsOutside, writeDayLake } from '../support/scan-profile.ts';
import { dtOf } from '#core/lake/instants.ts';

/*
 * Partition reads: every scheduled detection's query, run on DuckDB over a lake holding one file per table and day
 * for more days than any detection reads, reads only the day partitions its window (`lookback`) and its declared
 * history lookups (`history`) allow. DuckDB prunes from the same `dt` predicates Athena's partition projection
 * evaluates (comparisons with values computed from the run's end time), so a scan that reads an older day here
 * reads it in Athena too. A new detection without a `dt` bound on a table, or with a bound wider than it declares,
 * fails here.
 */

const DAYS = 100;
const END = Date.UTC(2026, 10, 21);
/** Run times: late in a day, and just after midnight (a window then intersects one more day). */
const RUNS = [END - 3_600_000, END + 30 * 60_000];
const detections = REGISTRY.scheduled();
/** When the meeting whose recording is downloaded started: ten days before the runs. */
const RECORDED = END - 10 * 86_400_000 + 3_600_000;
/** The lake's days: DAYS + 1 up to and including END's day. */
const LAKE_DAYS = new Set(daysBetween(dtOf(END - DAYS * 86_400_000), dtOf(END)));

let dir: string;
let duck: DuckDbQueryEngine;
let engine: ProfilingEngine;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zoomlake-partition-reads-'));
  // A recording download in the last day naming a meeting recorded ten days before the run (the sample rows hold no
  // Recording entry, so without it the download detection's lookups have nothing to read).
  await writeDayLake(join(dir, 'lake'), END + 86_400_000, DAYS + 1, 1, [
    {
      table: 'operation_logs',
      row: {
        time: END - 2 * 3_600_000,
        operator: 'someone@outside.example',
        category_type: 'Recording',
        action: 'Download',
        operation_detail: 'Download cloud recording for meeting 812 9999 0001',
      },
    },
    { table: 'recordings', row: { meeting_id: '81299990001', meeting_uuid: 'recorded==', file_id: 'recorded-file', start_time: RECORDED } },
  ]);
  const config = configSchema.parse({ internalDomains: ['acme.example'] });
  duck = await DuckDbQueryEngine.open({ lakeDir: join(dir, 'lake'), views: configViews(config, REGISTRY.detections) });
  engine = await ProfilingEngine.over(duck, dir);
}, 120_000);

afterAll(() => {
  duck?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the profile sees pruning', () => {
  const probe: Pick<ScheduledDetection, 'lookback' | 'history'> = { lookback: '1d' };

  it('a scan without a dt bound reads days outside a one-day window', async () => {
    await engine.query("SELECT max(event) FROM participant_events WHERE event_time >= TIMESTAMP '2026-11-20 00:00:00'");
    const scans = engine.last();
    expect(scans.map((s) => [s.table, s.files])).toEqual([['participant_events', DAYS + 1]]);
    expect(readsOutside(probe, scans[0]!, RUNS[0]!, LAKE_DAYS)).toEqual(['participant_events: 101 days read, 2 allowed (2026-11-19 to 2026-11-20)']);
  });

  it('a scan bounded by dt from the run time reads only the days of the window', async () => {
    const bounded = (sql: string) => engine.query(sql, [new Date(RUNS[0]!).toISOString(), new Date(RUNS[0]!).toISOString()]);
    await bounded(
      "SELECT max(event) FROM participant_events WHERE dt BETWEEN date_format(date_add('day', -1, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')",
    );
    expect(engine.last().map((s) => s.days)).toEqual([['2026-11-19', '2026-11-20']]);
    expect(readsOutside(probe, engine.last()[0]!, RUNS[0]!, LAKE_DAYS)).toEqual([]);
    // A bound one day too wide is caught too.
    await bounded(
      "SELECT max(event) FROM participant_events WHERE dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')",
    );
    expect(readsOutside(probe, engine.last()[0]!, RUNS[0]!, LAKE_DAYS)).toEqual(['participant_events dt=2026-11-18']);
  });
});

describe.each(detections.map((d) => [d.id, d] as const))('%s', (_id, d) => {
  it.each(RUNS.map((now) => [new Date(now).toISOString(), now] as const))(
    'run at %s reads only the days its lookback and history allow',
    async (_at, now) => {
      const before = engine.queries.length;
      await detectionQuery(engine.as(d.id), d, now);
      const scans = engine.queries.slice(before).flatMap((q) => q.scans);
      expect(scans.length, 'reads at least one partition').toBeGreaterThan(0);
      const outside = scans.flatMap((s) => readsOutside(d, s, now, LAKE_DAYS));
      expect(outside, `reads outside its window (lookback ${d.lookback}, history ${JSON.stringify(d.history ?? {})})`).toEqual([]);
    },
  );
});

describe('history lookups read the days of what the window found', () => {
  it("the recording download's lookups read the recorded meeting's day and the day either side", async () => {
    const d = detections.find((x) => x.id === 'zoom.recording.download_by_non_participant')!;
    for (const now of RUNS) {
      const before = engine.queries.length;
      await detectionQuery(engine.as(d.id), d, now);
      const [days, query] = engine.queries.slice(before);
      // days.sql searches the window's log entries and the month of known meetings; the query reads the three days.
      expect(days!.scans.find((s) => s.table === 'recordings')?.files).toBe(31);
      const meetingDays = daysBetween(dtOf(RECORDED - 86_400_000), dtOf(RECORDED + 86_400_000));
      for (const table of ['meeting_participants', 'participant_details', 'participant_events', 'recordings', 'meetings', 'users'])
        expect(
          query!.scans.filter((s) => s.table === table).map((s) => s.days),
          table,
        ).toEqual([meetingDays]);
    }
  });

  it('without a download entry in the window the lookups are not run', async () => {
    const d = detections.find((x) => x.id === 'zoom.recording.download_by_non_participant')!;
    const before = engine.queries.length;
    expect(await detectionQuery(engine, d, RUNS[0]! - 2 * 86_400_000)).toBeUndefined();
    expect(engine.queries.length - before).toBe(1);
  });
});
