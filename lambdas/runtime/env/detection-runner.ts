import * as z from 'zod/mini';
import { nonEmpty, positiveInt, sha256Hex } from './function-env.ts';

/** The environment the DetectionRunner construct sets. */
export const detectionRunnerEnv = z.object({
  ATHENA_WORKGROUP: nonEmpty,
  GLUE_DATABASE: nonEmpty,
  LAKE_BUCKET_NAME: nonEmpty,
  ALERT_BUS_NAME: nonEmpty,
  STATE_TABLE_NAME: nonEmpty,
  DETECTIONS_SHA256: sha256Hex,
  ATHENA_TIMEOUT_SECONDS: positiveInt,
});
