import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { SQSBatchResponse } from 'aws-lambda';
import * as z from 'zod/mini';
import { DynamoStateStore } from '#adapters/dynamodb-state-store.ts';
import { EventBridgePublisher } from '#adapters/eventbridge-publisher.ts';
import { S3ObjectStore } from '#adapters/s3-object-store.ts';
import { dedupWindowsOf, SuppressingAlertDelivery } from '#core/alerts/suppressing-delivery.ts';
import { DETECTION_BUNDLE_FILE, registryFromBundle } from '#core/detect/bundle.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import { processRealtimeDetail, type RealtimeDeps } from '#core/realtime/process.ts';
import { compileSettings } from '#core/realtime/config.ts';
import { queuedWebhookEvent } from '#core/webhook/lake-writer.ts';
import { nonEmpty } from '#runtime/env/function-env.ts';
import { realtimeChecksEnv, realtimeSettings } from '#runtime/env/realtime-checks.ts';
import { lazyHandler } from '#runtime/lazy-handler.ts';
import { handlerLogger, type HandlerLog } from '#runtime/log.ts';
import { SystemClock } from '#runtime/system-clock.ts';

/** The function's logger (module scope: one per container), also handed each invocation's context. */
const LOG = handlerLogger('realtime-checks');

const sqsEventSchema = z.object({ Records: z.array(z.object({ messageId: nonEmpty, body: z.string() })) });

/** An SQS-triggered Lambda handler reporting partial batch failures. */
export type SqsHandler = (event: unknown) => Promise<SQSBatchResponse>;

/** The realtime checks' dependencies from the Lambda environment and the registry file beside the bundle. */
export function fromEnv(
  env: NodeJS.ProcessEnv = process.env,
  bundle: URL | string = new URL(`./${DETECTION_BUNDLE_FILE}`, import.meta.url),
): RealtimeDeps {
  const e = realtimeChecksEnv.parse(env);
  const registry = registryFromBundle(readFileSync(bundle, 'utf8'), e.DETECTIONS_SHA256);
  const clock = new SystemClock();
  const state = new DynamoStateStore(e.STATE_TABLE_NAME, clock);
  const lake = new S3ObjectStore(e.LAKE_BUCKET_NAME);
  const delivery = new SuppressingAlertDelivery({
    state,
    clock,
    publisher: new EventBridgePublisher(e.ALERT_BUS_NAME, clock),
    writerId: 'realtime',
    newWriter: (writerId) => new LakeWriter({ store: lake, clock, newId: randomUUID, writerId }),
    windows: dedupWindowsOf(registry.detections),
  });
  return { state, bodies: lake, delivery, clock, registry, settings: compileSettings(realtimeSettings.parse(JSON.parse(e.REALTIME_SETTINGS))) };
}

/**
 * The handler over `deps`: each queued webhook event in order through the realtime checks. Events to retry, events
 * that can never be processed (dead-lettered after the queue's retries) and failures are reported as batch item
 * failures. Logs one line of counts, statuses and reason codes per batch (ERROR when an item failed), never payloads.
 */
export function makeHandler(deps: RealtimeDeps, log: HandlerLog = LOG): SqsHandler {
  return async (event) => {
    const { Records } = sqsEventSchema.parse(event);
    const failures: string[] = [];
    const counts: Record<string, number> = {};
    let alerts = 0;
    for (const record of Records) {
      const item = queuedWebhookEvent(record.messageId, record.body);
      let status: string;
      try {
        const outcome = 'reason' in item ? { status: 'rejected' as const, reason: item.reason } : await processRealtimeDetail(item.detail, deps);
        status =
          outcome.status === 'rejected' || outcome.status === 'retry' ? `${outcome.status}:${outcome.reason.split(':', 1)[0]}` : outcome.status;
        if (outcome.status === 'processed') alerts += outcome.delivered.filter((d) => d.outcome === 'notified').length;
        if (outcome.status === 'rejected' || outcome.status === 'retry') failures.push(record.messageId);
      } catch (error) {
        status = `error:${error instanceof Error ? error.name : 'unknown'}`;
        failures.push(record.messageId);
      }
      counts[status] = (counts[status] ?? 0) + 1;
    }
    const fields = { records: Records.length, alertsNotified: alerts, failed: failures.length, outcomes: counts };
    if (failures.length > 0) log.error('realtime batch with failures', fields);
    else log.info('realtime batch', fields);
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/** The Lambda entry point; its dependencies are built on the first invocation and kept for the container's life. */
export const handler = lazyHandler(() => makeHandler(fromEnv()), LOG);
