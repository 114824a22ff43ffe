import * as z from 'zod/mini';
import { nonEmpty } from './function-env.ts';

/** The environment the CorrelationWorkflow construct sets for its starter function. */
export const correlationStarterEnv = z.object({ STATE_MACHINE_ARN: nonEmpty, LAKE_BUCKET_NAME: nonEmpty });
