/** Webhook figures for `npm run bench`: handler path rate and p99, Lambda bundle size and cold init, writer rate. */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_DEFAULTS } from '#config/schema.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import type { BusEvent, EventPublisher } from '#core/ports.ts';
import { webhookBody } from '#core/webhook/envelope.ts';
import { writeWebhookEvents } from '#core/webhook/lake-writer.ts';
import { receiveWebhook, WEBHOOK_INLINE_BODY_BYTES, type WebhookHttpRequest } from '#core/webhook/receive.ts';
import { zoomSignature } from '#core/webhook/verify.ts';
import { MemoryObjectStore } from '../test/support/memory-object-store.ts';
import { prng } from './synthetic.ts';

type Emit = (name: string, value: number, unit: string, extra?: Record<string, unknown>) => void;

const SECRET = 'bench-secret-token';
const NOW = Date.UTC(2026, 10, 26, 12);

/** In-memory bus: what the handler path costs without the network. */
class ArrayBus implements EventPublisher {
  readonly events: BusEvent[] = [];
  async publish(events: readonly BusEvent[]): Promise<void> {
    for (const e of events) this.events.push(e);
  }
}

function participantBody(i: number, rand: () => number): string {
  const at = new Date(NOW - Math.floor(rand() * 3_600_000)).toISOString().replace('.000', '');
  return webhookBody({
    event: i % 2 === 0 ? 'meeting.participant_joined' : 'meeting.participant_left',
    eventTs: NOW - i,
    payload: {
      account_id: 'acct-bench',
      object: {
        id: String(81_000_000_000 + (i % 5000)),
        uuid: `uuid-${i % 5000}==`,
        host_id: 'hostbench01',
        topic: `Weekly sync ${i % 300}`,
        type: 2,
        start_time: at,
        duration: 60,
        timezone: 'Europe/London',
        participant: {
          user_id: String(16_778_000 + i),
          user_name: i % 7 === 0 ? 'Zoë Ñúñez' : `User ${i % 2000}`,
          id: `u${i % 2000}`,
          participant_uuid: `p-${i}`,
          join_time: at,
          email: i % 10 === 0 ? '' : `user${i % 2000}@example.com`,
          public_ip: `198.51.100.${i % 250}`,
        },
      },
    },
  });
}

/** Runs the webhook section of the bench. */
export async function webhookBench(emit: Emit, events: number): Promise<void> {
  const rand = prng(7);
  const encoder = new TextEncoder();
  const ts = String(NOW / 1000);
  const requests: WebhookHttpRequest[] = Array.from({ length: events }, (_, i) => {
    const body = encoder.encode(participantBody(i, rand));
    return { body, headers: { 'x-zm-signature': zoomSignature(SECRET, ts, body), 'x-zm-request-timestamp': ts, 'content-type': 'application/json' } };
  });
  const bus = new ArrayBus();
  const deps = {
    publisher: bus,
    bodies: new MemoryObjectStore(),
    clock: { now: () => NOW },
    secret: async () => SECRET,
    options: {
      replayWindowSeconds: CONFIG_DEFAULTS.webhook.replayWindowSeconds,
      maxBodyBytes: CONFIG_DEFAULTS.webhook.maxBodyBytes,
      inlineBodyBytes: WEBHOOK_INLINE_BODY_BYTES,
    },
  };

  for (let i = 0; i < Math.min(5_000, events); i++) await receiveWebhook(requests[i]!, deps); // warm-up
  bus.events.length = 0;
  const latencies = new Float64Array(events);
  const start = performance.now();
  for (let i = 0; i < events; i++) {
    const t = performance.now();
    const result = await receiveWebhook(requests[i]!, deps);
    latencies[i] = performance.now() - t;
    if (result.status !== 200) throw new Error(`bench request ${i} answered ${result.status}`);
  }
  const seconds = (performance.now() - start) / 1000;
  latencies.sort();
  const bytes = requests.reduce((n, r) => n + r.body.byteLength, 0) / events;
  emit('webhook_handler_events_per_s', events / seconds, 'events/s', {
    path: 'verify+parse+validate+publish (in-memory bus)',
    avg_body_bytes: Math.round(bytes),
    target: 180_000,
  });
  emit('webhook_handler_p99_ms', latencies[Math.floor(events * 0.99)]!, 'ms', { target_max: 1 });

  const writerItems = bus.events.map((e, i) => ({ id: String(i), detail: e.detail }));
  const store = new MemoryObjectStore();
  const writer = new LakeWriter({ store, clock: { now: () => NOW }, newId: () => 'bench', writerId: 'bench' });
  const t = performance.now();
  const written = await writeWebhookEvents(writerItems, { writer, bodies: store });
  const writerSeconds = (performance.now() - t) / 1000;
  if (written.failedIds.length > 0) throw new Error(`writer failed ${written.failedIds.length} bench events`);
  emit('webhook_writer_events_per_s', events / writerSeconds, 'events/s', {
    path: 'normalise + validate + encode webhook_events and participant_events',
  });

  await bundleFigures(emit);
}

async function bundleFigures(emit: Emit): Promise<void> {
  const dir = mkdtempSync(join(process.cwd(), '.bench-bundle-'));
  try {
    for (const [variant, external] of [
      ['sdk_bundled', []],
      ['sdk_from_runtime', ['@aws-sdk/*']],
    ] as const) {
      // The same esbuild options as ZoomlakeFunction (lib/constructs/zoomlake-function.ts).
      const out = await build({
        entryPoints: ['lambdas/handlers/zoom-webhook.handler.ts'],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        mainFields: ['module', 'main'],
        minify: true,
        keepNames: true,
        write: false,
        external: [...external],
        banner: {
          js: "import { createRequire as __zoomlakeCreateRequire } from 'node:module'; const require = __zoomlakeCreateRequire(import.meta.url);",
        },
      });
      const code = out.outputFiles[0]!.contents;
      const file = join(dir, `${variant}.mjs`);
      writeFileSync(file, code);
      // Cold init: a fresh process imports the bundle and builds its clients from the environment, as the first invocation does.
      const script = `const t = performance.now(); const m = await import(${JSON.stringify(file)}); m.fromEnv(); console.log(performance.now() - t);`;
      const env = {
        ...process.env,
        NODE_NO_WARNINGS: '1',
        EVENT_BUS_NAME: 'b',
        LAKE_BUCKET_NAME: 'l',
        WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:s',
        REPLAY_WINDOW_SECONDS: '5400',
        MAX_BODY_BYTES: '2097152',
        AWS_REGION: 'us-east-1',
      };
      const runs = Array.from({ length: 5 }, () =>
        Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env, cwd: dir }).toString().trim()),
      ).sort((a, b) => a - b);
      emit('webhook_bundle_bytes', code.byteLength, 'bytes', { variant, target_max: 300 * 1024, deployed: variant === 'sdk_bundled' });
      emit('webhook_cold_init_ms', runs[2]!, 'ms', { variant, runs: 5, statistic: 'median', target_max: 150 });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
