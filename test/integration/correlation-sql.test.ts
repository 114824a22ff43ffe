import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '#config/schema.ts';
import { CORRELATION_DETECTIONS, type ExposureSummary, type MeetingEndedInput } from '#core/correlate/contract.ts';
import type { CorrelationSettings } from '#core/correlate/settings.ts';
import { correlate } from '#core/correlate/steps/correlate.ts';
import { exposure } from '#core/correlate/steps/exposure.ts';
import { readExposure, storeExposure } from '#core/correlate/steps/store-exposure.ts';
import { configViews } from '#core/detect/config-views.ts';
import { applyParameterOverrides, bindNamed, isScheduled } from '#core/detect/detection.ts';
import type { DetectionRegistry } from '#core/detect/registry.ts';
import { runDetection } from '#core/detect/run.ts';
import type { Alert } from '#core/alerts/alert.ts';
import { DuckDbQueryEngine } from '#local/adapters/duckdb-query-engine.ts';
import { REGISTRY } from '../support/registry.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { EmptyQueryEngine } from '../support/correlation-fakes.ts';
import { writeFixtureLake } from '../support/detection-fixtures.ts';
import { MemoryStateStore } from '../support/memory-state-store.ts';

/*
 * The Exposure and Correlate steps' SQL on DuckDB over a real lake (the Trino dialect through the compatibility
 * layer), with the config views and a data-access table as local views.
 */

const START = Date.UTC(2026, 10, 20, 10, 0, 0);
const END = START + 3_600_000;
const NOW = END + 2 * 3_600_000;
const at = (ms: number) => new Date(ms).toISOString();
const min = (n: number) => n * 60_000;

const MEETING: MeetingEndedInput = {
  meeting_uuid: 'm1==',
  meeting_id: '88100000001',
  host_id: 'host-1',
  topic: 'Board prep',
  start_time: at(START),
  end_time: at(END),
};
const INTERNAL: MeetingEndedInput = { ...MEETING, meeting_uuid: 'm2==', meeting_id: '88100000002', topic: 'Weekly sync' };
const HOST_UNLISTED: MeetingEndedInput = { ...MEETING, meeting_uuid: 'm3==', meeting_id: '88100000003', host_id: 'host-9', topic: 'Vendor call' };

const session = (uuid: string, meetingId: string, name: string, email: string | null, userId: string | null, fromMin: number, toMin: number) => ({
  meeting_uuid: uuid,
  meeting_id: meetingId,
  participant_id: `p-${name}`,
  zoom_user_id: userId,
  participant_user_id: userId,
  name,
  user_email: email,
  join_time: at(START + min(fromMin)),
  leave_time: at(START + min(toMin)),
  duration_seconds: (toMin - fromMin) * 60,
});
const detail = (uuid: string, name: string, email: string | null, ip: string, location: string, role = 'attendee') => ({
  meeting_uuid: uuid,
  meeting_id: MEETING.meeting_id,
  participant_id: `p-${name}`,
  user_name: name,
  email,
  join_time: at(START + min(5)),
  leave_time: at(START + min(50)),
  ip_address: ip,
  location,
  role,
});
const user = (id: string, email: string, first: string, last: string) => ({
  snapshot_time: at(NOW - 86_400_000),
  user_id: id,
  email,
  first_name: first,
  last_name: last,
  display_name: `${first} ${last}`,
  status: 'active',
});
const oplog = (operator: string, atMs: number, detail: string, action = 'Download') => ({
  time: at(atMs),
  operator,
  category_type: 'Recording',
  action,
  operation_detail: detail,
});

