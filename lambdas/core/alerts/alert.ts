import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import type { Cells } from '../lake/cell-coercion.ts';

/** The EventBridge `source` and `detail-type` of every alert event (DESIGN §8). */
export const ALERT_EVENT_SOURCE = 'zoomlake';
export const ALERT_DETAIL_TYPE = 'Zoom Security Alert';

/** Alert severities, lowest first. */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Where an alert came from. */
export const ALERT_SOURCES = ['realtime', 'scheduled', 'correlation'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

/** The entity kinds an alert may name (DESIGN §8); each is a plain string. */
export const ENTITY_KINDS = ['user_email', 'user_name', 'meeting_id', 'meeting_uuid', 'ip_address', 'device', 'operator', 'host_email'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

const isoInstant = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/));

/**
 * The one alert shape (DESIGN §8), for realtime checks, scheduled detections and post-meeting correlation alike.
 * `alert_id` is deterministic: the same finding in the same dedup window always gets the same id.
 */
export const alertSchema = z.object({
  alert_id: z.string().check(z.regex(/^[0-9a-f]{32}$/)),
  detection_id: z.string().check(z.minLength(1)),
  title: z.string().check(z.minLength(1)),
  severity: z.enum(SEVERITIES),
  source: z.enum(ALERT_SOURCES),
  first_seen: isoInstant,
  last_seen: isoInstant,
  /** The values of the detection's dedup key columns, joined; suppression is per detection and dedup key. */
  dedup_key: z.string(),
  entities: z.partialRecord(z.enum(ENTITY_KINDS), z.string()),
  /** The rows behind the alert, column name to value. */
  evidence: z.array(z.record(z.string(), z.unknown())),
  /** MITRE ATT&CK technique ids. */
  mitre: z.array(z.string()),
  runbook: z.string(),
});
export type Alert = z.infer<typeof alertSchema>;

/** A deterministic alert id: detection, dedup key and the dedup window the first evidence falls in. */
export function alertId(detectionId: string, dedupKey: string, firstSeenMs: number, dedupWindowMs: number): string {
  const bucket = Math.floor(firstSeenMs / dedupWindowMs);
  return createHash('sha256').update(`${detectionId}\u0000${dedupKey}\u0000${bucket}`).digest('hex').slice(0, 32);
}

/** The alert as a row of the `alerts` table. */
export function alertRow(alert: Alert): Cells {
  return {
    alert_id: alert.alert_id,
    detection_id: alert.detection_id,
    title: alert.title,
    severity: alert.severity,
    alert_source: alert.source,
    first_seen: Date.parse(alert.first_seen),
    last_seen: Date.parse(alert.last_seen),
    dedup_key: alert.dedup_key,
    entities_json: JSON.stringify(alert.entities),
    evidence_json: JSON.stringify(alert.evidence),
    mitre: alert.mitre.join(','),
    runbook: alert.runbook,
  };
}
