import * as z from 'zod/mini';
import { nonEmpty } from './function-env.ts';

/** The environment the LakeCompaction construct sets. */
export const lakeCompactionEnv = z.object({
  LAKE_BUCKET_NAME: nonEmpty,
  /** Days before yesterday compacted again on each run, for late writes. */
  LOOKBACK_DAYS: z.coerce.number().check(z.int(), z.gte(0), z.lte(30)),
  /** Records per compacted file; a larger table-day is split. */
  MAX_ROWS_PER_FILE: z.coerce.number().check(z.int(), z.positive()),
});
