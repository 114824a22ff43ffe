-- In the last day, a user joined a meeting instance hosted or attended by a watched user (view watched_users) from a
-- device not seen for that user in the 30 days before (the baseline, which stops where the last day starts).
-- The device is the machine name (pc_name) when Zoom reports one, else device family + OS; a join is compared with
-- the baseline on the same kind of key, so a web-client join without pc_name is not "new" for a known laptop.
-- A user needs at least 3 earlier meeting instances with device data: first joins never alert.
-- Every ? is the run's end time (ISO-8601 UTC).
WITH details AS (
  SELECT
    lower(nullif(trim(pd.email), '')) AS user_email,
    nullif(trim(pd.user_name), '') AS user_name,
    pd.meeting_id,
    pd.meeting_uuid,
    pd.join_time,
    nullif(trim(pd.ip_address), '') AS ip_address,
    nullif(trim(pd.pc_name), '') AS pc_name,
    nullif(trim(pd.device), '') AS device_family,
    nullif(trim(pd.os), '') AS os,
    pd.join_time >= date_add('day', -1, from_iso8601_timestamp(?)) AS is_recent
  FROM participant_details pd
  WHERE pd.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pd.join_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND pd.join_time < from_iso8601_timestamp(?)
),
keyed AS (
  SELECT
    d.*,
    lower(d.pc_name) AS pc_key,
    CASE WHEN d.device_family IS NOT NULL OR d.os IS NOT NULL
      THEN lower(concat(coalesce(d.device_family, '?'), ' / ', coalesce(d.os, '?'))) END AS kind_key,
    coalesce(d.pc_name, concat(coalesce(d.device_family, '?'), ' / ', coalesce(d.os, '?'))) AS device
  FROM details d
  WHERE d.user_email IS NOT NULL
    AND (d.pc_name IS NOT NULL OR d.device_family IS NOT NULL OR d.os IS NOT NULL)
),
baseline AS (
  SELECT
    user_email,
    count(DISTINCT meeting_uuid) AS baseline_instances,
    array_join(array_sort(array_agg(DISTINCT device)), ', ') AS baseline_devices
  FROM keyed
  WHERE NOT is_recent
  GROUP BY user_email
  HAVING count(DISTINCT meeting_uuid) >= 3
),
known_pc AS (
  SELECT DISTINCT user_email, pc_key FROM keyed WHERE NOT is_recent AND pc_key IS NOT NULL
),
known_kind AS (
  SELECT DISTINCT user_email, kind_key FROM keyed WHERE NOT is_recent AND kind_key IS NOT NULL
),
hosts AS (
  SELECT m.meeting_uuid, lower(m.host_email) AS host_email
  FROM meetings m
  WHERE m.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND m.start_time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND m.host_email IS NOT NULL
),
-- Watched users in each recent meeting instance: as host, or as a participant seen by any collector.
watched AS (
  SELECT h.meeting_uuid, h.host_email AS email FROM hosts h
  UNION ALL
  SELECT pd.meeting_uuid, lower(pd.email) AS email
  FROM participant_details pd
  WHERE pd.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pd.join_time >= date_add('day', -2, from_iso8601_timestamp(?))
  UNION ALL
  SELECT mp.meeting_uuid, lower(mp.user_email) AS email
  FROM meeting_participants mp
  WHERE mp.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND mp.join_time >= date_add('day', -2, from_iso8601_timestamp(?))
  UNION ALL
  SELECT pe.meeting_uuid, lower(pe.email) AS email
  FROM participant_events pe
  WHERE pe.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pe.event IN ('meeting.participant_joined', 'webinar.participant_joined')
    AND pe.event_time >= date_add('day', -2, from_iso8601_timestamp(?))
),
watched_meetings AS (
  SELECT w.meeting_uuid, w.email
  FROM watched w
  JOIN watched_users wu ON wu.email = trim(w.email)
  GROUP BY w.meeting_uuid, w.email
),
unknown AS (
  SELECT k.*
  FROM keyed k
  LEFT JOIN known_pc p ON p.user_email = k.user_email AND p.pc_key = k.pc_key
  LEFT JOIN known_kind n ON n.user_email = k.user_email AND n.kind_key = k.kind_key
  WHERE k.is_recent
    AND ((k.pc_key IS NOT NULL AND p.pc_key IS NULL) OR (k.pc_key IS NULL AND n.kind_key IS NULL))
)
SELECT
  u.user_email,
  max(u.user_name) AS user_name,
  lower(u.device) AS device_key,
  max(u.device) AS device,
  max(u.device_family) AS device_family,
  max(u.os) AS os,
  max_by(u.ip_address, u.join_time) AS ip_address,
  max_by(u.meeting_id, u.join_time) AS meeting_id,
  max_by(u.meeting_uuid, u.join_time) AS meeting_uuid,
  max_by(h.host_email, u.join_time) AS host_email,
  array_join(array_sort(array_agg(DISTINCT u.meeting_uuid)), ', ') AS watched_meeting_uuids,
  array_join(array_sort(array_agg(DISTINCT wm.email)), ', ') AS watched_users_present,
  b.baseline_devices,
  b.baseline_instances,
  min(u.join_time) AS first_seen,
  max(u.join_time) AS last_seen
FROM unknown u
JOIN baseline b ON b.user_email = u.user_email
JOIN watched_meetings wm ON wm.meeting_uuid = u.meeting_uuid
LEFT JOIN hosts h ON h.meeting_uuid = u.meeting_uuid
GROUP BY u.user_email, lower(u.device), b.baseline_devices, b.baseline_instances
