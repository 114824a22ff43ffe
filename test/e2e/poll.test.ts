import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '#local/cli/main.ts';
import { parseConfig } from '#config/load.ts';
import { makeLocalRuntime } from '#local/pipeline/runtime.ts';
import { startZoomSimulator } from '#local/zoom-simulator/server.ts';
import { PLANTED_CHAT_SECRET } from '#local/zoom-simulator/chat.ts';
import { compileRisk, riskScore, type RiskSignal } from '#core/poll/risk.ts';
import { lookupEmail, usersNamed } from '#core/realtime/directory.ts';

type Sim = Awaited<ReturnType<typeof startZoomSimulator>>;
const sims: Sim[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

const FROM = '2026-10-05';
const TO = '2026-11-20';

async function simulator(plan: 'pro' | 'business', faults: { serverErrors?: number } = {}) {
  const sim = await startZoomSimulator({ seed: 11, from: FROM, to: TO, plan, ...faults });
  sims.push(sim);
  return sim;
}

async function poll(sim: Sim, dir: string, ...args: string[]) {
  let out = '';
  let err = '';
  const env = {
    ZOOM_ACCOUNT_ID: 'sim-account-id',
    ZOOM_CLIENT_ID: 'sim-client-id',
    ZOOM_CLIENT_SECRET: 'sim-client-secret',
    ZOOM_OAUTH_URL: sim.oauthUrl,
    ZOOM_API_BASE_URL: sim.apiBaseUrl,
  };
  const code = await main(['poll', '--dir', dir, ...args], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env,
    untilStopped: async () => undefined,
  });
  return { code, out, err };
}

async function rows(dir: string, sql: string) {
  const engine = await makeLocalRuntime(parseConfig({}), dir).openQueryEngine();
  try {
    return (await engine.query(sql)).rows;
  } finally {
    engine.close();
  }
}

describe('zoomlake poll against the simulator', () => {
  it('backfills seven weeks through 5xx faults: every simulated record in the views exactly once, also after a second pass', async () => {
    const sim = await simulator('business', { serverErrors: 0.1 });
    const dir = mkdtempSync(join(tmpdir(), 'zoomlake-poll-'));
    const first = await poll(sim, dir, '--from', FROM, '--to', TO, '--source', 'activities', '--source', 'operation_logs', '--source', 'meetings');
    expect(first.err).toBe('');
    expect(first.code).toBe(0);

    const inRange = (t: string) => t.slice(0, 10) >= FROM && t.slice(0, 10) <= TO;
    const truthActivities = sim.org.activities
      .filter((a) => inRange(a.time))
      .map((a) => `${a.email}|${Date.parse(a.time)}|${a.type}|${a.ip_address ?? ''}`)
      .sort();
    const activityKeys = async () =>
      (await rows(dir, 'SELECT email, time, type, ip_address FROM activities'))
        .map((r) => `${r.email}|${Date.parse(String(r.time))}|${r.type}|${r.ip_address ?? ''}`)
        .sort();
    expect(await activityKeys()).toEqual(truthActivities);

    const truthLogs = sim.org.operationLogs
      .filter((o) => inRange(o.time))
      .map((o) => `${Date.parse(o.time)}|${o.operation_detail}`)
      .sort();
    const logKeys = async () =>
      (await rows(dir, 'SELECT time, operation_detail FROM operation_logs')).map((r) => `${Date.parse(String(r.time))}|${r.operation_detail}`).sort();
    expect(await logKeys()).toEqual(truthLogs);

    const truthParticipants = sim.org.meetings
      .filter((m) => inRange(m.start_time))
      .flatMap((m) => m.participants.map((p) => `${m.uuid}|${p.user_id}|${Date.parse(p.join_time)}`))
      .sort();
    const participantKeys = async () =>
      (await rows(dir, 'SELECT meeting_uuid, participant_id, join_time FROM meeting_participants'))
        .map((r) => `${r.meeting_uuid}|${r.participant_id}|${Date.parse(String(r.join_time))}`)
        .sort();
    expect(await participantKeys()).toEqual(truthParticipants);

    // The same range again: every record is written twice to the raw tables and still reads once.
    await poll(sim, dir, '--from', FROM, '--to', TO, '--source', 'activities');
    const [raw] = await rows(dir, 'SELECT count(*) AS n FROM activities_raw');
    expect(Number(raw!.n)).toBe(2 * truthActivities.length);
    expect(await activityKeys()).toEqual(truthActivities);
  });

  it('on a Pro plan runs every other source and warns once about participant details', async () => {
    const sim = await simulator('pro');
    const dir = mkdtempSync(join(tmpdir(), 'zoomlake-poll-'));
    const { code, out, err } = await poll(
      sim,
      dir,
      '--from',
      '2026-11-10',
      '--to',
      TO,
      '--source',
      'activities',
      '--source',
      'participant_details',
      '--source',
      'users',
    );
    expect(code).toBe(0);
    expect(out).toMatch(/^activities: ok/m);
    expect(out).toMatch(/^users: ok/m);
    expect(out).toMatch(/^participant_details: disabled/m);
    expect(err.match(/warning/g)).toHaveLength(1);
    expect(err).toContain('participant_details is not available on this account');
  });

  it('feeds the realtime user directory from the users snapshot and the operation log', async () => {
    const sim = await simulator('business');
    const dir = mkdtempSync(join(tmpdir(), 'zoomlake-poll-'));
    const { code } = await poll(sim, dir, '--from', FROM, '--to', TO, '--source', 'users', '--source', 'operation_logs');
    expect(code).toBe(0);
    const state = makeLocalRuntime(parseConfig({}), dir).state;
    const active = sim.org.users.find((u) => u.status === 'active')!;
    const cases = [
      [sim.org.departed.email, 'inactive'],
      [active.email, 'active'],
      ['nobody@example.org', undefined],
    ] as const;
    for (const [email, status] of cases) expect((await lookupEmail(state, email))?.status, email).toBe(status);
    // Names reach the impersonation index: the active user's display name finds them.
    expect((await usersNamed(state, active.display_name, { minLetters: 4, fuzzyMinLetters: 8, maxEdits: 0 })).map((m) => m.email)).toContain(
      active.email,
    );
  });

  it('names the missing credential', async () => {
    const sim = await simulator('business');
    let err = '';
    const code = await main(['poll', '--dir', mkdtempSync(join(tmpdir(), 'zoomlake-poll-'))], {
      out: () => undefined,
      err: (t) => {
        err += t;
      },
      env: { ZOOM_OAUTH_URL: sim.oauthUrl },
      untilStopped: async () => undefined,
    });
    expect(code).toBe(2);
    expect(err).toContain('ZOOM_ACCOUNT_ID');
  });
});

