import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CORRELATION_DETECTIONS } from '#core/correlate/contract.ts';
import { webhookBody } from '#core/webhook/envelope.ts';
import { parseConfig } from '#config/load.ts';
import { main } from '#local/cli/main.ts';
import { makeLocalCorrelation } from '#local/pipeline/correlation.ts';
import { makeLocalRuntime } from '#local/pipeline/runtime.ts';
import { formatDay, ORG_DOMAIN, type SimMeeting, type SimParticipant } from '#local/zoom-simulator/org.ts';
import { sharingSettings } from '#local/zoom-simulator/recording-settings.ts';
import { startZoomSimulator } from '#local/zoom-simulator/server.ts';
import { postSigned } from '../support/signed-post.ts';

/*
 * Issue #7 end to end: `zoomlake serve` receives a signed meeting.ended, runs the post-meeting correlation in-process
 * against the Zoom API simulator (report participants, dashboard details), reads the operation logs the poller put in
 * the lake and a data-access file, and writes the correlation alerts to <dir>/alerts.jsonl.
 */

type Sim = Awaited<ReturnType<typeof startZoomSimulator>>;
const SECRET = 'correlation-e2e-secret';
const MIN = 60_000;
const sims: Sim[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Scenario {
  readonly name: string;
  /** Participants besides the host: [email, display name]. */
  readonly guests: readonly (readonly [string, string])[];
  /** Who downloads the recording after the meeting (undefined: nobody). */
  readonly downloader?: (host: string) => string;
  /** Whether the host reads a sensitive resource 5 minutes after the meeting. */
  readonly hostAccess: boolean;
  /** Report answers "does not exist" this many times before it is ready. */
  readonly notReadyCalls: number;
  readonly expected: readonly string[];
  /** The meeting's topic. @default `Board planning <n>` (sensitive: correlated whoever attended) */
  readonly topic?: string;
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'external guest, then a download by a non-participant and a data access by the host: both correlation alerts',
    guests: [['eve@evil-partner.test', 'Eve Outsider']],
    downloader: () => `records.clerk@${ORG_DOMAIN}`,
    hostAccess: true,
    notReadyCalls: 1,
    expected: [CORRELATION_DETECTIONS.recordingDownloadByNonParticipant, CORRELATION_DETECTIONS.hostDataAccessAfterExternalMeeting],
  },
  {
    name: 'benign: internal guests only, the host downloads their own recording and reads the same data: no alert',
    guests: [[`colleague.one@${ORG_DOMAIN}`, 'Colleague One']],
    downloader: (host) => host,
    hostAccess: true,
    notReadyCalls: 0,
    expected: [],
  },
];

function participant(
  template: SimParticipant,
  n: number,
  email: string,
  name: string,
  role: 'host' | 'attendee',
  join: number,
  leave: number,
): SimParticipant {
  return {
    ...template,
    id: `corr-user-${n}`,
    user_id: `corr-pid-${n}`,
    participant_user_id: email.endsWith(`@${ORG_DOMAIN}`) ? `corr-zoom-${n}` : '',
    participant_uuid: `corr-puuid-${n}`,
    user_name: name,
    email,
    registrant_id: '',
    role,
    join_time: iso(join),
    leave_time: iso(leave),
    ip_address: `198.51.100.${10 + n}`,
    location: n === 0 ? 'London (GB)' : 'Lagos (NG)',
  };
}

/** A meeting that started 70 and ended 40 minutes ago (the host's 30-minute data-access window has passed). */
function meetingOf(sim: Sim, scenario: Scenario, now: number): SimMeeting {
  const host = sim.org.users.find((u) => u.status === 'active' && u.role_id === '2')!;
  const template = sim.org.meetings.find((m) => m.participants.length > 0)!;
  const [start, end] = [now - 70 * MIN, now - 40 * MIN];
  return {
    ...template,
    uuid: `corrE2E${scenario.expected.length}+uuid==`,
    id: 85_012_345_670 + scenario.expected.length,
    host_id: host.id,
    host_email: host.email,
    host_name: host.display_name,
    topic: scenario.topic ?? `Board planning ${scenario.expected.length}`,
    start_time: iso(start),
    end_time: iso(end),
    duration: 30,
    has_recording: true,
    participants: [
      participant(template.participants[0]!, 0, host.email, host.display_name, 'host', start, end),
      ...scenario.guests.map(([email, name], i) => participant(template.participants[0]!, i + 1, email, name, 'attendee', start + MIN, end)),
    ],
  };
}

