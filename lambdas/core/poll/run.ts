import type { LakeWriter } from '../lake/writer.ts';
import type { Clock, StateStore, ZoomApi } from '../ports.ts';
import { ZoomBudgetError, ZoomPlanError, ZoomRateLimitError, ZoomScopeError } from '../zoom/errors.ts';
import type { ZoomPlan } from '../zoom/rate-limit.ts';
import { dtOf } from '../lake/records.ts';
import { acquireLease, backfillWindows, commitCursor, planWindows, readCursor, releaseLease, REPORT_WINDOWS, type DayWindow } from './cursor.ts';
import { DEFAULT_MEETING_ACTIVITY_TYPES, type MeetingActivityType } from './meeting-activities.ts';
import { compileRisk, NO_RISK_SETTINGS, noneByClass, type ByRiskClass, type RiskClass, type RiskSettings } from './risk.ts';
import type { PollSource } from './sources.ts';

/** Settings the sources read, from the configuration. */
export interface PollSettings {
  /** Ranks meetings for participant details and marks risky meetings. */
  readonly risk: RiskSettings;
  /** Whether chat message text is collected. */
  readonly chatIncludeContent: boolean;
  /** The meeting activities report's `activity_type`s to read. */
  readonly meetingActivityTypes: readonly MeetingActivityType[];
}

/** No risk signals configured, chat content off, the default meeting activity types. */
export const DEFAULT_POLL_SETTINGS: PollSettings = {
  risk: NO_RISK_SETTINGS,
  chatIncludeContent: false,
  meetingActivityTypes: DEFAULT_MEETING_ACTIVITY_TYPES,
};

/** Most warning texts a run keeps; the rest are only counted. */
export const MAX_RUN_WARNINGS = 5;

/** What a run worked around without failing: how often, and the first few messages. */
export interface RunWarnings {
  readonly count: number;
  /** At most MAX_RUN_WARNINGS, in the order they happened. */
  readonly first: readonly string[];
}

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
  /** @default DEFAULT_POLL_SETTINGS */
  readonly settings?: PollSettings;
}

/** Why `plan` lacks the source's API (it is then off: never scheduled, never called), or undefined when it has it. */
export function planLacks(source: PollSource, plan: ZoomPlan): string | undefined {
  return source.plans === undefined || source.plans.includes(plan)
    ? undefined
    : `${source.name} needs a Zoom plan of ${source.plans.join(' or ')}; planTier is ${plan}`;
}

/** What the budget left out of a per-meeting source's run (meetings, participant_details). */
export interface BudgetReport {
  /** Meetings left unfetched by risk class; each waits in the backlog unless counted in `dropped`. */
  readonly skippedByClass: ByRiskClass;
  /** Backlog entries given up (too old for Zoom, gone, or pushed out by riskier ones) by risk class. */
  readonly droppedByClass: ByRiskClass;
  /** Meetings waiting in the backlog after the run. */
  readonly backlog: number;
}

/** How one source's run ended. */
export interface SourceRun {
  readonly source: string;
  /** ok: every planned window written; disabled: the plan or scopes lack the API; busy: another run holds it; stopped: the budget or daily limit ran out. */
  readonly status: 'ok' | 'disabled' | 'busy' | 'stopped';
  readonly windows: number;
  readonly records: number;
  readonly rejected: number;
  /** Meetings the daily budget left in the backlog for later runs (the per-meeting sources only, else 0). */
  readonly skipped: number;
  readonly budget?: BudgetReport;
  readonly reason?: string;
  /** Set when the run kept going past something (e.g. recording settings Zoom refused: rows kept, sharing NULL). */
  readonly warnings?: RunWarnings;
}

/**
 * Runs one source: takes its lease, reads the windows after its cursor (or an explicit backfill range), and per
 * window writes every page to the lake before the cursor moves past it, so a crash re-reads the window and loses
 * nothing (its duplicates read once through the views). A plan or scope that lacks the API ends the run with
 * `disabled`, never a crash loop; a spent budget or daily limit ends it with `stopped`, the cursor where it was.
 * The exception are the per-meeting sources (meetings, participant_details): what they fetched before the budget ran
 * out is written and marked, and the meetings they skipped wait in a backlog; the window is committed after both, and
 * the run stops there with `stopped` and the skipped counts. A source whose `plans` leave out the configured plan is
 * `disabled` without a call to Zoom.
 */
