/**
 * Realtime figures for `npm run bench`: webhook-to-alert latency through a local `zoomlake serve` (signed POST on
 * loopback -> receiver -> spool -> realtime checks -> suppression, alerts table, alerts.jsonl), p50 and p95, one
 * webhook at a time; and events per second through the same path with a bounded number of requests in flight (Zoom
 * delivering to a busy endpoint), with the fsyncs per event. The spool and the embedded state store's journal group
 * their fdatasyncs (group commit), so these are local figures, not DynamoDB's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '#config/load.ts';
import { CONFIG_DEFAULTS } from '#config/schema.ts';
import { webhookBody } from '#core/webhook/envelope.ts';
import { WEBHOOK_INLINE_BODY_BYTES } from '#core/webhook/receive.ts';
import { zoomSignature } from '#core/webhook/verify.ts';
import { DEFAULT_REALTIME_CONCURRENCY, makeLocalRealtime } from '#local/pipeline/realtime.ts';
import { makeLocalRuntime } from '#local/pipeline/runtime.ts';
import { startWebhookServer } from '#local/pipeline/webhook-server.ts';

type Emit = (name: string, value: number, unit: string, extra?: Record<string, unknown>) => void;

const SECRET = 'bench-secret-token';
/** Live meetings the webhooks are spread over: the realtime checks keep each meeting's events in order. */
const MEETINGS = Number(process.env.BENCH_REALTIME_MEETINGS ?? 200);

function join_(i: number, topic: string, email: string, signedIn = true): string {
  const at = Date.now();
  return webhookBody({
    event: 'meeting.participant_joined',
    eventTs: at,
    payload: {
      account_id: 'acct-bench',
      object: {
        id: String(81_000_000_000 + (i % MEETINGS)),
        uuid: `bench-${i % MEETINGS}==`,
        host_id: 'hostbench01',
        topic,
        type: 2,
        participant: {
          ...(signedIn ? { user_id: String(16_778_000 + i), id: `x${i}` } : {}),
          user_name: `Guest ${i}`,
          participant_uuid: `p-${i}`,
          join_time: new Date(at).toISOString(),
          email,
          public_ip: `198.51.100.${i % 250}`,
        },
      },
    },
  });
}

/**
 * Counts every fsync and fdatasync of the process (spool, state journal, snapshots, folders, dead letters) from now
 * until `stop()`, by wrapping node's FileHandle methods: the figure needs no counter inside the code it measures.
 */
