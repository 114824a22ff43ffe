-- min_ips or more distinct public IPs join one meeting instance (or its waiting room) within any window_minutes,
-- counting only participants who are not signed-in internal users: a meeting link posted publicly, a zoombombing
-- raid. Each join time anchors a window [t, t + window_minutes); the meeting alerts when any window holds min_ips.
-- The realtime check counts the same windows as each join arrives. IPs come
-- from the participant webhooks (public_ip, undocumented, present on many events) and the dashboard poller
-- (ip_address). Meetings only: webinars are public by design. Every ? is the run's end time (ISO-8601 UTC).
WITH params AS (
  SELECT
    max(CASE WHEN name = 'min_ips' THEN value END) AS min_ips,
    max(CASE WHEN name = 'window_minutes' THEN value END) AS window_minutes
  FROM detection_parameters
  WHERE detection_id = 'zoom.participant.join_burst_many_ips'
),
joins AS (
  SELECT pe.meeting_uuid, pe.meeting_id, pe.topic, nullif(trim(pe.public_ip), '') AS ip, pe.event_time AS join_time,
    lower(nullif(trim(pe.email), '')) AS email, nullif(pe.participant_user_id, '') AS zoom_user_id, nullif(pe.registrant_id, '') AS registrant_id
  FROM participant_events pe
  WHERE pe.dt BETWEEN date_format(date_add('day', -1, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pe.event_time >= date_add('day', -1, from_iso8601_timestamp(?))
    AND pe.event_time < from_iso8601_timestamp(?)
    AND pe.event IN ('meeting.participant_joined', 'meeting.participant_joined_waiting_room')
  UNION ALL
  SELECT pd.meeting_uuid, pd.meeting_id, CAST(NULL AS varchar), nullif(trim(pd.ip_address), ''), pd.join_time,
    lower(nullif(trim(pd.email), '')), coalesce(nullif(pd.participant_user_id, ''), nullif(pd.zoom_user_id, '')), nullif(pd.registrant_id, '')
  FROM participant_details pd
  WHERE pd.dt BETWEEN date_format(date_add('day', -1, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pd.join_time >= date_add('day', -1, from_iso8601_timestamp(?))
    AND pd.join_time < from_iso8601_timestamp(?)
),
-- Signed-in internal users joining an all-hands from home, and registrants of a registration-required briefing,
-- are the benign crowd; everyone else counts.
outside AS (
  SELECT j.meeting_uuid, j.meeting_id, j.topic, j.ip, j.join_time
  FROM joins j
  LEFT JOIN internal_domains d ON d.domain = split_part(j.email, '@', 2)
  WHERE j.ip IS NOT NULL AND j.meeting_uuid IS NOT NULL AND j.registrant_id IS NULL
    AND (d.domain IS NULL OR j.email IS NULL OR j.zoom_user_id IS NULL)
),
-- Only meetings with min_ips outside IPs in the whole day can have a burst; this keeps the self-join small.
crowded AS (
  SELECT o.meeting_uuid FROM outside o CROSS JOIN params p GROUP BY o.meeting_uuid HAVING count(DISTINCT o.ip) >= max(p.min_ips)
),
ip_joins AS (
  SELECT DISTINCT o.meeting_uuid, o.ip, o.join_time
  FROM outside o
  JOIN crowded c ON c.meeting_uuid = o.meeting_uuid
),
windows AS (
  SELECT a.meeting_uuid, a.window_start, count(DISTINCT b.ip) AS distinct_ips, max(b.join_time) AS window_end
  FROM (SELECT DISTINCT meeting_uuid, join_time AS window_start FROM ip_joins) a
  CROSS JOIN params p
  JOIN ip_joins b
    ON b.meeting_uuid = a.meeting_uuid
    AND b.join_time >= a.window_start
    AND b.join_time < date_add('minute', p.window_minutes, a.window_start)
  GROUP BY a.meeting_uuid, a.window_start
  HAVING count(DISTINCT b.ip) >= max(p.min_ips)
),
bursts AS (
  SELECT meeting_uuid, min(window_start) AS first_seen, max(window_end) AS last_seen, max(distinct_ips) AS peak_distinct_ips
  FROM windows
  GROUP BY meeting_uuid
)
SELECT
  b.meeting_uuid,
  max(o.meeting_id) AS meeting_id,
  max(o.topic) AS topic,
  b.peak_distinct_ips,
  count(DISTINCT o.ip) AS burst_ips,
  array_join(array_sort(array_agg(DISTINCT o.ip)), ', ') AS ip_addresses,
  b.first_seen,
  b.last_seen
FROM bursts b
JOIN outside o
  ON o.meeting_uuid = b.meeting_uuid AND o.join_time >= b.first_seen AND o.join_time <= b.last_seen
GROUP BY b.meeting_uuid, b.peak_distinct_ips, b.first_seen, b.last_seen