describe('pollSource after a crash', () => {
  it('a run killed in the middle of a window loses nothing and duplicates nothing in the views', async () => {
    const { pollSource } = await import('#core/poll/run.ts');
    const { POLL_SOURCES } = await import('#core/poll/sources.ts');
    const { ZoomHttpClient } = await import('#core/zoom/client.ts');
    const { httpFetch } = await import('#runtime/http-fetch.ts');
    const sim = await simulator('business');
    const dir = mkdtempSync(join(tmpdir(), 'zoomlake-poll-'));
    const rt = makeLocalRuntime(parseConfig({}), dir);
    const api = new ZoomHttpClient({
      fetch: httpFetch,
      clock: rt.clock,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      random: () => 0.5,
      credentials: { accountId: 'sim-account-id', clientId: 'sim-client-id', clientSecret: 'sim-client-secret' },
      oauthUrl: sim.oauthUrl,
      apiBaseUrl: sim.apiBaseUrl,
      plan: 'business',
      apiBudgetShare: 1,
    });
    // The "crash": the first window dies on its second page, its first page already buffered but not written.
    let pages = 0;
    const dying = {
      ...api,
      get: api.get.bind(api),
      paginate: async function* <T>(req: Parameters<typeof api.paginate>[0]) {
        for await (const page of api.paginate<T>(req)) {
          if (++pages === 2) throw new Error('killed');
          yield page;
        }
      },
    };
    const deps = {
      api: dying,
      plan: 'business' as const,
      state: rt.state,
      clock: rt.clock,
      newWriter: () => rt.writer('poller'),
      owner: 'run-1',
      leaseSeconds: 1,
    };
    await expect(pollSource(POLL_SOURCES.activities!, deps, { from: FROM, to: TO })).rejects.toThrow('killed');
    expect(await rt.store.list('zoom/activities/')).toEqual([]);
    await new Promise((r) => setTimeout(r, 1_100)); // the crashed run's lease expires
    const rerun = await pollSource(POLL_SOURCES.activities!, { ...deps, api, owner: 'run-2' }, { from: FROM, to: TO });
    expect(rerun.status).toBe('ok');
    const truth = sim.org.activities
      .filter((a) => a.time.slice(0, 10) >= FROM && a.time.slice(0, 10) <= TO)
      .map((a) => `${a.email}|${Date.parse(a.time)}|${a.type}`)
      .sort();
    const got = (await rows(dir, 'SELECT email, time, type FROM activities')).map((r) => `${r.email}|${Date.parse(String(r.time))}|${r.type}`).sort();
    expect(got).toEqual(truth);
  });
});

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

