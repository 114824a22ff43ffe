/**
 * The pollers' side of the cost model: one day of the generated organisation polled by the real poller code
 * (pollSource), each enabled source run on its deployed schedule, against an in-process Zoom API serving the
 * organisation (the simulator's own API shapes, no HTTP, no pacing). Measured per source and day: Zoom calls by rate
 * category, lake rows written per table against the day's distinct rows (hourly runs re-read today), files, CPU, and
 * DynamoDB use (leases, cursors, marks, the user directory; Heavy calls add one budget write each in AWS).
 */
import { commitCursor, readCursor } from '#core/poll/cursor.ts';
import { DEFAULT_POLL_SETTINGS, type PollSettings, pollSource } from '#core/poll/run.ts';
import { POLL_SOURCES } from '#core/poll/sources.ts';
import { dtOf } from '#core/lake/records.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import type { ZoomApi, ZoomCategory, ZoomPage, ZoomPageRequest, ZoomRequest } from '#core/ports.ts';
import { getTable } from '#core/schema/registry.ts';
import type { Row } from '#core/schema/types.ts';
import type { Scenario } from '#local/scenario/scenario.ts';
import { dashboardMeeting, dashboardParticipant, recordingView, reportParticipant } from '#local/zoom-simulator/api.ts';
import type { SimMeeting } from '#local/zoom-simulator/org.ts';
import { FakeClock } from '../../test/fakes/fake-clock.ts';
import { MemoryObjectStore } from '../../test/support/memory-object-store.ts';
import { MemoryStateStore } from '../../test/support/memory-state-store.ts';
import { ASSUMPTIONS } from './assumptions.ts';
import { CountingObjectStore, CountingStateStore } from './counting.ts';

const DAY_MS = 86_400_000;

/** The scenario's organisation as the Zoom API (business plan: the dashboard lists past meetings). */
class ScenarioZoomApi implements ZoomApi {
  readonly calls = new Map<ZoomCategory, number>();
  private readonly byUuid: Map<string, SimMeeting>;

  constructor(
    private readonly scenario: Scenario,
    private readonly clock: { now(): number },
  ) {
    this.byUuid = new Map(scenario.org.meetings.map((m) => [m.uuid, m]));
  }

  private items(request: ZoomPageRequest): unknown[] {
    const { org } = this.scenario;
    const q = request.query ?? {};
    const now = this.clock.now();
    const inWindow = (iso: string) => iso.slice(0, 10) >= (q.from ?? '') && iso.slice(0, 10) <= (q.to ?? '9999');
    const past = (iso: string) => Date.parse(iso) <= now;
    const path = request.path;
    if (path === '/report/activities') return org.activities.filter((a) => inWindow(a.time) && past(a.time));
    if (path === '/report/operationlogs') return org.operationLogs.filter((o) => inWindow(o.time) && past(o.time));
    // The audit trail's times are "yyyy-mm-dd hh:mm:ss:ms" (UTC), which Date.parse does not read: compared as text.
    if (path === '/report/meeting_activities') {
      const nowText = new Date(now).toISOString().replace('T', ' ');
      return org.meetingActivities.filter((a) => inWindow(a.activity_time) && a.activity_time <= nowText);
    }
    if (path === '/users') return org.users.filter((u) => u.status === q.status);
    if (path === '/metrics/meetings') return org.meetings.filter((m) => inWindow(m.start_time) && past(m.end_time)).map(dashboardMeeting);
    if (path === '/accounts/me/recordings') {
      const trash = q.trash === 'true';
      return org.recordings.filter((r) => Boolean(r.trashed) === trash && inWindow(r.start_time) && past(r.start_time)).map(recordingView);
    }
    const participants = /^\/(report|metrics)\/meetings\/(.+)\/participants$/.exec(path);
    if (participants) {
      const uuid = decodeURIComponent(decodeURIComponent(participants[2]!));
      const m = this.byUuid.get(uuid);
      if (!m) return [];
      return m.participants.map((p) => (participants[1] === 'report' ? reportParticipant(p, true) : dashboardParticipant(p, true)));
    }
    throw new Error(`the cost bench's Zoom API has no ${path}`);
  }

  async *paginate<T>(request: ZoomPageRequest): AsyncIterable<ZoomPage<T>> {
    const items = this.items(request);
    const pages = Math.max(1, Math.ceil(items.length / ASSUMPTIONS.zoomPageSize));
    for (let page = 1; page <= pages; page++) {
      this.calls.set(request.category, (this.calls.get(request.category) ?? 0) + 1);
      yield { items: items.slice((page - 1) * ASSUMPTIONS.zoomPageSize, page * ASSUMPTIONS.zoomPageSize) as T[], page, restarts: 0 };
    }
  }

  async get<T>(request: ZoomRequest): Promise<T> {
    // A recording instance's sharing settings (#16: one Light call per listed instance); the answer's content costs nothing.
    if (/^\/meetings\/[^/]+\/recordings\/settings$/.test(request.path)) {
      this.calls.set(request.category, (this.calls.get(request.category) ?? 0) + 1);
      return { share_recording: 'internally', recording_authentication: true, password: '', viewer_download: false, on_demand: false } as T;
    }
    throw new Error(`the cost bench's Zoom API has no single GET ${request.path}`);
  }
}

