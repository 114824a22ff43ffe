-- A cloud recording downloaded (admin operation log) by someone who neither attended nor hosted the meeting.
-- Evidence of the download: operation_logs rows of the last day whose category_type is Recording and whose action
-- or operation_detail mentions a download. Zoom documents recording deletions in this log ("Delete cloud recording
-- for meeting 11122223333"); that downloads are logged the same way is NOT confirmed, and Zoom publishes no
-- recording-download webhook, so this detection only fires if the account's operation log records downloads.
-- The meeting is the meeting number named in operation_detail (9-12 digits, spaces allowed as Zoom formats them),
-- else a known recording/meeting whose topic (4+ characters) appears in operation_detail.
-- Known meetings (30 days): recordings, recording_events (recording.completed), meetings, each with its host (the
-- email, or the host's user id looked up in the users snapshots). The downloader is the
-- operator, compared (lower case) with every participant email of any instance of that meeting number (30 days;
-- meeting_participants, participant_details, participant_events) and with its host emails. Only meetings with at
-- least one known participant email are judged, so a missing participant poll does not flag everyone.
-- Judged only where it matters: the meeting's topic is sensitive or a watched user hosts it, or the downloader is
-- not on an internal domain (an employee who missed an ordinary meeting downloading its recording is routine).
-- History lookups (known meetings, hosts, attendees) read only the days of the meetings the window's downloads can
-- concern: :days_from and :days_to are bound from days.sql, run first (a superset of the meetings matched here);
-- the 30-day bounds stay, so the query reads no more than before whatever it is given. To paste it into Athena, run
-- days.sql and put its two days in place of :days_from and :days_to.
-- Every ? is the run's end time (ISO-8601 UTC).
WITH downloads AS (
  SELECT
    ol.time,
    lower(trim(ol.operator)) AS operator,
    ol.action,
    ol.operation_detail,
    replace(regexp_extract(ol.operation_detail, '(\d{3}\s?\d{3,4}\s?\d{3,5})', 1), ' ', '') AS detail_meeting_id
  FROM operation_logs ol
  WHERE ol.dt BETWEEN date_format(date_add('day', -1, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND ol.time >= date_add('day', -1, from_iso8601_timestamp(?))
    AND ol.time < from_iso8601_timestamp(?)
    AND lower(ol.category_type) LIKE '%recording%'
    AND (lower(coalesce(ol.action, '')) LIKE '%download%' OR lower(coalesce(ol.operation_detail, '')) LIKE '%download%')
    AND nullif(trim(ol.operator), '') IS NOT NULL
),
-- Known meetings (30 days) with their host: the email where the source has it, else the host's user id looked up in
-- the users snapshots (the recordings API names the host by id only).
host_users AS (
  SELECT u.user_id, max(lower(u.email)) AS email
  FROM users u
  WHERE u.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND u.dt BETWEEN :days_from AND :days_to
    AND u.snapshot_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND nullif(trim(u.email), '') IS NOT NULL
  GROUP BY u.user_id
),
sourced_meetings AS (
  SELECT r.meeting_id, r.meeting_uuid, lower(r.host_email) AS host_email, r.host_id, r.topic, 'recordings' AS source
  FROM recordings r
  WHERE r.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND r.dt BETWEEN :days_from AND :days_to
    AND r.start_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND r.start_time < from_iso8601_timestamp(?)
  UNION ALL
  SELECT re.meeting_id, re.meeting_uuid, lower(re.host_email), re.host_id, re.topic, 'recording_events'
  FROM recording_events re
  WHERE re.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND re.dt BETWEEN :days_from AND :days_to
    AND re.event_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND re.event_time < from_iso8601_timestamp(?)
    AND re.event = 'recording.completed'
  UNION ALL
  SELECT mt.meeting_id, mt.meeting_uuid, lower(mt.host_email), mt.host_id, mt.topic, 'meetings'
  FROM meetings mt
  WHERE mt.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND mt.dt BETWEEN :days_from AND :days_to
    AND mt.start_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND mt.start_time < from_iso8601_timestamp(?)
),
known_meetings AS (
  SELECT s.meeting_id, s.meeting_uuid, coalesce(nullif(s.host_email, ''), hu.email) AS host_email, s.topic, s.source
  FROM sourced_meetings s
  LEFT JOIN host_users hu ON hu.user_id = s.host_id
),
matched AS (
  SELECT DISTINCT d.time, d.operator, d.action, d.operation_detail, k.meeting_id, k.meeting_uuid, k.topic,
    CASE WHEN d.detail_meeting_id IS NOT NULL THEN 'meeting number' ELSE 'topic' END AS matched_by
  FROM downloads d
  JOIN known_meetings k
    ON (d.detail_meeting_id IS NOT NULL AND k.meeting_id = d.detail_meeting_id)
    OR (d.detail_meeting_id IS NULL AND length(trim(k.topic)) >= 4
        AND strpos(lower(d.operation_detail), lower(trim(k.topic))) > 0)
  WHERE k.meeting_id IS NOT NULL
),
attendees AS (
  SELECT mp.meeting_id, lower(trim(mp.user_email)) AS email
  FROM meeting_participants mp
  WHERE mp.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND mp.dt BETWEEN :days_from AND :days_to
    AND mp.join_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND mp.join_time < from_iso8601_timestamp(?)
    AND nullif(trim(mp.user_email), '') IS NOT NULL
  UNION ALL
  SELECT pd.meeting_id, lower(trim(pd.email))
  FROM participant_details pd
  WHERE pd.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pd.dt BETWEEN :days_from AND :days_to
    AND pd.join_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND pd.join_time < from_iso8601_timestamp(?)
    AND nullif(trim(pd.email), '') IS NOT NULL
  UNION ALL
  SELECT pe.meeting_id, lower(trim(pe.email))
  FROM participant_events pe
  WHERE pe.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pe.dt BETWEEN :days_from AND :days_to
    AND pe.event_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND pe.event_time < from_iso8601_timestamp(?)
    AND pe.event IN ('meeting.participant_joined', 'meeting.participant_left')
    AND nullif(trim(pe.email), '') IS NOT NULL
),
people AS (
  SELECT meeting_id, email, 'participant' AS relation FROM attendees
  UNION ALL
  SELECT meeting_id, host_email, 'host' FROM known_meetings WHERE nullif(host_email, '') IS NOT NULL
),
attended AS (
  SELECT meeting_id, count(DISTINCT email) AS participant_emails FROM attendees GROUP BY meeting_id
),
insiders AS (
  SELECT DISTINCT m.meeting_id, m.operator
  FROM matched m
  JOIN people p ON p.meeting_id = m.meeting_id AND p.email = m.operator
),
meeting_hosts AS (
  SELECT meeting_id, max(host_email) AS host_email FROM known_meetings GROUP BY meeting_id
),
-- Meetings whose recording is worth guarding: a sensitive topic, or a watched host. Colleagues who missed an
-- ordinary meeting download its recording all the time.
guarded AS (
  SELECT k.meeting_id FROM known_meetings k JOIN sensitive_meeting_patterns p ON regexp_like(coalesce(k.topic, ''), p.pattern)
  UNION
  SELECT k.meeting_id FROM known_meetings k JOIN watched_users w ON w.email = k.host_email
)
SELECT
  m.operator,
  m.meeting_id,
  max(m.meeting_uuid) AS meeting_uuid,
  max(h.host_email) AS host_email,
  max(m.topic) AS topic,
  max(a.participant_emails) AS participant_emails,
  count(DISTINCT m.time) AS downloads,
  array_join(array_agg(DISTINCT m.operation_detail), ' | ') AS operation_details,
  array_join(array_agg(DISTINCT m.matched_by), ', ') AS matched_by,
  min(m.time) AS first_seen,
  max(m.time) AS last_seen
FROM matched m
JOIN attended a ON a.meeting_id = m.meeting_id
LEFT JOIN insiders i ON i.meeting_id = m.meeting_id AND i.operator = m.operator
LEFT JOIN meeting_hosts h ON h.meeting_id = m.meeting_id
LEFT JOIN guarded g ON g.meeting_id = m.meeting_id
LEFT JOIN internal_domains od ON od.domain = split_part(m.operator, '@', 2)
WHERE i.operator IS NULL
  AND (g.meeting_id IS NOT NULL OR od.domain IS NULL)
GROUP BY m.operator, m.meeting_id
