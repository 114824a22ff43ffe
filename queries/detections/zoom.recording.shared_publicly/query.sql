-- A cloud recording shared publicly, or without a passcode while sharing is unknown, when its meeting's topic is
-- sensitive, a watched user hosted it, or outsiders (external email, no email or not signed in, not registrants)
-- were in it; for webinars only the first two count, as their recordings are published on purpose. Sharing comes
-- from the recordings poller (GET /meetings/{uuid}/recordings/settings: share_recording, recording_authentication,
-- recording_has_passcode), passcode presence also from recording.completed webhooks. Exposed: shared publicly
-- without authentication, passcode or not (Zoom's share link often carries the passcode); or no passcode on a
-- recording the poller did not show shared internally, not shared, or behind authentication. Recordings of meetings
-- that started in the last 7 days. Every ? is the run's end time (ISO-8601 UTC).
WITH polled AS (
  SELECT r.meeting_uuid,
    max(r.meeting_id) AS meeting_id,
    max(lower(nullif(trim(r.host_email), ''))) AS host_email,
    max(nullif(r.host_id, '')) AS host_id,
    max(nullif(trim(r.topic), '')) AS topic,
    min(r.start_time) AS start_time,
    max(r.share_recording) AS share_recording,
    max(r.share_url) AS share_url,
    bool_or(r.recording_authentication) AS recording_authentication,
    bool_or(r.recording_has_passcode) AS recording_has_passcode,
    bool_or(r.viewer_download) AS viewer_download,
    bool_or(r.on_demand) AS on_demand,
    max(coalesce(r.recording_end, r.start_time)) AS recorded_until
  FROM recordings r
  WHERE r.dt BETWEEN date_format(date_add('day', -7, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND r.start_time >= date_add('day', -7, from_iso8601_timestamp(?))
    AND r.start_time < from_iso8601_timestamp(?)
    AND NOT coalesce(r.in_trash, false)
  GROUP BY r.meeting_uuid
),
completed AS (
  SELECT re.meeting_uuid,
    max(re.meeting_id) AS meeting_id,
    max(lower(nullif(trim(re.host_email), ''))) AS host_email,
    max(nullif(re.host_id, '')) AS host_id,
    max(nullif(trim(re.topic), '')) AS topic,
    min(re.start_time) AS start_time,
    max(re.share_url) AS share_url,
    max_by(re.has_passcode, CASE WHEN re.has_passcode IS NOT NULL THEN re.event_time END) AS has_passcode,
    min(re.event_time) AS completed_at
  FROM recording_events re
  WHERE re.dt BETWEEN date_format(date_add('day', -7, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND re.event_time >= date_add('day', -7, from_iso8601_timestamp(?))
    AND re.event_time < from_iso8601_timestamp(?)
    AND re.event = 'recording.completed'
    AND re.meeting_uuid IS NOT NULL
  GROUP BY re.meeting_uuid
),
-- Recordings deleted or trashed since: no longer shared.
removed AS (
  SELECT DISTINCT re.meeting_uuid
  FROM recording_events re
  WHERE re.dt BETWEEN date_format(date_add('day', -7, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND re.event_time >= date_add('day', -7, from_iso8601_timestamp(?))
    AND re.event_time < from_iso8601_timestamp(?)
    AND re.event IN ('recording.deleted', 'recording.trashed')
    AND re.meeting_uuid IS NOT NULL
),
recorded AS (
  SELECT coalesce(p.meeting_uuid, c.meeting_uuid) AS meeting_uuid,
    coalesce(p.meeting_id, c.meeting_id) AS meeting_id,
    coalesce(p.host_email, c.host_email) AS host_email,
    coalesce(p.host_id, c.host_id) AS host_id,
    coalesce(p.topic, c.topic) AS topic,
    coalesce(p.start_time, c.start_time) AS start_time,
    coalesce(p.share_url, c.share_url) AS share_url,
    p.share_recording, p.recording_authentication, p.recording_has_passcode, p.viewer_download, p.on_demand,
    c.has_passcode AS webhook_has_passcode,
    coalesce(c.completed_at, p.recorded_until) AS seen_at
  FROM polled p
  FULL OUTER JOIN completed c ON c.meeting_uuid = p.meeting_uuid
),
exposed AS (
  SELECT r.*,
    CASE
      WHEN r.share_recording = 'publicly' THEN 'shared publicly'
      ELSE 'no passcode, sharing not known to be internal'
    END AS exposure
  FROM recorded r
  LEFT JOIN removed x ON x.meeting_uuid = r.meeting_uuid
  WHERE x.meeting_uuid IS NULL
    AND NOT coalesce(r.recording_authentication, false)
    AND coalesce(r.share_recording, '') NOT IN ('internally', 'none')
    AND (r.share_recording = 'publicly' OR coalesce(r.recording_has_passcode, r.webhook_has_passcode) = false)
),
-- Topic, type and host from every other source naming the instance.
instance_facts AS (
  SELECT me.meeting_uuid, nullif(trim(me.topic), '') AS topic, me.meeting_type, nullif(me.host_id, '') AS host_id,
    CAST(NULL AS varchar) AS host_email, me.event LIKE 'webinar.%' AS webinar_event
  FROM meeting_events me
  WHERE me.dt BETWEEN date_format(date_add('day', -7, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND me.event_time >= date_add('day', -7, from_iso8601_timestamp(?))
    AND me.event_time < from_iso8601_timestamp(?)
  UNION ALL
  SELECT m.meeting_uuid, nullif(trim(m.topic), ''), m.meeting_type, nullif(m.host_id, ''), lower(nullif(trim(m.host_email), '')), false
  FROM meetings m
  WHERE m.dt BETWEEN date_format(date_add('day', -7, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND m.start_time >= date_add('day', -7, from_iso8601_timestamp(?))
    AND m.start_time < from_iso8601_timestamp(?)
  UNION ALL
  SELECT pe.meeting_uuid, nullif(trim(pe.topic), ''), CAST(NULL AS integer), nullif(pe.host_id, ''), CAST(NULL AS varchar),
    pe.event LIKE 'webinar.%'
  FROM participant_events pe
  WHERE pe.dt BETWEEN date_format(date_add('day', -7, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pe.event_time >= date_add('day', -7, from_iso8601_timestamp(?))
    AND pe.event_time < from_iso8601_timestamp(?)
),
facts AS (
  SELECT f.meeting_uuid, max(f.topic) AS topic, max(f.host_id) AS host_id, max(f.host_email) AS host_email,
    bool_or(f.webinar_event OR coalesce(f.meeting_type, 0) IN (5, 6, 9)) AS webinar
  FROM instance_facts f
  JOIN exposed e ON e.meeting_uuid = f.meeting_uuid
  GROUP BY f.meeting_uuid
),
directory AS (
  SELECT u.user_id, max_by(lower(u.email), u.snapshot_time) AS email
  FROM users u
  WHERE u.dt BETWEEN date_format(date_add('day', -7, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND u.snapshot_time < from_iso8601_timestamp(?)
    AND nullif(trim(u.email), '') IS NOT NULL
  GROUP BY u.user_id
),
joins AS (
  SELECT pe.meeting_uuid, lower(nullif(trim(pe.email), '')) AS user_email, nullif(trim(pe.user_name), '') AS user_name,
    nullif(pe.participant_user_id, '') AS zoom_user_id, nullif(pe.registrant_id, '') AS registrant_id
  FROM participant_events pe
  WHERE pe.dt BETWEEN date_format(date_add('day', -7, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND pe.event_time >= date_add('day', -7, from_iso8601_timestamp(?))
    AND pe.event_time < from_iso8601_timestamp(?)
    AND pe.event IN ('meeting.participant_joined', 'webinar.participant_joined')
  UNION ALL
  SELECT mp.meeting_uuid, lower(nullif(trim(mp.user_email), '')), nullif(trim(mp.name), ''),
    coalesce(nullif(mp.participant_user_id, ''), nullif(mp.zoom_user_id, '')), nullif(mp.registrant_id, '')
  FROM meeting_participants mp
  WHERE mp.dt BETWEEN date_format(date_add('day', -7, from_iso8601_timestamp(?)), '%Y-%m-%d') AND date_format(from_iso8601_timestamp(?), '%Y-%m-%d')
    AND mp.join_time >= date_add('day', -7, from_iso8601_timestamp(?))
    AND mp.join_time < from_iso8601_timestamp(?)
    AND coalesce(mp.status, '') <> 'in_waiting_room'
),
outsiders AS (
  SELECT j.meeting_uuid, count(DISTINCT coalesce(j.user_email, 'guest:' || lower(coalesce(j.user_name, '(no name)')))) AS outsiders,
    array_join(array_sort(array_agg(DISTINCT coalesce(j.user_email, 'guest:' || lower(coalesce(j.user_name, '(no name)'))))), ', ') AS outsider_names
  FROM joins j
  JOIN exposed e ON e.meeting_uuid = j.meeting_uuid
  LEFT JOIN internal_domains d ON d.domain = split_part(j.user_email, '@', 2)
  WHERE j.registrant_id IS NULL AND (j.user_email IS NULL OR j.zoom_user_id IS NULL OR d.domain IS NULL)
  GROUP BY j.meeting_uuid
),
scoped AS (
  SELECT e.*,
    coalesce(e.topic, f.topic) AS known_topic,
    coalesce(e.host_email, d.email, f.host_email) AS known_host_email,
    coalesce(f.webinar, false) AS webinar,
    coalesce(o.outsiders, 0) AS outsiders,
    o.outsider_names
  FROM exposed e
  LEFT JOIN facts f ON f.meeting_uuid = e.meeting_uuid
  LEFT JOIN directory d ON d.user_id = coalesce(e.host_id, f.host_id)
  LEFT JOIN outsiders o ON o.meeting_uuid = e.meeting_uuid
),
sensitive AS (
  SELECT DISTINCT s.meeting_uuid
  FROM scoped s
  JOIN sensitive_meeting_patterns p ON regexp_like(s.known_topic, p.pattern)
),
judged AS (
  SELECT s.*, (t.meeting_uuid IS NOT NULL) AS sensitive_topic, (w.email IS NOT NULL) AS watched_host,
    (s.outsiders > 0 AND NOT s.webinar) AS external_meeting
  FROM scoped s
  LEFT JOIN sensitive t ON t.meeting_uuid = s.meeting_uuid
  LEFT JOIN watched_users w ON w.email = s.known_host_email
)
SELECT
  j.meeting_uuid,
  j.meeting_id,
  j.known_topic AS topic,
  j.known_host_email AS host_email,
  j.exposure,
  j.share_recording,
  j.recording_authentication,
  j.recording_has_passcode,
  j.webhook_has_passcode,
  j.viewer_download,
  j.on_demand,
  j.share_url,
  j.webinar,
  concat_ws(', ',
    CASE WHEN j.sensitive_topic THEN 'sensitive topic' END,
    CASE WHEN j.watched_host THEN 'watched host' END,
    CASE WHEN j.external_meeting THEN 'outsiders in the meeting' END) AS reasons,
  j.outsiders,
  j.outsider_names,
  j.start_time AS meeting_start,
  coalesce(j.seen_at, j.start_time) AS first_seen,
  coalesce(j.seen_at, j.start_time) AS last_seen
FROM judged j
WHERE j.sensitive_topic OR j.watched_host OR j.external_meeting
