import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseConfig } from '#config/load.ts';
import type { Clock } from '#core/ports.ts';
import { detectOnce } from '#local/cli/jobs.ts';
import { notifiedAlerts, pollSimulated, replayWebhooks } from '#local/cli/replay.ts';
import { makeLocalRuntime, type LocalRuntime } from '#local/pipeline/runtime.ts';
import { startZoomSimulator, type ZoomSimulator } from '#local/zoom-simulator/server.ts';
import { judge, type Judged, type NotifiedAlert } from './classify.ts';
import { generateSecondOrg, type SecondOrg } from './generate.ts';

/*
 * `npm run second-org -- [--seed N] [--benign] [--end ISO] [--dir DIR]`: the second, independently designed
 * organisation through zoomlake's local pipeline the way `zoomlake demo` feeds its own (lambdas/local/cli/demo.ts):
 * the Zoom API simulator serves the organisation to the pollers and to the post-meeting correlation, the webhooks
 * are signed and posted in delivery order to the local webhook server (realtime checks, correlations), then every
 * scheduled detection runs once at the end (the correlation's long data-access waits pass in virtual time). Prints one JSON object: every alert judged against the manifest of
 * planted attacks, totals per detection, attacks found and missed.
 */

function args(argv: readonly string[]): { seed: number; benign: boolean; end: number; dir: string; keep: boolean; replay: boolean } {
  let seed = 1;
  let benign = false;
  let replay = false;
  let end = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  let dir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--seed') seed = Number(argv[++i]);
    else if (a === '--benign') benign = true;
    else if (a === '--end') end = Date.parse(argv[++i] ?? '');
    else if (a === '--dir') dir = argv[++i];
    else if (a === '--replay') replay = true;
    else throw new Error(`unknown argument ${a}; usage: run.ts [--seed N] [--benign] [--end ISO] [--dir DIR] [--replay]`);
  }
  if (!Number.isInteger(seed) || Number.isNaN(end)) throw new Error('--seed must be an integer and --end an ISO instant');
  const label = `seed${seed}-${benign ? 'benign' : 'attacks'}-${new Date(end).toISOString().slice(0, 13).replace(/[-:]/g, '')}`;
  return { seed, benign, end, dir: resolve(dir ?? join(tmpdir(), 'zoomlake-second-org', label)), keep: dir !== undefined, replay };
}

/** A clock that starts at the scenario's end and runs at real speed, plus whatever long waits were skipped. */
interface ScenarioClock extends Clock {
  advanceTo(ms: number): void;
}

function scenarioClock(end: number): ScenarioClock {
  const started = Date.now();
  let skipped = 0;
  const now = () => end + (Date.now() - started) + skipped;
  return { now, advanceTo: (ms) => void (skipped += Math.max(0, ms - now())) };
}

/** Waits at least this long are skipped in virtual time (the correlation's data-access window, up to 30 minutes). */
const LONG_WAIT_MS = 120_000;

/**
 * The post-meeting correlation waits in real time until a meeting's data-access window has passed (up to 30 minutes
 * after meetings with outsiders that ended just before the end). The demo would sit through those waits; here a
 * timer of two minutes or more fires at once and moves the clock to its due time, so the pipeline sees exactly the
 * time it would have seen after waiting. Returns the undo.
 */
function skipLongWaits(clock: ScenarioClock): () => void {
  const original = globalThis.setTimeout;
  const patched = ((fn: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) => {
    if (typeof ms === 'number' && ms >= LONG_WAIT_MS) {
      const due = clock.now() + ms;
      return original(() => {
        clock.advanceTo(due);
        fn(...rest);
      }, 0);
    }
    return original(fn, ms, ...rest);
  }) as unknown as typeof setTimeout;
  globalThis.setTimeout = patched;
  return () => {
    globalThis.setTimeout = original;
  };
}

