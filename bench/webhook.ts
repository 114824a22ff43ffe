/** Webhook figures for `npm run bench`: the handler path against a reimplementation of Rivet's receiver, p99, writer rate. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { CONFIG_DEFAULTS } from '#config/schema.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import { webhookBody } from '#core/webhook/envelope.ts';
import { writeWebhookEvents } from '#core/webhook/lake-writer.ts';
import { WEBHOOK_INLINE_BODY_BYTES } from '#core/webhook/receive.ts';
import { verifyZoomRequest, zoomSignature } from '#core/webhook/verify.ts';
import { maskJsonText } from '#core/mask/credentials.ts';
import { parseEnvelope, sha256Hex } from '#core/webhook/envelope.ts';
import { createHmac } from 'node:crypto';
import type { EventBridgeClient, PutEventsCommand, PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher } from '#adapters/eventbridge-publisher.ts';
import type { HandlerLog } from '#runtime/log.ts';
import { makeHandler } from '../lambdas/handlers/zoom-webhook.handler.ts';
import { MemoryObjectStore } from '../test/support/memory-object-store.ts';
import { rivetStyleReceiver } from './rivet-receiver.ts';
import { prng } from './synthetic.ts';

type Emit = (name: string, value: number, unit: string, extra?: Record<string, unknown>) => void;

const SECRET = 'bench-secret-token';
const NOW = Date.UTC(2026, 10, 26, 12);

/** An EventBridge client that accepts every entry without the network, keeping each Detail as EventBridge would get it. */
class AcceptingEventBridge {
  readonly details: string[] = [];
  async send(command: PutEventsCommand): Promise<PutEventsCommandOutput> {
    for (const entry of command.input.Entries ?? []) this.details.push(entry.Detail!);
    return { FailedEntryCount: 0, Entries: [], $metadata: {} };
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

/** The headers a Zoom delivery carries through API Gateway (names as Zoom and the gateway send them). */
function deliveryHeaders(body: string, ts: string, i: number): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'user-agent': 'Zoom Marketplace/1.0a',
    'accept-encoding': 'gzip',
    clientid: 'bench-client-id',
    authorization: 'legacy-verification-token',
    'x-zm-request-timestamp': ts,
    'x-zm-signature': zoomSignature(SECRET, ts, Buffer.from(body, 'utf8')),
    'x-zm-trackingid': `v=2.0;clid=us06;rid=${i}`,
    Host: 'abc123.execute-api.us-east-1.amazonaws.com',
    'X-Amzn-Trace-Id': `Root=1-6745a1b0-${String(i).padStart(24, '0')}`,
    'X-Forwarded-For': '198.51.100.7',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
  };
}

