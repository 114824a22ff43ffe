import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from '#local/cli/main.ts';
import { initLakeFolder } from '#local/pipeline/lake-folder.ts';
import { localPaths } from '#local/pipeline/runtime.ts';
import { runCli } from '../support/cli-process.ts';

const run = promisify(execFile);

const cli = (...argv: string[]) => runCli(argv);

const tempDir = () => mkdtempSync(join(tmpdir(), 'zoomlake-cli-'));
/** A data folder as a writer leaves it before its first event. */
const dataDir = () => {
  const dir = tempDir();
  initLakeFolder(localPaths(dir));
  return dir;
};
const SAMPLES = new URL('../../samples/webhooks.ndjson', import.meta.url).pathname;
/** Loads the bundled sample webhooks into `dir` (what `demo` did before issue #8). */
const loadSamples = (dir: string) => cli('load', SAMPLES, '--dir', dir);
const countsOf = (out: string) =>
  Object.fromEntries([...out.matchAll(/^(\w+)\s+(\d+)\s+(\d+)$/gm)].map((m) => [m[1], { raw: Number(m[2]), records: Number(m[3]) }]));

describe('zoomlake CLI (local pipeline)', () => {
  it('load takes the samples, rejects the broken body, and reads the Zoom retry once', async () => {
    const dir = tempDir();
    const { code, out } = await loadSamples(dir);
    expect(code).toBe(0);
    expect(out).toContain('loaded 14 webhook bodies');
    expect(out).toContain('body 15 (line 15): not_envelope: body is not valid JSON');
    expect(countsOf((await cli('tables', '--dir', dir)).out).webhook_events).toEqual({ raw: 14, records: 13 });
    const byEvent = await cli('hunt', '--dir', dir, 'SELECT event, count(*) AS n FROM webhook_events GROUP BY event');
    expect(byEvent.out).toMatch(/meeting\.participant_joined\s+3\s/);
    expect(byEvent.out).toMatch(/zoom\.some_future_event\s+1\s/);
  });

  it('loading twice keeps every record once through the views', async () => {
    const dir = tempDir();
    await loadSamples(dir);
    await loadSamples(dir);
    expect(countsOf((await cli('tables', '--dir', dir)).out).webhook_events).toEqual({ raw: 28, records: 13 });
  });

  it('lays the lake out as zoom/<table>/dt=YYYY-MM-DD/*.parquet', async () => {
    const dir = tempDir();
    await loadSamples(dir);
    expect(readdirSync(join(dir, 'lake', 'zoom', 'webhook_events')).sort()).toEqual(['dt=2026-11-20', 'dt=2026-11-21', 'dt=2026-11-22']);
    expect(readdirSync(join(dir, 'lake', 'zoom', 'webhook_events', 'dt=2026-11-20'))).toEqual([
      expect.stringMatching(/^cli-load-[0-9a-f-]{36}\.parquet$/),
    ]);
  });

  it('load takes NDJSON, a JSON array and a single body, and hunt --json prints one object per row', async () => {
    const dir = tempDir();
    const body = (n: number) => ({ event: 'meeting.started', event_ts: Date.UTC(2025, 0, n), payload: { object: { id: n } } });
    writeFileSync(join(dir, 'a.ndjson'), `${JSON.stringify(body(1))}\n${JSON.stringify(body(2))}\n`);
    writeFileSync(join(dir, 'b.json'), JSON.stringify([body(3), body(4)]));
    writeFileSync(join(dir, 'c.json'), JSON.stringify(body(5), null, 2));
    const loaded = await cli('load', join(dir, 'a.ndjson'), join(dir, 'b.json'), join(dir, 'c.json'), '--dir', dir);
    expect(loaded.code).toBe(0);
    expect(loaded.out.match(/loaded (\d+)/g)).toEqual(['loaded 2', 'loaded 2', 'loaded 1']);
    const hunt = await cli('hunt', '--json', '--dir', dir, 'SELECT object_id FROM webhook_events ORDER BY event_time');
    expect(
      hunt.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(['1', '2', '3', '4', '5'].map((object_id) => ({ object_id })));
  });

  it('hunt runs Athena SQL with Trino functions unchanged', async () => {
    const dir = tempDir();
    await loadSamples(dir);
    const { code, out } = await cli(
      'hunt',
      '--dir',
      dir,
      `SELECT json_extract_scalar(raw, '$.payload.operator') AS who, date_diff('hour', from_iso8601_timestamp('2026-11-20T00:00:00Z'), event_time) AS hours
       FROM webhook_events WHERE regexp_like(event, '^recording\\.') AND operator IS NOT NULL`,
    );
    expect(code).toBe(0);
    expect(out).toMatch(/sam\.patel@example\.com\s+47/);
  });

  it.each([
    [['tables', '--config', '/nonexistent/zoomlake.config.json'], 2, 'cannot read config file /nonexistent/zoomlake.config.json'],
    [['hunt', 'SELECT nope FROM webhook_events'], 1, 'query failed'],
    [['launch'], 2, 'unknown command "launch"'],
    [['tables', '--colour'], 2, "Unknown option '--colour'"],
    [['load'], 2, 'load needs at least one FILE'],
  ])('%j exits %i with a clear message', async (argv, exitCode, message) => {
    const { code, err } = await cli(...argv, '--dir', dataDir());
    expect(code).toBe(exitCode);
    expect(err).toContain(message);
  });

  it('names the bad field of a config', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ watchedUsers: ['not-an-email'] }));
    const { code, err } = await cli('config', '--config', join(dir, 'bad.json'), '--dir', dir);
    expect(code).toBe(2);
    expect(err).toContain('watchedUsers.0: must be an email address');
  });

  it('runs as `npx zoomlake` through the package bin', async () => {
    const dir = dataDir();
    const { stdout } = await run('npx', ['zoomlake', 'tables', '--dir', dir], { cwd: new URL('../..', import.meta.url).pathname });
    expect(countsOf(stdout).alerts).toEqual({ raw: 0, records: 0 });
  });
});

describe('queries/hunting', () => {
  const folder = new URL('../../queries/hunting/', import.meta.url).pathname;
  it.each(readdirSync(folder).filter((f) => f.endsWith('.sql')))('%s runs unchanged on the local engine', async (file) => {
    const dir = tempDir();
    await loadSamples(dir);
    const { code, err } = await cli('hunt', '--file', join(folder, file), '--dir', dir);
    expect({ code, err }).toEqual({ code: 0, err: '' });
  });
});

describe('zoomlake simulate', () => {
  it('serves the simulator until stopped and prints the environment to point a poller at it', async () => {
    let out = '';
    let stop: () => void = () => undefined;
    const running = main(['simulate', '--port', '0', '--plan', 'pro'], {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        out += t;
      },
      env: {},
      untilStopped: () =>
        new Promise<void>((resolve) => {
          stop = resolve;
        }),
    });
    for (let i = 0; i < 100 && !out.includes('ZOOM_API_BASE_URL='); i++) await new Promise((r) => setTimeout(r, 20));
    const oauth = /ZOOM_OAUTH_URL=(\S+)/.exec(out)![1]!;
    const res = await fetch(`${oauth}?grant_type=account_credentials&account_id=sim-account-id`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('sim-client-id:sim-client-secret').toString('base64')}` },
    });
    expect(res.status).toBe(200);
    stop();
    expect(await running).toBe(0);
  });

  it('rejects an unknown plan', async () => {
    const { code, err } = await cli('simulate', '--plan', 'gold', '--dir', tempDir());
    expect(code).toBe(2);
    expect(err).toContain('--plan must be one of free, pro, business, enterprise');
  });
});
