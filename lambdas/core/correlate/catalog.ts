import type { Alert } from '../alerts/alert.ts';
import { alertForFinding, type AlertDefinition, type EvidenceRow } from '../alerts/finding.ts';

export type { EvidenceRow } from '../alerts/finding.ts';

/**
 * The alert for one correlation finding (source correlation), from its detection's registry entry
 * (queries/detections/<id>/detection.yml, `paths` including `correlation`). `summary` holds the dedup and entity
 * columns; `evidence` the rows behind it.
 */
export function correlationAlert(
  detection: AlertDefinition,
  summary: EvidenceRow,
  evidence: readonly EvidenceRow[],
  firstSeenMs: number,
  lastSeenMs: number,
): Alert {
  return alertForFinding(detection, 'correlation', summary, evidence, firstSeenMs, lastSeenMs);
}
