-- Anyone, employee or outsider, present in more than 20 (min_meetings) meeting instances they did not host in the
-- last 30 days who never shared anything, across at least min_hosts distinct hosts and min_series distinct meeting
-- numbers: the pattern of a note-taker or recorder bot, or of someone quietly sitting in on other teams' meetings.
-- Breadth, not identity, keeps the noise down: an employee in their own team's standups and one-to-ones, or a
-- customer contact on a daily call with the same account team, sees few hosts and few series.
-- Presence and sharing come from the two sources that can show sharing: the dashboard API (participant_details,
-- share_desktop / share_application / share_whiteboard) and the webhooks (participant_joined, and sharing_started
-- matched to the joined participant by participant id or display name). Phone dial-ins cannot share and are left out.
-- Hosts come from the meetings poller (email) and the participant webhooks (user id, named through the users snapshots).
-- Every ? is the run's end time (ISO-8601 UTC).
WITH params AS (
  SELECT
    max(CASE WHEN name = 'min_meetings' THEN value END) AS min_meetings,
    max(CASE WHEN name = 'min_hosts' THEN value END) AS min_hosts,
    max(CASE WHEN name = 'min_series' THEN value END) AS min_series
  FROM detection_parameters
  WHERE detection_id = 'zoom.participant.silent_presence'
),
webhook_shares AS (
  SELECT DISTINCT s.meeting_uuid, s.participant_id, nullif(trim(s.user_name), '') AS user_name
  FROM participant_events s
  WHERE s.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND s.event IN ('meeting.sharing_started', 'webinar.sharing_started')
    AND s.event_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND s.event_time < from_iso8601_timestamp(?)
),
presence AS (
  SELECT
    pd.meeting_uuid,
    pd.meeting_id,
    lower(nullif(trim(pd.email), '')) AS user_email,
    nullif(trim(pd.user_name), '') AS user_name,
    coalesce(nullif(pd.zoom_user_id, ''), nullif(pd.participant_user_id, '')) AS zoom_user_id,
    nullif(trim(pd.ip_address), '') AS ip_address,
    pd.join_time,
    coalesce(pd.share_desktop, false) OR coalesce(pd.share_application, false) OR coalesce(pd.share_whiteboard, false) AS shared,
    coalesce(pd.recording, false) AS recorded,
    coalesce(pd.role, '') = 'host' AS as_host
  FROM participant_details pd
  WHERE pd.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pd.join_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND pd.join_time < from_iso8601_timestamp(?)
    AND coalesce(pd.status, '') <> 'in_waiting_room'
    AND lower(coalesce(pd.device, '')) <> 'phone'
  UNION ALL
  SELECT
    j.meeting_uuid,
    j.meeting_id,
    lower(nullif(trim(j.email), '')) AS user_email,
    nullif(trim(j.user_name), '') AS user_name,
    nullif(j.participant_user_id, '') AS zoom_user_id,
    nullif(trim(j.public_ip), '') AS ip_address,
    j.event_time AS join_time,
    bool_or(s.meeting_uuid IS NOT NULL) AS shared,
    false AS recorded,
    coalesce(nullif(j.participant_user_id, '') = nullif(j.host_id, ''), false) AS as_host
  FROM participant_events j
  LEFT JOIN webhook_shares s
    ON s.meeting_uuid = j.meeting_uuid
   AND (s.participant_id = j.participant_id OR s.user_name = nullif(trim(j.user_name), ''))
  WHERE j.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND j.event IN ('meeting.participant_joined', 'webinar.participant_joined')
    AND j.event_time >= date_add('day', -30, from_iso8601_timestamp(?))
    AND j.event_time < from_iso8601_timestamp(?)
    AND coalesce(j.phone_number, '') = ''
  GROUP BY j.record_id, j.meeting_uuid, j.meeting_id, j.email, j.user_name, j.participant_user_id, j.public_ip, j.event_time, j.host_id
),
-- Each meeting's host: the meetings poller's host email, else the host's Zoom user id (webhooks) looked up in the
-- users snapshots, else the bare id. host_key names one host however the sources name them.
host_users AS (
  SELECT u.user_id, max(lower(u.email)) AS email
  FROM users u
  WHERE u.dt BETWEEN date_format(date_add('day', -31, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND u.snapshot_time >= date_add('day', -31, from_iso8601_timestamp(?))
    AND nullif(trim(u.email), '') IS NOT NULL
  GROUP BY u.user_id
),
hosts AS (
  SELECT h.meeting_uuid, max(h.host_id) AS host_id, coalesce(max(h.host_email), max(hu.email)) AS host_email,
    coalesce(max(h.host_email), max(hu.email), max(h.host_id)) AS host_key
  FROM (
    SELECT m.meeting_uuid, nullif(m.host_id, '') AS host_id, lower(nullif(m.host_email, '')) AS host_email
    FROM meetings m
    WHERE m.dt BETWEEN date_format(date_add('day', -31, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
      AND m.start_time >= date_add('day', -31, from_iso8601_timestamp(?))
    UNION ALL
    SELECT pe.meeting_uuid, nullif(pe.host_id, ''), CAST(NULL AS varchar)
    FROM participant_events pe
    WHERE pe.dt BETWEEN date_format(date_add('day', -30, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
      AND pe.event_time >= date_add('day', -30, from_iso8601_timestamp(?))
      AND pe.event IN ('meeting.participant_joined', 'webinar.participant_joined')
  ) h
  LEFT JOIN host_users hu ON hu.user_id = h.host_id
  GROUP BY h.meeting_uuid
),
-- Each person's presence in meetings they did not host (by role, Zoom user id or email).
attended AS (
  SELECT p.*, h.host_id, h.host_email, h.host_key
  FROM presence p
  LEFT JOIN hosts h ON h.meeting_uuid = p.meeting_uuid
  WHERE p.meeting_uuid IS NOT NULL AND coalesce(p.user_email, p.user_name) IS NOT NULL
    AND NOT p.as_host
    AND NOT coalesce(p.zoom_user_id = h.host_id, false)
    AND NOT coalesce(p.user_email = h.host_email, false)
),
people AS (
  SELECT
    coalesce(a.user_email, a.user_name) AS participant,
    max(a.user_email) AS user_email,
    max(a.user_name) AS user_name,
    max_by(a.ip_address, CASE WHEN a.ip_address IS NOT NULL THEN a.join_time END) AS ip_address,
    count(DISTINCT a.meeting_uuid) AS meeting_instances,
    count(DISTINCT a.meeting_id) AS distinct_meeting_ids,
    count(DISTINCT a.host_key) AS distinct_hosts,
    count(DISTINCT a.ip_address) AS distinct_ips,
    count(DISTINCT CASE WHEN a.recorded THEN a.meeting_uuid END) AS recorded_instances,
    array_join(array_sort(array_agg(DISTINCT a.host_email)), ', ') AS hosts,
    array_join(array_sort(array_agg(DISTINCT a.meeting_id)), ', ') AS meeting_ids,
    bool_or(a.shared) AS ever_shared,
    bool_or(a.zoom_user_id IS NOT NULL) AS ever_signed_in,
    min(a.join_time) AS first_seen,
    max(a.join_time) AS last_seen
  FROM attended a
  GROUP BY coalesce(a.user_email, a.user_name)
)
SELECT
  pp.*,
  pp.user_email IS NOT NULL AND d.domain IS NULL AS is_external,
  pp.user_email IS NULL OR NOT pp.ever_signed_in AS is_unauthenticated
FROM people pp
CROSS JOIN params prm
LEFT JOIN internal_domains d ON d.domain = split_part(pp.user_email, '@', 2)
WHERE NOT pp.ever_shared
  AND pp.meeting_instances >= prm.min_meetings
  AND pp.distinct_hosts >= prm.min_hosts
  AND pp.distinct_meeting_ids >= prm.min_series
