import type { LakeWriter } from '../lake/writer.ts';
import type { Clock, StateStore } from '../ports.ts';
import { ZoomBudgetError, ZoomPlanError, ZoomRateLimitError, ZoomScopeError } from '../zoom/errors.ts';
import type { ZoomApi } from '../zoom/client.ts';
import type { ZoomPlan } from '../zoom/rate-limit.ts';
import { dtOf } from '../lake/records.ts';
import { acquireLease, backfillWindows, commitCursor, planWindows, readCursor, releaseLease, type DayWindow } from './cursor.ts';
import type { PollSource } from './sources.ts';

/** What a polling run needs from the outside. */
export interface PollDeps {
  readonly api: ZoomApi;
  readonly plan: ZoomPlan;
  readonly state: StateStore;
  readonly clock: Clock;
  /** A fresh writer per window: a failed flush must not leave rows in a writer that lives on. */
  readonly newWriter: () => LakeWriter;
  /** Names this run in its lease. */
  readonly owner: string;
  /** How long a run may hold a source before another may take over. */
  readonly leaseSeconds: number;
}

/** How one source's run ended. */
export interface SourceRun {
  readonly source: string;
  /** ok: every planned window written; disabled: the plan or scopes lack the API; busy: another run holds it; stopped: the budget or daily limit ran out. */
  readonly status: 'ok' | 'disabled' | 'busy' | 'stopped';
  readonly windows: number;
  readonly records: number;
  readonly rejected: number;
  readonly reason?: string;
}

/**
 * Runs one source: takes its lease, reads the windows after its cursor (or an explicit backfill range), and per
 * window writes every page to the lake before the cursor moves past it, so a crash re-reads the window and loses
 * nothing (its duplicates read once through the views). A plan or scope that lacks the API ends the run with
 * `disabled`, never a crash loop; a spent budget or daily limit ends it with `stopped`, the cursor where it was.
 */
export async function pollSource(source: PollSource, deps: PollDeps, backfill?: DayWindow): Promise<SourceRun> {
  const started = deps.clock.now();
  const lease = await acquireLease(deps.state, source.name, deps.owner, started, deps.leaseSeconds);
  if (!lease) return { source: source.name, status: 'busy', windows: 0, records: 0, rejected: 0, reason: 'another run holds the lease' };
  let windows = 0;
  let records = 0;
  let rejected = 0;
  try {
    let cursor = await readCursor(deps.state, source.name);
    const today = dtOf(started);
    const plan: DayWindow[] = backfill ? backfillWindows(backfill.from, backfill.to, started)
      : source.mode === 'daily_snapshot' ? (cursor?.windowEnd === today ? [] : [{ from: today, to: today }])
      : planWindows(cursor?.windowEnd, started);
    for (const window of plan) {
      const writer = deps.newWriter();
      await source.collect({
        api: deps.api, plan: deps.plan, window, nowMs: deps.clock.now(),
        add: (table, row) => {
          const added = row === null ? undefined : writer.add(table, row);
          if (added?.ok) records++;
          else rejected++;
        },
      });
      await writer.flush();
      cursor = await commitCursor(deps.state, source.name, cursor, window.to, deps.clock.now());
      windows++;
    }
    return { source: source.name, status: 'ok', windows, records, rejected };
  } catch (error) {
    const base = { source: source.name, windows, records, rejected };
    if (error instanceof ZoomPlanError || error instanceof ZoomScopeError) return { ...base, status: 'disabled', reason: error.message };
    if (error instanceof ZoomBudgetError || (error instanceof ZoomRateLimitError && error.daily)) return { ...base, status: 'stopped', reason: error.message };
    throw error;
  } finally {
    await releaseLease(deps.state, lease);
  }
}
