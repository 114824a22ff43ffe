/**
 * Realtime figures for `npm run bench`: webhook-to-alert latency through a local `zoomlake serve` (signed POST on
 * loopback -> receiver -> spool -> realtime checks -> suppression, alerts table, alerts.jsonl), p50 and p95, and
 * events per second through the realtime path. The embedded state store appends and fdatasyncs one journal line per
 * write, so these are local figures, not DynamoDB's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '#config/load.ts';
import { CONFIG_DEFAULTS } from '#config/schema.ts';
import { webhookBody } from '#core/webhook/envelope.ts';
import { WEBHOOK_INLINE_BODY_BYTES } from '#core/webhook/receive.ts';
import { zoomSignature } from '#core/webhook/verify.ts';
import { makeLocalRealtime } from '#local/pipeline/realtime.ts';
import { makeLocalRuntime } from '#local/pipeline/runtime.ts';
import { startWebhookServer } from '#local/pipeline/webhook-server.ts';

type Emit = (name: string, value: number, unit: string, extra?: Record<string, unknown>) => void;

const SECRET = 'bench-secret-token';

function join_(i: number, topic: string, email: string, signedIn = true): string {
  const at = Date.now();
  return webhookBody({
    event: 'meeting.participant_joined',
    eventTs: at,
    payload: {
      account_id: 'acct-bench',
      object: {
        id: String(81_000_000_000 + (i % 50)),
        uuid: `bench-${i % 50}==`,
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

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;

/** Runs the realtime section of the bench with `events` webhooks per figure. */
export async function realtimeBench(emit: Emit, events: number): Promise<void> {
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
    const server = await startWebhookServer({
      pipeline: rt.webhookPipeline(),
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
    const post = async (body: string) => {
      const ts = String(Math.floor(Date.now() / 1000));
      const res = await fetch(server.url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'x-zm-request-timestamp': ts, 'x-zm-signature': zoomSignature(SECRET, ts, Buffer.from(body)) },
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`bench webhook answered ${res.status}`);
    };
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

      // Throughput: webhooks posted back to back, mostly without alerts (joins of ordinary meetings), until all are checked.
      const before = processed;
      const start = performance.now();
      for (let i = 0; i < events; i++) await post(join_(events + i, 'Weekly sync', `user${i}@example.com`));
      await realtime.idle();
      const seconds = (performance.now() - start) / 1000;
      emit('realtime_events_per_s', (processed - before) / seconds, 'events/s', {
        events,
        path: 'HTTP receive + realtime checks, no alerts',
        state: 'embedded file store',
      });
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