/** A LakeWriter keeping the rows added per table. */
class KeepingWriter extends LakeWriter {
  constructor(
    deps: ConstructorParameters<typeof LakeWriter>[0],
    private readonly kept: Map<string, Row[]>,
  ) {
    super(deps);
  }
  override add(table: string, row: Row) {
    const result = super.add(table, row);
    if (result.ok) {
      const rows = this.kept.get(table) ?? [];
      rows.push(row);
      this.kept.set(table, rows);
    }
    return result;
  }
}

/** One poll source's day. */
export interface PollSourceDay {
  readonly runs: number;
  readonly cpuMs: number;
  readonly zoomCalls: Readonly<Partial<Record<ZoomCategory, number>>>;
  readonly stateCalls: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  readonly puts: number;
  /** Per table: rows written, distinct rows of the day, files, and distinct rows for encoding at other sizes. */
  readonly tables: Readonly<
    Record<
      string,
      {
        readonly written: number;
        readonly distinct: number;
        /** Distinct rows of the measured day itself (its `dt` partition), the rows a de-duplicated day would hold. */
        readonly dayRows: number;
        readonly files: number;
        readonly sample: readonly Row[];
      }
    >
  >;
}

/** What one day of polling measured, by source. */
export interface PollFigures {
  readonly day: string;
  readonly sources: Readonly<Record<string, PollSourceDay>>;
  /** Distinct items of the day in the scenario, for scaling: meetings, join sessions, users, recordings. */
  readonly units: { readonly meetings: number; readonly participations: number; readonly users: number; readonly recordings: number };
}

/** Polls the scenario's second-to-last day with every source in `intervals` (ms between runs), as deployed. */
export async function measurePolls(scenario: Scenario, intervals: Readonly<Record<string, number>>): Promise<PollFigures> {
  const { org } = scenario;
  const dayStart = Date.parse(`${org.to}T00:00:00Z`) - DAY_MS;
  const day = dtOf(dayStart);
  const clock = new FakeClock(dayStart);
  const api = new ScenarioZoomApi(scenario, clock);
  const settings: PollSettings = {
    ...DEFAULT_POLL_SETTINGS,
    risk: {
      internalDomains: scenario.config.internalDomains,
      sensitiveMeetingPatterns: ['\\bboard'],
      watchedUsers: scenario.config.watchedUsers,
    },
  };
  const sources: Record<string, PollSourceDay> = {};
  for (const [name, interval] of Object.entries(intervals)) {
    const source = POLL_SOURCES[name];
    if (!source) continue;
    const memory = new MemoryStateStore(clock);
    // Steady state: yesterday is committed, so the day's first run re-reads it (one day of overlap) and today.
    await commitCursor(memory, name, await readCursor(memory, name), dtOf(dayStart - DAY_MS), dayStart);
    const state = new CountingStateStore(memory);
    const store = new CountingObjectStore(new MemoryObjectStore());
    const kept = new Map<string, Row[]>();
    let files = 0;
    const perTableFiles = new Map<string, number>();
    api.calls.clear();
    let cpuMs = 0;
    let runs = 0;
    for (let at = dayStart; at < dayStart + DAY_MS; at += interval) {
      clock.set(at);
      const before = store.puts;
      const t = performance.now();
      const run = await pollSource(source, {
        api,
        plan: 'business',
        state,
        clock,
        newWriter: () => new KeepingWriter({ store, clock, newId: () => `f${store.puts}`, writerId: `poller-${name}` }, kept),
        owner: 'cost-bench',
        leaseSeconds: 600,
        settings,
      });
      cpuMs += performance.now() - t;
      runs++;
      if (run.status !== 'ok') throw new Error(`the cost bench's ${name} poll run ended ${run.status}: ${run.reason ?? ''}`);
      files += store.puts - before;
    }
    for (const key of store.bytes.keys()) {
      const table = key.split('/')[1]!;
      perTableFiles.set(table, (perTableFiles.get(table) ?? 0) + 1);
    }
    sources[name] = {
      runs,
      cpuMs,
      zoomCalls: Object.fromEntries(api.calls),
      stateCalls: state.use.calls,
      readUnits: state.use.readUnits,
      writeUnits: state.use.writeUnits,
      puts: files,
      tables: Object.fromEntries(
        [...kept].map(([table, rows]) => {
          const distinct = [...new Map(rows.map((r) => [JSON.stringify(r), r])).values()];
          const time = getTable(table).eventTime;
          const dayRows = distinct.filter((r) => typeof r[time] === 'number' && dtOf(r[time] as number) === day).length;
          return [table, { written: rows.length, distinct: distinct.length, dayRows, files: perTableFiles.get(table) ?? 0, sample: distinct }];
        }),
      ),
    };
  }
  const onDay = (iso: string) => iso.slice(0, 10) === day;
  const meetings = org.meetings.filter((m) => onDay(m.start_time));
  return {
    day,
    sources,
    units: {
      meetings: meetings.length,
      participations: meetings.reduce((n, m) => n + m.participants.length, 0),
      users: org.users.length,
      recordings: org.recordings.filter((r) => onDay(r.start_time)).length,
    },
  };
}
