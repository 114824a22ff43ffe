import type { Detection } from '../detect/detection.ts';
import { durationMs } from '../detect/detection.ts';
import { maskRow } from '../mask/credentials.ts';
import { alertId, type Alert, type AlertSource, type EntityKind } from './alert.ts';

/**
 * What an alert takes from its detection's registry entry (queries/detections/<id>/detection.yml): realtime checks
 * and correlation steps look their detection up by id and build alerts from it, so title, severity, runbook, dedup
 * key and window are the same whichever path raises the finding.
 */
export type AlertDefinition = Pick<Detection, 'id' | 'title' | 'severity' | 'mitre' | 'dedup' | 'entities' | 'runbook'>;

/** An evidence row: column name to value. */
export type EvidenceRow = Readonly<Record<string, string | number | boolean | null>>;

const iso = (ms: number) => new Date(ms).toISOString();
const cellText = (v: EvidenceRow[string] | undefined): string | undefined => (v === null || v === undefined || v === '' ? undefined : String(v));

/** The dedup key of a row: the dedup columns' values joined with '|', absent ones as '' (as rowsToAlerts does). */
export function dedupKeyOf(detection: AlertDefinition, row: EvidenceRow): string {
  return detection.dedup.key.map((c) => cellText(row[c]) ?? '').join('|');
}

/** The alert for one finding: `summary` holds the dedup and entity columns, `evidence` the rows behind it (credentials masked). */
export function alertForFinding(
  detection: AlertDefinition,
  source: Exclude<AlertSource, 'scheduled'>,
  summary: EvidenceRow,
  evidence: readonly EvidenceRow[],
  firstSeenMs: number,
  lastSeenMs: number,
): Alert {
  const dedupKey = dedupKeyOf(detection, summary);
  const entities: Partial<Record<EntityKind, string>> = {};
  for (const kind of detection.entities) {
    const value = cellText(summary[kind]);
    if (value !== undefined) entities[kind] = value;
  }
  return {
    alert_id: alertId(detection.id, dedupKey, firstSeenMs, durationMs(detection.dedup.window)),
    detection_id: detection.id,
    title: detection.title,
    severity: detection.severity,
    source,
    first_seen: iso(firstSeenMs),
    last_seen: iso(Math.max(firstSeenMs, lastSeenMs)),
    dedup_key: dedupKey,
    entities,
    evidence: evidence.map(maskRow),
    mitre: [...detection.mitre],
    runbook: detection.runbook,
  };
}