async function countSyncs(dir: string): Promise<{ count: () => number; stop: () => void }> {
  const probe = await open(join(dir, 'sync-probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as Record<'sync' | 'datasync', (...args: unknown[]) => Promise<void>>;
  await probe.close();
  let count = 0;
  const originals = { sync: proto.sync, datasync: proto.datasync };
  for (const method of ['sync', 'datasync'] as const) {
    const original = originals[method];
    proto[method] = function (this: unknown, ...args: unknown[]) {
      count++;
      return original.apply(this, args);
    };
  }
  return {
    count: () => count,
    stop: () => Object.assign(proto, originals),
  };
}

/** The median time of one small append + fdatasync in `dir` (50 of them): the disk's group-commit clock during this run. */
async function fdatasyncMs(dir: string): Promise<number> {
  const handle = await open(join(dir, 'fdatasync-probe'), 'a');
  const times: number[] = [];
  try {
    for (let i = 0; i < 50; i++) {
      const start = performance.now();
      await handle.appendFile(`${'x'.repeat(200)}\n`);
      await handle.datasync();
      times.push(performance.now() - start);
    }
  } finally {
    await handle.close();
  }
  return quantile(
    times.sort((a, b) => a - b),
    0.5,
  );
}

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;

/**
 * Runs the realtime section of the bench: `events` webhooks one at a time for the latency, then `rateEvents` with
 * `inFlight` requests in flight for the rate.
 */
export async function realtimeBench(emit: Emit, events: number, rateEvents: number, inFlight: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'zoomlake-bench-realtime-'));
  try {
    const rt = makeLocalRuntime(parseConfig({ internalDomains: ['example.com'], sensitiveMeetingPatterns: ['board'] }), dir);
    const alertedAt = new Map<string, number>();
    let processed = 0;
    const realtime = makeLocalRealtime(rt, () => undefined, {
      onOutcome: (outcome, detail) => {
        processed++;
        if (outcome.status === 'processed' && outcome.delivered.some((d) => d.outcome === 'notified')) {
          alertedAt.set((detail as { body: string }).body, performance.now());
        }
      },
    });
    const pipeline = rt.webhookPipeline();
    const server = await startWebhookServer({
      pipeline,
      bodies: rt.store,
      clock: rt.clock,
      secret: SECRET,
      host: '127.0.0.1',
      port: 0,
      flushIntervalMs: 3_600_000,
      receiver: {
        replayWindowSeconds: CONFIG_DEFAULTS.webhook.replayWindowSeconds,
        maxBodyBytes: CONFIG_DEFAULTS.webhook.maxBodyBytes,
        inlineBodyBytes: WEBHOOK_INLINE_BODY_BYTES,
      },
      log: () => undefined,
      realtime,
    });
    // node:http with keep-alive rather than fetch: the sender shares the event loop with the receiver it measures,
    // and undici's fetch costs several times more CPU per request than the receiver's own work.
    const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
    const post = (body: string) =>
      new Promise<void>((resolve, reject) => {
        const ts = String(Math.floor(Date.now() / 1000));
        const bytes = Buffer.from(body);
        const req = request(
          server.url,
          {
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              'content-length': bytes.length,
              'x-zm-request-timestamp': ts,
              'x-zm-signature': zoomSignature(SECRET, ts, bytes),
            },
          },
          (res) => {
            res.resume();
            res.on('error', reject);
            res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`bench webhook answered ${res.statusCode}`))));
          },
        );
        req.on('error', reject);
        req.end(bytes);
      });
    try {
      // Latency: one webhook at a time, each raising a new alert (an external joining a board meeting).
      const latencies: number[] = [];
      for (let i = 0; i < events; i++) {
        const body = join_(i, 'Board sync', `ext${i}@partner.test`, false);
        const sent = performance.now();
        await post(body);
        await realtime.idle();
        const at = alertedAt.get(body);
        if (at === undefined) throw new Error(`bench webhook ${i} raised no alert`);
        latencies.push(at - sent);
      }
      latencies.sort((a, b) => a - b);
      const extra = {
        events,
        path: 'signed POST -> verify -> spool -> checks -> suppression + alerts table + alerts.jsonl',
        state: 'embedded file store',
      };
      emit('realtime_webhook_to_alert_p50_ms', quantile(latencies, 0.5), 'ms', extra);
      emit('realtime_webhook_to_alert_p95_ms', quantile(latencies, 0.95), 'ms', { ...extra, target_max: 100 });

      // Throughput: `inFlight` senders post back to back until `rateEvents` are answered, then wait until all are
      // checked. Nine joins in ten are employees joining an ordinary meeting; one in ten is an outside guest, which
      // adds the outsider and IP-join markers and the join-burst query (a burst alert, then suppressed repeats).
      const diskSyncMs = await fdatasyncMs(dir);
      const before = processed;
      const syncs = await countSyncs(dir);
      const spoolSyncsBefore = pipeline.spoolSyncs;
      const cpuBefore = process.cpuUsage();
      const start = performance.now();
      let next = 0;
      const sender = async () => {
        for (let n = next++; n < rateEvents; n = next++) {
          const i = events + n;
          await post(n % 10 === 9 ? join_(i, 'Weekly sync', `guest${n}@partner.test`) : join_(i, 'Weekly sync', `user${n}@example.com`));
        }
      };
      await Promise.all(Array.from({ length: inFlight }, sender));
      await realtime.idle();
      const seconds = (performance.now() - start) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      syncs.stop();
      const checked = processed - before;
      emit('realtime_events_per_s', checked / seconds, 'events/s', {
        events: checked,
        in_flight: inFlight,
        path: 'signed POST -> verify -> spool (200 after its fdatasync) -> every realtime check -> suppression',
        state: 'embedded file store, group commit',
        // Per second of this process's CPU time, the senders' included: what the path costs whatever else runs.
        cpu_events_per_s: Math.round(checked / ((cpu.user + cpu.system) / 1e6)),
        fsyncs_per_event: Number((syncs.count() / checked).toFixed(3)),
        spool_fsyncs_per_event: Number(((pipeline.spoolSyncs - spoolSyncsBefore) / checked).toFixed(3)),
        meetings: MEETINGS,
        realtime_concurrency: DEFAULT_REALTIME_CONCURRENCY,
        // The rate is bound by the disk's fdatasync latency and the CPU left by other processes: both said here.
        disk_fdatasync_ms_p50: Number(diskSyncMs.toFixed(3)),
        load_average_1m: Number(loadavg()[0]!.toFixed(2)),
        cpus: availableParallelism(),
        target_min: 2000,
      });
    } finally {
      agent.destroy();
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
