import * as z from 'zod/mini';
import { nonEmpty, positiveInt } from './function-env.ts';

/** The environment the ZoomWebhookApi construct sets. */
export const zoomWebhookEnv = z.object({
  EVENT_BUS_NAME: nonEmpty,
  LAKE_BUCKET_NAME: nonEmpty,
  WEBHOOK_SECRET_ARN: nonEmpty,
  REPLAY_WINDOW_SECONDS: positiveInt,
  MAX_BODY_BYTES: positiveInt,
});

/** What Lambda itself sets and the webhook function reads: its name, the VerifiedEvents metric's dimension. */
export const lambdaFunctionEnv = z.object({ AWS_LAMBDA_FUNCTION_NAME: nonEmpty });

/** What Lambda itself sets and the webhook function's S3 writer reads: the region it signs for and sends to. */
export const lambdaRegionEnv = z.object({ AWS_REGION: nonEmpty });
