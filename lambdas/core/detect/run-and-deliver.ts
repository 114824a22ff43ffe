import type { Alert } from '../alerts/alert.ts';
import type { AlertDelivery, DeliveryResult, QueryEngine } from '../ports.ts';
import type { ScheduledDetection } from './detection.ts';
import { runDetections } from './run.ts';

/** One detection's part of a pass, as logged: counts and ids only (evidence may hold personal data). */
export interface DetectionSummary {
  readonly detection: string;
  readonly ok: boolean;
  readonly alerts: number;
  /** Alerts first in their dedup window (written and published); the rest were repeats, counted only. */
  readonly notified: number;
  readonly rows: number;
  readonly alertIds: readonly string[];
  readonly error?: string;
}

/** A pass, as logged: the run's end, alerts of the detections that succeeded, failures, and each detection's part. */
export interface RunSummary {
  readonly now: string;
  readonly alerts: number;
  readonly failed: number;
  readonly detections: readonly DetectionSummary[];
}

/** A detection pass: its summary, and the delivered alerts with what delivery did to each, for callers that show them. */
export interface DetectPass {
  readonly summary: RunSummary;
  /** The alerts delivered, detection by detection; those of a detection whose delivery failed are only in its summary. */
  readonly alerts: readonly Alert[];
  /** What delivery did to each alert, in the order of `alerts`. */
  readonly delivered: readonly DeliveryResult[];
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs the detections for a run ending at `nowMs` and hands each one's alerts to delivery (a repeat inside its
 * detection's dedup window is counted, not re-notified). Delivery goes detection by detection, so one detection whose
 * alerts cannot be delivered (an invalid alert, a failed write or publish) fails alone, with `delivery failed: ...`,
 * as does one whose query fails. Nothing is thrown: the summary says what failed, for the caller to log, alarm on
 * and retry.
 */
export async function runAndDeliver(
  engine: QueryEngine,
  delivery: AlertDelivery,
  detections: readonly ScheduledDetection[],
  nowMs: number,
): Promise<DetectPass> {
  const outcomes = await runDetections(engine, detections, nowMs);
  const alerts: Alert[] = [];
  const delivered: DeliveryResult[] = [];
  const summaries: DetectionSummary[] = [];
  for (const outcome of outcomes) {
    const { detectionId: detection } = outcome;
    if (!outcome.ok) {
      summaries.push({ detection, ok: false, alerts: 0, notified: 0, rows: 0, alertIds: [], error: outcome.error });
      continue;
    }
    const alertIds = outcome.alerts.map((a) => a.alert_id);
    const { rows } = outcome;
    try {
      const results = outcome.alerts.length === 0 ? [] : await delivery.deliver(outcome.alerts);
      alerts.push(...outcome.alerts);
      delivered.push(...results);
      summaries.push({
        detection,
        ok: true,
        alerts: alertIds.length,
        notified: results.filter((r) => r.outcome === 'notified').length,
        rows,
        alertIds,
      });
    } catch (error) {
      summaries.push({ detection, ok: false, alerts: alertIds.length, notified: 0, rows, alertIds, error: `delivery failed: ${message(error)}` });
    }
  }
  const summary: RunSummary = {
    now: new Date(nowMs).toISOString(),
    alerts: summaries.reduce((n, s) => n + (s.ok ? s.alerts : 0), 0),
    failed: summaries.filter((s) => !s.ok).length,
    detections: summaries,
  };
  return { summary, alerts, delivered };
}