async function sendWebhooks(rt: LocalRuntime, sim: ZoomSimulator, g: SecondOrg, clock: ScenarioClock) {
  const undo = skipLongWaits(clock);
  try {
    return await replayWebhooks(rt, sim, g.webhooks, clock);
  } finally {
    undo();
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  const opts = args(process.argv.slice(2));
  const took: Record<string, number> = {};
  let phase = Date.now();
  const g = generateSecondOrg({ seed: opts.seed, end: opts.end, benign: opts.benign });
  took.generate = Date.now() - phase;
  rmSync(opts.dir, { recursive: true, force: true });
  mkdirSync(opts.dir, { recursive: true });
  const dataAccessFile = join(opts.dir, 'data-access.ndjson');
  writeFileSync(dataAccessFile, g.dataAccess.map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(
    join(opts.dir, 'second-org-manifest.json'),
    JSON.stringify(
      {
        seed: opts.seed,
        benign: opts.benign,
        from: g.from,
        to: g.to,
        end: new Date(opts.end).toISOString(),
        webhooks_from: new Date(g.webhooksFrom).toISOString(),
        config: g.config,
        counts: g.counts,
        attacks: g.attacks,
        behaviours: g.behaviours,
      },
      null,
      2,
    ) + '\n',
  );
  writeFileSync(join(opts.dir, 'webhooks.ndjson'), g.webhooks.map((w) => w.body).join('\n') + '\n');
  const configJson = {
    ...g.config,
    correlation: {
      waitSeconds: 0,
      notReadyRetries: 2,
      notReadyIntervalSeconds: 1,
      dataAccess: {
        table: 'data_access',
        userColumn: 'principal',
        timeColumn: 'event_time',
        resourceColumn: 'object_key',
        localFile: dataAccessFile,
      },
    },
  };
  writeFileSync(join(opts.dir, 'zoomlake.config.json'), JSON.stringify(configJson, null, 2) + '\n');
  const clock = scenarioClock(opts.end);
  const rt = makeLocalRuntime(parseConfig(configJson, 'second-org config'), opts.dir, clock);
  const sim = await startZoomSimulator({ org: g.org, plan: 'business', clock, host: '127.0.0.1', port: 0 });
  try {
    phase = Date.now();
    const runs = await pollSimulated(rt, sim, { from: g.from, to: g.to }, clock, `second-org-${process.pid}`);
    took.poll = Date.now() - phase;
    phase = Date.now();
    const hooks = await sendWebhooks(rt, sim, g, clock);
    took.webhooks = Date.now() - phase;
    phase = Date.now();
    const detections = rt.registry.scheduled();
    const nowMs = clock.now();
    const { summary: pass, alerts: raised, delivered } = await detectOnce(rt, detections, nowMs);
    took.detections = Date.now() - phase;
    const alerts = notifiedAlerts<NotifiedAlert>(rt).map((a) => judge(a, g));
    const totals: Record<string, { planted: number; benign: number }> = {};
    for (const d of rt.registry.detections) totals[d.id] = { planted: 0, benign: 0 };
    for (const a of alerts) {
      const t = (totals[a.detection_id] ??= { planted: 0, benign: 0 });
      if (a.verdict === 'planted') t.planted++;
      else t.benign++;
    }
    const attacks = g.attacks.map((a) => {
      const hits = alerts.filter((x) => x.attack === a.id);
      return {
        id: a.id,
        threat: a.threat,
        found: hits.length > 0,
        by: [...new Set(hits.map((h) => h.detection_id))],
        alerts: hits.length,
        summary: a.summary,
        at: a.at,
        meetings: a.meetings.map((m) => m.topic),
      };
    });
    const benignAlerts = alerts.filter((a) => a.verdict === 'ordinary');
    // --replay: the scheduled detections also run once a day over the fortnight (at the end's time of day), as their
    // schedules would have run them in production; alerts the end-only run did not raise are reported apart.
    let replay: { ticks: number; alerts: Judged[]; totals: Record<string, { planted: number; benign: number }>; attacks_found: string[] } | undefined;
    if (opts.replay) {
      phase = Date.now();
      const before = alerts.length;
      const ticks = Array.from({ length: 13 }, (_, i) => opts.end - (13 - i) * 86_400_000);
      for (const tick of ticks) await detectOnce(rt, detections, tick);
      const keys = new Set(alerts.map((a) => `${a.detection_id}|${JSON.stringify(a.entities)}`));
      const extra = notifiedAlerts<NotifiedAlert>(rt)
        .map((a) => judge(a, g))
        .filter((a) => !keys.has(`${a.detection_id}|${JSON.stringify(a.entities)}`));
      const rtotals: Record<string, { planted: number; benign: number }> = {};
      for (const a of extra) {
        const t = (rtotals[a.detection_id] ??= { planted: 0, benign: 0 });
        if (a.verdict === 'planted') t.planted++;
        else t.benign++;
      }
      replay = {
        ticks: ticks.length,
        alerts: extra,
        totals: rtotals,
        attacks_found: [...new Set(extra.filter((a) => a.attack).map((a) => a.attack!))],
      };
      took.replay = Date.now() - phase;
      void before;
    }
    const out = {
      generator: 'second-org',
      seed: opts.seed,
      benign: opts.benign,
      end: new Date(opts.end).toISOString(),
      from: g.from,
      to: g.to,
      webhooks_from: new Date(g.webhooksFrom).toISOString(),
      dir: opts.dir,
      counts: g.counts,
      pipeline: {
        polled: Object.fromEntries(runs.map((r) => [r.source, r.records])),
        poll_failures: runs.filter((r) => r.status !== 'ok').map((r) => `${r.source}: ${r.status} ${r.reason ?? ''}`),
        webhooks_posted: hooks.posted,
        webhooks_refused: hooks.refused,
        refused_events: hooks.refusedEvents,
        correlations: hooks.correlations,
        detections_at: new Date(nowMs).toISOString(),
        scheduled_alerts: raised.length,
        scheduled_alerts_new: delivered.filter((d) => d.outcome === 'notified').length,
        detection_failures: pass.detections.filter((d) => !d.ok).map((d) => `${d.detection}: ${d.error ?? ''}`),
      },
      summary: {
        alerts: alerts.length,
        planted_alerts: alerts.length - benignAlerts.length,
        benign_alerts: benignAlerts.length,
        attacks_planted: attacks.length,
        attacks_found: attacks.filter((a) => a.found).length,
      },
      totals: Object.fromEntries(Object.entries(totals).filter(([, t]) => t.planted + t.benign > 0)),
      attacks,
      alerts: alerts satisfies Judged[],
      ...(replay ? { replay } : {}),
      seconds: Object.fromEntries(Object.entries({ ...took, total: Date.now() - started }).map(([k, ms]) => [k, Math.round(ms / 100) / 10])),
    };
    process.stdout.write(JSON.stringify(out) + '\n');
    return out.pipeline.poll_failures.length > 0 || out.pipeline.detection_failures.length > 0 ? 1 : 0;
  } finally {
    await sim.close();
    if (!opts.keep) {
      // Keep the lake for inspection: it is in the temp folder and the next run of the same label replaces it.
    }
  }
}

process.exitCode = await main();