function meetingEnded(m: SimMeeting, eventTs: number): string {
  return webhookBody({
    event: 'meeting.ended',
    eventTs,
    payload: {
      account_id: 'sim-account-id',
      object: {
        uuid: m.uuid,
        id: m.id,
        host_id: m.host_id,
        topic: m.topic,
        type: 2,
        start_time: m.start_time,
        end_time: m.end_time,
        duration: m.duration,
        timezone: 'UTC',
      },
    },
  });
}

const post = (url: string, body: string) => postSigned(url, body, SECRET);

/** Waits (bounded) until `done` holds, checking every 50 ms. */
async function until(done: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  for (const started = Date.now(); !done(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
  }
}

async function run(scenario: Scenario) {
  const sim = await startZoomSimulator({ seed: 7, plan: 'business' });
  sims.push(sim);
  const now = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'zoomlake-correlation-'));
  const meeting = meetingOf(sim, scenario, now);
  sim.addMeeting(meeting);
  // Its cloud recording, which the recordings poller lists (the download detection judges recordings the lake knows).
  const file = sim.org.recordings.find((r) => r.recording_files.length > 0)!.recording_files[0]!;
  sim.org.recordings.push({
    uuid: meeting.uuid,
    id: meeting.id,
    account_id: 'sim-account-id',
    host_id: meeting.host_id,
    topic: meeting.topic,
    type: 2,
    start_time: meeting.start_time,
    timezone: 'UTC',
    duration: 30,
    total_size: file.file_size,
    recording_count: 1,
    share_url: '',
    trashed: false,
    sharing: sharingSettings('internally'),
    recording_files: [
      {
        ...file,
        id: `corr-file-${scenario.expected.length}`,
        meeting_id: meeting.uuid,
        recording_start: meeting.start_time,
        recording_end: meeting.end_time,
      },
    ],
  });
  if (scenario.notReadyCalls > 0) sim.holdReport(meeting.uuid, scenario.notReadyCalls);
  const spaced = String(meeting.id).replace(/^(\d{3})(\d{4})(\d+)$/, '$1 $2 $3');
  if (scenario.downloader) {
    sim.org.operationLogs.push({
      time: iso(now - 30 * MIN),
      operator: scenario.downloader(meeting.host_email),
      category_type: 'Recording',
      action: 'Download',
      operation_detail: `Download Recording: ${meeting.topic} (${spaced})`,
    });
  }
  const accessFile = join(dir, 'data-access.ndjson');
  const access = scenario.hostAccess
    ? [
        {
          principal: `arn:aws:sts::111122223333:assumed-role/Staff/${meeting.host_email}`,
          event_time: iso(now - 35 * MIN),
          object_key: 's3://finance/payroll-2026.xlsx',
        },
      ]
    : [];
  // An access by someone else in the window and one by the host outside it: neither counts.
  access.push({ principal: `someone.else@${ORG_DOMAIN}`, event_time: iso(now - 35 * MIN), object_key: 's3://finance/payroll-2026.xlsx' });
  access.push({ principal: meeting.host_email, event_time: iso(now - 5 * MIN), object_key: 's3://finance/later.xlsx' });
  writeFileSync(accessFile, access.map((a) => JSON.stringify(a)).join('\n') + '\n');
  const configFile = join(dir, 'zoomlake.config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      planTier: 'business',
      internalDomains: [ORG_DOMAIN],
      correlation: {
        waitSeconds: 0,
        notReadyRetries: 3,
        notReadyIntervalSeconds: 1,
        dataAccess: { table: 'data_access', userColumn: 'principal', timeColumn: 'event_time', resourceColumn: 'object_key', localFile: accessFile },
      },
    }),
  );

  const env = {
    ZOOM_ACCOUNT_ID: 'sim-account-id',
    ZOOM_CLIENT_ID: 'sim-client-id',
    ZOOM_CLIENT_SECRET: 'sim-client-secret',
    ZOOM_OAUTH_URL: sim.oauthUrl,
    ZOOM_API_BASE_URL: sim.apiBaseUrl,
    ZOOM_WEBHOOK_SECRET_TOKEN: SECRET,
  };
  const quiet = { out: () => undefined, err: () => undefined, env, untilStopped: async () => undefined };
  // The operation logs and the meeting's recording reach the lake through the pollers, as in AWS (the download
  // detection judges downloads of recordings the lake knows).
  const today = formatDay(now);
  expect(
    await main(
      [
        'poll',
        '--config',
        configFile,
        '--dir',
        dir,
        '--source',
        'operation_logs',
        '--source',
        'users',
        '--source',
        'recordings',
        '--from',
        today,
        '--to',
        today,
      ],
      quiet,
    ),
  ).toBe(0);

  let out = '';
  let err = '';
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const served = main(['serve', '--config', configFile, '--dir', dir, '--port', '0'], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env,
    untilStopped: () => stopped,
  });
  await until(() => /listening on (\S+)/.test(out), 'the server');
  const url = /listening on (\S+)/.exec(out)![1]!;
  const body = meetingEnded(meeting, now - 40 * MIN + 2_000);
  // Zoom's retry of the same delivery must not start a second correlation.
  expect(await post(url, body)).toBe(200);
  expect(await post(url, body)).toBe(200);
  await until(
    () => /"correlation":"(completed|failed|participants_unavailable)"/.test(out) || /"correlation":"skipped"/.test(out),
    'the correlation',
  );
  stop();
  expect(await served).toBe(0);
  expect(err).toBe('');

  const logs = out
    .split('\n')
    .filter((l) => l.startsWith('{"correlation"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const alerts = existsSync(join(dir, 'alerts.jsonl'))
    ? readFileSync(join(dir, 'alerts.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { detail: Record<string, unknown> }).detail)
    : [];
  return { logs, alerts, out, sim, meeting, access };
}

describe('zoomlake serve: post-meeting correlation', () => {
  it.each([
    ['free', 'the free plan has no report API'],
    ['pro', undefined],
  ] as const)('on the %s plan: %s', (planTier, reason) => {
    const lines: string[] = [];
    const rt = makeLocalRuntime(parseConfig({ planTier }), mkdtempSync(join(tmpdir(), 'zoomlake-correlation-')));
    const env = { ZOOM_ACCOUNT_ID: 'a', ZOOM_CLIENT_ID: 'c', ZOOM_CLIENT_SECRET: 's' };
    const correlation = makeLocalCorrelation(rt, env, (line) => lines.push(line));
    if (reason === undefined) {
      expect(correlation).toBeDefined();
      expect(lines).toEqual([]);
    } else {
      expect(correlation).toBeUndefined();
      expect(lines.join('\n')).toContain(reason);
    }
  });

  it('skips an ordinary meeting of colleagues: no correlation detection needs it (docs/cost.md), no Zoom report is read', async () => {
    const { logs, alerts, sim } = await run({
      name: 'ordinary',
      guests: [[`colleague.one@${ORG_DOMAIN}`, 'Colleague One']],
      hostAccess: true,
      notReadyCalls: 0,
      expected: [],
      topic: 'Weekly planning',
    });
    // Zoom's retry of the delivery is skipped too, or not handed to the correlation again.
    expect(new Set(logs.map((l) => l.correlation))).toEqual(new Set(['skipped']));
    expect(sim.stats().requests.filter((r) => r.endpoint.startsWith('GET /report/meetings/'))).toEqual([]);
    expect(alerts).toEqual([]);
  });

  it.each(SCENARIOS)('$name', async (scenario) => {
    const { logs, alerts, out, sim, meeting } = await run(scenario);
    expect(logs.map((l) => l.correlation)).toEqual(['started', 'duplicate', 'completed']);
    const completed = logs.at(-1)!;
    expect(completed).toMatchObject({
      participants: 1 + scenario.guests.length,
      details: 1 + scenario.guests.length,
      notified: scenario.expected.length,
      suppressed: 0,
    });
    // The not-ready answers were retried, then the report was read once more.
    const reportCalls = sim.stats().requests.filter((r) => r.endpoint === `GET /report/meetings/{meetingId}/participants`);
    expect(reportCalls.length).toBe(scenario.notReadyCalls + 1);

    expect(alerts.map((a) => a.detection_id).sort()).toEqual([...scenario.expected].sort());
    expect(alerts.every((a) => a.source === 'correlation')).toBe(true);
    const download = alerts.find((a) => a.detection_id === CORRELATION_DETECTIONS.recordingDownloadByNonParticipant);
    if (download) {
      expect(download.entities).toMatchObject({
        operator: `records.clerk@${ORG_DOMAIN}`,
        meeting_id: String(meeting.id),
        host_email: meeting.host_email,
      });
    }
    const access = alerts.find((a) => a.detection_id === CORRELATION_DETECTIONS.hostDataAccessAfterExternalMeeting);
    if (access) {
      const evidence = access.evidence as Record<string, unknown>[];
      expect(evidence.map((e) => e.resource)).toEqual(['s3://finance/payroll-2026.xlsx']);
      expect(evidence[0]).toMatchObject({ external_emails: 'eve@evil-partner.test', meeting_uuid: meeting.uuid });
    }
    // Console lines carry statuses and names, never the meeting's participants or the data accessed.
    expect(out).not.toContain('payroll');
    expect(
      out
        .split('\n')
        .filter((l) => l.startsWith('{"correlation"'))
        .join('\n'),
    ).not.toContain('eve@');
  });
});
