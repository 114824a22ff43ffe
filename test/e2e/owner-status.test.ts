import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '#local/cli/main.ts';
import { startZoomSimulator } from '#local/zoom-simulator/server.ts';
import { startCli, type CliProcess } from '../support/cli-process.ts';

const children: CliProcess[] = [];
const sims: Awaited<ReturnType<typeof startZoomSimulator>>[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

const tempDir = () => mkdtempSync(join(tmpdir(), 'zoomlake-owner-'));

async function cli(env: Record<string, string>, ...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, {
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

const SECRET = { ZOOM_WEBHOOK_SECRET_TOKEN: 'owner-test-secret' };

describe('one owner per data folder', () => {
  it('a running serve owns the folder: writers are refused at start naming its pid, readers and status work, and it is free again after', async () => {
    const dir = tempDir();
    const serve = startCli(['serve', '--dir', dir, '--port', '0'], SECRET);
    children.push(serve);
    await serve.waitFor('listening on');

    for (const command of [['poll'], ['detect']]) {
      const { code, out, err } = await cli({}, ...command, '--dir', dir);
      expect({ command, code, out }).toEqual({ command, code: 1, out: '' });
      expect(err).toMatch(new RegExp(`^zoomlake ${command[0]}: .* is in use by zoomlake serve \\(pid ${serve.pid} since \\S+\\); .*stop it`));
      expect(err.trimEnd().split('\n')).toHaveLength(1);
    }

    const second = startCli(['serve', '--dir', dir, '--port', '0'], SECRET);
    children.push(second);
    expect(await second.exited()).toBe(1);
    expect(second.stderr()).toMatch(
      new RegExp(
        `^zoomlake serve: .* is in use by zoomlake serve \\(pid ${serve.pid} since \\S+\\); wait for it to finish or stop it, or use another --dir\\n$`,
      ),
    );
    expect(second.stdout()).toBe('');

    expect((await cli({}, 'tables', '--dir', dir)).code).toBe(0);
    expect((await cli({}, 'report', '--dir', dir, '--out', join(dir, 'report.html'))).code).toBe(0);
    expect((await cli({}, 'hunt', '--dir', dir, 'SELECT count(*) AS n FROM participant_events')).code).toBe(0);
    const status = await cli({}, 'status', '--dir', dir, '--json');
    expect(status.code).toBe(0);
    const reported = JSON.parse(status.out) as { owner: { pid: number; command: string; uptimeSeconds: number } | null; spooledEvents: number };
    expect(reported.owner).toMatchObject({ pid: serve.pid, command: 'serve' });
    expect(reported.owner!.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(reported.spooledEvents).toBe(0);
    const text = await cli({}, 'status', '--dir', dir);
    expect(text.out).toContain(`owner: zoomlake serve, pid ${serve.pid}, up `);

    serve.child.kill('SIGTERM');
    expect(await serve.exited()).toBe(0);
    expect(JSON.parse((await cli({}, 'status', '--dir', dir, '--json')).out)).toMatchObject({ owner: null });
    const detect = await cli({}, 'detect', '--dir', dir);
    expect({ code: detect.code, err: detect.err }).toEqual({ code: 0, err: '' });
  });
});

describe('zoomlake poll, source by source', () => {
  it("a source that fails prints its one line and leaves the others' data in the lake; status shows each outcome", async () => {
    const sim = await startZoomSimulator({ seed: 5, from: '2026-11-01', to: '2026-11-20', notFound: ['GET /accounts/{accountId}/recordings'] });
    sims.push(sim);
    const env = {
      ZOOM_ACCOUNT_ID: 'sim-account-id',
      ZOOM_CLIENT_ID: 'sim-client-id',
      ZOOM_CLIENT_SECRET: 'sim-client-secret',
      ZOOM_OAUTH_URL: sim.oauthUrl,
      ZOOM_API_BASE_URL: sim.apiBaseUrl,
    };
    const dir = tempDir();
    // recordings fails in the middle: the sources after it still run.
    const sources = ['activities', 'recordings', 'operation_logs'].flatMap((s) => ['--source', s]);
    const { code, out, err } = await cli(env, 'poll', '--dir', dir, '--from', '2026-11-10', '--to', '2026-11-20', ...sources);
    expect(code).toBe(1);
    expect(err).toMatch(/^zoomlake poll: recordings: Zoom rejected the request \(.*404.*\)\n$/);
    expect(out).toMatch(/^activities: ok, 1 windows, [1-9]\d* records/m);
    expect(out).toMatch(/^operation_logs: ok, 1 windows, [1-9]\d* records/m);

    const counted = await cli(
      env,
      'hunt',
      '--dir',
      dir,
      '--json',
      'SELECT (SELECT count(*) FROM activities) AS a, (SELECT count(*) FROM operation_logs) AS o',
    );
    const row = JSON.parse(counted.out) as { a: number; o: number };
    expect(Number(row.a)).toBe(sim.org.activities.filter((x) => x.time.slice(0, 10) >= '2026-11-10').length);
    expect(Number(row.o)).toBeGreaterThan(0);

    const status = JSON.parse((await cli(env, 'status', '--dir', dir, '--json')).out) as {
      sources: { source: string; cursor: string | null; lastRun: { outcome: string; reason: string | null } | null }[];
    };
    const of = (name: string) => status.sources.find((s) => s.source === name)!;
    expect(of('activities')).toMatchObject({ cursor: '2026-11-20', lastRun: { outcome: 'ok' } });
    expect(of('recordings')).toMatchObject({ cursor: null, lastRun: { outcome: 'failed' } });
    expect(of('recordings').lastRun!.reason).toContain('404');
    expect(of('users')).toMatchObject({ cursor: null, lastRun: null });
  });

  it('credentials Zoom refuses fail the pass once, not once per source', async () => {
    const sim = await startZoomSimulator({ seed: 5 });
    sims.push(sim);
    const env = {
      ZOOM_ACCOUNT_ID: 'sim-account-id',
      ZOOM_CLIENT_ID: 'sim-client-id',
      ZOOM_CLIENT_SECRET: 'wrong',
      ZOOM_OAUTH_URL: sim.oauthUrl,
      ZOOM_API_BASE_URL: sim.apiBaseUrl,
    };
    const { code, out, err } = await cli(env, 'poll', '--dir', tempDir());
    expect({ code, out }).toEqual({ code: 1, out: '' });
    expect(err).toMatch(
      /^zoomlake poll: activities: Zoom refused the credentials .*check ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET.*; the other sources were not polled\n$/,
    );
  });
});
