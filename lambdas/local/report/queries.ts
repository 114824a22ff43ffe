import { SEVERITIES, type Severity } from '#core/alerts/alert.ts';
import type { QueryEngine } from '#core/ports.ts';
import type {
  ClientVersion,
  ExternalDomain,
  GraphEdge,
  GraphNode,
  HostExposure,
  MeetingExposure,
  ReportAlert,
  ReportData,
  ReportSummary,
} from './data.ts';

// The report's SQL follows queries/hunting/ (external-exposure-by-host, collaboration-graph-edges,
// client-version-landscape) without their time windows: a report covers everything in the lake, whatever its dates.

/** Joins from the three participant sources, one row per person per join, with the person's kind. */
const PEOPLE = `
joins AS (
  SELECT meeting_uuid, meeting_id, host_id, topic, lower(nullif(email, '')) AS email,
         nullif(participant_user_id, '') AS zoom_user, user_name AS name, event_time AS joined_at
  FROM participant_events
  WHERE event IN ('meeting.participant_joined', 'webinar.participant_joined')
  UNION ALL
  SELECT meeting_uuid, meeting_id, CAST(NULL AS varchar), CAST(NULL AS varchar), lower(nullif(user_email, '')),
         coalesce(nullif(zoom_user_id, ''), nullif(participant_user_id, '')), name, join_time
  FROM meeting_participants
  UNION ALL
  SELECT meeting_uuid, meeting_id, CAST(NULL AS varchar), CAST(NULL AS varchar), lower(nullif(email, '')),
         coalesce(nullif(zoom_user_id, ''), nullif(participant_user_id, '')), user_name, join_time
  FROM participant_details
),
people AS (
  SELECT meeting_uuid, joined_at, email, zoom_user,
         coalesce(email, 'guest: ' || coalesce(nullif(name, ''), '(no name)')) AS person,
         coalesce(split_part(email, '@', 2), '(no email)') AS domain,
         CASE WHEN email IS NULL THEN 'guest'
              WHEN split_part(email, '@', 2) IN (SELECT domain FROM internal_domains) THEN 'internal'
              ELSE 'external' END AS kind
  FROM joins
  WHERE meeting_uuid IS NOT NULL
),
directory AS (
  SELECT user_id, max_by(lower(email), snapshot_time) AS email
  FROM users
  GROUP BY user_id
),
instances AS (
  SELECT meeting_uuid, max(meeting_id) AS meeting_id, max(topic) AS topic, max(host_email) AS host_email,
         max(host_id) AS host_id, min(start_time) AS start_time
  FROM (
    SELECT meeting_uuid, meeting_id, topic, lower(host_email) AS host_email, host_id, start_time FROM meetings
    UNION ALL
    SELECT meeting_uuid, meeting_id, topic, CAST(NULL AS varchar), host_id, CAST(NULL AS timestamp) FROM joins
  ) m
  WHERE meeting_uuid IS NOT NULL
  GROUP BY meeting_uuid
),
hosted AS (
  SELECT i.meeting_uuid, i.meeting_id, i.topic, i.start_time,
         coalesce(i.host_email, d.email, i.host_id, '(unknown host)') AS host
  FROM instances i
  LEFT JOIN directory d ON d.user_id = i.host_id
)`;

/** External (email domain not internal) or unauthenticated (no email or no Zoom user id), as the hunting query says. */
const EXPOSED = `exposed AS (
  SELECT p.*, CASE WHEN p.email IS NULL THEN p.person END AS guest
  FROM people p
  WHERE p.kind <> 'internal' OR p.zoom_user IS NULL
)`;