const ROWS = {
  meeting_participants: [
    session('m1==', MEETING.meeting_id!, 'Ann Host', 'ann@example.com', 'host-1', 0, 60),
    session('m1==', MEETING.meeting_id!, 'Bob Builder', 'bob@example.com', 'u-bob', 1, 60),
    session('m1==', MEETING.meeting_id!, 'Eve Partner', 'eve@partner.test', null, 5, 50),
    // A guest under a watched executive's name, one letter off, and a guest who looked in for two minutes.
    session('m1==', MEETING.meeting_id!, 'Cara Chiief', null, null, 5, 50),
    session('m1==', MEETING.meeting_id!, 'Rec Bot', null, null, 10, 12),
    session('m2==', INTERNAL.meeting_id!, 'Ann Host', 'ann@example.com', 'host-1', 0, 60),
    session('m2==', INTERNAL.meeting_id!, 'Bob Builder', 'bob@example.com', 'u-bob', 0, 60),
    session('m3==', HOST_UNLISTED.meeting_id!, 'Dan Outside', 'dan@vendor.test', null, 0, 60),
  ],
  participant_details: [
    detail('m1==', 'Ann Host', 'ann@example.com', '203.0.113.1', 'London (GB)', 'host'),
    detail('m1==', 'Eve Partner', '', '192.0.2.7', 'Lagos (NG)'),
    detail('m1==', 'Cara Chiief', '', '192.0.2.8', 'Lagos (NG)'),
  ],
  users: [
    user('host-1', 'ann@example.com', 'Ann', 'Host'),
    user('u-bob', 'bob@example.com', 'Bob', 'Builder'),
    user('u-cara', 'cara@example.com', 'Cara', 'Chief'),
    user('host-9', 'hal@example.com', 'Hal', 'Nine'),
  ],
  meetings: [
    {
      meeting_uuid: 'm1==',
      meeting_id: MEETING.meeting_id,
      host_id: 'host-1',
      host_email: 'ann@example.com',
      topic: 'Board prep',
      start_time: at(START),
      end_time: at(END),
    },
    {
      meeting_uuid: 'm2==',
      meeting_id: INTERNAL.meeting_id,
      host_id: 'host-1',
      host_email: 'ann@example.com',
      topic: 'Weekly sync',
      start_time: at(START),
      end_time: at(END),
    },
  ],
  operation_logs: [
    oplog('mallory@example.com', END + min(20), 'Download cloud recording for meeting 881 0000 0001'),
    oplog('bob@example.com', END + min(21), 'Download cloud recording for meeting 881 0000 0001'),
    oplog('ann@example.com', END + min(22), 'Download cloud recording for meeting 88100000001'),
    // The internal meeting's recording: a colleague's download is not guarded (no sensitive topic, no watched host),
    // a contractor's account (outside the internal domains) is.
    oplog('trent@example.com', END + min(23), 'Download cloud recording for meeting 881 0000 0002'),
    oplog('carl@contractor.test', END + min(23), 'Download cloud recording for meeting 881 0000 0002'),
    oplog('trudy@example.com', END + min(24), 'Downloaded recording "Board prep" to a local folder'),
    oplog('del@example.com', END + min(25), 'Delete cloud recording for meeting 881 0000 0001', 'Delete'),
    oplog('early@example.com', START - min(60), 'Download cloud recording for meeting 881 0000 0001'),
  ],
};

const ACCESS_CSV =
  [
    'principal,event_time,object_key',
    `ann@example.com,${at(END + min(10))},s3://finance/q3-forecast.xlsx`,
    `arn:aws:sts::123456789012:assumed-role/Analyst/ann@example.com,${at(END + min(12))},s3://finance/payroll.csv`,
    `ann@example.com,${at(END + min(45))},s3://finance/late.xlsx`,
    // Routine for the host: read 10 days before the meeting (the baseline), so reading it again after is not flagged;
    // the board deck opened during the meeting is not part of the baseline, which ends at the start.
    `ann@example.com,${at(START - 10 * 86_400_000)},s3://sales/price-book.xlsx`,
    `ann@example.com,${at(END + min(8))},s3://sales/price-book.xlsx`,
    `ann@example.com,${at(START + min(20))},s3://board/deck.pdf`,
    `ann@example.com,${at(END + min(15))},s3://board/deck.pdf`,
    `bob@example.com,${at(END + min(5))},s3://finance/bob.xlsx`,
    `hal@example.com,${at(END + min(5))},s3://finance/hal.xlsx`,
  ].join('\n') + '\n';

