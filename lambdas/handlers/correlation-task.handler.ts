import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AthenaQueryEngine } from '#adapters/athena-query-engine.ts';
import { DynamoStateStore } from '#adapters/dynamodb-state-store.ts';
import { EventBridgePublisher } from '#adapters/eventbridge-publisher.ts';
import { S3ObjectStore } from '#adapters/s3-object-store.ts';
import { SecretsManagerSecretProvider } from '#adapters/secrets-manager-secret-provider.ts';
import { dedupWindowsOf, SuppressingAlertDelivery } from '#core/alerts/suppressing-delivery.ts';
import { runCorrelationTask, type TaskDeps } from '#core/correlate/tasks.ts';
import { DETECTION_BUNDLE_FILE, registryFromBundle } from '#core/detect/bundle.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import type { SecretProvider } from '#core/ports.ts';
import { correlationSettings, correlationTaskEnv } from '#runtime/env/correlation-task.ts';
import { lazyHandler } from '#runtime/lazy-handler.ts';
import { handlerLogger, type HandlerLog } from '#runtime/log.ts';
import { SystemClock } from '#runtime/system-clock.ts';
import { zoomClientFromSecret } from '#runtime/zoom-client.ts';

/** The function's logger (module scope: one per container), also handed each invocation's context. */
const LOG = handlerLogger('correlation-task');

/**
 * One correlation function's dependencies from the Lambda environment (CORRELATION_FUNCTION selects which) and, for
 * the functions that query or raise alerts, the registry file beside the bundle; the fetch function reads the Zoom
 * credentials through `secretProvider` (Secrets Manager by default).
 */
export function fromEnv(
  env: NodeJS.ProcessEnv = process.env,
  bundle: URL | string = new URL(`./${DETECTION_BUNDLE_FILE}`, import.meta.url),
  secretProvider?: SecretProvider,
): TaskDeps {
  const e = correlationTaskEnv.parse(env);
  const clock = new SystemClock();
  switch (e.CORRELATION_FUNCTION) {
    case 'fetch': {
      const state = new DynamoStateStore(e.STATE_TABLE_NAME, clock);
      const store = new S3ObjectStore(e.LAKE_BUCKET_NAME);
      const api = zoomClientFromSecret(secretProvider ?? new SecretsManagerSecretProvider(), e.ZOOM_CREDENTIALS_SECRET_ARN, {
        clock,
        plan: e.ZOOM_PLAN,
        apiBudgetShare: e.API_BUDGET_SHARE,
        state,
      });
      return {
        fetch: async () => ({ api: await api(), newWriter: () => new LakeWriter({ store, clock, newId: randomUUID, writerId: 'correlation' }) }),
      };
    }
    case 'exposure':
    case 'correlate': {
      const settings = correlationSettings.parse(JSON.parse(e.CORRELATION_SETTINGS));
      const registry = registryFromBundle(readFileSync(bundle, 'utf8'), e.DETECTIONS_SHA256);
      const query = new AthenaQueryEngine({
        workGroup: e.ATHENA_WORKGROUP,
        database: e.GLUE_DATABASE,
        clock,
        timeoutMs: e.ATHENA_TIMEOUT_SECONDS * 1000,
      });
      return e.CORRELATION_FUNCTION === 'exposure'
        ? { exposure: { query, clock, settings, registry } }
        : { correlate: { query, clock, settings, registry } };
    }
    case 'alerts': {
      const registry = registryFromBundle(readFileSync(bundle, 'utf8'), e.DETECTIONS_SHA256);
      const state = new DynamoStateStore(e.STATE_TABLE_NAME, clock);
      const store = new S3ObjectStore(e.LAKE_BUCKET_NAME);
      const delivery = new SuppressingAlertDelivery({
        state,
        clock,
        publisher: new EventBridgePublisher(e.ALERT_BUS_NAME, clock),
        writerId: 'correlation',
        newWriter: (writerId) => new LakeWriter({ store, clock, newId: randomUUID, writerId }),
        windows: dedupWindowsOf(registry.detections),
      });
      return { alerts: { delivery, clock, registry } };
    }
  }
}

/**
 * The handler over `deps`: runs the task its payload names and returns the step's output to the state machine.
 * Errors are thrown for Step Functions' Retry/Catch (MeetingNotReady, CorrelationRetryable, others). Logs the task
 * and how it ended, at ERROR when it failed (error names only: messages may quote meeting data).
 */
export function makeHandler(deps: TaskDeps, log: HandlerLog = LOG): (event: unknown) => Promise<unknown> {
  return async (event) => {
    const task = typeof event === 'object' && event !== null && 'task' in event ? String(event.task) : 'unknown';
    try {
      const output = await runCorrelationTask(event, deps);
      log.info('correlation task', { task, status: 'ok' });
      return output;
    } catch (error) {
      log.error('correlation task failed', { task, status: 'error', error: error instanceof Error ? error.name : 'unknown' });
      throw error;
    }
  };
}

/** The Lambda entry point; its dependencies are built on the first invocation and kept for the container's life. */
export const handler = lazyHandler(() => makeHandler(fromEnv()), LOG);
