import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '#local/cli/main.ts';
import { parseConfig } from '#config/load.ts';
import { makeLocalRuntime } from '#local/runtime.ts';
import { startZoomSimulator } from '#local/zoom-simulator/server.ts';

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
  const env = { ZOOM_ACCOUNT_ID: 'sim-account-id', ZOOM_CLIENT_ID: 'sim-client-id', ZOOM_CLIENT_SECRET: 'sim-client-secret',
    ZOOM_OAUTH_URL: sim.oauthUrl, ZOOM_API_BASE_URL: sim.apiBaseUrl };
  const code = await main(['poll', '--dir', dir, ...args], { out: (t) => { out += t; }, err: (t) => { err += t; }, env, untilStopped: async () => undefined });
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
    const truthActivities = sim.org.activities.filter((a) => inRange(a.time)).map((a) => `${a.email}|${Date.parse(a.time)}|${a.type}|${a.ip_address ?? ''}`).sort();
    const activityKeys = async () => (await rows(dir, 'SELECT email, time, type, ip_address FROM activities'))
      .map((r) => `${r.email}|${Date.parse(String(r.time))}|${r.type}|${r.ip_address ?? ''}`).sort();
    expect(await activityKeys()).toEqual(truthActivities);

    const truthLogs = sim.org.operationLogs.filter((o) => inRange(o.time)).map((o) => `${Date.parse(o.time)}|${o.operation_detail}`).sort();
    const logKeys = async () => (await rows(dir, 'SELECT time, operation_detail FROM operation_logs')).map((r) => `${Date.parse(String(r.time))}|${r.operation_detail}`).sort();
    expect(await logKeys()).toEqual(truthLogs);

    const truthParticipants = sim.org.meetings.filter((m) => inRange(m.start_time))
      .flatMap((m) => m.participants.map((p) => `${m.uuid}|${p.user_id}|${Date.parse(p.join_time)}`)).sort();
    const participantKeys = async () => (await rows(dir, 'SELECT meeting_uuid, participant_id, join_time FROM meeting_participants'))
      .map((r) => `${r.meeting_uuid}|${r.participant_id}|${Date.parse(String(r.join_time))}`).sort();
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
    const { code, out, err } = await poll(sim, dir, '--from', '2026-11-10', '--to', TO, '--source', 'activities', '--source', 'participant_details', '--source', 'users');
    expect(code).toBe(0);
    expect(out).toMatch(/^activities: ok/m);
    expect(out).toMatch(/^users: ok/m);
    expect(out).toMatch(/^participant_details: disabled/m);
    expect(err.match(/warning/g)).toHaveLength(1);
    expect(err).toContain('participant_details is not available on this account');
  });

  it('names the missing credential', async () => {
    const sim = await simulator('business');
    let err = '';
    const code = await main(['poll', '--dir', mkdtempSync(join(tmpdir(), 'zoomlake-poll-'))], {
      out: () => undefined, err: (t) => { err += t; }, env: { ZOOM_OAUTH_URL: sim.oauthUrl }, untilStopped: async () => undefined,
    });
    expect(code).toBe(1);
    expect(err).toContain('ZOOM_ACCOUNT_ID');
  });
});

describe('pollSource after a crash', () => {
  it('a run killed in the middle of a window loses nothing and duplicates nothing in the views', async () => {
    const { pollSource } = await import('#core/poll/run.ts');
    const { POLL_SOURCES } = await import('#core/poll/sources.ts');
    const { ZoomHttpClient } = await import('#core/zoom/client.ts');
    const { httpFetch } = await import('#local/http-fetch.ts');
    const sim = await simulator('business');
    const dir = mkdtempSync(join(tmpdir(), 'zoomlake-poll-'));
    const rt = makeLocalRuntime(parseConfig({}), dir);
    const api = new ZoomHttpClient({
      fetch: httpFetch, clock: rt.clock, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), random: () => 0.5,
      credentials: { accountId: 'sim-account-id', clientId: 'sim-client-id', clientSecret: 'sim-client-secret' },
      oauthUrl: sim.oauthUrl, apiBaseUrl: sim.apiBaseUrl, plan: 'business', apiBudgetShare: 1,
    });
    // The "crash": the first window dies on its second page, its first page already buffered but not written.
    let pages = 0;
    const dying = { ...api, get: api.get.bind(api), paginate: async function* <T>(req: Parameters<typeof api.paginate>[0]) {
      for await (const page of api.paginate<T>(req)) {
        if (++pages === 2) throw new Error('killed');
        yield page;
      }
    } };
    const deps = { api: dying, plan: 'business' as const, state: rt.state, clock: rt.clock, newWriter: () => rt.writer('poller'), owner: 'run-1', leaseSeconds: 1 };
    await expect(pollSource(POLL_SOURCES.activities!, deps, { from: FROM, to: TO })).rejects.toThrow('killed');
    expect(await rt.store.list('zoom/activities/')).toEqual([]);
    await new Promise((r) => setTimeout(r, 1_100)); // the crashed run's lease expires
    const rerun = await pollSource(POLL_SOURCES.activities!, { ...deps, api, owner: 'run-2' }, { from: FROM, to: TO });
    expect(rerun.status).toBe('ok');
    const truth = sim.org.activities.filter((a) => a.time.slice(0, 10) >= FROM && a.time.slice(0, 10) <= TO)
      .map((a) => `${a.email}|${Date.parse(a.time)}|${a.type}`).sort();
    const got = (await rows(dir, 'SELECT email, time, type FROM activities')).map((r) => `${r.email}|${Date.parse(String(r.time))}|${r.type}`).sort();
    expect(got).toEqual(truth);
  });
});
