import type { Alert } from '../alerts/alert.ts';
import type { QueryEngine, QueryResult } from '../ports.ts';
import { bindNamed, detectionParams, type ScheduledDetection } from './detection.ts';
import { rowsToAlerts } from './results.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Runs a detection's query for a run ending at `nowMs`. A detection with days.sql runs it first: the `from_dt` and
 * `to_dt` it returns (UTC days, the partitions its history lookups need) bind query.sql's `:days_from` and `:days_to`;
 * when it returns none (nothing in the window for the lookups to judge) the query is not run and the result is
 * undefined. Throws when days.sql returns something other than two days or two NULLs.
 */
export async function detectionQuery(engine: QueryEngine, detection: ScheduledDetection, nowMs: number): Promise<QueryResult | undefined> {
  if (detection.daysSql === undefined) return engine.query(detection.sql, detectionParams(detection, nowMs));
  const days = await engine.query(detection.daysSql, detectionParams({ sql: detection.daysSql }, nowMs));
  const row = days.rows[0];
  const from = row?.from_dt ?? null;
  const to = row?.to_dt ?? null;
  if (days.rows.length <= 1 && from === null && to === null) return undefined;
  if (days.rows.length !== 1 || typeof from !== 'string' || typeof to !== 'string' || !DAY.test(from) || !DAY.test(to))
    throw new Error(`${detection.id}: days.sql must return one row of from_dt and to_dt (YYYY-MM-DD, or both NULL)`);
  const bound = bindNamed(detection.sql, { days_from: from, days_to: to }, new Date(nowMs).toISOString());
  return engine.query(bound.sql, bound.params);
}

/** One detection's outcome in a run. */
export type DetectionOutcome =
  | { readonly detectionId: string; readonly ok: true; readonly alerts: readonly Alert[]; readonly rows: number }
  | { readonly detectionId: string; readonly ok: false; readonly error: string };

/** Runs one detection on the engine for a run ending at `nowMs` and maps its rows to alerts. */
export async function runDetection(engine: QueryEngine, detection: ScheduledDetection, nowMs: number): Promise<Alert[]> {
  const result = await detectionQuery(engine, detection, nowMs);
  return result === undefined ? [] : rowsToAlerts(detection, result.columns, result.rows);
}

/**
 * Runs every detection in turn; one failing detection does not stop the others, and its error is reported in its
 * outcome (the caller logs it and alarms), never swallowed.
 */
export async function runDetections(engine: QueryEngine, detections: readonly ScheduledDetection[], nowMs: number): Promise<DetectionOutcome[]> {
  const outcomes: DetectionOutcome[] = [];
  for (const detection of detections) {
    try {
      const alerts = await runDetection(engine, detection, nowMs);
      outcomes.push({ detectionId: detection.id, ok: true, alerts, rows: alerts.reduce((n, a) => n + a.evidence.length, 0) });
    } catch (error) {
      outcomes.push({ detectionId: detection.id, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return outcomes;
}