/** The report's queries, by section. */
export const REPORT_SQL = {
  alerts: `SELECT alert_id, detection_id, title, severity, alert_source, first_seen, last_seen, entities_json
FROM alerts
ORDER BY first_seen, detection_id, alert_id`,

  exposureByHost: `WITH ${PEOPLE},
${EXPOSED}
SELECT
  h.host,
  count(DISTINCT x.meeting_uuid) AS exposed_meetings,
  count(DISTINCT x.person) AS distinct_externals,
  count(DISTINCT x.guest) AS guests_without_email,
  array_join(array_sort(array_agg(DISTINCT x.domain)), ', ') AS external_domains,
  min(x.joined_at) AS first_seen,
  max(x.joined_at) AS last_seen
FROM exposed x
JOIN hosted h ON h.meeting_uuid = x.meeting_uuid
GROUP BY h.host
ORDER BY exposed_meetings DESC, distinct_externals DESC, h.host`,

  exposureByMeeting: `WITH ${PEOPLE},
${EXPOSED},
sizes AS (SELECT meeting_uuid, count(DISTINCT person) AS participants FROM people GROUP BY meeting_uuid)
SELECT
  h.meeting_uuid,
  h.meeting_id,
  h.topic,
  h.host,
  coalesce(h.start_time, min(x.joined_at)) AS start_time,
  s.participants,
  count(DISTINCT x.person) AS externals,
  count(DISTINCT x.guest) AS guests_without_email,
  array_join(array_sort(array_agg(DISTINCT x.domain)), ', ') AS external_domains
FROM exposed x
JOIN hosted h ON h.meeting_uuid = x.meeting_uuid
JOIN sizes s ON s.meeting_uuid = x.meeting_uuid
GROUP BY h.meeting_uuid, h.meeting_id, h.topic, h.host, h.start_time, s.participants
ORDER BY externals DESC, guests_without_email DESC, start_time, h.meeting_uuid`,

  externalDomains: `WITH ${PEOPLE}
SELECT
  p.domain,
  count(DISTINCT p.person) AS participants,
  count(DISTINCT p.meeting_uuid) AS meetings,
  count(DISTINCT h.host) AS hosts,
  min(p.joined_at) AS first_seen,
  max(p.joined_at) AS last_seen
FROM people p
LEFT JOIN hosted h ON h.meeting_uuid = p.meeting_uuid
WHERE p.kind <> 'internal'
GROUP BY p.domain
ORDER BY meetings DESC, participants DESC, p.domain`,

  clientVersions: `WITH seen AS (
  SELECT lower(email) AS email, version, time AS seen_at FROM activities
  UNION ALL
  SELECT lower(email), client_version, event_time FROM user_events WHERE event = 'user.signed_in'
  UNION ALL
  SELECT lower(email), last_client_version, coalesce(last_login_time, snapshot_time) FROM users
  UNION ALL
  SELECT lower(email), version, join_time FROM participant_details
  WHERE split_part(lower(email), '@', 2) IN (SELECT domain FROM internal_domains)
),
latest AS (
  SELECT email, max_by(version, seen_at) AS version
  FROM seen
  WHERE nullif(email, '') IS NOT NULL AND nullif(version, '') IS NOT NULL
  GROUP BY email
),
versions AS (
  SELECT
    version,
    count(*) AS users,
    CAST(regexp_extract(version, '^(\\d+)\\.(\\d+)\\.(\\d+)', 1) AS integer) AS major,
    CAST(regexp_extract(version, '^(\\d+)\\.(\\d+)\\.(\\d+)', 2) AS integer) AS minor,
    CAST(regexp_extract(version, '^(\\d+)\\.(\\d+)\\.(\\d+)', 3) AS integer) AS patch
  FROM latest
  GROUP BY version
)
SELECT
  v.version,
  v.users,
  CASE
    WHEN v.major IS NULL THEN NULL
    WHEN v.major < m.major
      OR (v.major = m.major AND v.minor < m.minor)
      OR (v.major = m.major AND v.minor = m.minor AND v.patch < m.patch) THEN true
    ELSE false
  END AS below_minimum
FROM versions v
CROSS JOIN min_client_version m
ORDER BY v.major DESC NULLS LAST, v.minor DESC NULLS LAST, v.patch DESC NULLS LAST, v.version`,

  graphNodes: `WITH ${PEOPLE},
present AS (
  SELECT DISTINCT meeting_uuid, person, kind FROM people
  UNION
  SELECT h.meeting_uuid, h.host,
         CASE WHEN split_part(h.host, '@', 2) IN (SELECT domain FROM internal_domains) THEN 'internal' ELSE 'external' END
  FROM hosted h
  WHERE strpos(h.host, '@') > 0
)
SELECT person AS id, min(kind) AS kind, count(DISTINCT meeting_uuid) AS meetings
FROM present
GROUP BY person
ORDER BY person`,

  graphEdges: `WITH ${PEOPLE},
present AS (
  SELECT DISTINCT meeting_uuid, person FROM people
  UNION
  SELECT meeting_uuid, host FROM hosted WHERE strpos(host, '@') > 0
),
small AS (
  SELECT meeting_uuid FROM present GROUP BY meeting_uuid HAVING count(*) <= ?
)
SELECT a.person AS source, b.person AS target, count(DISTINCT a.meeting_uuid) AS weight
FROM present a
JOIN present b ON a.meeting_uuid = b.meeting_uuid AND a.person < b.person
WHERE a.meeting_uuid IN (SELECT meeting_uuid FROM small)
GROUP BY a.person, b.person
ORDER BY weight DESC, source, target`,

  summary: `WITH ${PEOPLE},
times AS (
  SELECT joined_at AS t FROM people
  UNION ALL SELECT start_time FROM meetings
  UNION ALL SELECT first_seen FROM alerts
  UNION ALL SELECT last_seen FROM alerts
)
SELECT
  (SELECT count(*) FROM hosted) AS meetings,
  (SELECT count(DISTINCT person) FROM people) AS people,
  (SELECT count(DISTINCT person) FROM people WHERE kind = 'internal') AS internal_people,
  (SELECT count(DISTINCT person) FROM people WHERE kind <> 'internal') AS external_people,
  (SELECT count(*) FROM alerts) AS alerts,
  (SELECT min(t) FROM times) AS first_time,
  (SELECT max(t) FROM times) AS last_time`,
} as const;

