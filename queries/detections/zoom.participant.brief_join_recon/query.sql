-- External or unauthenticated participants who spent under brief_seconds (300) in each of at least min_meetings (3)
-- meeting instances in the last 7 days: someone checking which links work and who attends, rather than taking part.
-- Sessions come from the report API (meeting_participants), the dashboard API (participant_details) and the
-- participant webhooks (a joined event paired with the next left event of the same participant id), so either
-- collector is enough. Every ? is the run's end time (ISO-8601 UTC).
WITH params AS (
  SELECT
    max(CASE WHEN name = 'brief_seconds' THEN value END) AS brief_seconds,
    max(CASE WHEN name = 'min_meetings' THEN value END) AS min_meetings
  FROM detection_parameters
  WHERE detection_id = 'zoom.participant.brief_join_recon'
),
sessions AS (
  SELECT
    'report' AS source,
    mp.meeting_uuid,
    mp.meeting_id,
    lower(nullif(trim(mp.user_email), '')) AS user_email,
    nullif(trim(mp.name), '') AS user_name,
    coalesce(nullif(mp.zoom_user_id, ''), nullif(mp.participant_user_id, '')) AS zoom_user_id,
    CAST(NULL AS varchar) AS ip_address,
    mp.join_time,
    mp.leave_time,
    coalesce(mp.duration_seconds, date_diff('second', mp.join_time, mp.leave_time)) AS seconds
  FROM meeting_participants mp
  WHERE mp.dt BETWEEN date_format(date_add('day', -7, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND mp.join_time >= date_add('day', -7, from_iso8601_timestamp(?))
    AND mp.join_time < from_iso8601_timestamp(?)
    -- Left in the waiting room and never admitted: saw nothing of the meeting.
    AND coalesce(mp.status, '') <> 'in_waiting_room'
  UNION ALL
  SELECT
    'dashboard' AS source,
    pd.meeting_uuid,
    pd.meeting_id,
    lower(nullif(trim(pd.email), '')) AS user_email,
    nullif(trim(pd.user_name), '') AS user_name,
    coalesce(nullif(pd.zoom_user_id, ''), nullif(pd.participant_user_id, '')) AS zoom_user_id,
    nullif(pd.ip_address, '') AS ip_address,
    pd.join_time,
    pd.leave_time,
    date_diff('second', pd.join_time, pd.leave_time) AS seconds
  FROM participant_details pd
  WHERE pd.dt BETWEEN date_format(date_add('day', -7, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pd.join_time >= date_add('day', -7, from_iso8601_timestamp(?))
    AND pd.join_time < from_iso8601_timestamp(?)
    AND coalesce(pd.status, '') <> 'in_waiting_room'
  UNION ALL
  SELECT
    'webhook' AS source,
    j.meeting_uuid,
    j.meeting_id,
    lower(nullif(trim(j.email), '')) AS user_email,
    nullif(trim(j.user_name), '') AS user_name,
    nullif(j.participant_user_id, '') AS zoom_user_id,
    nullif(j.public_ip, '') AS ip_address,
    j.event_time AS join_time,
    min(l.event_time) AS leave_time,
    date_diff('second', j.event_time, min(l.event_time)) AS seconds
  FROM participant_events j
  LEFT JOIN participant_events l
    ON l.meeting_uuid = j.meeting_uuid
   AND l.participant_id = j.participant_id
   AND l.event IN ('meeting.participant_left', 'webinar.participant_left')
   AND l.event_time >= j.event_time
   AND l.dt BETWEEN date_format(date_add('day', -7, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
  WHERE j.dt BETWEEN date_format(date_add('day', -7, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND j.event IN ('meeting.participant_joined', 'webinar.participant_joined')
    AND j.event_time >= date_add('day', -7, from_iso8601_timestamp(?))
    AND j.event_time < from_iso8601_timestamp(?)
  GROUP BY j.record_id, j.meeting_uuid, j.meeting_id, j.email, j.user_name, j.participant_user_id, j.public_ip, j.event_time
),
identified AS (
  SELECT s.*, coalesce(s.user_email, s.user_name) AS participant
  FROM sessions s
  WHERE s.meeting_uuid IS NOT NULL
),
-- Time in one instance per source; unknown (NULL) while any session of it has no leave time yet.
per_source AS (
  SELECT participant, meeting_uuid, source, CASE WHEN count(*) = count(seconds) THEN sum(seconds) END AS seconds
  FROM identified
  WHERE participant IS NOT NULL
  GROUP BY participant, meeting_uuid, source
),
instances AS (
  SELECT
    i.participant,
    i.meeting_uuid,
    max(i.meeting_id) AS meeting_id,
    max(i.user_email) AS user_email,
    max(i.user_name) AS user_name,
    bool_or(i.zoom_user_id IS NOT NULL) AS signed_in,
    max_by(i.ip_address, CASE WHEN i.ip_address IS NOT NULL THEN i.join_time END) AS ip_address,
    min(i.join_time) AS first_join,
    max(coalesce(i.leave_time, i.join_time)) AS last_leave
  FROM identified i
  WHERE i.participant IS NOT NULL
  GROUP BY i.participant, i.meeting_uuid
),
brief AS (
  SELECT
    n.*,
    -- The sources describe the same sessions: the longest total wins, so a dropped-and-rejoined call is not brief.
    t.seconds,
    n.user_email IS NOT NULL AND d.domain IS NULL AS is_external,
    n.user_email IS NULL OR NOT n.signed_in AS is_unauthenticated
  FROM instances n
  JOIN (SELECT participant, meeting_uuid, max(seconds) AS seconds FROM per_source GROUP BY participant, meeting_uuid) t
    ON t.participant = n.participant AND t.meeting_uuid = n.meeting_uuid
  LEFT JOIN internal_domains d ON d.domain = split_part(n.user_email, '@', 2)
  CROSS JOIN params p
  WHERE t.seconds < p.brief_seconds
)
SELECT
  b.participant,
  max(b.user_email) AS user_email,
  max(b.user_name) AS user_name,
  max_by(b.ip_address, CASE WHEN b.ip_address IS NOT NULL THEN b.first_join END) AS ip_address,
  count(DISTINCT b.meeting_uuid) AS brief_instances,
  count(DISTINCT b.meeting_id) AS distinct_meeting_ids,
  array_join(array_sort(array_agg(DISTINCT b.meeting_id)), ', ') AS meeting_ids,
  array_join(array_sort(array_agg(DISTINCT b.meeting_uuid)), ', ') AS meeting_uuids,
  max(b.seconds) AS longest_stay_seconds,
  bool_or(b.is_external) AS is_external,
  bool_or(b.is_unauthenticated) AS is_unauthenticated,
  min(b.first_join) AS first_seen,
  max(b.last_leave) AS last_seen
FROM brief b
CROSS JOIN params p
WHERE b.is_external OR b.is_unauthenticated
GROUP BY b.participant
HAVING count(DISTINCT b.meeting_uuid) >= max(p.min_meetings)