export async function pollSource(source: PollSource, deps: PollDeps, backfill?: DayWindow): Promise<SourceRun> {
  const lacking = planLacks(source, deps.plan);
  if (lacking !== undefined) {
    return {
      source: source.name,
      status: 'disabled',
      windows: 0,
      records: 0,
      rejected: 0,
      skipped: 0,
      reason: `${lacking}, so it is off without asking Zoom`,
    };
  }
  const started = deps.clock.now();
  const lease = await acquireLease(deps.state, source.name, deps.owner, started, deps.leaseSeconds);
  if (!lease) return { source: source.name, status: 'busy', windows: 0, records: 0, rejected: 0, skipped: 0, reason: 'another run holds the lease' };
  let windows = 0;
  let records = 0;
  let rejected = 0;
  let budget: { skippedByClass: Record<RiskClass, number>; droppedByClass: Record<RiskClass, number>; backlog: number } | undefined;
  const settings = deps.settings ?? DEFAULT_POLL_SETTINGS;
  const risk = compileRisk(settings.risk);
  const skippedOf = () => (budget ? Object.values(budget.skippedByClass).reduce((a, b) => a + b, 0) : 0);
  const warned: string[] = [];
  let warnings = 0;
  const extras = () => ({
    ...(budget ? { skipped: skippedOf(), budget } : { skipped: 0 }),
    ...(warnings > 0 ? { warnings: { count: warnings, first: [...warned] } } : {}),
  });
  try {
    let cursor = await readCursor(deps.state, source.name);
    const today = dtOf(started);
    const plan: DayWindow[] = backfill
      ? backfillWindows(backfill.from, backfill.to, started)
      : source.mode === 'daily_snapshot'
        ? cursor?.windowEnd === today
          ? []
          : [{ from: today, to: today }]
        : planWindows(cursor?.windowEnd, started, source.windows ?? REPORT_WINDOWS);
    for (const window of plan) {
      const writer = deps.newWriter();
      const outcome = await source.collect({
        api: deps.api,
        plan: deps.plan,
        window,
        nowMs: deps.clock.now(),
        state: deps.state,
        risk,
        chatIncludeContent: settings.chatIncludeContent,
        meetingActivityTypes: settings.meetingActivityTypes,
        backfill: backfill !== undefined,
        warn: (message) => {
          warnings++;
          if (warned.length < MAX_RUN_WARNINGS) warned.push(message);
        },
        add: (table, row) => {
          const added = row === null ? undefined : writer.add(table, row);
          if (added?.ok) records++;
          else rejected++;
        },
      });
      await writer.flush();
      if (outcome) {
        // Marks and the backlog follow the rows: written only once those are durable, before the cursor moves.
        await outcome.afterFlush();
        if (outcome.backlog) {
          budget ??= { skippedByClass: noneByClass(), droppedByClass: noneByClass(), backlog: 0 };
          for (const k of ['high', 'elevated', 'routine'] as const) {
            budget.skippedByClass[k] += outcome.backlog.skipped[k];
            budget.droppedByClass[k] += outcome.backlog.dropped[k];
          }
          budget.backlog = outcome.backlog.size;
        }
      }
      const spent = outcome?.budgetSpent;
      cursor = await commitCursor(deps.state, source.name, cursor, window.to, deps.clock.now());
      windows++;
      if (spent !== undefined) {
        return { source: source.name, status: 'stopped', windows, records, rejected, ...extras(), reason: spent };
      }
    }
    return { source: source.name, status: 'ok', windows, records, rejected, ...extras() };
  } catch (error) {
    const base = { source: source.name, windows, records, rejected, ...extras() };
    if (error instanceof ZoomPlanError || error instanceof ZoomScopeError) return { ...base, status: 'disabled', reason: error.message };
    if (error instanceof ZoomBudgetError || (error instanceof ZoomRateLimitError && error.daily))
      return { ...base, status: 'stopped', reason: error.message };
    throw error;
  } finally {
    await releaseLease(deps.state, lease);
  }
}