/** What the report states besides query results. */
export interface ReportContext {
  readonly generatedAt: string;
  readonly dir: string;
  readonly internalDomains: readonly string[];
  readonly minClientVersion: string;
  /** @default 25 */
  readonly maxMeetingSizeForEdges?: number;
}

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));
const severityOf = (v: unknown): Severity => ((SEVERITIES as readonly unknown[]).includes(v) ? (v as Severity) : 'info');
const nodeKind = (v: unknown): GraphNode['kind'] => (v === 'internal' || v === 'external' ? v : 'guest');

function entitiesOf(json: unknown): Record<string, string> {
  if (typeof json !== 'string' || json === '') return {};
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed)
        .filter(([, v]) => v !== null && v !== undefined && v !== '')
        .map(([k, v]) => [k, String(v)]),
    );
  } catch {
    return {};
  }
}

/** Runs the report's queries over the lake's views (and the config views) and shapes the rows for rendering. */
export async function collectReportData(engine: QueryEngine, context: ReportContext): Promise<ReportData> {
  const maxMeetingSizeForEdges = context.maxMeetingSizeForEdges ?? 25;
  const rows = async (sql: string, params: readonly (string | number)[] = []) => (await engine.query(sql, params)).rows;

  const alerts: ReportAlert[] = (await rows(REPORT_SQL.alerts)).map((r) => ({
    alertId: String(r.alert_id),
    detectionId: String(r.detection_id),
    title: String(r.title),
    severity: severityOf(r.severity),
    source: String(r.alert_source),
    firstSeen: String(r.first_seen),
    lastSeen: String(r.last_seen),
    entities: entitiesOf(r.entities_json),
  }));
  const exposureByHost: HostExposure[] = (await rows(REPORT_SQL.exposureByHost)).map((r) => ({
    host: String(r.host),
    exposedMeetings: num(r.exposed_meetings),
    distinctExternals: num(r.distinct_externals),
    guestsWithoutEmail: num(r.guests_without_email),
    externalDomains: String(r.external_domains ?? ''),
    firstSeen: text(r.first_seen),
    lastSeen: text(r.last_seen),
  }));
  const exposureByMeeting: MeetingExposure[] = (await rows(REPORT_SQL.exposureByMeeting)).map((r) => ({
    meetingUuid: String(r.meeting_uuid),
    meetingId: text(r.meeting_id),
    topic: text(r.topic),
    host: String(r.host),
    startTime: text(r.start_time),
    participants: num(r.participants),
    externals: num(r.externals),
    guestsWithoutEmail: num(r.guests_without_email),
    externalDomains: String(r.external_domains ?? ''),
  }));
  const externalDomains: ExternalDomain[] = (await rows(REPORT_SQL.externalDomains)).map((r) => ({
    domain: String(r.domain),
    participants: num(r.participants),
    meetings: num(r.meetings),
    hosts: num(r.hosts),
    firstSeen: text(r.first_seen),
    lastSeen: text(r.last_seen),
  }));
  const clientVersions: ClientVersion[] = (await rows(REPORT_SQL.clientVersions)).map((r) => ({
    version: String(r.version),
    users: num(r.users),
    belowMinimum: typeof r.below_minimum === 'boolean' ? r.below_minimum : null,
  }));
  const nodes: GraphNode[] = (await rows(REPORT_SQL.graphNodes)).map((r) => ({
    id: String(r.id),
    kind: nodeKind(r.kind),
    meetings: num(r.meetings),
  }));
  const edges: GraphEdge[] = (await rows(REPORT_SQL.graphEdges, [maxMeetingSizeForEdges])).map((r) => ({
    source: String(r.source),
    target: String(r.target),
    weight: num(r.weight),
  }));
  const s = (await rows(REPORT_SQL.summary))[0] ?? {};
  const summary: ReportSummary = {
    meetings: num(s.meetings),
    people: num(s.people),
    internalPeople: num(s.internal_people),
    externalPeople: num(s.external_people),
    alerts: num(s.alerts),
    from: text(s.first_time),
    to: text(s.last_time),
  };
  return {
    generatedAt: context.generatedAt,
    dir: context.dir,
    internalDomains: context.internalDomains,
    minClientVersion: context.minClientVersion,
    maxMeetingSizeForEdges,
    summary,
    alerts,
    exposureByHost,
    exposureByMeeting,
    externalDomains,
    clientVersions,
    graph: { nodes, edges },
  };
}
