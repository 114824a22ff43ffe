import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '#config/load.ts';
import { REALTIME_IDS as D } from '#core/realtime/catalog.ts';
import { webhookBody } from '#core/webhook/envelope.ts';
import { makeLocalRuntime } from '#local/pipeline/runtime.ts';
import { startZoomSimulator } from '#local/zoom-simulator/server.ts';
import type { SimMeeting } from '#local/zoom-simulator/org.ts';
import { startCli, type CliProcess } from '../support/cli-process.ts';
import { alice, guests, REALTIME_TEST_CONFIG } from '../support/realtime-cases.ts';
import { joinEvent } from '../support/webhook-bodies.ts';
import { postSigned } from '../support/signed-post.ts';

/*
 * `zoomlake run` as a user runs it: the real binary as a child process against the simulator, short schedules,
 * signed webhooks (each delivered twice, as Zoom retries), SIGTERM, then the lake and alerts.jsonl checked.
 */

const SECRET = 'run-e2e-secret';
const children: CliProcess[] = [];
const sims: Awaited<ReturnType<typeof startZoomSimulator>>[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

const post = (url: string, body: string) => postSigned(url, body, SECRET);

function meetingEnded(m: SimMeeting): string {
  return webhookBody({
    event: 'meeting.ended',
    eventTs: Date.parse(m.end_time) + 1_000,
    payload: {
      account_id: 'sim-account-id',
      object: {
        uuid: m.uuid,
        id: m.id,
        host_id: m.host_id,
        topic: m.topic,
        type: m.type,
        start_time: m.start_time,
        end_time: m.end_time,
        duration: m.duration,
        timezone: 'UTC',
      },
    },
  });
}

type LogLine = { event: string } & Record<string, unknown>;
const logLines = (text: string): LogLine[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);

describe('zoomlake run', () => {
  it('is the whole pipeline: repeated poll and detection passes, webhooks, realtime checks and correlation, and a clean stop on SIGTERM', async () => {
    const sim = await startZoomSimulator({ seed: 7, plan: 'business' });
    sims.push(sim);
    const dir = mkdtempSync(join(tmpdir(), 'zoomlake-run-'));
    const configFile = join(dir, 'zoomlake.config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        ...REALTIME_TEST_CONFIG,
        planTier: 'business',
        // Every meeting: the simulator's meeting is an ordinary one, which the default (`needed`) would skip.
        correlation: { meetings: 'all', waitSeconds: 0, notReadyRetries: 0 },
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
    const run = startCli(['run', '--dir', dir, '--config', configFile, '--port', '0', '--poll-every', '1s', '--detect-every', '1s', '--json'], env);
    children.push(run);
    await run.waitFor('"event":"listening"');
    const listening = logLines(run.stdout()).find((l) => l.event === 'listening')!;
    const url = String(listening.url);
    const sources = listening.sources as string[];
    expect(sources).toEqual(['activities', 'operation_logs', 'users', 'meetings', 'participant_details', 'recordings', 'meeting_activities']);
    // The daily lake compaction is scheduled too, and runs once at start over the closed days.
    expect(listening.compaction).toBe(true);
    await run.waitFor('"event":"compact"');

    // A join burst and a guest using an employee's name (realtime), and a meeting's end (correlation); Zoom retries each.
    const ended = sim.org.meetings.filter((m) => Date.parse(m.end_time) < Date.now()).sort((a, b) => b.end_time.localeCompare(a.end_time))[0]!;
    const bodies = [
      alice,
      ...guests(4, { ip: (i) => `198.51.100.${i}` }),
      joinEvent({ name: 'ALICE  Anders (guest)', uuid: 'inst-2==' }),
      meetingEnded(ended),
    ];
    for (const body of bodies) {
      expect(await post(url, body)).toBe(200);
      expect(await post(url, body)).toBe(200);
    }

    // At least two passes of every source and of the detections.
    const passes = () => {
      const lines = logLines(run.stdout());
      const polls = Object.fromEntries(sources.map((s) => [s, lines.filter((l) => l.event === 'poll' && l.source === s).length]));
      return { polls, detections: lines.filter((l) => l.event === 'detect' && Array.isArray(l.detections)).length };
    };
    const enough = () => Object.values(passes().polls).every((n) => n >= 2) && passes().detections >= 2;
    for (const deadline = Date.now() + 90_000; !enough(); await new Promise((r) => setTimeout(r, 100))) {
      if (Date.now() > deadline) throw new Error(`too few passes: ${JSON.stringify(passes())}; stderr: ${run.stderr()}`);
    }
    await run.waitFor(/"correlation":"completed"/, 60_000);

    run.child.kill('SIGTERM');
    expect(await run.exited()).toBe(0);
    expect(run.stderr()).toBe('');
    const lines = logLines(run.stdout());
    expect(lines.filter((l) => l.event === 'poll').every((l) => l.status === 'ok')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ event: 'stopped' });
    expect(lines.filter((l) => l.event === 'detect').every((l) => l.failed === 0)).toBe(true);

    // Every accepted event once in the lake, typed rows included; nothing left in the spool.
    const rt = makeLocalRuntime(parseConfig({}), dir);
    const engine = await rt.openQueryEngine();
    try {
      const events = await engine.query('SELECT event, count(*) AS n FROM webhook_events GROUP BY event ORDER BY event');
      expect(events.rows.map((r) => [r.event, Number(r.n)])).toEqual([
        ['meeting.ended', 1],
        ['meeting.participant_joined', 5],
        ['user.created', 1],
      ]);
      const raw = await engine.query('SELECT count(*) AS n FROM webhook_events_raw');
      expect(Number(raw.rows[0]!.n)).toBe(2 * bodies.length); // both deliveries kept raw, read once through the view
      const joined = await engine.query("SELECT count(*) AS n FROM participant_events WHERE event = 'meeting.participant_joined'");
      expect(Number(joined.rows[0]!.n)).toBe(5);
      // The pollers' data is there too.
      const activities = await engine.query('SELECT count(*) AS n FROM activities');
      expect(Number(activities.rows[0]!.n)).toBeGreaterThan(0);
    } finally {
      engine.close();
    }
    const spool = join(dir, 'state', 'webhook-spool.jsonl');
    expect(existsSync(spool) ? readFileSync(spool, 'utf8') : '').toBe('');

    // The realtime alerts, each once: the scheduled passes' repeats are suppressed, not re-notified.
    const alerts = readFileSync(join(dir, 'alerts.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { detail: { detection_id: string; alert_id: string } }).detail);
    const ids = alerts.map((a) => a.detection_id);
    expect(ids.filter((id) => id === D.joinBurst)).toHaveLength(1);
    expect(ids.filter((id) => id === D.guestImpersonatesInternal)).toHaveLength(1);
    expect(new Set(alerts.map((a) => a.alert_id)).size).toBe(alerts.length);
  });
});
