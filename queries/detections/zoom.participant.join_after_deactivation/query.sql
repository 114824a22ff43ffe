-- The email of a deactivated, deleted or disassociated user joins a meeting (or its waiting room) after the
-- deactivation: a zombie link, a registrant link or a personal Zoom account the leaver still uses.
-- Account state per email is a timeline: user.deactivated/deleted/disassociated webhooks and 'inactive' user
-- snapshots turn it off; user.activated/created webhooks and 'active' snapshots turn it on. A join alerts when the
-- latest change before it turned the account off. Joins: last 2 days (the report pollers lag); state: last 90 days
-- (a deleted user leaves the snapshots, so only its webhook remembers it). Every ? is the run's end time.
WITH joins AS (
  SELECT pe.meeting_uuid, pe.meeting_id, lower(nullif(trim(pe.email), '')) AS email, pe.user_name,
    nullif(pe.public_ip, '') AS ip_address, pe.event_time AS join_time, pe.event AS how
  FROM participant_events pe
  WHERE pe.dt >= date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d')
    AND pe.event_time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND pe.event_time < from_iso8601_timestamp(?)
    AND pe.event IN ('meeting.participant_joined', 'meeting.participant_joined_waiting_room',
                     'webinar.participant_joined', 'webinar.participant_joined_waiting_room')
  UNION ALL
  SELECT mp.meeting_uuid, mp.meeting_id, lower(nullif(trim(mp.user_email), '')), mp.name, CAST(NULL AS varchar), mp.join_time,
    'meeting_participants'
  FROM meeting_participants mp
  WHERE mp.dt >= date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d')
    AND mp.join_time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND mp.join_time < from_iso8601_timestamp(?)
  UNION ALL
  SELECT pd.meeting_uuid, pd.meeting_id, lower(nullif(trim(pd.email), '')), pd.user_name, nullif(pd.ip_address, ''), pd.join_time,
    'participant_details'
  FROM participant_details pd
  WHERE pd.dt >= date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d')
    AND pd.join_time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND pd.join_time < from_iso8601_timestamp(?)
),
snapshots AS (
  SELECT u.user_id, lower(u.email) AS email, u.status, u.snapshot_time
  FROM users u
  WHERE u.dt >= date_format(date_add('day', -90, from_iso8601_timestamp(?)), '%Y-%m-%d')
    AND u.snapshot_time >= date_add('day', -90, from_iso8601_timestamp(?))
    AND u.snapshot_time < from_iso8601_timestamp(?)
),
-- Webhooks of a deleted user may lack the email; the snapshots know it by user id.
user_emails AS (
  SELECT user_id, max(email) AS email FROM snapshots WHERE email IS NOT NULL GROUP BY user_id
),
changes AS (
  SELECT coalesce(lower(nullif(trim(ue.email), '')), ux.email) AS email, ue.event_time AS changed_at,
    CASE WHEN ue.event IN ('user.activated', 'user.created') THEN 'on' ELSE 'off' END AS state,
    ue.event || coalesce(' by ' || ue.operator, '') AS change
  FROM user_events ue
  LEFT JOIN user_emails ux ON ux.user_id = ue.user_id
  WHERE ue.dt >= date_format(date_add('day', -90, from_iso8601_timestamp(?)), '%Y-%m-%d')
    AND ue.event_time >= date_add('day', -90, from_iso8601_timestamp(?))
    AND ue.event_time < from_iso8601_timestamp(?)
    AND ue.event IN ('user.deactivated', 'user.deleted', 'user.disassociated', 'user.activated', 'user.created')
  UNION ALL
  SELECT s.email, s.snapshot_time, CASE WHEN s.status = 'inactive' THEN 'off' ELSE 'on' END, 'users snapshot: ' || s.status
  FROM snapshots s
  WHERE s.status IN ('active', 'inactive') AND s.email IS NOT NULL
),
judged AS (
  SELECT
    j.meeting_uuid, j.meeting_id, j.email, j.user_name, j.ip_address, j.join_time, j.how,
    max(CASE WHEN c.state = 'off' THEN c.changed_at END) AS off_at,
    max(CASE WHEN c.state = 'on' THEN c.changed_at END) AS on_at
  FROM joins j
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
