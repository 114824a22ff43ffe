-- The email of a deactivated, deleted or disassociated user joins a meeting (or its waiting room) after the
-- deactivation: a zombie link, a registrant link or a personal Zoom account the leaver still uses.
-- Account state per user is a timeline: user.deactivated/deleted/disassociated webhooks, User entries of the admin
-- operation log that deactivate or delete (every email in the entry's detail) and 'inactive' user snapshots turn it
-- off; user.activated/created webhooks, reactivations in the operation log and 'active' snapshots turn it on. A join
-- alerts when the latest change before the join's own time turned the account off, so a leaver's earlier joins,
-- delivered or polled late, raise nothing; a deactivation known only from a snapshot counts from the snapshot's time.
-- A join without an email is matched by its Zoom user id. Joins: last 2 days (the report pollers lag); state: last
-- 90 days (a deleted user leaves the snapshots, so only its webhook remembers it). Every ? is the run's end time.
WITH joins AS (
  SELECT pe.meeting_uuid, pe.meeting_id, lower(nullif(trim(pe.email), '')) AS email, nullif(pe.participant_user_id, '') AS zoom_user_id,
    pe.user_name, nullif(pe.public_ip, '') AS ip_address, pe.event_time AS join_time, pe.event AS how
  FROM participant_events pe
  WHERE pe.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pe.event_time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND pe.event_time < from_iso8601_timestamp(?)
    AND pe.event IN ('meeting.participant_joined', 'meeting.participant_joined_waiting_room',
                     'webinar.participant_joined', 'webinar.participant_joined_waiting_room',
                     -- Joins before the host, and waits for the host: a meeting link used while nobody watches.
                     'meeting.participant_jbh_joined', 'meeting.participant_jbh_waiting',
                     'webinar.participant_jbh_joined', 'webinar.participant_jbh_waiting')
  UNION ALL
  SELECT mp.meeting_uuid, mp.meeting_id, lower(nullif(trim(mp.user_email), '')),
    coalesce(nullif(mp.participant_user_id, ''), nullif(mp.zoom_user_id, '')), mp.name, CAST(NULL AS varchar), mp.join_time,
    'meeting_participants'
  FROM meeting_participants mp
  WHERE mp.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND mp.join_time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND mp.join_time < from_iso8601_timestamp(?)
  UNION ALL
  SELECT pd.meeting_uuid, pd.meeting_id, lower(nullif(trim(pd.email), '')),
    coalesce(nullif(pd.participant_user_id, ''), nullif(pd.zoom_user_id, '')), pd.user_name, nullif(pd.ip_address, ''), pd.join_time,
    'participant_details'
  FROM participant_details pd
  WHERE pd.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pd.join_time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND pd.join_time < from_iso8601_timestamp(?)
),
snapshots AS (
  SELECT u.user_id, lower(u.email) AS email, u.status, u.snapshot_time
  FROM users u
  WHERE u.dt BETWEEN date_format(date_add('day', -90, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND u.snapshot_time >= date_add('day', -90, from_iso8601_timestamp(?))
    AND u.snapshot_time < from_iso8601_timestamp(?)
),
user_webhooks AS (
  SELECT ue.user_id, lower(nullif(trim(ue.email), '')) AS email, ue.event, ue.event_time, ue.operator
  FROM user_events ue
  WHERE ue.dt BETWEEN date_format(date_add('day', -90, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND ue.event_time >= date_add('day', -90, from_iso8601_timestamp(?))
    AND ue.event_time < from_iso8601_timestamp(?)
),
-- Webhooks of a deleted user, and joins without an email, may carry only the Zoom user id.
user_emails AS (
  SELECT user_id, max(email) AS email
  FROM (SELECT user_id, email FROM snapshots UNION ALL SELECT user_id, email FROM user_webhooks) x
  WHERE user_id IS NOT NULL AND email IS NOT NULL
  GROUP BY user_id
),
-- User entries of the admin operation log, classified as the user directory does (deactivat..., delet...,
-- activat.../reactivat...); the user concerned is every email the detail names.
operation_changes AS (
  SELECT lower(e.email) AS email, o.time AS changed_at,
    CASE WHEN regexp_like(o.said, '(?i)\bdeactivat|\bdelet') THEN 'off' ELSE 'on' END AS state,
    'operation log: ' || o.said || coalesce(' by ' || o.operator, '') AS change
  FROM (
    SELECT ol.time, ol.operator, ol.operation_detail, coalesce(ol.action, '') || ' ' || coalesce(ol.operation_detail, '') AS said
    FROM operation_logs ol
    WHERE ol.dt BETWEEN date_format(date_add('day', -90, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
      AND ol.time >= date_add('day', -90, from_iso8601_timestamp(?))
      AND ol.time < from_iso8601_timestamp(?)
      AND regexp_like(coalesce(ol.category_type, ''), '(?i)^user')
  ) o
  CROSS JOIN UNNEST(regexp_extract_all(coalesce(o.operation_detail, ''), '[^\s@:;,()<>"'']+@[^\s@:;,()<>"'']+\.[^\s@:;,()<>"'']+')) AS e (email)
  WHERE regexp_like(o.said, '(?i)\bdeactivat|\bdelet|\b(re)?activat')
),
changes AS (
  SELECT coalesce(w.email, ux.email) AS email, w.event_time AS changed_at,
    CASE WHEN w.event IN ('user.activated', 'user.created') THEN 'on' ELSE 'off' END AS state,
    w.event || coalesce(' by ' || w.operator, '') AS change
  FROM user_webhooks w
  LEFT JOIN user_emails ux ON ux.user_id = w.user_id
  WHERE w.event IN ('user.deactivated', 'user.deleted', 'user.disassociated', 'user.activated', 'user.created')
  UNION ALL
  SELECT s.email, s.snapshot_time, CASE WHEN s.status = 'inactive' THEN 'off' ELSE 'on' END, 'users snapshot: ' || s.status
  FROM snapshots s
  WHERE s.status IN ('active', 'inactive') AND s.email IS NOT NULL
  UNION ALL
  SELECT email, changed_at, state, change FROM operation_changes
),
identified AS (
  SELECT j.meeting_uuid, j.meeting_id, coalesce(j.email, ux.email) AS email, j.user_name, j.ip_address, j.join_time, j.how
  FROM joins j
  LEFT JOIN user_emails ux ON ux.user_id = j.zoom_user_id
),
judged AS (
  SELECT
    j.meeting_uuid, j.meeting_id, j.email, j.user_name, j.ip_address, j.join_time, j.how,
    max(CASE WHEN c.state = 'off' THEN c.changed_at END) AS off_at,
    max(CASE WHEN c.state = 'on' THEN c.changed_at END) AS on_at
  FROM identified j
  JOIN changes c ON c.email = j.email AND c.changed_at < j.join_time
  WHERE j.email IS NOT NULL
  GROUP BY j.meeting_uuid, j.meeting_id, j.email, j.user_name, j.ip_address, j.join_time, j.how
),
-- One row per email and meeting; on_before bounds the current "off" period, whose first evidence is deactivated_at.
flagged AS (
  SELECT
    x.email AS user_email,
    x.meeting_uuid,
    max(x.meeting_id) AS meeting_id,
    max(x.user_name) AS user_name,
    max(x.ip_address) AS ip_address,
    max(x.on_at) AS on_before,
    count(*) AS join_rows,
    array_join(array_sort(array_agg(DISTINCT x.how)), ', ') AS seen_in,
    min(x.join_time) AS first_seen,
    max(x.join_time) AS last_seen
  FROM judged x
  WHERE x.off_at IS NOT NULL AND (x.on_at IS NULL OR x.on_at < x.off_at)
  GROUP BY x.email, x.meeting_uuid
)
SELECT
  f.user_email, f.meeting_uuid, f.meeting_id, f.user_name, f.ip_address,
  min(c.changed_at) AS deactivated_at,
  min_by(c.change, c.changed_at) AS deactivation,
  f.join_rows, f.seen_in, f.first_seen, f.last_seen
FROM flagged f
JOIN changes c
  ON c.email = f.user_email AND c.state = 'off' AND c.changed_at < f.last_seen
  AND (f.on_before IS NULL OR c.changed_at > f.on_before)
GROUP BY f.user_email, f.meeting_uuid, f.meeting_id, f.user_name, f.ip_address, f.join_rows, f.seen_in, f.first_seen, f.last_seen