const SILENT_LOG: HandlerLog = { info: () => undefined, warn: () => undefined, error: () => undefined };
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Runs the webhook section of the bench. */
export async function webhookBench(emit: Emit, events: number): Promise<void> {
  const rand = prng(7);
  const ts = String(NOW / 1000);
  const bodies = Array.from({ length: events }, (_, i) => participantBody(i, rand));
  // The same deliveries as API Gateway hands them to each side: zoomlake's REST API marks every body binary, so its
  // handler gets base64; Rivet's receiver gets the text body a function URL gives for JSON (its cheapest input).
  const ours = bodies.map(
    (body, i) =>
      ({ body: Buffer.from(body, 'utf8').toString('base64'), isBase64Encoded: true, headers: deliveryHeaders(body, ts, i) }) as APIGatewayProxyEvent,
  );
  const theirs = bodies.map((body, i) => ({ body, isBase64Encoded: false, headers: deliveryHeaders(body, ts, i) }));

  // Both publish through the deployed EventBridge publisher (entry checks, serialisation, batching), without the network.
  const clock = { now: () => NOW };
  const ourBus = new AcceptingEventBridge();
  const ourHandler = makeHandler(
    {
      publisher: new EventBridgePublisher('bench', clock, ourBus as unknown as EventBridgeClient),
      bodies: new MemoryObjectStore(),
      clock,
      secret: async () => SECRET,
      options: {
        replayWindowSeconds: CONFIG_DEFAULTS.webhook.replayWindowSeconds,
        maxBodyBytes: CONFIG_DEFAULTS.webhook.maxBodyBytes,
        inlineBodyBytes: WEBHOOK_INLINE_BODY_BYTES,
      },
    },
    SILENT_LOG,
  );
  const theirBus = new AcceptingEventBridge();
  const theirPublisher = new EventBridgePublisher('bench', clock, theirBus as unknown as EventBridgeClient);
  const forward = (payload: { event: string }) =>
    theirPublisher.publish([{ source: 'rivet', detailType: payload.event, detail: payload, time: NOW }]);
  const rivet = rivetStyleReceiver(
    SECRET,
    { 'meeting.participant_joined': [forward], 'meeting.participant_left': [forward] },
    CONFIG_DEFAULTS.webhook.replayWindowSeconds,
    clock.now,
  );

  const warm = Math.min(5_000, events);
  for (let i = 0; i < warm; i++) await ourHandler(ours[i]!);
  for (let i = 0; i < warm; i++) await rivet(theirs[i]!);
  ourBus.details.length = 0;
  theirBus.details.length = 0;

  // Interleaved blocks, so load from other processes falls on both sides alike; CPU time is kept beside wall time.
  const latencies = new Float64Array(events);
  const time = { ours: 0, theirs: 0, oursCpu: 0, theirsCpu: 0 };
  const block = Math.max(1, Math.ceil(events / 20));
  for (let from = 0; from < events; from += block) {
    const to = Math.min(events, from + block);
    let cpu = cpuMs();
    let start = performance.now();
    for (let i = from; i < to; i++) {
      const t = performance.now();
      const result = await ourHandler(ours[i]!);
      latencies[i] = performance.now() - t;
      if (result.statusCode !== 200) throw new Error(`bench request ${i} answered ${result.statusCode}`);
    }
    time.ours += performance.now() - start;
    time.oursCpu += cpuMs() - cpu;
    cpu = cpuMs();
    start = performance.now();
    for (let i = from; i < to; i++) {
      const result = await rivet(theirs[i]!);
      if (result.statusCode !== 200) throw new Error(`Rivet-style request ${i} answered ${result.statusCode}: ${result.body}`);
    }
    time.theirs += performance.now() - start;
    time.theirsCpu += cpuMs() - cpu;
  }
  latencies.sort();
  const avgBytes = Math.round(bodies.reduce((n, b) => n + Buffer.byteLength(b), 0) / events);
  const rate = (ms: number) => events / (ms / 1000);
  emit('webhook_handler_events_per_s', rate(time.ours), 'events/s', {
    path: 'API Gateway event -> base64 decode, verify raw bytes, parse, validate, mask, hash, publish (EventBridge entries, no network)',
    cpu_events_per_s: Math.round(rate(time.oursCpu)),
    avg_body_bytes: avgBytes,
  });
  emit('rivet_receiver_events_per_s', rate(time.theirs), 'events/s', {
    path: "a reimplementation of Rivet's AwsLambdaReceiver steps (bench/rivet-receiver.ts), NOT the @zoom/rivet package; text body, JSON.parse, JSON.stringify again to verify, emit, publish the same way",
    differences: "freshness check added (Rivet has none); Rivet's per-request console.debug of the event left out, as zoomlake's log line is",
    cpu_events_per_s: Math.round(rate(time.theirsCpu)),
  });
  emit('webhook_vs_rivet_ratio', time.theirs / time.ours, 'ratio', {
    target_min: 1.5,
    cpu_ratio: Number((time.theirsCpu / time.oursCpu).toFixed(3)),
    measured: 'same run, interleaved blocks of the same deliveries',
  });
  emit('webhook_handler_p99_ms', latencies[Math.floor(events * 0.99)]!, 'ms', { target_max: 1 });

  await stepsBench(emit, bodies, ours, theirs, clock);

  const writerItems = ourBus.details.map((detail, i) => ({ id: String(i), detail: JSON.parse(detail) as unknown }));
  const store = new MemoryObjectStore();
  const writer = new LakeWriter({ store, clock, newId: () => 'bench', writerId: 'bench' });
  const t = performance.now();
  const written = await writeWebhookEvents(writerItems, { writer, bodies: store });
  const writerSeconds = (performance.now() - t) / 1000;
  if (written.failedIds.length > 0) throw new Error(`writer failed ${written.failedIds.length} bench events`);
  emit('webhook_writer_events_per_s', events / writerSeconds, 'events/s', {
    path: 'normalise + validate + encode webhook_events and participant_events',
  });
}

