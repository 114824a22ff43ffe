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

/** A detection pass: its summary, and the alerts with what delivery did to each, for callers that show them. */
export interface DetectPass {
  readonly summary: RunSummary;
  /** Every alert raised, detection by detection. */
  readonly alerts: readonly Alert[];
  /** What delivery did to each alert, in the order of `alerts`; empty when delivery failed. */
  readonly delivered: readonly DeliveryResult[];
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs the detections for a run ending at `nowMs` and hands their alerts to delivery in one batch (a repeat inside its
 * detection's dedup window is counted, not re-notified). One failing detection does not stop the others; a failed
 * delivery fails every detection whose alerts it carried, with `delivery failed: ...`. Nothing is thrown for either:
 * the summary says what failed, for the caller to log, alarm on and retry.
 */
export async function runAndDeliver(
  engine: QueryEngine,
  delivery: AlertDelivery,
  detections: readonly ScheduledDetection[],
  nowMs: number,
): Promise<DetectPass> {
  const outcomes = await runDetections(engine, detections, nowMs);
  const alerts = outcomes.flatMap((o) => (o.ok ? o.alerts : []));
  let delivered: DeliveryResult[] = [];
  let deliveryError: string | undefined;
  try {
    if (alerts.length > 0) delivered = await delivery.deliver(alerts);
  } catch (error) {
    deliveryError = `delivery failed: ${message(error)}`;
  }
  let offset = 0;
  const summaries = outcomes.map((outcome): DetectionSummary => {
    const { detectionId: detection } = outcome;
    if (!outcome.ok) return { detection, ok: false, alerts: 0, notified: 0, rows: 0, alertIds: [], error: outcome.error };
    const alertIds = outcome.alerts.map((a) => a.alert_id);
    const { rows } = outcome;
    if (deliveryError !== undefined && alertIds.length > 0)
      return { detection, ok: false, alerts: alertIds.length, notified: 0, rows, alertIds, error: deliveryError };
    const mine = delivered.slice(offset, (offset += alertIds.length));
    return { detection, ok: true, alerts: alertIds.length, notified: mine.filter((r) => r.outcome === 'notified').length, rows, alertIds };
  });
  const summary: RunSummary = {
    now: new Date(nowMs).toISOString(),
    alerts: summaries.reduce((n, s) => n + (s.ok ? s.alerts : 0), 0),
    failed: summaries.filter((s) => !s.ok).length,
    detections: summaries,
  };
  return { summary, alerts, delivered };
}
