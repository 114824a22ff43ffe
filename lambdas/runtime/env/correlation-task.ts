import * as z from 'zod/mini';
import type { CorrelationSettings } from '#core/correlate/settings.ts';
import { ZOOM_PLANS } from '#core/zoom/rate-limit.ts';
import { budgetShare, nonEmpty, positiveInt, sha256Hex } from './function-env.ts';

const identifier = z.string().check(z.regex(/^[a-z_][a-z0-9_]*$/));
/** The settings the CorrelationWorkflow construct serialises into CORRELATION_SETTINGS. */
export const correlationSettings: z.ZodMiniType<CorrelationSettings> = z.object({
  enabled: z.boolean(),
  waitSeconds: z.number(),
  notReadyRetries: z.number(),
  notReadyIntervalSeconds: z.number(),
  dataAccess: z.optional(z.object({ table: identifier, userColumn: identifier, timeColumn: identifier, resourceColumn: identifier })),
});

const athena = {
  ATHENA_WORKGROUP: nonEmpty,
  GLUE_DATABASE: nonEmpty,
  ATHENA_TIMEOUT_SECONDS: positiveInt,
  CORRELATION_SETTINGS: nonEmpty,
  DETECTIONS_SHA256: sha256Hex,
};
/*
 * The environment the CorrelationWorkflow construct sets, per task function: each gets only what its tasks use, and
 * CORRELATION_FUNCTION says which it is.
 */
/** The fetch function: Zoom's reports into the lake. */
export const correlationFetchEnv = z.object({
  CORRELATION_FUNCTION: z.literal('fetch'),
  ZOOM_CREDENTIALS_SECRET_ARN: nonEmpty,
  ZOOM_PLAN: z.enum(ZOOM_PLANS),
  API_BUDGET_SHARE: budgetShare,
  STATE_TABLE_NAME: nonEmpty,
  LAKE_BUCKET_NAME: nonEmpty,
});
/** The exposure function: Athena queries over the meeting. */
export const correlationExposureEnv = z.object({ CORRELATION_FUNCTION: z.literal('exposure'), ...athena });
/** The correlate function: Athena queries against downloads and data access. */
export const correlationCorrelateEnv = z.object({ CORRELATION_FUNCTION: z.literal('correlate'), ...athena });
/** The alerts function: delivery to the alerts table and the alert bus. */
export const correlationAlertsEnv = z.object({
  CORRELATION_FUNCTION: z.literal('alerts'),
  STATE_TABLE_NAME: nonEmpty,
  LAKE_BUCKET_NAME: nonEmpty,
  ALERT_BUS_NAME: nonEmpty,
  DETECTIONS_SHA256: sha256Hex,
});
/** Any one task function's environment. */
export const correlationTaskEnv = z.discriminatedUnion('CORRELATION_FUNCTION', [
  correlationFetchEnv,
  correlationExposureEnv,
  correlationCorrelateEnv,
  correlationAlertsEnv,
]);