/**
 * Where each side's CPU time goes, step by step, on the same deliveries: what the ratio above is made of. Each step
 * runs alone in a loop (CPU microseconds per event), so the steps of one side add up to about its whole path; the
 * publish step is the same deployed publisher on both sides.
 */
async function stepsBench(
  emit: Emit,
  bodies: readonly string[],
  ours: readonly APIGatewayProxyEvent[],
  theirs: readonly { body: string; headers: Record<string, string> }[],
  clock: { now: () => number },
): Promise<void> {
  const n = Math.min(bodies.length, 20_000);
  const bytes = bodies.slice(0, n).map((b) => Buffer.from(b, 'utf8'));
  const texts = bodies.slice(0, n);
  const parsed = texts.map((t) => JSON.parse(t) as { event: string });
  const bus = new AcceptingEventBridge();
  const publisher = new EventBridgePublisher('bench', clock, bus as unknown as EventBridgeClient);
  const window = CONFIG_DEFAULTS.webhook.replayWindowSeconds;
  const us = async (step: (i: number) => unknown): Promise<number> => {
    for (let i = 0; i < Math.min(n, 2_000); i++) await step(i);
    const start = cpuMs();
    for (let i = 0; i < n; i++) await step(i);
    return Number((((cpuMs() - start) * 1000) / n).toFixed(2));
  };
  const detail = (i: number) => ({ receivedAt: NOW, trackingId: `v=2.0;clid=us06;rid=${i}`, payloadSha256: 'f'.repeat(64), body: texts[i]! });
  const header = (i: number, name: string) => ours[i]!.headers[name]!;
  const zoomlake = {
    base64_decode: await us((i) => Buffer.from(ours[i]!.body!, 'base64')),
    verify_hmac_raw_bytes: await us((i) =>
      verifyZoomRequest(
        { signature: header(i, 'x-zm-signature'), timestamp: header(i, 'x-zm-request-timestamp'), body: bytes[i]! },
        SECRET,
        NOW,
        window,
      ),
    ),
    utf8_decode: await us((i) => bytes[i]!.toString('utf8')),
    parse_and_validate_envelope: await us((i) => parseEnvelope(texts[i]!)),
    mask_credentials: await us((i) => maskJsonText(texts[i]!)),
    sha256_of_body: await us((i) => sha256Hex(bytes[i]!)),
    publish_detail: await us((i) => publisher.publish([{ source: 'zoomlake.webhook', detailType: parsed[i]!.event, detail: detail(i), time: NOW }])),
  };
  const rivet = {
    json_parse: await us((i) => JSON.parse(theirs[i]!.body)),
    find_headers: await us((i) => {
      const h = theirs[i]!.headers;
      return [
        Object.keys(h).find((k) => k.toLowerCase() === 'x-zm-signature'),
        Object.keys(h).find((k) => k.toLowerCase() === 'x-zm-request-timestamp'),
      ];
    }),
    stringify_and_hmac: await us((i) =>
      createHmac('sha256', SECRET)
        .update(`v0:${NOW / 1000}:${JSON.stringify(parsed[i])}`)
        .digest('hex'),
    ),
    publish_payload: await us((i) => publisher.publish([{ source: 'rivet', detailType: parsed[i]!.event, detail: parsed[i]!, time: NOW }])),
  };
  const sum = (steps: Record<string, number>) =>
    Number(
      Object.values(steps)
        .reduce((a, b) => a + b, 0)
        .toFixed(2),
    );
  emit('webhook_path_steps_cpu_us', sum(zoomlake), 'us/event', {
    zoomlake,
    rivet,
    rivet_total: sum(rivet),
    note: 'each step alone in a loop over the same deliveries; zoomlake does base64, masking and the body hash, which Rivet does not',
  });
}
