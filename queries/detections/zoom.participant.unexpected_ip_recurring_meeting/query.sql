-- A user joined a recurring meeting in the last day from an IP outside the IPs they used for that same meeting
-- number in the 30 days before (the baseline, which ends where the last day starts). The baseline must hold at
-- least 3 earlier instances of the meeting with a known IP, which also makes the meeting a recurring one.
-- IPv6 addresses are compared by their /64 (privacy extensions rotate the rest); IPv4 addresses exactly.
-- A network the user already used anywhere in the baseline (another meeting, or a Zoom sign-in; IPv4 by its /24,
-- IPv6 by its /64) is their own (the office, a second home, the VPN, the phone's carrier), not a stolen session.
-- IPs come from the dashboard API (participant_details.ip_address) and the joined webhooks (public_ip).
-- Every ? is the run's end time (ISO-8601 UTC).
WITH joins AS (
  SELECT
    lower(nullif(trim(pd.email), '')) AS user_email,
    nullif(trim(pd.user_name), '') AS user_name,
    pd.meeting_id,
    pd.meeting_uuid,
    trim(pd.ip_address) AS ip,
    pd.join_time
  FROM participant_details pd
  WHERE pd.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pd.join_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND pd.join_time < from_iso8601_timestamp(?)
  UNION ALL
  SELECT
    lower(nullif(trim(pe.email), '')) AS user_email,
    nullif(trim(pe.user_name), '') AS user_name,
    pe.meeting_id,
    pe.meeting_uuid,
    trim(pe.public_ip) AS ip,
    pe.event_time AS join_time
  FROM participant_events pe
  WHERE pe.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pe.event IN ('meeting.participant_joined', 'webinar.participant_joined')
    AND pe.event_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND pe.event_time < from_iso8601_timestamp(?)
),
keyed AS (
  SELECT
    j.*,
    CASE WHEN strpos(j.ip, ':') > 0
      THEN coalesce(lower(regexp_extract(j.ip, '^([0-9A-Fa-f]{1,4}:){4}')) || ':/64', lower(j.ip))
      ELSE j.ip END AS network,
    j.join_time >= date_add('day', -1, from_iso8601_timestamp(?)) AS is_recent
  FROM joins j
  WHERE j.user_email IS NOT NULL AND j.meeting_id IS NOT NULL AND j.meeting_uuid IS NOT NULL
    AND j.ip IS NOT NULL AND j.ip <> ''
),
baseline AS (
  SELECT
    user_email,
    meeting_id,
    count(DISTINCT meeting_uuid) AS baseline_instances,
    array_join(array_sort(array_agg(DISTINCT ip)), ', ') AS baseline_ips,
    max(join_time) AS last_baseline_join
  FROM keyed
  WHERE NOT is_recent
  GROUP BY user_email, meeting_id
  HAVING count(DISTINCT meeting_uuid) >= 3
),
known AS (
  SELECT DISTINCT user_email, meeting_id, network FROM keyed WHERE NOT is_recent
),
-- The user's networks in the baseline, wider: IPv4 by /24, IPv6 by /64; from every meeting and every sign-in.
user_networks AS (
  SELECT user_email, ip FROM keyed WHERE NOT is_recent
  UNION ALL
  SELECT lower(nullif(trim(a.email), '')), trim(a.ip_address)
  FROM activities a
  WHERE a.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND a.time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND a.time < date_add('day', -1, from_iso8601_timestamp(?))
    AND nullif(trim(a.ip_address), '') IS NOT NULL
),
known_for_user AS (
  SELECT DISTINCT user_email,
    CASE WHEN strpos(ip, ':') > 0
      THEN coalesce(lower(regexp_extract(ip, '^([0-9A-Fa-f]{1,4}:){4}')) || ':/64', lower(ip))
      ELSE coalesce(regexp_extract(ip, '^(\d+\.\d+\.\d+)\.', 1) || '.0/24', ip) END AS wide_network
  FROM user_networks
  WHERE user_email IS NOT NULL
),
recent AS (
  SELECT
    user_email,
    meeting_id,
    network,
    max(user_name) AS user_name,
    max_by(ip, join_time) AS ip_address,
    array_join(array_sort(array_agg(DISTINCT ip)), ', ') AS new_ips,
    max_by(meeting_uuid, join_time) AS meeting_uuid,
    count(DISTINCT meeting_uuid) AS recent_instances,
    min(join_time) AS first_seen,
    max(join_time) AS last_seen
  FROM keyed
  WHERE is_recent
  GROUP BY user_email, meeting_id, network
),
meeting_info AS (
  SELECT
    meeting_id,
    max_by(host_email, start_time) AS host_email,
    max_by(topic, start_time) AS topic,
    max(meeting_type) AS meeting_type
  FROM (
    SELECT m.meeting_id, m.host_email, m.topic, m.meeting_type, m.start_time
    FROM meetings m
    WHERE m.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
      AND m.start_time >= date_add('day', -30, from_iso8601_timestamp(?))
    UNION ALL
    SELECT e.meeting_id, CAST(NULL AS varchar) AS host_email, e.topic, e.meeting_type, e.event_time AS start_time
    FROM meeting_events e
    WHERE e.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
      AND e.event_time >= date_add('day', -30, from_iso8601_timestamp(?))
  ) x
  WHERE meeting_id IS NOT NULL
  GROUP BY meeting_id
)
SELECT
  r.user_email,
  r.user_name,
  r.meeting_id,
  r.meeting_uuid,
  r.network,
  r.ip_address,
  r.new_ips,
  b.baseline_ips,
  b.baseline_instances,
  b.last_baseline_join,
  r.recent_instances,
  mi.host_email,
  mi.topic,
  mi.meeting_type,
  r.first_seen,
  r.last_seen
FROM recent r
JOIN baseline b ON b.user_email = r.user_email AND b.meeting_id = r.meeting_id
LEFT JOIN known k ON k.user_email = r.user_email AND k.meeting_id = r.meeting_id AND k.network = r.network
LEFT JOIN known_for_user u ON u.user_email = r.user_email AND u.wide_network = CASE WHEN strpos(r.ip_address, ':') > 0
  THEN r.network ELSE coalesce(regexp_extract(r.ip_address, '^(\d+\.\d+\.\d+)\.', 1) || '.0/24', r.ip_address) END
LEFT JOIN meeting_info mi ON mi.meeting_id = r.meeting_id
WHERE k.network IS NULL AND u.wide_network IS NULL
