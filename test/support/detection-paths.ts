import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_DEFAULTS, configSchema, type ZoomlakeConfig } from '#config/schema.ts';
import type { Alert } from '#core/alerts/alert.ts';
import type { CorrelationSettings, DataAccessSource } from '#core/correlate/settings.ts';
import { correlate } from '#core/correlate/steps/correlate.ts';
import { exposure } from '#core/correlate/steps/exposure.ts';
import { participantsUnavailable } from '#core/correlate/steps/participants-unavailable.ts';
import { meetingEndedInput } from '#core/correlate/start.ts';
import { isScheduled, type DetectionPath } from '#core/detect/detection.ts';
import type { DetectionRegistry } from '#core/detect/registry.ts';
import { runDetection } from '#core/detect/run.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import type { BusEvent } from '#core/ports.ts';
import {
  applyDirectoryUpdates,
  directoryUpdatesFromOperationLogs,
  directoryUpdatesFromUsers,
  type OperationLogRow,
  type UserSnapshotRow,
} from '#core/realtime/directory.ts';
import { processRealtimeDetail } from '#core/realtime/process.ts';
import { compileSettings } from '#core/realtime/config.ts';
import { parseEnvelope } from '#core/webhook/envelope.ts';
import { writeWebhookEvents } from '#core/webhook/lake-writer.ts';
import { receiveWebhook, WEBHOOK_INLINE_BODY_BYTES } from '#core/webhook/receive.ts';
import { WEBHOOK_TABLES } from '#core/webhook/routes.ts';
import { zoomSignature } from '#core/webhook/verify.ts';
import { dataAccessView } from '#local/pipeline/correlation.ts';
import { localViews } from '#local/pipeline/local-tables.ts';
import { DuckDbQueryEngine } from '#local/adapters/duckdb-query-engine.ts';
import { FsObjectStore } from '#local/adapters/fs-object-store.ts';
import { loadRegistry } from '../../lib/detections/load.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { fixtureConfig, matchExpected, writeFixtureIdentity, writeFixtureLake, type Fixture, type FixtureFile } from './detection-fixtures.ts';
import { MemoryAlertDelivery } from './memory-alert-delivery.ts';
import { MemoryObjectStore } from './memory-object-store.ts';
import { MemoryStateStore } from './memory-state-store.ts';
import { replayableBody } from './webhook-bodies.ts';

/*
 * Runs one detection fixture through every path that raises detections: the scheduled query on DuckDB over the
 * fixture's lake, the realtime checks over the fixture's webhooks delivered signed through the real receiver (each
 * twice, as Zoom retries), and the post-meeting correlation for each meeting.ended among them. The webhooks reach the
 * lake through the real lake writer, so every path reads the same events.
 */

const SECRET = 'fixture-webhook-secret';
const RECEIVER = {
  replayWindowSeconds: CONFIG_DEFAULTS.webhook.replayWindowSeconds,
  maxBodyBytes: CONFIG_DEFAULTS.webhook.maxBodyBytes,
  inlineBodyBytes: WEBHOOK_INLINE_BODY_BYTES,
};

/** The alerts each path raised for the detection (as delivered: one per detection and dedup key). */
export type PathAlerts = Partial<Record<DetectionPath, Alert[]>>;

/** What may differ from the fixture's own run, to prove that a disagreement is caught. */
export interface PathOptions {
  /** Replaces the registry one path sees (e.g. a threshold changed for the realtime path only). */
  readonly registryFor?: (path: DetectionPath, registry: DetectionRegistry) => DetectionRegistry;
}

/** One delivery on the fixture's timeline: a webhook body, or poller rows that feed the user directory. */
type Delivery = { readonly at: number; readonly order: number } & (
  | { readonly kind: 'webhook'; readonly body: string }
  | { readonly kind: 'users'; readonly rows: readonly UserSnapshotRow[] }
  | { readonly kind: 'operation_logs'; readonly rows: readonly OperationLogRow[] }
);

const ms = (v: unknown) => (typeof v === 'string' ? Date.parse(v) : Number.NaN);

/** The fixture's deliveries in the order they reach zoomlake: by time, then as listed. */
function timeline(fixture: Fixture): Delivery[] {
  const out: Delivery[] = [];
  let order = 0;
  for (const table of WEBHOOK_TABLES) {
    for (const row of fixture.rows[table] ?? [])
      out.push({ kind: 'webhook', at: ms(row.event_time), order: order++, body: replayableBody(table, row) });
  }
  for (const w of fixture.webhooks) {
    const eventTs = typeof w.body.event_ts === 'number' ? w.body.event_ts : Date.parse(fixture.now);
    out.push({ kind: 'webhook', at: w.received ? Date.parse(w.received) : eventTs, order: order++, body: JSON.stringify(w.body) });
  }
  for (const row of fixture.rows.users ?? []) {
    const at = ms(row.ingested_at ?? row.snapshot_time);
    out.push({ kind: 'users', at, order: order++, rows: [{ ...row, snapshot_time: ms(row.snapshot_time) } as UserSnapshotRow] });
  }
  for (const row of fixture.rows.operation_logs ?? []) {
    out.push({ kind: 'operation_logs', at: ms(row.time), order: order++, rows: [{ ...row, time: ms(row.time) } as OperationLogRow] });
  }
  for (const d of out) if (Number.isNaN(d.at)) throw new Error(`fixture delivery without a time: ${d.kind}`);
  return out.sort((a, b) => a.at - b.at || a.order - b.order);
}

