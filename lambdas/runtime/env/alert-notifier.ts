import * as z from 'zod/mini';
import { NOTIFY_CHANNELS } from '#core/alerts/notify.ts';
import { flag, nonEmpty, positiveInt } from './function-env.ts';

/** The environment the AlertRouter construct sets: one channel and its secret per function. */
export const alertNotifierEnv = z.object({
  NOTIFY_CHANNEL: z.enum(NOTIFY_CHANNELS),
  /** ARN or name of the secret holding the Slack webhook URL or the PagerDuty routing key. */
  NOTIFY_SECRET_ID: nonEmpty,
  PAGERDUTY_EVENTS_URL: z.optional(z.url()),
  NOTIFY_REPLAYS: z.optional(flag),
  NOTIFY_MAX_ATTEMPTS: z.optional(positiveInt),
  NOTIFY_TIMEOUT_MS: z.optional(positiveInt),
});
