import type { Alert } from '../alerts/alert.ts';
import type { QueryEngine } from '../ports.ts';
import { detectionParams, type ScheduledDetection } from './detection.ts';
import { rowsToAlerts } from './results.ts';

/** One detection's outcome in a run. */
export type DetectionOutcome =
  | { readonly detectionId: string; readonly ok: true; readonly alerts: readonly Alert[]; readonly rows: number }
  | { readonly detectionId: string; readonly ok: false; readonly error: string };

/** Runs one detection on the engine for a run ending at `nowMs` and maps its rows to alerts. */
export async function runDetection(engine: QueryEngine, detection: ScheduledDetection, nowMs: number): Promise<Alert[]> {
  const result = await engine.query(detection.sql, detectionParams(detection, nowMs));
  return rowsToAlerts(detection, result.columns, result.rows);
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
