import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { AthenaQueryEngine } from '#adapters/athena-query-engine.ts';
import { DynamoStateStore } from '#adapters/dynamodb-state-store.ts';
import { EventBridgePublisher } from '#adapters/eventbridge-publisher.ts';
import { S3ObjectStore } from '#adapters/s3-object-store.ts';
import { emfLine } from '#adapters/metrics.ts';
import { dedupWindowsOf, SuppressingAlertDelivery } from '#core/alerts/suppressing-delivery.ts';
import { DETECTION_BUNDLE_FILE, registryFromBundle } from '#core/detect/bundle.ts';
import type { ScheduledDetection } from '#core/detect/detection.ts';
import { runDetections, type DetectionOutcome } from '#core/detect/run.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import type { AlertDelivery, Clock, QueryEngine } from '#core/ports.ts';
import { SystemClock } from '#runtime/system-clock.ts';
import { maskLogLine } from '#core/mask/credentials.ts';

const nonEmpty = z.string().check(z.minLength(1));
/** The environment the DetectionRunner construct sets. */
const envSchema = z.object({
  ATHENA_WORKGROUP: nonEmpty,
  GLUE_DATABASE: nonEmpty,
  LAKE_BUCKET_NAME: nonEmpty,
  ALERT_BUS_NAME: nonEmpty,
  STATE_TABLE_NAME: nonEmpty,
  DETECTIONS_SHA256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  ATHENA_TIMEOUT_SECONDS: z.coerce.number().check(z.int(), z.positive()),
});
/** The schedule's input; `now` (ISO-8601) reruns a past window, e.g. after an outage. */
const eventSchema = z.object({ detections: z.array(nonEmpty).check(z.minLength(1)), now: z.optional(z.iso.datetime()) });

/** What the runner handler needs. */
export interface RunnerDeps {
  /** The deployed scheduled detections by id. */
  readonly detections: ReadonlyMap<string, ScheduledDetection>;
  readonly engine: QueryEngine;
  /** Suppression, the `alerts` table and the alert bus: shared with the realtime checks, so a finding notifies once. */
  readonly delivery: AlertDelivery;
  readonly clock: Clock;
}

/** One detection's part of a run, as logged: counts and ids only (evidence may hold personal data). */
export interface DetectionSummary {
  readonly detection: string;
  readonly ok: boolean;
  readonly alerts: number;
  /** Alerts first in their dedup window (written and published); the rest were repeats, counted only. */
  readonly notified: number;
  readonly rows: number;
  readonly alertIds: readonly string[];
  readonly error?: string;
}

/** A run, as logged and returned. */
export interface RunSummary {
  readonly now: string;
  readonly alerts: number;
  readonly failed: number;
  readonly detections: readonly DetectionSummary[];
}

/** The runner's dependencies from the Lambda environment and the detections file beside the bundle. */
export function fromEnv(env: NodeJS.ProcessEnv = process.env, bundle: URL | string = new URL(`./${DETECTION_BUNDLE_FILE}`, import.meta.url)): RunnerDeps {
  const e = envSchema.parse(env);
  const clock = new SystemClock();
  const store = new S3ObjectStore(e.LAKE_BUCKET_NAME);
  const registry = registryFromBundle(readFileSync(bundle, 'utf8'), e.DETECTIONS_SHA256);
  return {
    detections: new Map(registry.scheduled().map((d) => [d.id, d])),
    engine: new AthenaQueryEngine({ workGroup: e.ATHENA_WORKGROUP, database: e.GLUE_DATABASE, clock, timeoutMs: e.ATHENA_TIMEOUT_SECONDS * 1000 }),
    delivery: new SuppressingAlertDelivery({
      state: new DynamoStateStore(e.STATE_TABLE_NAME, clock),
      newWriter: (writerId) => new LakeWriter({ store, clock, newId: randomUUID, writerId }),
      publisher: new EventBridgePublisher(e.ALERT_BUS_NAME, clock),
      clock,
      windows: dedupWindowsOf(registry.detections),
      writerId: 'detections',
    }),
    clock,
  };
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The runner over `deps`: runs the named detections on Athena for a run ending now (or at `now`), writes and
 * delivers each one's alerts (suppressing repeats), logs one summary line and AlertsRaised/DetectionFailed per detection as EMF, and
 * throws at the end if any detection failed so the schedule retries and dead-letters it.
 */
export function makeHandler(
  deps: RunnerDeps,
  log: (line: string) => void = (line) => console.log(maskLogLine(line)),
  metric: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): (event: unknown) => Promise<RunSummary> {
  return async (event) => {
    const input = eventSchema.parse(event);
    const unknown = input.detections.filter((id) => !deps.detections.has(id));
    if (unknown.length > 0) throw new Error(`unknown detection(s) ${unknown.join(', ')}; deployed: ${[...deps.detections.keys()].join(', ')}`);
    const selected = [...new Set(input.detections)].map((id) => deps.detections.get(id) as ScheduledDetection);
    const nowMs = input.now === undefined ? deps.clock.now() : Date.parse(input.now);

    const outcomes: DetectionOutcome[] = await runDetections(deps.engine, selected, nowMs);
    const summaries: DetectionSummary[] = [];
    for (const outcome of outcomes) {
      const { detectionId: detection } = outcome;
      if (!outcome.ok) {
        summaries.push({ detection, ok: false, alerts: 0, notified: 0, rows: 0, alertIds: [], error: outcome.error });
        continue;
      }
      const alertIds = outcome.alerts.map((a) => a.alert_id);
      try {
        const results = outcome.alerts.length === 0 ? [] : await deps.delivery.deliver(outcome.alerts);
        const notified = results.filter((r) => r.outcome === 'notified').length;
        summaries.push({ detection, ok: true, alerts: alertIds.length, notified, rows: outcome.rows, alertIds });
      } catch (error) {
        summaries.push({ detection, ok: false, alerts: alertIds.length, notified: 0, rows: outcome.rows, alertIds, error: `delivery failed: ${message(error)}` });
      }
    }

    const failed = summaries.filter((s) => !s.ok);
    const summary: RunSummary = {
      now: new Date(nowMs).toISOString(), alerts: summaries.reduce((n, s) => n + (s.ok ? s.alerts : 0), 0), failed: failed.length, detections: summaries,
    };
    log(JSON.stringify(summary));
    for (const s of summaries) metric(emfLine(deps.clock.now(), { Detection: s.detection }, { AlertsRaised: s.ok ? s.alerts : 0, DetectionFailed: s.ok ? 0 : 1 }));
    if (failed.length > 0) throw new Error(`${failed.length} of ${summaries.length} detection(s) failed: ${failed.map((s) => `${s.detection}: ${s.error ?? ''}`).join('; ')}`);
    return summary;
  };
}

let live: ReturnType<typeof makeHandler> | undefined;

/** The Lambda entry point; the detections and clients are loaded on the first invocation and kept for the container's life. */
export const handler: ReturnType<typeof makeHandler> = (event) => {
  live ??= makeHandler(fromEnv());
  return live(event);
};
