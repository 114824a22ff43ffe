import * as z from 'zod/mini';
import type { CorrelationFilterSettings } from '#core/correlate/need.ts';
import { nonEmpty } from './function-env.ts';

/** The settings the CorrelationWorkflow construct serialises into CORRELATION_FILTER: which meetings to correlate. */
export const correlationFilterSettings: z.ZodMiniType<CorrelationFilterSettings> = z.object({
  meetings: z.enum(['needed', 'all']),
  dataAccess: z.boolean(),
  sensitiveMeetingPatterns: z.array(z.string()),
  watchedUsers: z.array(z.string()),
});

/** The environment the CorrelationWorkflow construct sets for its starter function. */
export const correlationStarterEnv = z.object({
  STATE_MACHINE_ARN: nonEmpty,
  LAKE_BUCKET_NAME: nonEmpty,
  STATE_TABLE_NAME: nonEmpty,
  CORRELATION_FILTER: nonEmpty,
});
