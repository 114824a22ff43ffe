-- A Zoom sign-in (activities, type 'Sign in') from an IP address other than the one(s) the same user (lower-case
-- email) is in a meeting from at that moment: strictly between the meeting session's join and leave time.
-- Meeting sessions come from both collectors: participant_details (dashboard API: ip_address, join/leave) and
-- participant_events (webhooks: participant_joined with public_ip, closed by the first participant_left after it).
-- Sessions without a known leave time are skipped. A sign-in is not flagged when any of the user's sessions at
-- that moment is on the same network (same IPv4 /24 or IPv6 /64), which covers rejoins after a network change and
-- corporate egress pools.
-- Sign-ins are read for the last day; sessions one day further back, so a meeting that began before the lookback is
-- still seen. Every ? is the run's end time (ISO-8601 UTC).
WITH sign_ins AS (
  SELECT
    lower(trim(a.email)) AS user_email,
    a.time AS sign_in_time,
    a.ip_address,
    a.client_type,
    a.version,
    coalesce(
      regexp_extract(a.ip_address, '^(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}$', 1),
      regexp_extract(lower(a.ip_address), '^([0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}):', 1),
      a.ip_address) AS network
  FROM activities a
  WHERE a.dt BETWEEN date_format(date_add('day', -1, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND a.time >= date_add('day', -1, from_iso8601_timestamp(?))
    AND a.time < from_iso8601_timestamp(?)
    AND a.type = 'Sign in'
    AND nullif(trim(a.email), '') IS NOT NULL
    AND nullif(trim(a.ip_address), '') IS NOT NULL
),
detail_sessions AS (
  SELECT
    lower(trim(pd.email)) AS user_email,
    pd.meeting_id,
    pd.meeting_uuid,
    pd.ip_address,
    pd.join_time,
    pd.leave_time,
    'participant_details' AS source
  FROM participant_details pd
  WHERE pd.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pd.join_time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND pd.join_time < from_iso8601_timestamp(?)
    AND pd.leave_time IS NOT NULL
    AND coalesce(pd.status, 'in_meeting') <> 'in_waiting_room'
    AND nullif(trim(pd.email), '') IS NOT NULL
    AND nullif(trim(pd.ip_address), '') IS NOT NULL
),
webhook_joins AS (
  SELECT
    lower(trim(pe.email)) AS user_email,
    pe.meeting_id,
    pe.meeting_uuid,
    pe.public_ip AS ip_address,
    pe.event_time AS join_time
  FROM participant_events pe
  WHERE pe.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pe.event_time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND pe.event_time < from_iso8601_timestamp(?)
    AND pe.event = 'meeting.participant_joined'
    AND nullif(trim(pe.email), '') IS NOT NULL
    AND nullif(trim(pe.public_ip), '') IS NOT NULL
),
webhook_leaves AS (
  SELECT lower(trim(pe.email)) AS user_email, pe.meeting_uuid, pe.event_time AS leave_time
  FROM participant_events pe
  WHERE pe.dt BETWEEN date_format(date_add('day', -2, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pe.event_time >= date_add('day', -2, from_iso8601_timestamp(?))
    AND pe.event_time < from_iso8601_timestamp(?)
    AND pe.event = 'meeting.participant_left'
    AND nullif(trim(pe.email), '') IS NOT NULL
),
webhook_sessions AS (
  SELECT j.user_email, j.meeting_id, j.meeting_uuid, j.ip_address, j.join_time, min(l.leave_time) AS leave_time,
    'participant_events' AS source
  FROM webhook_joins j
  JOIN webhook_leaves l ON l.user_email = j.user_email AND l.meeting_uuid = j.meeting_uuid AND l.leave_time > j.join_time
  GROUP BY j.user_email, j.meeting_id, j.meeting_uuid, j.ip_address, j.join_time
),
sessions AS (
  SELECT s.*,
    coalesce(
      regexp_extract(s.ip_address, '^(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}$', 1),
      regexp_extract(lower(s.ip_address), '^([0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}):', 1),
      s.ip_address) AS network
  FROM (
    SELECT user_email, meeting_id, meeting_uuid, ip_address, join_time, leave_time, source FROM detail_sessions
    UNION ALL
    SELECT user_email, meeting_id, meeting_uuid, ip_address, join_time, leave_time, source FROM webhook_sessions
  ) s
),
concurrent AS (
  SELECT
    si.user_email, si.sign_in_time, si.ip_address AS sign_in_ip, si.client_type, si.version,
    m.meeting_id, m.meeting_uuid, m.ip_address AS meeting_ip, m.join_time, m.leave_time, m.source,
    CASE WHEN m.network = si.network THEN 1 ELSE 0 END AS same_network
  FROM sign_ins si
  JOIN sessions m ON m.user_email = si.user_email AND si.sign_in_time > m.join_time AND si.sign_in_time < m.leave_time
),
flagged AS (
  SELECT user_email, sign_in_time, sign_in_ip
  FROM concurrent
  GROUP BY user_email, sign_in_time, sign_in_ip
  HAVING max(same_network) = 0
)
SELECT
  o.user_email,
  o.sign_in_ip AS ip_address,
  max_by(o.meeting_id, o.sign_in_time) AS meeting_id,
  max_by(o.meeting_uuid, o.sign_in_time) AS meeting_uuid,
  array_join(array_agg(DISTINCT o.meeting_ip), ', ') AS meeting_ips,
  array_join(array_agg(DISTINCT o.meeting_id), ', ') AS meeting_ids,
  array_join(array_agg(DISTINCT o.client_type), ', ') AS sign_in_client_types,
  array_join(array_agg(DISTINCT o.source), ', ') AS session_sources,
  count(DISTINCT o.sign_in_time) AS sign_ins,
  min(o.sign_in_time) AS first_seen,
  max(o.sign_in_time) AS last_seen
FROM concurrent o
JOIN flagged f ON f.user_email = o.user_email AND f.sign_in_time = o.sign_in_time AND f.sign_in_ip = o.sign_in_ip
GROUP BY o.user_email, o.sign_in_ip
