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
import { ZoomNotFoundError } from '#core/zoom/errors.ts';
import type { Row } from '#core/schema/types.ts';
import type { Scenario } from '#local/scenario/scenario.ts';
import { dashboardMeeting, dashboardParticipant, recordingView, reportParticipant } from '#local/zoom-simulator/api.ts';
import { MEETING_ACTIVITIES_ROUTE } from '#local/zoom-simulator/meeting-activities.ts';
import type { SimMeeting } from '#local/zoom-simulator/org.ts';
import { RECORDING_SETTINGS_ROUTE } from '#local/zoom-simulator/recording-settings.ts';
import { FakeClock } from '../../test/fakes/fake-clock.ts';
import { MemoryObjectStore } from '../../test/support/memory-object-store.ts';
import { MemoryStateStore } from '../../test/support/memory-state-store.ts';
import { ASSUMPTIONS } from './assumptions.ts';
import { CountingObjectStore, CountingStateStore } from './counting.ts';

const DAY_MS = 86_400_000;

/** The scenario's organisation as the Zoom API (business plan: the dashboard lists past meetings). */
class ScenarioZoomApi implements ZoomApi {
  readonly calls = new Map<ZoomCategory, number>();
  /** The Heavy and Resource-intensive requests (the daily share's), for scaling: see HeavyRequests. */
  heavy = { perInstancePages: 0, listingItems: [] as number[] };
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
    if (path === '/users') return org.users.filter((u) => u.status === q.status);
    if (path === '/report/meeting_activities') {
      // The simulator's own route (one activity_type a request), less what is still to happen at the clock's time.
      const answer = MEETING_ACTIVITIES_ROUTE.handle({ params: [], query: new URLSearchParams(q), now, org });
      if (answer.kind !== 'list') throw new Error(`the cost bench's meeting activities request failed: ${JSON.stringify(answer)}`);
      return answer.items.filter((a) =>
        past(
          String((a as { activity_time: string }).activity_time)
            .replace(' ', 'T')
            .replace(/:(\d{3})$/, '.$1Z'),
        ),
      );
    }
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
    if (request.category === 'Heavy' || request.category === 'ResourceIntensive') {
      if (PER_INSTANCE.test(request.path)) this.heavy.perInstancePages += pages;
      else this.heavy.listingItems.push(items.length);
    }
    for (let page = 1; page <= pages; page++) {
      this.calls.set(request.category, (this.calls.get(request.category) ?? 0) + 1);
      yield { items: items.slice((page - 1) * ASSUMPTIONS.zoomPageSize, page * ASSUMPTIONS.zoomPageSize) as T[], page, restarts: 0 };
    }
  }

  async get<T>(request: ZoomRequest): Promise<T> {
    const settings = RECORDING_SETTINGS_ROUTE.pattern.exec(request.path);
    if (!settings) throw new Error(`the cost bench's Zoom API has no single GET ${request.path}`);
    this.calls.set(request.category, (this.calls.get(request.category) ?? 0) + 1);
    const answer = RECORDING_SETTINGS_ROUTE.handle({
      params: [settings[1]!],
      query: new URLSearchParams(),
      now: this.clock.now(),
      org: this.scenario.org,
    });
    if (answer.kind !== 'object')
      throw new ZoomNotFoundError(`${request.path}: ${answer.kind === 'error' ? answer.message : 'not an object'}`, { status: 404, endpoint: 'api' });
    return answer.body as T;
  }
}

/** A request about one meeting instance (its participants), as opposed to a listing of a date range. */
const PER_INSTANCE = /^\/(report|metrics)\/meetings\/[^/]+\/participants$/;

/**
 * A day's Heavy and Resource-intensive requests of one source, so they scale as they grow: a per-meeting request
 * happens once per meeting (its count grows with the meetings), a listing's pages grow with the items it lists.
 */
export interface HeavyRequests {
  /** Pages of per-meeting requests (participants of one instance). */
  readonly perInstancePages: number;
  /** Items each listing request (activities, operation logs, meeting listings) listed, one entry per request. */
  readonly listingItems: readonly number[];
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
  readonly heavy: HeavyRequests;
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
    const run = async (state: MemoryStateStore | CountingStateStore, store: CountingObjectStore, kept: Map<string, Row[]>) => {
      const result = await pollSource(source, {
        api,
        plan: 'business',
        state,
        clock,
        newWriter: () => new KeepingWriter({ store, clock, newId: () => `f${store.puts}`, writerId: `poller-${name}` }, kept),
        owner: 'cost-bench',
        leaseSeconds: 600,
        settings,
      });
      if (result.status !== 'ok') throw new Error(`the cost bench's ${name} poll run ended ${result.status}: ${result.reason ?? ''}`);
    };
    // Steady state: the day before is polled first (from a cursor at the day before it), so the measured day starts
    // with what a deployment running for a while has: its cursor, and the marks of the instances it fetched.
    await commitCursor(memory, name, await readCursor(memory, name), dtOf(dayStart - 2 * DAY_MS), dayStart - DAY_MS);
    const warmStore = new CountingObjectStore(new MemoryObjectStore());
    for (let at = dayStart - DAY_MS; at < dayStart; at += interval) {
      clock.set(at);
      await run(memory, warmStore, new Map());
    }
    const state = new CountingStateStore(memory);
    const store = new CountingObjectStore(new MemoryObjectStore());
    const kept = new Map<string, Row[]>();
    let files = 0;
    const perTableFiles = new Map<string, number>();
    api.calls.clear();
    api.heavy = { perInstancePages: 0, listingItems: [] as number[] };
    let cpuMs = 0;
    let runs = 0;
    for (let at = dayStart; at < dayStart + DAY_MS; at += interval) {
      clock.set(at);
      const before = store.puts;
      const t = performance.now();
      await run(state, store, kept);
      cpuMs += performance.now() - t;
      runs++;
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
      heavy: { perInstancePages: api.heavy.perInstancePages, listingItems: [...api.heavy.listingItems] },
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