const CONFIG = configSchema.parse({ internalDomains: ['example.com'], watchedUsers: ['cara@example.com'], sensitiveMeetingPatterns: ['board'] });
const DATA_ACCESS = { table: 'data_access', userColumn: 'principal', timeColumn: 'event_time', resourceColumn: 'object_key' };
const settings = (over: Partial<CorrelationSettings> = {}): CorrelationSettings => ({
  enabled: true,
  waitSeconds: 0,
  notReadyRetries: 2,
  notReadyIntervalSeconds: 1,
  dataAccess: DATA_ACCESS,
  ...over,
});

let dir: string;
let engine: DuckDbQueryEngine;
const clock = new FakeClock(NOW);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zoomlake-correlation-'));
  await writeFixtureLake(dir, { description: 'correlation', now: at(NOW), rows: ROWS, webhooks: [], expect: [] });
  const csv = join(dir, 'access.csv');
  writeFileSync(csv, ACCESS_CSV);
  const quoted = `'${csv.replaceAll("'", "''")}'`;
  engine = await DuckDbQueryEngine.open({
    lakeDir: dir,
    views: [
      ...configViews(CONFIG, REGISTRY.detections),
      // Timestamps as DuckDB detects them, and as text (CloudTrail's eventtime is a string column).
      { name: 'data_access', sql: `SELECT * FROM read_csv_auto(${quoted})` },
      { name: 'data_access_text', sql: `SELECT * FROM read_csv_auto(${quoted}, all_varchar = true)` },
    ],
  });
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('exposure', () => {
  it('summarises the instance from both participant tables; StoreExposure keeps it on the meeting until stored_until', async () => {
    const state = new MemoryStateStore(clock);
    const summary = await exposure({ query: engine, clock, settings: settings(), registry: REGISTRY }, MEETING);
    expect(summary).toEqual({
      meeting_uuid: 'm1==',
      meeting_id: MEETING.meeting_id,
      topic: 'Board prep',
      host_email: 'ann@example.com',
      start_time: at(START),
      end_time: at(END),
      participants: 5,
      external_emails: ['eve@partner.test'],
      unauthenticated: ['Cara Chiief', 'Rec Bot'],
      impersonation: [{ display_name: 'Cara Chiief', matches_email: 'cara@example.com' }],
      brief_joins: 1,
      distinct_ips: 3,
      countries: ['GB', 'NG'],
      sensitive_topic: true,
      watched_host: false,
      correlate_after: at(END + min(30)),
      stored_until: Math.floor(NOW / 1000) + 90 * 86_400,
    } satisfies ExposureSummary);
    expect(state.items.size).toBe(0);
    await storeExposure(state, summary);
    expect(await readExposure(state, 'm1==')).toEqual(summary);
    const item = [...state.items.values()][0]!;
    expect(item).toMatchObject({ pk: 'meeting#m1==', sk: 'exposure' });
    expect(item.expiresAt).toBe(summary.stored_until);
  });

  it.each([
    [
      'an internal-only meeting: no outsiders, correlation due at the end',
      INTERNAL,
      settings(),
      {
        participants: 2,
        external_emails: [],
        unauthenticated: [],
        impersonation: [],
        brief_joins: 0,
        host_email: 'ann@example.com',
        sensitive_topic: false,
        correlate_after: at(END),
      },
    ],
    ['no data-access source: due at the end', MEETING, settings({ dataAccess: undefined }), { correlate_after: at(END) }],
    [
      'a host not among the participants: email from the users snapshots',
      HOST_UNLISTED,
      settings(),
      { participants: 1, host_email: 'hal@example.com', external_emails: ['dan@vendor.test'], impersonation: [] },
    ],
  ])('%s', async (_name, input, s, expected) => {
    const summary = await exposure({ query: engine, clock, settings: s, registry: REGISTRY }, input);
    expect(summary).toMatchObject(expected);
  });
});

