/**
 * The webhook side of the cost model, measured on a generated organisation (the demo's scenario generator, benign
 * traffic): per event type, the receiver's CPU time and body size, the realtime checks' CPU time and DynamoDB use,
 * the typed rows each event adds; per writer batch of a given size, its CPU time, S3 puts, files and Parquet bytes per
 * table; and which ended meetings the post-meeting correlation runs for, read from the live state the realtime checks
 * built during the same replay.
 */
import { parseConfig } from '#config/load.ts';
import { CONFIG_DEFAULTS } from '#config/schema.ts';
import { compileCorrelationFilter, correlationReasons } from '#core/correlate/need.ts';
import { meetingEndedInput } from '#core/correlate/start.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import type { BusEvent, EventPublisher } from '#core/ports.ts';
import { compileSettings } from '#core/realtime/config.ts';
import { isRealtimeEvent } from '#core/realtime/checks.ts';
import { processRealtimeDetail } from '#core/realtime/process.ts';
import type { Row } from '#core/schema/types.ts';
import { parseEnvelope } from '#core/webhook/envelope.ts';
import { writeWebhookEvents } from '#core/webhook/lake-writer.ts';
import { typedRows } from '#core/webhook/normalise.ts';
import { receiveWebhook, WEBHOOK_INLINE_BODY_BYTES } from '#core/webhook/receive.ts';
import { zoomSignature } from '#core/webhook/verify.ts';
import type { Scenario } from '#local/scenario/scenario.ts';
import { loadRegistry } from '../../lib/detections/load.ts';
import { FakeClock } from '../../test/fakes/fake-clock.ts';
import { MemoryAlertDelivery } from '../../test/support/memory-alert-delivery.ts';
import { MemoryObjectStore } from '../../test/support/memory-object-store.ts';
import { MemoryStateStore } from '../../test/support/memory-state-store.ts';
import { prng } from '../synthetic.ts';
import { CountingObjectStore, CountingStateStore } from './counting.ts';

const SECRET = 'cost-bench-secret';
const DAY_MS = 86_400_000;

/** Per event type, what one event costs on the webhook side. */
export interface EventTypeFigures {
  /** Events of the type a day in the scenario. */
  readonly perDay: number;
  readonly bodyBytes: number;
  /** Receiver CPU (verify, parse, validate, publish to an in-memory bus), ms per event. */
  readonly receiveMs: number;
  /** Whether the realtime rule sends it to the realtime checks. */
  readonly realtime: boolean;
  /** Realtime checks CPU with in-memory state, ms per event (0 when not routed there). */
  readonly realtimeMs: number;
  /** DynamoDB calls and request units per event in the realtime checks. */
  readonly stateCalls: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  /** Lake rows per event, by table (webhook_events included). */
  readonly rows: Readonly<Record<string, number>>;
}

/** One writer invocation's figures for batches of `batchEvents` events of the target mix. */
export interface WriterBatchFigures {
  readonly batchEvents: number;
  /** CPU per invocation (normalise, validate, encode; in-memory store), ms. */
  readonly cpuMs: number;
  readonly puts: number;
  /** Per table: files per batch, rows per batch and Parquet bytes per row at this file size. */
  readonly tables: Readonly<Record<string, { readonly files: number; readonly rows: number; readonly bytesPerRow: number }>>;
}

/** The share of ended meetings the correlation runs for, and what deciding costs the starter. */
export interface CorrelationShare {
  readonly meetingsEnded: number;
  /** Default config (no data-access source). */
  readonly shareDefault: number;
  /** With a data-access source configured. */
  readonly shareWithDataAccess: number;
  /** Every meeting (`correlation.meetings: all`), for comparison. */
  readonly shareAll: 1;
  readonly starterStateCalls: number;
  readonly starterReadUnits: number;
  readonly starterMs: number;
}

/** Everything the webhook side measured. */
export interface WebhookFigures {
  readonly scenarioUsers: number;
  readonly scenarioDays: number;
  readonly types: Readonly<Record<string, EventTypeFigures>>;
  readonly correlation: CorrelationShare;
  readonly inlineShare: number;
  /** Scenario meetings a day (meeting.ended) and join sessions a day, for scaling. */
  readonly meetingsPerDay: number;
  readonly joinsPerDay: number;
}

class ArrayBus implements EventPublisher {
  readonly events: BusEvent[] = [];
  async publish(events: readonly BusEvent[]): Promise<void> {
    this.events.push(...events);
  }
}

