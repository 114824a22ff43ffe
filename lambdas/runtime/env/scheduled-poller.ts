import * as z from 'zod/mini';
import { ZOOM_PLANS } from '#core/zoom/rate-limit.ts';
import { budgetShare, flag, nonEmpty, positiveInt } from './function-env.ts';

/** The environment the ScheduledPoller construct sets. */
export const scheduledPollerEnv = z.object({
  ZOOM_CREDENTIALS_SECRET_ARN: nonEmpty,
  ZOOM_PLAN: z.enum(ZOOM_PLANS),
  API_BUDGET_SHARE: budgetShare,
  STATE_TABLE_NAME: nonEmpty,
  LAKE_BUCKET_NAME: nonEmpty,
  LEASE_SECONDS: positiveInt,
  /** JSON string arrays: the config's risk signals, for ranking participant details. */
  INTERNAL_DOMAINS: nonEmpty,
  SENSITIVE_MEETING_PATTERNS: nonEmpty,
  WATCHED_USERS: nonEmpty,
  CHAT_INCLUDE_CONTENT: flag,
  /** A JSON array of the meeting activities report's `activity_type`s. */
  MEETING_ACTIVITY_TYPES: nonEmpty,
});
