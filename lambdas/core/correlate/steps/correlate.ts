import type { Alert } from '../../alerts/alert.ts';
import { bindNamed, durationMs, isScheduled, parameter } from '../../detect/detection.ts';
import type { DetectionRegistry } from '../../detect/registry.ts';
import { rowsToAlerts } from '../../detect/results.ts';
import { detectionQuery } from '../../detect/run.ts';
import { ZoomlakeError } from '../../errors.ts';
import { instantOf } from '../../lake/cell-coercion.ts';
import { dtOf } from '../../lake/records.ts';
import type { Clock, QueryEngine } from '../../ports.ts';
import { correlationAlert, type EvidenceRow } from '../catalog.ts';
import { runCorrelationQuery } from '../queries.ts';
import { CORRELATION_DETECTIONS, type CorrelateOutput, type ExposureSummary } from '../contract.ts';
import type { CorrelationSettings, DataAccessSource } from '../settings.ts';
import { DAY_MS, cellText, iso } from '../values.ts';

/** What Correlate needs. */
export interface CorrelateDeps {
  readonly query: QueryEngine;
  readonly clock: Clock;
  readonly settings: CorrelationSettings;
  /** The detection registry: the detections Correlate raises, their SQL and parameters. */
  readonly registry: DetectionRegistry;
}

/** Whether the meeting had anyone from outside: an external email or an unauthenticated guest. */
export const hadOutsiders = (summary: ExposureSummary): boolean => summary.external_emails.length + summary.unauthenticated.length > 0;

/** The window (minutes) after a meeting with outsiders in which the host's data access is correlated. */
export const dataAccessWindowMinutes = (registry: DetectionRegistry): number =>
  parameter(registry.get(CORRELATION_DETECTIONS.hostDataAccessAfterExternalMeeting), 'window_minutes');

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
/** The most data-access rows one alert carries as evidence. */
export const MAX_ACCESS_EVIDENCE = 100;

/** A configured SQL identifier, double-quoted; refuses anything the config schema would not have accepted. */
function ident(name: string, field: string): string {
  if (!IDENTIFIER.test(name)) throw new ZoomlakeError(`correlation.dataAccess.${field} must be a lower-case SQL identifier, got "${name}"`, false);
  return `"${name}"`;
}

/**
 * The data-access query (queries/correlation/data-access.sql) over the configured table and columns: each `{name}`
 * becomes the configured identifier, double-quoted, after checking it is one.
 */
export function dataAccessSql(template: string, source: DataAccessSource): string {
  const idents: Readonly<Record<string, string>> = {
    table: ident(source.table, 'table'),
    userColumn: ident(source.userColumn, 'userColumn'),
    timeColumn: ident(source.timeColumn, 'timeColumn'),
    resourceColumn: ident(source.resourceColumn, 'resourceColumn'),
  };
  return template.replace(/"\{(\w+)\}"/g, (whole, name: string) => {
    const value = idents[name];
    if (value === undefined) throw new ZoomlakeError(`data-access.sql names an unknown identifier ${whole}`, false);
    return value;
  });
}

/**
 * Correlate: the meeting against other data in the lake. Recording downloads by non-participants since the meeting
 * started (always, when the meeting number is known); the host's access to the configured data-access source in the
 * window after the meeting (only when `dataAccess` is configured, the meeting had outsiders and the host is known).
 */
export async function correlate(deps: CorrelateDeps, summary: ExposureSummary): Promise<CorrelateOutput> {
  const alerts: Alert[] = [];
  alerts.push(...(await downloadAlerts(deps, summary)));
  alerts.push(...(await dataAccessAlerts(deps, summary)));
  return { alerts };
}

/**
 * Recording downloads of this meeting by non-participants: the scheduled detection's own query (one definition),
 * run now and kept to this meeting number, its rows mapped to alerts as the scheduled runner maps them. That query
 * reads a month of the participant tables, so it runs only when the operation log holds an entry in its window that
 * could concern this meeting (queries/correlation/download-candidates.sql, a superset of what it can match).
 */
async function downloadAlerts(deps: CorrelateDeps, s: ExposureSummary): Promise<Alert[]> {
  if (s.meeting_id === null) return [];
  const d = deps.registry.get(CORRELATION_DETECTIONS.recordingDownloadByNonParticipant);
  if (!isScheduled(d)) throw new ZoomlakeError(`detection ${d.id} has no query.sql for the correlation to run`, false);
  const now = deps.clock.now();
  const from = now - durationMs(d.lookback);
  const candidates = await runCorrelationQuery(deps.query, deps.registry, 'download-candidates', {
    from_dt: dtOf(from),
    from: iso(from),
    to: iso(now),
    meeting_id: s.meeting_id.replace(/\D/g, ''),
  });
  if (Number(candidates.rows[0]?.candidates ?? 0) === 0) return [];
  const result = await detectionQuery(deps.query, d, now);
  if (result === undefined) return [];
  const rows = result.rows.filter((r) => cellText(r.meeting_id) === s.meeting_id);
  return rows.length === 0 ? [] : rowsToAlerts(d, result.columns, rows, 'correlation');
}

async function dataAccessAlerts(deps: CorrelateDeps, s: ExposureSummary): Promise<Alert[]> {
  const source = deps.settings.dataAccess;
  if (source === undefined || s.host_email === null || !hadOutsiders(s)) return [];
  const endMs = Date.parse(s.end_time);
  const windowMinutes = dataAccessWindowMinutes(deps.registry);
  const untilMs = endMs + windowMinutes * 60_000;
  const d = deps.registry.get(CORRELATION_DETECTIONS.hostDataAccessAfterExternalMeeting);
  const baselineDays = parameter(d, 'baseline_days');
  // The baseline ends when the meeting started, so a file opened during the call is not part of it.
  const baselineToMs = s.start_time === null ? endMs : Date.parse(s.start_time);
  const bound = bindNamed(dataAccessSql(deps.registry.query('data-access'), source), {
    user: s.host_email.toLowerCase(),
    from: iso(endMs),
    to: iso(untilMs),
    baseline_from: iso(baselineToMs - baselineDays * DAY_MS),
    baseline_to: iso(baselineToMs),
  });
  const { rows } = await deps.query.query(bound.sql, bound.params);
  const accesses = rows.flatMap((r) => {
    const at = instantOf(r.access_time);
    return at === undefined ? [] : [{ at, principal: cellText(r.principal), resource: cellText(r.resource) }];
  });
  if (accesses.length === 0) return [];
  const first = Math.min(...accesses.map((a) => a.at));
  const last = Math.max(...accesses.map((a) => a.at));
  const summaryRow: EvidenceRow = {
    host_email: s.host_email,
    user_email: s.host_email,
    meeting_id: s.meeting_id,
    meeting_uuid: s.meeting_uuid,
  };
  const meeting = {
    ...summaryRow,
    topic: s.topic,
    meeting_end: s.end_time,
    window_minutes: windowMinutes,
    baseline_days: baselineDays,
    external_emails: s.external_emails.join(', '),
    unauthenticated: s.unauthenticated.join(', '),
    impersonation: s.impersonation.map((i) => `${i.display_name} -> ${i.matches_email}`).join(', '),
    source_table: source.table,
  };
  const evidence = accesses.slice(0, MAX_ACCESS_EVIDENCE).map((a) => ({
    ...meeting,
    principal: a.principal,
    resource: a.resource,
    first_seen: iso(a.at),
    last_seen: iso(a.at),
  }));
  return [correlationAlert(d, summaryRow, evidence, first, last)];
}