/** Receives, replays through the realtime checks and correlation filter, every webhook of `scenario`. */
export async function measureWebhooks(scenario: Scenario): Promise<WebhookFigures> {
  const { webhooks } = scenario;
  const days = (scenario.options.end - scenario.webhooksFrom) / DAY_MS;
  const config = parseConfig({ ...scenario.config });
  const registry = loadRegistry(config.detections);
  const encoder = new TextEncoder();
  const bus = new ArrayBus();
  const bodies = new MemoryObjectStore();
  let now = scenario.webhooksFrom;
  const clock = { now: () => now };
  const receiver = {
    publisher: bus,
    bodies,
    clock,
    secret: async () => SECRET,
    options: {
      replayWindowSeconds: CONFIG_DEFAULTS.webhook.replayWindowSeconds,
      maxBodyBytes: CONFIG_DEFAULTS.webhook.maxBodyBytes,
      inlineBodyBytes: WEBHOOK_INLINE_BODY_BYTES,
    },
  };
  const sums = new Map<
    string,
    { n: number; bytes: number; receiveMs: number; realtimeMs: number; calls: number; ru: number; wu: number; rows: Map<string, number> }
  >();
  const sum = (event: string) => {
    let s = sums.get(event);
    if (!s) sums.set(event, (s = { n: 0, bytes: 0, receiveMs: 0, realtimeMs: 0, calls: 0, ru: 0, wu: 0, rows: new Map() }));
    return s;
  };
  // Warm-up: the first requests pay for JIT compilation, which a warm Lambda container has done.
  for (const w of webhooks.slice(0, 2_000)) {
    const body = encoder.encode(w.body);
    const ts = String(Math.floor(w.deliveredAt / 1000));
    now = w.deliveredAt;
    await receiveWebhook({ body, headers: { 'x-zm-signature': zoomSignature(SECRET, ts, body), 'x-zm-request-timestamp': ts } }, receiver);
  }
  bus.events.length = 0;

  const realtimeClock = new FakeClock(scenario.webhooksFrom);
  const memory = new MemoryStateStore(realtimeClock);
  const counted = new CountingStateStore(memory);
  const settings = compileSettings({ ...config, ...config.realtime });
  const realtime = { state: counted, bodies, delivery: new MemoryAlertDelivery(), clock: realtimeClock, registry, settings };
  const filterOf = (dataAccess: boolean, meetings: 'needed' | 'all' = 'needed') =>
    compileCorrelationFilter({ meetings, dataAccess, sensitiveMeetingPatterns: config.sensitiveMeetingPatterns, watchedUsers: config.watchedUsers });
  const filters = { plain: filterOf(false), dataAccess: filterOf(true) };
  const starterState = new CountingStateStore(memory);
  const correlated = { ended: 0, plain: 0, dataAccess: 0, starterMs: 0 };
  let inline = 0;

  for (const w of webhooks) {
    const body = encoder.encode(w.body);
    const ts = String(Math.floor(w.deliveredAt / 1000));
    now = w.deliveredAt;
    const s = sum(w.event);
    let t = performance.now();
    const result = await receiveWebhook(
      { body, headers: { 'x-zm-signature': zoomSignature(SECRET, ts, body), 'x-zm-request-timestamp': ts } },
      receiver,
    );
    s.receiveMs += performance.now() - t;
    if (result.status !== 200) throw new Error(`the cost bench's webhook ${w.event} was answered ${result.status}`);
    s.n++;
    s.bytes += body.byteLength;
    const published = bus.events.at(-1)!;
    if ((published.detail as { body?: string }).body !== undefined) inline++;
    const env = parseEnvelope(w.body);
    s.rows.set('webhook_events', (s.rows.get('webhook_events') ?? 0) + 1);
    for (const r of typedRows(env, 'x', w.deliveredAt)) s.rows.set(r.table, (s.rows.get(r.table) ?? 0) + 1);
    if (isRealtimeEvent(w.event)) {
      realtimeClock.set(w.deliveredAt);
      const before = { ...counted.use };
      t = performance.now();
      const outcome = await processRealtimeDetail(published.detail, realtime);
      s.realtimeMs += performance.now() - t;
      if (outcome.status === 'rejected' || outcome.status === 'retry') throw new Error(`realtime ${outcome.status}: ${outcome.reason}`);
      s.calls += counted.use.calls - before.calls;
      s.ru += counted.use.readUnits - before.readUnits;
      s.wu += counted.use.writeUnits - before.writeUnits;
    }
    const input = meetingEndedInput(env, w.deliveredAt);
    if (input) {
      correlated.ended++;
      t = performance.now();
      if ((await correlationReasons(input, starterState, filters.plain)).length > 0) correlated.plain++;
      correlated.starterMs += performance.now() - t;
      if ((await correlationReasons(input, memory, filters.dataAccess)).length > 0) correlated.dataAccess++;
    }
  }

  const types: Record<string, EventTypeFigures> = {};
  for (const [event, s] of sums) {
    types[event] = {
      perDay: s.n / days,
      bodyBytes: s.bytes / s.n,
      receiveMs: s.receiveMs / s.n,
      realtime: isRealtimeEvent(event),
      realtimeMs: s.realtimeMs / s.n,
      stateCalls: s.calls / s.n,
      readUnits: s.ru / s.n,
      writeUnits: s.wu / s.n,
      rows: Object.fromEntries([...s.rows].map(([table, n]) => [table, n / s.n])),
    };
  }
  const ended = Math.max(1, correlated.ended);
  return {
    scenarioUsers: scenario.options.users,
    scenarioDays: days,
    types,
    correlation: {
      meetingsEnded: correlated.ended,
      shareDefault: correlated.plain / ended,
      shareWithDataAccess: correlated.dataAccess / ended,
      shareAll: 1,
      starterStateCalls: starterState.use.calls / ended,
      starterReadUnits: starterState.use.readUnits / ended,
      starterMs: correlated.starterMs / ended,
    },
    inlineShare: inline / webhooks.length,
    meetingsPerDay: types['meeting.ended']?.perDay ?? 0,
    joinsPerDay: types['meeting.participant_joined']?.perDay ?? 0,
  };
}

