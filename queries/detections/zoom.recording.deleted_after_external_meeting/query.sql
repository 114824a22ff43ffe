-- Cloud recordings deleted or trashed in the last day, in two patterns (column `pattern`):
--   after_external_meeting: a recording of a meeting instance that external or unauthenticated participants joined,
--     deleted or trashed within after_meeting_hours (24) of the meeting's end;
--   bulk_deletion: one operator deleting or trashing bulk_recordings (10) or more recordings (meetings) within a
--     sliding bulk_window_minutes (60).
-- Deletions come from recording webhooks (deleted, trashed and their batch variants, one row per meeting), the
-- admin operation log (category Recording) and the recordings poller (files listed from the trash; no operator,
-- seen-in-trash time = ingested_at). Every ? is the run's end time (ISO-8601 UTC).
WITH params AS (
  SELECT
    max(CASE WHEN name = 'after_meeting_hours' THEN value END) AS after_meeting_hours,
    max(CASE WHEN name = 'bulk_recordings' THEN value END) AS bulk_recordings,
    max(CASE WHEN name = 'bulk_window_minutes' THEN value END) AS bulk_window_minutes
  FROM detection_parameters
  WHERE detection_id = 'zoom.recording.deleted_after_external_meeting'
),
deletions AS (
  SELECT
    r.event_time AS deleted_at,
    lower(r.operator) AS operator,
    nullif(r.meeting_uuid, '') AS meeting_uuid,
    nullif(r.meeting_id, '') AS meeting_id,
    lower(r.host_email) AS host_email,
    r.topic,
    r.recording_count AS files,
    r.event AS action,
    'recording_events' AS source,
    coalesce(nullif(r.meeting_uuid, ''), nullif(r.meeting_id, ''), r.record_id) AS item
  FROM recording_events r
  WHERE r.dt BETWEEN date_format(date_add('day', -1, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND r.event_time >= date_add('day', -1, from_iso8601_timestamp(?))
    AND r.event_time < from_iso8601_timestamp(?)
    AND r.event IN ('recording.deleted', 'recording.trashed', 'recording.batch_deleted', 'recording.batch_trashed')
  UNION ALL
  SELECT
    o.time,
    lower(o.operator),
    CAST(NULL AS varchar),
    -- The operation log names the meeting only in free text; a 9 to 12 digit number there (Zoom may group the
    -- digits with spaces, as in 877 1122 3344) is taken as its id.
    replace(regexp_extract(o.operation_detail, '(?:^|[^0-9])([0-9]{3} ?[0-9]{3,4} ?[0-9]{3,5})(?:[^0-9]|$)', 1), ' ', ''),
    CAST(NULL AS varchar),
    CAST(NULL AS varchar),
    CAST(NULL AS integer),
    coalesce(o.action, '') || ': ' || coalesce(o.operation_detail, ''),
    'operation_logs',
    o.record_id
  FROM operation_logs o
  WHERE o.dt BETWEEN date_format(date_add('day', -1, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND o.time >= date_add('day', -1, from_iso8601_timestamp(?))
    AND o.time < from_iso8601_timestamp(?)
    AND lower(o.category_type) = 'recording'
    AND regexp_like(coalesce(o.action, '') || ' ' || coalesce(o.operation_detail, ''), '(?i)delet|trash')
  UNION ALL
  SELECT
    min(rec.ingested_at),
    CAST(NULL AS varchar),
    rec.meeting_uuid,
    max(rec.meeting_id),
    max(lower(rec.host_email)),
    max(rec.topic),
    CAST(count(DISTINCT rec.file_id) AS integer),
    'listed in trash',
    'recordings',
    rec.meeting_uuid
  FROM recordings rec
  WHERE rec.dt BETWEEN date_format(date_add('day', -3, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND rec.in_trash
    AND rec.ingested_at >= date_add('day', -1, from_iso8601_timestamp(?))
    AND rec.ingested_at <= from_iso8601_timestamp(?)
  GROUP BY rec.meeting_uuid
),
-- Joins before the host carry no email (Zoom sends none): a signed-in participant's Zoom user id names the user, by
-- the users snapshots and user webhooks of 30 days, as the realtime user directory does.
jbh_users AS (
  SELECT x.user_id, max(x.email) AS email
  FROM (
    SELECT u.user_id, lower(nullif(trim(u.email), '')) AS email
    FROM users u
    WHERE u.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
      AND u.snapshot_time < from_iso8601_timestamp(?)
    UNION ALL
    SELECT ue.user_id, lower(nullif(trim(ue.email), ''))
    FROM user_events ue
    WHERE ue.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
      AND ue.event_time < from_iso8601_timestamp(?)
  ) x
  WHERE x.user_id IS NOT NULL AND x.email IS NOT NULL
  GROUP BY x.user_id
),
-- Participant records of the last 3 days from the three participant sources, with who they were.
sessions AS (
  SELECT p.meeting_uuid, p.meeting_id, coalesce(lower(nullif(p.email, '')), ju.email) AS email, nullif(p.participant_user_id, '') AS zoom_user,
         p.user_name AS name, p.event_time AS seen_at, p.event LIKE '%joined' AS is_join
  FROM participant_events p
  LEFT JOIN jbh_users ju ON ju.user_id = p.participant_user_id AND p.event IN ('meeting.participant_jbh_joined', 'webinar.participant_jbh_joined')
  WHERE p.dt BETWEEN date_format(date_add('day', -3, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND p.event_time >= date_add('day', -3, from_iso8601_timestamp(?))
    AND p.event IN ('meeting.participant_joined', 'meeting.participant_left', 'webinar.participant_joined', 'webinar.participant_left',
                    'meeting.participant_jbh_joined', 'webinar.participant_jbh_joined')
  UNION ALL
  SELECT m.meeting_uuid, m.meeting_id, lower(nullif(m.user_email, '')),
         coalesce(nullif(m.zoom_user_id, ''), nullif(m.participant_user_id, '')), m.name, coalesce(m.leave_time, m.join_time), true
  FROM meeting_participants m
  WHERE m.dt BETWEEN date_format(date_add('day', -3, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND m.join_time >= date_add('day', -3, from_iso8601_timestamp(?))
  UNION ALL
  SELECT d.meeting_uuid, d.meeting_id, lower(nullif(d.email, '')),
         coalesce(nullif(d.zoom_user_id, ''), nullif(d.participant_user_id, '')), d.user_name, coalesce(d.leave_time, d.join_time), true
  FROM participant_details d
  WHERE d.dt BETWEEN date_format(date_add('day', -3, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND d.join_time >= date_add('day', -3, from_iso8601_timestamp(?))
),
externals AS (
  SELECT
    s.meeting_uuid,
    max(s.meeting_id) AS meeting_id,
    count(DISTINCT coalesce(s.email, s.name, '(no name)')) AS external_participants,
    array_join(array_sort(array_agg(DISTINCT coalesce(s.email, s.name || ' (no email)', '(no name)'))), ', ') AS external_names
  FROM sessions s
  -- Leave events may lack the participant's ids, so only join-time records say who someone was.
  WHERE s.is_join
    AND (s.email IS NULL
      OR s.zoom_user IS NULL
      OR coalesce(split_part(s.email, '@', 2), '') NOT IN (SELECT domain FROM internal_domains))
  GROUP BY s.meeting_uuid
),
-- When each meeting instance ended: the end the report API or meeting.ended gives, else the last participant seen.
meeting_ends AS (
  SELECT meeting_uuid, max(ended_at) AS ended_at, max(host_email) AS host_email, max(topic) AS topic
  FROM (
    SELECT mt.meeting_uuid, mt.end_time AS ended_at, lower(mt.host_email) AS host_email, mt.topic
    FROM meetings mt
    WHERE mt.dt BETWEEN date_format(date_add('day', -3, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    UNION ALL
    SELECT me.meeting_uuid, coalesce(me.end_time, me.event_time), CAST(NULL AS varchar), me.topic
    FROM meeting_events me
    WHERE me.dt BETWEEN date_format(date_add('day', -3, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
      AND me.event = 'meeting.ended'
    UNION ALL
    SELECT s.meeting_uuid, s.seen_at, CAST(NULL AS varchar), CAST(NULL AS varchar)
    FROM sessions s
  ) e
  GROUP BY meeting_uuid
),
after_external AS (
  SELECT
    'after_external_meeting' AS pattern,
    x.meeting_uuid AS subject,
    x.meeting_uuid,
    coalesce(max(d.meeting_id), max(x.meeting_id)) AS meeting_id,
    coalesce(max(d.host_email), max(e.host_email)) AS host_email,
    coalesce(max(d.topic), max(e.topic)) AS topic,
    max(d.operator) AS operator,
    array_join(array_sort(array_agg(DISTINCT d.operator)), ', ') AS operators,
    array_join(array_sort(array_agg(DISTINCT d.action)), ', ') AS actions,
    array_join(array_sort(array_agg(DISTINCT d.source)), ', ') AS sources,
    count(DISTINCT d.item) AS recordings,
    max(d.files) AS files,
    max(e.ended_at) AS meeting_ended_at,
    max(x.external_participants) AS external_participants,
    max(x.external_names) AS external_names,
    min(d.deleted_at) AS first_seen,
    max(d.deleted_at) AS last_seen
  FROM deletions d
  JOIN externals x
    ON d.meeting_uuid = x.meeting_uuid OR (d.meeting_uuid IS NULL AND d.meeting_id = x.meeting_id)
  JOIN meeting_ends e ON e.meeting_uuid = x.meeting_uuid
  CROSS JOIN params p
  -- The deleted recording is of an instance that had ended by then (a meeting number in the operation log names
  -- every instance of a personal or recurring meeting, later ones included).
  WHERE d.deleted_at >= e.ended_at
    AND d.deleted_at < date_add('hour', p.after_meeting_hours, e.ended_at)
  GROUP BY x.meeting_uuid
),
-- Every bulk_window_minutes window that starts at one of an operator's deletions. Webhooks and the operation log can both
-- record the same deletion, so each source is counted on its own and the larger count is kept.
bulk_windows AS (
  SELECT
    a.operator,
    a.deleted_at AS window_start,
    max(b.deleted_at) AS window_end,
    greatest(
      count(DISTINCT CASE WHEN b.source = 'recording_events' THEN b.item END),
      count(DISTINCT CASE WHEN b.source = 'operation_logs' THEN b.item END)) AS recordings,
    array_join(array_sort(array_agg(DISTINCT b.action)), ', ') AS actions,
    array_join(array_sort(array_agg(DISTINCT b.source)), ', ') AS sources,
    sum(b.files) AS files
  FROM deletions a
  CROSS JOIN params p
  JOIN deletions b
    ON b.operator = a.operator
   AND b.deleted_at >= a.deleted_at
   AND b.deleted_at < date_add('minute', p.bulk_window_minutes, a.deleted_at)
  WHERE a.operator IS NOT NULL
  GROUP BY a.operator, a.deleted_at
),
bulk AS (
  SELECT
    'bulk_deletion' AS pattern,
    operator AS subject,
    CAST(NULL AS varchar) AS meeting_uuid,
    CAST(NULL AS varchar) AS meeting_id,
    CAST(NULL AS varchar) AS host_email,
    CAST(NULL AS varchar) AS topic,
    operator,
    operator AS operators,
    max_by(actions, recordings) AS actions,
    max_by(sources, recordings) AS sources,
    max(recordings) AS recordings,
    max_by(files, recordings) AS files,
    CAST(NULL AS timestamp) AS meeting_ended_at,
    CAST(NULL AS bigint) AS external_participants,
    CAST(NULL AS varchar) AS external_names,
    min(window_start) AS first_seen,
    max(window_end) AS last_seen
  FROM bulk_windows
  CROSS JOIN params p
  WHERE recordings >= p.bulk_recordings
  GROUP BY operator
)
SELECT * FROM after_external
UNION ALL
SELECT * FROM bulk
