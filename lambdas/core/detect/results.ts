import { alertId, type Alert, type AlertSource, type EntityKind } from '../alerts/alert.ts';
import type { AlertDefinition } from '../alerts/finding.ts';
import { instantOf } from '../lake/cell-coercion.ts';
import { maskRow } from '../mask/credentials.ts';
import { durationMs } from './detection.ts';

/** A result row the detection's contract does not allow (missing time or entity column). */
export class DetectionResultError extends Error {
  override readonly name = 'DetectionResultError';
}

const iso = (ms: number) => new Date(ms).toISOString();

function entityText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/**
 * Maps a detection's result rows to alerts without per-query code: `first_seen`/`last_seen` give the times, the
 * columns named in `entities` the entities, the dedup key columns the dedup key, and every column is evidence (with
 * credentials masked, should a query select one).
 * Rows with the same alert id (same dedup key in the same window) merge into one alert. `source` is the path that ran
 * the query (correlation runs a detection's query.sql too).
 */
export function rowsToAlerts(
  detection: AlertDefinition,
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
  source: AlertSource = 'scheduled',
): Alert[] {
  const missing = ['first_seen', 'last_seen', ...detection.dedup.key].filter((c) => !columns.includes(c));
  if (missing.length > 0) throw new DetectionResultError(`detection ${detection.id}: the result lacks column(s) ${missing.join(', ')}`);
  const windowMs = durationMs(detection.dedup.window);
  const byId = new Map<string, Alert>();
  for (const row of rows) {
    const first = instantOf(row.first_seen);
    const last = instantOf(row.last_seen) ?? first;
    if (first === undefined || last === undefined) {
      throw new DetectionResultError(`detection ${detection.id}: first_seen/last_seen must be timestamps, got ${String(row.first_seen)}`);
    }
    const entities: Partial<Record<EntityKind, string>> = {};
    for (const kind of detection.entities) {
      const value = entityText(row[kind]);
      if (value !== undefined) entities[kind] = value;
    }
    const dedupKey = detection.dedup.key.map((c) => entityText(row[c]) ?? '').join('|');
    const id = alertId(detection.id, dedupKey, first, windowMs);
    const existing = byId.get(id);
    if (existing) {
      byId.set(id, {
        ...existing,
        first_seen: iso(Math.min(Date.parse(existing.first_seen), first)),
        last_seen: iso(Math.max(Date.parse(existing.last_seen), last)),
        evidence: [...existing.evidence, maskRow(row)],
      });
      continue;
    }
    byId.set(id, {
      alert_id: id,
      detection_id: detection.id,
      title: detection.title,
      severity: detection.severity,
      source,
      first_seen: iso(first),
      last_seen: iso(Math.max(first, last)),
      dedup_key: dedupKey,
      entities,
      evidence: [maskRow(row)],
      mitre: [...detection.mitre],
      runbook: detection.runbook,
    });
  }
  return [...byId.values()];
}