function withConfig(config: Record<string, unknown>): { dir: string; args: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'zoomlake-poll-'));
  const file = join(dir, 'zoomlake.config.json');
  writeFileSync(file, JSON.stringify(config));
  return { dir, args: ['--config', file] };
}

describe('participant details when the daily limit runs out', () => {
  it('fetches the riskiest meetings first, keeps the rest in the backlog, and drains it when budget returns', async () => {
    const sim = await simulator('business');
    const R1 = '2026-11-16';
    const R2 = '2026-11-20';
    const inRange = sim.org.meetings.filter((m) => m.start_time.slice(0, 10) >= R1 && m.start_time.slice(0, 10) <= R2);
    const watched = inRange[inRange.length - 1]!.host_email;
    const risk = { internalDomains: ['example.com'], sensitiveMeetingPatterns: ['interview', 'incident'], watchedUsers: [watched] };
    const { dir, args } = withConfig(risk);

    // The meetings source leaves the participant marks the ranking reads.
    expect((await poll(sim, dir, ...args, '--source', 'meetings', '--from', R1, '--to', R2)).code).toBe(0);
    const heavyUsed = sim.stats().requests.filter((r) => (r.category === 'Heavy' || r.category === 'Resource-intensive') && r.status !== 429).length;
    const FETCHABLE = 5;
    sim.setFaults({ dailyHeavyLimit: heavyUsed + 1 + FETCHABLE }); // the listing, then five detail calls

    const first = await poll(sim, dir, ...args, '--source', 'participant_details', '--from', R1, '--to', R2);
    expect(first.code).toBe(0);
    const skipped = inRange.length - FETCHABLE;
    expect(first.out).toMatch(
      new RegExp(
        `^participant_details: stopped, 1 windows, \\d+ records, 0 rejected, ${skipped} skipped for budget \\(high \\d+, elevated \\d+, routine \\d+\\), ${skipped} in backlog, 0 dropped \\(`,
        'm',
      ),
    );

    // The truth's own ranking: outsiders from the participants, topic and host from the meeting.
    const rules = compileRisk(risk);
    const scoreOf = (m: (typeof inRange)[number]) => {
      const signals: RiskSignal[] = [];
      if (m.participants.some((p) => rules.external(p.email || null))) signals.push('external');
      if (m.has_pstn || m.participants.some((p) => p.id === '')) signals.push('unauthenticated');
      if (rules.sensitiveTopic(m.topic)) signals.push('sensitive_topic');
      if (rules.watched(m.host_email)) signals.push('watched_host');
      return riskScore(signals);
    };
    const fetched = new Set((await rows(dir, 'SELECT DISTINCT meeting_uuid FROM participant_details')).map((r) => String(r.meeting_uuid)));
    expect(fetched.size).toBe(FETCHABLE);
    const fetchedScores = inRange.filter((m) => fetched.has(m.uuid)).map(scoreOf);
    const skippedScores = inRange.filter((m) => !fetched.has(m.uuid)).map(scoreOf);
    expect(Math.min(...fetchedScores)).toBeGreaterThanOrEqual(Math.max(...skippedScores));
    // Listing order would have fetched other meetings: the ranking is what chose these.
    expect(
      inRange
        .slice(0, FETCHABLE)
        .map((m) => m.uuid)
        .sort(),
    ).not.toEqual([...fetched].sort());

    sim.setFaults({ dailyHeavyLimit: null });
    const second = await poll(sim, dir, ...args, '--source', 'participant_details');
    expect(second.out).toMatch(/^participant_details: ok/m);
    const all = new Set((await rows(dir, 'SELECT DISTINCT meeting_uuid FROM participant_details')).map((r) => String(r.meeting_uuid)));
    expect(inRange.every((m) => all.has(m.uuid))).toBe(true);
  });
});

