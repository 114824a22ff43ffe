import { alertId, type Alert, type AlertSource, type EntityKind, type Severity } from './alert.ts';

/**
 * The alert metadata of a detection written in code (a realtime check or a correlation step) rather than as a
 * `queries/detections/<id>/` folder. Ids shared with a scheduled detection use its dedup key columns and window, so
 * suppression sees one finding.
 */
export interface CodedDetection {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly mitre: readonly string[];
  /** Evidence columns whose values, joined with '|', are the dedup key (as rowsToAlerts computes it). */
  readonly dedupKey: readonly string[];
  readonly dedupWindowMs: number;
  /** Evidence columns that are alert entities. */
  readonly entities: readonly EntityKind[];
  readonly runbook: string;
}

/** An evidence row: column name to value. */
export type EvidenceRow = Readonly<Record<string, string | number | boolean | null>>;

const iso = (ms: number) => new Date(ms).toISOString();
const cellText = (v: EvidenceRow[string] | undefined): string | undefined => (v === null || v === undefined || v === '' ? undefined : String(v));

/** The dedup key of a row: the dedup columns' values joined with '|', absent ones as '' (as rowsToAlerts does). */
export function dedupKeyOf(detection: CodedDetection, row: EvidenceRow): string {
  return detection.dedupKey.map((c) => cellText(row[c]) ?? '').join('|');
}

/** The alert for one finding: `summary` holds the dedup and entity columns, `evidence` the rows behind it. */
export function codedAlert(
  detection: CodedDetection, source: Exclude<AlertSource, 'scheduled'>, summary: EvidenceRow, evidence: readonly EvidenceRow[],
  firstSeenMs: number, lastSeenMs: number,
): Alert {
  const dedupKey = dedupKeyOf(detection, summary);
  const entities: Partial<Record<EntityKind, string>> = {};
  for (const kind of detection.entities) {
    const value = cellText(summary[kind]);
    if (value !== undefined) entities[kind] = value;
  }
  return {
    alert_id: alertId(detection.id, dedupKey, firstSeenMs, detection.dedupWindowMs),
    detection_id: detection.id, title: detection.title, severity: detection.severity, source,
    first_seen: iso(firstSeenMs), last_seen: iso(Math.max(firstSeenMs, lastSeenMs)), dedup_key: dedupKey, entities,
    evidence: evidence.map((row) => ({ ...row })), mitre: [...detection.mitre], runbook: detection.runbook,
  };
}
