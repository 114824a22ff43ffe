/**
 * Detection figures for `npm run bench`: all detections over a 30-day lake of a large organisation (BENCH_ORG_USERS,
 * default 10,000 users), and per detection the rows its scans read against the rows of the tables it reads and the
 * share its window and history allow, which shows partition pruning (Athena bills bytes scanned; DuckDB's rows scanned
 * per Parquet scan is the local proxy).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '#config/load.ts';
import { configViews } from '#core/detect/config-views.ts';
import { detectionQuery, runDetections } from '#core/detect/run.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import { rawTableName, getTable } from '#core/schema/registry.ts';
import type { CellValue } from '#core/schema/types.ts';
import { DuckDbQueryEngine } from '#local/adapters/duckdb-query-engine.ts';
import { FsObjectStore } from '#local/adapters/fs-object-store.ts';
import { loadRegistry } from '../lib/detections/load.ts';
import { allowedDays, ProfilingEngine } from '../test/support/scan-profile.ts';
import { prng } from './synthetic.ts';

type Emit = (name: string, value: number, unit: string, extra?: Record<string, unknown>) => void;

const DAY_MS = 86_400_000;
const DOMAIN = 'acme.example';
const EXTERNAL_DOMAINS = ['partner-corp.com', 'gmail.com', 'outlook.com', 'vendor.io'];
const TOPICS = ['Weekly sync', 'Customer call', 'Design review', 'Board prep', 'Interview', 'Quarterly planning', 'Vendor demo', '1:1'];
const VERSIONS = ['5.17.11.34827', '6.0.2.33403', '6.1.0.36345', '6.2.5.38000'];
const LOCATIONS = ['New York (US)', 'London (GB)', 'Berlin (DE)', 'Toronto (CA)'];
const DEVICES = ['Windows', 'Mac', 'iOS', 'Android'];

/** Writes a synthetic lake of `users` users over the 30 days ending at `endMs` (UTC midnight after the last day). */
export async function buildLake(lakeDir: string, users: number, endMs: number, seed = 7): Promise<number> {
  const rand = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const writer = new LakeWriter({
    store: new FsObjectStore(lakeDir),
    clock: { now: () => endMs },
    newId: (() => {
      let n = 0;
      return () => `b${n++}`;
    })(),
    writerId: 'bench',
  });
  let rows = 0;
  const add = (table: string, row: Record<string, CellValue>) => {
    const r = writer.add(table, row);
    if (!r.ok) throw new Error(`${table}: ${JSON.stringify(r)}`);
    rows++;
  };
  const people = Array.from({ length: users }, (_, i) => ({
    id: `u${i.toString(36).padStart(6, '0')}`,
    email: `user${i}@${DOMAIN}`,
    first: `First${i % 997}`,
    last: `Last${i}`,
    ipBase: `10.${(i >> 8) & 255}.${i & 255}`,
    device: pick(DEVICES),
    pc: `PC-${i}`,
    version: pick(VERSIONS),
    location: pick(LOCATIONS),
    active: rand() > 0.02,
  }));
  const start = endMs - 30 * DAY_MS;
  for (let d = 0; d < 30; d++) {
    const day = start + d * DAY_MS;
    // The daily users snapshot.
    for (const p of people) {
      add('users', {
        snapshot_time: day + 3_600_000,
        user_id: p.id,
        email: p.email,
        first_name: p.first,
        last_name: p.last,
        display_name: `${p.first} ${p.last}`,
        user_type: 2,
        status: p.active ? 'active' : 'inactive',
        last_client_version: p.version,
      });
    }
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    for (const p of people) {
      if (!p.active || rand() > 0.7) continue;
      const t = day + int(7 * 60, 10 * 60) * 60_000;
      add('activities', {
        email: p.email,
        time: t,
        type: 'Sign in',
        ip_address: `${p.ipBase}.${int(1, 3)}`,
        client_type: p.device,
        version: p.version,
      });
      add('activities', {
        email: p.email,
        time: t + int(6, 10) * 3_600_000,
        type: 'Sign out',
        ip_address: `${p.ipBase}.1`,
        client_type: p.device,
        version: p.version,
      });
    }
    const meetingsToday = Math.round(users / 4);
    for (let m = 0; m < meetingsToday; m++) {
      const host = pick(people);
      const startMs = day + int(8 * 60, 17 * 60) * 60_000;
      const endMeeting = startMs + int(10, 60) * 60_000;
      const meetingId = String(80_000_000_000 + (m % 5_000) * 7919);
      const uuid = `${d}-${m}-${host.id}==`;
      const topic = pick(TOPICS);
      add('meetings', {
        meeting_uuid: uuid,
        meeting_id: meetingId,
        host_id: host.id,
        host_email: host.email,
        topic,
        meeting_type: 8,
        start_time: startMs,
        end_time: endMeeting,
        duration_minutes: Math.round((endMeeting - startMs) / 60_000),
        participants_count: 4,
        source: 'report',
      });
      const attendees = [host, ...Array.from({ length: int(1, 5) }, () => pick(people))];
      for (const [k, a] of attendees.entries()) {
        const external = k > 0 && rand() < 0.08;
        const email = external ? `guest${int(1, 50_000)}@${pick(EXTERNAL_DOMAINS)}` : a.email;
        const name = external ? `Guest ${int(1, 50_000)}` : `${a.first} ${a.last}`;
        const join = startMs + int(0, 5) * 60_000;
        const leave = endMeeting - int(0, 5) * 60_000;
        const ipAddress = external ? `198.51.${int(0, 255)}.${int(1, 254)}` : `${a.ipBase}.1`;
        const pid = `${uuid}-${k}`;
        add('meeting_participants', {
          meeting_uuid: uuid,
          meeting_id: meetingId,
          participant_id: pid,
          zoom_user_id: external ? null : a.id,
          name,
          user_email: email,
          join_time: join,
          leave_time: leave,
          duration_seconds: Math.round((leave - join) / 1000),
          registrant_id: null,
        });
        add('participant_details', {
          meeting_uuid: uuid,
          meeting_id: meetingId,
          participant_id: pid,
          participant_uuid: pid,
          user_name: name,
          email,
          join_time: join,
          leave_time: leave,
          version: external ? pick(VERSIONS) : a.version,
          device: a.device,
          os: a.device,
          pc_name: a.pc,
          ip_address: ipAddress,
          location: a.location,
          share_desktop: rand() < 0.2,
          share_application: false,
          share_whiteboard: false,
        });
        add('participant_events', {
          event: 'meeting.participant_joined',
          event_time: join,
          account_id: 'acct',
          meeting_id: meetingId,
          meeting_uuid: uuid,
          host_id: host.id,
          topic,
          participant_id: pid,
          participant_uuid: pid,
          user_name: name,
          email,
          public_ip: ipAddress,
          source_record_id: `${pid}-joined`,
        });
      }
      if (rand() < 0.1) {
        add('recordings', {
          meeting_uuid: uuid,
          meeting_id: meetingId,
          host_id: host.id,
          host_email: host.email,
          topic,
          start_time: startMs,
          file_id: `f-${uuid}`,
          file_type: 'MP4',
          file_size: 1_000_000,
          recording_start: startMs,
          recording_end: endMeeting,
          status: 'completed',
          in_trash: false,
        });
      }
    }
    for (let o = 0; o < 50; o++) {
      add('operation_logs', {
        time: day + int(9 * 60, 17 * 60) * 60_000,
        operator: pick(people).email,
        category_type: 'Account',
        action: 'Update',
        operation_detail: pick([
          'Cloud recording: from Off to On',
          'Join before host: from Off to On',
          'Screen sharing: from Host Only to All Participants',
        ]),
      });
    }
    await writer.flush();
  }
  return rows;
}