/**
 * The scenario's webhook bodies of its busiest UTC day, by event type, for drawing batches of another mix: a writer
 * batch spans minutes, so its events fall on one day (one file per table), as one day's bodies do.
 */
function bodiesByType(scenario: Scenario): Map<string, { body: string; at: number }[]> {
  const perDay = new Map<number, number>();
  for (const w of scenario.webhooks) perDay.set(Math.floor(w.at / DAY_MS), (perDay.get(Math.floor(w.at / DAY_MS)) ?? 0) + 1);
  const busiest = [...perDay].sort((a, b) => b[1] - a[1])[0]?.[0];
  const pools = new Map<string, { body: string; at: number }[]>();
  for (const w of scenario.webhooks) {
    if (Math.floor(w.at / DAY_MS) !== busiest) continue;
    const pool = pools.get(w.event) ?? [];
    pool.push({ body: w.body, at: w.deliveredAt });
    pools.set(w.event, pool);
  }
  return pools;
}

/** A LakeWriter that counts the rows added per table. */
class CountingWriter extends LakeWriter {
  readonly rows = new Map<string, number>();
  override add(table: string, row: Row) {
    const result = super.add(table, row);
    if (result.ok) this.rows.set(table, (this.rows.get(table) ?? 0) + 1);
    return result;
  }
}

/**
 * Writer invocations of `batchEvents` events each, drawn from the scenario's bodies in the proportions `mix` (events a
 * day by type), each type's bodies taken in turn: CPU, puts, files and bytes per row per table, averaged over `batches`.
 */
export async function measureWriter(
  scenario: Scenario,
  mix: Readonly<Record<string, number>>,
  batchEvents: number,
  batches: number,
  /** When given, every batch's files also land here (the compaction's measurement reads them). */
  lake?: MemoryObjectStore,
): Promise<WriterBatchFigures> {
  const pools = bodiesByType(scenario);
  const types = Object.keys(mix).filter((t) => (pools.get(t)?.length ?? 0) > 0 && (mix[t] ?? 0) > 0);
  const total = types.reduce((n, t) => n + mix[t]!, 0);
  const cursor = new Map<string, number>();
  const rand = prng(17);
  const draw = () => {
    let x = rand() * total;
    const type = types.find((t) => (x -= mix[t]!) < 0) ?? types.at(-1)!;
    const pool = pools.get(type)!;
    const i = cursor.get(type) ?? 0;
    cursor.set(type, i + 1);
    return pool[i % pool.length]!;
  };
  const acc = { ms: 0, puts: 0, tables: new Map<string, { files: number; rows: number; bytes: number }>() };
  for (let b = -2; b < batches; b++) {
    const items = Array.from({ length: batchEvents }, (_, i) => {
      const { body, at } = draw();
      return { id: String(i), detail: { receivedAt: at, body } };
    });
    const store = new CountingObjectStore(lake ?? new MemoryObjectStore());
    const writer = new CountingWriter({
      store,
      clock: { now: () => items[0]!.detail.receivedAt },
      newId: () => `b${b + 2}-f${store.puts}`,
      writerId: 'webhook',
    });
    const t = performance.now();
    const written = await writeWebhookEvents(items, { writer, bodies: store });
    const ms = performance.now() - t;
    if (written.failedIds.length > 0) throw new Error(`the cost bench's writer failed ${written.failedIds.length} events`);
    // The first two batches warm the JIT up and are not counted.
    if (b < 0) continue;
    acc.ms += ms;
    acc.puts += store.puts;
    for (const [key, bytes] of store.bytes) {
      const table = key.split('/')[1]!;
      const t2 = acc.tables.get(table) ?? { files: 0, rows: 0, bytes: 0 };
      t2.files++;
      t2.bytes += bytes;
      acc.tables.set(table, t2);
    }
    for (const [table, rows] of writer.rows) {
      const t2 = acc.tables.get(table) ?? { files: 0, rows: 0, bytes: 0 };
      t2.rows += rows;
      acc.tables.set(table, t2);
    }
  }
  return {
    batchEvents,
    cpuMs: acc.ms / batches,
    puts: acc.puts / batches,
    tables: Object.fromEntries(
      [...acc.tables].map(([table, t]) => [
        table,
        { files: t.files / batches, rows: t.rows / batches, bytesPerRow: t.rows === 0 ? 0 : t.bytes / t.rows },
      ]),
    ),
  };
}
