import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { AthenaQueryEngine } from '#adapters/athena-query-engine.ts';
import { DynamoStateStore } from '#adapters/dynamodb-state-store.ts';
import { EventBridgePublisher } from '#adapters/eventbridge-publisher.ts';
import { S3ObjectStore } from '#adapters/s3-object-store.ts';
import { dedupWindowsOf, SuppressingAlertDelivery } from '#core/alerts/suppressing-delivery.ts';
import { DETECTION_BUNDLE_FILE, registryFromBundle } from '#core/detect/bundle.ts';
import type { ScheduledDetection } from '#core/detect/detection.ts';
import { runAndDeliver, type RunSummary } from '#core/detect/run-and-deliver.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import { METRICS } from '#core/metrics.ts';
import type { AlertDelivery, Clock, QueryEngine } from '#core/ports.ts';
import { detectionRunnerEnv } from '#runtime/env/detection-runner.ts';
import { nonEmpty } from '#runtime/env/function-env.ts';
import { lazyHandler } from '#runtime/lazy-handler.ts';
import { handlerLogger, type HandlerLog } from '#runtime/log.ts';
import { emfMetrics, type MetricSink } from '#runtime/metrics.ts';
import { SystemClock } from '#runtime/system-clock.ts';

/** The function's logger (module scope: one per container), also handed each invocation's context. */
const LOG = handlerLogger('detection-runner');

export type { DetectionSummary, RunSummary } from '#core/detect/run-and-deliver.ts';

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

/** The runner's dependencies from the Lambda environment and the detections file beside the bundle. */
export function fromEnv(
  env: NodeJS.ProcessEnv = process.env,
  bundle: URL | string = new URL(`./${DETECTION_BUNDLE_FILE}`, import.meta.url),
): RunnerDeps {
  const e = detectionRunnerEnv.parse(env);
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

/**
 * The runner over `deps`: runs the named detections on Athena for a run ending now (or at `now`), writes and
 * delivers their alerts (suppressing repeats), logs one summary line (INFO, or ERROR when a detection failed) and
 * AlertsRaised/DetectionFailed per detection as EMF when above zero, and throws at the end if any detection failed so
 * the schedule retries and dead-letters it.
 */
export function makeHandler(
  deps: RunnerDeps,
  log: HandlerLog = LOG,
  metrics: MetricSink = emfMetrics(deps.clock, log),
): (event: unknown) => Promise<RunSummary> {
  return async (event) => {
    const input = eventSchema.parse(event);
    const unknown = input.detections.filter((id) => !deps.detections.has(id));
    if (unknown.length > 0) throw new Error(`unknown detection(s) ${unknown.join(', ')}; deployed: ${[...deps.detections.keys()].join(', ')}`);
    const selected = [...new Set(input.detections)].map((id) => deps.detections.get(id) as ScheduledDetection);
    const nowMs = input.now === undefined ? deps.clock.now() : Date.parse(input.now);

    const { summary } = await runAndDeliver(deps.engine, deps.delivery, selected, nowMs);
    if (summary.failed > 0) log.error('detection run failed', summary);
    else log.info('detection run', summary);
    // Only values above zero: CloudWatch bills each metric (detection x name) that receives data in a month, the
    // alarms treat no data as OK, and most detections raise nothing most months (docs/cost.md).
    for (const s of summary.detections) {
      const values = (
        [
          [METRICS.AlertsRaised, s.ok ? s.alerts : 0],
          [METRICS.DetectionFailed, s.ok ? 0 : 1],
        ] as const
      ).filter(([, value]) => value > 0);
      if (values.length > 0) metrics({ Detection: s.detection }, values);
    }
    const failed = summary.detections.filter((s) => !s.ok);
    if (failed.length > 0)
      throw new Error(
        `${failed.length} of ${summary.detections.length} detection(s) failed: ${failed.map((s) => `${s.detection}: ${s.error ?? ''}`).join('; ')}`,
      );
    return summary;
  };
}

/** The Lambda entry point; the detections and clients are loaded on the first invocation and kept for the container's life. */
export const handler = lazyHandler(() => makeHandler(fromEnv()), LOG);