/** Builds the lake, times every detection together, then profiles each one's scans (of `queriesDir`: another checkout's queries to compare). */
export async function detectionsBench(emit: Emit, queriesDir?: string): Promise<void> {
  const users = Number(process.env.BENCH_ORG_USERS ?? 10_000);
  const endMs = Date.UTC(2026, 10, 21);
  const dir = mkdtempSync(join(tmpdir(), 'zoomlake-bench-detect-'));
  try {
    let t = performance.now();
    const rows = await buildLake(dir, users, endMs);
    emit('detect_lake_build_s', (performance.now() - t) / 1000, 's', { users, days: 30, rows });
    const config = parseConfig({ internalDomains: [DOMAIN], watchedUsers: ['user0@acme.example', 'user1@acme.example'] });
    const registry = loadRegistry(config.detections, queriesDir);
    const detections = registry.scheduled();
    const nowMs = endMs - 3_600_000;
    const engine = await DuckDbQueryEngine.open({ lakeDir: dir, views: configViews(config, registry.detections) });
    try {
      t = performance.now();
      const outcomes = await runDetections(engine, detections, nowMs);
      const failed = outcomes.filter((o) => !o.ok);
      emit('detect_all_s', (performance.now() - t) / 1000, 's', {
        detections: detections.length,
        users,
        days: 30,
        rows,
        target_s: 60,
        alerts: outcomes.reduce((n, o) => n + (o.ok ? o.alerts.length : 0), 0),
        failed: failed.map((f) => f.detectionId),
      });

      // Per detection, DuckDB's rows scanned by each of its Parquet scans against the rows of that scan's table (the
      // same counter over a full read of the table), and the share of the table in the days its window (lookback) and
      // declared history lookups allow (test/integration/partition-reads.test.ts holds every scan to those days).
      const profiling = await ProfilingEngine.over(engine, dir);
      const scannedBy = async (sql: string, params: readonly string[] = []) => {
        await profiling.query(sql, params);
        return profiling.last().reduce((n, sc) => n + sc.rows, 0);
      };
      const tableScanned = new Map<string, number>();
      for (const name of new Set(detections.flatMap((d) => d.tables))) {
        tableScanned.set(name, await scannedBy(`SELECT max(record_id) FROM ${rawTableName(getTable(name))}`));
      }
      // The same counter over the days a scan may read (from, to), once per table and range.
      const inDays = new Map<string, number>();
      const scannedIn = async (table: string, from: string, to: string) => {
        const key = `${table} ${from} ${to}`;
        if (!inDays.has(key))
          inDays.set(key, await scannedBy(`SELECT max(record_id) FROM ${rawTableName(getTable(table))} WHERE dt BETWEEN ? AND ?`, [from, to]));
        return inDays.get(key)!;
      };
      const totals = { read: 0, allowed: 0, window: 0, rows: 0 };
      for (const d of detections) {
        t = performance.now();
        const before = profiling.queries.length;
        await detectionQuery(profiling.as(d.id), d, nowMs);
        const seconds = (performance.now() - t) / 1000;
        const scans = profiling.queries.slice(before).flatMap((q) => q.scans);
        let read = 0;
        let allowed = 0;
        let window = 0;
        // Each table it lists once: a table scanned twice counts twice in what it reads (the share can pass 1), and
        // a lookup it skips (days.sql found nothing) reads nothing.
        const rowsOfTables = d.tables.reduce((n, name) => n + (tableScanned.get(name) ?? 0), 0);
        for (const sc of scans) {
          const { from, to } = allowedDays(d, sc.table, nowMs);
          read += sc.rows;
          allowed += await scannedIn(sc.table, from, to);
          window += await scannedIn(sc.table, allowedDays({ lookback: d.lookback }, sc.table, nowMs).from, to);
        }
        totals.read += read;
        totals.allowed += allowed;
        totals.window += window;
        totals.rows += rowsOfTables;
        // Three decimals, as emit rounds the value: equal rows give equal figures.
        const share = (n: number) => (rowsOfTables === 0 ? 0 : Number((n / rowsOfTables).toFixed(3)));
        emit('detect_rows_read_share', share(read), 'share', {
          detection: d.id,
          lookback: d.lookback,
          history: d.history ?? {},
          scans: scans.length,
          rows_read: read,
          rows_allowed: allowed,
          rows_of_its_tables: rowsOfTables,
          window_allows_share: share(allowed),
          lookback_only_share: share(window),
          ratio_to_allowed: allowed === 0 ? 0 : Number((read / allowed).toFixed(3)),
          seconds: Number(seconds.toFixed(3)),
          target_max: share(allowed),
          note: 'rows its scans read / rows of the tables it lists (30-day lake); target: what its scans would read of the days its lookback and history allow',
        });
      }
      emit('detect_rows_read_share_all', totals.rows === 0 ? 0 : totals.read / totals.rows, 'share', {
        rows_read: totals.read,
        rows_allowed: totals.allowed,
        window_allows_share: Number((totals.allowed / totals.rows).toFixed(3)),
        lookback_only_share: Number((totals.window / totals.rows).toFixed(3)),
        target_max: Number((totals.allowed / totals.rows).toFixed(3)),
        note: 'every scheduled detection once: rows read / rows of the tables read, against the share their windows and history allow',
      });
    } finally {
      engine.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
