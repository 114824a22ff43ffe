import * as z from 'zod/mini';
import { S3ObjectStore } from '#adapters/s3-object-store.ts';
import {
  compactionDays,
  compactionSummary,
  compactLake,
  DEFAULT_COMPACTION_LIMITS,
  type CompactionLimits,
  type CompactionRun,
} from '#core/lake/compaction.ts';
import type { Clock, ObjectStore } from '#core/ports.ts';
import { TABLES } from '#core/schema/tables.ts';
import { lakeCompactionEnv } from '#runtime/env/lake-compaction.ts';
import { lazyHandler } from '#runtime/lazy-handler.ts';
import { handlerLogger, type HandlerLog } from '#runtime/log.ts';
import { SystemClock } from '#runtime/system-clock.ts';

/** The function's logger (module scope: one per container). */
const LOG = handlerLogger('lake-compaction');

/** What the compaction handler needs. */
export interface CompactionDeps {
  readonly store: ObjectStore;
  readonly clock: Clock;
  readonly lookbackDays: number;
  readonly limits: CompactionLimits;
}

/** The dependencies from the Lambda environment. */
export function fromEnv(env: NodeJS.ProcessEnv = process.env): CompactionDeps {
  const e = lakeCompactionEnv.parse(env);
  return {
    store: new S3ObjectStore(e.LAKE_BUCKET_NAME),
    clock: new SystemClock(),
    lookbackDays: e.LOOKBACK_DAYS,
    limits: { ...DEFAULT_COMPACTION_LIMITS, maxRowsPerFile: e.MAX_ROWS_PER_FILE },
  };
}

const day = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));
/** The schedule sends `{}`; `days` compacts those days instead (an operator's backfill). */
const eventSchema = z.object({ days: z.optional(z.array(day)) });

/**
 * Compacts every lake table's closed days (yesterday and LOOKBACK_DAYS before it, or the event's `days`): one INFO
 * line per table-day compacted, one ERROR line per table-day that failed, then throws so the schedule retries and the
 * errors alarm fires. A rerun is safe at every step (lambdas/core/lake/compaction.ts).
 */
export function makeHandler(deps: CompactionDeps, log: HandlerLog = LOG): (event: unknown) => Promise<CompactionRun> {
  return async (event) => {
    const { days } = eventSchema.parse(event ?? {});
    const run = await compactLake(
      deps.store,
      TABLES.map((t) => t.name),
      days ?? compactionDays(deps.clock.now(), deps.lookbackDays),
      deps.limits,
      (d) => {
        if (d.outcome === 'compacted') log.info('table-day compacted', { ...d, written: d.written.length });
      },
    );
    for (const f of run.failures) log.error('table-day not compacted', f);
    const { tableDays, compacted, failed, filesRead, filesWritten } = compactionSummary(run);
    log.info('compaction run', { tableDays, compacted, failed, filesRead, filesWritten });
    if (run.failures.length > 0) throw new Error(`${run.failures.length} table-days were not compacted; see the ERROR lines`);
    return run;
  };
}

/** The Lambda entry point; its dependencies are built on the first invocation and kept for the container's life. */
export const handler = lazyHandler(() => makeHandler(fromEnv()), LOG);
