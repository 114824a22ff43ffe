import * as z from 'zod/mini';
import type { RealtimeSettings } from '#core/realtime/config.ts';
import { nonEmpty, sha256Hex } from './function-env.ts';

/** A whole number above zero, as a JSON number (the settings are one JSON variable, not decimal text). */
const positiveJsonInt = z.number().check(z.int(), z.positive());
/** The settings the RealtimeChecks construct serialises into REALTIME_SETTINGS. */
export const realtimeSettings: z.ZodMiniType<RealtimeSettings> = z.object({
  internalDomains: z.array(z.string()),
  sensitiveMeetingPatterns: z.array(z.string()),
  watchedUsers: z.array(z.string()),
  trustedExternals: z.optional(z.array(z.string())),
  minClientVersion: z.string(),
  supportNames: z.array(z.string()),
  meetingStateHours: positiveJsonInt,
  idempotencyHours: positiveJsonInt,
});

/** The environment the RealtimeChecks construct sets. */
export const realtimeChecksEnv = z.object({
  STATE_TABLE_NAME: nonEmpty,
  LAKE_BUCKET_NAME: nonEmpty,
  ALERT_BUS_NAME: nonEmpty,
  REALTIME_SETTINGS: nonEmpty,
  DETECTIONS_SHA256: sha256Hex,
});
