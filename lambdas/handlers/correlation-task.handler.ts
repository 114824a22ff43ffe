import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { AthenaQueryEngine } from '#adapters/athena-query-engine.ts';
import { DynamoStateStore } from '#adapters/dynamodb-state-store.ts';
import { EventBridgePublisher } from '#adapters/eventbridge-publisher.ts';
import { S3ObjectStore } from '#adapters/s3-object-store.ts';
import { SecretsManagerSecretProvider } from '#adapters/secrets-manager-secret-provider.ts';
import { dedupWindowsOf, SuppressingAlertDelivery } from '#core/alerts/suppressing-delivery.ts';
import type { CorrelationSettings } from '#core/correlate/settings.ts';
import { runCorrelationTask, type TaskDeps } from '#core/correlate/tasks.ts';
import { DETECTION_BUNDLE_FILE, registryFromBundle } from '#core/detect/bundle.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import type { SecretProvider } from '#core/ports.ts';
import { StateStoreBudget } from '#core/zoom/budget.ts';
import { ZoomHttpClient } from '#core/zoom/client.ts';
import { zoomCredentialsFromSecret } from '#core/zoom/credentials.ts';
import { httpFetch } from '#runtime/http-fetch.ts';
import { SystemClock } from '#runtime/system-clock.ts';
import { maskLogLine } from '#core/mask/credentials.ts';
import { ZOOM_PLANS } from '#core/zoom/rate-limit.ts';

const nonEmpty = z.string().check(z.minLength(1));
const identifier = z.string().check(z.regex(/^[a-z_][a-z0-9_]*$/));
/** The settings the CorrelationWorkflow construct serialises into CORRELATION_SETTINGS. */
const settingsSchema = z.object({
  enabled: z.boolean(), waitSeconds: z.number(), notReadyRetries: z.number(), notReadyIntervalSeconds: z.number(),
  dataAccess: z.optional(z.object({ table: identifier, userColumn: identifier, timeColumn: identifier, resourceColumn: identifier })),
});
const sha256 = z.string().check(z.regex(/^[0-9a-f]{64}$/));
const athena = {
  ATHENA_WORKGROUP: nonEmpty, GLUE_DATABASE: nonEmpty, ATHENA_TIMEOUT_SECONDS: z.coerce.number().check(z.int(), z.positive()), CORRELATION_SETTINGS: nonEmpty,
  DETECTIONS_SHA256: sha256,
};
/** The environment the CorrelationWorkflow construct sets, per function: each gets only what its tasks use. */
const envSchema = z.discriminatedUnion('CORRELATION_FUNCTION', [
  z.object({
    CORRELATION_FUNCTION: z.literal('fetch'), ZOOM_CREDENTIALS_SECRET_ARN: nonEmpty, ZOOM_PLAN: z.enum(ZOOM_PLANS),
    API_BUDGET_SHARE: z.coerce.number().check(z.positive(), z.lte(1)), STATE_TABLE_NAME: nonEmpty, LAKE_BUCKET_NAME: nonEmpty,
  }),
  z.object({ CORRELATION_FUNCTION: z.literal('exposure'), ...athena }),
  z.object({ CORRELATION_FUNCTION: z.literal('correlate'), ...athena }),
  z.object({ CORRELATION_FUNCTION: z.literal('alerts'), STATE_TABLE_NAME: nonEmpty, LAKE_BUCKET_NAME: nonEmpty, ALERT_BUS_NAME: nonEmpty, DETECTIONS_SHA256: sha256 }),
]);

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
  const e = envSchema.parse(env);
  const clock = new SystemClock();
  switch (e.CORRELATION_FUNCTION) {
    case 'fetch': {
      const state = new DynamoStateStore(e.STATE_TABLE_NAME, clock);
      const store = new S3ObjectStore(e.LAKE_BUCKET_NAME);
      const secrets = secretProvider ?? new SecretsManagerSecretProvider();
      const sharedBudget = new StateStoreBudget(state);
      let client: { raw: string; api: ZoomHttpClient } | undefined;
      return {
        fetch: async () => {
          const raw = await secrets.getSecret(e.ZOOM_CREDENTIALS_SECRET_ARN);
          if (client?.raw !== raw) {
            client = { raw, api: new ZoomHttpClient({
              fetch: httpFetch, clock, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)), random: Math.random,
              credentials: zoomCredentialsFromSecret(e.ZOOM_CREDENTIALS_SECRET_ARN, raw), plan: e.ZOOM_PLAN, apiBudgetShare: e.API_BUDGET_SHARE, sharedBudget, timeoutMs: 30_000,
            }) };
          }
          return { api: client.api, newWriter: () => new LakeWriter({ store, clock, newId: randomUUID, writerId: 'correlation' }) };
        },
      };
    }
    case 'exposure':
    case 'correlate': {
      const settings: CorrelationSettings = settingsSchema.parse(JSON.parse(e.CORRELATION_SETTINGS));
      const registry = registryFromBundle(readFileSync(bundle, 'utf8'), e.DETECTIONS_SHA256);
      const query = new AthenaQueryEngine({ workGroup: e.ATHENA_WORKGROUP, database: e.GLUE_DATABASE, clock, timeoutMs: e.ATHENA_TIMEOUT_SECONDS * 1000 });
      return e.CORRELATION_FUNCTION === 'exposure'
        ? { exposure: { query, clock, settings, registry } }
        : { correlate: { query, clock, settings, registry } };
    }
    case 'alerts': {
      const registry = registryFromBundle(readFileSync(bundle, 'utf8'), e.DETECTIONS_SHA256);
      const state = new DynamoStateStore(e.STATE_TABLE_NAME, clock);
      const store = new S3ObjectStore(e.LAKE_BUCKET_NAME);
      const delivery = new SuppressingAlertDelivery({
        state, clock, publisher: new EventBridgePublisher(e.ALERT_BUS_NAME, clock), writerId: 'correlation',
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
 * and how it ended (error names only: messages may quote meeting data).
 */
export function makeHandler(deps: TaskDeps, log: (line: string) => void = (line) => console.log(maskLogLine(line))): (event: unknown) => Promise<unknown> {
  return async (event) => {
    const task = typeof event === 'object' && event !== null && 'task' in event ? String(event.task) : 'unknown';
    try {
      const output = await runCorrelationTask(event, deps);
      log(JSON.stringify({ task, status: 'ok' }));
      return output;
    } catch (error) {
      log(JSON.stringify({ task, status: 'error', error: error instanceof Error ? error.name : 'unknown' }));
      throw error;
    }
  };
}

let live: ReturnType<typeof makeHandler> | undefined;

/** The Lambda entry point; its dependencies are built on the first invocation and kept for the container's life. */
export const handler: ReturnType<typeof makeHandler> = (event) => {
  live ??= makeHandler(fromEnv());
  return live(event);
};
