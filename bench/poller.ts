/** Poller figures for `npm run bench`: records/s and requests per record against the simulator, and pacing. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '#config/load.ts';
import { backfillWindows } from '#core/poll/cursor.ts';
import { pollSource } from '#core/poll/run.ts';
import { POLL_SOURCES } from '#core/poll/sources.ts';
import { ZoomHttpClient } from '#core/zoom/client.ts';
import { httpFetch } from '#runtime/http-fetch.ts';
import { makeLocalRuntime } from '#local/pipeline/runtime.ts';
import { startZoomSimulator } from '#local/zoom-simulator/server.ts';

type Emit = (name: string, value: number, unit: string, extra?: Record<string, unknown>) => void;

/** Backfills sign-ins over a two-month simulated organisation, the simulator answering instantly. */
export async function pollerBench(emit: Emit): Promise<void> {
  const from = '2026-09-25';
  const to = '2026-11-20';
  // A low cap makes pacing, not the simulator, decide the duration, so the share of the allowed rate is meaningful.
  const maxRequestsPerSecond = 3;
  const sim = await startZoomSimulator({ seed: 3, from, to, plan: 'enterprise' });
  const dir = mkdtempSync(join(tmpdir(), 'zoomlake-bench-poll-'));
  try {
    const rt = makeLocalRuntime(parseConfig({}), dir);
    const sent: number[] = [];
    const api = new ZoomHttpClient({
      fetch: (url, init) => {
        if (url.startsWith(sim.apiBaseUrl)) sent.push(performance.now());
        return httpFetch(url, init);
      },
      clock: rt.clock,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      random: Math.random,
      credentials: { accountId: 'sim-account-id', clientId: 'sim-client-id', clientSecret: 'sim-client-secret' },
      oauthUrl: sim.oauthUrl,
      apiBaseUrl: sim.apiBaseUrl,
      plan: 'enterprise',
      apiBudgetShare: 1,
      maxRequestsPerSecond,
    });
    const deps = {
      api,
      plan: 'enterprise' as const,
      state: rt.state,
      clock: rt.clock,
      newWriter: () => rt.writer('bench'),
      owner: 'bench',
      leaseSeconds: 600,
    };
    const t = performance.now();
    const run = await pollSource(POLL_SOURCES.activities!, deps, { from, to });
    const seconds = (performance.now() - t) / 1000;
    const records = run.records;
    // The pagination minimum: ceil(records / 300) pages per window, at least one.
    const minimumPages = backfillWindows(from, to, rt.clock.now())
      .map((w) => sim.org.activities.filter((a) => a.time.slice(0, 10) >= w.from && a.time.slice(0, 10) <= w.to).length)
      .reduce((n, c) => n + Math.max(1, Math.ceil(c / 300)), 0);
    let peak = 0;
    for (const s of sent) peak = Math.max(peak, sent.filter((u) => u >= s && u < s + 1000).length);
    const busySeconds = sent.length > 1 ? (sent.at(-1)! - sent[0]!) / 1000 : 0;
    emit('poller_records_per_s', records / seconds, 'records/s', { source: 'activities', records, windows: run.windows });
    emit('poller_requests_per_record', sent.length / Math.max(1, records), 'requests/record', {
      requests: sent.length,
      pagination_minimum: minimumPages,
    });
    emit('poller_requests_vs_minimum', sent.length / minimumPages, 'ratio', { target_max: 1.05 });
    emit('poller_peak_requests_per_s', peak, 'requests/s', { allowed: maxRequestsPerSecond });
    emit('poller_rate_used', busySeconds > 0 ? (sent.length - 1) / busySeconds / maxRequestsPerSecond : 0, 'share', {
      target_min: 0.9,
      allowed: maxRequestsPerSecond,
    });
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