/** Receives a body as Zoom sends it (signed, at `clock`'s time) and returns the bus events the receiver published. */
async function receive(body: string, clock: FakeClock, bodies: MemoryObjectStore): Promise<BusEvent[]> {
  const published: BusEvent[] = [];
  const bytes = Buffer.from(body, 'utf8');
  const ts = String(Math.floor(clock.now() / 1000));
  const result = await receiveWebhook(
    { headers: { 'x-zm-request-timestamp': ts, 'x-zm-signature': zoomSignature(SECRET, ts, bytes) }, body: bytes },
    { publisher: { publish: async (events) => void published.push(...events) }, bodies, clock, secret: async () => SECRET, options: RECEIVER },
  );
  if (result.status !== 200) throw new Error(`fixture webhook refused (${result.status} ${result.reason ?? result.outcome})`);
  return published;
}

const only = (alerts: readonly Alert[], id: string) => alerts.filter((a) => a.detection_id === id);

/**
 * Writes a fixture's lake as the collectors would: its webhooks (rows of the webhook tables and `webhooks` bodies)
 * received signed and written by the lake writer, every other row straight in. Returns what the receiver published
 * for each webhook, in delivery order, and the store holding bodies published by reference.
 */
export async function writeFixtureLakeWithWebhooks(dir: string, fixture: Fixture, deliveries: readonly Delivery[] = timeline(fixture)) {
  const nowMs = Date.parse(fixture.now);
  const clock = new FakeClock(nowMs);
  const bodies = new MemoryObjectStore();
  const byDelivery: { at: number; events: BusEvent[] }[] = [];
  for (const d of deliveries) {
    if (d.kind !== 'webhook') continue;
    clock.set(d.at);
    byDelivery.push({ at: d.at, events: await receive(d.body, clock, bodies) });
  }
  await writeFixtureLake(dir, fixture, WEBHOOK_TABLES);
  let n = 0;
  const writer = new LakeWriter({
    store: new FsObjectStore(dir),
    clock: { now: () => nowMs },
    newId: () => `webhook-${n++}`,
    writerId: 'webhook-writer',
  });
  const written = await writeWebhookEvents(
    byDelivery.flatMap((r) => r.events).map((e, i) => ({ id: String(i), detail: e.detail })),
    { writer, bodies },
  );
  if (written.failedIds.length > 0 || written.incomplete.length > 0)
    throw new Error(`fixture webhooks not written: ${JSON.stringify([...written.rejected, ...written.incomplete])}`);
  return { byDelivery, bodies };
}

/**
 * The alerts of `detectionId` on each path it declares. Throws for a fixture that cannot be replayed (a webhook row
 * the normaliser would not give back, a refused webhook).
 */