describe('correlate', () => {
  async function run(input: MeetingEndedInput, s: CorrelationSettings, registry: DetectionRegistry = REGISTRY): Promise<Alert[]> {
    const summary = await exposure({ query: engine, clock, settings: s, registry }, input);
    return (await correlate({ query: engine, clock, settings: s, registry }, summary)).alerts as Alert[];
  }
  const windowOf = (minutes: number) =>
    REGISTRY.withDetections(
      applyParameterOverrides(REGISTRY.detections, {
        [CORRELATION_DETECTIONS.hostDataAccessAfterExternalMeeting]: { parameters: { window_minutes: minutes } },
      }),
    );

  it("flags downloads by non-participants (number or topic in the detail) and the host's data access in the window", async () => {
    const alerts = await run(MEETING, settings());
    const downloads = alerts.filter((a) => a.detection_id === CORRELATION_DETECTIONS.recordingDownloadByNonParticipant);
    // The scheduled detection's own query: every download of the meeting number's recordings in its lookback, so
    // also one before this instance (an earlier instance's recording), as the scheduled run reports it.
    expect(downloads.map((a) => [a.dedup_key, a.evidence[0]!.matched_by]).sort()).toEqual([
      ['early@example.com|88100000001', 'meeting number'],
      ['mallory@example.com|88100000001', 'meeting number'],
      ['trudy@example.com|88100000001', 'topic'],
    ]);
    expect(downloads.find((a) => a.dedup_key.startsWith('mallory@'))).toMatchObject({
      source: 'correlation',
      severity: 'medium',
      first_seen: at(END + min(20)),
      entities: { operator: 'mallory@example.com', meeting_id: '88100000001', meeting_uuid: 'm1==', host_email: 'ann@example.com' },
    });
    const access = alerts.filter((a) => a.detection_id === CORRELATION_DETECTIONS.hostDataAccessAfterExternalMeeting);
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({
      source: 'correlation',
      dedup_key: 'ann@example.com|m1==',
      first_seen: at(END + min(10)),
      last_seen: at(END + min(15)),
      entities: { user_email: 'ann@example.com', host_email: 'ann@example.com', meeting_id: '88100000001', meeting_uuid: 'm1==' },
    });
    expect(access[0]!.evidence.map((e) => e.resource)).toEqual(['s3://finance/q3-forecast.xlsx', 's3://finance/payroll.csv', 's3://board/deck.pdf']);
    expect(access[0]!.evidence[0]).toMatchObject({ external_emails: 'eve@partner.test', impersonation: 'Cara Chiief -> cara@example.com' });
  });

  it('reads a data-access time column held as ISO-8601 text', async () => {
    const alerts = await run(MEETING, settings({ dataAccess: { ...DATA_ACCESS, table: 'data_access_text' } }));
    expect(alerts.filter((a) => a.detection_id === CORRELATION_DETECTIONS.hostDataAccessAfterExternalMeeting).map((a) => a.evidence.length)).toEqual([
      3,
    ]);
  });

  it.each([
    [
      'a baseline of 0 days: the routine price book counts too',
      0,
      ['s3://sales/price-book.xlsx', 's3://finance/q3-forecast.xlsx', 's3://finance/payroll.csv', 's3://board/deck.pdf'],
    ],
    [
      'a baseline of 5 days: the price book read 10 days before is outside it',
      5,
      ['s3://sales/price-book.xlsx', 's3://finance/q3-forecast.xlsx', 's3://finance/payroll.csv', 's3://board/deck.pdf'],
    ],
    ['a baseline of 11 days: the price book is routine', 11, ['s3://finance/q3-forecast.xlsx', 's3://finance/payroll.csv', 's3://board/deck.pdf']],
  ])('%s', async (_name, days, resources) => {
    const registry = REGISTRY.withDetections(
      applyParameterOverrides(REGISTRY.detections, {
        [CORRELATION_DETECTIONS.hostDataAccessAfterExternalMeeting]: { parameters: { baseline_days: days } },
      }),
    );
    const alerts = await run(MEETING, settings(), registry);
    const access = alerts.filter((a) => a.detection_id === CORRELATION_DETECTIONS.hostDataAccessAfterExternalMeeting);
    expect(access.flatMap((a) => a.evidence.map((e) => e.resource))).toEqual(resources);
    expect(access[0]!.evidence[0]).toMatchObject({ baseline_days: days });
  });

  it.each([
    [
      "an internal-only meeting: its contractor's download only (not the colleague's), no data-access alert",
      INTERNAL,
      settings(),
      [CORRELATION_DETECTIONS.recordingDownloadByNonParticipant],
      REGISTRY,
    ],
    [
      'no data-access source configured: only the downloads',
      MEETING,
      settings({ dataAccess: undefined }),
      [
        CORRELATION_DETECTIONS.recordingDownloadByNonParticipant,
        CORRELATION_DETECTIONS.recordingDownloadByNonParticipant,
        CORRELATION_DETECTIONS.recordingDownloadByNonParticipant,
      ],
      REGISTRY,
    ],
    [
      "a window too short for the host's access",
      MEETING,
      settings(),
      [
        CORRELATION_DETECTIONS.recordingDownloadByNonParticipant,
        CORRELATION_DETECTIONS.recordingDownloadByNonParticipant,
        CORRELATION_DETECTIONS.recordingDownloadByNonParticipant,
      ],
      windowOf(5),
    ],
  ])('%s', async (_name, input, s, expected, registry) => {
    expect((await run(input, s, registry)).map((a) => a.detection_id)).toEqual(expected);
  });

  it('does not query a data-access table when none is configured', async () => {
    const fake = new EmptyQueryEngine();
    const summary = await exposure({ query: engine, clock, settings: settings(), registry: REGISTRY }, MEETING);
    await correlate({ query: fake, clock, settings: settings({ dataAccess: undefined }), registry: REGISTRY }, summary);
    expect(fake.queries.map((q) => q.sql).filter((sql) => sql.includes('data_access'))).toEqual([]);
    expect(fake.queries).toHaveLength(1);
  });

  it("runs the download detection's month-long query only when a recording entry in its window could concern the meeting", async () => {
    const detection = REGISTRY.get(CORRELATION_DETECTIONS.recordingDownloadByNonParticipant);
    if (!isScheduled(detection)) throw new Error('the download detection has no query');
    const ran: string[] = [];
    const counting = { query: (sql: string, params?: readonly (string | number | boolean)[]) => (ran.push(sql), engine.query(sql, params)) };
    const summary = await exposure({ query: engine, clock, settings: settings(), registry: REGISTRY }, MEETING);
    const deps = { query: counting, clock, settings: settings({ dataAccess: undefined }), registry: REGISTRY };
    // A meeting number no entry names (the topic-only entry names no number, so it still counts as a candidate):
    // the lake's entries are checked, and the detection's days.sql then its query (named days bound) run.
    await correlate(deps, summary);
    expect(ran.filter((sql) => sql === detection.daysSql)).toHaveLength(1);
    expect(ran.filter((sql) => sql === bindNamed(detection.sql, { days_from: '', days_to: '' }, '').sql)).toHaveLength(1);
    // The same meeting when no Recording entry of the window names it or names no number: one cheap check, no query.
    ran.length = 0;
    const later = { ...clock, now: () => clock.now() + 3 * 86_400_000 };
    expect((await correlate({ ...deps, clock: later }, summary)).alerts).toEqual([]);
    expect(ran).toHaveLength(1);
    expect(ran[0]).toContain('FROM operation_logs');
  });

  it('raises the same download alert (id and dedup key) as the scheduled detection', async () => {
    const ours = (await run(MEETING, settings())).filter((a) => a.detection_id === CORRELATION_DETECTIONS.recordingDownloadByNonParticipant);
    const detection = REGISTRY.get(CORRELATION_DETECTIONS.recordingDownloadByNonParticipant);
    if (!isScheduled(detection)) throw new Error('the download detection has no query');
    const scheduled = await runDetection(engine, detection, NOW);
    const mallory = (alerts: readonly Alert[]) => alerts.find((a) => a.dedup_key.startsWith('mallory@'));
    expect(mallory(scheduled)).toBeDefined();
    expect([mallory(ours)!.alert_id, mallory(ours)!.dedup_key, mallory(ours)!.entities]).toEqual([
      mallory(scheduled)!.alert_id,
      mallory(scheduled)!.dedup_key,
      mallory(scheduled)!.entities,
    ]);
  });
});
