import * as z from 'zod/mini';
import { nonEmpty } from './function-env.ts';

/** The environment the WebhookLakeWriter construct sets. */
export const webhookLakeWriterEnv = z.object({ LAKE_BUCKET_NAME: nonEmpty });