export async function runPaths(detectionId: string, fixture: Fixture, options: PathOptions = {}): Promise<PathAlerts> {
  const dir = mkdtempSync(join(tmpdir(), 'zoomlake-paths-'));
  try {
    const identityFile = join(dir, 'identity.ndjson');
    const config = configSchema.parse(fixtureConfig(fixture, identityFile));
    const base = loadRegistry(config.detections);
    const detection = base.get(detectionId);
    const registryFor = (path: DetectionPath) => options.registryFor?.(path, base) ?? base;
    const nowMs = Date.parse(fixture.now);
    const deliveries = timeline(fixture);
    writeFixtureIdentity(identityFile, fixture);
    const received = await writeFixtureLakeWithWebhooks(dir, fixture, deliveries);
    const bodies = received.bodies;
    const out: PathAlerts = {};
    const open = async (registry: DetectionRegistry) => {
      const views = localViews(config, registry.detections);
      if (config.correlation.dataAccess) {
        const file = join(dir, 'data-access.ndjson');
        writeFileSync(file, (fixture.dataAccess ?? []).map((r) => JSON.stringify(r)).join('\n') + '\n');
        views.push(dataAccessView(config.correlation.dataAccess, file));
      }
      return DuckDbQueryEngine.open({ lakeDir: dir, views });
    };

    if (detection.paths.includes('scheduled')) {
      const registry = registryFor('scheduled');
      const d = registry.get(detectionId);
      if (!isScheduled(d)) throw new Error(`${detectionId} declares the scheduled path but has no query`);
      const engine = await open(registry);
      try {
        const delivery = new MemoryAlertDelivery();
        await delivery.deliver(await runDetection(engine, d, nowMs));
        out.scheduled = only(delivery.notified, detectionId);
      } finally {
        engine.close();
      }
    }

    if (detection.paths.includes('realtime')) {
      const registry = registryFor('realtime');
      const rtClock = new FakeClock(nowMs);
      const state = new MemoryStateStore(rtClock);
      const delivery = new MemoryAlertDelivery();
      const deps = { state, bodies, delivery, clock: rtClock, registry, settings: compileSettings({ ...config, ...config.realtime }) };
      const watched = new Set(config.watchedUsers);
      let i = 0;
      for (const d of deliveries) {
        rtClock.set(d.at);
        if (d.kind === 'users') await applyDirectoryUpdates(state, directoryUpdatesFromUsers(d.rows), watched);
        else if (d.kind === 'operation_logs') await applyDirectoryUpdates(state, directoryUpdatesFromOperationLogs(d.rows), watched);
        else {
          for (const event of received.byDelivery[i++]!.events) {
            // Zoom's retry: the same event twice; the second is a duplicate.
            for (let attempt = 0; attempt < 2; attempt++) {
              const outcome = await processRealtimeDetail(event.detail, deps);
              if (outcome.status === 'rejected' || outcome.status === 'retry') throw new Error(`realtime path ${outcome.status}: ${outcome.reason}`);
            }
          }
        }
      }
      out.realtime = only(delivery.notified, detectionId);
    }

    if (detection.paths.includes('correlation')) {
      const registry = registryFor('correlation');
      const engine = await open(registry);
      try {
        const delivery = new MemoryAlertDelivery();
        const settings: CorrelationSettings = {
          ...config.correlation,
          dataAccess: config.correlation.dataAccess
            ? (({ localFile: _f, s3Location: _s, kmsKeyArn: _k, ...source }) => source as DataAccessSource)(config.correlation.dataAccess)
            : undefined,
        };
        const corrClock = new FakeClock(nowMs);
        const deps = { query: engine, clock: corrClock, settings, registry };
        for (const r of received.byDelivery) {
          for (const event of r.events) {
            const body = (event.detail as { body?: string }).body;
            if (body === undefined) continue;
            const input = meetingEndedInput(parseEnvelope(body), r.at);
            if (!input) continue;
            // As the state machine, at its own times: the wait after the end, then the data-access window if any.
            const startAt = Date.parse(input.end_time) + config.correlation.waitSeconds * 1000;
            if (startAt > nowMs) continue;
            corrClock.set(startAt);
            // The participant report (in the lake, as FetchParticipants wrote it), or give up on it.
            const seen = await engine.query('SELECT count(*) AS n FROM meeting_participants WHERE meeting_uuid = ?', [input.meeting_uuid]);
            if (Number(seen.rows[0]?.n ?? 0) === 0) {
              await delivery.deliver(
                participantsUnavailable({ clock: corrClock, registry }, input, config.correlation.notReadyRetries + 1).alerts as Alert[],
              );
              continue;
            }
            const summary = await exposure(deps, input);
            corrClock.set(Math.min(nowMs, Math.max(startAt, Date.parse(summary.correlate_after))));
            await delivery.deliver((await correlate(deps, summary)).alerts as Alert[]);
          }
        }
        out.correlation = only(delivery.notified, detectionId);
      } finally {
        engine.close();
      }
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What is wrong with the paths' alerts for a fixture: on each path the fixture applies to, the expected alerts
 * exactly; on the other paths of a positive fixture, nothing it does not expect (a path may miss evidence it cannot
 * see, never raise more). Empty when the paths agree with the fixture.
 */
export function pathProblems(declared: readonly DetectionPath[], file: FixtureFile, byPath: PathAlerts): string[] {
  const on = file.fixture.paths ?? declared;
  const problems: string[] = [];
  for (const path of declared) {
    const alerts = byPath[path] ?? [];
    if (on.includes(path)) {
      problems.push(...matchExpected(alerts, file.fixture.expect).map((p) => `${path} path: ${p}`));
    } else if (file.kind === 'positive') {
      const extra = alerts.filter(
        (a) => !file.fixture.expect.some((e) => Object.entries(e.entities).every(([k, v]) => (a.entities as Record<string, string>)[k] === v)),
      );
      if (extra.length > 0) problems.push(`${path} path raised what the fixture does not expect: ${JSON.stringify(extra.map((a) => a.entities))}`);
    }
    for (const a of alerts) if (a.source !== path) problems.push(`${path} path raised an alert with source ${a.source}`);
  }
  return problems;
}

/** The config a fixture runs with. */
export const fixtureRunConfig = (fixture: Fixture): ZoomlakeConfig => configSchema.parse(fixtureConfig(fixture));