describe('zoomlake poll --source chat_messages against the simulator', () => {
  const C1 = '2026-10-20';
  const C2 = '2026-11-20';

  it('reads every channel message once per window, with the text left out by default', async () => {
    const sim = await simulator('business');
    const { dir, args } = withConfig({ sources: { chat_messages: { enabled: true } } });
    const before = sim.stats().requests.length;
    const { code, out, err } = await poll(sim, dir, ...args, '--source', 'chat_messages', '--from', C1, '--to', C2);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/^chat_messages: ok, 2 windows/m);

    const day = (m: { date_time: string }) => m.date_time.slice(0, 10);
    const truth = sim.org.chat.messages.filter((m) => day(m) >= C1 && day(m) <= C2);
    const got = await rows(dir, 'SELECT message_id, to_channel, status, message FROM chat_messages');
    expect(got.map((r) => `${r.message_id}|${r.to_channel}|${r.status}`).sort()).toEqual(
      truth.map((m) => `${m.id}|${m.channel_id}|${m.status}`).sort(),
    );
    expect(got.every((r) => r.message === null)).toBe(true);

    // Each channel is read once per window (not once per member), page by page.
    const windows = [
      ['2026-10-20', '2026-11-18'],
      ['2026-11-19', '2026-11-20'],
    ];
    const pages = windows
      .flatMap(([from, to]) =>
        sim.org.chat.channels.map((c) => {
          const n = truth.filter((m) => m.channel_id === c.id && day(m) >= from! && day(m) <= to!).length;
          return Math.max(1, Math.ceil(n / 50));
        }),
      )
      .reduce((a, b) => a + b, 0);
    // Answered pages only: on a loaded machine the simulator's per-second limit may answer a request 429 first.
    const answered = sim
      .stats()
      .requests.slice(before)
      .filter((r) => r.status === 200);
    const served = (name: string) => answered.filter((r) => r.endpoint === name).length;
    expect(served('GET /chat/users/{userId}/messages')).toBe(pages);
    expect(pages).toBeGreaterThan(windows.length * sim.org.chat.channels.length); // some channels span pages
    const active = sim.org.users.filter((u) => u.status === 'active').length;
    expect(served('GET /chat/users/{userId}/channels')).toBe(windows.length * active);

    expect(out + err).not.toContain(PLANTED_CHAT_SECRET);
    for (const file of filesUnder(dir)) expect(readFileSync(file).includes(PLANTED_CHAT_SECRET)).toBe(false);
  });

  it('keeps the text when the config opts in', async () => {
    const sim = await simulator('business');
    const { dir, args } = withConfig({ sources: { chat_messages: { enabled: true, includeContent: true } } });
    expect((await poll(sim, dir, ...args, '--source', 'chat_messages', '--from', '2026-11-16', '--to', C2)).code).toBe(0);
    const [planted] = await rows(dir, `SELECT count(*) AS n FROM chat_messages WHERE message = '${PLANTED_CHAT_SECRET}'`);
    expect(Number(planted!.n)).toBeGreaterThan(0);
  });
});

describe('zoomlake poll: the meeting audit trail and recording sharing', () => {
  const A1 = '2026-10-20';
  const inA = (day: string) => day >= A1 && day <= TO;
  const activityMs = (t: string) => Date.parse(`${t.slice(0, 10)}T${t.slice(11, 19)}.${t.slice(20)}Z`);

  it('reads the configured activity types into meeting_activities, each entry once, through 5xx faults', async () => {
    const sim = await simulator('business', { serverErrors: 0.1 });
    const { dir, args } = withConfig({ sources: { meeting_activities: { activityTypes: ['Remote Control', 'User Join'] } } });
    const { code, out, err } = await poll(sim, dir, ...args, '--source', 'meeting_activities', '--from', A1, '--to', TO);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/^meeting_activities: ok, 2 windows, [1-9]\d* records, 0 rejected$/m);

    const truth = sim.org.meetingActivities
      .filter((a) => inA(a.activity_time.slice(0, 10)) && (a.activity_category === 'Remote Control' || a.activity_category === 'User joined'))
      .map((a) => `${activityMs(a.activity_time)}|${a.meeting_number.replace(/ /g, '')}|${a.operator}|${a.operator_email ?? ''}|${a.activity_detail}`)
      .sort();
    expect(truth.some((k) => k.includes('gave remote control to'))).toBe(true);
    const got = (await rows(dir, 'SELECT activity_time, meeting_id, operator, operator_email, activity_detail FROM meeting_activities'))
      .map((r) => `${Date.parse(String(r.activity_time))}|${r.meeting_id}|${r.operator}|${r.operator_email ?? ''}|${r.activity_detail}`)
      .sort();
    expect(got).toEqual(truth);
    // One request per type per window (and page): nothing else of the audit trail was asked for.
    const asked = sim.stats().requests.filter((r) => r.endpoint === 'GET /report/meeting_activities' && r.status === 200);
    expect(asked.length).toBeGreaterThanOrEqual(4);
  });

  it('is off on a Pro plan with the reason, without a call to Zoom', async () => {
    const sim = await simulator('pro');
    const { dir, args } = withConfig({ planTier: 'pro' });
    const { code, out, err } = await poll(sim, dir, ...args, '--source', 'meeting_activities');
    expect(code).toBe(0);
    expect(out).toMatch(
      /^meeting_activities: disabled, 0 windows, 0 records, 0 rejected \(meeting_activities needs a Zoom plan of business or enterprise; planTier is pro/m,
    );
    expect(err).toContain('meeting_activities is not available on this account');
    expect(sim.stats().byEndpoint['GET /report/meeting_activities']).toBeUndefined();
    const status = JSON.parse(await statusOf(dir, args)) as { sources: { source: string; enabled: boolean; unavailable: string | null }[] };
    expect(status.sources.find((s) => s.source === 'meeting_activities')).toMatchObject({
      enabled: true,
      unavailable: expect.stringContaining('planTier is pro') as unknown,
    });
  });

  it('puts each recording instance’s sharing settings on its file rows, one settings call per instance, never the passcode', async () => {
    const sim = await simulator('business');
    const dir = mkdtempSync(join(tmpdir(), 'zoomlake-poll-'));
    const { code, err } = await poll(sim, dir, '--source', 'recordings', '--from', FROM, '--to', TO);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const live = sim.org.recordings.filter((r) => !r.trashed && r.start_time.slice(0, 10) >= FROM);
    expect(live.some((r) => r.sharing.share_recording === 'publicly')).toBe(true);
    const got = await rows(
      dir,
      'SELECT meeting_uuid, file_id, share_recording, recording_authentication, recording_has_passcode, viewer_download, on_demand FROM recordings WHERE NOT in_trash',
    );
    const truth = live.flatMap((r) =>
      r.recording_files.map((f) => [
        r.uuid,
        f.id,
        r.sharing.share_recording,
        r.sharing.recording_authentication,
        r.sharing.password !== '',
        r.sharing.viewer_download,
        r.sharing.on_demand,
      ]),
    );
    expect(got.map((r) => Object.values(r)).sort()).toEqual(truth.sort());
    const settingsCalls = sim.stats().requests.filter((r) => r.endpoint === 'GET /meetings/{meetingId}/recordings/settings');
    expect(settingsCalls).toHaveLength(live.length);
    expect(settingsCalls.every((r) => r.category === 'Light' && r.status === 200)).toBe(true);
    const passcodes = sim.org.recordings.map((r) => r.sharing.password).filter((p) => p !== '');
    expect(passcodes.length).toBeGreaterThan(0);
    for (const file of filesUnder(dir)) for (const p of passcodes) expect(readFileSync(file).includes(p), file).toBe(false);
  });

  it('keeps the recordings when Zoom answers 404 for their settings: sharing NULL, a warning, the cursor moved', async () => {
    const sim = await simulator('business');
    sim.setFaults({ notFound: ['GET /meetings/{meetingId}/recordings/settings'] });
    const dir = mkdtempSync(join(tmpdir(), 'zoomlake-poll-'));
    const { code, out, err } = await poll(sim, dir, '--source', 'recordings', '--from', '2026-11-01', '--to', TO);
    expect(code).toBe(0);
    const live = sim.org.recordings.filter((r) => !r.trashed && r.start_time.slice(0, 10) >= '2026-11-01');
    expect(out).toMatch(
      new RegExp(
        `^recordings: ok, 1 windows, [1-9]\\d* records, 0 rejected, ${live.length} warnings \\(first: recording sharing settings of meeting `,
        'm',
      ),
    );
    expect(err).toMatch(
      /^zoomlake poll: warning: recordings: recording sharing settings of meeting .* not read, its rows keep NULL sharing columns: .*404/m,
    );
    const [counted] = await rows(dir, 'SELECT count(*) AS n, count(share_recording) AS shared FROM recordings WHERE NOT in_trash');
    expect(Number(counted!.n)).toBe(live.reduce((n, r) => n + r.recording_files.length, 0));
    expect(Number(counted!.shared)).toBe(0);
  });
});

async function statusOf(dir: string, args: readonly string[]): Promise<string> {
  let out = '';
  await main(['status', '--dir', dir, '--json', ...args], {
    out: (t) => {
      out += t;
    },
    err: () => undefined,
    env: {},
    untilStopped: async () => undefined,
  });
  return out;
}
